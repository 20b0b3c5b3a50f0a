/**
 * Worker thread of the importer: reads one file's DICOM header, hashes the file and copies it
 * into the store's tmp folder. Syncing, renaming and cataloguing stay with the importer, which
 * batches them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { CatalogReader } from '../catalog/catalog-reader.js';
import { parseDicomHeader, readDicomHeaderFromFile } from '../dicom/header.js';
import type { ReadInstanceResult, ReadInstanceTask } from './import-worker-protocol.js';

/** Files up to this size are hashed from one read into memory; larger ones are streamed in chunks. */
const IN_MEMORY_LIMIT = 64 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;

/**
 * One read, one write: the file is read once into memory (or streamed in chunks when large), the
 * header is parsed and the hash computed from those bytes, and the same bytes are written to the
 * temp file, so the catalog describes exactly what is stored even if the source changes meanwhile.
 * A file that is not DICOM is refused before anything is written, and one whose instance the
 * catalog already has is only hashed (re-importing a 2 GB file copies nothing).
 */
export function readInstance(task: ReadInstanceTask): ReadInstanceResult {
  try {
    const size = fs.statSync(task.sourcePath).size;
    if (size > task.maxFileBytes) {
      throw new AppError(
        ErrorCode.TooLarge,
        `This file is ${formatBytes(size)}, above the import limit of ${formatBytes(task.maxFileBytes)}.`,
      );
    }
    if (size <= IN_MEMORY_LIMIT) {
      const bytes = readWhole(task.sourcePath, size);
      const header = parseDicomHeader(bytes);
      if (header.kind !== 'image') return { ok: true, header, sha256: '', size: bytes.length, copied: false };
      const copy = task.copyTo !== null && !alreadyStored(task, header.sopInstanceUID);
      if (copy) fs.writeFileSync(task.copyTo!, bytes);
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      return { ok: true, header, sha256, size: bytes.length, copied: copy };
    }
    const header = readDicomHeaderFromFile(task.sourcePath);
    if (header.kind !== 'image') return { ok: true, header, sha256: '', size, copied: false };
    const copyTo = task.copyTo !== null && !alreadyStored(task, header.sopInstanceUID) ? task.copyTo : null;
    const streamed = streamCopy(task.sourcePath, copyTo);
    return { ok: true, header, sha256: streamed.sha256, size: streamed.size, copied: copyTo !== null };
  } catch (error) {
    return failure(error);
  }
}

/**
 * One buffer per worker, reused for every file (grown when needed): allocating a fresh buffer per
 * file costs as much as reading it from the page cache. Nothing returned refers to it.
 */
let scratch = Buffer.allocUnsafe(0);

function readWhole(file: string, expectedSize: number): Buffer {
  if (scratch.length < expectedSize + 1) {
    // Grows geometrically, but never beyond what an in-memory file can need (≤ 64 MB kept per worker).
    scratch = Buffer.allocUnsafe(
      Math.min(Math.max(expectedSize + 1, 2 * scratch.length, 1 << 20), IN_MEMORY_LIMIT + 1),
    );
  }
  const fd = fs.openSync(file, 'r');
  try {
    let filled = 0;
    // One byte more than expected: a file that grew since stat is read as it is now, up to the buffer.
    for (;;) {
      const read = fs.readSync(fd, scratch, filled, scratch.length - filled, filled);
      if (read === 0) break;
      filled += read;
      if (filled === scratch.length)
        throw new AppError(ErrorCode.Io, 'The file changed size while it was being read; import it again.');
    }
    return scratch.subarray(0, filled);
  } finally {
    fs.closeSync(fd);
  }
}

const readers = new Map<string, CatalogReader>();

/** Whether the catalog already stores this instance (then the file is hashed, never copied). */
function alreadyStored(task: ReadInstanceTask, sopInstanceUID: string): boolean {
  let reader = readers.get(task.catalogFile);
  if (!reader) {
    reader = CatalogReader.open(task.catalogFile);
    readers.set(task.catalogFile, reader);
  }
  return reader.storedHash(sopInstanceUID) !== null;
}

function failure(error: unknown): ReadInstanceResult {
  if (error instanceof AppError) return { ok: false, code: error.code, message: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return { ok: false, code: ErrorCode.NotFound, message: 'The file disappeared during the import.' };
  if (code === 'EACCES' || code === 'EPERM')
    return { ok: false, code: ErrorCode.Io, message: 'RadLabel is not allowed to read this file.' };
  if (code === 'ENOSPC') return { ok: false, code: ErrorCode.Io, message: 'The disk is full.' };
  if (code === 'EISDIR')
    return { ok: false, code: ErrorCode.NotDicom, message: 'This is a folder, not a file.' };
  if (code) return { ok: false, code: ErrorCode.Io, message: `The file could not be read (${code}).` };
  return {
    ok: false,
    code: ErrorCode.Internal,
    message: 'An unexpected error occurred while reading this file.',
  };
}

/** Hashes the file and, when `copyTo` is set, copies it there, reading each chunk once. */
function streamCopy(sourcePath: string, copyTo: string | null): { sha256: string; size: number } {
  const hash = crypto.createHash('sha256');
  const input = fs.openSync(sourcePath, 'r');
  const output = copyTo ? fs.openSync(copyTo, 'w') : null;
  let size = 0;
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const read = fs.readSync(input, buffer, 0, CHUNK, null);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      hash.update(chunk);
      size += read;
      if (output !== null) fs.writeSync(output, chunk);
    }
  } finally {
    fs.closeSync(input);
    if (output !== null) fs.closeSync(output);
  }
  return { sha256: hash.digest('hex'), size };
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${Math.ceil(bytes / 2 ** 20)} MB`;
}

parentPort?.on('message', (message: { id: number; request: ReadInstanceTask }) => {
  const response: ReadInstanceResult = readInstance(message.request);
  parentPort?.postMessage({ id: message.id, response });
});
