/**
 * The catalog's WAL checkpoints, off the event loop (docs/annotation.md "Saving", "Speed").
 *
 * SQLite's automatic checkpoint runs inside the commit that brings the WAL to 1000 pages: that
 * commit copies the WAL into the database file and waits for two fsyncs, on the thread that
 * committed — for an annotation save, main's event loop (tens of ms here, up to hundreds on a busy
 * disk). When the app runs a checkpointer for the catalog, every connection the main thread opens
 * to it turns the automatic checkpoint off (`wal_autocheckpoint = 0`, `disableAutoCheckpoint`) and
 * a worker thread with its own connection checkpoints instead (PASSIVE: it never waits for, nor
 * blocks, a writer or a reader):
 * - when the catalog has been idle for `idleMs` (no commit) and the WAL holds frames not yet copied;
 * - at once, busy or not, when `capFrames` frames wait, and at every tick while the WAL is longer
 *   than that (it starts again from its beginning only at a commit that finds every frame copied,
 *   which saves that never pause can keep from happening);
 * - as a last resort, when the WAL reaches `hardCapFrames` (saves or an import without a pause
 *   for that long), a RESTART checkpoint: it waits for the writer of the moment, and the next
 *   commit waits for it (the only case where a save waits for a checkpoint), then the WAL starts
 *   again. The WAL never grows without bound.
 * Durability is unchanged: a commit is in the WAL (synchronous = NORMAL) before it returns; who
 * copies it into the database file later does not matter to a crash. On close the worker closes
 * its connection first, so the catalog's last connection to close checkpoints the whole WAL and
 * deletes it (SQLite does so on the last close), as before.
 *
 * The worker reads how many frames wait from the WAL-index header (the `-shm` file, format in
 * https://www.sqlite.org/walformat.html): mxFrame (frames in the WAL) minus nBackfill (frames
 * already copied), and iChange (bumped by every commit) to see activity. Reading it costs one
 * pread per tick, no lock and no SQL.
 */
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../core/worker-pool.js';

export interface WalCheckpointerOptions {
  /** No commit for this long, and frames wait: checkpoint. Default 1000 ms. */
  idleMs?: number;
  /** This many frames wait: checkpoint now, busy or not. Default 1000 (SQLite's own threshold). */
  capFrames?: number;
  /** The WAL this long: a RESTART checkpoint (see above). Default 10 × capFrames (~40 MB). */
  hardCapFrames?: number;
  /** How often the worker reads the WAL-index header. Default 100 ms. */
  tickMs?: number;
  /** Each checkpoint the worker ran (tests, diagnostics). */
  onCheckpoint?: (result: WalCheckpointResult) => void;
  /** The worker could not start or failed: the connections keep SQLite's automatic checkpoint. */
  onError?: (error: Error) => void;
}

export interface WalCheckpointResult {
  /** Why it ran: the catalog was idle, the cap was reached, the hard cap; no WAL-index readable. */
  reason: 'idle' | 'cap' | 'restart' | 'unknown';
  /** `PRAGMA wal_checkpoint(PASSIVE)`: frames in the WAL, and how many are in the database now. */
  log: number;
  checkpointed: number;
  busy: number;
  /** Frames waiting when it started. */
  pending: number;
  ms: number;
}

/** What the worker is given. */
export interface WalCheckpointWorkerData {
  file: string;
  key: string | undefined;
  idleMs: number;
  capFrames: number;
  hardCapFrames: number;
  tickMs: number;
  /** [0] set to 1 by the worker once its connection is closed (close() waits on it). */
  closed: SharedArrayBuffer;
}

export type WalCheckpointWorkerMessage =
  { checkpoint: WalCheckpointResult } | { error: string } | { closed: true };

interface Connection {
  readonly open: boolean;
  pragma(source: string): unknown;
}

/**
 * Files whose main-thread connections leave checkpoints to a running checkpointer, with those
 * connections (given SQLite's automatic checkpoint back if the checkpointer stops).
 */
const checkpointed = new Map<string, Set<Connection>>();

/** Whether a checkpointer runs for `file` in this process. */
export function hasWalCheckpointer(file: string): boolean {
  return file !== ':memory:' && file !== '' && checkpointed.has(path.resolve(file));
}

/**
 * Called by every opener of the catalog right after its pragmas: with a checkpointer running for
 * this file, the connection never checkpoints inside its own commits.
 */
export function disableAutoCheckpoint(db: Connection, file: string): void {
  if (!hasWalCheckpointer(file)) return;
  db.pragma('wal_autocheckpoint = 0');
  checkpointed.get(path.resolve(file))!.add(db);
}

/** SQLite's default automatic checkpoint, back on the connections still open. */
function restoreAutoCheckpoint(file: string): void {
  const connections = checkpointed.get(file);
  checkpointed.delete(file);
  for (const db of connections ?? []) {
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  }
}

export class WalCheckpointer {
  readonly #file: string;
  readonly #worker: Worker;
  readonly #closed: Int32Array;
  #open = true;

  /** Starts the worker for `file` (WAL mode, already migrated); `key`: its SQLCipher key, if any. */
  constructor(file: string, key: string | undefined, options: WalCheckpointerOptions = {}) {
    this.#file = path.resolve(file);
    const closed = new SharedArrayBuffer(4);
    this.#closed = new Int32Array(closed);
    const data: WalCheckpointWorkerData = {
      file: this.#file,
      key,
      idleMs: options.idleMs ?? 1000,
      capFrames: options.capFrames ?? 1000,
      hardCapFrames: options.hardCapFrames ?? 10 * (options.capFrames ?? 1000),
      tickMs: options.tickMs ?? 100,
      closed,
    };
    const typescript = import.meta.url.endsWith('.ts');
    this.#worker = startWorker(
      new URL(typescript ? './wal-checkpoint-worker.ts' : './wal-checkpoint-worker.js', import.meta.url),
      data,
    );
    // Never keeps the process alive (a CLI run ends when its work does; close() still waits).
    this.#worker.unref();
    const fail = (error: Error): void => {
      // Back to SQLite's own checkpoints, for open connections and those opened from now on.
      restoreAutoCheckpoint(this.#file);
      options.onError?.(error);
    };
    this.#worker.on('message', (message: WalCheckpointWorkerMessage) => {
      if ('checkpoint' in message) options.onCheckpoint?.(message.checkpoint);
      else if ('error' in message) fail(new Error(message.error));
    });
    this.#worker.on('error', fail);
    checkpointed.set(this.#file, new Set());
  }

  /**
   * Closes the worker's connection and waits for it (up to `timeoutMs`; a checkpoint running
   * finishes first), so the catalog's own last close checkpoints the WAL and removes it. Blocks
   * the calling thread: called once, at shutdown.
   */
  close(timeoutMs = 5000): void {
    if (!this.#open) return;
    this.#open = false;
    restoreAutoCheckpoint(this.#file);
    this.#worker.postMessage({ close: true });
    Atomics.wait(this.#closed, 0, 0, timeoutMs);
    void this.#worker.terminate();
  }
}
