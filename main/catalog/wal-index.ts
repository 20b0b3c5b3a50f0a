/**
 * The WAL-index header of a database in WAL mode (its `-shm` file; https://www.sqlite.org/walformat.html
 * §2.2): how many frames the WAL holds and how many a checkpoint already copied into the database
 * file. Read with one pread, no lock: the header is kept twice and a copy caught mid-write differs
 * from the other, which reads as "not now" (null).
 */
import fs from 'node:fs';

export interface WalIndex {
  /** iChange: bumped by every commit. */
  change: number;
  /** mxFrame: frames in the WAL (0 right after it restarted). */
  frames: number;
  /** nBackfill: frames already copied into the database file. */
  backfilled: number;
}

/** WalIndexHdr (48 bytes) twice, then WalCkptInfo, whose first field is nBackfill. */
const HEADER_BYTES = 48;
const READ_BYTES = 2 * HEADER_BYTES + 4;
const WAL_INDEX_VERSION = 3007000;

/** The header of `shmFile`, in the machine's byte order (SQLite writes it natively); null if unreadable. */
export function readWalIndex(shmFile: string, littleEndian: boolean): WalIndex | null {
  let fd: number;
  try {
    fd = fs.openSync(shmFile, 'r');
  } catch {
    return null;
  }
  const bytes = Buffer.alloc(READ_BYTES);
  try {
    if (fs.readSync(fd, bytes, 0, READ_BYTES, 0) < READ_BYTES) return null;
  } finally {
    fs.closeSync(fd);
  }
  const u32 = (offset: number): number =>
    littleEndian ? bytes.readUInt32LE(offset) : bytes.readUInt32BE(offset);
  const first = bytes.subarray(0, HEADER_BYTES);
  const isInit = bytes[12] === 1;
  if (
    u32(0) !== WAL_INDEX_VERSION ||
    !isInit ||
    !first.equals(bytes.subarray(HEADER_BYTES, 2 * HEADER_BYTES))
  )
    return null;
  return { change: u32(8), frames: u32(16), backfilled: u32(2 * HEADER_BYTES) };
}
