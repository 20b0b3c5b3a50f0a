/**
 * Labelmap voxels of segmentation annotations (main/annotation/labelmap-store.ts), kept as
 * immutable versions like every annotation: `labelmap_version` holds one row per saved version
 * (its parent, the segment list and the geometry), `labelmap_slice` the slices that version
 * changed, one deflate-compressed chunk per (layer, image). Reading a version takes, for each
 * slice, the newest chunk along its ancestry; an empty chunk means the slice was cleared.
 */
import type { Migration } from './migration.js';

export const labelmapSlices: Migration = {
  version: 6,
  name: 'labelmap-slices',
  up(db) {
    db.exec(`
      CREATE TABLE labelmap_version (
        version_id TEXT PRIMARY KEY,
        annotation_uid TEXT NOT NULL,
        parent_id TEXT REFERENCES labelmap_version(version_id),
        study_uid TEXT NOT NULL,
        series_uid TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        bits INTEGER NOT NULL CHECK (bits IN (8, 16)),
        layers INTEGER NOT NULL,
        segments TEXT NOT NULL,
        author TEXT NOT NULL DEFAULT '',
        deleted INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX labelmap_version_by_annotation ON labelmap_version(annotation_uid, created_at);
      CREATE INDEX labelmap_version_by_series ON labelmap_version(series_uid);
      CREATE INDEX labelmap_version_by_parent ON labelmap_version(parent_id);
      CREATE TABLE labelmap_slice (
        version_id TEXT NOT NULL REFERENCES labelmap_version(version_id) ON DELETE CASCADE,
        layer INTEGER NOT NULL,
        sop_uid TEXT NOT NULL,
        frame INTEGER NOT NULL DEFAULT 1,
        bytes BLOB NOT NULL,
        PRIMARY KEY (version_id, layer, sop_uid, frame)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
