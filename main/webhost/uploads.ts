/**
 * Staging of files a browser uploads (drag-and-drop or a file input in the web host), so that
 * main can import them like any local folder. Relative paths are sanitised segment by segment.
 *
 * Each web host keeps its uploads in its own session folder, `<data>/staging/<pid>-<random>/`,
 * one folder per upload. Staged files only wait for their import, so they never stay long:
 * - a file whose upload is interrupted (the tab closed, the network dropped) is removed at once;
 * - an upload is removed when the import of its folder finishes (its files are in the store);
 * - an upload untouched for `maxAgeMs` (default 24 h) is abandoned and removed;
 * - at start, the session folders of hosts that no longer run are removed.
 * The staged bytes of a host never exceed `quotaBytes` (default 32 GiB): a file that would pass
 * it is refused with `too-large` (HTTP 413) before or while it is received.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError, ErrorCode } from '../../shared/errors.js';

const MAX_FILE_BYTES = 8 * 1024 ** 3;
/** Longest file or folder name most file systems accept (ext4, APFS, NTFS count bytes or units). */
const MAX_NAME_BYTES = 255;
const MAX_SEGMENTS = 64;
export const DEFAULT_STAGING_QUOTA_BYTES = 32 * 1024 ** 3;
export const DEFAULT_STAGING_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SESSION = /^(\d+)-[0-9a-f]{8}$/;
/** Create new, never through a link at the last component. */
const CREATE_FLAGS =
  fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);

export interface StagingOptions {
  /** Most bytes this host's staging may hold at once (uploads not yet imported). */
  quotaBytes?: number;
  /** An upload neither written to nor imported for this long is abandoned and removed. */
  maxAgeMs?: number;
}

interface Upload {
  folder: string;
  /** Still receiving files (complete() not called yet). */
  open: boolean;
  bytes: number;
  touched: number;
}

export class UploadStaging {
  readonly #root: string;
  readonly #session: string;
  readonly #quotaBytes: number;
  readonly #maxAgeMs: number;
  readonly #uploads = new Map<string, Upload>();
  /** Import job → the uploads it reads. */
  readonly #imports = new Map<string, string[]>();
  #total = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(dataDir: string, options: StagingOptions = {}) {
    this.#root = path.join(dataDir, 'staging');
    this.#session = path.join(this.#root, `${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    this.#quotaBytes = options.quotaBytes ?? DEFAULT_STAGING_QUOTA_BYTES;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_STAGING_MAX_AGE_MS;
  }

  /** Bytes staged now by this host. */
  get stagedBytes(): number {
    return this.#total;
  }

  /**
   * At start: removes what earlier runs left behind: the session folders of hosts that no longer
   * run, folders of the layout before sessions, and any session untouched for `maxAgeMs` (a
   * host that hangs). Then sweeps this host's abandoned uploads every so often.
   */
  start(now = Date.now()): void {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.#root);
    } catch {
      // No staging folder yet.
    }
    for (const name of names) {
      const full = path.join(this.#root, name);
      const owner = SESSION.exec(name);
      const alive = owner !== null && isProcessAlive(Number(owner[1]));
      try {
        if (!alive || now - newestMtime(full) > this.#maxAgeMs)
          fs.rmSync(full, { recursive: true, force: true });
      } catch {
        // Another host may be cleaning too; nothing to do.
      }
    }
    const every = Math.max(1000, Math.min(this.#maxAgeMs / 4, 60 * 60 * 1000));
    this.#timer = setInterval(() => this.sweep(), every);
    this.#timer.unref();
  }

  /** Removes this host's uploads untouched for `maxAgeMs` (abandoned, or imported long ago). */
  sweep(now = Date.now()): void {
    for (const [id, upload] of this.#uploads) {
      if (now - upload.touched > this.#maxAgeMs) this.#remove(id);
    }
  }

  /** Stops sweeping and removes this host's staging folder. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const id of [...this.#uploads.keys()]) this.#remove(id);
    fs.rmSync(this.#session, { recursive: true, force: true });
  }

  begin(): string {
    this.sweep();
    const id = crypto.randomUUID();
    const folder = path.join(this.#session, id);
    fs.mkdirSync(folder, { recursive: true });
    this.#uploads.set(id, { folder, open: true, bytes: 0, touched: Date.now() });
    return id;
  }

  async receive(
    uploadId: string,
    relativePath: string,
    body: Readable,
    declaredLength: number | undefined,
  ): Promise<void> {
    const upload = this.#openUpload(uploadId);
    if (declaredLength !== undefined && declaredLength > MAX_FILE_BYTES) throw fileTooLarge(relativePath);
    if (declaredLength !== undefined && this.#total + declaredLength > this.#quotaBytes)
      throw this.#quotaExceeded(relativePath);
    const segments = sanitizeRelativePath(relativePath);
    upload.touched = Date.now();
    await makeFolders(upload.folder, segments.slice(0, -1), relativePath);
    const target = path.join(upload.folder, ...segments);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(target, CREATE_FLAGS, 0o600);
    } catch (error) {
      throw stagingError(error, relativePath);
    }
    let received = 0;
    let refused: AppError | null = null;
    try {
      // Once refused, the rest of the body is read and dropped: the browser then gets the typed
      // answer instead of a reset connection.
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (refused) continue;
        received += chunk.length;
        this.#add(upload, chunk.length);
        if (received > MAX_FILE_BYTES) refused = fileTooLarge(relativePath);
        else if (this.#total > this.#quotaBytes) refused = this.#quotaExceeded(relativePath);
        else {
          try {
            await handle.write(chunk);
          } catch (error) {
            refused = stagingError(error, relativePath);
          }
        }
      }
    } catch (error) {
      // The browser went away mid-file: nothing of it stays.
      refused = new AppError(ErrorCode.Io, `The upload of ${relativePath} was interrupted.`, {
        cause: error,
      });
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (refused) {
      await fs.promises.rm(target, { force: true });
      this.#add(upload, -received);
      throw refused;
    }
    upload.touched = Date.now();
  }

  complete(uploadId: string): string {
    const upload = this.#openUpload(uploadId);
    upload.open = false;
    upload.touched = Date.now();
    return upload.folder;
  }

  /** An import job started on these paths: staged folders among them go when it finishes. */
  importStarted(jobId: string, paths: readonly string[]): void {
    const ids: string[] = [];
    for (const [id, upload] of this.#uploads) {
      if (!upload.open && paths.some((p) => path.resolve(p) === upload.folder)) {
        upload.touched = Date.now();
        ids.push(id);
      }
    }
    if (ids.length > 0) this.#imports.set(jobId, ids);
  }

  /** The import job ended (done, failed or cancelled): what it committed is in the store. */
  importFinished(jobId: string): void {
    const ids = this.#imports.get(jobId);
    if (!ids) return;
    this.#imports.delete(jobId);
    for (const id of ids) this.#remove(id);
  }

  #add(upload: Upload, bytes: number): void {
    upload.bytes += bytes;
    this.#total += bytes;
  }

  #remove(id: string): void {
    const upload = this.#uploads.get(id);
    if (!upload) return;
    this.#uploads.delete(id);
    this.#total -= upload.bytes;
    try {
      fs.rmSync(upload.folder, { recursive: true, force: true });
    } catch {
      // Removed by hand, or unremovable: the next start tries again.
    }
  }

  #openUpload(uploadId: string): Upload {
    const upload = UPLOAD_ID.test(uploadId) ? this.#uploads.get(uploadId) : undefined;
    if (!upload?.open) throw new AppError(ErrorCode.NotFound, 'This upload is unknown or already complete.');
    return upload;
  }

  #quotaExceeded(relativePath: string): AppError {
    const gib = (this.#quotaBytes / 1024 ** 3).toFixed(this.#quotaBytes < 1024 ** 3 ? 2 : 0);
    return new AppError(
      ErrorCode.TooLarge,
      `${relativePath} was not uploaded: files waiting to be imported may take at most ${gib} GiB. ` +
        'Import fewer files at once, or give the folder by its path instead of uploading it.',
    );
  }
}

