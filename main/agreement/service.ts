/**
 * Agreement per study and per project (issue #11 item 3, docs/statistics.md "Agreement"), read
 * from the catalog's annotation versions and labelmaps; the metrics are main/agreement/metrics.ts.
 *
 * Who a rater is:
 * - a reader: the author of the current versions (heads, not deleted) that are a reader's work —
 *   source `human`, or a decision on an AI finding (`data.aiDecision`: accepting makes the finding
 *   the reader's);
 * - a model `ai:<model>`: in each annotation, the newest version with that source that is not a
 *   decision (what the model proposed, whatever readers decided later). Labelmaps the same way:
 *   reader heads by author, a model's newest version per segmentation by `source` (migration 0017).
 *
 * Segments are compared per series and label (the union of the rater's segments with that label),
 * on the series' voxel grid read from its files (pixel spacing, slice positions along the normal).
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type {
  ClassificationPairResult,
  MeasurementPairResult,
  PairKind,
  ProjectAgreement,
  ProjectPairAgreement,
  SegmentPairResult,
  StudyAgreement,
} from '../../shared/agreement.js';
import { LabelmapStore } from '../annotation/labelmap-store.js';
import { hasColumn } from '../stats/db.js';
import { DEFAULT_MATCH_TOLERANCE_MM } from '../../shared/agreement.js';
import { classificationAnswer, fillRatings, measurementPoint } from './ratings.js';
import {
  type StudyAnswer,
  type StudyMeasurement,
  StudySummaryWriter,
  meanOfScaledErrors,
  meanRelativeError,
  sortRaters,
  summarizeStudy,
} from './study-cache.js';
import {
  type MeasurementPoint,
  type SparseMask,
  type VoxelGrid,
  cohenKappa,
  cohenKappaOfCells,
  fleissKappa,
  fleissKappaOfCounts,
  matchMeasurements,
  segmentAgreement,
} from './metrics.js';

export interface SeriesGrid {
  grid: VoxelGrid;
  /** Slice index (z) of each image, by `sliceKeyOf(sop, frame)`. */
  sliceIndex: ReadonlyMap<string, number>;
}

export interface AgreementDependencies {
  /** The voxel grid of a stored series, or null (not stored, no geometry). */
  seriesGrid(seriesInstanceUID: string): SeriesGrid | null;
  /**
   * Compute the project figure the straightforward way — every row's JSON, every time, no
   * summaries — as before migration 0018 (tests compare the two; nothing else sets it).
   */
  reference?: boolean;
}

export interface AgreementFilter {
  toleranceMm: number;
  readers?: readonly string[] | undefined;
  models?: readonly string[] | undefined;
  labelIds?: readonly string[] | undefined;
}

interface VersionRow {
  seq: number;
  version_id: string;
  annotation_uid: string;
  study_uid: string;
  series_uid: string | null;
  kind: string;
  label_id: string | null;
  data: string;
  source: string;
  author: string;
}

interface RatedMeasurement extends MeasurementPoint {
  rater: string;
  study: string;
}

interface RatedAnswer {
  rater: string;
  study: string;
  questionId: string;
  item: string;
  answer: string;
}

interface RatingRow {
  seq: number;
  study_uid: string;
  kind: string;
  label_id: string | null;
  x: number | null;
  y: number | null;
  z: number | null;
  value: number | null;
  question_id: string | null;
  item: string | null;
  answer: string | null;
  rater: string;
}

interface LabelmapRow {
  version_id: string;
  annotation_uid: string;
  study_uid: string;
  series_uid: string;
  rater: string;
}

const RATED_COLUMNS = `v.seq, v.version_id, v.annotation_uid, v.study_uid, v.series_uid, v.kind, v.label_id, v.data,
  v.source, v.author`;

