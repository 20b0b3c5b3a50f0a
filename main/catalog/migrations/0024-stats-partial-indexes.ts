/**
 * What a save pays for the statistics (issue #9 `annotation.save_ms`, docs/statistics.md "Speed",
 * "What a save pays"). Two indexes on `annotation_fact` are read only for a few of its rows, yet
 * every version inserted added an entry to each, on a leaf page chosen by its annotation uid: one
 * more page written to the WAL per index and save, and more saves that have to checkpoint the WAL.
 *
 * - `annotation_fact_decisions` (migration 0018) is read for decisions only (`is_decision = 1`:
 *   the AI findings' kept row, the dashboard's latest decisions);
 * - `stats_fact_by_annotation` (migration 0023) for AI versions only (`source` in `ai:…`: the AI
 *   finding's newest proposal).
 *
 * Both become partial indexes on exactly those rows, with the same columns, so every query that
 * names them (`INDEXED BY`, whose WHERE holds those terms) keeps its plan; a reader's own version
 * (most saves) no longer enters either. On the 10,000-study stats fixture a save writes 28 → 25
 * WAL pages (test/bench/save-triggers.ts).
 */
import type { Migration } from './migration.js';

export const statsPartialIndexes: Migration = {
  version: 24,
  name: 'stats-partial-indexes',
  up(db) {
    db.exec(`
      DROP INDEX annotation_fact_decisions;
      CREATE INDEX annotation_fact_decisions ON annotation_fact(is_decision, annotation_uid, author, seq, decision)
        WHERE is_decision = 1;
      DROP INDEX stats_fact_by_annotation;
      CREATE INDEX stats_fact_by_annotation ON annotation_fact(annotation_uid, is_decision, source, seq)
        WHERE source >= 'ai:' AND source < 'ai;';
    `);
  },
};
