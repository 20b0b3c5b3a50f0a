/**
 * The one folder walker of import and de-identification: turns the paths a user gave into an
 * ordered list of entries, each a file to read or a line for the report. Nothing is dropped in
 * silence:
 *
 * - Folders are walked recursively in sorted order, following symbolic links but never into a
 *   folder already read (link loops end; a folder given twice is read once).
 * - Only regular files are offered for reading. Named pipes, sockets and devices are never opened
 *   (opening a FIFO blocks until a writer comes); inside a folder they are `skipped`, given
 *   directly they are `failed`, each with its reason.
 * - The same file reached twice (given twice, through a link, a hard link, or a folder and a file
 *   in it) is a `duplicate` of the first, read once.
 * - Unreadable folders, broken links and missing inputs are `failed` with a reason.
 * - The walk is bounded in depth and in entries, and stops when its signal aborts.
 *
 * Entries are reported through `onEntry`, in order, so callers can show progress as files are found.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { describeNonRegular } from './regular-file.js';

export type WalkEntry =
  | { kind: 'file'; path: string; size: number; explicit: boolean }
  | { kind: 'skipped' | 'failed'; path: string; explicit: boolean; code: ErrorCode; reason: string }
  | { kind: 'duplicate'; path: string; explicit: boolean; of: string };

export interface WalkLimits {
  /** Folder levels below an input (default 128). */
  maxDepth: number;
  /** Entries of all folders together (default 10 million). */
  maxEntries: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = { maxDepth: 128, maxEntries: 10_000_000 };

export interface WalkOptions {
  signal?: AbortSignal;
  /**
   * Hidden entries (".DS_Store", "._IM0001", ".Trashes") are listed as skipped instead of read:
   * they are never images.
   */
  skipHidden?: boolean;
  limits?: Partial<WalkLimits>;
  onEntry: (entry: WalkEntry) => void | Promise<void>;
  /**
   * Called with a folder's sorted entries before they are read; returning true means the caller
   * took the folder over (DICOMDIR media) and its entries are not walked.
   */
  onFolder?: (
    folder: string,
    entries: ReadonlyArray<{ name: string; isDirectory: boolean }>,
  ) => boolean | Promise<boolean>;
}

/** Stats of one folder's entries are taken this many at a time (they run on libuv's threads). */
const STAT_BATCH = 32;

export class FileWalker {
  readonly #options: WalkOptions;
  readonly #limits: WalkLimits;
  readonly #folders = new Set<string>();
  /** First path of every file seen, by device and inode. */
  readonly #files = new Map<string, string>();
  #entries = 0;

  constructor(options: WalkOptions) {
    this.#options = options;
    this.#limits = { ...DEFAULT_WALK_LIMITS, ...options.limits };
  }

