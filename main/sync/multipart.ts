/**
 * multipart/related for DICOMweb, streamed both ways (RFC 2046, PS3.18 8.6.1.2).
 *
 * Out (STOW-RS): `multipartBody` yields the body part by part, each file read from disk as it is
 * sent, so a study of any size costs a few read buffers; its exact length is known beforehand (a
 * Content-Length header, which every server accepts). A file whose size changes while it is sent
 * fails the request instead of sending a body that lies about its length.
 *
 * In (WADO-RS): `readMultipart` parses a response body as it arrives and hands each part's bytes to
 * a sink (a temp file), bounded: the headers of a part, the size of a part and the number of parts
 * are limited, and an answer without a boundary, with a part too large or ending before its
 * closing delimiter fails with an error that says so.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { AppError, ErrorCode } from '../../shared/errors.js';

export interface MultipartFile {
  path: string;
  /** The file's size when it was queued; the part's Content-Length. */
  size: number;
}

const CRLF = '\r\n';
/** The blank line that ends a part's headers (a Buffer: indexOf with a string converts it each time). */
const HEADERS_END = Buffer.from('\r\n\r\n', 'latin1');
const READ_CHUNK = 1024 * 1024;

/** A boundary that cannot occur by chance in the parts: 32 random hex digits. */
export function newBoundary(): string {
  return `radlabel-${crypto.randomBytes(16).toString('hex')}`;
}

/** `multipart/related; type="application/dicom"; boundary=…`, the STOW-RS request type. */
export function stowContentType(boundary: string): string {
  return `multipart/related; type="application/dicom"; boundary=${boundary}`;
}

function partHead(boundary: string, size: number, first: boolean): Buffer {
  return Buffer.from(
    `${first ? '' : CRLF}--${boundary}${CRLF}Content-Type: application/dicom${CRLF}` +
      `Content-Length: ${size}${CRLF}${CRLF}`,
    'latin1',
  );
}

function closing(boundary: string): Buffer {
  return Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1');
}

function changedSize(file: MultipartFile): AppError {
  return new AppError(
    ErrorCode.Io,
    `A file changed size while it was being uploaded (${file.size} bytes expected).`,
  );
}

/**
 * The bytes of `file` in buffers of exactly what is read (at most READ_CHUNK): each buffer is
 * handed over to the socket and never reused, so none is copied. A read stream with a 1 MiB
 * highWaterMark allocated 1 MiB per read whatever the file's size and its wrapper (Readable.from)
 * added a hop per chunk: about 2.5 times the CPU per uploaded megabyte, measured, where CPU is what
 * the server storing the files needs too.
 */
async function* fileChunks(file: MultipartFile): AsyncGenerator<Buffer> {
  const handle = await fs.promises.open(file.path, 'r');
  try {
    for (let offset = 0; offset < file.size;) {
      const length = Math.min(READ_CHUNK, file.size - offset);
      const buffer = Buffer.allocUnsafeSlow(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) throw changedSize(file);
        filled += bytesRead;
      }
      offset += length;
      yield buffer;
    }
    if ((await handle.stat()).size !== file.size) throw changedSize(file);
  } finally {
    await handle.close();
  }
}

/** The body of a STOW-RS request of `files`, and its length in bytes. */
export function multipartBody(
  files: readonly MultipartFile[],
  boundary: string,
): { length: number; chunks: () => AsyncGenerator<Buffer> } {
  if (files.length === 0) throw new Error('multipartBody: no files');
  let length = closing(boundary).length;
  files.forEach((file, index) => {
    length += partHead(boundary, file.size, index === 0).length + file.size;
  });
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const [index, file] of files.entries()) {
      yield partHead(boundary, file.size, index === 0);
      yield* fileChunks(file);
    }
    yield closing(boundary);
  }
  return { length, chunks };
}

/** The boundary parameter of a multipart Content-Type, or null (RFC 2046 5.1.1: 1–70 characters). */
export function boundaryOf(contentType: string | undefined | null): string | null {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null;
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))\s*(?:;|$)/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2] ?? null;
  return boundary && /^[0-9A-Za-z'()+_,\-./:=? ]+$/.test(boundary) ? boundary : null;
}

/**
 * Where one part's bytes go. Synchronous on purpose: a part is written as its bytes arrive, before
 * the next chunk is taken from the network, so nothing queues up in memory and the HTTP client
 * never has to pause its parser (see `MultipartReader`).
 */
export interface PartSink {
  write(chunk: Buffer): void;
  end(): void;
}