export class AgreementService {
  readonly #db: Database.Database;
  readonly #labelmaps: LabelmapStore;
  readonly #deps: AgreementDependencies;
  /** Segment comparisons by series, label and the two versions sets (labelmap versions never change). */
  readonly #segmentCache = new Map<string, SegmentPairResult>();
  #projectCache: { key: string; value: ProjectAgreement } | null = null;
  #rowsCache: {
    fingerprint: string;
    /** False when only the labelmaps were read (the per-study path). */
    complete: boolean;
    measurements: RatedMeasurement[];
    answers: RatedAnswer[];
    labelmaps: LabelmapRow[];
  } | null = null;

  constructor(db: Database.Database, deps: AgreementDependencies) {
    this.#db = db;
    this.#labelmaps = new LabelmapStore(db);
    this.#deps = deps;
  }

  study(studyInstanceUID: string, toleranceMm: number): StudyAgreement {
    const rows = this.#ratedRows(studyInstanceUID);
    const measurements = rows.measurements;
    const answers = rows.answers;
    const labelmaps = this.#labelmapRows(studyInstanceUID);
    const raters = sortRaters([
      ...new Set([
        ...measurements.map((m) => m.rater),
        ...answers.map((a) => a.rater),
        ...labelmaps.map((l) => l.rater),
      ]),
    ]);
    return {
      studyInstanceUID,
      raters,
      segments: this.#segments(labelmaps, undefined),
      measurements: measurementPairs(raters, measurements, toleranceMm),
      classifications: classificationPairs(raters, answers),
    };
  }

  /**
   * Parses the measurement and classification versions stored since the last call (the project
   * figure reads the parsed rows, never the versions' JSON). Called by the dashboard before its
   * read transaction; project() calls it too.
   */
  refresh(): void {
    try {
      this.#db.transaction(() => this.#refreshStudies()).immediate();
    } catch (error) {
      // Busy past the timeout, or a read-only catalog: nothing is written, and project() computes
      // from the versions' JSON row by row (slower, the same numbers).
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_READONLY')))
        return;
      throw error;
    }
  }

  /** The highest seq the study summaries cover (`stamp`) and the highest stored (`mark`). */
  #stamps(): { stamp: number; mark: number } {
    const row = this.#db
      .prepare(
        `SELECT coalesce((SELECT seq FROM agreement_study_stamp WHERE id = 1), 0) AS stamp,
                coalesce((SELECT max(seq) FROM annotation_fact), 0) AS mark`,
      )
      .get() as { stamp: number; mark: number };
    return row;
  }

  /** Whether the parsed ratings and the study summaries cover every stored version. */
  #fresh(): boolean {
    const { stamp, mark } = this.#stamps();
    return stamp === mark;
  }

  /**
   * Brings the study summaries up to date: the studies with a version above the stamp (all of them
   * the first time) are summarized again, the others are kept. Runs inside refresh()'s write
   * transaction.
   */
  #refreshStudies(): void {
    const db = this.#db;
    fillRatings(db);
    const { stamp, mark } = this.#stamps();
    if (mark === stamp) return;
    const changed =
      stamp === 0
        ? null
        : db
            .prepare<[number], { study_uid: string }>(
              'SELECT DISTINCT study_uid FROM annotation_fact WHERE seq > ?',
            )
            .all(stamp)
            .map((r) => r.study_uid);
    const writer = new StudySummaryWriter(db);
    const write = (study: string, rows: { measurements: StudyMeasurement[]; answers: StudyAnswer[] }) =>
      writer.write(
        study,
        rows.measurements.length === 0 && rows.answers.length === 0
          ? null
          : summarizeStudy(rows.measurements, rows.answers, DEFAULT_MATCH_TOLERANCE_MM),
        changed !== null,
      );
    if (changed === null || changed.length > 200) {
      // Many studies: one pass over every row, grouped by study (order kept).
      const all = this.#projectRows();
      const byStudy = new Map<string, { measurements: StudyMeasurement[]; answers: StudyAnswer[] }>();
      const of = (study: string) => {
        let e = byStudy.get(study);
        if (!e) {
          e = { measurements: [], answers: [] };
          byStudy.set(study, e);
        }
        return e;
      };
      for (const m of all.measurements) of(m.study).measurements.push(m);
      for (const a of all.answers) of(a.study).answers.push(a);
      if (changed === null) writer.clear();
      for (const study of changed ?? byStudy.keys())
        write(study, byStudy.get(study) ?? { measurements: [], answers: [] });
    } else for (const study of changed) write(study, this.#projectRows(study));
    db.prepare(
      'INSERT INTO agreement_study_stamp (id, seq) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq',
    ).run(mark);
  }

  project(filter: AgreementFilter): ProjectAgreement {
    // Inside a caller's read transaction nothing is written: versions stored since the caller's
    // refresh() (rare) are then read from their JSON, row by row, and the answer is not cached.
    if (this.#deps.reference)
      return this.#projectFromRows(filter, this.#ratedRows(null), this.#labelmapRows(null));
    if (!this.#db.inTransaction) this.refresh();
    if (!this.#fresh()) return this.#projectFromRows(filter, this.#ratedRows(null), this.#labelmapRows(null));
    const fingerprint = this.#fingerprint();
    const key = `${JSON.stringify(filter)}|${fingerprint}`;
    if (this.#projectCache?.key === key) return this.#projectCache.value;
    if (!filter.labelIds?.length && filter.toleranceMm === DEFAULT_MATCH_TOLERANCE_MM) {
      const value = this.#projectFromStudies(filter, fingerprint);
      this.#projectCache = { key, value };
      return value;
    }
    // Every rater's rows, read once per state of the data, then filtered per request.
    let rows = this.#rowsCache;
    if (rows?.fingerprint !== fingerprint || !rows.complete) {
      rows = { fingerprint, complete: true, ...this.#projectRows(), labelmaps: this.#labelmapRows(null) };
      this.#rowsCache = rows;
    }
    const value = this.#projectFromRows(filter, rows, rows.labelmaps);
    this.#projectCache = { key, value };
    return value;
  }

  /** The project agreement computed row by row (a label filter, another tolerance). */
  #projectFromRows(
    filter: AgreementFilter,
    rows: { measurements: RatedMeasurement[]; answers: RatedAnswer[] },
    allLabelmaps: readonly LabelmapRow[],
  ): ProjectAgreement {
    const keep = raterFilter(filter);
    const labels = filter.labelIds?.length ? new Set(filter.labelIds) : null;
    const { measurements, answers } = rows;
    const keptMeasurements = measurements.filter((m) => keep(m.rater) && (!labels || labels.has(m.labelId)));
    const keptAnswers = answers.filter((a) => keep(a.rater));
    const labelmaps = allLabelmaps.filter((l) => keep(l.rater));
    const segments = this.#segments(labelmaps, labels);

    const byStudy = <T extends { study: string }>(items: readonly T[]) => {
      const map = new Map<string, T[]>();
      for (const item of items) {
        const list = map.get(item.study) ?? [];
        list.push(item);
        map.set(item.study, list);
      }
      return map;
    };
    const measurementsByStudy = byStudy(keptMeasurements);
    const raters = sortRaters([
      ...new Set([
        ...keptMeasurements.map((m) => m.rater),
        ...keptAnswers.map((a) => a.rater),
        ...labelmaps.map((l) => l.rater),
      ]),
    ]);
    const studiesOf = new Map<string, Set<string>>();
    const note = (rater: string, study: string) => {
      const set = studiesOf.get(rater) ?? new Set<string>();
      set.add(study);
      studiesOf.set(rater, set);
    };
    for (const m of keptMeasurements) note(m.rater, m.study);
    for (const a of keptAnswers) note(a.rater, a.study);
    for (const l of labelmaps) note(l.rater, l.study_uid);
    const seriesStudy = new Map(labelmaps.map((l) => [l.series_uid, l.study_uid]));

    const answerOf = indexAnswers(keptAnswers);
    const pairs: ProjectPairAgreement[] = [];
    for (let i = 0; i < raters.length; i++)
      for (let j = i + 1; j < raters.length; j++) {
        const a = raters[i]!;
        const b = raters[j]!;
        const studiesA = studiesOf.get(a) ?? new Set<string>();
        const shared = [...(studiesOf.get(b) ?? [])].filter((s) => studiesA.has(s));
        if (shared.length === 0) continue;
        // Measurements: matched within each study both rated.
        let matched = 0;
        let unmatched = 0;
        const errors: number[] = [];
        for (const study of shared) {
          const list = measurementsByStudy.get(study) ?? [];
          const ma = list.filter((m) => m.rater === a);
          const mb = list.filter((m) => m.rater === b);
          if (ma.length === 0 && mb.length === 0) continue;
          const result = matchMeasurements(ma, mb, filter.toleranceMm);
          matched += result.pairs.length;
          unmatched += result.unmatchedA.length + result.unmatchedB.length;
          for (const pair of result.pairs) if (pair.relativeError !== null) errors.push(pair.relativeError);
        }
        // Segments: every (series, label) both rated.
        const seg = segments.filter(
          (s) =>
            s.raterA === a && s.raterB === b && shared.includes(seriesStudy.get(s.seriesInstanceUID) ?? ''),
        );
        const hd = seg.map((s) => s.hd95).filter((v): v is number => v !== null);
        // Classifications: Cohen's kappa per question over the items both answered.
        const questions = new Map<string, { a: string[]; b: string[] }>();
        for (const [itemKey, byRater] of answerOf) {
          const answerA = byRater.get(a);
          const answerB = byRater.get(b);
          if (answerA === undefined || answerB === undefined) continue;
          const questionId = itemKey.split('\u0000')[0]!;
          const q = questions.get(questionId) ?? { a: [], b: [] };
          q.a.push(answerA);
          q.b.push(answerB);
          questions.set(questionId, q);
        }
        pairs.push({
          raterA: a,
          raterB: b,
          kind: pairKind(a, b),
          studies: shared.length,
          segments: {
            count: seg.length,
            meanDice: mean(seg.map((s) => s.dice)),
            meanHd95: mean(hd),
            hd95Undefined: seg.length - hd.length,
          },
          measurements: { matched, unmatched, meanRelativeError: meanRelativeError(errors) },
          classifications: [...questions]
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([questionId, q]) => ({ questionId, items: q.a.length, kappa: cohenKappa(q.a, q.b) })),
        });
      }

    const fleiss = fleissOf(raters, answerOf);
    return { pairs, fleiss };
  }

  /** Changes whenever a version or a labelmap is stored (the project figure is cached until then). */
  #fingerprint(): string {
    const v = this.#db.prepare('SELECT max(seq) AS s FROM annotation_version').get() as { s: number | null };
    const l = this.#db.prepare('SELECT count(*) AS n, max(created_at) AS t FROM labelmap_version').get() as {
      n: number;
      t: number | null;
    };
    return `${v.s ?? 0}/${l.n}/${l.t ?? 0}`;
  }

  /**
   * Measurements and classification answers of every rater over the project, from the parsed
   * ratings (agreement_rating) and the versions' facts (annotation_fact): the same rows, in the
   * same order, as #ratedRows(null) reads from the versions' JSON.
   */
  #projectRows(study?: string): { measurements: StudyMeasurement[]; answers: StudyAnswer[] } {
    const columns = `r.seq, r.study_uid, r.kind, r.label_id, r.x, r.y, r.z, r.value, r.question_id, r.item, r.answer`;
    const params: Record<string, string> = study === undefined ? {} : { study };
    const human = this.#db
      .prepare<Record<string, string>, RatingRow>(
        study === undefined
          ? `SELECT ${columns}, f.author AS rater
               FROM annotation_fact f INDEXED BY annotation_fact_live JOIN agreement_rating r ON r.seq = f.seq
              WHERE f.head = 1 AND f.head_deleted = 0 AND f.kind IN ('measurement', 'classification')
                AND (f.source = 'human' OR f.is_decision = 1)
              ORDER BY f.seq`
          : `SELECT ${columns}, f.author AS rater
               FROM annotation_fact f INDEXED BY annotation_fact_by_study JOIN agreement_rating r ON r.seq = f.seq
              WHERE f.study_uid = @study AND f.head = 1 AND f.head_deleted = 0
                AND f.kind IN ('measurement', 'classification') AND (f.source = 'human' OR f.is_decision = 1)
              ORDER BY f.seq`,
      )
      .all(params);
    const ai = this.#db
      .prepare<Record<string, string>, RatingRow>(
        `SELECT ${columns}, f.source AS rater
           FROM agreement_rating r JOIN annotation_fact f ON f.seq = r.seq
          WHERE r.seq IN (
            SELECT max(a.seq) FROM annotation_fact a
             INDEXED BY ${study === undefined ? 'annotation_fact_by_source' : 'annotation_fact_by_study'}
             WHERE a.source >= 'ai:' AND a.source < 'ai;' AND a.is_decision = 0 AND a.deleted = 0
               ${study === undefined ? '' : 'AND a.study_uid = @study'}
             GROUP BY a.annotation_uid)
          ORDER BY r.seq`,
      )
      .all(params);
    const measurements: StudyMeasurement[] = [];
    const answers: StudyAnswer[] = [];
    // Models' rows come after every reader's (as #ratedRows reads them): their order is offset.
    const take = (row: RatingRow, offset: number) => {
      if (row.kind === 'measurement') {
        if (row.x === null || row.y === null || row.z === null || row.label_id === null) return;
        measurements.push({
          id: String(row.seq),
          seq: row.seq,
          labelId: row.label_id,
          position: [row.x, row.y, row.z],
          value: row.value,
          rater: row.rater,
          study: row.study_uid,
        });
      } else if (row.question_id !== null && row.item !== null && row.answer !== null) {
        answers.push({
          questionId: row.question_id,
          item: row.item,
          answer: row.answer,
          rater: row.rater,
          study: row.study_uid,
          pos: row.seq + offset,
        });
      }
    };
    for (const row of human) take(row, 0);
    for (const row of ai) take(row, AI_ORDER_OFFSET);
    return { measurements, answers };
  }

  /**
   * The project agreement (no label filter, the default tolerance) from the per-study rows: integer
   * sums in SQL (pairs, contingency tables, Fleiss' counts), the same numbers as the computation
   * over every row (#projectFromRows).
   */
  #projectFromStudies(filter: AgreementFilter, fingerprint: string): ProjectAgreement {
    const db = this.#db;
    const keep = raterFilter(filter);
    if (this.#rowsCache?.fingerprint !== fingerprint)
      this.#rowsCache = {
        fingerprint,
        complete: false,
        measurements: [],
        answers: [],
        labelmaps: this.#labelmapRows(null),
      };
    const labelmaps = this.#rowsCache.labelmaps.filter((l) => keep(l.rater));
    const segments = this.#segments(labelmaps, null);
    const seriesStudy = new Map(labelmaps.map((l) => [l.series_uid, l.study_uid]));

    interface PairTotals {
      studies: number;
      matched: number;
      unmatched: number;
      errors: number;
      errorSum: bigint;
    }
    const totals = new Map<string, PairTotals>();
    for (const row of db
      .prepare<
        [],
        {
          rater_a: string;
          rater_b: string;
          // Every integer as a BigInt (safeIntegers): the error sum may pass 2^53.
          studies: bigint;
          matched: bigint;
          unmatched: bigint;
          errors: bigint;
          error_sum: bigint;
        }
      >(
        `SELECT rater_a, rater_b, count(*) AS studies, sum(matched) AS matched, sum(unmatched) AS unmatched,
                sum(errors) AS errors, sum(error_sum) AS error_sum
           FROM agreement_study_pair GROUP BY rater_a, rater_b`,
      )
      .safeIntegers(true)
      .iterate())
      if (keep(String(row.rater_a)) && keep(String(row.rater_b)))
        totals.set(`${row.rater_a}\u0000${row.rater_b}`, {
          studies: Number(row.studies),
          matched: Number(row.matched),
          unmatched: Number(row.unmatched),
          errors: Number(row.errors),
          errorSum: row.error_sum,
        });
    // The distinct raters by skipping through the rater index (one seek per rater) instead of
    // reading its ~30,000 entries (10,000 studies): the first read of those pages in a process was
    // ~15 ms of a cold dashboard (docs/statistics.md "Speed").
    const raterSet = new Set(
      db
        .prepare<[], { rater: string }>(
          `WITH RECURSIVE r(rater) AS (
             SELECT min(rater) FROM agreement_study_rater
             UNION ALL
             SELECT (SELECT min(x.rater) FROM agreement_study_rater x INDEXED BY agreement_study_rater_by_rater
                      WHERE x.rater > r.rater)
               FROM r WHERE r.rater IS NOT NULL)
           SELECT rater FROM r WHERE rater IS NOT NULL`,
        )
        .all()
        .map((r) => r.rater)
        .filter(keep),
    );
    // Studies shared through a labelmap (few): the pairs with a rater who has only labelmaps there
    // count the study, and the other's measurements as unmatched.
    const labelmapRaters = new Map<string, Set<string>>();
    for (const l of labelmaps) {
      raterSet.add(l.rater);
      let set = labelmapRaters.get(l.study_uid);
      if (!set) {
        set = new Set();
        labelmapRaters.set(l.study_uid, set);
      }
      set.add(l.rater);
    }
    const ratersOfStudy = db.prepare<[string], { rater: string; measurements: number }>(
      'SELECT rater, measurements FROM agreement_study_rater WHERE study_uid = ?',
    );
    for (const [study, withLabelmaps] of labelmapRaters) {
      const summarized = new Map(
        ratersOfStudy
          .all(study)
          .filter((r) => keep(r.rater))
          .map((r) => [r.rater, r.measurements]),
      );
      const all = sortRaters([...new Set([...summarized.keys(), ...withLabelmaps])]);
      for (let i = 0; i < all.length; i++)
        for (let j = i + 1; j < all.length; j++) {
          const a = all[i]!;
          const b = all[j]!;
          if (summarized.has(a) && summarized.has(b)) continue;
          const key = `${a}\u0000${b}`;
          const t = totals.get(key) ?? { studies: 0, matched: 0, unmatched: 0, errors: 0, errorSum: 0n };
          t.studies++;
          t.unmatched += (summarized.get(a) ?? 0) + (summarized.get(b) ?? 0);
          totals.set(key, t);
        }
    }

    // Cohen's kappa: each pair's contingency table per question, summed over the studies.
    const cells = new Map<string, Map<string, Array<[string, string, number]>>>();
    for (const row of db
      .prepare<
        [],
        {
          rater_a: string;
          rater_b: string;
          question_id: string;
          answer_a: string;
          answer_b: string;
          items: number;
        }
      >(
        `SELECT rater_a, rater_b, question_id, answer_a, answer_b, sum(items) AS items
           FROM agreement_study_kappa GROUP BY rater_a, rater_b, question_id, answer_a, answer_b`,
      )
      .iterate()) {
      if (!keep(row.rater_a) || !keep(row.rater_b)) continue;
      const key = `${row.rater_a}\u0000${row.rater_b}`;
      let byQuestion = cells.get(key);
      if (!byQuestion) {
        byQuestion = new Map();
        cells.set(key, byQuestion);
      }
      const list = byQuestion.get(row.question_id) ?? [];
      list.push([row.answer_a, row.answer_b, row.items]);
      byQuestion.set(row.question_id, list);
    }

    const raters = sortRaters([...raterSet]);
    const pairs: ProjectPairAgreement[] = [];
    for (let i = 0; i < raters.length; i++)
      for (let j = i + 1; j < raters.length; j++) {
        const a = raters[i]!;
        const b = raters[j]!;
        const t = totals.get(`${a}\u0000${b}`);
        if (!t || t.studies === 0) continue;
        const seg = segments.filter(
          (s) => s.raterA === a && s.raterB === b && seriesStudy.has(s.seriesInstanceUID),
        );
        const hd = seg.map((s) => s.hd95).filter((v): v is number => v !== null);
        const questions = cells.get(`${a}\u0000${b}`) ?? new Map<string, Array<[string, string, number]>>();
        pairs.push({
          raterA: a,
          raterB: b,
          kind: pairKind(a, b),
          studies: t.studies,
          segments: {
            count: seg.length,
            meanDice: mean(seg.map((s) => s.dice)),
            meanHd95: mean(hd),
            hd95Undefined: seg.length - hd.length,
          },
          measurements: {
            matched: t.matched,
            unmatched: t.unmatched,
            meanRelativeError: meanOfScaledErrors(t.errorSum, t.errors),
          },
          classifications: [...questions]
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([questionId, table]) => ({
              questionId,
              items: table.reduce((s, [, , n]) => s + n, 0),
              kappa: cohenKappaOfCells(table),
            })),
        });
      }
    return { pairs, fleiss: this.#fleissFromStudies(raters) };
  }

  /**
   * Fleiss' kappa per question over the items every reader answered, from the per-study answers:
   * per question and category, the sum of the per-item counts and of their squares (SQL).
   */
  #fleissFromStudies(raters: readonly string[]): ProjectAgreement['fleiss'] {
    const readers = raters.filter((r) => !r.startsWith('ai:'));
    if (readers.length < 2) return [];
    const marks = readers.map(() => '?').join(', ');
    const rows = this.#db
      .prepare<string[], { question_id: string; total: number; squares: number }>(
        `WITH items AS (
           SELECT question_id, item FROM agreement_study_answer
            WHERE rater IN (${marks}) GROUP BY question_id, item HAVING count(*) = ${readers.length}),
         counts AS (
           SELECT a.question_id, a.answer, count(*) AS c
             FROM items i JOIN agreement_study_answer a ON a.question_id = i.question_id AND a.item = i.item
            WHERE a.rater IN (${marks})
            GROUP BY a.question_id, a.item, a.answer)
         SELECT question_id, sum(c) AS total, sum(c * c) AS squares FROM counts GROUP BY question_id, answer`,
      )
      .all(...readers, ...readers);
    const byQuestion = new Map<string, Array<{ total: number; squares: number }>>();
    for (const row of rows) {
      const list = byQuestion.get(row.question_id) ?? [];
      list.push({ total: row.total, squares: row.squares });
      byQuestion.set(row.question_id, list);
    }
    return [...byQuestion]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([questionId, categories]) => ({
        questionId,
        raters: [...readers],
        items: categories.reduce((s, c) => s + c.total, 0) / readers.length,
        kappa: fleissKappaOfCounts(readers.length, categories),
      }));
  }

  /** Measurements and classification answers of every rater (one study, or all). */
  #ratedRows(studyInstanceUID: string | null): { measurements: RatedMeasurement[]; answers: RatedAnswer[] } {
    const where = studyInstanceUID === null ? '' : 'AND v.study_uid = @study';
    const human = this.#db
      .prepare<Record<string, string>, VersionRow>(
        `SELECT ${RATED_COLUMNS} FROM annotation_head h JOIN annotation_version v ON v.seq = h.version_seq
          WHERE h.deleted = 0 AND v.kind IN ('measurement', 'classification') ${where}
            AND (v.source = 'human' OR json_extract(v.data, '$.aiDecision') IS NOT NULL)
          ORDER BY v.seq`,
      )
      .all(studyInstanceUID === null ? {} : { study: studyInstanceUID });
    const ai = this.#db
      .prepare<Record<string, string>, VersionRow>(
        `SELECT ${RATED_COLUMNS} FROM annotation_version v
          WHERE v.seq IN (
            SELECT max(a.seq) FROM annotation_version a
             WHERE a.source LIKE 'ai:%' AND a.deleted = 0 AND json_extract(a.data, '$.aiDecision') IS NULL
               ${studyInstanceUID === null ? '' : 'AND a.study_uid = @study'}
             GROUP BY a.annotation_uid)
            AND v.kind IN ('measurement', 'classification')
          ORDER BY v.seq`,
      )
      .all(studyInstanceUID === null ? {} : { study: studyInstanceUID });
    const measurements: RatedMeasurement[] = [];
    const answers: RatedAnswer[] = [];
    const take = (row: VersionRow, rater: string) => {
      if (row.kind === 'measurement') {
        const point = measurementPoint(row);
        if (point) measurements.push({ ...point, rater, study: row.study_uid });
      } else {
        const answer = classificationAnswer(row);
        if (answer) answers.push({ ...answer, rater, study: row.study_uid });
      }
    };
    for (const row of human) take(row, row.author);
    for (const row of ai) take(row, row.source);
    return { measurements, answers };
  }

  /** The labelmap versions each rater stands by (one study, or all). */
  #labelmapRows(studyInstanceUID: string | null): LabelmapRow[] {
    const sourced = hasColumn(this.#db, 'labelmap_version', 'source');
    const source = sourced ? 'v.source' : `CASE WHEN v.author LIKE 'ai:%' THEN v.author ELSE 'human' END`;
    const where = studyInstanceUID === null ? '' : 'AND v.study_uid = @study';
    const params: Record<string, string> = studyInstanceUID === null ? {} : { study: studyInstanceUID };
    const human = this.#db
      .prepare<Record<string, string>, LabelmapRow>(
        `SELECT v.version_id, v.annotation_uid, v.study_uid, v.series_uid, v.author AS rater
           FROM labelmap_version v
          WHERE v.deleted = 0 AND ${source} = 'human' ${where}
            AND NOT EXISTS (SELECT 1 FROM labelmap_version c WHERE c.parent_id = v.version_id)`,
      )
      .all(params);
    const ai = this.#db
      .prepare<Record<string, string>, LabelmapRow>(
        `SELECT v.version_id, v.annotation_uid, v.study_uid, v.series_uid, ${source} AS rater
           FROM labelmap_version v
          WHERE v.deleted = 0 AND ${source} LIKE 'ai:%' ${where}
            AND v.created_at = (SELECT max(w.created_at) FROM labelmap_version w
                                 WHERE w.annotation_uid = v.annotation_uid AND ${source.replaceAll('v.', 'w.')} = ${source})`,
      )
      .all(params);
    return [...human, ...ai];
  }

  /** Dice/HD95 for every series, label and pair of raters with labelmaps on it. */
  #segments(
    rows: readonly LabelmapRow[],
    labels: ReadonlySet<string> | null | undefined,
  ): SegmentPairResult[] {
    const bySeries = new Map<string, LabelmapRow[]>();
    for (const row of rows) {
      const list = bySeries.get(row.series_uid) ?? [];
      list.push(row);
      bySeries.set(row.series_uid, list);
    }
    const results: SegmentPairResult[] = [];
    for (const [seriesUid, list] of bySeries) {
      const raters = sortRaters([...new Set(list.map((r) => r.rater))]);
      if (raters.length < 2) continue;
      let series: SeriesGrid | null | undefined;
      let masks: Map<string, Map<string, SparseMask>> | null = null;
      for (let i = 0; i < raters.length; i++)
        for (let j = i + 1; j < raters.length; j++) {
          const a = raters[i]!;
          const b = raters[j]!;
          const versionsOf = (rater: string) =>
            list
              .filter((r) => r.rater === rater)
              .map((r) => r.version_id)
              .sort()
              .join(',');
          const cacheKey = `${seriesUid}|${versionsOf(a)}|${versionsOf(b)}`;
          const cached = [...this.#segmentCache.entries()].filter(([k]) => k.startsWith(`${cacheKey}|`));
          if (cached.length > 0) {
            for (const [, result] of cached)
              if (!labels || labels.has(result.labelId)) results.push({ ...result, raterA: a, raterB: b });
            continue;
          }
          if (series === undefined) series = this.#deps.seriesGrid(seriesUid);
          if (!series) continue;
          masks ??= this.#masks(list, series);
          const maskA = masks.get(a) ?? new Map<string, SparseMask>();
          const maskB = masks.get(b) ?? new Map<string, SparseMask>();
          const labelIds = [...new Set([...maskA.keys(), ...maskB.keys()])].sort();
          for (const labelId of labelIds) {
            const metric = segmentAgreement(
              series.grid,
              maskA.get(labelId) ?? new Map(),
              maskB.get(labelId) ?? new Map(),
            );
            const result: SegmentPairResult = {
              seriesInstanceUID: seriesUid,
              labelId,
              raterA: a,
              raterB: b,
              dice: metric.dice,
              hd95: metric.hd95,
              voxelsA: metric.voxelsA,
              voxelsB: metric.voxelsB,
            };
            this.#segmentCache.set(`${cacheKey}|${labelId}`, result);
            if (!labels || labels.has(labelId)) results.push(result);
          }
        }
    }
    return results;
  }

  /** Per rater, per label: the union of the rater's segments with that label, by slice. */
  #masks(rows: readonly LabelmapRow[], series: SeriesGrid): Map<string, Map<string, SparseMask>> {
    const plane = series.grid.rows * series.grid.columns;
    const out = new Map<string, Map<string, Map<number, Uint8Array>>>();
    for (const row of rows) {
      const labelmap = this.#labelmaps.readLabelmap(row.annotation_uid, row.version_id);
      if (!labelmap || labelmap.width * labelmap.height !== plane) continue;
      const byLabel = out.get(row.rater) ?? new Map<string, Map<number, Uint8Array>>();
      out.set(row.rater, byLabel);
      for (const segment of labelmap.segments) {
        const labelId = segment.labelId ?? `segment-${segment.segmentIndex}`;
        const mask = byLabel.get(labelId) ?? new Map<number, Uint8Array>();
        byLabel.set(labelId, mask);
        const layer = labelmap.layers[segment.layer];
        if (!layer) continue;
        for (const [key, voxels] of layer) {
          const z = series.sliceIndex.get(key);
          if (z === undefined) continue;
          let slice = mask.get(z);
          for (let i = 0; i < plane; i++) {
            if (voxels[i] !== segment.labelValue) continue;
            if (!slice) {
              slice = new Uint8Array(plane);
              mask.set(z, slice);
            }
            slice[i] = 1;
          }
        }
      }
    }
    return out as Map<string, Map<string, SparseMask>>;
  }
}