export function sanitizeRelativePath(relativePath: string): string[] {
  const segments = relativePath.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.length > MAX_SEGMENTS)
    throw new AppError(
      ErrorCode.InvalidRequest,
      `The file name ${JSON.stringify(relativePath)} cannot be used.`,
    );
  for (const segment of segments) {
    if (segment === '..' || segment.includes('\0') || /^[a-zA-Z]:$/.test(segment))
      throw new AppError(
        ErrorCode.InvalidRequest,
        `The file name ${JSON.stringify(relativePath)} cannot be used.`,
      );
    if (Buffer.byteLength(segment, 'utf8') > MAX_NAME_BYTES) throw nameTooLong(segment);
  }
  return segments;
}

/** Makes the folders of a file's path one by one, so that a file in the way has a clear answer. */
async function makeFolders(root: string, segments: readonly string[], relativePath: string): Promise<void> {
  let current = root;
  for (const segment of segments) {
    current = path.join(current, segment);
    try {
      await fs.promises.mkdir(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw stagingError(error, relativePath);
      const stat = await fs.promises.lstat(current);
      if (!stat.isDirectory())
        throw new AppError(
          ErrorCode.InvalidRequest,
          `${relativePath} was not uploaded: "${segment}" is a file in this upload, so it cannot also be a folder.`,
        );
    }
  }
}

function stagingError(error: unknown, relativePath: string): AppError {
  if (error instanceof AppError) return error;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EEXIST':
      return new AppError(
        ErrorCode.InvalidRequest,
        `${relativePath} was not uploaded: this upload already has a file with the same name in the same folder.`,
      );
    case 'ENOTDIR':
      return new AppError(
        ErrorCode.InvalidRequest,
        `${relativePath} was not uploaded: a part of its folder path is a file in this upload.`,
      );
    case 'ENAMETOOLONG':
      return new AppError(
        ErrorCode.InvalidRequest,
        `${relativePath} was not uploaded: its path is too long for this computer's file system.`,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new AppError(
        ErrorCode.Io,
        `${relativePath} was not uploaded: the disk of RadLabel's data folder is full.`,
      );
    default:
      return new AppError(
        ErrorCode.Io,
        `${relativePath} could not be stored for import (the data folder is not writable?).`,
        {
          cause: error,
        },
      );
  }
}

function nameTooLong(segment: string): AppError {
  return new AppError(
    ErrorCode.InvalidRequest,
    `The name "${segment.slice(0, 40)}…" is too long for this computer's file system ` +
      `(at most ${MAX_NAME_BYTES} bytes; a Chinese character takes 3). Rename it and upload it again.`,
  );
}

function fileTooLarge(relativePath: string): AppError {
  return new AppError(ErrorCode.TooLarge, `${relativePath} was not uploaded: it is larger than 8 GiB.`);
}

/** The most recent modification time in a folder and its direct children (upload folders). */
function newestMtime(folder: string): number {
  let newest = fs.statSync(folder).mtimeMs;
  try {
    for (const name of fs.readdirSync(folder)) {
      const stat = fs.statSync(path.join(folder, name), { throwIfNoEntry: false });
      if (stat && stat.mtimeMs > newest) newest = stat.mtimeMs;
    }
  } catch {
    // Not a folder: its own time is all there is.
  }
  return newest;
}

/** Whether a process with this id runs (signal 0 only checks; EPERM means it exists). */
function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
