/**
 * The dashboard's figures from its numbers (shared/stats.ts `Dashboard`): for each, an ECharts
 * option (plain JSON, no functions: the renderer draws it with the SVG renderer and sends the very
 * same object to main for a PNG) and its table (the CSV). Texts come in through `FigureStrings`,
 * already in the reader's language. Pure: no Node, no DOM, no ECharts import.
 */
import type { Dashboard, FigureId, StudyState } from './stats.js';
import { READING_BUCKETS_MIN } from './stats.js';

export interface FigureStrings {
  titles: Record<FigureId, string>;
  states: Record<StudyState, string>;
  decisions: { accepted: string; edited: string; rejected: string; pending: string };
  axis: {
    studies: string;
    annotations: string;
    reader: string;
    label: string;
    minutes: string;
    findings: string;
    value: string;
  };
  columns: Record<string, string>;
  /** "Dice", "κ (question)", "relative error" … */
  agreement: { dice: string; kappa: (questionId: string) => string; relativeError: string; fleiss: string };
  buckets: string[];
  labelName: (labelId: string) => string;
  raterName: (rater: string) => string;
  noData: string;
}

export interface Figure {
  id: FigureId;
  title: string;
  option: Record<string, unknown>;
  table: { header: string[]; rows: Array<Array<string | number>> };
  empty: boolean;
}

/** Colours by meaning, the same in every chart. */
export const COLORS = {
  none: '#9aa5b1',
  draft: '#f0b429',
  complete: '#3e8ed0',
  verified: '#2f9e44',
  accepted: '#2f9e44',
  edited: '#3e8ed0',
  rejected: '#e03131',
  pending: '#9aa5b1',
  palette: [
    '#3e8ed0',
    '#f08c00',
    '#2f9e44',
    '#ae3ec9',
    '#e03131',
    '#0ca678',
    '#5c7cfa',
    '#d6336c',
    '#868e96',
  ],
} as const;

const TEXT = { fontFamily: 'Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans-serif', color: '#1f2933' };

function base(title: string, legend: boolean): Record<string, unknown> {
  return {
    animation: false,
    color: [...COLORS.palette],
    textStyle: TEXT,
    title: { text: title, left: 12, top: 8, textStyle: { fontSize: 15, fontWeight: 600, ...TEXT } },
    tooltip: { trigger: 'axis', confine: true },
    ...(legend ? { legend: { top: 34, left: 12, right: 12, type: 'scroll', itemGap: 14 } } : {}),
    grid: { left: 16, right: 32, top: legend ? 84 : 60, bottom: 16, containLabel: true },
  };
}

function categoryAxis(data: string[], name: string): Record<string, unknown> {
  return {
    type: 'category',
    data,
    name,
    nameLocation: 'middle',
    nameGap: 30,
    nameTextStyle: { color: '#52606d' },
    axisLabel: {
      interval: 0,
      rotate: data.length > 6 ? 30 : 0,
      hideOverlap: false,
      width: 160,
      overflow: 'truncate',
    },
  };
}

/** A value axis named at its end (above a vertical axis): never under the tick labels. */
function valueAxis(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'value',
    name,
    nameLocation: 'end',
    nameGap: 10,
    nameTextStyle: { align: 'left', color: '#52606d' },
    minInterval: 1,
    ...extra,
  };
}

const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;
const minutes = (ms: number): number => round(ms / 60000, 2);

export function buildFigures(dashboard: Dashboard, s: FigureStrings): Figure[] {
  return [
    studiesByState(dashboard, s),
    progressByReader(dashboard, s),
    annotationsByLabel(dashboard, s),
    labelDistribution(dashboard, s),
    readingTime(dashboard, s),
    aiDecisions(dashboard, s),
    agreement(dashboard, s),
  ];
}

function studiesByState(d: Dashboard, s: FigureStrings): Figure {
  const title = s.titles['studies-by-state'];
  const rows = d.studiesByState;
  return {
    id: 'studies-by-state',
    title,
    empty: rows.every((r) => r.studies === 0),
    option: {
      ...base(title, false),
      xAxis: categoryAxis(
        rows.map((r) => s.states[r.state]),
        '',
      ),
      yAxis: valueAxis(s.axis.studies),
      series: [
        {
          type: 'bar',
          name: s.axis.studies,
          barMaxWidth: 56,
          label: { show: true, position: 'top' },
          data: rows.map((r) => ({ value: r.studies, itemStyle: { color: COLORS[r.state] } })),
        },
      ],
    },
    table: {
      header: [s.columns['state']!, s.columns['studies']!],
      rows: rows.map((r) => [s.states[r.state], r.studies]),
    },
  };
}