export interface MultipartLimits {
  maxParts: number;
  maxPartBytes: number;
  /** Headers of one part. */
  maxHeaderBytes?: number;
  /** Bytes before the first boundary (a preamble); real servers send none or a line. */
  maxPreambleBytes?: number;
}

function malformed(message: string): AppError {
  return new AppError(ErrorCode.ServerError, `The server's answer cannot be read: ${message}.`);
}

/** Lower-cased header names to values. */
function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split(CRLF)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('a part has a header line without a name');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

type ReaderState = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

/**
 * A push parser of a multipart body: `write` each chunk as it arrives, `end` when the body ended.
 * `openPart` is called for each part with its headers and returns where its bytes go. Everything
 * happens synchronously inside `write`, so a caller that feeds it from a stream's 'data' events
 * holds at most one chunk plus a delimiter's length, whatever the speed of the network or the disk.
 *
 * Why synchronous: undici 7 (our HTTP client) crashes with `assert(!this.paused)` when a response
 * whose end is the connection's close (Orthanc's WADO-RS of a study: `Connection: close`, no
 * length) ends while its parser is paused by backpressure (nodejs/undici#5360, fixed only in
 * undici 8, which needs Node 22). A consumer that awaits per chunk lets the body's buffer fill and
 * the parser pause; one that handles each chunk before returning never does.
 */
export class MultipartReader {
  readonly #openPart: (headers: Record<string, string>, index: number) => PartSink;
  readonly #limits: MultipartLimits;
  readonly #maxHeaderBytes: number;
  readonly #maxPreambleBytes: number;
  readonly #dash: Buffer;
  /** Inside a part, the delimiter is always preceded by CRLF. */
  readonly #delimiter: Buffer;
  #buffer: Buffer = Buffer.alloc(0);
  #state: ReaderState = 'preamble';
  #parts = 0;
  #partBytes = 0;
  #sink: PartSink | null = null;

  constructor(
    contentType: string | undefined | null,
    openPart: (headers: Record<string, string>, index: number) => PartSink,
    limits: MultipartLimits,
  ) {
    const boundary = boundaryOf(contentType);
    if (!boundary)
      throw malformed(
        `it is not multipart with a boundary (Content-Type ${JSON.stringify(contentType ?? '')})`,
      );
    this.#openPart = openPart;
    this.#limits = limits;
    this.#maxHeaderBytes = limits.maxHeaderBytes ?? 16 * 1024;
    this.#maxPreambleBytes = limits.maxPreambleBytes ?? 64 * 1024;
    this.#dash = Buffer.from(`--${boundary}`, 'latin1');
    this.#delimiter = Buffer.from(`${CRLF}--${boundary}`, 'latin1');
  }

  /** Parts begun so far. */
  get parts(): number {
    return this.#parts;
  }

  /** Whether the closing delimiter came (what follows, the epilogue, is ignored). */
  get done(): boolean {
    return this.#state === 'done';
  }

