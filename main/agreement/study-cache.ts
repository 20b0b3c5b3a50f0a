/**
 * The project agreement from per-study parts (docs/statistics.md "Speed"). What one study adds to
 * the project figure — each pair's measurement matching, each rater's answers — depends only on
 * that study's versions, so it is computed once per study and kept as rows (migration 0020):
 *
 * - `agreement_study_rater`: each rater of the study (measurements or answers) and its number of
 *   measurements;
 * - `agreement_study_pair`: each pair of those raters (in rater order) with the measurements
 *   matched, unmatched, the number of relative errors and their sum as an integer (each error ×
 *   2^40, rounded: errors lie in [0, 2], so a term is at most 2^41 and SQLite's 64-bit integer sum
 *   is exact for 4 million errors);
 * - `agreement_study_answer`: each rater's (last) answer per question and item;
 * - `agreement_study_kappa`: per pair and question, the cells of the two raters' contingency table.
 *
 * The project figure is then integer sums (`SUM … GROUP BY` over indexed tables), whatever the
 * order of studies; the kappas and the mean relative error are computed from those integers, in
 * the row-by-row computation too (cohenKappaOfCells, fleissKappaOfCounts, meanOfScaledErrors), so
 * both give the same bits. A new version of a study (any seq above the stamp) rewrites that study's
 * rows only, in one transaction.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import { type MeasurementPoint, matchMeasurements } from './metrics.js';

export interface StudyMeasurement extends MeasurementPoint {
  rater: string;
  study: string;
  /** The version's seq (rows are in seq order per rater). */
  seq: number;
}

export interface StudyAnswer {
  rater: string;
  study: string;
  questionId: string;
  item: string;
  answer: string;
  /** Where the row stands in the project's answer order (readers' rows before models'). */
  pos: number;
}

/** Relative errors are summed as integers: error × 2^40, rounded (exact, order-independent). */
export const ERROR_SCALE = 2 ** 40;

export function scaledError(error: number): bigint {
  return BigInt(Math.round(error * ERROR_SCALE));
}

/**
 * The mean relative error of the project figure: the integer-scaled sum over the count. It differs
 * from the exact mean of the float errors by at most 2^-41 (≈ 4.5e-13, each term's rounding) plus
 * the final division's rounding, and does not depend on the order of the terms.
 */
export function meanOfScaledErrors(sum: bigint, count: number): number | null {
  return count > 0 ? Number(sum) / ERROR_SCALE / count : null;
}

/** The same mean from the float errors themselves (the row-by-row computation). */
export function meanRelativeError(errors: readonly number[]): number | null {
  let sum = 0n;
  for (const e of errors) sum += scaledError(e);
  return meanOfScaledErrors(sum, errors.length);
}

/** Readers first (alphabetical), then models. */
export function sortRaters(raters: string[]): string[] {
  return raters.sort(
    (a, b) => Number(a.startsWith('ai:')) - Number(b.startsWith('ai:')) || a.localeCompare(b),
  );
}

/** One study's part of the project agreement (written as rows). */
export interface StudySummary {
  /** [rater, its measurements], every rater with measurements or answers. */
  raters: Array<[string, number]>;
  /** [a, b (after a in rater order), matched, unmatched, relative errors, their scaled sum]. */
  pairs: Array<[string, string, number, number, number, bigint]>;
  /** [questionId, item, rater, answer (the rater's last)]. */
  answers: Array<[string, string, string, string]>;
  /** [a, b, questionId, answer of a, answer of b, items]. */
  cells: Array<[string, string, string, string, string, number]>;
}

/** A pair's matching in one study: matched, unmatched and the relative errors. */
type PairMatch = [number, number, readonly number[]];

