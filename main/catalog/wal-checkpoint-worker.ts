/**
 * The catalog's checkpointer thread (main/catalog/wal-checkpointer.ts): its own connection, a PASSIVE
 * checkpoint when the catalog is idle or the WAL reaches the cap, never on the main thread.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3-multiple-ciphers';
import { applyDatabaseKey } from '../cache/sqlite-cipher.js';
import { sqliteBinding } from '../core/sqlite.js';
import type {
  WalCheckpointResult,
  WalCheckpointWorkerData,
  WalCheckpointWorkerMessage,
} from './wal-checkpointer.js';
import { readWalIndex } from './wal-index.js';

const data = workerData as WalCheckpointWorkerData;
const port = parentPort!;
const closed = new Int32Array(data.closed);
const post = (message: WalCheckpointWorkerMessage): void => port.postMessage(message);

let db: Database.Database | null = null;
try {
  db = new Database(data.file, { fileMustExist: true, ...sqliteBinding() });
  if (data.key) applyDatabaseKey(db, data.key);
  // Its reads never checkpoint by themselves either; NORMAL: the checkpoint syncs the WAL before
  // copying it and the database file after, as SQLite's automatic one did.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('synchronous = NORMAL');
  // Only a RESTART checkpoint (the WAL at its hard cap) waits for a writer or reader to finish.
  db.pragma('busy_timeout = 2000');
} catch (error) {
  db?.close();
  db = null;
  post({ error: `the WAL checkpointer could not open the catalog: ${(error as Error).message}` });
}

const shmFile = `${data.file}-shm`;
const littleEndian = os.endianness() === 'LE';
let lastChange: number | null = null;
let lastActivity = Date.now();
/** Frames waiting after the last checkpoint that could not copy all (a reader held older ones). */
let leftBehind: { pending: number; at: number } | null = null;

function checkpoint(reason: WalCheckpointResult['reason'], pending: number): void {
  const started = performance.now();
  const mode = reason === 'restart' ? 'RESTART' : 'PASSIVE';
  const [row] = db!.pragma(`wal_checkpoint(${mode})`) as {
    busy: number;
    log: number;
    checkpointed: number;
  }[];
  const result = {
    reason,
    pending,
    busy: row?.busy ?? 0,
    log: row?.log ?? 0,
    checkpointed: row?.checkpointed ?? 0,
  };
  leftBehind =
    result.checkpointed < result.log ? { pending: result.log - result.checkpointed, at: Date.now() } : null;
  post({ checkpoint: { ...result, ms: performance.now() - started } });
}

function tick(): void {
  if (!db) return;
  try {
    const index = readWalIndex(shmFile, littleEndian);
    const now = Date.now();
    if (!index) {
      // No readable WAL-index (not WAL, or being rebuilt): a checkpoint with nothing to do is cheap.
      if (now - lastActivity >= data.idleMs) {
        lastActivity = now;
        checkpoint('unknown', 0);
      }
      return;
    }
    if (index.change !== lastChange) {
      lastChange = index.change;
      lastActivity = now;
    }
    const pending = index.frames - index.backfilled;
    if (pending <= 0) return;
    // The same frames left behind by a reader: again only after a commit or a second.
    if (leftBehind && leftBehind.pending === pending && now - leftBehind.at < 1000) return;
    if (index.frames >= data.hardCapFrames) checkpoint('restart', pending);
    else if (pending >= data.capFrames) checkpoint('cap', pending);
    // Past the cap the WAL starts again from its beginning only at a commit that finds every frame
    // copied: while saves keep coming, catch up at every tick.
    else if (index.frames >= data.capFrames) checkpoint('cap', pending);
    else if (now - lastActivity >= data.idleMs) checkpoint('idle', pending);
  } catch (error) {
    post({ error: `the WAL checkpoint failed: ${(error as Error).message}` });
  }
}

const timer = setInterval(tick, data.tickMs);

port.on('message', (message: { close?: true }) => {
  if (!message.close) return;
  clearInterval(timer);
  try {
    db?.close();
  } finally {
    db = null;
    Atomics.store(closed, 0, 1);
    Atomics.notify(closed, 0);
    post({ closed: true });
    port.close();
  }
});
