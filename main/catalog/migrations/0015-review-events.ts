/**
 * Review and sign-off (issue #11 item 2, main/review/, docs/ai-review.md): each time a reviewer
 * returns a study to its annotators (with a comment) or verifies it. Append-only like the study
 * status rows (the status itself is still a `study_annotation_status` row: draft on a return,
 * verified on a verification); the comment and who reviewed live here. AI decisions need no table:
 * they are annotation versions (`data.aiDecision`, main/ai/).
 *
 * `study_uid` is there so deleting a study (main/cache/delete.ts) forgets these rows too.
 */
import type { Migration } from './migration.js';

export const reviewEvents: Migration = {
  version: 15,
  name: 'review-events',
  up(db) {
    db.exec(`
      CREATE TABLE review_event (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        study_uid  TEXT NOT NULL,
        action     TEXT NOT NULL CHECK (action IN ('returned', 'verified')),
        reviewer   TEXT NOT NULL,
        comment    TEXT NOT NULL,
        at         INTEGER NOT NULL
      );
      CREATE INDEX review_event_by_study ON review_event(study_uid, seq);
      CREATE TRIGGER review_event_immutable_update BEFORE UPDATE ON review_event BEGIN
        SELECT RAISE(ABORT, 'review events are append-only');
      END;
      CREATE TRIGGER review_event_immutable_delete BEFORE DELETE ON review_event BEGIN
        SELECT RAISE(ABORT, 'review events are append-only');
      END;
    `);
  },
};
