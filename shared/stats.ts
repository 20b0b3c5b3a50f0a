/**
 * The project's statistics (issue #11 item 4) in the contract: `stats.dashboard` (every figure's
 * numbers, from SQL aggregates in main/stats/), `stats.recordReading` (active reading time) and
 * `stats.exportPng` (a chart drawn by main with ECharts' server-side SVG renderer and resvg, so an
 * export is the same offline in Electron and the web host). docs/statistics.md. Pure: zod only.
 */
import { z } from 'zod';
import { Uid, method } from './contract-parts.js';
import { ProjectAgreement } from './agreement.js';

/** Reading time: gaps between two activities longer than this are idle and not counted. */
export const IDLE_AFTER_MS = 2 * 60 * 1000;

export const StatsFilter = z
  .object({
    /** Only these readers (ids); every reader when absent or empty. */
    readers: z.array(z.string().max(128)).max(200).optional(),
    /** Only these schema labels. */
    labelIds: z.array(z.string().max(64)).max(500).optional(),
    /** Only these models (`<model>` of `ai:<model>`) in the AI figures. */
    models: z.array(z.string().max(140)).max(50).optional(),
    /** Epoch ms, inclusive: versions, status changes and reading made from … to. */
    from: z.number().int().min(0).optional(),
    to: z.number().int().min(0).optional(),
  })
  .strict();
export type StatsFilter = z.infer<typeof StatsFilter>;

export const StudyState = z.enum(['none', 'draft', 'complete', 'verified']);
export type StudyState = z.infer<typeof StudyState>;

/**
 * Active time of a sequence of activity times (ms): the sum of the gaps of at most `idleAfterMs`
 * between two activities; a longer gap is idle and counts nothing (the renderer notes pointer, key
 * and wheel activity while a study is open in the viewer).
 */
export class ActiveTime {
  #last: number | null = null;
  #total = 0;
  constructor(readonly idleAfterMs = IDLE_AFTER_MS) {}
  note(now: number): void {
    if (this.#last !== null) {
      const gap = now - this.#last;
      if (gap > 0 && gap <= this.idleAfterMs) this.#total += gap;
    }
    this.#last = now;
  }
  get ms(): number {
    return this.#total;
  }
}

/** Reading-time buckets (minutes per study and reader): [0,1), [1,2), [2,5), [5,10), [10,20), [20,∞). */
export const READING_BUCKETS_MIN = [0, 1, 2, 5, 10, 20] as const;

export const Dashboard = z.object({
  generatedAt: z.number(),
  /** What the filters can choose from (the whole catalog). */
  options: z.object({
    readers: z.array(z.string()),
    labels: z.array(z.string()),
    models: z.array(z.string()),
  }),
  totals: z.object({
    studies: z.number().int(),
    annotations: z.number().int(),
    readers: z.number().int(),
    aiFindings: z.number().int(),
    readingMs: z.number(),
  }),
  /** Studies per state (the study's latest status row; else draft with annotations, else none). */
  studiesByState: z.array(z.object({ state: StudyState, studies: z.number().int() })),
  /** Per reader: studies in each state of that reader (their latest status row, else draft when they annotated). */
  progressByReader: z.array(
    z.object({
      reader: z.string(),
      draft: z.number().int(),
      complete: z.number().int(),
      verified: z.number().int(),
    }),
  ),
  /** Current annotations (heads, not deleted) per label and reader. */
  annotationsByLabel: z.array(
    z.object({ labelId: z.string(), reader: z.string(), annotations: z.number().int() }),
  ),
  /** Current annotations per label: count, studies, kind. */
  labelDistribution: z.array(
    z.object({
      labelId: z.string(),
      kind: z.string(),
      annotations: z.number().int(),
      studies: z.number().int(),
    }),
  ),
  /** Active reading time per reader. */
  readingTime: z.array(
    z.object({
      reader: z.string(),
      studies: z.number().int(),
      totalMs: z.number(),
      meanMs: z.number(),
      medianMs: z.number(),
      /** Studies per bucket of READING_BUCKETS_MIN. */
      buckets: z.array(z.number().int()),
    }),
  ),
  /** Decisions on AI findings by model and label (each reader's latest decision counts once). */
  aiDecisions: z.array(
    z.object({
      model: z.string(),
      labelId: z.string(),
      findings: z.number().int(),
      accepted: z.number().int(),
      edited: z.number().int(),
      rejected: z.number().int(),
      /** Findings no reader decided. */
      pending: z.number().int(),
    }),
  ),
  agreement: ProjectAgreement,
});
export type Dashboard = z.infer<typeof Dashboard>;

/** The id of each figure of the dashboard (CSV and PNG file names, e2e selectors). */
export const FIGURE_IDS = [
  'studies-by-state',
  'progress-by-reader',
  'annotations-by-label',
  'label-distribution',
  'reading-time',
  'ai-decisions',
  'agreement',
] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

/** An ECharts option as plain JSON (what the renderer draws and main draws again for a PNG). */
const ChartOption = z.record(z.string(), z.unknown());

export const statsMethods = {
  'stats.dashboard': method(
    StatsFilter,
    Dashboard,
    'Every figure of the statistics dashboard under the filters (SQL aggregates; agreement per pair of raters).',
  ),
  'stats.recordReading': method(
    z
      .object({
        /** One opening of a study in the viewer (a uuid made by the renderer). */
        sessionId: z.string().uuid(),
        studyInstanceUID: Uid,
        /** Active time so far in this session (ms): grows; a smaller value than stored is ignored. */
        activeMs: z
          .number()
          .int()
          .min(0)
          .max(7 * 24 * 3600 * 1000),
      })
      .strict(),
    z.object({ activeMs: z.number() }),
    'Record the active reading time of one viewer session of a study (the current reader; idle time not counted).',
  ),
  'stats.exportPng': method(
    z
      .object({
        figureId: z.enum(FIGURE_IDS),
        option: ChartOption,
        width: z.number().int().min(200).max(4000),
        height: z.number().int().min(150).max(4000),
        /** The "Research use only" line written under the chart, in the reader's language. */
        notice: z.string().min(1).max(200),
      })
      .strict(),
    z.object({ png: z.string(), width: z.number().int(), height: z.number().int() }),
    'Draw a chart (ECharts option) as a PNG in main (SVG renderer, resvg), with the research-use notice; base64.',
  ),
} as const;
