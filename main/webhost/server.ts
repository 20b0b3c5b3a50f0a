/**
 * The web host: the same services as the Electron app, over HTTP + WebSocket on 127.0.0.1 only,
 * for a browser on the same machine (and for the end-to-end tests). Every request needs the
 * per-launch token (see auth.ts); refusals carry no detail.
 *
 * Robustness: no request, socket or stream can take the host down. Every error event has a
 * listener; a broken or hostile connection (an oversized or malformed WebSocket frame, a bad
 * HTTP request, a reader that stops reading) is closed alone and the host keeps serving the
 * others. Refusals of an authorised request are typed JSON `{ ok: false, error: { code,
 * message } }` with the status of their code (400, 404, 413, 500…), never a reset connection.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, type AppErrorShape, ErrorCode, isAppError } from '../../shared/errors.js';
import {
  UPLOAD_PATH_PATTERN,
  type UploadBegun,
  type UploadCompleted,
  type UploadReceived,
  uploadRoutes,
} from '../../shared/uploads.js';
import { openCatalogInstance } from '../catalog/file-store.js';
import type { Logger } from '../core/logger.js';
import { INSTANCE_BATCH_TYPE } from '../../shared/instance-batch.js';
import {
  httpStatusOf,
  instanceBatches,
  openServedFile,
  routeRendererRequest,
  servedBatches,
  type ServedFile,
} from '../core/routes.js';
import { securityHeaders } from '../core/security.js';
import { describeError, dispatch } from '../rpc/dispatch.js';
import { DEFAULT_SESSION_ID, SESSION_HEADER, runInSession } from '../account/sessions.js';
import type { Services } from '../services.js';
import {
  isAllowedHost,
  isAllowedOrigin,
  isAuthorized,
  newCookieName,
  newToken,
  tokenCookie,
  tokensEqual,
} from './auth.js';
import { type StagingOptions, UploadStaging } from './uploads.js';

export const MAX_RPC_BODY_BYTES = 1024 * 1024;
/** The renderer never sends on /events; a frame larger than this closes that socket. */
const MAX_EVENT_FRAME_BYTES = 64 * 1024;
/** A page that stops reading its events is dropped before its backlog grows past this. */
const MAX_EVENT_BACKLOG_BYTES = 16 * 1024 * 1024;
const LOOPBACK = '127.0.0.1';

export interface WebHostOptions {
  services: Services;
  dataDir: string;
  /** Absolute path of the built renderer (build/renderer). */
  rendererDir: string;
  logger: Logger;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
  /** Quota and age limit of the upload staging area. */
  staging?: StagingOptions;
}

export interface WebHost {
  readonly port: number;
  readonly token: string;
  /** Name of the session cookie, new at every launch (cookies ignore the port; see auth.ts). */
  readonly cookieName: string;
  readonly origin: string;
  /** The URL to open: it carries the token once; the page then holds it in a cookie. */
  readonly url: string;
  close(): Promise<void>;
}

