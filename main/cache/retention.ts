/**
 * Retention: the originals of a study are removed `retentionDays` after its de-identified copy
 * reached the project. The record is `study_sync.synced_at` (migration 0010), set by the sync
 * outbox (#10) or by `cache.markSynced`; the purge deletes such studies entirely (delete.ts).
 */
import type Database from 'better-sqlite3-multiple-ciphers';

/** Records that a study's de-identified copy was synced at `syncedAt` (the latest record wins). */
export function markSynced(db: Database.Database, studyUid: string, syncedAt: Date): void {
  db.prepare(
    `INSERT INTO study_sync (study_uid, synced_at) VALUES (?, ?)
     ON CONFLICT (study_uid) DO UPDATE SET synced_at = excluded.synced_at`,
  ).run(studyUid, syncedAt.toISOString());
}

/** The studies whose copy was synced at least `days` days before `now`. */
export function studiesDue(db: Database.Database, days: number, now: Date): string[] {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  return db
    .prepare<[string], { study_uid: string }>(
      'SELECT study_uid FROM study_sync WHERE synced_at <= ? ORDER BY synced_at',
    )
    .all(cutoff)
    .map((row) => row.study_uid);
}
