/**
 * One HTTP/1.1 GET whose body is handed over in pieces of one reused buffer: for large answers
 * (WADO-RS of a whole study) read straight from the socket into memory allocated once.
 *
 * Why: every socket read of Node's streams (undici's too) is a fresh ArrayBuffer, which V8 counts
 * as external memory against the old generation's limit until a garbage collection frees it. A
 * 100 MB retrieval allocated 100 MB that way; once the process had been through one Mark-Compact
 * (after an upload, say), its limit sat a few MB above a small heap, and every few MB received
 * started another full marking: 4–21 Mark-Compacts per retrieval, measured (`--trace-gc`, the
 * marking started for "allocation limit" with the heap well under it). Here the socket reads
 * into one buffer (`onread`), so a retrieval allocates nothing per read; undici besides copied
 * every read into its parser's memory.
 *
 * What it does: http: and https: (the system's CAs, or the secure context given), a request with
 * `Connection: close`, a status line and headers up to 64 KiB, a body delimited by its length,
 * chunked, or the connection's close; 1xx answers skipped; a timeout on silence; an abort signal.
 * What it does not: proxies, redirects, keep-alive — the caller uses undici for those.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface StreamedGet {
  url: URL;
  headers: Record<string, string>;
  /** Connect, first byte and between bytes. */
  timeoutMs: number;
  /** TLS trust for https: (a CA file's); Node's defaults when absent. */
  secureContext?: tls.SecureContext | undefined;
  signal?: AbortSignal | undefined;
  /** The reused read buffer's size. */
  bufferBytes?: number;
}

/**
 * Takes the body's pieces. Each is a view of the reused buffer, valid only during the call: a
 * consumer copies or writes what it keeps before returning. Throwing stops the request.
 */
export interface BodyConsumer {
  data(piece: Buffer): void;
  /**
   * Asked after each read: true stops reading until the event loop has turned once. libuv reads
   * a socket up to 32 times in a row while each read fills the buffer, so under load (1 MiB per
   * read) the main thread may go through 64 parts of a study before it sees a single completion of
   * the thread pool's work for it (the temp files created ahead); a consumer waiting for those
   * lets them in.
   */
  yieldNow?(): boolean;
}

const HEAD_LIMIT = 64 * 1024;
const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');

/** An error of the connection, with a code the caller maps to words (as it does undici's). */
function connectionError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

/**
 * Sends the GET; `onResponse` gets the status and the lower-cased headers (a repeated header's
 * values joined by ", ") and returns where the body goes. Resolves when the body ended as framed;
 * rejects with the connection's error (its `code`), a break-off (`code` ECONNRESET), the
 * consumer's own error, or an AbortError when `signal` aborts.
 */
