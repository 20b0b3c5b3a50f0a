/**
 * The project agreement from per-study summaries (docs/statistics.md "Speed"). What one study adds
 * to the project figure — each pair's measurement matching, each rater's answers — depends only on
 * that study's versions, so it is computed once per study and kept in `agreement_study` (migration
 * 0018); a new version of a study (any seq above the stamp) recomputes that study only. The project
 * figure adds the summaries up in the same order as the straightforward computation over every row
 * (AgreementService, label filter or another tolerance), so its numbers are exactly the same.
 */
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

/** One study's part of the project agreement (stored as JSON). */
export interface StudySummary {
  /** rater → [seq of its first measurement | null, pos of its first answer | null, measurements]. */
  r: Record<string, [number | null, number | null, number]>;
  /** `a\u0000b` (a before b in rater order) → [matched, unmatched, relative errors in order]. */
  p: Record<string, [number, number, number[]]>;
  /** [questionId, item, rater, answer (the rater's last), pos of the rater's first row]. */
  q: Array<[string, string, string, string, number]>;
}

export function summarizeStudy(
  raterOrder: (raters: string[]) => string[],
  measurements: readonly StudyMeasurement[],
  answers: readonly StudyAnswer[],
  toleranceMm: number,
): StudySummary {
  const r: StudySummary['r'] = {};
  for (const m of measurements) {
    const e = (r[m.rater] ??= [null, null, 0]);
    e[0] ??= m.seq;
    e[2]++;
  }
  for (const a of answers) {
    const e = (r[a.rater] ??= [null, null, 0]);
    e[1] ??= a.pos;
  }
  const raters = raterOrder(Object.keys(r));
  const p: StudySummary['p'] = {};
  for (let i = 0; i < raters.length; i++)
    for (let j = i + 1; j < raters.length; j++) {
      const a = raters[i]!;
      const b = raters[j]!;
      const ma = measurements.filter((m) => m.rater === a);
      const mb = measurements.filter((m) => m.rater === b);
      if (ma.length === 0 && mb.length === 0) continue;
      const result = matchMeasurements(ma, mb, toleranceMm);
      const errors: number[] = [];
      for (const pair of result.pairs) if (pair.relativeError !== null) errors.push(pair.relativeError);
      p[`${a}\u0000${b}`] = [
        result.pairs.length,
        result.unmatchedA.length + result.unmatchedB.length,
        errors,
      ];
    }
  const q = new Map<string, [string, string, string, string, number]>();
  for (const a of answers) {
    const key = `${a.questionId}\u0000${a.item}\u0000${a.rater}`;
    const existing = q.get(key);
    if (existing) existing[3] = a.answer;
    else q.set(key, [a.questionId, a.item, a.rater, a.answer, a.pos]);
  }
  return { r, p, q: [...q.values()] };
}
