/** Writes a list of byte ranges to a file with writev, so nothing is assembled in memory first. */
import fs from 'node:fs';

const BATCH = 512; // below IOV_MAX (1024 on Linux)

function writeAll(fd: number, chunk: Uint8Array, from: number): void {
  let offset = from;
  while (offset < chunk.length) offset += fs.writeSync(fd, chunk, offset, chunk.length - offset);
}

export function writeChunks(file: string, chunks: Uint8Array[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let start = 0; start < chunks.length; start += BATCH) {
      const batch = chunks.slice(start, start + BATCH);
      let written = fs.writevSync(fd, batch);
      // A short write (rare on regular files): finish chunk by chunk from where it stopped.
      for (const chunk of batch) {
        if (written >= chunk.length) {
          written -= chunk.length;
          continue;
        }
        writeAll(fd, chunk, written);
        written = 0;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}
