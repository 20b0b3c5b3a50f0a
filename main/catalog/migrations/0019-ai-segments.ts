/**
 * AI segmentations as findings (issue #11 item 1, main/ai/segments.ts, docs/ai-review.md):
 *
 * - `ai_segmentation`: what a device SEG said about itself when it was imported (model,
 *   manufacturer, model name, version, the SEG's own UIDs) and each segment's confidence where the
 *   SEG carries one, keyed by the labelmap version the import wrote;
 * - `ai_segment_decision`: each reader's decision on one segment of such a version (accepted,
 *   edited, rejected with its reason, or undone), append-only: the newest row of a reader wins. An
 *   accept or edit also writes a labelmap version of the reader's own segmentation made from that
 *   SEG (`reader_annotation_uid` / `reader_version_id`), so the decision and the voxels it made
 *   are both kept.
 *
 * `study_uid` is there so deleting a study can forget these rows too.
 */
import type { Migration } from './migration.js';

export const aiSegments: Migration = {
  version: 19,
  name: 'ai-segments',
  up(db) {
    db.exec(`
      CREATE TABLE ai_segmentation (
        version_id      TEXT PRIMARY KEY,
        annotation_uid  TEXT NOT NULL,
        study_uid       TEXT NOT NULL,
        provenance      TEXT NOT NULL,
        confidences     TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX ai_segmentation_by_study ON ai_segmentation(study_uid);
      CREATE TABLE ai_segment_decision (
        seq                    INTEGER PRIMARY KEY AUTOINCREMENT,
        study_uid              TEXT NOT NULL,
        ai_annotation_uid      TEXT NOT NULL,
        ai_version_id          TEXT NOT NULL,
        segment_index          INTEGER NOT NULL,
        reader                 TEXT NOT NULL,
        decision               TEXT NOT NULL CHECK (decision IN ('accepted', 'edited', 'rejected', 'undone')),
        reason_id              TEXT,
        batch_id               TEXT,
        reader_annotation_uid  TEXT,
        reader_version_id      TEXT,
        at                     INTEGER NOT NULL
      );
      CREATE INDEX ai_segment_decision_by_study ON ai_segment_decision(study_uid, seq);
      CREATE INDEX ai_segment_decision_by_reader_uid ON ai_segment_decision(reader_annotation_uid);
    `);
  },
};
