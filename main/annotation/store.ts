/**
 * The annotation store: immutable versions in SQLite (migration 0005, docs/annotation.md).
 *
 * - `save` inserts versions in one IMMEDIATE transaction and moves the heads in the same
 *   transaction; it returns only after the commit. The connection runs WAL with
 *   `synchronous = NORMAL`: a committed transaction is in the WAL file (the OS has it) before
 *   `save` returns, so an acknowledged version survives a crash or SIGKILL of the process; the
 *   WAL is then fsynced in the background (libuv's thread pool, off the event loop) right after
 *   each commit, so a crash of the machine or a power cut loses at most the saves of the last
 *   moments before it (docs/annotation.md "Speed"). A commit no longer waits for the disk: under
 *   load that fsync was most of a save's time and all of its spikes.
 * - Saving a version that is already stored with the same content is a no-op (a retry of a save
 *   whose answer was lost); the same id with other content is refused.
 * - A version whose parent is no longer a head is stored and becomes a second head (a conflict);
 *   a version naming both heads resolves it.
 *
 * - The commit never checkpoints the WAL when the app runs the catalog's checkpointer (its worker
 *   copies the WAL into the database file when the catalog is idle or the WAL reaches its cap:
 *   main/catalog/wal-checkpointer.ts): SQLite's automatic checkpoint ran inside the commit that
 *   brought the WAL to 1000 pages, a save in ~40, and waited there for two fsyncs.
 *
 * The store has its own connection to the catalog database (the catalog has migrated it first).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import {
  type AnnotationVersion,
  AnnotationVersionInput,
  type AnnotationListResponse,
  type StudyAnnotationStatus,
  type StudyAnnotationSummary,
} from '../../shared/annotation.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { keyConnection, sqliteBinding } from '../core/sqlite.js';
import { disableAutoCheckpoint } from '../catalog/wal-checkpointer.js';

interface VersionRow {
  seq: number;
  version_id: string;
  annotation_uid: string;
  parent_ids: string;
  study_uid: string;
  series_uid: string | null;
  sop_uid: string | null;
  frame_number: number | null;
  kind: string;
  tool: string;
  label_id: string | null;
  attributes: string;
  data: string;
  source: string;
  author: string;
  status: string;
  deleted: number;
  created_at: number;
}

const VERSION_COLUMNS = `v.seq, v.version_id, v.annotation_uid, v.parent_ids, v.study_uid, v.series_uid, v.sop_uid,
  v.frame_number, v.kind, v.tool, v.label_id, v.attributes, v.data, v.source, v.author, v.status, v.deleted,
  v.created_at`;

export interface AnnotationStoreOptions {
  /** The reader id stamped on versions that carry none. */
  reader: () => string;
  now?: () => number;
  nativeBinding?: string;
}

export interface SaveResult {
  versionIds: string[];
  /** Versions newly stored (not already there), grouped by study. */
  stored: AnnotationVersion[];
  /** Epoch ms right after the commit. */
  committedAt: number;
}

export class AnnotationStore {
  readonly #db: Database.Database;
  readonly #reader: () => string;
  readonly #now: () => number;
  readonly #s;
  readonly #walFile: string;
  /** The background fsync of the WAL: running, and whether commits came after it started. */
  #syncing: Promise<void> | null = null;
  #syncAgain = false;