/** Models' answers come after every reader's in the project order (seqs stay far below). */
const AI_ORDER_OFFSET = 2 ** 50;

/** Fleiss' kappa per question over the items every human reader answered. */
function fleissOf(raters: readonly string[], answerOf: ReadonlyMap<string, ReadonlyMap<string, string>>) {
  const readers = raters.filter((r) => !r.startsWith('ai:'));
  const fleiss: ProjectAgreement['fleiss'] = [];
  if (readers.length >= 2) {
    const perQuestion = new Map<string, string[][]>();
    for (const [itemKey, byRater] of answerOf) {
      if (!readers.every((r) => byRater.has(r))) continue;
      const questionId = itemKey.split('\u0000')[0]!;
      const list = perQuestion.get(questionId) ?? [];
      list.push(readers.map((r) => byRater.get(r)!));
      perQuestion.set(questionId, list);
    }
    for (const [questionId, ratings] of [...perQuestion].sort(([x], [y]) => x.localeCompare(y)))
      fleiss.push({ questionId, raters: readers, items: ratings.length, kappa: fleissKappa(ratings) });
  }
  return fleiss;
}

function raterFilter(filter: AgreementFilter): (rater: string) => boolean {
  const readers = filter.readers?.length ? new Set(filter.readers) : null;
  const models = filter.models?.length ? new Set(filter.models) : null;
  return (rater) =>
    rater.startsWith('ai:') ? !models || models.has(rater.slice(3)) : !readers || readers.has(rater);
}

