/**
 * Statistics (issue #11 item 4, main/stats/, docs/statistics.md).
 *
 * - `reading_session`: one row per opening of a study in the viewer by a reader, with its active
 *   reading time so far (idle gaps over two minutes are not counted; the renderer measures,
 *   main keeps the largest value it was sent). Deleting a study removes its rows (it has
 *   `study_uid`, main/cache/delete.ts).
 * - Indexes for the dashboard's aggregates on 10,000 studies: AI findings by source, status rows
 *   by study and reader (each reader's latest status).
 */
import type { Migration } from './migration.js';

export const readingTime: Migration = {
  version: 16,
  name: 'reading-time',
  up(db) {
    db.exec(`
      CREATE TABLE reading_session (
        session_id  TEXT PRIMARY KEY,
        study_uid   TEXT NOT NULL,
        reader      TEXT NOT NULL,
        started_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        active_ms   INTEGER NOT NULL CHECK (active_ms >= 0)
      ) STRICT;
      CREATE INDEX reading_session_by_reader ON reading_session(reader, study_uid);
      CREATE INDEX reading_session_by_study ON reading_session(study_uid);
      CREATE INDEX annotation_version_by_source ON annotation_version(source, annotation_uid);
      CREATE INDEX study_annotation_status_by_reader ON study_annotation_status(study_uid, reader, seq);
    `);
  },
};
