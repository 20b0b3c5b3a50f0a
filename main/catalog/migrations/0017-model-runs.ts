/**
 * Local segmentation models (issue #11 item 5, main/model/, docs/ai-models.md).
 *
 * - `labelmap_version.source`: who proposed a labelmap version, as annotations say it: `human`,
 *   or `ai:<model id>` for a model's output (its author is then the model). Every version saved
 *   before is a reader's: `human`.
 * - `model_run`: one row per run of a project's model on a series: which model (id, name,
 *   version, manufacturer, the file's SHA-256), who started it, how it ended and the labelmap
 *   version it wrote. A cancelled or failed run writes no labelmap; its row says why.
 *
 * `study_uid` is there so deleting a study can forget these rows too.
 */
import type { Migration } from './migration.js';

export const modelRuns: Migration = {
  version: 17,
  name: 'model-runs',
  up(db) {
    db.exec(`
      ALTER TABLE labelmap_version ADD COLUMN source TEXT NOT NULL DEFAULT 'human';
      CREATE TABLE model_run (
        run_id          TEXT PRIMARY KEY,
        model_id        TEXT NOT NULL,
        model_name      TEXT NOT NULL,
        model_version   TEXT NOT NULL,
        manufacturer    TEXT NOT NULL,
        sha256          TEXT NOT NULL,
        study_uid       TEXT NOT NULL,
        series_uid      TEXT NOT NULL,
        reader          TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        error_code      TEXT,
        annotation_uid  TEXT,
        version_id      TEXT,
        started_at      INTEGER NOT NULL,
        finished_at     INTEGER
      );
      CREATE INDEX model_run_by_series ON model_run(series_uid, started_at);
      CREATE INDEX model_run_by_study ON model_run(study_uid);
    `);
  },
};
