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
import {
  type MeasurementPoint,
  type SparseMask,
  type VoxelGrid,
  cohenKappa,
  fleissKappa,
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

  project(filter: AgreementFilter): ProjectAgreement {
    const fingerprint = this.#fingerprint();
    const key = `${JSON.stringify(filter)}|${fingerprint}`;
    if (this.#projectCache?.key === key) return this.#projectCache.value;
    // Every rater's rows, read and parsed once per state of the data, then filtered per request.
    if (this.#rowsCache?.fingerprint !== fingerprint)
      this.#rowsCache = { fingerprint, ...this.#ratedRows(null), labelmaps: this.#labelmapRows(null) };
    const keep = raterFilter(filter);
    const labels = filter.labelIds?.length ? new Set(filter.labelIds) : null;
    const { measurements, answers } = this.#rowsCache;
    const keptMeasurements = measurements.filter((m) => keep(m.rater) && (!labels || labels.has(m.labelId)));
    const keptAnswers = answers.filter((a) => keep(a.rater));
    const labelmaps = this.#rowsCache.labelmaps.filter((l) => keep(l.rater));
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
          measurements: { matched, unmatched, meanRelativeError: mean(errors) },
          classifications: [...questions]
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([questionId, q]) => ({ questionId, items: q.a.length, kappa: cohenKappa(q.a, q.b) })),
        });
      }

    // Fleiss' kappa per question over the items every human reader answered.
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
    const value = { pairs, fleiss };
    this.#projectCache = { key, value };
    return value;
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

function raterFilter(filter: AgreementFilter): (rater: string) => boolean {
  const readers = filter.readers?.length ? new Set(filter.readers) : null;
  const models = filter.models?.length ? new Set(filter.models) : null;
  return (rater) =>
    rater.startsWith('ai:') ? !models || models.has(rater.slice(3)) : !readers || readers.has(rater);
}

/** Readers first (alphabetical), then models. */
function sortRaters(raters: string[]): string[] {
  return raters.sort(
    (a, b) => Number(a.startsWith('ai:')) - Number(b.startsWith('ai:')) || a.localeCompare(b),
  );
}

function pairKind(a: string, b: string): PairKind {
  const ai = Number(a.startsWith('ai:')) + Number(b.startsWith('ai:'));
  return ai === 0 ? 'reader-reader' : ai === 1 ? 'reader-ai' : 'ai-ai';
}

function mean(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((s, v) => s + v, 0) / values.length : null;
}

/** A measurement's centre (mean of its handles, mm) and primary value, from its Cornerstone data. */
function measurementPoint(row: VersionRow): MeasurementPoint | null {
  if (!row.label_id) return null;
  let data: {
    data?: { handles?: { points?: unknown }; cachedStats?: Record<string, Record<string, unknown>> };
  };
  try {
    data = JSON.parse(row.data) as typeof data;
  } catch {
    return null;
  }
  const points = Array.isArray(data.data?.handles?.points) ? (data.data.handles.points as unknown[]) : [];
  const valid = points.filter(
    (p): p is number[] =>
      Array.isArray(p) && p.length >= 3 && p.slice(0, 3).every((x) => typeof x === 'number'),
  );
  if (valid.length === 0) return null;
  const position: [number, number, number] = [0, 1, 2].map(
    (axis) => valid.reduce((s, p) => s + p[axis]!, 0) / valid.length,
  ) as [number, number, number];
  const stats = Object.values(data.data?.cachedStats ?? {})[0] ?? {};
  const value = ['length', 'angle', 'area', 'mean', 'value']
    .map((key) => stats[key])
    .find((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return { id: row.version_id, labelId: row.label_id, position, value: value ?? null };
}

/** A classification's question, item and answer (a sorted, joined set for multiple choice). */
function classificationAnswer(row: VersionRow): Omit<RatedAnswer, 'rater' | 'study'> | null {
  let data: { questionId?: unknown; level?: unknown; seriesInstanceUID?: unknown; answer?: unknown };
  try {
    data = JSON.parse(row.data) as typeof data;
  } catch {
    return null;
  }
  if (typeof data.questionId !== 'string' || !Array.isArray(data.answer) || data.answer.length === 0)
    return null;
  const item =
    data.level === 'series' && typeof data.seriesInstanceUID === 'string'
      ? data.seriesInstanceUID
      : row.study_uid;
  return {
    questionId: data.questionId,
    item,
    answer: (data.answer as unknown[]).map(String).sort().join('+'),
  };
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