function pairKind(a: string, b: string): PairKind {
  const ai = Number(a.startsWith('ai:')) + Number(b.startsWith('ai:'));
  return ai === 0 ? 'reader-reader' : ai === 1 ? 'reader-ai' : 'ai-ai';
}

function mean(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((s, v) => s + v, 0) / values.length : null;
}

/** question + item → rater → answer (the newest head wins when a rater has two). */
function indexAnswers(answers: readonly RatedAnswer[]): Map<string, Map<string, string>> {
  const index = new Map<string, Map<string, string>>();
  for (const a of answers) {
    const key = `${a.questionId}\u0000${a.item}`;
    const byRater = index.get(key) ?? new Map<string, string>();
    byRater.set(a.rater, a.answer);
    index.set(key, byRater);
  }
  return index;
}

function measurementPairs(
  raters: readonly string[],
  measurements: readonly RatedMeasurement[],
  toleranceMm: number,
): MeasurementPairResult[] {
  const out: MeasurementPairResult[] = [];
  for (let i = 0; i < raters.length; i++)
    for (let j = i + 1; j < raters.length; j++) {
      const a = measurements.filter((m) => m.rater === raters[i]);
      const b = measurements.filter((m) => m.rater === raters[j]);
      if (a.length === 0 && b.length === 0) continue;
      const result = matchMeasurements(a, b, toleranceMm);
      out.push({
        raterA: raters[i]!,
        raterB: raters[j]!,
        matched: result.pairs.length,
        unmatchedA: result.unmatchedA.length,
        unmatchedB: result.unmatchedB.length,
        meanRelativeError: result.meanRelativeError,
        pairs: result.pairs.map((p) => ({
          labelId: p.labelId,
          a: p.a,
          b: p.b,
          distanceMm: p.distance,
          relativeError: p.relativeError,
        })),
      });
    }
  return out;
}

function classificationPairs(
  raters: readonly string[],
  answers: readonly RatedAnswer[],
): ClassificationPairResult[] {
  const out: ClassificationPairResult[] = [];
  const index = indexAnswers(answers);
  for (const [key, byRater] of index) {
    const [questionId, item] = key.split('\u0000') as [string, string];
    for (let i = 0; i < raters.length; i++)
      for (let j = i + 1; j < raters.length; j++) {
        const answerA = byRater.get(raters[i]!);
        const answerB = byRater.get(raters[j]!);
        if (answerA === undefined || answerB === undefined) continue;
        out.push({
          questionId,
          item,
          raterA: raters[i]!,
          raterB: raters[j]!,
          answerA,
          answerB,
          agree: answerA === answerB,
        });
      }
  }
  return out;
}
