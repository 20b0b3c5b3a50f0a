/**
 * Sync with the cloud project (issue #10, main/sync/): per study and per instance state of what
 * goes up (the outbox: de-identified copies only) and what comes down (the reader's tasks).
 *
 * - `sync_study`: one row per project, study and direction. `study_uid` is the local study (the
 *   original for uploads, the project's de-identified one for downloads); `remote_study_uid` the
 *   study on the server. State: up `queued → uploading → synced | failed`, down
 *   `pending → downloading → synced | failed`.
 * - `sync_item`: one row per instance. Its key is the SOP Instance UID on the server (the
 *   de-identified one going up): the idempotency key, so a repeat changes nothing on the server.
 *   Up: `pending → sent | failed`; down: `pending → imported | failed`. `attempts` and
 *   `next_attempt_at` carry the backoff across restarts.
 *
 * Both tables have a `study_uid` column, so deleting a study (main/cache/delete.ts) forgets its
 * sync state too. Nothing here names a patient; files live under `<data>/sync/`.
 */
import type { Migration } from './migration.js';

export const syncOutbox: Migration = {
  version: 11,
  name: 'sync-outbox',
  up(db) {
    db.exec(`
      CREATE TABLE sync_study (
        project_id        TEXT NOT NULL,
        direction         TEXT NOT NULL CHECK (direction IN ('up', 'down')),
        study_uid         TEXT NOT NULL,
        remote_study_uid  TEXT,
        state             TEXT NOT NULL,
        error             TEXT,
        held              INTEGER NOT NULL DEFAULT 0,
        annotations_key   TEXT,
        updated_at        TEXT NOT NULL,
        PRIMARY KEY (project_id, direction, study_uid)
      );
      CREATE TABLE sync_item (
        project_id       TEXT NOT NULL,
        direction        TEXT NOT NULL CHECK (direction IN ('up', 'down')),
        sop_uid          TEXT NOT NULL,
        study_uid        TEXT NOT NULL,
        remote_study_uid TEXT NOT NULL,
        series_uid       TEXT NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('image', 'annotation')),
        file             TEXT,
        size             INTEGER NOT NULL DEFAULT 0,
        sha256           TEXT,
        state            TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  TEXT,
        error            TEXT,
        updated_at       TEXT NOT NULL,
        PRIMARY KEY (project_id, direction, sop_uid)
      );
      CREATE INDEX sync_item_by_study ON sync_item(project_id, direction, study_uid, state);
      CREATE INDEX sync_item_by_state ON sync_item(project_id, direction, state, next_attempt_at);
    `);
  },
};
