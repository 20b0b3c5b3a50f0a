/**
 * The GET that reads its answer into one reused buffer (main/sync/http-stream.ts), against small
 * servers of our own on loopback: a body framed by its length, chunked (extensions, trailers) or by
 * the connection's close arrives byte for byte whatever the reads' sizes; every piece is a view of
 * the same buffer (no allocation per read); 1xx answers are skipped; a break-off, silence, an
 * abort or the consumer's own failure each end the request with what happened.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { streamedGet } from '../../../main/sync/http-stream.js';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server that answers each request with `answer` (written at once), then `after`. */
async function serve(
  answer: Buffer,
  after: 'end' | 'hold' = 'end',
): Promise<{ url: URL; requests: string[] }> {
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let request = '';
    socket.on('data', (chunk: Buffer) => {
      request += chunk.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      requests.push(request);
      if (after === 'end') socket.end(answer);
      else socket.write(answer);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/dicom-web/studies/1.2.3?x=1`), requests };
}

async function get(
  url: URL,
  options: { bufferBytes?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ status: number; headers: Record<string, string>; body: Buffer; buffers: Set<ArrayBufferLike> }> {
  let status = 0;
  let headers: Record<string, string> = {};
  const pieces: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  await streamedGet(
    {
      url,
      headers: { accept: 'multipart/related', authorization: 'Bearer T' },
      timeoutMs: options.timeoutMs ?? 20_000,
      bufferBytes: options.bufferBytes,
      signal: options.signal,
    },
    (code, answer) => {
      status = code;
      headers = answer;
      return {
        data: (piece) => {
          buffers.add(piece.buffer);
          pieces.push(Buffer.from(piece));
        },
      };
    },
  );
  return { status, headers, body: Buffer.concat(pieces), buffers };
}

const body = crypto.randomBytes(60_000);

function chunkedOf(bytes: Buffer, size: number): Buffer {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    pieces.push(Buffer.from(`${piece.length.toString(16)};ext=1\r\n`), piece, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from('0\r\nX-Trailer: yes\r\n\r\n'));
  return Buffer.concat(pieces);
}

describe('streamedGet', () => {
  it('sends the request line, Host, Connection: close and the headers given', async () => {
    const { url, requests } = await serve(
      Buffer.from('HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n'),
    );
    expect((await get(url)).status).toBe(204);
    expect(requests[0]).toMatch(/^GET \/dicom-web\/studies\/1\.2\.3\?x=1 HTTP\/1\.1\r\n/);
    expect(requests[0]).toContain(`\r\nHost: ${url.host}\r\n`);
    expect(requests[0]).toContain('\r\nConnection: close\r\n');
    expect(requests[0]).toContain('\r\nauthorization: Bearer T\r\n');
  });

  for (const [framing, answer] of [
    [
      'its length',
      Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]),
    ],
    [
      'chunks (extensions, trailers)',
      Buffer.concat([
        Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
        chunkedOf(body, 7_777),
      ]),
    ],
    [
      "the connection's close",
      Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'), body]),
    ],
    [
      'its length, after a 100 Continue',
      Buffer.concat([
        Buffer.from(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`),
        body,
      ]),
    ],
  ] as const)
    it(`a body framed by ${framing} arrives byte for byte, in views of one buffer, whatever the reads' sizes`, async () => {
      const { url } = await serve(answer);
      for (const bufferBytes of [1, 5, 4096, 1024 * 1024]) {
        const read = await get(url, { bufferBytes: bufferBytes === 1 ? 3 : bufferBytes });
        expect(read.status).toBe(200);
        expect(read.body.equals(body)).toBe(true);
        expect(read.buffers.size).toBe(1);
      }
    }, 120_000);

  it('a complete answer ends the request without waiting for the server to close', async () => {
    const { url } = await serve(
      Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello'),
      'hold',
    );
    const read = await get(url);
    expect(read.body.toString()).toBe('hello');
    expect(read.headers['x-a']).toBe('1, 2');
  });

  it('an answer cut short of its length or of its last chunk is a break-off, not a complete body', async () => {
    for (const answer of [
      Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'), body.subarray(0, 999)]),
      Buffer.concat([
        Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
        chunkedOf(body, 1000).subarray(0, 3000),
      ]),
      Buffer.from('HTTP/1.1 200 OK\r\nContent-'),
    ]) {
      const { url } = await serve(answer);
      await expect(get(url)).rejects.toMatchObject({ code: 'ECONNRESET' });
    }
  });

  it('a server that falls silent fails after the timeout; an abort stops the request at once', async () => {
    const { url } = await serve(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), 'hold');
    await expect(get(url, { timeoutMs: 300 })).rejects.toMatchObject({
      code: expect.stringContaining('TIMEOUT'),
    });
    const controller = new AbortController();
    const pending = get(url, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("the consumer's own failure ends the request with that failure", async () => {
    const { url } = await serve(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), body]), 'hold');
    const failure = new Error('disk full');
    await expect(
      streamedGet({ url, headers: {}, timeoutMs: 20_000 }, () => ({
        data: () => {
          throw failure;
        },
      })),
    ).rejects.toBe(failure);
  });

  it('a hostile or broken answer is refused with its reason, not read on or waited for', async () => {
    const cases: Array<[string, Buffer]> = [
      ['HPE_INVALID_CONSTANT', Buffer.from('SSH-2.0-OpenSSH_9.2\r\n\r\n')],
      ['HPE_INVALID_HEADER_TOKEN', Buffer.from('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n')],
      ['HPE_INVALID_CONTENT_LENGTH', Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello')],
      ['HPE_INVALID_CONTENT_LENGTH', Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')],
      [
        'HPE_INVALID_CHUNK_SIZE',
        Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'),
      ],
      [
        // A size beyond what the decoder accepts (12 hex digits): no 2^64-byte chunk is waited for.
        'HPE_INVALID_CHUNK_SIZE',
        Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nhello'),
      ],
      [
        'HPE_STRICT',
        Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n'),
      ],
      [
        'HPE_CHUNK_SIZE',
        Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'x'.repeat(10_000)}\r\n`),
      ],
      [
        'UND_ERR_HEADERS_OVERFLOW',
        Buffer.from(`HTTP/1.1 200 OK\r\n${'X-Filler: abcdefghijklmnop\r\n'.repeat(4_000)}`),
      ],
    ];
    for (const [code, answer] of cases) {
      const { url } = await serve(answer, 'hold');
      await expect(get(url, { timeoutMs: 20_000 }), code).rejects.toMatchObject({ code });
    }
  });

  it('a header value with a line break is refused before anything is sent', async () => {
    const { url, requests } = await serve(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    await expect(
      streamedGet(
        { url, headers: { authorization: 'Bearer T\r\nX-Injected: 1' }, timeoutMs: 20_000 },
        () => ({ data: () => undefined }),
      ),
    ).rejects.toMatchObject({ code: 'UND_ERR_INVALID_ARG' });
    expect(requests).toEqual([]);
  });

  it('a consumer asking for a turn of the event loop gets one before the next piece, and the whole body', async () => {
    const big = crypto.randomBytes(4 * 1024 * 1024);
    const { url } = await serve(
      Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`), big]),
    );
    for (const yielding of [false, true]) {
      const pieces: Buffer[] = [];
      let asked = 0;
      let turns = 0;
      /** Pieces that came before the turn the previous one asked for. */
      let early = 0;
      await streamedGet({ url, headers: {}, timeoutMs: 20_000, bufferBytes: 16 * 1024 }, () => ({
        data: (piece) => {
          if (turns < asked) early += 1;
          pieces.push(Buffer.from(piece));
        },
        yieldNow: () => {
          asked += 1;
          setImmediate(() => (turns += 1));
          return yielding;
        },
      }));
      expect(Buffer.concat(pieces).equals(big)).toBe(true);
      // Without the pause libuv reads on (up to 32 reads of a full buffer) before the loop turns.
      if (yielding) expect(early).toBe(0);
      else expect(early).toBeGreaterThan(0);
    }
  });

  it('no server is a connection error with its code', async () => {
    const { url } = await serve(Buffer.alloc(0));
    await new Promise((resolve) => servers.pop()!.close(resolve));
    await expect(get(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