  constructor(file: string, options: AnnotationStoreOptions) {
    this.#walFile = `${file}-wal`;
    try {
      this.#db = new Database(file, { fileMustExist: true, ...sqliteBinding(options.nativeBinding) });
      keyConnection(this.#db, file);
      this.#db.pragma('journal_mode = WAL');
      // Per connection: a commit is written to the WAL (survives the process) without waiting
      // for the disk; #syncWal makes it durable on the disk right after, off the event loop.
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('foreign_keys = ON');
      this.#db.pragma('busy_timeout = 5000');
      disableAutoCheckpoint(this.#db, file);
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'The annotation store in the data folder could not be opened.', {
        cause: error,
      });
    }
    this.#reader = options.reader;
    this.#now = options.now ?? (() => Date.now());
    const db = this.#db;
    this.#s = {
      byId: db.prepare<[string], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM annotation_version v WHERE v.version_id = ?`,
      ),
      insert: db.prepare(
        `INSERT INTO annotation_version (version_id, annotation_uid, parent_ids, study_uid, series_uid, sop_uid,
           frame_number, kind, tool, label_id, attributes, data, source, author, status, deleted, created_at)
         VALUES (@versionId, @annotationUid, @parentIds, @studyUid, @seriesUid, @sopUid, @frameNumber, @kind, @tool,
           @labelId, @attributes, @data, @source, @author, @status, @deleted, @createdAt)`,
      ),
      dropHead: db.prepare<[number]>('DELETE FROM annotation_head WHERE version_seq = ?'),
      addHead: db.prepare<[number, string, string, number]>(
        'INSERT INTO annotation_head (version_seq, annotation_uid, study_uid, deleted) VALUES (?, ?, ?, ?)',
      ),
      headsOfStudy: db.prepare<[string], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM annotation_head h JOIN annotation_version v ON v.seq = h.version_seq
          WHERE h.study_uid = ? ORDER BY h.version_seq`,
      ),
      history: db.prepare<[string], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM annotation_version v WHERE v.annotation_uid = ? ORDER BY v.seq`,
      ),
      aiHistories: db.prepare<[string, string], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM annotation_version v
          WHERE v.study_uid = ? AND v.annotation_uid IN
            (SELECT annotation_uid FROM annotation_version WHERE study_uid = ? AND source LIKE 'ai:%')
          ORDER BY v.seq`,
      ),
      liveCount: db.prepare<[string], { n: number }>(
        `SELECT count(DISTINCT annotation_uid) AS n FROM annotation_head WHERE study_uid = ? AND deleted = 0`,
      ),
      latestStatus: db.prepare<[string], { reader: string; status: string; changed_at: number }>(
        `SELECT reader, status, changed_at FROM study_annotation_status WHERE study_uid = ? ORDER BY seq DESC LIMIT 1`,
      ),
      addStatus: db.prepare<[string, string, string, number]>(
        'INSERT INTO study_annotation_status (study_uid, reader, status, changed_at) VALUES (?, ?, ?, ?)',
      ),
    };
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Stores `inputs` in order in one transaction; returns once it is committed. */
  save(inputs: readonly AnnotationVersionInput[]): SaveResult {
    const parsed = inputs.map((input) => AnnotationVersionInput.parse(input));
    const run = this.#db.transaction(() => {
      const stored: AnnotationVersion[] = [];
      for (const input of parsed) {
        const version: AnnotationVersion = {
          ...input,
          author: input.author ?? this.#reader(),
          createdAt: input.createdAt ?? this.#now(),
        };
        const existing = this.#s.byId.get(version.versionId);
        if (existing) {
          if (!sameColumns(existing, version) && !sameVersion(toVersion(existing), version)) {
            throw new AppError(
              ErrorCode.Conflict,
              'This annotation version was already saved with other content; nothing was overwritten.',
            );
          }
          continue;
        }
        const parents = version.parentIds.map((id) => {
          const parent = this.#s.byId.get(id);
          if (!parent || parent.annotation_uid !== version.annotationUid) {
            throw new AppError(
              ErrorCode.InvalidRequest,
              'An annotation version names a parent that is not an earlier version of the same annotation.',
            );
          }
          return parent;
        });
        const info = this.#s.insert.run({
          versionId: version.versionId,
          annotationUid: version.annotationUid,
          parentIds: JSON.stringify(version.parentIds),
          studyUid: version.studyInstanceUID,
          seriesUid: version.seriesInstanceUID ?? null,
          sopUid: version.sopInstanceUID ?? null,
          frameNumber: version.frameNumber ?? null,
          kind: version.kind,
          tool: version.tool,
          labelId: version.labelId ?? null,
          attributes: JSON.stringify(version.attributes),
          data: JSON.stringify(version.data),
          source: version.source,
          author: version.author,
          status: version.status,
          deleted: version.deleted ? 1 : 0,
          createdAt: version.createdAt,
        });
        for (const parent of parents) this.#s.dropHead.run(parent.seq);
        this.#s.addHead.run(
          Number(info.lastInsertRowid),
          version.annotationUid,
          version.studyInstanceUID,
          version.deleted ? 1 : 0,
        );
        stored.push(version);
      }
      return stored;
    });
    try {
      const stored = run.immediate();
      const committedAt = Date.now();
      if (stored.length > 0) this.#syncWal();
      return { versionIds: parsed.map((input) => input.versionId), stored, committedAt };
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError(ErrorCode.Io, 'The annotations could not be saved to the data folder.', {
        cause: error,
      });
    }
  }

  /**
   * fsyncs the WAL file in libuv's thread pool after a commit; commits made while one runs get
   * one more. A checkpoint syncs the WAL itself before copying it (synchronous = NORMAL).
   */
  #syncWal(): void {
    if (this.#syncing) {
      this.#syncAgain = true;
      return;
    }
    const walFile = this.#walFile;
    this.#syncing = (async () => {
      do {
        this.#syncAgain = false;
        try {
          const handle = await fs.promises.open(walFile, 'r');
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
        } catch {
          // No WAL file (checkpointed and removed at close): its content is in the database file.
        }
      } while (this.#syncAgain);
    })().finally(() => {
      this.#syncing = null;
    });
  }

  /** Resolves once every commit so far is fsynced (tests; a clean shutdown closes the database). */
  async durable(): Promise<void> {
    while (this.#syncing) await this.#syncing;
  }

  /** The current view of a study: heads that are not deletions, and annotations with several heads. */
  list(studyInstanceUID: string): AnnotationListResponse {
    const rows = this.#s.headsOfStudy.all(studyInstanceUID);
    const byUid = new Map<string, string[]>();
    for (const row of rows) {
      const ids = byUid.get(row.annotation_uid) ?? [];
      ids.push(row.version_id);
      byUid.set(row.annotation_uid, ids);
    }
    return {
      heads: rows.filter((row) => row.deleted === 0).map(toVersion),
      conflicts: [...byUid]
        .filter(([, ids]) => ids.length > 1)
        .map(([annotationUid, versionIds]) => ({ annotationUid, versionIds })),
    };
  }

  history(annotationUid: string): AnnotationVersion[] {
    return this.#s.history.all(annotationUid).map(toVersion);
  }

  /**
   * Every version of each of the study's chains that holds an AI version, by chain, each oldest
   * first: one query for what `history` would answer per chain (the AI list, main/ai/findings.ts).
   */
  aiHistories(studyInstanceUID: string): Map<string, AnnotationVersion[]> {
    const byUid = new Map<string, AnnotationVersion[]>();
    for (const row of this.#s.aiHistories.all(studyInstanceUID, studyInstanceUID)) {
      const list = byUid.get(row.annotation_uid);
      if (list) list.push(toVersion(row));
      else byUid.set(row.annotation_uid, [toVersion(row)]);
    }
    return byUid;
  }

  version(versionId: string): AnnotationVersion | null {
    const row = this.#s.byId.get(versionId);
    return row ? toVersion(row) : null;
  }

  studyStatus(studyInstanceUID: string): StudyAnnotationStatus {
    const annotations = this.#s.liveCount.get(studyInstanceUID)?.n ?? 0;
    const latest = this.#s.latestStatus.get(studyInstanceUID);
    if (!latest) {
      return {
        studyInstanceUID,
        status: annotations > 0 ? 'draft' : 'none',
        annotations,
        reader: null,
        changedAt: null,
      };
    }
    return {
      studyInstanceUID,
      status: latest.status as StudyAnnotationStatus['status'],
      annotations,
      reader: latest.reader,
      changedAt: latest.changed_at,
    };
  }

  /** Appends a status row for the current reader (reopening is a new `draft` row). */
  setStudyStatus(studyInstanceUID: string, status: 'draft' | 'complete' | 'verified'): StudyAnnotationStatus {
    try {
      this.#s.addStatus.run(studyInstanceUID, this.#reader(), status, this.#now());
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'The study status could not be saved to the data folder.', {
        cause: error,
      });
    }
    return this.studyStatus(studyInstanceUID);
  }

  /** Worklist summaries for many studies at once. */
  summaries(studyInstanceUIDs: readonly string[]): Map<string, StudyAnnotationSummary> {
    const result = new Map<string, StudyAnnotationSummary>();
    for (const uid of studyInstanceUIDs) {
      const { status, annotations } = this.studyStatus(uid);
      result.set(uid, { status, annotations });
    }
    return result;
  }

  /** `PRAGMA integrity_check` (the crash test and diagnostics). */
  integrityCheck(): string {
    return this.#db.pragma('integrity_check', { simple: true }) as string;
  }
}

