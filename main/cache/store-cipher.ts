/**
 * Encryption of the file store (docs/cache.md). A stored instance is written as
 *
 *   header (24 bytes): "RLENC01\n" | 8-byte random nonce prefix | plain size (uint64 LE)
 *   chunk i (i = 0 … n−1): AES-256-GCM of plain bytes [i·64 KiB, (i+1)·64 KiB), then its 16-byte tag
 *
 * with IV = nonce prefix ‖ uint32 BE(i) and associated data = header ‖ (i === n−1 ? 1 : 0), so
 * chunks cannot be reordered, dropped, truncated away or moved to another file; an empty file has
 * one empty final chunk. Any 64 KiB of plain bytes can be read without the rest (bounded memory
 * for streaming and for the header readers). The catalog's size and SHA-256 are of the plain
 * bytes (content addressing and import deduplication are unchanged).
 *
 * Every reader of stored files goes through here: `readStoredFileSync` / `readStoredFile` (whole
 * file), `readStoredHead` (the first n plain bytes of an open descriptor), `storedPlainSize`, and
 * `decryptedStream` (the image route). A file without the magic is a plain file (an older store,
 * encryption off, or a user's own input) and is read as it is.
 *
 * The keys are per process: the main thread registers the key of each data folder it opens
 * (`registerStoreKey`); worker threads started afterwards receive them through worker_threads
 * environment data (never the process environment). A chunk is decrypted with the key that
 * authenticates it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { getEnvironmentData, isMainThread, setEnvironmentData } from 'node:worker_threads';
import { AppError, ErrorCode } from '../../shared/errors.js';

const MAGIC = Buffer.from('RLENC01\n', 'latin1');
export const STORE_HEADER_BYTES = 24;
export const STORE_CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const ENV_KEY = 'radlabel.storeKey';

/** This process's store keys (one per open data folder; tests open several). */
const keys: Buffer[] = [];

/** Adds a store key to this process; workers started later inherit the keys. */
export function registerStoreKey(value: Buffer): void {
  if (keys.some((known) => known.equals(value))) return;
  keys.push(value);
  if (isMainThread) setEnvironmentData(ENV_KEY, keys.map((known) => known.toString('hex')).join(','));
}

function currentKeys(): Buffer[] {
  if (keys.length === 0) {
    const inherited = getEnvironmentData(ENV_KEY);
    if (typeof inherited === 'string')
      for (const hex of inherited.split(','))
        if (/^[0-9a-f]{64}$/.test(hex)) keys.push(Buffer.from(hex, 'hex'));
  }
  return keys;
}

function chunkCount(plainSize: number): number {
  return Math.max(1, Math.ceil(plainSize / STORE_CHUNK_BYTES));
}

export function encryptedSize(plainSize: number): number {
  return STORE_HEADER_BYTES + plainSize + TAG_BYTES * chunkCount(plainSize);
}

function iv(header: Buffer, index: number): Buffer {
  const value = Buffer.alloc(12);
  header.copy(value, 0, 8, 16);
  value.writeUInt32BE(index, 8);
  return value;
}

function aad(header: Buffer, last: boolean): Buffer {
  return Buffer.concat([header, Buffer.from([last ? 1 : 0])]);
}

function tampered(cause?: unknown): AppError {
  return new AppError(
    ErrorCode.Io,
    "This image's file in RadLabel's store was changed or damaged outside RadLabel (it does not decrypt), so it is not used. Import the study again to restore it.",
    cause === undefined ? undefined : { cause },
  );
}

function noKey(): AppError {
  return new AppError(
    ErrorCode.KeyUnavailable,
    "This image's file is encrypted and RadLabel has no key for the store in this process.",
  );
}

