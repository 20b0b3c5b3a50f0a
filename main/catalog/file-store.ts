/**
 * The file store: instance files under <dataDir>/store, content-addressed as
 * `<sha256[0:2]>/<sha256>.dcm`, so a path says nothing about the patient and identical bytes are
 * stored once.
 *
 * Crash safety (docs/design.md, rule 5): files are written as temp files in this process's session
 * folder, store/tmp/<pid>-<random>, and a batch is committed in this order:
 *   1. a journal listing the batch's final paths is written next to the temp files;
 *   2. the temp files and the journal are fdatasync'ed, concurrently, then the session folder;
 *   3. each temp file is renamed to its final path; the touched fan-out folders are fsync'ed once;
 *   4. the caller's SQLite transaction adds the rows;
 *   5. files that ended up unreferenced (a conflicting copy) are removed, then the journal.
 * On open, the session folders of processes that are gone are recovered: every journal is
 * replayed (the files it lists that no row references are deleted), then the folder is removed.
 * A crash at any instant thus leaves the old state or the new. The desktop app and the CLI may
 * share a data folder at the same time: a live process's session folder is never touched.
 * One FileStore per data folder per process.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import { openServedFile, type ServedFile } from '../core/routes.js';
import { decryptedBatches, encryptFile, storedFileView } from '../cache/store-cipher.js';

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
/** Store files encrypted at once while a batch commits (bounded: see commit()). */
const ENCRYPT_CONCURRENCY = 4;

export class FileStore {
  readonly root: string;
  /** This process's session folder for temp files and journals. */
  readonly tmpDir: string;
  readonly #sessionsDir: string;
  readonly #logger: Logger | undefined;
  /** With a key, committed files are encrypted (main/cache/store-cipher.ts). */
  readonly #encryptionKey: Buffer | null;

