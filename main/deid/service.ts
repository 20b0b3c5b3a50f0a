/**
 * The de-identification service: folders and files in, a pseudonymous folder tree out
 * (`<study>/<series>/<instance>.dcm`, named by the new UIDs so no path carries PHI), with
 * progress, cancellation, a run summary, per-study reports and the attribute preview.
 * Used by the CLI (`radlabel deid`), export and sync; the app reaches it through the contract
 * (createDeidHandlers).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DeidPreviewRow, DeidProgressEvent, DeidStudyReport } from '../../shared/contract.js';
import { AppError, ErrorCode, type ErrorCode as ErrorCodeType } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import { openRegularFile } from '../core/regular-file.js';
import { FileWalker, type WalkEntry } from '../core/walk.js';
import {
  type DeidActionCounts,
  type DeidConfig,
  type DeidReport,
  type PreviewRow,
  emptyActionCounts,
} from './config.js';
import { createDeidentifier, researchDefaultOptions, type ChunkedOutcome } from './index.js';
import { writeChunks } from './write-chunks.js';
import type { LinkageStore } from './linkage-types.js';
import type { PixelCleaner } from './pixels/types.js';
import { chooseExecution, type DeidExecution } from './execution.js';
import { DeidPool } from './pool.js';
import { sampleSeries } from './series-sample.js';
import { InputReader } from './read-input.js';
import type { WorkerDeidConfig, WorkerOutcome } from './worker-protocol.js';

/**
 * Every file found is accounted for exactly once: when a run ends,
 * filesFound = done + held + failed + skipped + duplicates + conflicts (less what a cancel left).
 */
export type DeidProgress = Omit<DeidProgressEvent, 'jobId' | 'finished' | 'cancelled' | 'error'>;

