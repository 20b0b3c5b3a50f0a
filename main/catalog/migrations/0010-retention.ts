/**
 * Retention (issue #12 item 2, main/cache/retention.ts): when a study's de-identified copy reached
 * the project. The sync outbox (#10) and the de-identified export set `synced_at`; the purge job
 * removes a study's originals once `synced_at` is older than the configured number of days.
 * Deleting the study removes its row here too (main/cache/delete.ts clears every table that has a
 * `study_uid` column).
 */
import type { Migration } from './migration.js';

export const retention: Migration = {
  version: 10,
  name: 'retention',
  up(db) {
    db.exec(`
      CREATE TABLE study_sync (
        study_uid  TEXT PRIMARY KEY,
        synced_at  TEXT NOT NULL
      );
      CREATE INDEX study_sync_by_time ON study_sync(synced_at);
    `);
  },
};