  private constructor(root: string, logger?: Logger, encryptionKey?: Buffer) {
    this.root = root;
    this.#encryptionKey = encryptionKey ?? null;
    this.#sessionsDir = path.join(root, 'tmp');
    this.tmpDir = path.join(this.#sessionsDir, `${process.pid}-${crypto.randomUUID().slice(0, 8)}`);
    this.#logger = logger;
  }

  /**
   * Opens the store, creating its folders, and recovers from a crash: `isReferenced` tells which
   * relative paths the catalog knows (journaled files that it does not know are removed).
   */
  static open(
    root: string,
    isReferenced: (relativePath: string) => boolean,
    logger?: Logger,
    options: { encryptionKey?: Buffer } = {},
  ): FileStore {
    const store = new FileStore(root, logger, options.encryptionKey);
    store.#createLayout();
    store.#recover(isReferenced);
    fs.mkdirSync(store.tmpDir);
    fsyncPath(store.#sessionsDir);
    return store;
  }

  /** Removes this process's (by then empty) session folder. */
  close(): void {
    fs.rmSync(this.tmpDir, { recursive: true, force: true });
  }

  #createLayout(): void {
    const marker = path.join(this.root, '.layout-v1');
    fs.mkdirSync(this.#sessionsDir, { recursive: true });
    if (fs.existsSync(marker)) return;
    for (let i = 0; i < FAN_OUT; i += 1)
      fs.mkdirSync(path.join(this.root, i.toString(16).padStart(2, '0')), { recursive: true });
    fsyncPath(this.root);
    fs.writeFileSync(marker, '');
  }

  #recover(isReferenced: (relativePath: string) => boolean): void {
    let sessions = 0;
    let removedFiles = 0;
    for (const name of fs.readdirSync(this.#sessionsDir)) {
      const session = path.join(this.#sessionsDir, name);
      const owner = Number.parseInt(name, 10);
      if (owner !== process.pid && isProcessAlive(owner)) continue;
      sessions += 1;
      if (fs.statSync(session).isDirectory()) removedFiles += this.#replayJournals(session, isReferenced);
      fs.rmSync(session, { force: true, recursive: true });
    }
    if (sessions > 0) {
      fsyncPath(this.#sessionsDir);
      this.#logger?.info({ sessions, removedFiles }, 'file store recovered');
    }
  }

  /** Deletes the files listed by the session's journals that the catalog does not reference. */
  #replayJournals(session: string, isReferenced: (relativePath: string) => boolean): number {
    let removed = 0;
    for (const name of fs.readdirSync(session)) {
      if (!name.endsWith('.journal')) continue;
      let listed: string[] = [];
      try {
        listed = JSON.parse(fs.readFileSync(path.join(session, name), 'utf8')) as string[];
      } catch {
        // A journal torn by the crash was written before any rename (step 2 syncs it first): nothing to undo.
      }
      for (const relativePath of listed) {
        if (!RELATIVE_PATH.test(relativePath) || isReferenced(relativePath)) continue;
        fs.rmSync(path.join(this.root, relativePath), { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  /** A fresh temp file name in this session's folder (same filesystem, so rename is atomic). */
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
    const key = this.#encryptionKey;
    if (key && placed.length > 0) {
      // Encrypted next to the plain temp file, which goes at once; the batch then commits as before.
      // A few files at a time: each holds a chunk buffer, a cipher and two open files, and a whole
      // batch (64 files) at once raised an import's peak memory by about 40 MiB for no speed.
      let next = 0;
      const encryptNext = async (): Promise<void> => {
        for (let file = placed[next++]; file; file = placed[next++]) {
          const sealed = `${file.tempPath}.sealed`;
          await encryptFile(file.tempPath, sealed, key);
          await fs.promises.rm(file.tempPath, { force: true });
          file.tempPath = sealed;
        }
      };
      await Promise.all(Array.from({ length: Math.min(ENCRYPT_CONCURRENCY, placed.length) }, encryptNext));
    }
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

  /**
   * Removes stored files together with the rows that reference them (deleting studies): the files
   * are journaled first (as in commit), then `deleteRows` runs, then every journaled file no row
   * references any more is removed. A crash in between is finished by the next open's recovery.
   * Returns how many files were removed.
   */
  async removeFiles(
    relativePaths: readonly string[],
    deleteRows: () => void,
    isReferenced: (relativePath: string) => boolean,
  ): Promise<number> {
    const listed = [...new Set(relativePaths)].filter((relativePath) => RELATIVE_PATH.test(relativePath));
    const journal = path.join(this.tmpDir, `${crypto.randomUUID()}.journal`);
    if (listed.length > 0) {
      await fs.promises.writeFile(journal, JSON.stringify(listed));
      await datasync(journal);
      await fsyncDir(this.tmpDir);
    }
    deleteRows();
    let removed = 0;
    const touched = new Set<string>();
    for (const relativePath of listed) {
      if (isReferenced(relativePath)) continue;
      await fs.promises.rm(path.join(this.root, relativePath), { force: true });
      touched.add(path.join(this.root, path.dirname(relativePath)));
      removed += 1;
    }
    await Promise.all([...touched].map(fsyncDir));
    if (listed.length > 0) await fs.promises.rm(journal, { force: true });
    return removed;
  }

  /** Removes temp files that will not be committed (duplicates, failures, cancelled work). */
  async discard(tempPaths: readonly string[]): Promise<void> {
    await Promise.all(tempPaths.map((tempPath) => fs.promises.rm(tempPath, { force: true })));
  }
}

/**
 * Opens a stored file to serve its bytes (both hosts' `/instances/<uid>`): only a regular file,
 * reached through a real fan-out folder of the store (not a link), opened without following a
 * link (O_NOFOLLOW), checked with fstat on the descriptor: on the store's device and of the size
 * the catalog recorded. A file replaced by a link, a pipe or another file is never served.
 * Errors are typed for the viewer: `not-found` when the file is gone, `io` otherwise.
 */
export async function openStoredFile(absolutePath: string, expectedSize?: number): Promise<ServedFile> {
  const folder = path.dirname(absolutePath);
  const relativePath = `${path.basename(folder)}/${path.basename(absolutePath)}`;
  if (!RELATIVE_PATH.test(relativePath)) throw new Error('not a file-store path');
  // Synchronous: a fan-out folder's lstat answers from the inode cache in microseconds, where a
  // promise costs a trip through libuv's thread pool on every image request.
  let folderStat: fs.Stats | undefined;
  try {
    folderStat = fs.lstatSync(folder, { throwIfNoEntry: false });
  } catch {
    folderStat = undefined;
  }
  if (!folderStat) throw missingStoredFile();
  if (!folderStat.isDirectory()) throw alteredStoredFile();
  let file: ServedFile;
  try {
    file = await openServedFile(absolutePath);
  } catch (error) {
    if (error instanceof AppError && error.code === ErrorCode.NotFound) throw missingStoredFile();
    throw alteredStoredFile(error);
  }
  let view: { plainSize: number; encrypted: boolean; head?: Buffer };
  try {
    view = await storedFileView(file.handle, file.size);
  } catch (error) {
    await file.handle.close();
    throw error;
  }
  if (file.dev !== folderStat.dev || (expectedSize !== undefined && view.plainSize !== expectedSize)) {
    await file.handle.close();
    throw alteredStoredFile();
  }
  if (!view.encrypted) return file;
  const { handle, size } = file;
  return {
    ...file,
    size: view.plainSize,
    batches: async function* () {
      try {
        yield* decryptedBatches(handle, size, view.head);
      } finally {
        await handle.close();
      }
    },
  };
}

/** Where the hosts look a stored instance up: the catalog (`Services.instanceFile`), by UID only. */
export interface InstanceLookup {
  instanceFile(sopInstanceUID: string): { path: string; size: number } | null;
}

/**
 * Opens a stored instance by its SOP Instance UID for serving: the one look-up behind both hosts'
 * `/instances/<uid>` and `/instance-batch/…` routes (main/webhost/server.ts,
 * main/electron/protocol.ts). The file is found in the catalog only, never by a path from outside,
 * and opened with `openStoredFile`'s checks. A UID the catalog does not hold → `not-found`; the
 * refusals of `openStoredFile` otherwise.
 */
export async function openCatalogInstance(
  catalog: InstanceLookup,
  sopInstanceUID: string,
): Promise<ServedFile> {
  const file = catalog.instanceFile(sopInstanceUID);
  if (!file) throw new AppError(ErrorCode.NotFound, 'This image is not in the local catalog.');
  return openStoredFile(file.path, file.size);
}

function missingStoredFile(): AppError {
  return new AppError(
    ErrorCode.NotFound,
    "This image's file is missing from RadLabel's store. Import the study again to restore it.",
  );
}

function alteredStoredFile(cause?: unknown): AppError {
  return new AppError(
    ErrorCode.Io,
    "This image's file in RadLabel's store was changed or replaced outside RadLabel, so it is not shown. Import the study again to restore it.",
    cause === undefined ? undefined : { cause },
  );
}

/** Whether a process with this id runs (signal 0 only checks; EPERM means it exists). */
function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
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