export function streamedGet(
  request: StreamedGet,
  onResponse: (status: number, headers: Record<string, string>) => BodyConsumer,
): Promise<void> {
  const { url } = request;
  return new Promise<void>((resolve, reject) => {
    if (request.signal?.aborted) {
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      return;
    }
    // A header value with a line break would write headers of its own (an access token pasted
    // with its newline, say): refused before connecting, as undici refuses it.
    const broken = Object.entries(request.headers).find(([name, value]) => /[\r\n]/.test(name + value));
    if (broken) {
      reject(connectionError(`the request header ${broken[0]} holds a line break`, 'UND_ERR_INVALID_ARG'));
      return;
    }
    const secure = url.protocol === 'https:';
    const port = Number(url.port || (secure ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const buffer = Buffer.allocUnsafeSlow(request.bufferBytes ?? 1024 * 1024);
    let settled = false;
    let head: Buffer[] = [];
    let headBytes = 0;
    let consumer: BodyConsumer | null = null;
    let framing: Framing | null = null;
    const chunked = new ChunkedDecoder();

    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      request.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => finish(Object.assign(new Error('aborted'), { name: 'AbortError' }));

    /** Bytes after the head: framed, handed on; true once the body is complete. */
    const body = (bytes: Buffer): boolean => {
      const frame = framing!;
      if (frame.kind === 'close') {
        if (bytes.length > 0) consumer!.data(bytes);
        return false;
      }
      if (frame.kind === 'length') {
        const piece = bytes.subarray(0, frame.left);
        frame.left -= piece.length;
        if (piece.length > 0) consumer!.data(piece);
        return frame.left === 0;
      }
      return chunked.feed(bytes, (piece) => consumer!.data(piece));
    };

    /** Bytes of the head; the rest of `bytes` once it is complete goes to the body. */
    const headPart = (bytes: Buffer): boolean => {
      head.push(Buffer.from(bytes)); // Copied: the read buffer is reused.
      headBytes += bytes.length;
      const joined = head.length === 1 ? head[0]! : Buffer.concat(head);
      head = [joined];
      const end = joined.indexOf(CRLF_CRLF);
      if (end < 0) {
        if (headBytes > HEAD_LIMIT)
          throw connectionError('the answer has no end of its headers', 'UND_ERR_HEADERS_OVERFLOW');
        return false;
      }
      const lines = joined.subarray(0, end).toString('latin1').split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
      if (!status) throw connectionError('the answer is not HTTP/1.1', 'HPE_INVALID_CONSTANT');
      const code = Number(status[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0)
          throw connectionError('the answer has a malformed header', 'HPE_INVALID_HEADER_TOKEN');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
      }
      // The body's first bytes as a view of the read (the head's end lies in this read: the
      // previous ones held none).
      const rest = bytes.subarray(end + 4 - (joined.length - bytes.length));
      head = [];
      headBytes = 0;
      if (code >= 100 && code < 200) return rest.length > 0 ? headPart(rest) : false; // 100 Continue, 103.
      if (/(^|,)\s*chunked\s*$/i.test(headers['transfer-encoding'] ?? '')) framing = { kind: 'chunked' };
      else if (headers['content-length'] !== undefined) {
        if (!/^\d+$/.test(headers['content-length']))
          throw connectionError('the answer has an invalid Content-Length', 'HPE_INVALID_CONTENT_LENGTH');
        framing = { kind: 'length', left: Number(headers['content-length']) };
      } else framing = { kind: 'close' };
      consumer = onResponse(code, headers);
      // A body of length 0 is complete at once.
      return body(rest) || (framing.kind === 'length' && framing.left === 0);
    };

    const onread = {
      buffer,
      callback: (nread: number, bytes: Uint8Array): boolean => {
        if (settled) return false;
        try {
          const received = (bytes as Buffer).subarray(0, nread);
          const complete = consumer ? body(received) : headPart(received);
          if (complete) finish();
          else if (consumer?.yieldNow?.()) {
            // Paused (returning false), read on once the event loop has turned.
            setImmediate(() => {
              if (!settled) socket.resume();
            });
            return false;
          }
        } catch (error) {
          finish(error);
          return false;
        }
        return true;
      },
    };
    const socket: net.Socket = secure
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ...(request.secureContext ? { secureContext: request.secureContext } : {}),
          onread,
        } as tls.ConnectionOptions)
      : net.connect({ host, port, onread });
    socket.setNoDelay(true);
    socket.setTimeout(request.timeoutMs, () =>
      finish(connectionError('the server did not answer in time', 'UND_ERR_BODY_TIMEOUT')),
    );
    socket.once('error', (error) => finish(error));
    socket.once('close', () => {
      if (consumer && framing?.kind === 'close') finish();
      else finish(connectionError('the connection closed before the answer was complete', 'ECONNRESET'));
    });
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const lines = [
      `GET ${url.pathname}${url.search} HTTP/1.1`,
      `Host: ${url.host}`,
      'Connection: close',
      ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  });
}

/** Decodes `Transfer-Encoding: chunked` across reads, handing the data on as views. */
class ChunkedDecoder {
  /** 'size': reading a size line; 'data': `left` bytes of data; 'crlf': the CRLF after data; 'trailer': trailer lines. */
  #state: 'size' | 'data' | 'crlf' | 'trailer' = 'size';
  #line = '';
  #left = 0;

  /** True once the last chunk and its trailers ended. */
  feed(bytes: Buffer, data: (piece: Buffer) => void): boolean {
    let at = 0;
    while (at < bytes.length) {
      if (this.#state === 'data') {
        const piece = bytes.subarray(at, at + this.#left);
        at += piece.length;
        this.#left -= piece.length;
        data(piece);
        if (this.#left === 0) {
          this.#state = 'crlf';
          this.#line = '';
        }
        continue;
      }
      // A line: the size, the CRLF after data, or a trailer.
      const end = bytes.indexOf(0x0a, at);
      const upTo = end < 0 ? bytes.length : end;
      this.#line += bytes.toString('latin1', at, upTo);
      if (this.#line.length > 4096) throw connectionError('a chunk line is too long', 'HPE_CHUNK_SIZE');
      at = upTo;
      if (end < 0) break;
      at += 1;
      const line = this.#line.replace(/\r$/, '');
      this.#line = '';
      if (this.#state === 'crlf') {
        if (line !== '') throw connectionError('a chunk does not end where its size says', 'HPE_STRICT');
        this.#state = 'size';
      } else if (this.#state === 'size') {
        const size = /^([0-9a-fA-F]{1,12})\s*(;.*)?$/.exec(line);
        if (!size) throw connectionError('a chunk size is not a number', 'HPE_INVALID_CHUNK_SIZE');
        this.#left = parseInt(size[1]!, 16);
        this.#state = this.#left === 0 ? 'trailer' : 'data';
      } else if (line === '') return true; // The empty line after the trailers.
    }
    return false;
  }
}
