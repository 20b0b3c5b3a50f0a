/**
 * The sync state in the catalog database (migration 0011): studies and instances, up and down,
 * with their attempts and backoff. Every change is one transaction, so a crash at any instant leaves
 * the state before or after it (the engine cleans the files the state no longer names at start).
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { SyncStudyStatus } from '../../shared/sync.js';

export type Direction = 'up' | 'down';

export interface ItemRow {
  project_id: string;
  direction: Direction;
  sop_uid: string;
  study_uid: string;
  remote_study_uid: string;
  series_uid: string;
  kind: 'image' | 'annotation';
  file: string | null;
  size: number;
  sha256: string | null;
  state: 'pending' | 'sent' | 'imported' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  error: string | null;
}

export interface StudyRow {
  project_id: string;
  direction: Direction;
  study_uid: string;
  remote_study_uid: string | null;
  state: string;
  error: string | null;
  held: number;
  annotations_key: string | null;
  updated_at: string;
}

export interface NewItem {
  sopUid: string;
  studyUid: string;
  remoteStudyUid: string;
  seriesUid: string;
  kind: 'image' | 'annotation';
  file: string | null;
  size: number;
  sha256: string | null;
}

export class SyncStateStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get connection(): Database.Database {
    return this.db;
  }

  #time(): string {
    return this.now().toISOString();
  }

  transaction<T>(run: () => T): T {
    return this.db.transaction(run)();
  }

  /** Chooses a study (again): queued unless it is being uploaded; a failed or synced one is queued again. */
  queueStudy(projectId: string, direction: Direction, studyUid: string, state: string): boolean {
    const existing = this.study(projectId, direction, studyUid);
    if (
      existing &&
      (existing.state === 'uploading' || existing.state === 'downloading' || existing.state === state)
    )
      return false;
    this.db
      .prepare(
        `INSERT INTO sync_study (project_id, direction, study_uid, state, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (project_id, direction, study_uid) DO UPDATE SET state = excluded.state, error = NULL,
           updated_at = excluded.updated_at`,
      )
      .run(projectId, direction, studyUid, state, this.#time());
    return true;
  }

  study(projectId: string, direction: Direction, studyUid: string): StudyRow | undefined {
    return this.db
      .prepare<[string, string, string], StudyRow>(
        'SELECT * FROM sync_study WHERE project_id = ? AND direction = ? AND study_uid = ?',
      )
      .get(projectId, direction, studyUid);
  }

  studiesIn(projectId: string, direction: Direction, states: readonly string[]): StudyRow[] {
    return this.db
      .prepare<[string, string], StudyRow>(
        `SELECT * FROM sync_study WHERE project_id = ? AND direction = ?
           AND state IN (${states.map((s) => `'${s.replace(/'/g, '')}'`).join(',')}) ORDER BY updated_at, study_uid`,
      )
      .all(projectId, direction);
  }

  setStudy(
    projectId: string,
    direction: Direction,
    studyUid: string,
    fields: {
      state: string;
      error?: string | null;
      remoteStudyUid?: string;
      held?: number;
      annotationsKey?: string;
    },
  ): void {
    this.db
      .prepare(
        `UPDATE sync_study SET state = @state, error = @error,
           remote_study_uid = COALESCE(@remote, remote_study_uid), held = COALESCE(@held, held),
           annotations_key = COALESCE(@annotationsKey, annotations_key), updated_at = @now
         WHERE project_id = @project AND direction = @direction AND study_uid = @study`,
      )
      .run({
        project: projectId,
        direction,
        study: studyUid,
        state: fields.state,
        error: fields.error ?? null,
        remote: fields.remoteStudyUid ?? null,
        held: fields.held ?? null,
        annotationsKey: fields.annotationsKey ?? null,
        now: this.#time(),
      });
  }

  /** Adds instances; one already known (same key) is left as it is: a repeat changes nothing. */
  addItems(projectId: string, direction: Direction, items: readonly NewItem[]): number {
    const insert = this.db.prepare(
      `INSERT INTO sync_item (project_id, direction, sop_uid, study_uid, remote_study_uid, series_uid, kind, file,
         size, sha256, state, updated_at)
       VALUES (@project, @direction, @sop, @study, @remoteStudy, @series, @kind, @file, @size, @sha256, 'pending', @now)
       ON CONFLICT (project_id, direction, sop_uid) DO UPDATE SET
         file = CASE WHEN sync_item.state = 'pending' OR sync_item.state = 'failed' THEN excluded.file ELSE sync_item.file END,
         size = excluded.size, sha256 = excluded.sha256,
         state = CASE WHEN sync_item.state = 'failed' THEN 'pending' ELSE sync_item.state END,
         attempts = CASE WHEN sync_item.state = 'failed' THEN 0 ELSE sync_item.attempts END,
         updated_at = excluded.updated_at`,
    );
    let added = 0;
    const now = this.#time();
    for (const item of items) {
      const result = insert.run({
        project: projectId,
        direction,
        sop: item.sopUid,
        study: item.studyUid,
        remoteStudy: item.remoteStudyUid,
        series: item.seriesUid,
        kind: item.kind,
        file: item.file,
        size: item.size,
        sha256: item.sha256,
        now,
      });
      added += result.changes;
    }
    return added;
  }

  item(projectId: string, direction: Direction, sopUid: string): ItemRow | undefined {
    return this.db
      .prepare<[string, string, string], ItemRow>(
        'SELECT * FROM sync_item WHERE project_id = ? AND direction = ? AND sop_uid = ?',
      )
      .get(projectId, direction, sopUid);
  }

  /** Pending instances whose backoff has passed, oldest study first. */
  due(projectId: string, direction: Direction, limit: number): ItemRow[] {
    return this.db
      .prepare<[string, string, string, number], ItemRow>(
        `SELECT * FROM sync_item WHERE project_id = ? AND direction = ? AND state = 'pending'
           AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
         ORDER BY study_uid, series_uid, sop_uid LIMIT ?`,
      )
      .all(projectId, direction, this.#time(), limit);
  }

  /** The earliest time a pending instance may be tried again, or null when none waits. */
  nextAttemptAt(projectId: string, direction: Direction): string | null {
    const row = this.db
      .prepare<[string, string], { at: string | null; n: number }>(
        `SELECT MIN(COALESCE(next_attempt_at, '')) AS at, COUNT(*) AS n FROM sync_item
         WHERE project_id = ? AND direction = ? AND state = 'pending'`,
      )
      .get(projectId, direction);
    if (!row || row.n === 0) return null;
    return row.at ?? '';
  }

  itemsOfStudy(projectId: string, direction: Direction, studyUid: string): ItemRow[] {
    return this.db
      .prepare<[string, string, string], ItemRow>(
        'SELECT * FROM sync_item WHERE project_id = ? AND direction = ? AND study_uid = ? ORDER BY sop_uid',
      )
      .all(projectId, direction, studyUid);
  }

  pendingWithFiles(projectId: string, direction: Direction): ItemRow[] {
    return this.db
      .prepare<[string, string], ItemRow>(
        `SELECT * FROM sync_item WHERE project_id = ? AND direction = ? AND file IS NOT NULL`,
      )
      .all(projectId, direction);
  }

  markDone(projectId: string, direction: Direction, sopUid: string): void {
    this.db
      .prepare(
        `UPDATE sync_item SET state = ?, error = NULL, next_attempt_at = NULL, file = NULL, updated_at = ?
         WHERE project_id = ? AND direction = ? AND sop_uid = ?`,
      )
      .run(direction === 'up' ? 'sent' : 'imported', this.#time(), projectId, direction, sopUid);
  }

  markFailed(projectId: string, direction: Direction, sopUid: string, reason: string): void {
    this.db
      .prepare(
        `UPDATE sync_item SET state = 'failed', error = ?, next_attempt_at = NULL, updated_at = ?
         WHERE project_id = ? AND direction = ? AND sop_uid = ?`,
      )
      .run(reason.slice(0, 1000), this.#time(), projectId, direction, sopUid);
  }

  /** A transient failure: tried again at `nextAttemptAt`. */
  markRetry(
    projectId: string,
    direction: Direction,
    sopUid: string,
    reason: string,
    nextAttemptAt: Date,
  ): void {
    this.db
      .prepare(
        `UPDATE sync_item SET attempts = attempts + 1, error = ?, next_attempt_at = ?, updated_at = ?
         WHERE project_id = ? AND direction = ? AND sop_uid = ?`,
      )
      .run(reason.slice(0, 1000), nextAttemptAt.toISOString(), this.#time(), projectId, direction, sopUid);
  }

  /** Makes every waiting instance due now (sync now, network back). */
  retryNow(projectId: string): void {
    this.db
      .prepare(`UPDATE sync_item SET next_attempt_at = NULL WHERE project_id = ? AND state = 'pending'`)
      .run(projectId);
  }

  /** Records the project's UIDs a study uploaded from here took in as they are (migration 0022). */
  keepUids(projectId: string, studyUid: string, uids: Iterable<string>): void {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO sync_kept_uid (project_id, study_uid, uid) VALUES (?, ?, ?)',
    );
    for (const uid of uids) insert.run(projectId, studyUid, uid);
  }

  /** Records what other machines write for versions uploaded from here (alias → version UID, migration 0022). */
  addVersionAliases(projectId: string, studyUid: string, aliases: ReadonlyMap<string, string>): void {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO sync_version_alias (project_id, study_uid, alias, original) VALUES (?, ?, ?, ?)',
    );
    for (const [alias, original] of aliases) insert.run(projectId, studyUid, alias, original);
  }

  /** This machine's version UID behind an alias another machine wrote, or undefined. */
  versionAlias(projectId: string, studyUid: string, alias: string): string | undefined {
    return this.db
      .prepare<[string, string, string], { original: string }>(
        'SELECT original FROM sync_version_alias WHERE project_id = ? AND study_uid = ? AND alias = ?',
      )
      .get(projectId, studyUid, alias)?.original;
  }

  /** The project's UIDs a study uploaded from here took in as they are: its uploads keep them. */
  keptUids(projectId: string, studyUid: string): string[] {
    return this.db
      .prepare<[string, string], { uid: string }>(
        'SELECT uid FROM sync_kept_uid WHERE project_id = ? AND study_uid = ?',
      )
      .all(projectId, studyUid)
      .map((row) => row.uid);
  }

  /** Per-study summaries for the panel and the CLI. */
  statuses(projectId: string): SyncStudyStatus[] {
    const rows = this.db
      .prepare<[string], StudyRow & { done: number; total: number; failed: number }>(
        `SELECT s.*,
           (SELECT COUNT(*) FROM sync_item i WHERE i.project_id = s.project_id AND i.direction = s.direction
              AND i.study_uid = s.study_uid AND i.state IN ('sent', 'imported')) AS done,
           (SELECT COUNT(*) FROM sync_item i WHERE i.project_id = s.project_id AND i.direction = s.direction
              AND i.study_uid = s.study_uid) AS total,
           (SELECT COUNT(*) FROM sync_item i WHERE i.project_id = s.project_id AND i.direction = s.direction
              AND i.study_uid = s.study_uid AND i.state = 'failed') AS failed
         FROM sync_study s WHERE s.project_id = ? ORDER BY s.direction, s.updated_at, s.study_uid`,
      )
      .all(projectId);
    return rows.map((row) => ({
      direction: row.direction,
      studyInstanceUID: row.study_uid,
      remoteStudyInstanceUID: row.remote_study_uid,
      state: row.state as SyncStudyStatus['state'],
      done: row.done,
      total: row.total,
      failed: row.failed,
      held: row.held,
      error: row.error,
      updatedAt: row.updated_at,
    }));
  }

  counts(projectId: string): { done: number; total: number; failed: number; pending: number } {
    const row = this.db
      .prepare<[string], { done: number; total: number; failed: number; pending: number }>(
        `SELECT COUNT(*) AS total,
           COALESCE(SUM(state IN ('sent', 'imported')), 0) AS done,
           COALESCE(SUM(state = 'failed'), 0) AS failed,
           COALESCE(SUM(state = 'pending'), 0) AS pending
         FROM sync_item WHERE project_id = ?`,
      )
      .get(projectId);
    return row ?? { done: 0, total: 0, failed: 0, pending: 0 };
  }
}
