/**
 * Annotations as immutable versions (issue #9, docs/annotation.md). `annotation_version` rows are
 * never updated or deleted (triggers refuse it); each names its parents. `annotation_head` holds
 * the current view: the versions no other version names as parent, kept in the same transaction
 * as each insert (main/annotation/store.ts). `study_annotation_status` is append-only too: the
 * latest row of a study is its status (draft → complete → verified, and back to draft on reopening).
 */
import type { Migration } from './migration.js';

export const annotations: Migration = {
  version: 5,
  name: 'annotations',
  up(db) {
    db.exec(`
      CREATE TABLE annotation_version (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        version_id TEXT NOT NULL UNIQUE,
        annotation_uid TEXT NOT NULL,
        parent_ids TEXT NOT NULL,
        study_uid TEXT NOT NULL,
        series_uid TEXT,
        sop_uid TEXT,
        frame_number INTEGER,
        kind TEXT NOT NULL CHECK (kind IN ('measurement', 'segmentation', 'classification')),
        tool TEXT NOT NULL,
        label_id TEXT,
        attributes TEXT NOT NULL,
        data TEXT NOT NULL,
        source TEXT NOT NULL,
        author TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'complete', 'verified')),
        deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
        created_at INTEGER NOT NULL
      );
      CREATE INDEX annotation_version_by_study ON annotation_version(study_uid, seq);
      CREATE INDEX annotation_version_by_uid ON annotation_version(annotation_uid, seq);
      CREATE TRIGGER annotation_version_immutable_update BEFORE UPDATE ON annotation_version BEGIN
        SELECT RAISE(ABORT, 'annotation versions are immutable');
      END;
      CREATE TRIGGER annotation_version_immutable_delete BEFORE DELETE ON annotation_version BEGIN
        SELECT RAISE(ABORT, 'annotation versions are immutable');
      END;

      CREATE TABLE annotation_head (
        version_seq INTEGER PRIMARY KEY REFERENCES annotation_version(seq),
        annotation_uid TEXT NOT NULL,
        study_uid TEXT NOT NULL,
        deleted INTEGER NOT NULL
      );
      CREATE INDEX annotation_head_by_study ON annotation_head(study_uid, version_seq);
      CREATE INDEX annotation_head_by_uid ON annotation_head(annotation_uid);

      CREATE TABLE study_annotation_status (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        study_uid TEXT NOT NULL,
        reader TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'complete', 'verified')),
        changed_at INTEGER NOT NULL
      );
      CREATE INDEX study_annotation_status_by_study ON study_annotation_status(study_uid, seq);
      CREATE TRIGGER study_annotation_status_immutable_update BEFORE UPDATE ON study_annotation_status BEGIN
        SELECT RAISE(ABORT, 'status rows are append-only');
      END;
      CREATE TRIGGER study_annotation_status_immutable_delete BEFORE DELETE ON study_annotation_status BEGIN
        SELECT RAISE(ABORT, 'status rows are append-only');
      END;
    `);
  },
};