/** Progress of a run over `filesFound` files that has not started. */
export function initialProgress(filesFound: number): DeidProgress {
  return {
    filesFound,
    filesDone: 0,
    done: 0,
    held: 0,
    failed: 0,
    skipped: 0,
    duplicates: 0,
    conflicts: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
}

export interface DeidRunSummary extends DeidProgress {
  cancelled: boolean;
  seconds: number;
  actions: DeidActionCounts;
  warnings: Array<{ code: string; message: string; count: number }>;
  /** Local paths are shown to the local user only; never logged. */
  failures: Array<{ source: string; code: ErrorCodeType; message: string }>;
  heldObjects: Array<{ source: string; reasons: string[] }>;
  /** Files not read as DICOM, with the reason (local paths, never logged). */
  skippedFiles: Array<{ source: string; code: ErrorCodeType; message: string }>;
  /** Each duplicate and the file it repeats (`sameAs`, the one written or held). */
  duplicateFiles: Array<{ source: string; sameAs: string }>;
  /** Each conflicting object and the file kept under its SOP Instance UID. */
  conflictFiles: Array<{ source: string; kept: string; message: string }>;
}

export interface DeidRunOptions {
  inputs: string[];
  outputDir: string;
  config: DeidConfig;
  /**
   * Worker threads; 0 runs in this thread. Default: chosen from the batch and the machine
   * (`chooseExecution` in execution.ts).
   */
  workers?: number;
  /**
   * A started pool with this run's configuration, to use when the run goes to worker threads
   * (the caller keeps it warm across runs and closes it). Default: a pool for this run only.
   */
  pool?: DeidPool;
  taskTimeoutMs?: number;
  onProgress?: (progress: DeidProgress) => void;
  signal?: AbortSignal;
  reports?: StudyReports;
  logger?: Logger;
}

export interface InputFile {
  file: string;
  /** Named by the user (not found in a folder): a file that is not DICOM is then a failure. */
  explicit: boolean;
  size: number;
}

/**
 * Every regular file under the inputs, in order, and a report line for everything else (pipes,
 * devices, broken links, unreadable folders, the same file twice), by the shared walker
 * (main/core/walk.ts): symbolic-link loops end, nothing is dropped in silence.
 */
export async function listInputFiles(
  inputs: string[],
  signal?: AbortSignal,
): Promise<{ files: InputFile[]; others: Array<Exclude<WalkEntry, { kind: 'file' }>> }> {
  const files: InputFile[] = [];
  const others: Array<Exclude<WalkEntry, { kind: 'file' }>> = [];
  await new FileWalker({
    ...(signal ? { signal } : {}),
    onEntry: (entry) => {
      if (entry.kind === 'file') files.push({ file: entry.path, explicit: entry.explicit, size: entry.size });
      else others.push(entry);
    },
  }).walk(inputs);
  return { files, others };
}

/** Whether two files hold the same bytes (read in chunks; only asked when two share a SOP Instance UID). */
function sameContent(a: string, b: string): boolean {
  const first = openRegularFile(a);
  try {
    const second = openRegularFile(b);
    try {
      if (first.size !== second.size) return false;
      const chunk = 1 << 20;
      const left = Buffer.allocUnsafe(chunk);
      const right = Buffer.allocUnsafe(chunk);
      for (let position = 0; position < first.size; position += chunk) {
        const length = Math.min(chunk, first.size - position);
        const readLeft = fs.readSync(first.fd, left, 0, length, position);
        const readRight = fs.readSync(second.fd, right, 0, length, position);
        if (readLeft !== readRight || !left.subarray(0, readLeft).equals(right.subarray(0, readRight)))
          return false;
        if (readLeft < length) return true;
      }
      return true;
    } finally {
      fs.closeSync(second.fd);
    }
  } finally {
    fs.closeSync(first.fd);
  }
}

function workerConfig(config: DeidConfig): WorkerDeidConfig {
  const { pixelCleaner: _cleaner, linkage: _linkage, logger: _logger, ...plain } = config;
  return plain;
}

function addCounts(into: DeidActionCounts, from: DeidActionCounts): void {
  for (const key of Object.keys(into) as Array<keyof DeidActionCounts>) into[key] += from[key];
}

/** Per-study aggregation of reports, keyed by the original Study Instance UID (local only). */
export class StudyReports {
  readonly #studies = new Map<string, DeidStudyReport>();

  #study(originalStudyUid: string): DeidStudyReport {
    let study = this.#studies.get(originalStudyUid);
    if (!study) {
      study = {
        studyInstanceUID: originalStudyUid,
        pseudonymousStudyInstanceUID: null,
        objects: { done: 0, held: 0, failed: 0, duplicates: 0, conflicts: 0 },
        actions: { ...emptyActionCounts() },
        held: [],
        failed: [],
        warnings: [],
      };
      this.#studies.set(originalStudyUid, study);
    }
    return study;
  }

  add(
    outcome:
      | { status: 'done' | 'held'; report: DeidReport }
      | { status: 'failed'; studyInstanceUID: string; error: { code: string; message: string } }
      | { status: 'duplicate'; studyInstanceUID: string }
      | { status: 'conflict'; studyInstanceUID: string },
  ): void {
    if (outcome.status === 'duplicate' || outcome.status === 'conflict') {
      const study = this.#study(outcome.studyInstanceUID);
      if (outcome.status === 'duplicate') study.objects.duplicates += 1;
      else study.objects.conflicts += 1;
      return;
    }
    if (outcome.status === 'failed') {
      const study = this.#study(outcome.studyInstanceUID);
      study.objects.failed += 1;
      study.failed.push({ sopInstanceUID: null, code: outcome.error.code, message: outcome.error.message });
      return;
    }
    const { report } = outcome;
    const study = this.#study(report.local.studyInstanceUID);
    study.pseudonymousStudyInstanceUID = report.studyInstanceUID;
    if (outcome.status === 'held') {
      study.objects.held += 1;
      study.held.push({
        sopInstanceUID: report.sopInstanceUID,
        reasons: report.pixels.reasons,
        reasonCodes: report.pixels.reasonCodes,
      });
    } else {
      study.objects.done += 1;
    }
    for (const [key, value] of Object.entries(report.actions))
      study.actions[key] = (study.actions[key] ?? 0) + value;
    for (const warning of report.warnings) {
      const existing = study.warnings.find((entry) => entry.code === warning.code);
      if (existing) existing.count += 1;
      else study.warnings.push({ code: warning.code, message: warning.message, count: 1 });
    }
  }

  get(originalStudyUid: string): DeidStudyReport | null {
    return this.#studies.get(originalStudyUid) ?? null;
  }
}

/** Moves a finished file to `<out>/<study>/<series>/<sop>.dcm` (pseudonymous UIDs only). */
function placeOutput(
  outputDir: string,
  temporary: string,
  report: DeidReport,
  madeFolders: Set<string>,
): void {
  const folder = path.join(outputDir, report.studyInstanceUID, report.seriesInstanceUID);
  if (!madeFolders.has(folder)) {
    makeOwnFolder(path.dirname(folder));
    makeOwnFolder(folder);
    madeFolders.add(folder);
  }
  fs.renameSync(temporary, path.join(folder, `${report.sopInstanceUID}.dcm`));
}

