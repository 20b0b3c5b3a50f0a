/**
 * A pool of de-identification worker threads. Each object gets a time limit: a worker that
 * exceeds it (a pathological file, an OCR that never ends) is terminated and replaced, and only
 * that object fails. Results come back in completion order.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ErrorCode } from '../../shared/errors.js';
import type { WorkerDeidConfig, WorkerInit, WorkerResult, WorkerTask } from './worker-protocol.js';

export interface DeidPoolOptions {
  config: WorkerDeidConfig;
  /** Threads; default cores − 1, at least 1. */
  size?: number;
  /** Per object; default 120 s (OCR of a large multi-frame object is slow). */
  taskTimeoutMs?: number;
  /** Default 4 GiB − 1 (the largest Part 10 object we can hold in one buffer). */
  maxOutputBytes?: number;
}

type TaskInput = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'id'> : never) : never;

interface Slot {
  worker: Worker;
  busy: { id: number; resolve: (result: WorkerResult) => void; timer: NodeJS.Timeout } | null;
}

/**
 * Built, the worker is worker.js next to this file. Under tsx/vitest it is worker.ts, started
 * through a trampoline that registers tsx's ESM loader first (Node 20 does not apply
 * `--import tsx` from a worker's execArgv).
 */
function startWorker(init: WorkerInit): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(path.join(path.dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const worker = new URL('./worker.ts', import.meta.url).href;
  const source = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(worker)}); })`;
  return new Worker(source, { eval: true, workerData: init });
}

export class DeidPool {
  readonly #slots: Slot[] = [];
  readonly #queue: Array<{ task: WorkerTask; resolve: (result: WorkerResult) => void }> = [];
  readonly #init: WorkerInit;
  readonly #timeoutMs: number;
  #nextId = 1;
  #closed = false;

  constructor(options: DeidPoolOptions) {
    this.#init = { config: options.config, maxOutputBytes: options.maxOutputBytes ?? 2 ** 32 - 1 };
    this.#timeoutMs = options.taskTimeoutMs ?? 120_000;
    const size = options.size ?? Math.max(1, os.cpus().length - 1);
    for (let i = 0; i < size; i += 1) this.#slots.push(this.#spawn());
  }

  get size(): number {
    return this.#slots.length;
  }

  #spawn(): Slot {
    const worker = startWorker(this.#init);
    const slot: Slot = { worker, busy: null };
    worker.on('message', (result: WorkerResult) => {
      const busy = slot.busy;
      if (!busy || busy.id !== result.id) return;
      clearTimeout(busy.timer);
      slot.busy = null;
      busy.resolve(result);
      this.#pump();
    });
    worker.on('error', () =>
      this.#replace(
        slot,
        'The de-identification worker stopped unexpectedly on this file.',
        ErrorCode.Internal,
      ),
    );
    return slot;
  }

  #replace(slot: Slot, message: string, code: (typeof ErrorCode)[keyof typeof ErrorCode]): void {
    const busy = slot.busy;
    slot.busy = null;
    void slot.worker.terminate();
    const index = this.#slots.indexOf(slot);
    if (index >= 0 && !this.#closed) this.#slots[index] = this.#spawn();
    if (busy) {
      clearTimeout(busy.timer);
      busy.resolve({ id: busy.id, outcome: { status: 'failed', error: { code, message } } });
    }
    this.#pump();
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (slot.busy) continue;
      const next = this.#queue.shift();
      if (!next) return;
      const timer = setTimeout(
        () =>
          this.#replace(
            slot,
            'De-identifying this file took too long; it may be malformed.',
            ErrorCode.Malformed,
          ),
        this.#timeoutMs,
      );
      slot.busy = { id: next.task.id, resolve: next.resolve, timer };
      slot.worker.postMessage(next.task);
    }
  }

  run(task: TaskInput): Promise<WorkerResult> {
    if (this.#closed) return Promise.reject(new Error('pool closed'));
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#queue.push({ task: { ...task, id } as WorkerTask, resolve });
      this.#pump();
    });
  }

  /** Drops queued tasks (they resolve as cancelled); running ones finish. */
  cancelQueued(): void {
    for (const queued of this.#queue.splice(0)) {
      queued.resolve({
        id: queued.task.id,
        outcome: { status: 'failed', error: { code: ErrorCode.Cancelled, message: 'Cancelled.' } },
      });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.cancelQueued();
    await Promise.all(
      this.#slots.map(
        (slot) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void slot.worker.terminate().then(() => resolve()), 5000);
            slot.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            slot.worker.postMessage('close');
          }),
      ),
    );
  }
}