/** Encrypts the plain file `source` into `target` (created, mode 0600), streaming. */
export async function encryptFile(source: string, target: string, storeKey: Buffer): Promise<void> {
  const input = await fs.promises.open(source, 'r');
  const output = await fs.promises.open(target, 'wx', 0o600);
  try {
    const plainSize = (await input.stat()).size;
    const header = Buffer.alloc(STORE_HEADER_BYTES);
    MAGIC.copy(header, 0);
    crypto.randomBytes(8).copy(header, 8);
    header.writeBigUInt64LE(BigInt(plainSize), 16);
    await output.write(header, 0, header.length, 0);
    const n = chunkCount(plainSize);
    const plain = Buffer.allocUnsafe(STORE_CHUNK_BYTES);
    let position = STORE_HEADER_BYTES;
    for (let i = 0; i < n; i += 1) {
      const want = Math.min(STORE_CHUNK_BYTES, plainSize - i * STORE_CHUNK_BYTES);
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await input.read(plain, filled, want - filled, i * STORE_CHUNK_BYTES + filled);
        if (bytesRead === 0) throw new AppError(ErrorCode.Io, 'A file changed while it was being stored.');
        filled += bytesRead;
      }
      const cipher = crypto.createCipheriv('aes-256-gcm', storeKey, iv(header, i));
      cipher.setAAD(aad(header, i === n - 1));
      const sealed = Buffer.concat([
        cipher.update(plain.subarray(0, want)),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      await output.write(sealed, 0, sealed.length, position);
      position += sealed.length;
    }
  } finally {
    await Promise.all([input.close(), output.close()]);
  }
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const read = fs.readSync(fd, buffer, filled, length - filled, position + filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}

/** The header of an encrypted stored file open at `fd`, or null when the file is plain. */
function encryptedHeader(fd: number, fileSize: number): { header: Buffer; plainSize: number } | null {
  if (fileSize < STORE_HEADER_BYTES) return null;
  const header = readExactly(fd, STORE_HEADER_BYTES, 0);
  if (header.length < STORE_HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC)) return null;
  const plainSize = Number(header.readBigUInt64LE(16));
  if (!Number.isSafeInteger(plainSize) || encryptedSize(plainSize) !== fileSize) throw tampered();
  return { header, plainSize };
}

function decryptChunk(header: Buffer, plainSize: number, index: number, sealed: Buffer): Buffer {
  const candidates = currentKeys();
  if (candidates.length === 0) throw noKey();
  const n = chunkCount(plainSize);
  if (sealed.length < TAG_BYTES) throw tampered();
  let failure: unknown;
  for (const storeKey of candidates) {
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', storeKey, iv(header, index));
      decipher.setAAD(aad(header, index === n - 1));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (error) {
      failure = error;
    }
  }
  throw tampered(failure);
}

function chunkPosition(index: number): number {
  return STORE_HEADER_BYTES + index * (STORE_CHUNK_BYTES + TAG_BYTES);
}

/** Plain bytes [0, length) of an encrypted file (whole chunks decrypted, each authenticated). */
function decryptPrefix(fd: number, header: Buffer, plainSize: number, length: number): Buffer {
  const wanted = Math.min(length, plainSize);
  const n = chunkCount(plainSize);
  const last = Math.min(n - 1, Math.max(0, Math.ceil(wanted / STORE_CHUNK_BYTES) - 1));
  const out = Buffer.allocUnsafe(wanted);
  let filled = 0;
  for (let i = 0; i <= last && (filled < wanted || i === 0); i += 1) {
    const plainLength = Math.min(STORE_CHUNK_BYTES, plainSize - i * STORE_CHUNK_BYTES);
    const sealed = readExactly(fd, plainLength + TAG_BYTES, chunkPosition(i));
    const plain = decryptChunk(header, plainSize, i, sealed);
    filled += plain.copy(out, filled, 0, Math.min(plain.length, wanted - filled));
  }
  return out.subarray(0, filled);
}

/** Whether the file at `file` is an encrypted store file (by its magic). */
export function isStoreFileEncrypted(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    return readExactly(fd, MAGIC.length, 0).equals(MAGIC);
  } finally {
    fs.closeSync(fd);
  }
}

/** The plain size of the file open at `fd` whose on-disk size is `fileSize`. */
export function storedPlainSize(fd: number, fileSize: number): number {
  return encryptedHeader(fd, fileSize)?.plainSize ?? fileSize;
}

/** The first `length` plain bytes (fewer when the file is shorter) of the file open at `fd`. */
export function readStoredHead(fd: number, length: number, fileSize = fs.fstatSync(fd).size): Buffer {
  const encrypted = encryptedHeader(fd, fileSize);
  if (encrypted) return decryptPrefix(fd, encrypted.header, encrypted.plainSize, length);
  return readExactly(fd, Math.min(length, fileSize), 0);
}

/** The whole plain content of `file` (decrypted when it is an encrypted store file). */
export function readStoredFileSync(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    return readStoredHead(fd, Number.MAX_SAFE_INTEGER, size);
  } finally {
    fs.closeSync(fd);
  }
}

/** The whole plain content of `file`, read off the event loop's critical path chunk by chunk. */
export async function readStoredFile(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(Math.min(size, STORE_HEADER_BYTES));
    await handle.read(head, 0, head.length, 0);
    if (head.length < STORE_HEADER_BYTES || !head.subarray(0, 8).equals(MAGIC))
      return await handle.readFile();
    const chunks: Buffer[] = [];
    for await (const chunk of decryptedStream(handle, size)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    await handle.close();
  }
}

/**
 * The plain size of an open stored file and, for an encrypted one, its first bytes: one read of
 * the header and the first batch of chunks (the whole file for a file of up to a batch, as a
 * 512² slice is), which `decryptedStream` takes instead of reading them again. `handle` is not
 * closed by the size check; the stream closes it when it ends.
 */
