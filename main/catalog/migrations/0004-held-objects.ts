/**
 * The review of held images survives a restart (main/deid-app/held-store.ts): per study, the
 * latest export that held something (its output folder), and per held object the original
 * instance, its UID in the export, why it was held, the boxes where OCR found text (in image
 * pixels; never the text) and what the reader decided. A new export of the study replaces its
 * rows. Rows are keyed by UIDs rather than catalog ids: the review outlives a study deleted and
 * imported again, and an instance no longer in the catalog is simply not listed.
 */
import type { Migration } from './migration.js';

export const heldObjects: Migration = {
  version: 4,
  name: 'held-objects',
  up(db) {
    db.exec(`
      CREATE TABLE held_export (
        study_uid   TEXT PRIMARY KEY,
        output_dir  TEXT,
        started_at  TEXT NOT NULL
      );
      CREATE TABLE held_object (
        study_uid          TEXT NOT NULL REFERENCES held_export(study_uid) ON DELETE CASCADE,
        sop_uid            TEXT NOT NULL,
        pseudonymous_uid   TEXT NOT NULL,
        position           INTEGER NOT NULL,
        reasons            TEXT NOT NULL,
        reason_codes       TEXT NOT NULL,
        -- JSON array of {x, y, width, height}; NULL until OCR has read the image
        ocr_boxes          TEXT,
        status             TEXT NOT NULL CHECK (status IN ('held', 'released', 'excluded')),
        -- JSON of the release's answer, repeated to a release asked again
        released           TEXT,
        PRIMARY KEY (study_uid, sop_uid)
      );
    `);
  },
};
