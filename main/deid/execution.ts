/**
 * Where a de-identification run executes: in the calling thread, or in a pool of worker threads.
 * Chosen from the batch and the machine with a cost model measured on a 2-core machine
 * (docs/deid.md, "Performance"):
 *
 * - one thread rewrites about 600 MB/s plus about 1 ms per file (open, parse, write, rename);
 * - a worker thread needs about 0.25 s before its first answer (it loads the engine);
 * - w workers go about 1 + (w − 1) × 0.5 times as fast as one thread (the work is mostly copying
 *   bytes through the page cache, which does not scale with cores).
 *
 * The rule, in order:
 * 1. `workers` given by the caller wins (0 = this thread, N = N workers).
 * 2. An object of 64 MiB or more goes to a pool (of one worker on one core): in this thread it
 *    would block the event loop (progress, cancel, the app's requests) for a long time, and only a
 *    worker has a time limit.
 * 3. With OCR, objects cost seconds rather than milliseconds: a pool whenever there are two files
 *    and two cores.
 * 4. Otherwise a pool of min(cores, files) workers when its estimated time (start-up, unless the
 *    caller's pool is already running, plus the work divided by the speed-up) beats this thread's;
 *    on one core, or for a small batch on two, that is never or rarely the case.
 */

export interface DeidBatch {
  files: number;
  totalBytes: number;
  largestBytes: number;
  /** OCR of pixel data may run (Clean Pixel Data with OCR on). */
  ocr: boolean;
}

export interface DeidMachine {
  cores: number;
  /** The caller hands over a pool whose threads already run: no start-up to pay. */
  poolStarted: boolean;
}

export type DeidExecution =
  { mode: 'in-thread'; reason: string } | { mode: 'pool'; workers: number; reason: string };

/** The measured costs behind the rule (see the module comment). */
export const executionCosts = {
  bytesPerSecond: 600e6,
  secondsPerFile: 0.001,
  workerStartSeconds: 0.25,
  parallelEfficiency: 0.5,
  bigObjectBytes: 64 * 2 ** 20,
} as const;

/** Estimated seconds of a batch in one thread. */
export function inThreadSeconds(batch: Pick<DeidBatch, 'files' | 'totalBytes'>): number {
  return batch.files * executionCosts.secondsPerFile + batch.totalBytes / executionCosts.bytesPerSecond;
}

export function chooseExecution(
  batch: DeidBatch,
  machine: DeidMachine,
  requestedWorkers?: number,
): DeidExecution {
  if (requestedWorkers !== undefined) {
    return requestedWorkers <= 0
      ? { mode: 'in-thread', reason: 'asked for no worker threads' }
      : { mode: 'pool', workers: Math.floor(requestedWorkers), reason: 'asked for worker threads' };
  }
  const cores = Math.max(1, machine.cores);
  const workers = Math.max(1, Math.min(cores, batch.files));
  if (batch.largestBytes >= executionCosts.bigObjectBytes)
    return {
      mode: 'pool',
      workers,
      reason: 'a large object would block this thread; only a worker has a time limit',
    };
  if (workers < 2)
    return { mode: 'in-thread', reason: 'one core or one file: a worker would only add its start-up' };
  if (batch.ocr) return { mode: 'pool', workers, reason: 'OCR dominates the cost of each object' };
  const alone = inThreadSeconds(batch);
  const speedUp = 1 + (workers - 1) * executionCosts.parallelEfficiency;
  const pooled = (machine.poolStarted ? 0 : executionCosts.workerStartSeconds) + alone / speedUp;
  return pooled < alone
    ? {
        mode: 'pool',
        workers,
        reason: `estimated ${pooled.toFixed(2)} s in ${workers} workers vs ${alone.toFixed(2)} s here`,
      }
    : {
        mode: 'in-thread',
        reason: `estimated ${alone.toFixed(2)} s here vs ${pooled.toFixed(2)} s in ${workers} workers`,
      };
}