export async function storedFileView(
  handle: fs.promises.FileHandle,
  fileSize: number,
): Promise<{ plainSize: number; encrypted: boolean; head?: Buffer }> {
  if (fileSize < STORE_HEADER_BYTES) return { plainSize: fileSize, encrypted: false };
  const head = borrowReadBuffer();
  const wanted = Math.min(fileSize, head.length);
  let filled = 0;
  try {
    // Read synchronously: at most 1 MiB, from the page cache in a fraction of a millisecond, where
    // each awaited read let every request queued meanwhile (the viewer's eight calls at mount) run
    // first, so an image asked for first was answered last.
    while (filled < wanted) {
      const bytesRead = fs.readSync(handle.fd, head, filled, wanted - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (error) {
    returnReadBuffer(head);
    throw error;
  }
  if (filled < STORE_HEADER_BYTES || !head.subarray(0, 8).equals(MAGIC)) {
    returnReadBuffer(head);
    return { plainSize: fileSize, encrypted: false };
  }
  const plainSize = Number(head.readBigUInt64LE(16));
  if (!Number.isSafeInteger(plainSize) || encryptedSize(plainSize) !== fileSize || filled < wanted) {
    returnReadBuffer(head);
    throw tampered();
  }
  return { plainSize, encrypted: true, head: head.subarray(0, filled) };
}

/** Chunks read and decrypted per read from disk by the stream (about 1 MiB in memory at most). */
const STREAM_BATCH = 16;
/** The header and one batch of sealed chunks: the size of every read buffer of the stream. */
const READ_BUFFER_BYTES = STORE_HEADER_BYTES + STREAM_BATCH * (STORE_CHUNK_BYTES + TAG_BYTES);
/**
 * Read buffers kept for the next request: a 1 MiB allocation per image request made most of the
 * image route's garbage-collection work (its plain bytes are fresh buffers of their own; these
 * hold sealed bytes only until they are decrypted). At most this many are kept.
 */
const READ_BUFFER_POOL = 8;
const readBuffers: Buffer[] = [];

function borrowReadBuffer(): Buffer {
  return readBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
}

/** Gives a borrowed buffer (or a view of one) back; each borrowed buffer is given back once at most. */
function returnReadBuffer(view: Buffer): void {
  if (view.buffer.byteLength !== READ_BUFFER_BYTES || readBuffers.length >= READ_BUFFER_POOL) return;
  readBuffers.push(Buffer.from(view.buffer, 0, READ_BUFFER_BYTES));
}

/**
 * The plain bytes of the encrypted file open as `handle`, a batch of chunks at a time (each chunk
 * authenticated before any of its bytes is passed on; a batch is its chunks' own buffers, not
 * copied into one, so a host can hand them to the socket in one gathered write); closes nothing.
 * `head`, from `storedFileView`, holds the file's first bytes already read (the header and at
 * most the first batch), and goes back to the read-buffer pool.
 */
export async function* decryptedBatches(
  handle: fs.promises.FileHandle,
  fileSize: number,
  head?: Buffer,
): AsyncGenerator<Buffer[]> {
  let pending = head;
  try {
    let header: Buffer;
    if (pending && pending.length >= STORE_HEADER_BYTES)
      header = Buffer.from(pending.subarray(0, STORE_HEADER_BYTES));
    else {
      header = Buffer.alloc(STORE_HEADER_BYTES);
      await handle.read(header, 0, STORE_HEADER_BYTES, 0);
    }
    const plainSize = Number(header.readBigUInt64LE(16));
    if (!header.subarray(0, 8).equals(MAGIC) || encryptedSize(plainSize) !== fileSize) throw tampered();
    const n = chunkCount(plainSize);
    for (let first = 0; first < n; first += STREAM_BATCH) {
      const last = Math.min(n, first + STREAM_BATCH) - 1;
      const start = chunkPosition(first);
      const end = last === n - 1 ? fileSize : chunkPosition(last + 1);
      // The sealed bytes of this batch: in `head` (file bytes [0, head.length)) or read now.
      const inHead = pending !== undefined && pending.length >= end;
      if (pending && !inHead) returnReadBuffer(pending);
      const buffer = inHead && pending ? pending : borrowReadBuffer();
      const offsetInBuffer = inHead ? start : 0;
      pending = undefined;
      const plain: Buffer[] = [];
      try {
        let filled = inHead ? end - start : 0;
        while (filled < end - start) {
          const { bytesRead } = await handle.read(buffer, filled, end - start - filled, start + filled);
          if (bytesRead === 0) throw tampered();
          filled += bytesRead;
        }
        for (let i = first; i <= last; i += 1) {
          const offset = chunkPosition(i) - start + offsetInBuffer;
          const length = Math.min(STORE_CHUNK_BYTES, plainSize - i * STORE_CHUNK_BYTES) + TAG_BYTES;
          plain.push(decryptChunk(header, plainSize, i, buffer.subarray(offset, offset + length)));
        }
      } finally {
        returnReadBuffer(buffer);
      }
      yield plain;
    }
  } finally {
    if (pending) returnReadBuffer(pending);
  }
}

/** `decryptedBatches` as a byte stream (one buffer per batch); closes nothing. */
export function decryptedStream(handle: fs.promises.FileHandle, fileSize: number, head?: Buffer): Readable {
  async function* buffers(): AsyncGenerator<Buffer> {
    for await (const batch of decryptedBatches(handle, fileSize, head))
      yield batch.length === 1 ? batch[0]! : Buffer.concat(batch);
  }
  return Readable.from(buffers(), { objectMode: false });
}
