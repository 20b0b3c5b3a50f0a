/**
 * The statistics dashboard's numbers (issue #11 item 4, docs/statistics.md): SQL aggregates over
 * the catalog (studies, annotation heads and versions, status rows, labelmaps, reading sessions),
 * and the project's agreement (main/agreement/service.ts). Each figure's definition is in
 * docs/statistics.md "Figures"; the queries stay aggregates so 10,000 studies answer fast.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Dashboard, StatsFilter, StudyState } from '../../shared/stats.js';
import { READING_BUCKETS_MIN } from '../../shared/stats.js';
import { readingBucket } from '../../shared/stats-figures.js';
import type { AgreementService } from '../agreement/service.js';
import { DEFAULT_MATCH_TOLERANCE_MM } from '../../shared/agreement.js';
import { hasColumn } from './db.js';

type Params = Record<string, string | number>;

/** SQL conditions and parameters for a filter (`column IN (…)` lists are bound one by one). */
class Conditions {
  readonly params: Params = {};
  #n = 0;

  in(column: string, values: readonly string[] | undefined): string {
    if (!values || values.length === 0) return '';
    const names = values.map((value) => {
      const name = `p${this.#n++}`;
      this.params[name] = value;
      return `@${name}`;
    });
    return ` AND ${column} IN (${names.join(', ')})`;
  }

  range(column: string, filter: StatsFilter): string {
    let sql = '';
    if (filter.from !== undefined) {
      this.params['from'] = filter.from;
      sql += ` AND ${column} >= @from`;
    }
    if (filter.to !== undefined) {
      this.params['to'] = filter.to;
      sql += ` AND ${column} <= @to`;
    }
    return sql;
  }
}

export class StatsService {
  readonly #db: Database.Database;
  readonly #agreement: AgreementService;
  readonly #reader: () => string;
  readonly #now: () => number;
  readonly #reference: boolean;

  /**
   * `options.reference`: count every figure from the facts themselves, never from the aggregates
   * migration 0023 keeps (tests compare the two; nothing else sets it).
   */
  constructor(
    db: Database.Database,
    agreement: AgreementService,
    reader: () => string,
    now = () => Date.now(),
    options: { reference?: boolean } = {},
  ) {
    this.#db = db;
    this.#agreement = agreement;
    this.#reader = reader;
    this.#now = now;
    this.#reference = options.reference === true;
  }