/**
 * Makes one folder level in the export, or accepts a folder that is already there; never
 * Node's recursive mkdir, which loops forever where a link leads into /proc, and never through
 * a link (a study folder of an earlier export replaced by a link to elsewhere is refused).
 */
function makeOwnFolder(dir: string): void {
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new AppError(
        ErrorCode.Io,
        'The output folder could not be created (check its path and permissions).',
        { cause: error },
      );
    if (!fs.lstatSync(dir).isDirectory())
      throw new AppError(
        ErrorCode.Io,
        'A folder inside the output folder is a link or a file, not a folder RadLabel made. Choose another output folder.',
        { cause: error },
      );
  }
}

/** The output folder and its missing parents, one level at a time (at most 32 new levels). */
function makeOwnFolders(dir: string): void {
  const missing: string[] = [];
  for (let current = dir; !fs.existsSync(current) && missing.length < 32; current = path.dirname(current))
    missing.unshift(current);
  for (const level of missing) makeOwnFolder(level);
}

/** In this thread, the event loop gets a turn at least this often. */
const YIELD_EVERY_MS = 20;

/** The execution of a run over `files` (see execution.ts for the rule). */
export function chooseRunExecution(
  files: ReadonlyArray<{ size: number }>,
  options: Pick<DeidRunOptions, 'workers' | 'pool' | 'config'>,
  cores = os.availableParallelism(),
): DeidExecution {
  const { config } = options;
  // Clean Pixel Data, named or implied by the research profile, with OCR not turned off.
  const cleansPixels =
    config.options.includes('cleanPixelData') ||
    (config.profile === 'research' && researchDefaultOptions.includes('cleanPixelData'));
  return chooseExecution(
    {
      files: files.length,
      totalBytes: files.reduce((sum, file) => sum + file.size, 0),
      largestBytes: files.reduce((largest, file) => Math.max(largest, file.size), 0),
      ocr: config.ocr !== false && cleansPixels,
    },
    { cores, poolStarted: options.pool !== undefined },
    options.workers,
  );
}

