/**
 * Sync (issue #10): the project's own UIDs a study uploaded from here has taken in from other
 * readers (main/sync/outbox.ts `mapBack`). The uploader knows its study by the original UIDs; the
 * annotations other readers add to it on the server come back with every UID this machine
 * de-identified mapped back to its original, and the rest (their versions, annotations, objects)
 * kept as the project has them. Those kept UIDs are listed here so that the next upload of the
 * study's annotations leaves them as they are instead of de-identifying them a second time.
 *
 * `sync_version_alias`: the UID another machine writes for a version this machine uploaded. A
 * version's UID that the de-identification remapped is not a UUID any more, so the machines that
 * pull it know the version by a UUID derived from it (main/annotation/dicom/codes.ts `versionIdOf`)
 * and write that one's UID when their SR carries the version on; the linkage table knows only the
 * pseudonym, so the alias is recorded here (alias → this machine's version UID) at upload.
 *
 * `study_uid` is the local (original) study, so deleting the study forgets these rows too
 * (main/cache/delete.ts). They are the project's UIDs, which name nobody.
 */
import type { Migration } from './migration.js';

export const syncKeptUids: Migration = {
  version: 22,
  name: 'sync-kept-uids',
  up(db) {
    db.exec(`
      CREATE TABLE sync_kept_uid (
        project_id  TEXT NOT NULL,
        study_uid   TEXT NOT NULL,
        uid         TEXT NOT NULL,
        PRIMARY KEY (project_id, study_uid, uid)
      );
      CREATE TABLE sync_version_alias (
        project_id  TEXT NOT NULL,
        study_uid   TEXT NOT NULL,
        alias       TEXT NOT NULL,
        original    TEXT NOT NULL,
        PRIMARY KEY (project_id, study_uid, alias)
      );
    `);
  },
};
