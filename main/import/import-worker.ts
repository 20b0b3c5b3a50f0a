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
import { openRegularFile, readHead } from '../core/regular-file.js';
import { serveRequests } from '../core/worker-pool.js';
import { type DicomHeader, parseDicomHeader, readDicomHeader } from '../dicom/header.js';
import { part10Prefix, sniffLayout } from '../dicom/raw-dataset.js';
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
 *
 * Only regular files are opened, non-blocking (a named pipe would block the worker forever). A
 * dataset without preamble is stored as a Part 10 file: the preamble, "DICM" and the file meta it
 * lacks are written in front of its bytes, and the hash and size are those of the stored file.
 */
export function readInstance(task: ReadInstanceTask): ReadInstanceResult {
  let opened: { fd: number; size: number } | null = null;
  try {
    opened = openRegularFile(task.sourcePath);
    const { fd, size } = opened;
    if (size > task.maxFileBytes) {
      throw new AppError(
        ErrorCode.TooLarge,
        `This file is ${formatBytes(size)}, above the import limit of ${formatBytes(task.maxFileBytes)}.`,
      );
    }
    if (size <= IN_MEMORY_LIMIT) {
      const bytes = readWhole(fd, size);
      const header = parseDicomHeader(bytes);
      if (header.kind !== 'image') return { ok: true, header, sha256: '', size: bytes.length, copied: false };
      const prefix = storedPrefix(bytes, bytes.length, header);
      const hash = crypto.createHash('sha256').update(prefix).update(bytes);
      const copy = task.copyTo !== null && !alreadyStored(task, header.sopInstanceUID);
      if (copy) writeParts(task.copyTo!, [prefix, bytes]);
      // An extracted zip entry is its own temp file: one without preamble is rewritten in place.
      else if (task.copyTo === null && prefix.length > 0) writeParts(task.sourcePath, [prefix, bytes]);
      const sha256 = hash.digest('hex');
      return { ok: true, header, sha256, size: prefix.length + bytes.length, copied: copy };
    }
    const header = readDicomHeader((length) => readHead(fd, length), size);
    if (header.kind !== 'image') return { ok: true, header, sha256: '', size, copied: false };
    const prefix = storedPrefix(readHead(fd, 132), size, header);
    const copyTo = task.copyTo !== null && !alreadyStored(task, header.sopInstanceUID) ? task.copyTo : null;
    if (task.copyTo === null && prefix.length > 0) {
      const rewritten = `${task.sourcePath}.part10`;
      const streamed = streamCopy(fd, rewritten, prefix);
      fs.renameSync(rewritten, task.sourcePath);
      return { ok: true, header, sha256: streamed.sha256, size: streamed.size, copied: false };
    }
    const streamed = streamCopy(fd, copyTo, prefix);
    return { ok: true, header, sha256: streamed.sha256, size: streamed.size, copied: copyTo !== null };
  } catch (error) {
    return failure(error);
  } finally {
    if (opened) fs.closeSync(opened.fd);
  }
}

/** What goes in front of the file's bytes in the store (nothing for a Part 10 file). */
function storedPrefix(head: Uint8Array, size: number, header: DicomHeader): Uint8Array {
  const layout = sniffLayout(head, size);
  return layout ? part10Prefix(layout, header) : new Uint8Array(0);
}

function writeParts(file: string, parts: Uint8Array[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const part of parts) {
      let written = 0;
      while (written < part.length) written += fs.writeSync(fd, part, written, part.length - written);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * One buffer per worker, reused for every file (grown when needed): allocating a fresh buffer per
 * file costs as much as reading it from the page cache. Nothing returned refers to it.
 */
let scratch = Buffer.allocUnsafe(0);

function readWhole(fd: number, expectedSize: number): Buffer {
  if (scratch.length < expectedSize + 1) {
    // Grows geometrically, but never beyond what an in-memory file can need (≤ 64 MB kept per worker).
    scratch = Buffer.allocUnsafe(
      Math.min(Math.max(expectedSize + 1, 2 * scratch.length, 1 << 20), IN_MEMORY_LIMIT + 1),
    );
  }
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
}

const readers = new Map<string, CatalogReader>();

/** Whether the catalog already stores this instance (then the file is hashed, never copied). */
function alreadyStored(task: ReadInstanceTask, sopInstanceUID: string): boolean {
  let reader = readers.get(task.catalogFile);
  if (!reader) {
    reader = CatalogReader.open(task.catalogFile, task.catalogKey);
    readers.set(task.catalogFile, reader);
  }
  return reader.storedHash(sopInstanceUID) !== null;
}

function failure(error: unknown): ReadInstanceResult {
  if (error instanceof AppError) return { ok: false, code: error.code, message: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return { ok: false, code: ErrorCode.PathNotFound, message: 'The file disappeared during the import.' };
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

/**
 * Hashes `prefix` and the file and, when `copyTo` is set, writes both there, reading each chunk
 * once.
 */
function streamCopy(
  input: number,
  copyTo: string | null,
  prefix: Uint8Array,
): { sha256: string; size: number } {
  const hash = crypto.createHash('sha256');
  const output = copyTo ? fs.openSync(copyTo, 'w') : null;
  let size = prefix.length;
  hash.update(prefix);
  let position = 0;
  try {
    if (output !== null && prefix.length > 0) fs.writeSync(output, prefix);
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const read = fs.readSync(input, buffer, 0, CHUNK, position);
      position += read;
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      hash.update(chunk);
      size += read;
      if (output !== null) fs.writeSync(output, chunk);
    }
  } finally {
    if (output !== null) fs.closeSync(output);
  }
  return { sha256: hash.digest('hex'), size };
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${Math.ceil(bytes / 2 ** 20)} MB`;
}

// Imported by tests in the main thread too: it serves requests only as a worker.
if (parentPort) serveRequests<ReadInstanceTask, ReadInstanceResult>(readInstance);
