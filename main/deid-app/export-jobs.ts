/**
 * Export of a stored study as a de-identified folder: one job per request, run through the
 * engine's worker pool (deidentifyTree), with `deid.progress` events and cancellation. Objects
 * held for review are not written; the per-study report lists them.
 */
import crypto from 'node:crypto';
import type { DeidProgressEvent } from '../../shared/contract.js';
import { isAppError } from '../../shared/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { DeidConfig, DeidReport } from '../deid/index.js';
import { deidentifyTree, type DeidProgress, initialProgress, StudyReports } from '../deid/service.js';
import { describeError } from '../rpc/dispatch.js';

/** Progress events at most this often (the last one always goes out). */
const PROGRESS_INTERVAL_MS = 100;
/**
 * After Cancel, how long the job waits for the run to stop by itself. Past it the job ends as
 * cancelled at once, whatever the run still waits on (OCR of a large object, a disk that does
 * not answer); the run is left to finish in the background and its events are dropped.
 */
export const CANCEL_GRACE_MS = 500;
/** How long close() waits for runs left behind by Cancel. */
const CLOSE_GRACE_MS = 5_000;

/** The report of each study's latest export (a new export of a study replaces its report). */
export class LatestStudyReports extends StudyReports {
  readonly #latest = new Map<string, StudyReports>();
  /** Told of each export's start and of each object it holds (the review screen's list, held-review.ts). */
  heldObserver: HeldObserver | null = null;

  /** A fresh report for a study's new export into `outputDir`. */
  begin(studyInstanceUID: string, outputDir?: string): StudyReports {
    const observer = this.heldObserver;
    observer?.exportStarted(studyInstanceUID, outputDir ?? null);
    const reports = observer ? new ObservedStudyReports(observer) : new StudyReports();
    this.#latest.set(studyInstanceUID, reports);
    return reports;
  }

  override get(studyInstanceUID: string) {
    return this.#latest.get(studyInstanceUID)?.get(studyInstanceUID) ?? null;
  }
}

export interface HeldObserver {
  exportStarted(studyInstanceUID: string, outputDir: string | null): void;
  held(report: DeidReport): void;
}

class ObservedStudyReports extends StudyReports {
  constructor(private readonly observer: HeldObserver) {
    super();
  }

  override add(outcome: Parameters<StudyReports['add']>[0]): void {
    super.add(outcome);
    if (outcome.status === 'held') this.observer.held(outcome.report);
  }
}

export interface ExportJobDependencies {
  events: EventBus;
  logger: Logger;
  reports: LatestStudyReports;
  /** Worker threads; undefined = chosen per run (deid/execution.ts), 0 = in this thread. */
  workers?: number;
}

export interface ExportRequest {
  studyInstanceUID: string;
  /** Absolute paths of the study's stored files. */
  files: string[];
  /** Checked and prepared (see output-folder.ts). */
  outputDir: string;
  config: DeidConfig;
  /** Completes the configuration inside the job before anything is written (the defacing plan, deface.ts). */
  prepareConfig?: (config: DeidConfig) => Promise<DeidConfig>;
}

export class StudyExportJobs {
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Runs that a Cancel stopped waiting for; close() gives them a last chance to finish. */
  readonly #leftBehind = new Set<Promise<unknown>>();

  constructor(private readonly deps: ExportJobDependencies) {}

  start(request: ExportRequest): string {
    const jobId = crypto.randomUUID();
    const controller = new AbortController();
    const done = this.#run(jobId, request, controller.signal).finally(() => this.#running.delete(jobId));
    this.#running.set(jobId, { controller, done });
    return jobId;
  }

  cancel(jobId: string): boolean {
    const job = this.#running.get(jobId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  /** Cancels every running export and waits for them to stop. */
  async close(): Promise<void> {
    for (const job of this.#running.values()) job.controller.abort();
    await Promise.all([...this.#running.values()].map((job) => job.done));
    if (this.#leftBehind.size > 0)
      await Promise.race([
        Promise.allSettled([...this.#leftBehind]),
        new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
      ]);
  }

  async #run(jobId: string, request: ExportRequest, signal: AbortSignal): Promise<void> {
    const { events, logger } = this.deps;
    let last: DeidProgress = initialProgress(request.files.length);
    let lastSent = 0;
    let failure: string | null = null;
    // Field by field: the run summary also holds local paths, which stay in main.
    let ended = false;
    const emit = (progress: DeidProgress, finished: boolean): void => {
      // Nothing after the final event (a run left behind by Cancel still reports).
      if (ended) return;
      ended = finished;
      const event: DeidProgressEvent = {
        jobId,
        filesFound: progress.filesFound,
        filesDone: progress.filesDone,
        done: progress.done,
        held: progress.held,
        failed: progress.failed,
        skipped: progress.skipped,
        duplicates: progress.duplicates,
        conflicts: progress.conflicts,
        bytesIn: progress.bytesIn,
        bytesOut: progress.bytesOut,
        finished,
        cancelled: finished && signal.aborted,
        error: finished ? failure : null,
      };
      events.emit('deid.progress', event);
    };
    logger.info({ jobId, objects: request.files.length }, 'deid export started');
    try {
      const config = request.prepareConfig ? await request.prepareConfig(request.config) : request.config;
      const run = deidentifyTree({
        inputs: request.files,
        outputDir: request.outputDir,
        config,
        reports: this.deps.reports.begin(request.studyInstanceUID, request.outputDir),
        signal,
        logger,
        ...(this.deps.workers !== undefined ? { workers: this.deps.workers } : {}),
        onProgress: (progress) => {
          last = progress;
          const now = Date.now();
          if (now - lastSent >= PROGRESS_INTERVAL_MS) {
            lastSent = now;
            emit(progress, false);
          }
        },
      });
      const summary = await untilCancelled(run, signal, CANCEL_GRACE_MS);
      if (!summary) {
        this.#leftBehind.add(run);
        void run.catch(() => undefined).finally(() => this.#leftBehind.delete(run));
        logger.warn({ jobId }, 'deid export cancelled while a step was still running');
        emit(last, true);
        return;
      }
      last = summary;
      logger.info(
        {
          jobId,
          done: summary.done,
          held: summary.held,
          failed: summary.failed,
          cancelled: summary.cancelled,
        },
        'deid export finished',
      );
    } catch (error) {
      // Codes and stack frames only: messages may name files of the patient's study.
      logger.error(
        { jobId, code: isAppError(error) ? error.code : undefined, err: describeError(error) },
        'deid export failed',
      );
      failure = isAppError(error)
        ? error.message
        : 'The export stopped on an unexpected error; details are in the log.';
    }
    emit(last, true);
  }
}

/**
 * The run's result; or null when `signal` aborts and the run has not ended `graceMs` later (the
 * caller stops waiting for it).
 */
function untilCancelled<T>(run: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T | null> {
  return new Promise<T | null>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => resolve(null), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    run.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}
