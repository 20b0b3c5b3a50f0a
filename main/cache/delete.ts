/**
 * Deleting studies from the workstation ("delete study", "delete patient", and the retention
 * purge): every trace the data folder keeps of them goes, in an order that survives a crash.
 *
 *   1. The store files of the studies' instances are listed in a journal in the file store's
 *      session folder (FileStore.removeFiles), made durable.
 *   2. One SQLite transaction (secure_delete on, so freed pages are zeroed) removes the instance,
 *      series and study rows, the patient when no study is left, and the rows of every other table
 *      that has a `study_uid` column (annotations, held objects, retention records, tables added
 *      later alike). Append-only tables (annotation versions) protect themselves with BEFORE DELETE
 *      triggers; those are dropped and re-created inside the same transaction, so nothing else
 *      can ever delete there. The full-text index is merged (its deleted terms dropped) and the
 *      WAL checkpointed and truncated, so no old page image stays behind.
 *   3. The files no row references any more are removed, then the journal. A crash after step 2
 *      is finished by the store's recovery at the next start (it replays the journal).
 *   4. Linkage entries of the studies' UIDs (and, deleting a patient, the patient's entry) are
 *      removed from the re-identification table.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { Logger } from '../core/logger.js';
import type { FileStore } from '../catalog/file-store.js';
import type { LinkageEntry } from '../deid/linkage-types.js';

export interface DeleteOutcome {
  studies: number;
  instances: number;
  files: number;
  linkageEntries: number;
}

/** The parts of the linkage table deletion needs (EncryptedLinkageStore). */
export interface LinkageForget {
  forget(matches: (entry: LinkageEntry) => boolean): number;
}

interface StudyRows {
  studyIds: number[];
  studyUids: string[];
  patientRefs: number[];
  seriesUids: string[];
  sopUids: string[];
  filePaths: string[];
  patientIds: string[];
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

function rowsOf(db: Database.Database, studyUids: readonly string[]): StudyRows {
  const rows: StudyRows = {
    studyIds: [],
    studyUids: [],
    patientRefs: [],
    seriesUids: [],
    sopUids: [],
    filePaths: [],
    patientIds: [],
  };
  const study = db.prepare<[string], { id: number; patient_ref: number; patient_id: string }>(
    'SELECT id, patient_ref, patient_id FROM study WHERE study_uid = ?',
  );
  const series = db.prepare<[number], { id: number; series_uid: string }>(
    'SELECT id, series_uid FROM series WHERE study_ref = ?',
  );
  const instances = db.prepare<[number], { sop_uid: string; file_path: string }>(
    'SELECT sop_uid, file_path FROM instance WHERE series_ref = ?',
  );
  for (const uid of new Set(studyUids)) {
    const found = study.get(uid);
    // A study known only to other tables (annotations of a study no longer stored) is still cleared.
    rows.studyUids.push(uid);
    if (!found) continue;
    rows.studyIds.push(found.id);
    rows.patientRefs.push(found.patient_ref);
    rows.patientIds.push(found.patient_id);
    for (const s of series.all(found.id)) {
      rows.seriesUids.push(s.series_uid);
      for (const i of instances.all(s.id)) {
        rows.sopUids.push(i.sop_uid);
        rows.filePaths.push(i.file_path);
      }
    }
  }
  return rows;
}

/** Tables (besides the hierarchy) whose rows name a study: every one with a `study_uid` column. */
function studyTables(db: Database.Database): string[] {
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
    )
    .all()
    .map((t) => t.name);
  return tables.filter(
    (name) =>
      // The audit log keeps pseudonymous ids only and is a hash chain: it is never rewritten.
      !name.startsWith('audit') &&
      db
        .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
        .all(name)
        .some((column) => column.name === 'study_uid'),
  );
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Removes the rows of `rows` (step 2 of the module comment). */
function deleteRows(db: Database.Database, rows: StudyRows): void {
  db.transaction(() => {
    // Tables refer to each other (annotation heads to versions): checked once, at commit.
    db.pragma('defer_foreign_keys = ON');
    for (const table of studyTables(db)) {
      const guards = db
        .prepare<[string], { name: string; sql: string }>(
          "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND upper(sql) LIKE '%BEFORE DELETE%'",
        )
        .all(table);
      for (const guard of guards) db.exec(`DROP TRIGGER ${quote(guard.name)}`);
      const del = db.prepare(`DELETE FROM ${quote(table)} WHERE study_uid = ?`);
      for (const uid of rows.studyUids) del.run(uid);
      for (const guard of guards) db.exec(guard.sql);
    }
    if (rows.studyIds.length > 0) {
      const ids = rows.studyIds;
      db.prepare(
        `DELETE FROM instance WHERE series_ref IN (SELECT id FROM series WHERE study_ref IN (${placeholders(ids.length)}))`,
      ).run(...ids);
      db.prepare(`DELETE FROM series WHERE study_ref IN (${placeholders(ids.length)})`).run(...ids);
      db.prepare(`DELETE FROM study WHERE id IN (${placeholders(ids.length)})`).run(...ids);
      const patients = [...new Set(rows.patientRefs)];
      db.prepare(
        `DELETE FROM patient WHERE id IN (${placeholders(patients.length)})
           AND NOT EXISTS (SELECT 1 FROM study WHERE study.patient_ref = patient.id)`,
      ).run(...patients);
    }
  })();
  // Deleted terms leave the trigram index only when its segments are merged.
  db.exec("INSERT INTO study_search(study_search) VALUES ('optimize')");
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * Deletes the studies `studyUids` (module comment). `db` is a connection to the catalog; `store`
 * the data folder's file store; `linkage` the re-identification table when this folder has one.
 */
export async function deleteStudies(options: {
  db: Database.Database;
  store: FileStore;
  studyUids: readonly string[];
  /** Patient IDs whose linkage entry goes too (delete patient). */
  patientIds?: readonly string[];
  linkage?: () => LinkageForget | null;
  logger?: Logger;
}): Promise<DeleteOutcome> {
  const { db, store } = options;
  const rows = rowsOf(db, options.studyUids);
  db.pragma('secure_delete = ON');
  const isReferenced = db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM instance WHERE file_path = ? LIMIT 1',
  );
  const files = await store.removeFiles(
    rows.filePaths,
    () => deleteRows(db, rows),
    (relativePath) => isReferenced.get(relativePath) !== undefined,
  );
  let linkageEntries = 0;
  const linkage = options.linkage?.() ?? null;
  if (linkage) {
    const uids = new Set([...rows.studyUids, ...rows.seriesUids, ...rows.sopUids]);
    const patientIds = new Set(options.patientIds ?? []);
    linkageEntries = linkage.forget((entry) => {
      if (entry.kind === 'uid') return uids.has(entry.original);
      const separator = entry.original.lastIndexOf('\\');
      return separator >= 0 && patientIds.has(entry.original.slice(separator + 1));
    });
  }
  options.logger?.info(
    { studies: rows.studyIds.length, instances: rows.sopUids.length, files, linkageEntries },
    'studies deleted from the workstation',
  );
  return { studies: rows.studyIds.length, instances: rows.sopUids.length, files, linkageEntries };
}

/** The studies of a patient, by Patient ID (exact). */
export function studiesOfPatient(db: Database.Database, patientId: string): string[] {
  return db
    .prepare<[string], { study_uid: string }>('SELECT study_uid FROM study WHERE patient_id = ?')
    .all(patientId)
    .map((row) => row.study_uid);
}
