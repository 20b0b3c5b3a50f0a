/**
 * Reads whole input files for de-identification into one buffer reused from file to file.
 * Allocating a fresh buffer per file costs about as much as reading the file from the page cache
 * (every page of a new allocation faults in: reading a 250 MB object took 300–360 ms into a new
 * buffer, 110–140 ms into a reused one), and the rewriter's output refers to the input's bytes
 * (pixel data is written as a slice of it), so a reader serves one file at a time: a read is
 * valid until the next one. `release()` drops the buffer when it is large, so an idle thread
 * does not keep the memory of its largest file.
 *
 * Only regular files are read (core/regular-file.ts), so a named pipe or a device never blocks
 * the thread.
 */
import fs from 'node:fs';
import { openRegularFile } from '../core/regular-file.js';
import { readStoredHead, storedPlainSize } from '../cache/store-cipher.js';

/** Kept across `release()`: enough for any single-frame image. */
const SMALL = 16 * 2 ** 20;

export class InputReader {
  #scratch = Buffer.allocUnsafe(0);

  /** The file's bytes; valid until the next call. */
  read(file: string): Buffer {
    const { fd, size } = openRegularFile(file);
    try {
      // A stored file of an encrypted store: its plain bytes (main/cache/store-cipher.ts).
      const plainSize = storedPlainSize(fd, size);
      if (plainSize !== size) return readStoredHead(fd, plainSize, size);
      if (this.#scratch.length < size)
        this.#scratch = Buffer.allocUnsafe(Math.max(size, Math.min(2 * this.#scratch.length, SMALL)));
      let filled = 0;
      while (filled < size) {
        const read = fs.readSync(fd, this.#scratch, filled, size - filled, filled);
        if (read === 0) break;
        filled += read;
      }
      return this.#scratch.subarray(0, filled);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Lets a large buffer go (the last read's bytes with it). */
  release(): void {
    if (this.#scratch.length > SMALL) this.#scratch = Buffer.allocUnsafe(0);
  }
}
