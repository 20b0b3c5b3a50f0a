/**
 * A recording HTTP proxy on loopback for the leak test on the wire (test/integration/sync/
 * leak-on-wire.test.ts): the app talks to it as if it were the DICOMweb server; it forwards each
 * request to the real server unchanged and keeps every byte of both directions: the request line,
 * the raw header lines and the body as sent, and the response likewise.
 *
 * Bodies are kept whole after HTTP framing (chunked transfer coding undone by Node's parser), so a
 * marker is never split by a chunk boundary; a body with a Content-Encoding (gzip, deflate, br) is
 * also kept decoded. The raw bytes of every connection are kept besides, exactly as they crossed
 * the socket, for a scan of the undecoded stream.
 */
import http from 'node:http';
import type net from 'node:net';
import zlib from 'node:zlib';

export interface RecordedExchange {
  method: string;
  url: string;
  /** The request line and header lines as received, then the body (decoded when encoded). */
  request: Buffer;
  status: number;
  /** The status line and header lines, then the body (decoded when encoded). */
  response: Buffer;
}

export interface RecordingProxy {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly exchanges: readonly RecordedExchange[];
  /** Every byte the app sent, per connection, exactly as it crossed the socket. */
  readonly rawSent: readonly Buffer[];
  /** Every byte the app received, per connection, exactly as it crossed the socket. */
  readonly rawReceived: readonly Buffer[];
  close(): Promise<void>;
}

function decoded(body: Buffer, encoding: string | undefined): Buffer {
  try {
    switch ((encoding ?? '').trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return Buffer.concat([body, zlib.gunzipSync(body)]);
      case 'deflate':
        return Buffer.concat([body, zlib.inflateSync(body)]);
      case 'br':
        return Buffer.concat([body, zlib.brotliDecompressSync(body)]);
      default:
        return body;
    }
  } catch {
    return body;
  }
}

function headerBlock(firstLine: string, rawHeaders: readonly string[]): Buffer {
  const lines = [firstLine];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target` (http://host:port). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const exchanges: RecordedExchange[] = [];
  const rawSent: Buffer[] = [];
  const rawReceived: Buffer[] = [];
  const agent = new http.Agent({ keepAlive: false });

  const server = http.createServer((req, res) => {
    const requestChunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => requestChunks.push(chunk));
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        agent,
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([name]) => name !== 'connection' && name !== 'keep-alive'),
        ),
      },
      (upstreamRes) => {
        const responseChunks: Buffer[] = [];
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.rawHeaders);
        upstreamRes.on('data', (chunk: Buffer) => {
          responseChunks.push(chunk);
          res.write(chunk);
        });
        upstreamRes.on('end', () => {
          res.end();
          const requestBody = Buffer.concat(requestChunks);
          const responseBody = Buffer.concat(responseChunks);
          exchanges.push({
            method: req.method ?? '',
            url: req.url ?? '',
            request: Buffer.concat([
              headerBlock(`${req.method} ${req.url} HTTP/${req.httpVersion}`, req.rawHeaders),
              decoded(requestBody, req.headers['content-encoding']),
            ]),
            status: upstreamRes.statusCode ?? 0,
            response: Buffer.concat([
              headerBlock(`HTTP/1.1 ${upstreamRes.statusCode}`, upstreamRes.rawHeaders),
              decoded(responseBody, upstreamRes.headers['content-encoding']),
            ]),
          });
        });
        upstreamRes.on('error', () => res.destroy());
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  });
  // The raw stream of each connection, as it crossed the socket.
  server.on('connection', (socket: net.Socket) => {
    const sent: Buffer[] = [];
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => sent.push(Buffer.from(chunk)));
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
      const [chunk, encoding] = args;
      if (typeof chunk === 'string')
        received.push(
          Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'),
        );
      else if (chunk instanceof Uint8Array) received.push(Buffer.from(chunk));
      return write(...args);
    };
    socket.on('close', () => {
      rawSent.push(Buffer.concat(sent));
      rawReceived.push(Buffer.concat(received));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    rawSent,
    rawReceived,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          agent.destroy();
          resolve();
        });
      }),
  };
}