/** De-identifies every DICOM object under `inputs` into `outputDir`. Never throws per file. */
export async function deidentifyTree(options: DeidRunOptions): Promise<DeidRunSummary> {
  const started = Date.now();
  const { files, others } = await listInputFiles(options.inputs, options.signal);
  const outputDir = path.resolve(options.outputDir);
  const partialDir = path.join(outputDir, '.partial');
  makeOwnFolders(outputDir);
  makeOwnFolder(partialDir);
  const progress = initialProgress(files.length + others.length);
  const summary: DeidRunSummary = {
    ...progress,
    cancelled: false,
    seconds: 0,
    actions: emptyActionCounts(),
    warnings: [],
    failures: [],
    heldObjects: [],
    skippedFiles: [],
    duplicateFiles: [],
    conflictFiles: [],
  };
  // What the walk did not offer for reading still gets its line: pipes, broken links, the same file twice.
  for (const other of others) {
    progress.filesDone += 1;
    if (other.kind === 'duplicate') {
      progress.duplicates += 1;
      summary.duplicateFiles.push({ source: other.path, sameAs: other.of });
    } else if (other.kind === 'skipped') {
      progress.skipped += 1;
      summary.skippedFiles.push({ source: other.path, code: other.code, message: other.reason });
    } else {
      progress.failed += 1;
      summary.failures.push({ source: other.path, code: other.code, message: other.reason });
    }
  }
  const linkage: LinkageStore | undefined = options.config.linkage;
  options.onProgress?.({ ...progress });
  // Burned-in text: a sample of every series is read before any of its objects is written, and
  // the engine is told what it found (series-sample.ts).
  const sampling = await sampleSeries(
    files.map((entry) => entry.file),
    options.config,
    {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    },
  );
  options = { ...options, config: { ...options.config, seriesSamples: sampling.samples } };

  const execution = chooseRunExecution(files, options);
  options.logger?.debug({ execution: execution.mode, reason: execution.reason }, 'deid run execution');
  const ownPool = execution.mode === 'pool' && !options.pool;
  const pool =
    execution.mode === 'in-thread'
      ? null
      : (options.pool ??
        new DeidPool({
          size: execution.workers,
          ...(options.taskTimeoutMs ? { taskTimeoutMs: options.taskTimeoutMs } : {}),
        }));
  // The linkage table is written here, once per object, not by the engine.
  const local = pool
    ? null
    : createDeidentifier({
        ...options.config,
        linkage: undefined,
        logger: options.config.logger ?? options.logger,
      });

  const madeFolders = new Set<string>();
  /** The file written (or held) under each original SOP Instance UID: a second one is never written over it. */
  const bySopInstance = new Map<string, string>();
  /** A second object with a UID already handled: a duplicate when its bytes are the same, else a conflict. */
  const repeated = (entry: InputFile, report: DeidReport): boolean => {
    const first = bySopInstance.get(report.local.sopInstanceUID);
    if (first === undefined) {
      bySopInstance.set(report.local.sopInstanceUID, entry.file);
      return false;
    }
    let same = false;
    try {
      same = sameContent(first, entry.file);
    } catch {
      // Unreadable now: not provably the same, so it is reported as a conflict.
    }
    if (same) {
      progress.duplicates += 1;
      summary.duplicateFiles.push({ source: entry.file, sameAs: first });
    } else {
      progress.conflicts += 1;
      summary.conflictFiles.push({
        source: entry.file,
        kept: first,
        message:
          'Another file with the same SOP Instance UID but different content was de-identified first; it was kept and this one was not written.',
      });
    }
    options.reports?.add({
      status: same ? 'duplicate' : 'conflict',
      studyInstanceUID: report.local.studyInstanceUID,
    });
    return true;
  };
  const handle = (entry: InputFile, temporary: string, outcome: WorkerOutcome): void => {
    progress.filesDone += 1;
    progress.bytesIn += entry.size;
    let result = outcome;
    const isRepeat = result.status !== 'failed' && repeated(entry, result.report);
    if (!isRepeat && result.status === 'done') {
      try {
        placeOutput(outputDir, temporary, result.report, madeFolders);
      } catch (error) {
        // Counted once, as a failure: the object is not in the output.
        result = {
          status: 'failed',
          error:
            error instanceof AppError
              ? { code: error.code, message: error.message }
              : {
                  code: ErrorCode.Io,
                  message: 'The de-identified file could not be placed in the output folder.',
                },
        };
      }
    }
    if (isRepeat) {
      fs.rmSync(temporary, { force: true });
    } else if (result.status === 'done') {
      progress.done += 1;
      progress.bytesOut += result.outputBytes;
      linkage?.record(result.report.local.linkage);
      addCounts(summary.actions, result.report.actions);
      for (const warning of result.report.warnings) {
        const existing = summary.warnings.find((w) => w.code === warning.code);
        if (existing) existing.count += 1;
        else summary.warnings.push({ code: warning.code, message: warning.message, count: 1 });
      }
      options.reports?.add({ status: 'done', report: result.report });
    } else if (result.status === 'held') {
      progress.held += 1;
      summary.heldObjects.push({ source: entry.file, reasons: result.reason });
      options.reports?.add({ status: 'held', report: result.report });
    } else if (result.error.code === ErrorCode.NotDicom && !entry.explicit) {
      progress.skipped += 1;
      summary.skippedFiles.push({
        source: entry.file,
        code: result.error.code,
        message: result.error.message,
      });
    } else if (result.error.code === ErrorCode.Cancelled) {
      progress.filesDone -= 1;
      progress.bytesIn -= entry.size;
    } else {
      progress.failed += 1;
      summary.failures.push({ source: entry.file, code: result.error.code, message: result.error.message });
    }
    if (result.status !== 'done') fs.rmSync(temporary, { force: true });
    options.onProgress?.({ ...progress });
  };

  try {
    if (pool) {
      // Largest first: a big multi-frame object started last would leave the other threads idle.
      const bySize = [...files].sort((a, b) => b.size - a.size);
      const config = workerConfig(options.config);
      await Promise.all(
        bySize.map(async (entry) => {
          const temporary = path.join(partialDir, `${crypto.randomUUID()}.dcm`);
          // Cancelling drops queued objects and stops the ones being written.
          const outcome = await pool.run(
            {
              kind: 'file',
              inputPath: entry.file,
              outputPath: temporary,
              sourceName: path.basename(entry.file),
            },
            { config, ...(options.signal ? { signal: options.signal } : {}) },
          );
          handle(entry, temporary, outcome);
        }),
      );
    } else if (local) {
      // One read buffer for the run (the output refers to it until written); the event loop gets
      // a turn every few milliseconds so progress, cancel and the app's requests are served.
      const reader = new InputReader();
      let turn = performance.now();
      for (const entry of files) {
        if (performance.now() - turn > YIELD_EVERY_MS) {
          await nextTurn();
          turn = performance.now();
        }
        if (options.signal?.aborted) break;
        const temporary = path.join(partialDir, `${crypto.randomUUID()}.dcm`);
        let outcome: ChunkedOutcome;
        try {
          outcome = await local.deidentifyToChunks(reader.read(entry.file), {
            sourceName: path.basename(entry.file),
          });
        } catch (error) {
          outcome = {
            status: 'failed',
            error:
              error instanceof AppError
                ? { code: error.code, message: error.message }
                : { code: ErrorCode.Io, message: 'The file could not be read.' },
          };
        }
        if (outcome.status === 'done') {
          const { chunks, length, ...rest } = outcome;
          try {
            writeChunks(temporary, chunks);
            handle(entry, temporary, { ...rest, outputBytes: length });
          } catch {
            handle(entry, temporary, {
              status: 'failed',
              error: {
                code: ErrorCode.Io,
                message: 'The de-identified file could not be written (disk full or no permission?).',
              },
            });
          }
        } else {
          handle(entry, temporary, outcome);
        }
      }
    }
  } finally {
    if (ownPool) await pool?.close();
    await local?.close();
    fs.rmSync(partialDir, { recursive: true, force: true });
  }
  Object.assign(summary, progress);
  summary.cancelled = options.signal?.aborted ?? false;
  summary.seconds = (Date.now() - started) / 1000;
  options.logger?.info(
    {
      done: progress.done,
      held: progress.held,
      failed: progress.failed,
      skipped: progress.skipped,
      duplicates: progress.duplicates,
      conflicts: progress.conflicts,
      seconds: summary.seconds,
    },
    'deid run finished',
  );
  return summary;
}

