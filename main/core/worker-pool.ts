/**
 * The one pool of worker threads for long work off the main thread (import reading, de-identification).
 *
 * - Generic request/response: `run(request)` resolves with the worker's response. The worker side
 *   is `serveRequests(handler)`; it handles one request at a time, in the order received.
 * - A time limit per request (from the moment its worker starts it): a worker past it is
 *   terminated (the only way to stop synchronous work) and replaced; that request fails with a
 *   `timeout` error, the ones posted behind it go to another worker.
 * - A worker that dies fails the request it was on (`crashed`) and is replaced, so one poisonous
 *   file cannot stall a job.
 * - Cancellation: an aborted signal drops a queued request, and terminates the worker running it.
 * - Transfer lists both ways: buffers are handed over, not copied.
 *
 * Workers are given as a module URL. Under vitest and tsx the sources are .ts: such a worker is
 * started through a trampoline that registers tsx's loader first (Node 20 does not apply
 * `--import tsx` from a worker's execArgv); the build ships .js and needs nothing.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type TransferListItem, Worker, parentPort } from 'node:worker_threads';

/** Why a request failed without an answer from its worker. */
export type WorkerPoolFailure = 'timeout' | 'crashed' | 'cancelled' | 'closed' | 'failed';

export class WorkerPoolError extends Error {
  constructor(
    readonly reason: WorkerPoolFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerPoolError';
  }
}

export interface WorkerPoolOptions {
  /** Worker threads, at least 1. They are started when work arrives (or by `start()`). */
  size: number;
  /** Given to every worker as `workerData` (structured-cloned once per worker). */
  workerData?: unknown;
  /** Default time limit per request in ms, counted from when its worker starts it. None if unset. */
  taskTimeoutMs?: number;
  /**
   * Requests posted to one worker ahead of its answers, so it never waits for the main thread
   * between two requests (the round trip costs as much as reading a small file). Default 1.
   */
  depth?: number;
  /**
   * How long a worker may take to load its modules and serve (default 60 s). One that is not ready
   * by then is terminated and replaced, its requests (none started) posted again; after
   * START_ATTEMPTS such starts in a row they fail. Without it a worker whose loading never ends
   * (under tsx, a module-hooks deadlock) held its requests for ever: request time limits only
   * count from ready.
   */
  startTimeoutMs?: number;
}

/** Workers in a row that may fail to become ready in time before the waiting requests fail. */
const START_ATTEMPTS = 3;

export interface RunOptions {
  /** ArrayBuffers (and ports) in the request to hand over instead of copying; the caller loses them. */
  transfer?: readonly TransferListItem[];
  /** Aborting drops a queued request, or terminates (and replaces) the worker running it. */
  signal?: AbortSignal;
  /** This request's time limit, instead of the pool's. */
  timeoutMs?: number;
}

interface Pending<Res> {
  id: number;
  request: unknown;
  transfer: readonly TransferListItem[];
  timeoutMs: number | undefined;
  resolve: (value: Res) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** The worker it was posted to, while it is there. */
  slot: Slot<Res> | null;
  /** Settled already (cancelled while posted behind another request): its answer is dropped. */
  settled: boolean;
}

interface Slot<Res> {
  worker: Worker;
  /** Requests posted to this worker, oldest first; it answers them in order. */
  inFlight: Array<Pending<Res>>;
  timer: NodeJS.Timeout | null;
  gone: boolean;
  /** Its module is loaded and it serves requests: time limits count from here. */
  ready: boolean;
  /** Resolves when it is ready (or gone). */
  whenReady: Promise<void>;
}

type ToWorker = { id: number; request: unknown } | { close: true };
type FromWorker<Res> = { id: number; response: Res } | { id: number; error: string } | { ready: true };

export class WorkerPool<Req, Res> {
  readonly size: number;
  readonly #url: URL;
  readonly #workerData: unknown;
  readonly #timeoutMs: number | undefined;
  readonly #depth: number;
  readonly #startTimeoutMs: number;
  /** Workers in a row that did not become ready in time (reset when one does). */
  #slowStarts = 0;
  readonly #slots: Array<Slot<Res>> = [];
  readonly #queue: Array<Pending<Res>> = [];
  #nextId = 1;
  #closed = false;

  constructor(url: URL, options: WorkerPoolOptions) {
    this.#url = url;
    this.size = Math.max(1, Math.floor(options.size));
    this.#workerData = options.workerData;
    this.#timeoutMs = options.taskTimeoutMs;
    this.#depth = Math.max(1, options.depth ?? 1);
    this.#startTimeoutMs = options.startTimeoutMs ?? 60_000;
  }