/** A content-hashed build asset (`/assets/index-B_NaXSZ_.js`, `/assets/codec-CEN7ucFR.wasm`). */
const HASHED_ASSET = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/;

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { services, logger } = options;
  const token = options.token ?? newToken();
  const cookieName = newCookieName();
  const staging = new UploadStaging(options.dataDir, options.staging);
  staging.start();
  const stopReleasing = services.events.subscribe((event) => {
    if (event.name === 'import.progress' && event.payload.finishedAt !== null)
      staging.importFinished(event.payload.jobId);
  });
  let port = 0;
  const sockets = new Set<WebSocket>();
  const authorized = (request: IncomingMessage): boolean => isAuthorized(request, token, cookieName);

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: describeError(error) }, 'web host request failed');
      if (!response.headersSent)
        sendError(
          response,
          new AppError(ErrorCode.Internal, 'An unexpected error occurred; details are in the log.'),
        );
      else response.destroy();
    });
  });
  // A request Node cannot parse: answer on that connection only (unless an answer is already on
  // its way there, which a second one would corrupt), then close it.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isAllowedHost(request.headers.host, port) || !isAllowedOrigin(request.headers.origin, port)) {
      return sendText(response, 403, 'Forbidden.');
    }
    const url = new URL(request.url ?? '/', `http://${LOOPBACK}:${port}`);
    const offered = url.searchParams.get('token');
    if (offered !== null && request.method === 'GET') {
      if (!tokensEqual(offered, token)) return sendText(response, 401, 'Unauthorized.');
      url.searchParams.delete('token');
      response.writeHead(303, {
        Location: url.pathname + url.search,
        'Set-Cookie': tokenCookie(cookieName, token),
        'Cache-Control': 'no-store',
      });
      response.end();
      return;
    }
    if (!authorized(request)) {
      return sendText(response, 401, 'Unauthorized: open the link that RadLabel printed when it started.');
    }

    const rpc = /^\/api\/rpc\/([A-Za-z.]+)$/.exec(url.pathname);
    if (rpc) {
      if (request.method !== 'POST') return sendText(response, 405, 'Method not allowed.');
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
        return sendError(response, new AppError(ErrorCode.InvalidRequest, 'Send JSON.'), 415);
      }
      let payload: unknown;
      try {
        payload = JSON.parse(await readBody(request, MAX_RPC_BODY_BYTES));
      } catch (error) {
        return sendError(
          response,
          isAppError(error)
            ? error
            : new AppError(ErrorCode.InvalidRequest, 'The request body is not valid JSON.'),
        );
      }
      // Each browser page signs in on its own (main/account/sessions.ts): its id rides in a header.
      const sessionHeader = request.headers[SESSION_HEADER];
      const sessionId =
        typeof sessionHeader === 'string' && /^[A-Za-z0-9-]{8,64}$/.test(sessionHeader)
          ? sessionHeader
          : DEFAULT_SESSION_ID;
      const result = await runInSession(sessionId, () =>
        dispatch(services.handlers, rpc[1]!, payload, logger),
      );
      if (result.ok && rpc[1] === 'import.start') {
        const { paths } = payload as { paths: string[] };
        staging.importStarted((result.value as { jobId: string }).jobId, paths);
      }
      return sendJson(response, result.ok ? 200 : httpStatusOf(result.error.code), result);
    }

    if (url.pathname === uploadRoutes.begin.path() && request.method === uploadRoutes.begin.method) {
      return sendJson(response, 200, { uploadId: staging.begin() } satisfies UploadBegun);
    }
    const upload = UPLOAD_PATH_PATTERN.exec(url.pathname);
    if (upload) {
      try {
        if (upload[2] && request.method === uploadRoutes.complete.method)
          return sendJson(response, 200, { path: staging.complete(upload[1]!) } satisfies UploadCompleted);
        if (!upload[2] && request.method === uploadRoutes.file.method) {
          const length = request.headers['content-length'];
          await staging.receive(
            upload[1]!,
            url.searchParams.get('path') ?? '',
            request,
            length ? Number(length) : undefined,
          );
          return sendJson(response, 200, { ok: true } satisfies UploadReceived);
        }
      } catch (error) {
        if (isAppError(error)) return sendError(response, error);
        throw error;
      }
      return sendText(response, 405, 'Method not allowed.');
    }

    if (request.method !== 'GET' && request.method !== 'HEAD')
      return sendText(response, 405, 'Method not allowed.');
    const route = routeRendererRequest(options.rendererDir, url.pathname);
    switch (route.kind) {
      case 'instance': {
        let opened: ServedFile;
        try {
          opened = await openCatalogInstance(services, route.sopInstanceUID);
        } catch (error) {
          if (isAppError(error)) {
            logger.warn({ code: error.code }, 'stored file not served');
            return sendError(response, error);
          }
          throw error;
        }
        return sendFile(
          response,
          request,
          opened,
          'application/dicom',
          'private, max-age=31536000, immutable',
        );
      }
      case 'instance-batch': {
        response.writeHead(200, {
          ...securityHeaders({ connectOrigins: [`ws://${LOOPBACK}:${port}`] }),
          'Content-Type': INSTANCE_BATCH_TYPE,
          // Not kept by the browser's HTTP cache: the viewer keeps the images it made of them.
          'Cache-Control': 'no-store',
        });
        if (request.method === 'HEAD') return void response.end();
        // The body the app:// protocol sends too (main/core/routes.ts instanceBatches).
        return sendBatches(
          response,
          instanceBatches(
            route.sopInstanceUIDs,
            (uid) => openCatalogInstance(services, uid),
            (error) => {
              if (error.code !== ErrorCode.TooLarge)
                logger.warn({ code: error.code }, 'stored file not served');
            },
          ),
        );
      }
      case 'invalid':
        return sendError(response, new AppError(ErrorCode.InvalidRequest, route.message));
      case 'static': {
        let opened: ServedFile;
        try {
          opened = await openServedFile(route.filePath);
        } catch (error) {
          if (isAppError(error)) return sendText(response, 404, 'Not found.');
          throw error;
        }
        // Vite names every build asset after its content (assets/name-<hash>.ext): such a file never
        // changes under its name, so a reload takes it from the cache without asking (and Chromium
        // keeps its compiled code) instead of fetching 5 MB of script again; anything else is
        // revalidated, the page itself never stored.
        const cache = route.filePath.endsWith('index.html')
          ? 'no-store'
          : HASHED_ASSET.test(url.pathname)
            ? 'private, max-age=31536000, immutable'
            : 'no-cache';
        return sendFile(response, request, opened, route.contentType, cache);
      }
      case 'not-found':
        return sendText(response, 404, 'Not found.');
    }
  }

  async function sendFile(
    response: ServerResponse,
    request: IncomingMessage,
    file: ServedFile,
    contentType: string,
    cacheControl: string,
  ): Promise<void> {
    response.writeHead(200, {
      ...securityHeaders({ connectOrigins: [`ws://${LOOPBACK}:${port}`] }),
      'Content-Type': contentType,
      'Content-Length': String(file.size),
      'Cache-Control': cacheControl,
    });
    if (request.method === 'HEAD' || file.size === 0) {
      await file.handle.close();
      response.end();
      return;
    }
    // The bytes the app:// protocol sends too (main/core/routes.ts servedBatches).
    return sendBatches(response, servedBatches(file));
  }

  /**
   * Writes each batch of buffers in one gathered write (cork, write each, uncork: one writev), so
   * a decrypted image goes to the socket without being copied into one buffer first; waits for
   * the socket to drain between batches; a reader that goes away ends the iteration (which closes
   * the file).
   */
  async function sendBatches(
    response: ServerResponse,
    batches: AsyncIterable<readonly Buffer[]>,
  ): Promise<void> {
    try {
      for await (const batch of batches) {
        if (response.destroyed) break;
        response.cork();
        let flowing = true;
        for (const buffer of batch) flowing = response.write(buffer);
        response.uncork();
        if (!flowing) await drained(response);
      }
      response.end();
    } catch {
      response.destroy();
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_EVENT_FRAME_BYTES });
  wss.on('error', (error) => logger.warn({ err: describeError(error) }, 'event server error'));
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(request.url ?? '/', `http://${LOOPBACK}:${port}`).pathname;
    if (
      path !== '/events' ||
      !isAllowedHost(request.headers.host, port) ||
      !isAllowedOrigin(request.headers.origin, port) ||
      !authorized(request)
    ) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      const unsubscribe = services.events.subscribe((event) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_EVENT_BACKLOG_BYTES) {
          ws.terminate();
          return;
        }
        ws.send(JSON.stringify(event), (error) => {
          if (error) ws.terminate();
        });
      });
      ws.on('close', () => {
        unsubscribe();
        sockets.delete(ws);
      });
      // An oversized or malformed frame: `ws` closes this socket (1009/1002); nothing else happens.
      ws.on('error', (error) => {
        logger.warn(
          { err: error.name, code: (error as NodeJS.ErrnoException).code },
          'event socket closed on a protocol error',
        );
        ws.terminate();
      });
      // The renderer never sends on this socket; anything it sends is ignored.
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: describeError(error) }, 'web host server error'));
  port = (server.address() as AddressInfo).port;
  const origin = `http://${LOOPBACK}:${port}`;
  logger.info({ port }, 'web host listening on loopback');

  return {
    port,
    token,
    cookieName,
    origin,
    url: `${origin}/?token=${token}`,
    async close() {
      stopReleasing();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      staging.close();
    },
  };
}

/**
 * The body of an RPC request, at most `limit` bytes. A larger body is refused with `too-large`:
 * when its length is declared, at once (the rest is drained by Node after the answer); otherwise
 * once it has been read and dropped, so the client always gets the answer, never a reset.
 */
function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () =>
    new AppError(ErrorCode.TooLarge, `The request is too large (more than ${limit / 1024 / 1024} MiB).`);
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () =>
      size > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

/** A typed refusal in the shape the client parses: `{ ok: false, error: { code, message } }`. */
function sendError(response: ServerResponse, error: AppErrorShape, status = httpStatusOf(error.code)): void {
  sendJson(response, status, { ok: false, error: { code: error.code, message: error.message } });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(text);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // An unauthorised request's body is not worth reading: close its connection after the answer.
    ...(status >= 400 ? { Connection: 'close' } : {}),
  });
  response.end(text);
}

/** Resolves when the response can take more bytes, or is gone (closed): never waits forever. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