/**
 * The preview looks at attributes only: pixels are not examined (that is the cleaner's job at
 * export time), so a preview never waits on OCR.
 */
const attributesOnly: PixelCleaner = {
  clean: async () => ({ action: 'keep', reasons: ['preview: pixels not examined'], regions: [] }),
};

/** Every attribute before and after, under the project's profile. Nothing is written. */
export async function previewInstance(bytes: Uint8Array, config: DeidConfig): Promise<DeidPreviewRow[]> {
  const deidentifier = createDeidentifier({ ...config, pixelCleaner: attributesOnly, linkage: undefined });
  const trace: PreviewRow[] = [];
  const outcome = await deidentifier.deidentify(bytes, { trace });
  await deidentifier.close();
  if (outcome.status === 'failed') throw new AppError(outcome.error.code, outcome.error.message);
  return trace;
}

export interface DeidHandlerDependencies {
  /** The active project's configuration, or null when no project is open. */
  config(): DeidConfig | null;
  /** The stored bytes of an instance of the local catalog, or null. */
  instanceBytes(sopInstanceUID: string): Promise<Uint8Array | null>;
  reports: StudyReports;
}

/** Handlers for `deid.preview` and `deid.studyReport` (see deidMethods in shared/contract.ts). */
export function createDeidHandlers(deps: DeidHandlerDependencies): {
  'deid.preview': (request: { sopInstanceUID: string }) => Promise<DeidPreviewRow[]>;
  'deid.studyReport': (request: { studyInstanceUID: string }) => Promise<DeidStudyReport>;
} {
  return {
    'deid.preview': async ({ sopInstanceUID }) => {
      const config = deps.config();
      if (!config)
        throw new AppError(
          ErrorCode.InvalidRequest,
          'Open a project first: its de-identification profile decides what is kept.',
        );
      const bytes = await deps.instanceBytes(sopInstanceUID);
      if (!bytes) throw new AppError(ErrorCode.NotFound, 'This image is not in the local catalog.');
      return previewInstance(bytes, config);
    },
    'deid.studyReport': async ({ studyInstanceUID }) => {
      const report = deps.reports.get(studyInstanceUID);
      if (!report)
        throw new AppError(ErrorCode.NotFound, 'This study has not been de-identified in this session.');
      return report;
    },
  };
}
