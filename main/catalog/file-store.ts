/**
 * The file store: instance files under <dataDir>/store, content-addressed as
 * `<sha256[0:2]>/<sha256>.dcm`, so a path says nothing about the patient and identical bytes are
 * stored once.
 *
 * Crash safety (DESIGN.md rule 5): files are written as temp files in store/tmp, and a batch is
 * committed in this order:
 *   1. a journal listing the batch's final paths is written next to the temp files;
 *   2. the temp files and the journal are fdatasync'ed, concurrently, then store/tmp is fsync'ed;
 *   3. each temp file is renamed to its final path; the touched fan-out folders are fsync'ed once;
 *   4. the caller's SQLite transaction adds the rows;
 *   5. files that ended up unreferenced (a conflicting copy) are removed, then the journal.
 * On open, every journal left by a crash is replayed: the files it lists that no row references are
 * deleted; then store/tmp is emptied. A crash at any instant thus leaves the old state or the new.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';

export interface StagedFile {
  /** A file in `tmpDir`, fully written (not yet synced). */
  tempPath: string;
  sha256: string;
}

export interface PlacedFile extends StagedFile {
  /** Relative to the store root. */
  relativePath: string;
}

const FAN_OUT = 256;
const RELATIVE_PATH = /^[0-9a-f]{2}\/[0-9a-f]{64}\.dcm$/;

export class FileStore {
  readonly root: string;
  readonly tmpDir: string;
  readonly #logger: Logger | undefined;

  private constructor(root: string, logger?: Logger) {
    this.root = root;
    this.tmpDir = path.join(root, 'tmp');
    this.#logger = logger;
  }

  /**
   * Opens the store, creating its folders, and recovers from a crash: `isReferenced` tells which
   * relative paths the catalog knows (journaled files that it does not know are removed).
   */
  static open(root: string, isReferenced: (relativePath: string) => boolean, logger?: Logger): FileStore {
    const store = new FileStore(root, logger);
    store.#createLayout();
    store.#recover(isReferenced);
    return store;
  }

  #createLayout(): void {
    const marker = path.join(this.root, '.layout-v1');
    fs.mkdirSync(this.tmpDir, { recursive: true });
    if (fs.existsSync(marker)) return;
    for (let i = 0; i < FAN_OUT; i += 1)
      fs.mkdirSync(path.join(this.root, i.toString(16).padStart(2, '0')), { recursive: true });
    fsyncPath(this.root);
    fs.writeFileSync(marker, '');
  }

  #recover(isReferenced: (relativePath: string) => boolean): void {
    let removedFiles = 0;
    let journals = 0;
    for (const name of fs.readdirSync(this.tmpDir)) {
      if (!name.endsWith('.journal')) continue;
      journals += 1;
      let listed: string[] = [];
      try {
        listed = JSON.parse(fs.readFileSync(path.join(this.tmpDir, name), 'utf8')) as string[];
      } catch {
        // A journal torn by the crash was written before any rename (step 2 syncs it first): nothing to undo.
      }
      for (const relativePath of listed) {
        if (!RELATIVE_PATH.test(relativePath) || isReferenced(relativePath)) continue;
        fs.rmSync(path.join(this.root, relativePath), { force: true });
        removedFiles += 1;
      }
    }
    const leftovers = fs.readdirSync(this.tmpDir);
    for (const name of leftovers) fs.rmSync(path.join(this.tmpDir, name), { force: true, recursive: true });
    if (leftovers.length > 0) {
      fsyncPath(this.tmpDir);
      this.#logger?.info(
        { journals, removedFiles, tempFiles: leftovers.length - journals },
        'file store recovered',
      );
    }
  }

  /** A fresh temp file name in the store's tmp folder (same filesystem, so rename is atomic). */
  newTempPath(): string {
    return path.join(this.tmpDir, `${crypto.randomUUID()}.part`);
  }

  relativePathFor(sha256: string): string {
    return `${sha256.slice(0, 2)}/${sha256}.dcm`;
  }

  /** Absolute path of a stored file; refuses anything that is not a store path (no traversal). */
  absolutePath(relativePath: string): string {
    if (!RELATIVE_PATH.test(relativePath)) throw new Error('not a file-store path');
    return path.join(this.root, relativePath);
  }

  /**
   * Commits a batch (steps 1–5 above). `writeRows` runs the SQLite transaction and returns the
   * relative paths it did not reference (conflicts), which are removed afterwards.
   */
  async commit<T>(
    files: readonly StagedFile[],
    writeRows: (placed: PlacedFile[]) => { result: T; unreferenced: string[] },
  ): Promise<T> {
    const placed = files.map((file) => ({ ...file, relativePath: this.relativePathFor(file.sha256) }));
    const journal = path.join(this.tmpDir, `${crypto.randomUUID()}.journal`);
    if (placed.length > 0) {
      await fs.promises.writeFile(journal, JSON.stringify(placed.map((file) => file.relativePath)));
      await Promise.all([...placed.map((file) => datasync(file.tempPath)), datasync(journal)]);
      await fsyncDir(this.tmpDir);
      await Promise.all(
        placed.map((file) => fs.promises.rename(file.tempPath, path.join(this.root, file.relativePath))),
      );
      const touched = new Set(placed.map((file) => path.join(this.root, path.dirname(file.relativePath))));
      await Promise.all([...touched].map(fsyncDir));
    }
    const { result, unreferenced } = writeRows(placed);
    await Promise.all(
      unreferenced.map((relativePath) => fs.promises.rm(this.absolutePath(relativePath), { force: true })),
    );
    if (placed.length > 0) await fs.promises.rm(journal, { force: true });
    return result;
  }

  /** Removes temp files that will not be committed (duplicates, failures, cancelled work). */
  async discard(tempPaths: readonly string[]): Promise<void> {
    await Promise.all(tempPaths.map((tempPath) => fs.promises.rm(tempPath, { force: true })));
  }
}

async function datasync(file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function fsyncPath(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
