/**
 * Reads whole input files for de-identification into one buffer reused from file to file.
 * Allocating a fresh buffer per file costs about as much as reading the file from the page cache
 * (every page of a new allocation faults in), and the rewriter's output refers to the input's
 * bytes (pixel data is written as a slice of it), so a reader serves one file at a time: a read
 * is valid until the next one. Files above `keepLimit` get a buffer of their own, so a thread
 * does not hold on to the memory of its largest file.
 *
 * Only regular files are read: the file is opened non-blocking and checked with fstat on the
 * descriptor, so a named pipe or a device never blocks the thread.
 */
import fs from 'node:fs';
import { AppError, ErrorCode } from '../../shared/errors.js';

const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

export class InputReader {
  #scratch = Buffer.allocUnsafe(0);
  readonly #keepLimit: number;

  constructor(keepLimit = 64 * 2 ** 20) {
    this.#keepLimit = keepLimit;
  }

  /** The file's bytes; valid until the next call. */
  read(file: string): Buffer {
    const fd = fs.openSync(file, OPEN_FLAGS);
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile())
        throw new AppError(ErrorCode.NotDicom, 'This is not a regular file; it was not read.');
      const size = stat.size;
      let buffer: Buffer;
      if (size > this.#keepLimit) {
        buffer = Buffer.allocUnsafe(size);
      } else {
        if (this.#scratch.length < size)
          this.#scratch = Buffer.allocUnsafe(
            Math.min(Math.max(size, 2 * this.#scratch.length), this.#keepLimit),
          );
        buffer = this.#scratch;
      }
      let filled = 0;
      while (filled < size) {
        const read = fs.readSync(fd, buffer, filled, size - filled, filled);
        if (read === 0) break;
        filled += read;
      }
      return buffer.subarray(0, filled);
    } finally {
      fs.closeSync(fd);
    }
  }
}