/** Builds a summary from its parts (the service and migration 0020's back-fill). */
export function assembleSummary(
  measurementsOf: ReadonlyMap<string, number>,
  raters: readonly string[],
  matchOf: (a: string, b: string) => PairMatch | undefined,
  lastAnswers: Iterable<[string, string, string, string]>,
): StudySummary {
  const ordered = sortRaters([...raters]);
  const answers = [...lastAnswers];
  const pairs: StudySummary['pairs'] = [];
  const cells: StudySummary['cells'] = [];
  const byItem = new Map<string, Map<string, string>>();
  for (const [questionId, item, rater, answer] of answers) {
    const key = `${questionId}\u0000${item}`;
    let m = byItem.get(key);
    if (!m) {
      m = new Map();
      byItem.set(key, m);
    }
    m.set(rater, answer);
  }
  for (let i = 0; i < ordered.length; i++)
    for (let j = i + 1; j < ordered.length; j++) {
      const a = ordered[i]!;
      const b = ordered[j]!;
      const [matched, unmatched, errors] = matchOf(a, b) ?? [0, 0, []];
      let sum = 0n;
      for (const e of errors) sum += scaledError(e);
      pairs.push([a, b, matched, unmatched, errors.length, sum]);
      const table = new Map<string, [string, string, string, string, string, number]>();
      for (const [key, byRater] of byItem) {
        const answerA = byRater.get(a);
        const answerB = byRater.get(b);
        if (answerA === undefined || answerB === undefined) continue;
        const questionId = key.slice(0, key.indexOf('\u0000'));
        const cellKey = `${questionId}\u0000${answerA}\u0000${answerB}`;
        const cell = table.get(cellKey);
        if (cell) cell[5]++;
        else table.set(cellKey, [a, b, questionId, answerA, answerB, 1]);
      }
      cells.push(...table.values());
    }
  return {
    raters: ordered.map((r) => [r, measurementsOf.get(r) ?? 0]),
    pairs,
    answers,
    cells,
  };
}

export function summarizeStudy(
  measurements: readonly StudyMeasurement[],
  answers: readonly StudyAnswer[],
  toleranceMm: number,
): StudySummary {
  const counts = new Map<string, number>();
  const raters = new Set<string>();
  for (const m of measurements) {
    counts.set(m.rater, (counts.get(m.rater) ?? 0) + 1);
    raters.add(m.rater);
  }
  for (const a of answers) raters.add(a.rater);
  const last = new Map<string, [string, string, string, string]>();
  for (const a of answers) {
    const key = `${a.questionId}\u0000${a.item}\u0000${a.rater}`;
    const existing = last.get(key);
    if (existing) existing[3] = a.answer;
    else last.set(key, [a.questionId, a.item, a.rater, a.answer]);
  }
  return assembleSummary(
    counts,
    [...raters],
    (a, b) => {
      const ma = measurements.filter((m) => m.rater === a);
      const mb = measurements.filter((m) => m.rater === b);
      if (ma.length === 0 && mb.length === 0) return undefined;
      const result = matchMeasurements(ma, mb, toleranceMm);
      const errors: number[] = [];
      for (const pair of result.pairs) if (pair.relativeError !== null) errors.push(pair.relativeError);
      return [result.pairs.length, result.unmatchedA.length + result.unmatchedB.length, errors];
    },
    last.values(),
  );
}

const STUDY_TABLES = [
  'agreement_study_rater',
  'agreement_study_pair',
  'agreement_study_answer',
  'agreement_study_kappa',
] as const;

/** Writes studies' summaries as rows (inside the caller's transaction). */
export class StudySummaryWriter {
  readonly #drop: Database.Statement[];
  readonly #rater: Database.Statement;
  readonly #pair: Database.Statement;
  readonly #answer: Database.Statement;
  readonly #cell: Database.Statement;
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#drop = STUDY_TABLES.map((t) => db.prepare(`DELETE FROM ${t} WHERE study_uid = ?`));
    this.#rater = db.prepare(
      'INSERT INTO agreement_study_rater (study_uid, rater, measurements) VALUES (?, ?, ?)',
    );
    this.#pair = db.prepare(
      `INSERT INTO agreement_study_pair (study_uid, rater_a, rater_b, matched, unmatched, errors, error_sum)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#answer = db.prepare(
      'INSERT INTO agreement_study_answer (study_uid, question_id, item, rater, answer) VALUES (?, ?, ?, ?, ?)',
    );
    this.#cell = db.prepare(
      `INSERT INTO agreement_study_kappa (study_uid, rater_a, rater_b, question_id, answer_a, answer_b, items)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Forgets every study (before a full rebuild). */
  clear(): void {
    for (const t of STUDY_TABLES) this.#db.prepare(`DELETE FROM ${t}`).run();
  }

  /** Replaces one study's rows (none when it has no measurement or answer). */
  write(study: string, summary: StudySummary | null, replace = true): void {
    if (replace) for (const drop of this.#drop) drop.run(study);
    if (!summary) return;
    for (const [rater, measurements] of summary.raters) this.#rater.run(study, rater, measurements);
    for (const [a, b, matched, unmatched, errors, sum] of summary.pairs)
      this.#pair.run(study, a, b, matched, unmatched, errors, sum);
    for (const [questionId, item, rater, answer] of summary.answers)
      this.#answer.run(study, questionId, item, rater, answer);
    for (const cell of summary.cells) this.#cell.run(study, ...cell);
  }
}
