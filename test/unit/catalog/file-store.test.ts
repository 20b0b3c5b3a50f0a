import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../main/catalog/catalog.js';
import { FileStore } from '../../../main/catalog/file-store.js';
import { makeTempDir, repoRoot } from '../../fixtures/index.js';

const dir = makeTempDir('file-store');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => path.join(dir, `data-${(counter += 1)}`);

function storedFiles(storeRoot: string): string[] {
  return fs
    .readdirSync(storeRoot, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.dcm'))
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** What must hold after any crash: rows ↔ files one to one, contents intact, no temp files. */
function expectConsistent(dataDir: string): number {
  const catalog = Catalog.open(path.join(dataDir, 'catalog.sqlite'));
  const store = FileStore.open(path.join(dataDir, 'store'), (relativePath) =>
    catalog.isFileReferenced(relativePath),
  );
  catalog.close();
  const db = new Database(path.join(dataDir, 'catalog.sqlite'), { readonly: true });
  const rows = db
    .prepare<[], { file_path: string; sha256: string }>('SELECT file_path, sha256 FROM instance')
    .all();
  db.close();
  expect(fs.readdirSync(path.join(store.root, 'tmp'))).toEqual([path.basename(store.tmpDir)]);
  expect(fs.readdirSync(store.tmpDir)).toEqual([]);
  store.close();
  expect(storedFiles(store.root)).toEqual(rows.map((row) => row.file_path).sort());
  for (const row of rows) expect(sha256(store.absolutePath(row.file_path))).toBe(row.sha256);
  return rows.length;
}

describe('file store', () => {
  it('removes the temp files of a process that is gone when it opens', () => {
    const root = path.join(freshDir(), 'store');
    const crashed = FileStore.open(root, () => false);
    fs.writeFileSync(crashed.newTempPath(), 'half-written copy');
    fs.mkdirSync(path.join(root, 'tmp', '999999999-deadbeef'));
    fs.writeFileSync(path.join(root, 'tmp', '999999999-deadbeef', 'zip-entry.part'), 'x');
    const store = FileStore.open(root, () => false);
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([path.basename(store.tmpDir)]);
    expect(fs.readdirSync(store.tmpDir)).toEqual([]);
  });

  it('leaves the temp files of another running process alone (the app and the CLI share a data folder)', async () => {
    const root = path.join(freshDir(), 'store');
    FileStore.open(root, () => false);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    const session = path.join(root, 'tmp', `${other.pid}-cafebabe`);
    fs.mkdirSync(session);
    fs.writeFileSync(path.join(session, 'in-flight.part'), 'being written right now');
    FileStore.open(root, () => false);
    expect(fs.readdirSync(session)).toEqual(['in-flight.part']);
    const exited = new Promise((resolve) => other.on('exit', resolve));
    other.kill('SIGKILL');
    await exited;
    FileStore.open(root, () => false);
    expect(fs.existsSync(session)).toBe(false);
  });

  it('removes its session folder when closed', () => {
    const root = path.join(freshDir(), 'store');
    const store = FileStore.open(root, () => false);
    store.close();
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('replays a journal left by a crash: files the catalog does not reference are removed, the others kept', () => {
    const root = path.join(freshDir(), 'store');
    const store = FileStore.open(root, () => false);
    const kept = store.relativePathFor('a'.repeat(64));
    const orphan = store.relativePathFor('b'.repeat(64));
    fs.writeFileSync(store.absolutePath(kept), 'referenced');
    fs.writeFileSync(store.absolutePath(orphan), 'renamed, row never committed');
    fs.writeFileSync(path.join(store.tmpDir, 'crashed.journal'), JSON.stringify([kept, orphan]));
    const reopened = FileStore.open(root, (relativePath) => relativePath === kept);
    expect(storedFiles(root)).toEqual([kept]);
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([path.basename(reopened.tmpDir)]);
  });

  it('refuses paths that are not store paths', () => {
    const store = FileStore.open(path.join(freshDir(), 'store'), () => false);
    expect(() => store.absolutePath('../catalog.sqlite')).toThrow();
    expect(() => store.absolutePath(`ab/../../${'a'.repeat(64)}.dcm`)).toThrow();
  });

  it('leaves the old state or the new after a kill at any instant, never a half', async () => {
    const dataDir = freshDir();
    const writer = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
    let committed = 0;
    for (let round = 0; round < 6; round += 1) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 400));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const rows = expectConsistent(dataDir);
      expect(rows).toBeGreaterThanOrEqual(committed);
      committed = rows;
    }
    expect(committed).toBeGreaterThan(0);
  }, 60_000);
});