  /**
   * The next chunk of the body; throws (an AppError) when the answer is malformed. The reader
   * keeps no view of `chunk` after it returns (what it holds back, a piece of a delimiter or of a
   * part's headers, is copied), so a caller may reuse the chunk's memory; its sinks get views
   * valid during their call.
   */
  write(chunk: Uint8Array): void {
    if (this.#state === 'done') return; // The epilogue is ignored (but drained).
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const tail = this.#buffer;
    if (tail.length > 0 && this.#state === 'body' && bytes.length >= this.#delimiter.length - 1) {
      // Inside a part, what is left of the last chunk is shorter than a delimiter. Unless a
      // delimiter begins in it, it is the part's data: written as it is and the new chunk parsed
      // without copying it (a copy of every chunk cost a tenth of a retrieval's CPU, measured).
      const probe = Buffer.concat([tail, bytes.subarray(0, this.#delimiter.length - 1)]);
      const at = probe.indexOf(this.#delimiter);
      if (at < 0 || at >= tail.length) {
        this.#partData(tail);
        this.#buffer = bytes;
        this.#step();
        this.#release(bytes);
        return;
      }
    }
    this.#buffer = tail.length === 0 ? bytes : Buffer.concat([tail, bytes]);
    this.#step();
    this.#release(bytes);
  }

  /** What is held back is copied when it is a view of the caller's chunk. */
  #release(bytes: Buffer): void {
    if (this.#buffer.length > 0 && this.#buffer.buffer === bytes.buffer)
      this.#buffer = Buffer.from(this.#buffer);
  }

  /** Bytes of the current part, counted against its limit. */
  #partData(data: Buffer): void {
    this.#partBytes += data.length;
    if (this.#partBytes > this.#limits.maxPartBytes)
      throw malformed(`a part is larger than ${this.#limits.maxPartBytes} bytes`);
    this.#sink!.write(data);
  }

  /** The body ended: the number of parts, or an error when the closing delimiter never came. */
  end(): number {
    if (this.#state !== 'done')
      throw malformed(this.#parts === 0 ? 'it holds no part' : 'it ended before its last part was complete');
    return this.#parts;
  }

  #step(): void {
    const limits = this.#limits;
    const dash = this.#dash;
    const delimiter = this.#delimiter;
    for (;;) {
      let buffer = this.#buffer;
      if (this.#state === 'preamble') {
        // The first delimiter may open the body without a CRLF before it.
        const at = buffer.subarray(0, dash.length).equals(dash) ? 0 : buffer.indexOf(delimiter);
        if (at < 0) {
          if (buffer.length > this.#maxPreambleBytes) throw malformed('no part begins where one should');
          return;
        }
        this.#buffer = buffer.subarray(at === 0 && buffer[0] === 0x2d ? dash.length : at + delimiter.length);
        this.#state = 'after-delimiter';
        buffer = this.#buffer;
      }
      if (this.#state === 'after-delimiter') {
        const lineEnd = buffer.indexOf(CRLF);
        if (lineEnd < 0) {
          if (buffer.length >= 2 && buffer[0] === 0x2d && buffer[1] === 0x2d) {
            this.#state = 'done';
            return;
          }
          if (buffer.length > 1024) throw malformed('a delimiter line is too long');
          return;
        }
        const rest = buffer.subarray(0, lineEnd).toString('latin1');
        if (rest.startsWith('--')) {
          this.#state = 'done';
          return;
        }
        if (rest.trim() !== '') throw malformed('a delimiter line has text after the boundary');
        this.#buffer = buffer.subarray(lineEnd + 2);
        buffer = this.#buffer;
        if (this.#parts >= limits.maxParts) throw malformed(`it has more than ${limits.maxParts} parts`);
        this.#state = 'headers';
      }
      if (this.#state === 'headers') {
        // A part without headers starts with the blank line at once.
        const end =
          buffer.length >= 2 && buffer[0] === 0x0d && buffer[1] === 0x0a ? -2 : buffer.indexOf(HEADERS_END);
        if (end === -1) {
          if (buffer.length > this.#maxHeaderBytes) throw malformed('the headers of a part are too long');
          return;
        }
        const headers = end === -2 ? {} : parseHeaders(buffer.subarray(0, end).toString('latin1'));
        this.#buffer = buffer.subarray(end === -2 ? 2 : end + 4);
        buffer = this.#buffer;
        const declared = headers['content-length'];
        if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limits.maxPartBytes)
          throw malformed(`a part is larger than ${limits.maxPartBytes} bytes`);
        this.#sink = this.#openPart(headers, this.#parts);
        this.#parts += 1;
        this.#partBytes = 0;
        this.#state = 'body';
      }
      if (this.#state === 'body') {
        const at = buffer.indexOf(delimiter);
        // Without a delimiter, keep what might be its beginning for the next chunk.
        const usable = at >= 0 ? at : Math.max(0, buffer.length - (delimiter.length - 1));
        if (usable > 0) this.#partData(buffer.subarray(0, usable));
        if (at < 0) {
          // Copied: the tail must not keep the whole chunk it came from alive.
          this.#buffer = Buffer.from(buffer.subarray(usable));
          return;
        }
        const sink = this.#sink!;
        this.#sink = null;
        sink.end();
        this.#buffer = buffer.subarray(at + delimiter.length);
        this.#state = 'after-delimiter';
      }
      if (this.#state === 'done') return;
    }
  }
}

/**
 * Parses a multipart body from an async iterable (tests, small answers); resolves to the number of
 * parts once the closing delimiter came. For a response of undici, feed a `MultipartReader` from
 * the body's 'data' events instead (see there).
 */
export async function readMultipart(
  body: AsyncIterable<Uint8Array>,
  contentType: string | undefined | null,
  openPart: (headers: Record<string, string>, index: number) => PartSink,
  limits: MultipartLimits,
): Promise<number> {
  const reader = new MultipartReader(contentType, openPart, limits);
  for await (const chunk of body) reader.write(chunk);
  return reader.end();
}
