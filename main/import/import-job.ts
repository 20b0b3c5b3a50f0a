/**
 * One import: scan the inputs, then read files in a worker pool and commit them in batches.
 *
 * Batches overlap: while batch N is being synced and catalogued, the workers already read batch
 * N + 1. Each batch is one file-store commit and one SQLite transaction, so a cancel or a crash
 * keeps every batch committed before it and nothing of the others.
 */
import crypto from 'node:crypto';
import type { ImportFileError, ImportPhase, ImportProgress } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { describeError } from '../rpc/dispatch.js';
import type { Catalog, InstanceRecord } from '../catalog/catalog.js';
import type { FileStore, PlacedFile } from '../catalog/file-store.js';
import type { ReadInstanceResult, ReadInstanceTask } from './import-worker-protocol.js';
import { type ImportSource, type ScanResult, scanInputs } from './scan-inputs.js';
import type { WorkerPool } from '../core/worker-pool.js';
import { type ZipLimits, extractZip } from './zip-archive.js';

export interface ImportJobDeps {
  catalog: Catalog;
  store: FileStore;
  pool: WorkerPool<ReadInstanceTask, ReadInstanceResult>;
  events: EventBus;
  logger: Logger;
  limits: { maxFileBytes: number; zip: ZipLimits };
  /** Files per batch (one fsync round and one transaction each). */
  batchSize: number;
  /**
   * The SOP Instance UID every image must carry (a C-STORE's Affected SOP Instance UID, PS3.7
   * 9.3.1): one whose data set names another is refused as malformed, nothing stored.
   */
  expectedSopInstanceUID?: string;
}

/** Errors kept in each progress event; the job keeps up to ERRORS_KEPT for `errors`. */
const ERRORS_IN_PROGRESS = 100;
const ERRORS_KEPT = 100_000;
const PROGRESS_INTERVAL_MS = 100;
/** What `#untilCancelled` answers when the job was cancelled before the awaited work ended. */
const CANCELLED = Symbol('cancelled');
/** How long a cancelled job waits for reads in flight to end (and their temp files to go). */
const CANCEL_GRACE_MS = 500;

interface ReadUnit {
  /** What the user knows the file as: its path, or `archive.zip!/entry`. */
  displayPath: string;
  task: ReadInstanceTask;
  /** The temp file this unit owns whatever happens (extracted entry or copy target). */
  tempPath: string;
}

interface ReadOutcome {
  unit: ReadUnit;
  result: ReadInstanceResult;
}

export class ImportJob {
  readonly id = crypto.randomUUID();
  readonly #deps: ImportJobDeps;
  readonly #paths: readonly string[];
  readonly #abort = new AbortController();
  readonly #progress: ImportProgress;
  readonly #errors: ImportFileError[] = [];
  readonly #skippedFiles: ImportFileError[] = [];
  #lastEmit = 0;
  #window: Array<Promise<ReadOutcome>> = [];
  #commitChain: Promise<void> = Promise.resolve();
  readonly done: Promise<ImportProgress>;

  constructor(deps: ImportJobDeps, paths: readonly string[]) {
    this.#deps = deps;
    this.#paths = paths;
    this.#progress = {
      jobId: this.id,
      phase: 'scanning',
      filesFound: 0,
      filesDone: 0,
      bytesDone: 0,
      added: 0,
      duplicates: 0,
      failed: 0,
      skipped: 0,
      errors: [],
      skippedFiles: [],
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.done = this.#run();
  }

  get progress(): ImportProgress {
    return {
      ...this.#progress,
      errors: this.#errors.slice(-ERRORS_IN_PROGRESS),
      skippedFiles: this.#skippedFiles.slice(-ERRORS_IN_PROGRESS),
    };
  }

  /** Every file the job did not read, with its reason (up to 100,000), in the order met. */
  get skippedFiles(): readonly ImportFileError[] {
    return this.#skippedFiles;
  }

  /** Every error of the job so far (up to 100,000), oldest first. */
  get errors(): readonly ImportFileError[] {
    return this.#errors;
  }

  get finished(): boolean {
    return this.#progress.finishedAt !== null;
  }

  /** Stops reading new files; batches already committed stay. Returns false when already finished. */
  cancel(): boolean {
    if (this.finished) return false;
    this.#abort.abort();
    return true;
  }

