/**
 * The held images of each study's latest export, in the catalog's SQLite database (migration
 * 0004): what the export held, why, where OCR found text and what the reader decided, so that a
 * restart shows the same list and decisions. Its own connection to the catalog file (WAL: the
 * catalog's connection and this one do not block each other for reads); without a file (tests,
 * tools) an in-memory database with the same schema.
 *
 * Stored: UIDs, reason phrases and codes (no PHI, see docs/deid-pixels.md), boxes in image
 * pixels, the export folder. Never the text OCR read.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { DeidHeldObject, DeidPixelRect } from '../../shared/contract.js';
import { openCatalogConnection } from '../catalog/catalog.js';
import { migrate } from '../catalog/migrate.js';

export interface HeldRelease {
  status: 'released' | 'held';
  ruleName: string;
  reasons: string[];
  reasonCodes: string[];
}

export interface HeldRecord {
  sopInstanceUID: string;
  pseudonymousSopInstanceUID: string;
  reasons: string[];
  reasonCodes: string[];
  /** Null until OCR has read the image (the export ran without OCR, or the cleaner never read it). */
  ocrBoxes: DeidPixelRect[] | null;
  status: DeidHeldObject['status'];
  released: HeldRelease | null;
}

interface ObjectRow {
  sop_uid: string;
  pseudonymous_uid: string;
  reasons: string;
  reason_codes: string;
  ocr_boxes: string | null;
  status: DeidHeldObject['status'];
  released: string | null;
}

function parseList<T>(text: string | null): T[] | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as T[]) : null;
  } catch {
    return null;
  }
}

function recordOf(row: ObjectRow): HeldRecord {
  let released: HeldRelease | null = null;
  if (row.released) {
    try {
      released = JSON.parse(row.released) as HeldRelease;
    } catch {
      released = null;
    }
  }
  return {
    sopInstanceUID: row.sop_uid,
    pseudonymousSopInstanceUID: row.pseudonymous_uid,
    reasons: parseList<string>(row.reasons) ?? [],
    reasonCodes: parseList<string>(row.reason_codes) ?? [],
    ocrBoxes: parseList<DeidPixelRect>(row.ocr_boxes),
    status: row.status,
    released,
  };
}

export class HeldStore {
  readonly #db: Database.Database;
  readonly #statements;

  /** `catalogFile`: the catalog database (already migrated by Catalog.open); omitted: in memory. */
  constructor(catalogFile?: string) {
    this.#db = openCatalogConnection(catalogFile ?? ':memory:');
    if (!catalogFile) migrate(this.#db);
    const db = this.#db;
    this.#statements = {
      deleteExport: db.prepare<[string]>('DELETE FROM held_export WHERE study_uid = ?'),
      insertExport: db.prepare<[string, string | null, string]>(
        'INSERT INTO held_export (study_uid, output_dir, started_at) VALUES (?, ?, ?)',
      ),
      exportOf: db.prepare<[string], { output_dir: string | null }>(
        'SELECT output_dir FROM held_export WHERE study_uid = ?',
      ),
      insertObject: db.prepare(
        `INSERT INTO held_object (study_uid, sop_uid, pseudonymous_uid, position, reasons, reason_codes, ocr_boxes, status)
         VALUES (@study, @sop, @pseudonym,
                 (SELECT COUNT(*) FROM held_object WHERE study_uid = @study),
                 @reasons, @reasonCodes, @ocrBoxes, 'held')
         ON CONFLICT (study_uid, sop_uid) DO UPDATE SET
           pseudonymous_uid = excluded.pseudonymous_uid, reasons = excluded.reasons,
           reason_codes = excluded.reason_codes, ocr_boxes = excluded.ocr_boxes, status = 'held', released = NULL`,
      ),
      objects: db.prepare<[string], ObjectRow>(
        `SELECT sop_uid, pseudonymous_uid, reasons, reason_codes, ocr_boxes, status, released
           FROM held_object WHERE study_uid = ? ORDER BY position, sop_uid`,
      ),
      object: db.prepare<[string, string], ObjectRow>(
        `SELECT sop_uid, pseudonymous_uid, reasons, reason_codes, ocr_boxes, status, released
           FROM held_object WHERE study_uid = ? AND sop_uid = ?`,
      ),
      update: db.prepare(
        `UPDATE held_object SET reasons = @reasons, reason_codes = @reasonCodes, status = @status, released = @released
          WHERE study_uid = @study AND sop_uid = @sop`,
      ),
      setBoxes: db.prepare<[string, string, string]>(
        'UPDATE held_object SET ocr_boxes = ? WHERE study_uid = ? AND sop_uid = ?',
      ),
    };
  }

  /** A new export of the study: its earlier held list and decisions are replaced. */
  exportStarted(studyInstanceUID: string, outputDir: string | null, now = new Date()): void {
    this.#db.transaction(() => {
      this.#statements.deleteExport.run(studyInstanceUID);
      this.#statements.insertExport.run(studyInstanceUID, outputDir, now.toISOString());
    })();
  }

  hasExport(studyInstanceUID: string): boolean {
    return this.#statements.exportOf.get(studyInstanceUID) !== undefined;
  }

  outputDir(studyInstanceUID: string): string | null {
    return this.#statements.exportOf.get(studyInstanceUID)?.output_dir ?? null;
  }

  held(
    studyInstanceUID: string,
    entry: Pick<
      HeldRecord,
      'sopInstanceUID' | 'pseudonymousSopInstanceUID' | 'reasons' | 'reasonCodes' | 'ocrBoxes'
    >,
  ): void {
    if (!this.hasExport(studyInstanceUID)) return;
    this.#statements.insertObject.run({
      study: studyInstanceUID,
      sop: entry.sopInstanceUID,
      pseudonym: entry.pseudonymousSopInstanceUID,
      reasons: JSON.stringify(entry.reasons),
      reasonCodes: JSON.stringify(entry.reasonCodes),
      ocrBoxes: entry.ocrBoxes ? JSON.stringify(entry.ocrBoxes) : null,
    });
  }

  list(studyInstanceUID: string): HeldRecord[] {
    return this.#statements.objects.all(studyInstanceUID).map(recordOf);
  }

  get(studyInstanceUID: string, sopInstanceUID: string): HeldRecord | null {
    const row = this.#statements.object.get(studyInstanceUID, sopInstanceUID);
    return row ? recordOf(row) : null;
  }

  decide(
    studyInstanceUID: string,
    sopInstanceUID: string,
    change: Pick<HeldRecord, 'reasons' | 'reasonCodes' | 'status' | 'released'>,
  ): void {
    this.#statements.update.run({
      study: studyInstanceUID,
      sop: sopInstanceUID,
      reasons: JSON.stringify(change.reasons),
      reasonCodes: JSON.stringify(change.reasonCodes),
      status: change.status,
      released: change.released ? JSON.stringify(change.released) : null,
    });
  }

  setOcrBoxes(studyInstanceUID: string, sopInstanceUID: string, boxes: readonly DeidPixelRect[]): void {
    this.#statements.setBoxes.run(JSON.stringify(boxes), studyInstanceUID, sopInstanceUID);
  }

  close(): void {
    this.#db.close();
  }
}
