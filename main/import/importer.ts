/**
 * The import service: starts jobs, reports their progress, cancels them. Jobs share one worker
 * pool; finished jobs are remembered (the last 100) so `import.status` still answers after the end.
 */
import os from 'node:os';
import type { ImportProgress } from '../../shared/contract.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Catalog } from '../catalog/catalog.js';
import type { FileStore } from '../catalog/file-store.js';
import type { ReadInstanceResult, ReadInstanceTask } from './import-worker-protocol.js';
import { ImportJob } from './import-job.js';
import { WorkerPool } from '../core/worker-pool.js';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-archive.js';

export interface ImporterOptions {
  catalog: Catalog;
  store: FileStore;
  events: EventBus;
  logger: Logger;
  /** Worker threads; defaults to cores − 1 (at least 1). */
  workers?: number;
  /** Time limit per file read, in ms (default 10 minutes); a worker past it is replaced. */
  taskTimeoutMs?: number;
  /** Largest single file accepted (default 8 GB). */
  maxFileBytes?: number;
  zipLimits?: ZipLimits;
  /** Files per commit batch (default 64). */
  batchSize?: number;
}

const FINISHED_JOBS_KEPT = 100;

export class Importer {
  readonly #options: ImporterOptions;
  readonly #pool: WorkerPool<ReadInstanceTask, ReadInstanceResult>;
  readonly #jobs = new Map<string, ImportJob>();

  constructor(options: ImporterOptions) {
    this.#options = options;
    const workers = options.workers ?? Math.max(1, os.availableParallelism() - 1);
    const typescript = import.meta.url.endsWith('.ts');
    this.#pool = new WorkerPool(
      new URL(typescript ? './import-worker.ts' : './import-worker.js', import.meta.url),
      {
        size: workers,
        // A backstop, not a budget: hashing and copying an 8 GB file takes minutes, not ten.
        taskTimeoutMs: options.taskTimeoutMs ?? 10 * 60_000,
        depth: 4,
      },
    );
  }

  /** `expectedSopInstanceUID`: see ImportJobDeps (the C-STORE SCP's received object). */
  start(paths: readonly string[], expect: { expectedSopInstanceUID?: string } = {}): ImportJob {
    const o = this.#options;
    const job = new ImportJob(
      {
        catalog: o.catalog,
        store: o.store,
        pool: this.#pool,
        events: o.events,
        logger: o.logger,
        limits: { maxFileBytes: o.maxFileBytes ?? 8 * 2 ** 30, zip: o.zipLimits ?? DEFAULT_ZIP_LIMITS },
        batchSize: o.batchSize ?? 64,
        ...expect,
      },
      paths,
    );
    this.#jobs.set(job.id, job);
    this.#forgetOldJobs();
    return job;
  }

  job(jobId: string): ImportJob | undefined {
    return this.#jobs.get(jobId);
  }

  status(jobId: string): ImportProgress | undefined {
    return this.#jobs.get(jobId)?.progress;
  }

  cancel(jobId: string): boolean {
    return this.#jobs.get(jobId)?.cancel() ?? false;
  }

  /** Cancels running jobs, waits for their committed batches, stops the workers. */
  async close(): Promise<void> {
    const running = [...this.#jobs.values()].filter((job) => !job.finished);
    for (const job of running) job.cancel();
    await Promise.all(running.map((job) => job.done));
    await this.#pool.close();
  }

  #forgetOldJobs(): void {
    const finished = [...this.#jobs.values()].filter((job) => job.finished);
    for (const job of finished.slice(0, Math.max(0, finished.length - FINISHED_JOBS_KEPT)))
      this.#jobs.delete(job.id);
  }
}