function progressByReader(d: Dashboard, s: FigureStrings): Figure {
  const title = s.titles['progress-by-reader'];
  const rows = d.progressByReader;
  const states = ['draft', 'complete', 'verified'] as const;
  return {
    id: 'progress-by-reader',
    title,
    empty: rows.length === 0,
    option: {
      ...base(title, true),
      yAxis: {
        ...categoryAxis(
          rows.map((r) => s.raterName(r.reader)),
          '',
        ),
        axisLabel: { interval: 0 },
      },
      xAxis: valueAxis(s.axis.studies, {
        nameLocation: 'middle',
        nameGap: 26,
        nameTextStyle: { color: '#52606d' },
      }),
      grid: { left: 16, right: 32, top: 84, bottom: 32, containLabel: true },
      series: states.map((state) => ({
        type: 'bar',
        name: s.states[state],
        stack: 'state',
        itemStyle: { color: COLORS[state] },
        data: rows.map((r) => ({ value: r[state], label: { show: r[state] > 0 } })),
      })),
    },
    table: {
      header: [s.columns['reader']!, ...states.map((state) => s.states[state])],
      rows: rows.map((r) => [r.reader, r.draft, r.complete, r.verified]),
    },
  };
}

function annotationsByLabel(d: Dashboard, s: FigureStrings): Figure {
  const title = s.titles['annotations-by-label'];
  const labels = [...new Set(d.annotationsByLabel.map((r) => r.labelId))];
  const readers = [...new Set(d.annotationsByLabel.map((r) => r.reader))];
  const count = new Map(d.annotationsByLabel.map((r) => [`${r.labelId}\u0000${r.reader}`, r.annotations]));
  return {
    id: 'annotations-by-label',
    title,
    empty: labels.length === 0,
    option: {
      ...base(title, true),
      xAxis: categoryAxis(labels.map(s.labelName), ''),
      yAxis: valueAxis(s.axis.annotations),
      series: readers.map((reader) => ({
        type: 'bar',
        name: s.raterName(reader),
        stack: 'reader',
        data: labels.map((label) => count.get(`${label}\u0000${reader}`) ?? 0),
      })),
    },
    table: {
      header: [s.columns['label']!, s.columns['reader']!, s.columns['annotations']!],
      rows: d.annotationsByLabel.map((r) => [r.labelId, r.reader, r.annotations]),
    },
  };
}

function labelDistribution(d: Dashboard, s: FigureStrings): Figure {
  const title = s.titles['label-distribution'];
  const rows = d.labelDistribution;
  return {
    id: 'label-distribution',
    title,
    empty: rows.length === 0,
    option: {
      ...base(title, true),
      tooltip: { trigger: 'item', confine: true },
      series: [
        {
          type: 'pie',
          name: s.axis.annotations,
          radius: ['35%', '62%'],
          center: ['50%', '60%'],
          avoidLabelOverlap: true,
          label: { formatter: '{b}: {c} ({d}%)' },
          data: rows.map((r) => ({ name: s.labelName(r.labelId), value: r.annotations })),
        },
      ],
    },
    table: {
      header: [s.columns['label']!, s.columns['kind']!, s.columns['annotations']!, s.columns['studies']!],
      rows: rows.map((r) => [r.labelId, r.kind, r.annotations, r.studies]),
    },
  };
}

function readingTime(d: Dashboard, s: FigureStrings): Figure {
  const title = s.titles['reading-time'];
  const rows = d.readingTime;
  return {
    id: 'reading-time',
    title,
    empty: rows.length === 0,
    option: {
      ...base(title, true),
      grid: { left: 16, right: 32, top: 84, bottom: 36, containLabel: true },
      xAxis: categoryAxis(s.buckets, s.axis.minutes),
      yAxis: valueAxis(s.axis.studies),
      series: rows.map((r) => ({ type: 'bar', name: s.raterName(r.reader), data: r.buckets })),
    },
    table: {
      header: [
        s.columns['reader']!,
        s.columns['studies']!,
        s.columns['totalMin']!,
        s.columns['meanMin']!,
        s.columns['medianMin']!,
        ...s.buckets,
      ],
      rows: rows.map((r) => [
        r.reader,
        r.studies,
        minutes(r.totalMs),
        minutes(r.meanMs),
        minutes(r.medianMs),
        ...r.buckets,
      ]),
    },
  };
}

