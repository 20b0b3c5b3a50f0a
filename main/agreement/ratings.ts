/**
 * What agreement compares of one measurement or classification version, parsed from its JSON
 * `data` once per version and kept in `agreement_rating` (migration 0018): a measurement's centre
 * (mean of its handles, mm) and primary value, a classification's question, item and answer.
 * Versions never change, so a row never goes stale; `fillRatings` parses only the versions with a
 * seq above the highest row (what was stored since). docs/statistics.md "Speed".
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { MeasurementPoint } from './metrics.js';

/** The columns of a version the parsers read. */
export interface RatedVersion {
  version_id: string;
  study_uid: string;
  kind: string;
  label_id: string | null;
  data: string;
}

export interface ClassificationAnswer {
  questionId: string;
  item: string;
  answer: string;
}

/** A measurement's centre (mean of its handles, mm) and primary value, from its Cornerstone data. */
export function measurementPoint(row: RatedVersion): MeasurementPoint | null {
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
export function classificationAnswer(row: RatedVersion): ClassificationAnswer | null {
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

/**
 * Parses the measurement and classification versions stored since the last call into
 * `agreement_rating` (one row each; null columns when the version has nothing to compare).
 * Returns how many versions it parsed.
 */
export function fillRatings(db: Database.Database): number {
  const run = db.transaction(() => {
    const mark = db.prepare('SELECT coalesce(max(seq), 0) AS s FROM agreement_rating').get() as { s: number };
    const rows = db
      .prepare<[number], RatedVersion & { seq: number }>(
        `SELECT seq, version_id, study_uid, kind, label_id, data FROM annotation_version
          WHERE seq > ? AND kind IN ('measurement', 'classification') ORDER BY seq`,
      )
      .all(mark.s);
    const insert = db.prepare(
      `INSERT INTO agreement_rating (seq, study_uid, kind, label_id, x, y, z, value, question_id, item, answer)
       VALUES (@seq, @study, @kind, @label, @x, @y, @z, @value, @question, @item, @answer)`,
    );
    for (const row of rows) {
      const point = row.kind === 'measurement' ? measurementPoint(row) : null;
      const answer = row.kind === 'classification' ? classificationAnswer(row) : null;
      insert.run({
        seq: row.seq,
        study: row.study_uid,
        kind: row.kind,
        label: row.label_id,
        x: point?.position[0] ?? null,
        y: point?.position[1] ?? null,
        z: point?.position[2] ?? null,
        value: point?.value ?? null,
        question: answer?.questionId ?? null,
        item: answer?.item ?? null,
        answer: answer?.answer ?? null,
      });
    }
    return rows.length;
  });
  return run.immediate();
}
