/**
 * Conflicts between annotation versions (issue #10 item 5, main/sync/conflicts.ts). A conflict is
 * an annotation with two or more heads (annotation_head, migration 0005): edits by two readers,
 * or on two machines, of the same parent, met on pull. It needs no table to exist; this one keeps
 * how each was resolved, so nothing is dropped silently: which heads the reader saw, what they
 * chose (keep one, merge, keep both), the version that resolved it and the annotations split off
 * ("keep both" copies each other head into an annotation of its own).
 *
 * `study_uid` is there so deleting a study (main/cache/delete.ts) forgets these rows too.
 */
import type { Migration } from './migration.js';

export const syncConflicts: Migration = {
  version: 12,
  name: 'sync-conflicts',
  up(db) {
    db.exec(`
      CREATE TABLE sync_conflict_resolution (
        seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
        annotation_uid       TEXT NOT NULL,
        study_uid            TEXT NOT NULL,
        action               TEXT NOT NULL CHECK (action IN ('keep', 'merge', 'keepBoth')),
        head_ids             TEXT NOT NULL,
        resolved_version_id  TEXT NOT NULL,
        copies               TEXT NOT NULL,
        reader               TEXT NOT NULL,
        resolved_at          INTEGER NOT NULL
      );
      CREATE INDEX sync_conflict_resolution_by_uid ON sync_conflict_resolution(annotation_uid, seq);
      CREATE INDEX sync_conflict_resolution_by_study ON sync_conflict_resolution(study_uid, seq);
    `);
  },
};