/**
 * A row as a version. Rows were validated (AnnotationVersionInput) when they were saved and main
 * wrote them itself, so they are not parsed with zod again: listing a study of 500 annotations
 * spent most of its time re-validating its own rows (docs/annotation.md "Speed").
 */
function toVersion(row: VersionRow): AnnotationVersion {
  return {
    versionId: row.version_id,
    annotationUid: row.annotation_uid,
    parentIds: JSON.parse(row.parent_ids) as string[],
    studyInstanceUID: row.study_uid,
    ...(row.series_uid !== null ? { seriesInstanceUID: row.series_uid } : {}),
    ...(row.sop_uid !== null ? { sopInstanceUID: row.sop_uid } : {}),
    ...(row.frame_number !== null ? { frameNumber: row.frame_number } : {}),
    kind: row.kind as AnnotationVersion['kind'],
    tool: row.tool,
    ...(row.label_id !== null ? { labelId: row.label_id } : {}),
    attributes: JSON.parse(row.attributes) as AnnotationVersion['attributes'],
    data: JSON.parse(row.data) as AnnotationVersion['data'],
    source: row.source,
    author: row.author,
    status: row.status as AnnotationVersion['status'],
    deleted: row.deleted === 1,
    createdAt: row.created_at,
  };
}

/**
 * The row holds exactly what `version` would be stored as (author and time aside): the usual case
 * of a version sent again, which the saving queue does for every child of an unacknowledged
 * parent. Comparing the stored JSON text avoids parsing the row and canonicalising both sides
 * (`sameVersion`, ~3 ms per resent measurement on the loaded machine); when the text differs the
 * canonical comparison still decides (key order may differ).
 */
function sameColumns(row: VersionRow, version: AnnotationVersion): boolean {
  return (
    row.data === JSON.stringify(version.data) &&
    row.attributes === JSON.stringify(version.attributes) &&
    row.parent_ids === JSON.stringify(version.parentIds) &&
    row.annotation_uid === version.annotationUid &&
    row.study_uid === version.studyInstanceUID &&
    row.series_uid === (version.seriesInstanceUID ?? null) &&
    row.sop_uid === (version.sopInstanceUID ?? null) &&
    row.frame_number === (version.frameNumber ?? null) &&
    row.kind === version.kind &&
    row.tool === version.tool &&
    row.label_id === (version.labelId ?? null) &&
    row.source === version.source &&
    row.status === version.status &&
    row.deleted === (version.deleted ? 1 : 0)
  );
}

/** Same content, ignoring what main fills in (author, time) when a retry leaves them out. */
function sameVersion(stored: AnnotationVersion, incoming: AnnotationVersion): boolean {
  const strip = (v: AnnotationVersion): string =>
    canonical({ ...v, author: undefined, createdAt: undefined });
  return strip(stored) === strip(incoming);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
