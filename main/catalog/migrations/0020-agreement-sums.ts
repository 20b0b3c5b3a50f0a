/**
 * Agreement totals summed by SQL (issue #11, stats.dashboard_ms; main/agreement/study-cache.ts,
 * docs/statistics.md "Speed"). Each study's part of the project agreement was one JSON document
 * (`agreement_study.payload`, migration 0018) that every dashboard call parsed and added up in
 * JavaScript (10,000 documents, 5.4 MB). Its additive parts become rows:
 *
 * - `agreement_study_rater`: the study's raters (measurements or answers) and their measurements;
 * - `agreement_study_pair`: each pair of them: measurements matched, unmatched, the number of
 *   relative errors and their integer-scaled sum (error × 2^40, rounded);
 * - `agreement_study_answer`: each rater's last answer per question and item (Fleiss' kappa);
 * - `agreement_study_kappa`: per pair and question, the cells of the contingency table (Cohen's).
 *
 * The covering indexes let the project totals be one `SUM … GROUP BY` each. The rows of the
 * studies already summarized are made from their JSON here (same stamp: nothing is summarized
 * again); `agreement_study` is dropped.
 */
import { assembleSummary, StudySummaryWriter } from '../../agreement/study-cache.js';
import type { Migration } from './migration.js';

/** agreement_study.payload as migration 0018's code wrote it. */
interface OldSummary {
  r: Record<string, [number | null, number | null, number]>;
  p: Record<string, [number, number, number[]]>;
  q: Array<[string, string, string, string, number]>;
}

export const agreementSums: Migration = {
  version: 20,
  name: 'agreement-sums',
  up(db) {
    db.exec(`
      CREATE TABLE agreement_study_rater (
        study_uid    TEXT NOT NULL,
        rater        TEXT NOT NULL,
        measurements INTEGER NOT NULL,
        PRIMARY KEY (study_uid, rater)
      ) WITHOUT ROWID;
      CREATE INDEX agreement_study_rater_by_rater ON agreement_study_rater(rater);
      CREATE TABLE agreement_study_pair (
        study_uid TEXT NOT NULL,
        rater_a   TEXT NOT NULL,
        rater_b   TEXT NOT NULL,
        matched   INTEGER NOT NULL,
        unmatched INTEGER NOT NULL,
        errors    INTEGER NOT NULL,
        error_sum INTEGER NOT NULL,
        PRIMARY KEY (study_uid, rater_a, rater_b)
      ) WITHOUT ROWID;
      CREATE INDEX agreement_study_pair_totals
        ON agreement_study_pair(rater_a, rater_b, matched, unmatched, errors, error_sum);
      CREATE TABLE agreement_study_answer (
        study_uid   TEXT NOT NULL,
        question_id TEXT NOT NULL,
        item        TEXT NOT NULL,
        rater       TEXT NOT NULL,
        answer      TEXT NOT NULL,
        PRIMARY KEY (study_uid, question_id, item, rater)
      ) WITHOUT ROWID;
      CREATE INDEX agreement_study_answer_items ON agreement_study_answer(question_id, item, rater, answer);
      CREATE TABLE agreement_study_kappa (
        study_uid   TEXT NOT NULL,
        rater_a     TEXT NOT NULL,
        rater_b     TEXT NOT NULL,
        question_id TEXT NOT NULL,
        answer_a    TEXT NOT NULL,
        answer_b    TEXT NOT NULL,
        items       INTEGER NOT NULL,
        PRIMARY KEY (study_uid, rater_a, rater_b, question_id, answer_a, answer_b)
      ) WITHOUT ROWID;
      CREATE INDEX agreement_study_kappa_totals
        ON agreement_study_kappa(rater_a, rater_b, question_id, answer_a, answer_b, items);
    `);
    const writer = new StudySummaryWriter(db);
    for (const row of db
      .prepare<[], { study_uid: string; payload: string }>('SELECT study_uid, payload FROM agreement_study')
      .all()) {
      const old = JSON.parse(row.payload) as OldSummary;
      const counts = new Map(Object.entries(old.r).map(([rater, [, , n]]) => [rater, n]));
      const summary = assembleSummary(
        counts,
        Object.keys(old.r),
        (a, b) => old.p[`${a}\u0000${b}`],
        old.q.map(([questionId, item, rater, answer]) => [questionId, item, rater, answer]),
      );
      writer.write(row.study_uid, summary, false);
    }
    db.exec('DROP TABLE agreement_study');
  },
};