  async #run(): Promise<ImportProgress> {
    const started = performance.now();
    const { logger } = this.#deps;
    logger.info({ jobId: this.id, inputs: this.#paths.length }, 'import started');
    let phase: ImportPhase = 'done';
    try {
      // A scan waiting on a hung file system must not hold a cancel: the job ends, the scan is left behind.
      const scan = await this.#untilCancelled(
        scanInputs(this.#paths, {
          signal: this.#abort.signal,
          zipLimits: this.#deps.limits.zip,
          onFound: (filesFound) => {
            if (this.#abort.signal.aborted) return;
            this.#progress.filesFound = filesFound;
            this.#emitProgress(false);
          },
        }),
      );
      if (scan === CANCELLED) {
        phase = 'cancelled';
      } else {
        await this.#importScanned(scan);
        if (this.#abort.signal.aborted) phase = 'cancelled';
      }
    } catch (error) {
      phase = 'failed';
      await this.#failed(error);
    }
    this.#progress.finishedAt = new Date().toISOString();
    this.#setPhase(phase);
    const seconds = (performance.now() - started) / 1000;
    const p = this.#progress;
    // Failures by code only: their paths name patients' folders.
    const failedByCode: Record<string, number> = {};
    for (const error of this.#errors) failedByCode[error.code] = (failedByCode[error.code] ?? 0) + 1;
    logger.info(
      {
        jobId: this.id,
        phase,
        added: p.added,
        duplicates: p.duplicates,
        failed: p.failed,
        failedByCode,
        skipped: p.skipped,
        files: p.filesDone,
        megabytes: Number((p.bytesDone / 2 ** 20).toFixed(1)),
        seconds: Number(seconds.toFixed(2)),
      },
      'import finished',
    );
    return this.progress;
  }

  async #importScanned(scan: ScanResult): Promise<void> {
    this.#progress.filesFound = scan.filesFound;
    for (const skipped of scan.skippedFiles) this.#skip(skipped);
    // The same file reached twice (given twice, or through a link) is read once.
    this.#progress.duplicates += scan.duplicates;
    this.#progress.filesDone += scan.duplicates;
    for (const error of scan.errors) this.#fail(error, 1);
    this.#setPhase('importing');
    for (const source of scan.sources) {
      if (this.#abort.signal.aborted) break;
      await this.#importSource(source);
    }
    await this.#flush();
    await this.#commitChain;
  }

  async #failed(error: unknown): Promise<void> {
    this.#deps.logger.error({ jobId: this.id, err: describeError(error) }, 'import failed');
    await this.#commitChain.catch(() => undefined);
    await this.#discardWhenRead(this.#window.splice(0));
    const appError =
      error instanceof AppError
        ? error
        : new AppError(
            ErrorCode.Internal,
            'The import stopped because of an unexpected error; details are in the log.',
          );
    this.#fail({ path: '', code: appError.code, message: appError.message }, 0);
  }

  /**
   * Reads still in flight own temp files: they are discarded when the reads end. The job waits for
   * that only briefly (CANCEL_GRACE_MS): a read can wait on a hung disk, and the next start would
   * clean what is left anyway.
   */
  async #discardWhenRead(window: Array<Promise<ReadOutcome>>): Promise<void> {
    if (window.length === 0) return;
    const discarded = Promise.all(window)
      .then((outcomes) => this.#deps.store.discard(outcomes.map((outcome) => outcome.unit.tempPath)))
      .catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CANCEL_GRACE_MS)));
    await Promise.race([discarded, grace]);
    clearTimeout(timer);
  }

  /** `work`, or CANCELLED as soon as the job is cancelled, whichever comes first. */
  #untilCancelled<T>(work: Promise<T>): Promise<T | typeof CANCELLED> {
    const signal = this.#abort.signal;
    if (signal.aborted) {
      work.catch(() => undefined);
      return Promise.resolve(CANCELLED);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => resolve(CANCELLED);
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  async #importSource(source: ImportSource): Promise<void> {
    const { store } = this.#deps;
    if (source.kind === 'file') {
      const tempPath = store.newTempPath();
      await this.#submit({ displayPath: source.path, tempPath, task: this.#task(source.path, tempPath) });
      return;
    }
    let handled = 0;
    try {
      await extractZip(source.path, {
        limits: this.#deps.limits.zip,
        newTempPath: () => store.newTempPath(),
        signal: this.#abort.signal,
        onEntry: async (outcome) => {
          handled += 1;
          const displayPath = `${source.path}!/${outcome.name}`;
          if ('error' in outcome) {
            this.#fail({ path: displayPath, code: outcome.error.code, message: outcome.error.message }, 1);
            return;
          }
          await this.#submit({
            displayPath,
            tempPath: outcome.tempPath,
            task: {
              sourcePath: outcome.tempPath,
              copyTo: null,
              maxFileBytes: this.#deps.limits.maxFileBytes,
              catalogFile: this.#deps.catalog.file,
              ...(this.#deps.catalog.key ? { catalogKey: this.#deps.catalog.key } : {}),
            },
          });
        },
      });
    } catch (error) {
      const appError =
        error instanceof AppError
          ? error
          : new AppError(ErrorCode.BadArchive, 'This zip archive could not be read.');
      // The entries not reached are accounted as done so progress ends at 100 %.
      this.#fail(
        { path: source.path, code: appError.code, message: appError.message },
        Math.max(0, source.entries - handled),
      );
    }
  }

  #task(sourcePath: string, copyTo: string): ReadInstanceTask {
    return {
      sourcePath,
      copyTo,
      maxFileBytes: this.#deps.limits.maxFileBytes,
      catalogFile: this.#deps.catalog.file,
      ...(this.#deps.catalog.key ? { catalogKey: this.#deps.catalog.key } : {}),
    };
  }

  async #submit(unit: ReadUnit): Promise<void> {
    this.#window.push(
      this.#deps.pool.run(unit.task).then(
        (result) => ({ unit, result }),
        () => ({
          unit,
          result: {
            ok: false,
            code: ErrorCode.Malformed,
            message: 'This file could not be read (the reader stopped on it).',
          } as const,
        }),
      ),
    );
    if (this.#window.length >= this.#deps.batchSize) await this.#flush();
  }

  /** Waits for the current window's reads, then queues its commit behind the previous one. */
  async #flush(): Promise<void> {
    const window = this.#window;
    this.#window = [];
    if (window.length === 0) return;
    const readStarted = performance.now();
    // A read that never ends (a file on a hung mount) must not hold a cancel.
    const outcomes = await this.#untilCancelled(Promise.all(window));
    if (outcomes === CANCELLED) {
      await this.#discardWhenRead(window);
      return;
    }
    const waitStarted = performance.now();
    await this.#commitChain;
    this.#deps.logger.debug(
      {
        jobId: this.id,
        files: outcomes.length,
        readMs: Math.round(waitStarted - readStarted),
        waitMs: Math.round(performance.now() - waitStarted),
      },
      'import batch read',
    );
    if (this.#abort.signal.aborted) {
      await this.#deps.store.discard(outcomes.map((outcome) => outcome.unit.tempPath));
      return;
    }
    this.#commitChain = this.#commit(outcomes);
    // A failed commit (disk full) must stop the job, not hide behind the next batch.
    this.#commitChain.catch(() => this.#abort.abort());
  }

  async #commit(outcomes: ReadOutcome[]): Promise<void> {
    const { catalog, store, events } = this.#deps;
    const started = performance.now();
    const discard: string[] = [];
    const candidates: Array<{ unit: ReadUnit; record: InstanceRecord; staged: boolean }> = [];
    const inBatch = new Map<string, string>();
    for (const { unit, result } of outcomes) {
      this.#progress.filesDone += 1;
      if (!result.ok) {
        discard.push(unit.tempPath);
        this.#fail({ path: unit.displayPath, code: result.code, message: result.message }, 0);
        continue;
      }
      this.#progress.bytesDone += result.size;
      const { header } = result;
      if (header.kind === 'dicomdir') {
        discard.push(unit.tempPath);
        this.#skip(
          {
            path: unit.displayPath,
            code: ErrorCode.NotDicom,
            message: 'DICOMDIR (a media index, not an image): not stored.',
          },
          0,
        );
        continue;
      }
      const expected = this.#deps.expectedSopInstanceUID;
      if (expected !== undefined && header.sopInstanceUID !== expected) {
        discard.push(unit.tempPath);
        this.#fail(
          {
            path: unit.displayPath,
            code: ErrorCode.Malformed,
            message: "The data set's SOP Instance UID differs from the request's.",
          },
          0,
        );
        continue;
      }
      const earlier = inBatch.get(header.sopInstanceUID);
      if (earlier !== undefined) {
        discard.push(unit.tempPath);
        if (earlier === result.sha256) this.#progress.duplicates += 1;
        else this.#conflict(unit.displayPath);
        continue;
      }
      inBatch.set(header.sopInstanceUID, result.sha256);
      const { kind: _kind, ...fields } = header;
      candidates.push({
        unit,
        // An extracted zip entry is its own temp file; an input file has one only if it was copied.
        staged: result.copied || unit.task.copyTo === null,
        record: {
          ...fields,
          filePath: store.relativePathFor(result.sha256),
          fileSize: result.size,
          sha256: result.sha256,
        },
      });
    }
    const known = catalog.findInstanceHashes(candidates.map((c) => c.record.sopInstanceUID));
    const fresh = candidates.filter(({ unit, record, staged }) => {
      const storedHash = known.get(record.sopInstanceUID);
      if (storedHash === undefined && staged) return true;
      if (storedHash === undefined) {
        // The worker saw it stored, the catalog no longer has it: nothing to commit, say so.
        this.#fail(
          {
            path: unit.displayPath,
            code: ErrorCode.Io,
            message: 'The catalog changed during the import; import this file again.',
          },
          0,
        );
        return false;
      }
      discard.push(unit.tempPath);
      if (storedHash === record.sha256) this.#progress.duplicates += 1;
      else this.#conflict(unit.displayPath);
      return false;
    });
    await store.discard(discard);
    if (fresh.length > 0) {
      const staged = fresh.map(({ unit, record }) => ({ tempPath: unit.tempPath, sha256: record.sha256 }));
      const result = await store.commit(staged, (placed: PlacedFile[]) => {
        const added = catalog.addInstances(fresh.map((c) => c.record));
        const unreferenced = placed
          .filter(
            (file, index) =>
              added.outcomes[index] !== 'added' && !catalog.isFileReferenced(file.relativePath),
          )
          .map((file) => file.relativePath);
        return { result: added, unreferenced };
      });
      result.outcomes.forEach((outcome, index) => {
        if (outcome === 'added') this.#progress.added += 1;
        else if (outcome === 'duplicate') this.#progress.duplicates += 1;
        else this.#conflict(fresh[index]!.unit.displayPath);
      });
      if (result.changedStudyUIDs.length > 0)
        events.emit('catalog.changed', { studyInstanceUIDs: result.changedStudyUIDs });
    }
    this.#deps.logger.debug(
      {
        jobId: this.id,
        files: outcomes.length,
        stored: fresh.length,
        ms: Math.round(performance.now() - started),
      },
      'import batch committed',
    );
    this.#emitProgress(false);
  }

  #conflict(displayPath: string): void {
    this.#fail(
      {
        path: displayPath,
        code: ErrorCode.Conflict,
        message:
          'Another image with the same SOP Instance UID but different content was stored first (now or earlier); it was kept and this file was not stored.',
      },
      0,
    );
  }

  /** Records a file not read; `filesDone` grows by `files`. */
  #skip(entry: ImportFileError, files = 1): void {
    this.#progress.skipped += 1;
    this.#progress.filesDone += files;
    if (this.#skippedFiles.length < ERRORS_KEPT) this.#skippedFiles.push(entry);
  }

  /** Records an error; `filesDone` grows by `files` for failures found outside the worker path. */
  #fail(error: ImportFileError, files: number): void {
    this.#progress.failed += 1;
    this.#progress.filesDone += files;
    if (this.#errors.length < ERRORS_KEPT) this.#errors.push(error);
    this.#emitProgress(false);
  }

  #setPhase(phase: ImportPhase): void {
    this.#progress.phase = phase;
    this.#emitProgress(true);
  }

  #emitProgress(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.#lastEmit < PROGRESS_INTERVAL_MS) return;
    this.#lastEmit = now;
    this.#deps.events.emit('import.progress', this.progress);
  }
}