  /** Walks every input in order (resolved against the working folder). */
  async walk(inputs: readonly string[]): Promise<void> {
    for (const input of inputs) {
      if (this.#aborted()) return;
      await this.visit(path.resolve(input), { explicit: true });
    }
  }

  /**
   * One path: a folder is walked, a regular file is reported once, anything else is a report
   * line. `fileOnly` refuses folders (a DICOMDIR record must name a file).
   */
  async visit(full: string, how: { explicit: boolean; fileOnly?: boolean }): Promise<void> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(full);
    } catch (error) {
      await this.#emit({ kind: 'failed', path: full, explicit: how.explicit, ...statFailure(error) });
      return;
    }
    await this.#classified(full, stat, how.explicit, 0, how.fileOnly ?? false);
  }

  async #classified(
    full: string,
    stat: fs.Stats,
    explicit: boolean,
    depth: number,
    fileOnly: boolean,
  ): Promise<void> {
    if (stat.isDirectory() && !fileOnly) {
      await this.#folder(full, stat, explicit, depth);
      return;
    }
    const nonRegular = describeNonRegular(stat);
    if (nonRegular !== null) {
      // Given by name, it is the user's mistake to hear about; met in a folder, it is noise to list.
      await this.#emit({
        kind: explicit ? 'failed' : 'skipped',
        path: full,
        explicit,
        code: ErrorCode.NotDicom,
        reason: nonRegular,
      });
      return;
    }
    const key = fileKey(full, stat);
    const first = this.#files.get(key);
    if (first !== undefined) {
      await this.#emit({ kind: 'duplicate', path: full, explicit, of: first });
      return;
    }
    this.#files.set(key, full);
    await this.#emit({ kind: 'file', path: full, size: stat.size, explicit });
  }

  async #folder(dir: string, stat: fs.Stats, explicit: boolean, depth: number): Promise<void> {
    const key = fileKey(dir, stat);
    if (this.#folders.has(key)) return; // read already: a link loop, or the same folder twice
    this.#folders.add(key);
    if (depth > this.#limits.maxDepth) {
      await this.#emit({
        kind: 'failed',
        path: dir,
        explicit,
        code: ErrorCode.TooLarge,
        reason: `Folders are nested more than ${this.#limits.maxDepth} levels deep here; this one was not read.`,
      });
      return;
    }
    let dirents: fs.Dirent[];
    try {
      dirents = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (error) {
      await this.#emit({ kind: 'failed', path: dir, explicit, ...statFailure(error) });
      return;
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.#entries += dirents.length;
    if (this.#entries > this.#limits.maxEntries) {
      await this.#emit({
        kind: 'failed',
        path: dir,
        explicit,
        code: ErrorCode.TooLarge,
        reason: `More than ${this.#limits.maxEntries} files were found; this folder was not read.`,
      });
      return;
    }
    if (this.#options.onFolder) {
      const listing = dirents.map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
      if (await this.#options.onFolder(dir, listing)) return;
    }
    for (let start = 0; start < dirents.length; start += STAT_BATCH) {
      if (this.#aborted()) return;
      const batch = dirents.slice(start, start + STAT_BATCH).map((entry) => path.join(dir, entry.name));
      const stats = await Promise.all(
        batch.map((full) =>
          this.#options.skipHidden && path.basename(full).startsWith('.')
            ? Promise.resolve(null)
            : fs.promises.stat(full).catch((error: unknown) => error as NodeJS.ErrnoException),
        ),
      );
      for (let index = 0; index < batch.length; index += 1) {
        if (this.#aborted()) return;
        const full = batch[index]!;
        const result = stats[index];
        if (result === null) {
          await this.#emit({
            kind: 'skipped',
            path: full,
            explicit: false,
            code: ErrorCode.NotDicom,
            reason: 'Hidden file or folder (system or backup file); not read.',
          });
        } else if (result instanceof fs.Stats) {
          await this.#classified(full, result, false, depth + 1, false);
        } else {
          await this.#emit({ kind: 'failed', path: full, explicit: false, ...statFailure(result) });
        }
      }
    }
  }

  async #emit(entry: WalkEntry): Promise<void> {
    await this.#options.onEntry(entry);
  }

  #aborted(): boolean {
    return this.#options.signal?.aborted ?? false;
  }
}

/** Walks `inputs` and returns every entry in order. */
export async function walkInputs(
  inputs: readonly string[],
  options: Omit<WalkOptions, 'onEntry'> = {},
): Promise<WalkEntry[]> {
  const entries: WalkEntry[] = [];
  await new FileWalker({ ...options, onEntry: (entry) => void entries.push(entry) }).walk(inputs);
  return entries;
}

/** Device and inode identify a file whatever path reached it; a file system without inodes falls back to the real path. */
function fileKey(full: string, stat: fs.Stats): string {
  if (stat.ino !== 0) return `${stat.dev}:${stat.ino}`;
  try {
    return `path:${fs.realpathSync(full)}`;
  } catch {
    return `path:${full}`;
  }
}

/** Why a path could not be looked at, in words for the user. */
export function statFailure(error: unknown): { code: ErrorCode; reason: string } {
  if (error instanceof AppError) return { code: error.code, reason: error.message };
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT')
    return {
      code: ErrorCode.PathNotFound,
      reason: 'This file or folder does not exist (or is a broken link).',
    };
  if (code === 'ENOTDIR')
    return {
      code: ErrorCode.NotAFolder,
      reason: 'This path goes on below a file, as if the file were a folder. Check the path.',
    };
  if (code === 'ELOOP')
    return { code: ErrorCode.PathNotFound, reason: 'This link leads to itself (a loop of symbolic links).' };
  if (code === 'EACCES' || code === 'EPERM')
    return { code: ErrorCode.Io, reason: 'RadLabel is not allowed to read this file or folder.' };
  return {
    code: ErrorCode.Io,
    reason: `This file or folder could not be read (${code ?? 'unknown error'}).`,
  };
}
