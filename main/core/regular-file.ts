/**
 * Opening a path the user gave without letting it hang the app. `fs.openSync` on a named pipe
 * (FIFO) waits for a writer forever, and `/dev/zero` reads forever; both block the thread that
 * asked (a worker, or the main thread). Every input file is therefore opened non-blocking and
 * checked with fstat on the descriptor before a byte is read: only regular files are read.
 * Checking the descriptor, not the path, also closes the window in which a file is swapped for a
 * pipe between a stat and the open.
 */
import fs from 'node:fs';
import { AppError, ErrorCode } from '../../shared/errors.js';

/** O_NONBLOCK does not exist on Windows, where opening a pipe path does not block anyway. */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** What a non-regular file is, in words a user understands, or null for a regular file. */
export function describeNonRegular(stat: fs.Stats): string | null {
  if (stat.isFile()) return null;
  if (stat.isDirectory()) return 'This is a folder, not a file.';
  if (stat.isFIFO()) return 'This is a named pipe (FIFO), not a file; it was not read.';
  if (stat.isSocket()) return 'This is a socket, not a file; it was not read.';
  if (stat.isCharacterDevice() || stat.isBlockDevice())
    return 'This is a device, not a file; it was not read.';
  return 'This is not a regular file; it was not read.';
}

/** The error for a path that is not a regular file (a FIFO, a device, a socket, a folder). */
export function notRegularFile(stat: fs.Stats): AppError {
  return new AppError(
    ErrorCode.NotDicom,
    describeNonRegular(stat) ?? 'This is not a regular file; it was not read.',
  );
}

/**
 * Opens `file` for reading if, and only if, it is a regular file; never blocks on pipes or
 * devices. The caller closes the descriptor.
 */
export function openRegularFile(file: string): { fd: number; size: number } {
  const fd = fs.openSync(file, OPEN_FLAGS);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw notRegularFile(stat);
    return { fd, size: stat.size };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/** Reads a whole regular file (refusing pipes and devices) into a new buffer. */
export function readRegularFile(file: string, maxBytes = 2 ** 32 - 1): Buffer {
  const { fd, size } = openRegularFile(file);
  try {
    if (size > maxBytes)
      throw new AppError(ErrorCode.TooLarge, 'This file is larger than RadLabel can read at once.');
    return readHead(fd, size);
  } finally {
    fs.closeSync(fd);
  }
}

/** The first `length` bytes of an open file (fewer when it is shorter). */
export function readHead(fd: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const read = fs.readSync(fd, buffer, filled, length - filled, filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}