  /** Thread ids of the live workers (a replaced worker has a new one). */
  get threadIds(): number[] {
    return this.#slots.map((slot) => slot.worker.threadId);
  }

  /** Starts every worker now and waits until they serve requests (their modules loaded). */
  async start(): Promise<void> {
    while (this.#slots.length < this.size && !this.#closed) this.#spawn();
    await Promise.all(this.#slots.map((slot) => slot.whenReady));
  }

  run(request: Req, options: RunOptions = {}): Promise<Res> {
    if (this.#closed) return Promise.reject(new WorkerPoolError('closed', 'The worker pool is closed.'));
    if (options.signal?.aborted) return Promise.reject(cancelled());
    return new Promise<Res>((resolve, reject) => {
      const pending: Pending<Res> = {
        id: this.#nextId++,
        request,
        transfer: options.transfer ?? [],
        timeoutMs: options.timeoutMs ?? this.#timeoutMs,
        resolve,
        reject,
        signal: options.signal,
        onAbort: undefined,
        slot: null,
        settled: false,
      };
      if (pending.signal) {
        pending.onAbort = () => this.#abort(pending);
        pending.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#queue.push(pending);
      this.#pump();
    });
  }

  /** Fails every request not yet given to a worker as cancelled; running ones go on. */
  cancelQueued(): void {
    for (const pending of this.#queue.splice(0)) this.#settle(pending, cancelled());
  }

  /**
   * Fails every request not answered yet (`closed`), lets each worker finish its cleanup (5 s at
   * most), then stops them.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0))
      this.#settle(pending, new WorkerPoolError('closed', 'The worker pool is closed.'));
    await Promise.all(
      this.#slots.splice(0).map(async (slot) => {
        slot.gone = true;
        this.#clearTimer(slot);
        for (const pending of slot.inFlight.splice(0))
          this.#settle(pending, new WorkerPoolError('closed', 'The worker pool is closed.'));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => void slot.worker.terminate().then(() => resolve()), 5000);
          slot.worker.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          slot.worker.postMessage({ close: true } satisfies ToWorker);
        });
      }),
    );
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let slot = this.#slots.find((candidate) => candidate.inFlight.length === 0);
      if (!slot && this.#slots.length < this.size) slot = this.#spawn();
      slot ??= this.#slots
        .filter((candidate) => candidate.inFlight.length < this.#depth)
        .sort((a, b) => a.inFlight.length - b.inFlight.length)[0];
      if (!slot) return;
      const pending = this.#queue.shift()!;
      try {
        slot.worker.postMessage({ id: pending.id, request: pending.request } satisfies ToWorker, [
          ...pending.transfer,
        ]);
      } catch (error) {
        // Not cloneable (a function, a detached buffer): this request fails, the worker is fine.
        this.#settle(pending, new WorkerPoolError('failed', (error as Error).message));
        continue;
      }
      pending.slot = slot;
      slot.inFlight.push(pending);
      if (slot.inFlight.length === 1) this.#startTimer(slot);
    }
  }

  #spawn(): Slot<Res> {
    const worker = startWorker(this.#url, this.#workerData);
    let markReady = (): void => {};
    const whenReady = new Promise<void>((resolve) => {
      markReady = resolve;
      worker.once('exit', () => resolve());
    });
    const slot: Slot<Res> = { worker, inFlight: [], timer: null, gone: false, ready: false, whenReady };
    // Until it is ready, the slot's timer is its start limit.
    const limit = this.#startTimeoutMs;
    slot.timer = setTimeout(
      () => this.#lose(slot, new WorkerPoolError('timeout', `The worker did not start within ${limit} ms.`)),
      limit,
    );
    slot.timer.unref();
    worker.on('message', (message: FromWorker<Res>) => {
      if (slot.gone) return;
      if ('ready' in message) {
        // Loading a worker's modules takes a while (seconds under tsx): not part of any request's time.
        slot.ready = true;
        this.#slowStarts = 0;
        this.#clearTimer(slot);
        markReady();
        this.#startTimer(slot);
        return;
      }
      const head = slot.inFlight[0];
      if (!head || head.id !== message.id) return;
      slot.inFlight.shift();
      this.#clearTimer(slot);
      head.slot = null;
      if ('error' in message) this.#settle(head, new WorkerPoolError('failed', message.error));
      else this.#settle(head, null, message.response);
      // The worker has started the next request posted to it.
      if (slot.inFlight.length > 0) this.#startTimer(slot);
      this.#pump();
    });
    worker.on('error', (error) => this.#lose(slot, new WorkerPoolError('crashed', error.message)));
    worker.on('exit', (code) =>
      this.#lose(slot, new WorkerPoolError('crashed', `The worker stopped (exit code ${code}).`)),
    );
    this.#slots.push(slot);
    return slot;
  }

  #startTimer(slot: Slot<Res>): void {
    const head = slot.inFlight[0];
    if (!slot.ready || !head || head.timeoutMs === undefined) return;
    const limit = head.timeoutMs;
    slot.timer = setTimeout(
      () => this.#lose(slot, new WorkerPoolError('timeout', `The worker took longer than ${limit} ms.`)),
      limit,
    );
  }

  #clearTimer(slot: Slot<Res>): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
  }

  /**
   * Takes a worker out of the pool (it died, ran past its limit, or its request was cancelled):
   * the request it was on fails with `error`, the ones posted behind it are queued again, and a
   * new worker is started if work is waiting.
   */
  #lose(slot: Slot<Res>, error: WorkerPoolError): void {
    if (slot.gone) return;
    slot.gone = true;
    this.#clearTimer(slot);
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    void slot.worker.terminate();
    // A worker that dies before serving anything (its module does not load) would die again.
    // One that did not start in time may have hit a loader hang: its requests (none started) are
    // posted again to a new worker, a few times.
    const slowStart = !slot.ready && error.reason === 'timeout';
    if (slowStart) this.#slowStarts += 1;
    const cannotStart =
      !slot.ready && (error.reason === 'crashed' || (slowStart && this.#slowStarts >= START_ATTEMPTS));
    const failure = cannotStart
      ? new WorkerPoolError('crashed', `The worker could not start: ${error.message}`)
      : error;
    const posted = slot.inFlight.splice(0);
    const current = slowStart && !cannotStart ? undefined : posted.shift();
    if (current) {
      current.slot = null;
      this.#settle(current, failure);
    }
    const retry = posted.filter((pending) => !pending.settled);
    for (const pending of retry) pending.slot = null;
    if (cannotStart) {
      for (const pending of [...retry, ...this.#queue.splice(0)]) this.#settle(pending, failure);
      return;
    }
    this.#queue.unshift(...retry);
    this.#pump();
  }

  #abort(pending: Pending<Res>): void {
    if (pending.settled) return;
    const queued = this.#queue.indexOf(pending);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#settle(pending, cancelled());
      return;
    }
    const slot = pending.slot;
    if (!slot) return;
    if (slot.inFlight[0] === pending) {
      // Running: synchronous work stops only with its thread.
      this.#lose(slot, cancelled());
    } else {
      // Posted behind another request: fail it now; the worker's answer will be dropped.
      this.#settle(pending, cancelled());
    }
  }

  #settle(pending: Pending<Res>, error: Error | null, response?: Res): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    if (error) pending.reject(error);
    else pending.resolve(response as Res);
  }
}

function cancelled(): WorkerPoolError {
  return new WorkerPoolError('cancelled', 'Cancelled.');
}

/** Built, the worker is the .js module itself; under tsx/vitest a .ts module goes through tsx's loader. */
export function startWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  // The package's ESM entry (its require() entry registers differently); found from our package.json.
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(path.join(path.dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const source = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(source, { eval: true, workerData });
}

/** A response with the buffers to hand over to the main thread instead of copying them. */
export class Transfer<Res> {
  constructor(
    readonly response: Res,
    readonly transfer: readonly TransferListItem[],
  ) {}
}

/**
 * The worker side: answers each request with `handle`, one at a time in the order received.
 * A handler that throws fails only that request (`failed`). `onClose` runs when the pool closes.
 */
export function serveRequests<Req, Res>(
  handle: (request: Req) => Res | Transfer<Res> | Promise<Res | Transfer<Res>>,
  onClose?: () => void | Promise<void>,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests() runs in a worker thread');
  let chain: Promise<void> = Promise.resolve();
  port.postMessage({ ready: true } satisfies FromWorker<Res>);
  port.on('message', (message: ToWorker) => {
    chain = chain.then(async () => {
      if ('close' in message) {
        try {
          await onClose?.();
        } finally {
          port.close();
        }
        return;
      }
      try {
        const answer = await handle(message.request as Req);
        if (answer instanceof Transfer)
          port.postMessage({ id: message.id, response: answer.response } satisfies FromWorker<Res>, [
            ...answer.transfer,
          ]);
        else port.postMessage({ id: message.id, response: answer } satisfies FromWorker<Res>);
      } catch (error) {
        port.postMessage({
          id: message.id,
          error: error instanceof Error ? error.message : String(error),
        } satisfies FromWorker<Res>);
      }
    });
  });
}