function aiDecisions(d: Dashboard, s: FigureStrings): Figure {
  const title = s.titles['ai-decisions'];
  const rows = d.aiDecisions;
  const kinds = ['accepted', 'edited', 'rejected', 'pending'] as const;
  const rate = (n: number, total: number) => (total > 0 ? round(n / total, 4) : 0);
  return {
    id: 'ai-decisions',
    title,
    empty: rows.length === 0,
    option: {
      ...base(title, true),
      xAxis: categoryAxis(
        rows.map((r) => `${r.model} · ${s.labelName(r.labelId)}`),
        '',
      ),
      yAxis: valueAxis(s.axis.findings),
      series: kinds.map((kind) => ({
        type: 'bar',
        name: s.decisions[kind],
        stack: 'decision',
        itemStyle: { color: COLORS[kind] },
        data: rows.map((r) => r[kind]),
      })),
    },
    table: {
      header: [
        s.columns['model']!,
        s.columns['label']!,
        s.columns['findings']!,
        ...kinds.map((k) => s.decisions[k]),
        s.columns['acceptRate']!,
        s.columns['editRate']!,
        s.columns['rejectRate']!,
      ],
      rows: rows.map((r) => {
        const decided = r.accepted + r.edited + r.rejected;
        return [
          r.model,
          r.labelId,
          r.findings,
          r.accepted,
          r.edited,
          r.rejected,
          r.pending,
          rate(r.accepted, decided),
          rate(r.edited, decided),
          rate(r.rejected, decided),
        ];
      }),
    },
  };
}

function agreement(d: Dashboard, s: FigureStrings): Figure {
  const title = s.titles['agreement'];
  const pairs = d.agreement.pairs;
  const questions = [...new Set(pairs.flatMap((p) => p.classifications.map((c) => c.questionId)))];
  const categories = pairs.map((p) => `${s.raterName(p.raterA)} – ${s.raterName(p.raterB)}`);
  const value = (v: number | null | undefined) => (v === null || v === undefined ? '-' : round(v));
  const series: Array<Record<string, unknown>> = [
    { type: 'bar', name: s.agreement.dice, data: pairs.map((p) => value(p.segments.meanDice)) },
    ...questions.map((q) => ({
      type: 'bar',
      name: s.agreement.kappa(q),
      data: pairs.map((p) => value(p.classifications.find((c) => c.questionId === q)?.kappa)),
    })),
    {
      type: 'bar',
      name: s.agreement.relativeError,
      data: pairs.map((p) => value(p.measurements.meanRelativeError)),
    },
  ];
  const rows: Array<Array<string | number>> = pairs.map((p) => [
    p.raterA,
    p.raterB,
    p.kind,
    p.studies,
    p.segments.count,
    value(p.segments.meanDice),
    value(p.segments.meanHd95),
    p.segments.hd95Undefined,
    p.measurements.matched,
    p.measurements.unmatched,
    value(p.measurements.meanRelativeError),
    ...questions.map((q) => value(p.classifications.find((c) => c.questionId === q)?.kappa)),
  ]);
  for (const f of d.agreement.fleiss)
    rows.push([
      s.agreement.fleiss,
      f.raters.join(' '),
      'fleiss',
      f.items,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      ...questions.map((q) => (q === f.questionId ? value(f.kappa) : '')),
    ]);
  return {
    id: 'agreement',
    title,
    empty: pairs.length === 0,
    option: {
      ...base(title, true),
      // Pairs down the side (their names are long), values across.
      yAxis: { ...categoryAxis(categories, ''), inverse: true, axisLabel: { interval: 0 } },
      xAxis: valueAxis(s.axis.value, {
        minInterval: 0,
        min: -0.2,
        max: 1,
        nameLocation: 'middle',
        nameGap: 26,
        nameTextStyle: { color: '#52606d' },
      }),
      grid: { left: 16, right: 32, top: 84, bottom: 32, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
      series,
    },
    table: {
      header: [
        s.columns['raterA']!,
        s.columns['raterB']!,
        s.columns['pairKind']!,
        s.columns['studies']!,
        s.columns['segments']!,
        s.columns['meanDice']!,
        s.columns['meanHd95']!,
        s.columns['hd95Undefined']!,
        s.columns['matched']!,
        s.columns['unmatched']!,
        s.columns['meanRelativeError']!,
        ...questions.map((q) => s.agreement.kappa(q)),
      ],
      rows,
    },
  };
}

/** A figure's table as CSV (RFC 4180, CRLF), after a line with the research-use notice. */
export function figureCsv(figure: Figure, notice: string): string {
  const cell = (value: string | number): string => {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [cell(`# ${notice}`), figure.table.header.map(cell).join(',')];
  for (const row of figure.table.rows) lines.push(row.map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Bucket index of a reading time (READING_BUCKETS_MIN). */
export function readingBucket(ms: number): number {
  const min = ms / 60000;
  let index = 0;
  READING_BUCKETS_MIN.forEach((lower, i) => {
    if (min >= lower) index = i;
  });
  return index;
}
