/**
 * The catalog's WAL checkpointer (main/catalog/wal-checkpointer.ts): with it, no commit of the
 * annotation store checkpoints (the WAL passes SQLite's 1000 pages and nothing is copied into the
 * database file during the saves); its worker checkpoints when the catalog is idle, or at once at
 * the cap; closing the catalog removes the WAL with everything in the file; a process killed with
 * SIGKILL while its worker checkpoints loses no acknowledged save. Without it, SQLite's
 * automatic checkpoint runs inside the save that reaches 1000 pages (the control).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AnnotationStore } from '../../../main/annotation/store.js';
import { Catalog, openCatalogConnection } from '../../../main/catalog/catalog.js';
import { openStatsConnection } from '../../../main/stats/db.js';
import {
  type WalCheckpointResult,
  type WalCheckpointerOptions,
  hasWalCheckpointer,
} from '../../../main/catalog/wal-checkpointer.js';
import { readWalIndex } from '../../../main/catalog/wal-index.js';
import { makeTempDir, repoRoot } from '../../fixtures/index.js';
import { lengthVersion } from '../../support/annotation-versions.js';

const dir = makeTempDir('wal-checkpointer');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const STUDY = '1.2.826.0.1.3680043.8.498.7';
const KEY = crypto.randomBytes(32).toString('hex');
const LE = os.endianness() === 'LE';
let counter = 0;
const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const item of open.splice(0).reverse()) item.close();
});

function setUp(checkpointer: WalCheckpointerOptions | false): {
  file: string;
  catalog: Catalog;
  store: AnnotationStore;
  results: WalCheckpointResult[];
} {
  const file = path.join(dir, `catalog-${(counter += 1)}.sqlite`);
  const results: WalCheckpointResult[] = [];
  const catalog = Catalog.open(file, {
    key: KEY,
    ...(checkpointer
      ? { walCheckpointer: { ...checkpointer, onCheckpoint: (result) => results.push(result) } }
      : {}),
  });
  const store = new AnnotationStore(file, { reader: () => 'dr-wal' });
  open.push(catalog, store);
  return { file, catalog, store, results };
}

/** One save of a new measurement with large attributes: ~10 WAL frames. */
function saveOne(store: AnnotationStore): string {
  const version = lengthVersion(
    { studyInstanceUID: STUDY, annotationUid: crypto.randomUUID(), parentIds: [] },
    { attributes: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`note${i}`, 'x'.repeat(2000)])) },
  );
  store.save([version]);
  return version.versionId;
}

const mtime = (file: string) => fs.statSync(file, { bigint: true }).mtimeNs;
const index = (file: string) => readWalIndex(`${file}-shm`, LE)!;

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the WAL-index header', () => {
  it('reads the frames in the WAL and those checkpointed, as SQLite reports them', () => {
    const { file, store } = setUp(false);
    for (let i = 0; i < 5; i += 1) saveOne(store);
    const before = index(file);
    expect(before.frames).toBeGreaterThan(10);
    const other = new Database(file, { fileMustExist: true });
    open.push(other);
    other.pragma(`cipher = 'sqlcipher'`);
    other.pragma(`key = "x'${KEY}'"`);
    const [result] = other.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    expect(result).toMatchObject({ log: before.frames, checkpointed: before.frames });
    expect(index(file)).toMatchObject({ frames: before.frames, backfilled: before.frames });
    saveOne(store);
    const after = index(file);
    // The WAL restarted at that commit (everything was copied), and the commit was counted.
    expect(after.frames).toBeLessThan(before.frames);
    expect(after.change).not.toBe(before.change);
  });
});