  /** Keeps the largest active time a viewer session reported (a late, smaller report changes nothing). */
  recordReading(sessionId: string, studyInstanceUID: string, activeMs: number): { activeMs: number } {
    const now = this.#now();
    try {
      this.#db
        .prepare(
          `INSERT INTO reading_session (session_id, study_uid, reader, started_at, updated_at, active_ms)
           VALUES (@sessionId, @study, @reader, @now, @now, @activeMs)
           ON CONFLICT(session_id) DO UPDATE SET
             active_ms = max(active_ms, excluded.active_ms), updated_at = excluded.updated_at
           WHERE reading_session.study_uid = excluded.study_uid AND reading_session.reader = excluded.reader`,
        )
        .run({ sessionId, study: studyInstanceUID, reader: this.#reader(), now, activeMs });
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'The reading time could not be saved to the data folder.', {
        cause: error,
      });
    }
    const row = this.#db
      .prepare<[string], { active_ms: number }>('SELECT active_ms FROM reading_session WHERE session_id = ?')
      .get(sessionId);
    return { activeMs: row?.active_ms ?? 0 };
  }

  dashboard(filter: StatsFilter): Dashboard {
    // New measurement/classification versions are parsed for agreement before the read transaction.
    this.#agreement.refresh();
    const run = this.#db.transaction(() => this.#dashboard(filter));
    return run.deferred();
  }

  /**
   * Reading time from stats_reading (migration 0023: per reader and study, the sessions' active
   * time): per reader its studies, total, median (by position in the (reader, ms) index) and
   * buckets (studies at or above each bucket's lower bound), without reading every study's row.
   */
  #readingKept(filter: StatsFilter): Dashboard['readingTime'] {
    const db = this.#db;
    const c = new Conditions();
    const readers = db
      .prepare<Params, { reader: string; studies: number; total: number }>(
        `SELECT reader, count(*) AS studies, sum(ms) AS total FROM stats_reading INDEXED BY stats_reading_by_time
          WHERE 1 = 1 ${c.in('reader', filter.readers)} GROUP BY reader`,
      )
      .all(c.params);
    const at = db
      .prepare<[string, number], number>(
        'SELECT ms FROM stats_reading INDEXED BY stats_reading_by_time WHERE reader = ? ORDER BY ms LIMIT 1 OFFSET ?',
      )
      .pluck();
    const atLeast = db
      .prepare<[string, number], number>(
        'SELECT count(*) FROM stats_reading INDEXED BY stats_reading_by_time WHERE reader = ? AND ms >= ?',
      )
      .pluck();
    return readers
      .sort((a, b) => a.reader.localeCompare(b.reader))
      .map(({ reader, studies, total }) => {
        const middle = Math.floor(studies / 2);
        const upper = at.get(reader, middle)!;
        const medianMs = studies % 2 === 1 ? upper : (at.get(reader, middle - 1)! + upper) / 2;
        // Studies at or above each lower bound; a bucket holds those below the next bound.
        const above = READING_BUCKETS_MIN.map((lower, i) =>
          i === 0 ? studies : atLeast.get(reader, lower * 60_000)!,
        );
        const buckets = above.map((n, i) => n - (above[i + 1] ?? 0));
        return { reader, studies, totalMs: total, meanMs: total / studies, medianMs, buckets };
      });
  }

