/**
 * The read-only routes both hosts serve to the renderer: the built renderer's files and the bytes
 * of stored instances. Paths from outside are never joined onto the file system unchecked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode, isAppError } from '../../shared/errors.js';
import {
  INSTANCE_BATCH_MAGIC,
  INSTANCE_BATCH_PATH,
  MAX_BATCH_BYTES,
  MAX_BATCH_FILES,
  MAX_REFUSAL_BYTES,
  RECORD_FILE,
  RECORD_HEADER_BYTES,
  RECORD_REFUSED,
  SOP_INSTANCE_UID_PATTERN,
} from '../../shared/instance-batch.js';
import { MIME_TYPES } from './security.js';

const SOP_UID = new RegExp(`^${SOP_INSTANCE_UID_PATTERN}$`);

export type RendererRoute =
  | { kind: 'instance'; sopInstanceUID: string }
  /** Several stored instances in one answer (shared/instance-batch.ts). */
  | { kind: 'instance-batch'; sopInstanceUIDs: string[] }
  /** A request that names something in a way no route accepts: a typed 400. */
  | { kind: 'invalid'; message: string }
  | { kind: 'static'; filePath: string; contentType: string }
  | { kind: 'not-found' };

/** Map a URL pathname to what it names. `rendererDir` must be absolute. */
export function routeRendererRequest(rendererDir: string, pathname: string): RendererRoute {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'not-found' };
  }
  const instance = /^\/instances\/([^/]+)$/.exec(decoded);
  if (instance) {
    const sop = instance[1]!;
    return SOP_UID.test(sop) ? { kind: 'instance', sopInstanceUID: sop } : { kind: 'not-found' };
  }
  if (decoded.startsWith(INSTANCE_BATCH_PATH)) {
    const uids = decoded.slice(INSTANCE_BATCH_PATH.length).split(',');
    if (uids.length > MAX_BATCH_FILES)
      return { kind: 'invalid', message: `At most ${MAX_BATCH_FILES} instances can be asked for at once.` };
    if (!uids.every((uid) => SOP_UID.test(uid)))
      return { kind: 'invalid', message: 'The request names something that is not a SOP Instance UID.' };
    return { kind: 'instance-batch', sopInstanceUIDs: uids };
  }
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relative.includes('\0')) return { kind: 'not-found' };
  const filePath = path.resolve(rendererDir, relative);
  if (filePath !== rendererDir && !filePath.startsWith(rendererDir + path.sep)) return { kind: 'not-found' };
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch {
    return { kind: 'not-found' };
  }
  if (!stat.isFile()) return { kind: 'not-found' };
  const contentType = MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
  return { kind: 'static', filePath, contentType };
}

/** The folder of the built renderer, next to build/main. */
export function defaultRendererDir(buildMainDir: string): string {
  return path.resolve(buildMainDir, '..', 'renderer');
}

/**
 * A file opened for serving. Both hosts send its bytes through `servedBatches` (the web host's
 * socket writes, `servedBody` for the app:// protocol), which closes `handle` when done.
 */
export interface ServedFile {
  handle: fs.promises.FileHandle;
  size: number;
  /** Device of the file, from fstat on the open descriptor. */
  dev: number;
  /**
   * The bytes to send when they are not the file's own (an encrypted stored file: its plain bytes,
   * main/cache/store-cipher.ts), in batches of buffers a host may hand to the socket in one
   * gathered write (no copy into one buffer); the iteration closes `handle` when it ends.
   * Absent: the file's own bytes.
   */
  batches?: () => AsyncIterable<readonly Buffer[]>;
}

/** A plain file is read and sent this much at a time (one buffer per batch). */
export const PLAIN_BATCH_BYTES = 1024 * 1024;

async function* plainBatches(handle: fs.promises.FileHandle, size: number): AsyncGenerator<Buffer[]> {
  for (let position = 0; position < size;) {
    const buffer = Buffer.allocUnsafe(Math.min(PLAIN_BATCH_BYTES, size - position));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled === 0) return;
    position += filled;
    yield [filled === buffer.length ? buffer : buffer.subarray(0, filled)];
  }
}

/**
 * The one write path of both hosts: the bytes to send for an opened file (a stored file's plain
 * bytes, or the file's own), in batches of buffers nobody reuses; ending or abandoning the
 * iteration closes the file.
 */
export async function* servedBatches(file: ServedFile): AsyncGenerator<readonly Buffer[]> {
  if (file.batches) {
    yield* file.batches();
    return;
  }
  try {
    yield* plainBatches(file.handle, file.size);
  } finally {
    await file.handle.close();
  }
}

/**
 * `servedBatches` as the body of a fetch `Response` (the app:// protocol handler): pulled a batch
 * at a time, so a slow reader never has more than one batch queued; a reader that goes away
 * (cancel) ends the iteration, which closes the file; a read or decryption failure errors the body.
 */
export function servedBody(file: ServedFile): ReadableStream<Uint8Array> {
  return batchesBody(servedBatches(file));
}

/**
 * Batches of buffers as the body of a fetch `Response`, pulled a batch at a time; a reader that
 * goes away ends the iteration; a failure of the iteration errors the body.
 */
export function batchesBody(batches: AsyncGenerator<readonly Buffer[]>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await batches.next();
      if (next.done) {
        controller.close();
        return;
      }
      for (const buffer of next.value) controller.enqueue(buffer);
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}

