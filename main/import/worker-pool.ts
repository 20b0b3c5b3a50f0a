/**
 * A small pool of worker threads running one module. Requests are queued and handed to the first
 * worker with room; replies are matched to requests by sequence number. A worker that dies fails
 * the request it was on (the ones queued behind it go to another worker) and is replaced, so one
 * poisonous file cannot stall an import.
 *
 * Workers are given as a module URL. Under vitest and tsx the sources are .ts: such a worker is
 * started through a two-line trampoline that registers tsx's loader first (Node 20 does not apply
 * `--import tsx` from a worker's execArgv); the build ships .js and needs nothing.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

interface Pending<Res> {
  id: number;
  request: unknown;
  resolve: (value: Res) => void;
  reject: (error: Error) => void;
}

interface Slot<Res> {
  worker: Worker;
  /** Requests posted to this worker, oldest first; it answers them in order. */
  inFlight: Array<Pending<Res>>;
}

/**
 * Requests posted to a worker ahead of its answers, so it never waits for the main thread between
 * two requests (the round trip costs as much as reading a small file).
 */
const DEPTH_PER_WORKER = 4;

export class WorkerPool<Req, Res> {
  readonly size: number;
  readonly #url: URL;
  readonly #slots: Array<Slot<Res>> = [];
  readonly #queue: Array<Pending<Res>> = [];
  #nextId = 1;
  #closed = false;

  constructor(url: URL, size: number) {
    this.#url = url;
    this.size = Math.max(1, size);
  }

  run(request: Req): Promise<Res> {
    if (this.#closed) return Promise.reject(new Error('worker pool closed'));
    return new Promise<Res>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, request, resolve, reject });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.reject(new Error('worker pool closed'));
    await Promise.all(this.#slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => candidate.inFlight.length === 0);
      if (!slot && this.#slots.length < this.size) slot = this.#spawn();
      slot ??= this.#slots
        .filter((candidate) => candidate.inFlight.length < DEPTH_PER_WORKER)
        .sort((a, b) => a.inFlight.length - b.inFlight.length)[0];
      if (!slot) return;
      const pending = this.#queue.shift()!;
      slot.inFlight.push(pending);
      slot.worker.postMessage({ id: pending.id, request: pending.request });
    }
  }

  #spawn(): Slot<Res> {
    const worker = this.#url.pathname.endsWith('.ts') ? typescriptWorker(this.#url) : new Worker(this.#url);
    const slot: Slot<Res> = { worker, inFlight: [] };
    worker.on('message', (message: { id: number; response: Res }) => {
      const index = slot.inFlight.findIndex((pending) => pending.id === message.id);
      if (index < 0) return;
      const [pending] = slot.inFlight.splice(index, 1);
      pending!.resolve(message.response);
      this.#pump();
    });
    const fail = (error: Error) => {
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      // The request being worked on fails; those queued behind it on this worker are retried elsewhere.
      const [current, ...queuedBehind] = slot.inFlight.splice(0);
      current?.reject(error);
      this.#queue.unshift(...queuedBehind);
      if (!this.#closed) this.#pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }
}

/** Development only: runs a .ts worker module with tsx's ESM loader (tsx is a devDependency). */
function typescriptWorker(url: URL): Worker {
  // The package's ESM entry (its require() entry registers differently); found from our package.json.
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(path.join(path.dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const source = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(source, { eval: true });
}