  /** Reading time counted from the sessions (per reader and study, then per reader). */
  #readingCounted(filter: StatsFilter): Dashboard['readingTime'] {
    const all = <T>(sql: string, params: Params = {}): T[] => this.#db.prepare<Params, T>(sql).all(params);
    const rt = new Conditions();
    const rtWhere = rt.in('reader', filter.readers) + rt.range('updated_at', filter);
    const sessions = all<{ reader: string; ms: number }>(
      `SELECT reader, sum(active_ms) AS ms FROM reading_session WHERE 1 = 1 ${rtWhere}
        GROUP BY reader, study_uid ORDER BY reader, ms`,
      rt.params,
    );
    const readingByReader = new Map<string, number[]>();
    for (const row of sessions) {
      const list = readingByReader.get(row.reader) ?? [];
      list.push(row.ms);
      readingByReader.set(row.reader, list);
    }
    return [...readingByReader]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reader, times]) => {
        const totalMs = times.reduce((s, t) => s + t, 0);
        const buckets: number[] = READING_BUCKETS_MIN.map(() => 0);
        for (const t of times) buckets[readingBucket(t)]!++;
        return {
          reader,
          studies: times.length,
          totalMs,
          meanMs: totalMs / times.length,
          medianMs: median(times),
          buckets,
        };
      });
  }

  #dashboard(filter: StatsFilter): Dashboard {
    const db = this.#db;
    const all = <T>(sql: string, params: Params = {}): T[] => db.prepare<Params, T>(sql).all(params);
    const one = <T>(sql: string, params: Params = {}): T => db.prepare<Params, T>(sql).get(params)!;

    const studies = one<{ n: number }>('SELECT count(*) AS n FROM study').n;
    // Which figures can be read from the aggregates migration 0023 keeps (docs/statistics.md
    // "Speed"): they hold counts over every time, so a date filter counts from the facts.
    const kept = !this.#reference;
    const undated = filter.from === undefined && filter.to === undefined;
    const byReader = (filter.readers?.length ?? 0) > 0;
    const byLabel = (filter.labelIds?.length ?? 0) > 0;
    // Who rated a current version: its author for a reader's work, the source for a model's.
    const rater = `CASE WHEN v.source = 'human' OR v.is_decision = 1 THEN v.author ELSE v.source END`;

    // --- Live heads (current annotations) under the filters, as (study, rater, label, kind) rows.
    const heads = new Conditions();
    const headWhere =
      heads.in('v.author', filter.readers) +
      heads.in('v.label_id', filter.labelIds) +
      heads.range('v.created_at', filter);
    const headSql = `FROM annotation_fact v INDEXED BY annotation_fact_live WHERE v.head = 1 AND v.head_deleted = 0 ${headWhere}`;
    const groups = new Conditions();
    const byLabelReader =
      kept && undated
        ? all<{ label: string; rater: string; kind: string; n: number }>(
            `SELECT v.label AS label, ${rater} AS rater, v.kind AS kind, sum(v.n) AS n
               FROM stats_head_group v
              WHERE v.no_label = 0 ${groups.in('v.author', filter.readers)}${groups.in('v.label', filter.labelIds)}
              GROUP BY v.label, rater, v.kind`,
            groups.params,
          )
        : all<{ label: string; rater: string; kind: string; n: number }>(
            `SELECT v.label_id AS label, ${rater} AS rater, v.kind AS kind, count(*) AS n
               ${headSql} AND v.label_id IS NOT NULL GROUP BY v.label_id, rater, v.kind`,
            heads.params,
          );
    // Segmentations: the labels of each labelmap head's segments.
    const labelmapSource = hasColumn(db, 'labelmap_version', 'source') ? 'v.source' : `'human'`;
    const lm = new Conditions();
    const lmWhere = lm.in('v.author', filter.readers) + lm.range('v.created_at', filter);
    const segmentRows = all<{ label: string | null; rater: string; n: number; studies: number }>(
      `SELECT json_extract(s.value, '$.labelId') AS label,
              CASE WHEN ${labelmapSource} = 'human' THEN v.author ELSE ${labelmapSource} END AS rater,
              count(*) AS n, count(DISTINCT v.study_uid) AS studies
         FROM labelmap_version v, json_each(v.segments) s
        WHERE v.deleted = 0 ${lmWhere}
          AND NOT EXISTS (SELECT 1 FROM labelmap_version c WHERE c.parent_id = v.version_id)
        GROUP BY label, rater`,
      lm.params,
    ).filter(
      (r): r is { label: string; rater: string; n: number; studies: number } =>
        r.label !== null && (!filter.labelIds?.length || filter.labelIds.includes(r.label)),
    );
    const labelRows = [...byLabelReader, ...segmentRows.map((r) => ({ ...r, kind: 'segmentation' }))];
    const annotationsByLabel = labelRows
      .map((r) => ({ labelId: r.label, reader: r.rater, annotations: r.n }))
      .reduce(
        sumBy((r) => `${r.labelId}\u0000${r.reader}`, 'annotations'),
        [] as Array<{
          labelId: string;
          reader: string;
          annotations: number;
        }>,
      )
      .sort((a, b) => a.labelId.localeCompare(b.labelId) || a.reader.localeCompare(b.reader));
    // Per label over every rater: annotations and distinct studies (one more aggregate, not a sum).
    const labelGroups = new Conditions();
    const distribution =
      kept && undated && !byReader
        ? all<{ label: string; kind: string; n: number; studies: number }>(
            `SELECT v.label AS label, min(v.kind) AS kind, sum(v.n) AS n, l.studies AS studies
               FROM stats_head_group v JOIN stats_label l ON l.label = v.label
              WHERE v.no_label = 0 ${labelGroups.in('v.label', filter.labelIds)}
              GROUP BY v.label`,
            labelGroups.params,
          )
        : all<{ label: string; kind: string; n: number; studies: number }>(
            `SELECT v.label_id AS label, min(v.kind) AS kind, count(*) AS n, count(DISTINCT v.study_uid) AS studies
               ${headSql} AND v.label_id IS NOT NULL GROUP BY v.label_id`,
            heads.params,
          );
    const segmentStudies = all<{ label: string | null; n: number; studies: number }>(
      `SELECT json_extract(s.value, '$.labelId') AS label, count(*) AS n, count(DISTINCT v.study_uid) AS studies
         FROM labelmap_version v, json_each(v.segments) s
        WHERE v.deleted = 0 ${lmWhere}
          AND NOT EXISTS (SELECT 1 FROM labelmap_version c WHERE c.parent_id = v.version_id)
        GROUP BY label`,
      lm.params,
    );
    const labelDistribution = [
      ...distribution.map((r) => ({ labelId: r.label, kind: r.kind, annotations: r.n, studies: r.studies })),
      ...segmentStudies
        .filter((r): r is { label: string; n: number; studies: number } => r.label !== null)
        .filter((r) => !filter.labelIds?.length || filter.labelIds.includes(r.label))
        .map((r) => ({ labelId: r.label, kind: 'segmentation', annotations: r.n, studies: r.studies })),
    ].sort((a, b) => b.annotations - a.annotations || a.labelId.localeCompare(b.labelId));

    // --- Study states: the latest status row (filtered), else draft when it has current annotations.
    const st = new Conditions();
    const statusWhere = st.in('reader', filter.readers) + st.range('changed_at', filter);
    const plain = kept && undated && !byReader && !byLabel;
    const latestByStudy = plain
      ? all<{ status: StudyState; n: number }>(
          `SELECT s.status AS status, count(*) AS n FROM stats_study s INDEXED BY stats_study_states
            WHERE s.statuses > 0 AND s.study IN (SELECT study_uid FROM study) GROUP BY s.status`,
        )
      : all<{ status: StudyState; n: number }>(
          `SELECT s.status AS status, count(*) AS n FROM study_annotation_status s
         JOIN (SELECT max(seq) AS seq FROM study_annotation_status WHERE 1 = 1 ${statusWhere} GROUP BY study_uid) l
           ON l.seq = s.seq
        WHERE s.study_uid IN (SELECT study_uid FROM study)
        GROUP BY s.status`,
          st.params,
        );
    const draftOnly = new Conditions();
    const draftHeads =
      draftOnly.in('v.author', filter.readers) +
      draftOnly.in('v.label_id', filter.labelIds) +
      draftOnly.range('v.created_at', filter);
    const draftStatus = draftOnly.in('s.reader', filter.readers) + draftOnly.range('s.changed_at', filter);
    const drafts = plain
      ? one<{ n: number }>(
          `SELECT count(*) AS n FROM stats_study s INDEXED BY stats_study_drafts
            WHERE s.live > 0 AND s.statuses = 0 AND s.study IN (SELECT study_uid FROM study)`,
        ).n
      : one<{ n: number }>(
          `SELECT count(DISTINCT v.study_uid) AS n FROM annotation_fact v INDEXED BY annotation_fact_live
        WHERE v.head = 1 AND v.head_deleted = 0 ${draftHeads}
          AND v.study_uid IN (SELECT study_uid FROM study)
          AND NOT EXISTS (SELECT 1 FROM study_annotation_status s WHERE s.study_uid = v.study_uid ${draftStatus})`,
          draftOnly.params,
        ).n;
    const stateCount = new Map<StudyState, number>([
      ['draft', drafts],
      ['complete', 0],
      ['verified', 0],
    ]);
    for (const row of latestByStudy) stateCount.set(row.status, (stateCount.get(row.status) ?? 0) + row.n);
    const touched = [...stateCount.values()].reduce((s, n) => s + n, 0);
    const studiesByState = (['none', 'draft', 'complete', 'verified'] as const).map((state) => ({
      state,
      studies: state === 'none' ? Math.max(0, studies - touched) : (stateCount.get(state) ?? 0),
    }));

    // --- Progress per reader: each reader's latest status row per study, else draft if they annotated.
    const pr = new Conditions();
    const prStatus = pr.in('reader', filter.readers) + pr.range('changed_at', filter);
    const readerStates = new Conditions();
    const perReader =
      kept && undated
        ? all<{ reader: string; status: string; n: number }>(
            `SELECT s.reader AS reader, s.status AS status, count(*) AS n
             FROM stats_reader_study s INDEXED BY stats_reader_study_states
            WHERE s.statuses > 0 ${readerStates.in('s.reader', filter.readers)} GROUP BY s.reader, s.status`,
            readerStates.params,
          )
        : all<{ reader: string; status: string; n: number }>(
            `SELECT s.reader AS reader, s.status AS status, count(*) AS n FROM study_annotation_status s
         JOIN (SELECT max(seq) AS seq FROM study_annotation_status WHERE 1 = 1 ${prStatus}
                GROUP BY study_uid, reader) l ON l.seq = s.seq
        GROUP BY s.reader, s.status`,
            pr.params,
          );
    const prd = new Conditions();
    const prdHeads =
      prd.in('v.author', filter.readers) +
      prd.in('v.label_id', filter.labelIds) +
      prd.range('v.created_at', filter);
    const prdStatus = prd.range('s.changed_at', filter);
    const readerDraftRows = new Conditions();
    const readerDrafts =
      kept && undated && !byLabel
        ? all<{ reader: string; n: number }>(
            `SELECT s.reader AS reader, count(*) AS n FROM stats_reader_study s INDEXED BY stats_reader_study_drafts
            WHERE s.human_live > 0 AND s.statuses = 0 ${readerDraftRows.in('s.reader', filter.readers)}
            GROUP BY s.reader`,
            readerDraftRows.params,
          )
        : all<{ reader: string; n: number }>(
            `SELECT v.author AS reader, count(DISTINCT v.study_uid) AS n
         FROM annotation_fact v INDEXED BY annotation_fact_live
        WHERE v.head = 1 AND v.head_deleted = 0 AND v.source = 'human' ${prdHeads}
          AND NOT EXISTS (SELECT 1 FROM study_annotation_status s
                           WHERE s.study_uid = v.study_uid AND s.reader = v.author ${prdStatus})
        GROUP BY v.author`,
            prd.params,
          );
    const progress = new Map<string, { reader: string; draft: number; complete: number; verified: number }>();
    const entry = (reader: string) => {
      let e = progress.get(reader);
      if (!e) {
        e = { reader, draft: 0, complete: 0, verified: 0 };
        progress.set(reader, e);
      }
      return e;
    };
    for (const row of perReader)
      if (row.status === 'draft' || row.status === 'complete' || row.status === 'verified')
        entry(row.reader)[row.status] += row.n;
    for (const row of readerDrafts) entry(row.reader).draft += row.n;
    const progressByReader = [...progress.values()].sort((a, b) => a.reader.localeCompare(b.reader));

    // --- Reading time: per reader and study, then per reader.
    const readingTime = kept && undated ? this.#readingKept(filter) : this.#readingCounted(filter);

    // --- AI findings and decisions: per finding (chain with an AI version), each reader's latest decision.
    // One aggregate: findings per model and label, each counted with its readers' latest decisions.
    // The segments of an AI SEG (migration 0019, main/ai/segments.ts) are findings too: one per
    // segment of each AI labelmap version, decided per reader in ai_segment_decision (the newest row
    // of a reader wins; `undone` is back to undecided).
    const ai = new Conditions();
    // Without a reader or date filter the findings (not the AI SEG segments) are read from the
    // totals per model and label migration 0023 keeps (stats_ai_total).
    const aiKept = kept && undated && !byReader;
    let findingCtes = '';
    let findingBranch = '';
    let keptFindings = '';
    if (aiKept) {
      keptFindings = `UNION ALL
         SELECT t.model, t.label, t.findings, t.accepted, t.edited, t.rejected, t.pending FROM stats_ai_total t
          WHERE 1 = 1 ${ai.in('t.model', filter.models)}${byLabel ? ` AND t.no_label = 0 ${ai.in('t.label', filter.labelIds)}` : ''}`;
    } else {
      const aiWhere = ai.in('substr(v.source, 4)', filter.models) + ai.in('v.label_id', filter.labelIds);
      // Each reader's latest decision per finding. Without a date filter it is read from the covering
      // index alone (SQLite takes the bare `decision` from the row with max(seq)); a date filter
      // applies to that latest decision's time, which only the row has.
      const latestDecisions = !undated
        ? `SELECT d.annotation_uid AS uid, d.decision AS decision FROM annotation_fact d
             JOIN (SELECT x.annotation_uid, x.author, max(x.seq) AS seq FROM annotation_fact x
                    WHERE x.is_decision = 1 GROUP BY x.annotation_uid, x.author) l ON l.seq = d.seq
            WHERE 1 = 1 ${ai.in('d.author', filter.readers)}${ai.range('d.created_at', filter)}`
        : `SELECT x.annotation_uid AS uid, max(x.seq) AS seq, x.decision AS decision
             FROM annotation_fact x INDEXED BY annotation_fact_decisions
            WHERE x.is_decision = 1 ${ai.in('x.author', filter.readers)}
            GROUP BY x.annotation_uid, x.author`;
      findingCtes = `finding AS (
         SELECT v.annotation_uid AS uid, substr(v.source, 4) AS model, coalesce(v.label_id, '') AS label
           FROM annotation_fact v
          WHERE v.seq IN (SELECT max(a.seq) FROM annotation_fact a INDEXED BY annotation_fact_by_source
                           WHERE a.source >= 'ai:' AND a.source < 'ai;' AND a.is_decision = 0
                           GROUP BY a.annotation_uid) ${aiWhere}),
       latest AS (${latestDecisions}),
       decided AS (
         SELECT uid, sum(decision = 'accepted') AS accepted, sum(decision = 'edited') AS edited,
                sum(decision = 'rejected') AS rejected
           FROM latest GROUP BY uid),`;
      findingBranch = `SELECT f.model, f.label, c.accepted, c.edited, c.rejected FROM finding f LEFT JOIN decided c ON c.uid = f.uid
         UNION ALL`;
    }
    const segWhere =
      ai.in('substr(v.source, 4)', filter.models) +
      ai.in(`coalesce(json_extract(j.value, '$.labelId'), '')`, filter.labelIds);
    const sdWhere = ai.in('d.reader', filter.readers) + ai.range('d.at', filter);
    const aiRows = all<Dashboard['aiDecisions'][number]>(
      `WITH ${findingCtes}
       segment AS (
         SELECT s.version_id AS vid, json_extract(j.value, '$.segmentIndex') AS idx,
                substr(v.source, 4) AS model, coalesce(json_extract(j.value, '$.labelId'), '') AS label
           FROM ai_segmentation s JOIN labelmap_version v ON v.version_id = s.version_id, json_each(v.segments) j
          WHERE v.deleted = 0 ${segWhere}),
       segment_decided AS (
         SELECT d.ai_version_id AS vid, d.segment_index AS idx, sum(d.decision = 'accepted') AS accepted,
                sum(d.decision = 'edited') AS edited, sum(d.decision = 'rejected') AS rejected
           FROM ai_segment_decision d
           JOIN (SELECT max(seq) AS seq FROM ai_segment_decision GROUP BY ai_version_id, segment_index, reader) l
             ON l.seq = d.seq
          WHERE 1 = 1 ${sdWhere}
          GROUP BY d.ai_version_id, d.segment_index),
       counted AS (
         ${findingBranch}
         SELECT g.model, g.label, c.accepted, c.edited, c.rejected
           FROM segment g LEFT JOIN segment_decided c ON c.vid = g.vid AND c.idx = g.idx),
       part AS (
         SELECT model, label, count(*) AS findings,
                coalesce(sum(accepted), 0) AS accepted, coalesce(sum(edited), 0) AS edited,
                coalesce(sum(rejected), 0) AS rejected,
                sum(coalesce(accepted + edited + rejected, 0) = 0) AS pending
           FROM counted GROUP BY model, label
         ${keptFindings})
       SELECT model, label AS labelId, sum(findings) AS findings, sum(accepted) AS accepted,
              sum(edited) AS edited, sum(rejected) AS rejected, sum(pending) AS pending
         FROM part
        GROUP BY model, label`,
      ai.params,
    );
    const aiDecisions = aiRows.sort(
      (a, b) => a.model.localeCompare(b.model) || a.labelId.localeCompare(b.labelId),
    );

    // --- What the filters offer (unfiltered).
    const readers = all<{ r: string }>(
      kept
        ? `SELECT DISTINCT value AS r FROM stats_option WHERE kind IN ('author', 'status', 'reading') ORDER BY 1`
        : `SELECT DISTINCT author AS r FROM annotation_fact WHERE source = 'human'
           UNION SELECT DISTINCT reader FROM study_annotation_status
           UNION SELECT DISTINCT reader FROM reading_session ORDER BY 1`,
    ).map((r) => r.r);
    const labels = all<{ l: string }>(
      kept
        ? `SELECT value AS l FROM stats_option WHERE kind = 'label' ORDER BY 1`
        : 'SELECT DISTINCT label_id AS l FROM annotation_fact WHERE label_id IS NOT NULL ORDER BY 1',
    ).map((r) => r.l);
    const models = all<{ m: string }>(
      `${
        kept
          ? `SELECT value AS m FROM stats_option WHERE kind = 'model'`
          : `SELECT DISTINCT substr(source, 4) AS m FROM annotation_fact WHERE source >= 'ai:' AND source < 'ai;'`
      }
       UNION SELECT DISTINCT substr(v.source, 4) FROM ai_segmentation s
               JOIN labelmap_version v ON v.version_id = s.version_id
       ORDER BY 1`,
    ).map((r) => r.m);
    const segmentLabels = all<{ l: string | null }>(
      `SELECT DISTINCT json_extract(s.value, '$.labelId') AS l FROM labelmap_version v, json_each(v.segments) s`,
    )
      .map((r) => r.l)
      .filter((l): l is string => l !== null);

    const agreement = this.#agreement.project({
      toleranceMm: DEFAULT_MATCH_TOLERANCE_MM,
      readers: filter.readers,
      models: filter.models,
      labelIds: filter.labelIds,
    });

    return {
      generatedAt: this.#now(),
      options: { readers, labels: [...new Set([...labels, ...segmentLabels])].sort(), models },
      totals: {
        studies,
        annotations: labelRows.reduce((s, r) => s + r.n, 0),
        readers: progressByReader.length,
        aiFindings: aiRows.reduce((sum, r) => sum + r.findings, 0),
        readingMs: readingTime.reduce((s, r) => s + r.totalMs, 0),
      },
      studiesByState,
      progressByReader,
      annotationsByLabel,
      labelDistribution,
      readingTime,
      aiDecisions,
      agreement,
    };
  }
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A reducer that adds rows with the same key (the sum of `field`). */
function sumBy<T extends Record<string, unknown>>(key: (row: T) => string, field: keyof T) {
  const index = new Map<string, T>();
  return (out: T[], row: T): T[] => {
    const k = key(row);
    const existing = index.get(k);
    if (existing) (existing[field] as number) += row[field] as number;
    else {
      const copy = { ...row };
      index.set(k, copy);
      out.push(copy);
    }
    return out;
  };
}