describe('the WAL checkpointer', () => {
  it('control, without it: the save that brings the WAL to 1000 pages checkpoints inside its commit', () => {
    const { file, store } = setUp(false);
    const written = mtime(file);
    let saves = 0;
    while (mtime(file) === written && saves < 500) {
      saveOne(store);
      saves += 1;
    }
    expect(saves).toBeLessThan(500);
    expect(index(file).backfilled).toBeGreaterThan(0);
  });

  it('with it, no save checkpoints: the WAL passes 1000 pages and the database file is not written', async () => {
    const { file, catalog, store, results } = setUp({ idleMs: 60_000, capFrames: 100_000 });
    expect(hasWalCheckpointer(file)).toBe(true);
    const written = mtime(file);
    const ids: string[] = [];
    while (index(file).frames < 1500) ids.push(saveOne(store));
    expect(index(file).backfilled).toBe(0);
    expect(mtime(file)).toBe(written);
    expect(results).toEqual([]);
    await store.durable();
    store.close();
    // Closed: everything is in the database file, the WAL is gone.
    catalog.close();
    expect(hasWalCheckpointer(file)).toBe(false);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const reopened = new AnnotationStore(file, { reader: () => 'dr-wal' });
    open.push(reopened);
    expect(ids.every((id) => reopened.version(id) !== null)).toBe(true);
    expect(reopened.integrityCheck()).toBe('ok');
  });

  it('checkpoints when the catalog is idle, off the saving thread', async () => {
    const { file, store, results } = setUp({ idleMs: 300, capFrames: 100_000, tickMs: 50 });
    for (let i = 0; i < 20; i += 1) saveOne(store);
    const frames = index(file).frames;
    await until(() => results.length > 0);
    expect(results[0]).toMatchObject({ reason: 'idle', log: frames, checkpointed: frames, busy: 0 });
    expect(index(file).backfilled).toBe(frames);
    // The next save starts the WAL again from its beginning.
    saveOne(store);
    expect(index(file).frames).toBeLessThan(frames);
  });

  it('checkpoints at the cap while saves never pause, and the WAL stays bounded', async () => {
    const { file, store, results } = setUp({
      idleMs: 60_000,
      capFrames: 100,
      hardCapFrames: 600,
      tickMs: 20,
    });
    let most = 0;
    let restarts = 0;
    let previous = 0;
    const started = Date.now();
    while (Date.now() - started < 4000) {
      saveOne(store);
      const { frames } = index(file);
      if (frames < previous) restarts += 1;
      previous = frames;
      // From its first checkpoint on (the worker loads tsx first here: ~1 s).
      if (results.length > 0) most = Math.max(most, frames);
      // A save every few ms: never idle for the worker.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(results.some((result) => result.reason === 'cap')).toBe(true);
    expect(results.some((result) => result.reason === 'idle')).toBe(false);
    // The WAL started again from its beginning, and never grew far past the hard cap (what the
    // saves wrote while the worker's tick came round and its checkpoint ran): ~650 here.
    expect(restarts).toBeGreaterThan(0);
    expect(most).toBeLessThan(1200);
  });

  it('the catalog connections opened while it runs leave checkpoints to it, and have them back when it stops', () => {
    const { file, catalog } = setUp({ idleMs: 60_000 });
    const stats = openStatsConnection(file);
    const other = openCatalogConnection(file);
    open.push(stats, other);
    const autocheckpoint = (db: Database.Database) => db.pragma('wal_autocheckpoint', { simple: true });
    expect(autocheckpoint(stats)).toBe(0);
    expect(autocheckpoint(other)).toBe(0);
    catalog.close();
    expect(autocheckpoint(stats)).toBe(1000);
    expect(autocheckpoint(other)).toBe(1000);
    // Without a checkpointer (the CLI, tests), SQLite's own.
    const plain = openCatalogConnection(file);
    open.push(plain);
    expect(autocheckpoint(plain)).toBe(1000);
  });

  it('a process killed while its worker checkpoints loses no acknowledged save, and the catalog stays intact', async () => {
    const file = path.join(dir, `catalog-${(counter += 1)}.sqlite`);
    Catalog.open(file, { key: KEY }).close();
    const writer = fileURLToPath(new URL('./wal-crash-writer.ts', import.meta.url));
    const acknowledged: string[] = [];
    let checkpoints = 0;
    for (let trial = 0; trial < 5; trial += 1) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, file, KEY, 'chain-a'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let seen = 0;
      let buffered = '';
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            if (line.startsWith('ack ')) acknowledged.push(line.slice(4));
            else if (line === 'ckpt') {
              checkpoints += 1;
              // Killed after a few of the worker's checkpoints, at a random moment of the next ones.
              if ((seen += 1) === 3) setTimeout(resolve, Math.random() * 60);
            }
          }
        });
        child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      child.kill('SIGKILL');
      await exited;
      const catalog = Catalog.open(file, { key: KEY });
      const store = new AnnotationStore(file, { reader: () => 'dr-check' });
      try {
        expect(
          acknowledged.filter((id) => store.version(id) === null),
          `trial ${trial}`,
        ).toEqual([]);
        expect(store.integrityCheck()).toBe('ok');
      } finally {
        store.close();
        catalog.close();
      }
    }
    expect(checkpoints).toBeGreaterThanOrEqual(15);
    expect(acknowledged.length).toBeGreaterThan(15);
  }, 120_000);
});
