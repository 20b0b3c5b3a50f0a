/**
 * multipart/related both ways (main/sync/multipart.ts): the streamed STOW-RS body is exactly as
 * long as announced and parses back into the files; the parser takes any chunking, and hostile
 * answers (no boundary, a part too large, too many parts, endless headers, a truncated body) fail
 * with a clear error instead of hanging or filling memory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import {
  boundaryOf,
  multipartBody,
  newBoundary,
  type PartSink,
  readMultipart,
  stowContentType,
} from '../../../main/sync/multipart.js';
import { makeTempDir } from '../../fixtures/paths.js';

const dir = makeTempDir('sync-multipart');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function* chunked(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let offset = 0;
  let index = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, sizes[index++ % Math.max(1, sizes.length)] ?? bytes.length);
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

/** The same pieces as `chunked`, each copied into one reused buffer that is overwritten once it was read. */
async function* reused(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  const buffer = Buffer.alloc(Math.max(1, ...sizes));
  for await (const piece of chunked(bytes, sizes)) {
    piece.copy(buffer);
    yield buffer.subarray(0, piece.length);
    buffer.fill(0x2d); // '-': whatever was kept as a view now reads as something else.
  }
}

async function collect(
  body: AsyncIterable<Buffer>,
  contentType: string,
  limits = { maxParts: 100, maxPartBytes: 1 << 24 },
): Promise<Array<{ headers: Record<string, string>; body: Buffer }>> {
  const parts: Array<{ headers: Record<string, string>; body: Buffer }> = [];
  await readMultipart(
    body,
    contentType,
    (headers): PartSink => {
      const chunks: Buffer[] = [];
      parts.push({ headers, body: Buffer.alloc(0) });
      const part = parts[parts.length - 1]!;
      return {
        write: (chunk) => void chunks.push(Buffer.from(chunk)),
        end: () => void (part.body = Buffer.concat(chunks)),
      };
    },
    limits,
  );
  return parts;
}

async function concat(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return Buffer.concat(all);
}

