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
      let sent = 0;
      const stream = fs.createReadStream(file.path, { highWaterMark: READ_CHUNK });
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          sent += chunk.length;
          if (sent > file.size) break;
          yield chunk;
        }
      } finally {
        stream.destroy();
      }
      if (sent !== file.size)
        throw new AppError(
          ErrorCode.Io,
          `A file changed size while it was being uploaded (${file.size} bytes expected).`,
        );
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

export interface PartSink {
  write(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
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

/**
 * Parses a multipart body as it streams in; `openPart` is called for each part with its headers
 * and returns where its bytes go. Resolves to the number of parts once the closing delimiter came.
 */
export async function readMultipart(
  body: AsyncIterable<Uint8Array>,
  contentType: string | undefined | null,
  openPart: (headers: Record<string, string>, index: number) => Promise<PartSink> | PartSink,
  limits: MultipartLimits,
): Promise<number> {
  const boundary = boundaryOf(contentType);
  if (!boundary)
    throw malformed(
      `it is not multipart with a boundary (Content-Type ${JSON.stringify(contentType ?? '')})`,
    );
  const maxHeaderBytes = limits.maxHeaderBytes ?? 16 * 1024;
  const maxPreambleBytes = limits.maxPreambleBytes ?? 64 * 1024;
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  // Inside a part, the delimiter is always preceded by CRLF.
  const delimiter = Buffer.from(`${CRLF}--${boundary}`, 'latin1');
  let buffer = Buffer.alloc(0);
  type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';
  let state = 'preamble' as State;
  let parts = 0;
  let partBytes = 0;
  let sink: PartSink | null = null;

  const step = async (final: boolean): Promise<void> => {
    for (;;) {
      if (state === 'preamble') {
        // The first delimiter may open the body without a CRLF before it.
        const at = buffer.subarray(0, dash.length).equals(dash) ? 0 : buffer.indexOf(delimiter);
        if (at < 0) {
          if (buffer.length > maxPreambleBytes) throw malformed('no part begins where one should');
          return;
        }
        buffer = buffer.subarray(at === 0 && buffer[0] === 0x2d ? dash.length : at + delimiter.length);
        state = 'after-delimiter';
      }
      if (state === 'after-delimiter') {
        const lineEnd = buffer.indexOf(CRLF);
        if (lineEnd < 0) {
          if (buffer.length >= 2 && buffer[0] === 0x2d && buffer[1] === 0x2d) {
            state = 'done';
            return;
          }
          if (buffer.length > 1024) throw malformed('a delimiter line is too long');
          return;
        }
        const rest = buffer.subarray(0, lineEnd).toString('latin1');
        if (rest.startsWith('--')) {
          state = 'done';
          return;
        }
        if (rest.trim() !== '') throw malformed('a delimiter line has text after the boundary');
        buffer = buffer.subarray(lineEnd + 2);
        if (parts >= limits.maxParts) throw malformed(`it has more than ${limits.maxParts} parts`);
        state = 'headers';
      }
      if (state === 'headers') {
        // A part without headers starts with the blank line at once.
        const end = buffer.subarray(0, 2).toString('latin1') === CRLF ? -2 : buffer.indexOf(`${CRLF}${CRLF}`);
        if (end === -1) {
          if (buffer.length > maxHeaderBytes) throw malformed('the headers of a part are too long');
          return;
        }
        const headers = end === -2 ? {} : parseHeaders(buffer.subarray(0, end).toString('latin1'));
        buffer = buffer.subarray(end === -2 ? 2 : end + 4);
        const declared = headers['content-length'];
        if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limits.maxPartBytes)
          throw malformed(`a part is larger than ${limits.maxPartBytes} bytes`);
        sink = await openPart(headers, parts);
        parts += 1;
        partBytes = 0;
        state = 'body';
      }
      if (state === 'body') {
        const at = buffer.indexOf(delimiter);
        // Without a delimiter, keep what might be its beginning for the next chunk.
        const usable = at >= 0 ? at : Math.max(0, buffer.length - (delimiter.length - 1));
        if (usable > 0) {
          partBytes += usable;
          if (partBytes > limits.maxPartBytes)
            throw malformed(`a part is larger than ${limits.maxPartBytes} bytes`);
          await sink!.write(buffer.subarray(0, usable));
        }
        if (at < 0) {
          buffer = buffer.subarray(usable);
          if (final) return;
          return;
        }
        await sink!.end();
        sink = null;
        buffer = buffer.subarray(at + delimiter.length);
        state = 'after-delimiter';
      }
      if (state === 'done') return;
    }
  };

  for await (const chunk of body) {
    if (state === 'done') continue; // The epilogue is ignored (but drained).
    buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
    await step(false);
  }
  if (state !== 'done') {
    await step(true);
    if ((state as State) !== 'done')
      throw malformed(parts === 0 ? 'it holds no part' : 'it ended before its last part was complete');
  }
  return parts;
}
