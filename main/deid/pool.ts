/**
 * The de-identification pool: the one worker pool (core/worker-pool.ts) running worker.ts, with
 * the project's configuration given to each thread once. Each object gets a time limit: a worker
 * that exceeds it (a pathological file, an OCR that never ends) is terminated and replaced, and
 * only that object fails. Every run resolves with an outcome, never rejects.
 */
import os from 'node:os';
import { ErrorCode } from '../../shared/errors.js';
import { WorkerPool, WorkerPoolError } from '../core/worker-pool.js';
import type { WorkerDeidConfig, WorkerInit, WorkerOutcome, WorkerTask } from './worker-protocol.js';

/** What a caller gives: a task without its run configuration (`run` adds it). */
export type DeidTask = WorkerTask extends infer T
  ? T extends WorkerTask
    ? Omit<T, 'config'>
    : never
  : never;

/** A number per configuration object, so workers rebuild their engine only for a new run. */
const configKeys = new WeakMap<WorkerDeidConfig, number>();
let nextConfigKey = 1;
function keyOf(config: WorkerDeidConfig): number {
  let key = configKeys.get(config);
  if (key === undefined) {
    key = nextConfigKey++;
    configKeys.set(config, key);
  }
  return key;
}

export interface DeidPoolOptions {
  /** The configuration of objects run without one of their own. */
  config?: WorkerDeidConfig;
  /** Threads; default cores − 1, at least 1. */
  size?: number;
  /** Per object; default 120 s (OCR of a large multi-frame object is slow). */
  taskTimeoutMs?: number;
  /** Default 4 GiB − 1 (the largest Part 10 object we can hold in one buffer). */
  maxOutputBytes?: number;
}

export class DeidPool {
  readonly #pool: WorkerPool<WorkerTask, WorkerOutcome>;
  readonly #config: WorkerDeidConfig | undefined;

  constructor(options: DeidPoolOptions) {
    this.#config = options.config;
    const init: WorkerInit = { maxOutputBytes: options.maxOutputBytes ?? 2 ** 32 - 1 };
    const typescript = import.meta.url.endsWith('.ts');
    this.#pool = new WorkerPool(new URL(typescript ? './worker.ts' : './worker.js', import.meta.url), {
      size: options.size ?? Math.max(1, os.availableParallelism() - 1),
      workerData: init,
      taskTimeoutMs: options.taskTimeoutMs ?? 120_000,
      // One object posted ahead, so a worker goes on to the next file without a round trip.
      depth: 2,
    });
  }

  get size(): number {
    return this.#pool.size;
  }

  /** Thread ids of the live workers (a replaced worker has a new one). */
  get threadIds(): number[] {
    return this.#pool.threadIds;
  }

  /** Starts the threads now (they load the engine) rather than on the first object. */
  start(): Promise<void> {
    return this.#pool.start();
  }

  /**
   * De-identifies one object. With `transferInput`, a `bytes` task's input is handed over to the
   * worker instead of copied when it owns its whole ArrayBuffer (the caller loses it). Aborting
   * `signal` drops the object if queued and stops its worker if running. `config`: the run's
   * configuration (the same object for every object of a run), default the pool's.
   */
  async run(
    task: DeidTask,
    options: {
      signal?: AbortSignal;
      transferInput?: boolean;
      config?: WorkerDeidConfig;
      /** This object's time limit instead of the pool's. */
      timeoutMs?: number;
    } = {},
  ): Promise<WorkerOutcome> {
    const config = options.config ?? this.#config;
    if (!config) throw new Error('DeidPool.run: no configuration');
    const input = task.kind === 'bytes' ? task.input : null;
    const transfer =
      options.transferInput &&
      input &&
      input.buffer instanceof ArrayBuffer &&
      input.byteOffset === 0 &&
      input.byteLength === input.buffer.byteLength
        ? [input.buffer]
        : [];
    try {
      return await this.#pool.run(
        { ...task, config: { key: keyOf(config), value: config } },
        {
          transfer,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        },
      );
    } catch (error) {
      return { status: 'failed', error: describe(error) };
    }
  }

  /** Drops queued objects (they resolve as cancelled); running ones finish. */
  cancelQueued(): void {
    this.#pool.cancelQueued();
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

function describe(error: unknown): { code: ErrorCode; message: string } {
  const reason = error instanceof WorkerPoolError ? error.reason : 'failed';
  switch (reason) {
    case 'timeout':
      return {
        code: ErrorCode.Malformed,
        message: 'De-identifying this file took too long; it may be malformed.',
      };
    case 'cancelled':
    case 'closed':
      return { code: ErrorCode.Cancelled, message: 'Cancelled.' };
    default:
      return {
        code: ErrorCode.Internal,
        message: 'The de-identification worker stopped unexpectedly on this file.',
      };
  }
}