describe('multipart/related', () => {
  it('the STOW-RS body is as long as announced and parses back into the files, whatever the chunking', async () => {
    const contents = [
      crypto.randomBytes(3000),
      Buffer.alloc(0),
      crypto.randomBytes(70_000),
      Buffer.from('\r\n--radlabel-x\r\n'),
    ];
    const files = contents.map((content, index) => {
      const file = path.join(dir, `f${index}.dcm`);
      fs.writeFileSync(file, content);
      return { path: file, size: content.length };
    });
    const boundary = newBoundary();
    const body = multipartBody(files, boundary);
    const bytes = await concat(body.chunks());
    expect(bytes.length).toBe(body.length);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 8 }),
        async (sizes) => {
          const parts = await collect(chunked(bytes, sizes), stowContentType(boundary));
          expect(parts.map((part) => part.body.equals(contents[parts.indexOf(part)]!))).toEqual(
            contents.map(() => true),
          );
          expect(parts.map((part) => part.headers['content-type'])).toEqual(
            contents.map(() => 'application/dicom'),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('parts full of beginnings of the delimiter are read back exactly, whatever the chunking', async () => {
    const delimiter = '\r\n--XYZ';
    const part = fc
      .array(fc.constantFrom('\r', '\n', '-', 'X', 'Y', 'Z', 'a', '\r\n--XY', '\r\n--'), { maxLength: 60 })
      .map((pieces) => pieces.join(''))
      .filter((text) => !text.includes(delimiter));
    await fc.assert(
      fc.asyncProperty(
        fc.array(part, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }),
        async (texts, sizes) => {
          const answer = Buffer.from(
            `${texts.map((text) => `--XYZ\r\nContent-Type: application/dicom\r\n\r\n${text}\r\n`).join('')}--XYZ--\r\n`,
            'latin1',
          );
          const parts = await collect(chunked(answer, sizes), 'multipart/related; boundary=XYZ');
          expect(parts.map((read) => read.body.toString('latin1'))).toEqual(texts);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the parser keeps no view of a chunk: read from one buffer overwritten after every chunk, the parts are the same', async () => {
    const delimiter = '\r\n--XYZ';
    const part = fc
      .array(fc.constantFrom('\r', '\n', '-', 'X', 'Z', 'a', '\r\n--XY', '\r\n--'), { maxLength: 60 })
      .map((pieces) => pieces.join(''))
      .filter((text) => !text.includes(delimiter));
    await fc.assert(
      fc.asyncProperty(
        fc.array(part, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }),
        async (texts, sizes) => {
          const answer = Buffer.from(
            `preamble\r\n${texts.map((text) => `--XYZ\r\nContent-Type: application/dicom\r\n\r\n${text}\r\n`).join('')}--XYZ--\r\n`,
            'latin1',
          );
          const parts = await collect(reused(answer, sizes), 'multipart/related; boundary=XYZ');
          expect(parts.map((read) => read.body.toString('latin1'))).toEqual(texts);
          expect(parts.map((read) => read.headers['content-type'])).toEqual(
            texts.map(() => 'application/dicom'),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a file that changes size while being sent fails the request', async () => {
    const file = path.join(dir, 'shrinks.dcm');
    fs.writeFileSync(file, Buffer.alloc(100));
    const body = multipartBody([{ path: file, size: 200 }], newBoundary());
    await expect(concat(body.chunks())).rejects.toMatchObject({ code: ErrorCode.Io });
  });

  it('reads the boundary from a Content-Type, quoted or not, and refuses anything else', () => {
    expect(boundaryOf('multipart/related; type="application/dicom"; boundary=abc123')).toBe('abc123');
    expect(boundaryOf('Multipart/Related; boundary="a b:c"; type="application/dicom"')).toBe('a b:c');
    expect(boundaryOf('application/dicom')).toBeNull();
    expect(boundaryOf('multipart/related; type="application/dicom"')).toBeNull();
    expect(boundaryOf(undefined)).toBeNull();
    expect(boundaryOf(`multipart/related; boundary=${'x'.repeat(71)}`)).toBeNull();
  });

  it('parses a server-style answer with a preamble, transport padding and an epilogue', async () => {
    const answer = Buffer.from(
      'preamble to ignore\r\n--B  \r\nContent-Type: application/dicom\r\n\r\nDATA-1\r\n--B\r\n\r\nDATA-2\r\n--B--\r\nepilogue',
    );
    const parts = await collect(chunked(answer, [7]), 'multipart/related; boundary=B');
    expect(parts.map((part) => part.body.toString())).toEqual(['DATA-1', 'DATA-2']);
  });

  it('hostile answers fail with a clear error', async () => {
    const ok = 'multipart/related; boundary=B';
    const fails = async (
      body: Buffer | AsyncIterable<Buffer>,
      type: string,
      pattern: RegExp,
      limits = { maxParts: 2, maxPartBytes: 1000 },
    ) => {
      const stream = Buffer.isBuffer(body) ? chunked(body, [5, 100, 3]) : body;
      await expect(collect(stream, type, limits)).rejects.toMatchObject({
        code: ErrorCode.ServerError,
        message: expect.stringMatching(pattern),
      });
    };
    await fails(Buffer.from('--B\r\n\r\nx\r\n--B--'), 'application/dicom', /not multipart with a boundary/);
    await fails(Buffer.from('--B\r\n\r\nx\r\n--B--'), 'multipart/related', /not multipart with a boundary/);
    await fails(Buffer.from(`--B\r\n\r\n${'x'.repeat(5000)}\r\n--B--`), ok, /larger than 1000 bytes/);
    await fails(Buffer.from(`--B\r\nContent-Length: 99999\r\n\r\nx\r\n--B--`), ok, /larger than 1000 bytes/);
    await fails(
      Buffer.from('--B\r\n\r\na\r\n--B\r\n\r\nb\r\n--B\r\n\r\nc\r\n--B--'),
      ok,
      /more than 2 parts/,
    );
    await fails(Buffer.from(`--B\r\nX: ${'h'.repeat(20_000)}`), ok, /headers of a part are too long/);
    await fails(Buffer.from('--B\r\n\r\nhalf a part'), ok, /ended before its last part was complete/);
    await fails(Buffer.from(''), ok, /holds no part/);
    await fails(Buffer.from('x'.repeat(100_000)), ok, /no part begins/);
    // Endless garbage never ends up in memory: the parser gives up after its preamble bound.
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) yield Buffer.alloc(64 * 1024, 0x41);
    }
    await fails(endless(), ok, /no part begins/);
  });
});