/**
 * Without following a link at the last component (O_NOFOLLOW) and without blocking on a named
 * pipe (O_NONBLOCK): on Windows neither flag exists; there a link is refused by lstat first.
 */
const SERVE_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Opens a file both hosts may serve: a regular file, never a symbolic link, a pipe or a device,
 * checked with fstat on the open descriptor (so the file cannot be swapped between the check and
 * the read). Missing → `not-found`; anything else that is not a plain file → `io`.
 */
export async function openServedFile(filePath: string): Promise<ServedFile> {
  if (fs.constants.O_NOFOLLOW === undefined) {
    const link = await fs.promises.lstat(filePath).catch(() => null);
    if (link?.isSymbolicLink()) throw notServable();
  }
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(filePath, SERVE_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new AppError(ErrorCode.NotFound, 'This file does not exist.');
    // ELOOP (EMLINK on BSDs): the last component is a symbolic link.
    if (code === 'ELOOP' || code === 'EMLINK') throw notServable();
    throw new AppError(ErrorCode.Io, 'This file cannot be read (permissions?).', { cause: error });
  }
  try {
    // fstat on the descriptor answers at once; awaited, it queued the file behind other requests.
    const stat = fs.fstatSync(handle.fd);
    if (!stat.isFile()) throw notServable();
    return { handle, size: stat.size, dev: stat.dev };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function notServable(): AppError {
  return new AppError(
    ErrorCode.Io,
    'This is not a regular file (a link, a pipe or a device); it is not served.',
  );
}

/** HTTP status of a refusal with each error code (the body carries the typed error itself). */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.NotDicom]: 400,
  [ErrorCode.Truncated]: 400,
  [ErrorCode.Malformed]: 400,
  [ErrorCode.BadArchive]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.SignedOut]: 403,
  [ErrorCode.SessionLocked]: 423,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.PathNotFound]: 404,
  [ErrorCode.NotAFolder]: 400,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Cancelled]: 409,
  [ErrorCode.Incomplete]: 409,
  [ErrorCode.TooLarge]: 413,
  [ErrorCode.KeyUnavailable]: 503,
};

/** 500 for `io`, `internal` and any code not listed. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}

/** Opens a stored instance by its UID for serving (both hosts: `openCatalogInstance`, file-store.ts). */
export type InstanceOpener = (sopInstanceUID: string) => Promise<ServedFile>;

function recordHeader(status: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  header.writeUInt8(status, 0);
  header.writeUInt32LE(length, 1);
  return header;
}

function refusalRecord(error: AppError): Buffer[] {
  let json = Buffer.from(JSON.stringify({ code: error.code, message: error.message }), 'utf8');
  if (json.length > MAX_REFUSAL_BYTES)
    json = Buffer.from(JSON.stringify({ code: error.code, message: 'Not served.' }), 'utf8');
  return [recordHeader(RECORD_REFUSED, json.length), json];
}

/**
 * The body of `/instance-batch/…` (shared/instance-batch.ts), the one implementation both hosts
 * send: the files of `uids` in order, each opened only when its turn comes (one descriptor at a
 * time), each failure to open a refusal record for that file alone. Past `MAX_BATCH_BYTES` of
 * files, the rest are refused as too large (the reader loads them one by one). A failure while a
 * file's bytes are read throws: the host then ends the answer early (its framing cannot go on).
 */
export async function* instanceBatches(
  uids: readonly string[],
  open: InstanceOpener,
  onRefused?: (error: AppError) => void,
): AsyncGenerator<readonly Buffer[]> {
  let pending: Buffer[] = [Buffer.from(INSTANCE_BATCH_MAGIC)];
  let budget = MAX_BATCH_BYTES;
  for (const uid of uids) {
    let file: ServedFile | null = null;
    let refusal: AppError | null = null;
    if (budget < 0) refusal = overBudget();
    else {
      try {
        file = await open(uid);
      } catch (error) {
        refusal = isAppError(error)
          ? error
          : new AppError(ErrorCode.Internal, 'This image could not be served; details are in the log.', {
              cause: error,
            });
      }
      if (file && file.size > budget) {
        await file.handle.close();
        file = null;
        refusal = overBudget();
        budget = -1;
      }
    }
    if (!file) {
      if (refusal) onRefused?.(refusal);
      pending.push(...refusalRecord(refusal ?? overBudget()));
      continue;
    }
    budget -= file.size;
    pending.push(recordHeader(RECORD_FILE, file.size));
    let sent = 0;
    const batches = servedBatches(file);
    try {
      for await (const batch of batches) {
        for (const buffer of batch) sent += buffer.length;
        if (sent > file.size) throw new Error('a stored file is longer than its size');
        yield pending.length > 0 ? [...pending, ...batch] : batch;
        pending = [];
      }
    } finally {
      await batches.return(undefined);
    }
    if (sent !== file.size) throw new Error('a stored file is shorter than its size');
  }
  if (pending.length > 0) yield pending;
}

function overBudget(): AppError {
  return new AppError(
    ErrorCode.TooLarge,
    `Beyond the ${MAX_BATCH_BYTES / 1024 / 1024} MiB of one answer; ask for this image alone.`,
  );
}
