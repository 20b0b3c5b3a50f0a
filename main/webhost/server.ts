/**
 * The web host: the same services as the Electron app, over HTTP + WebSocket on 127.0.0.1 only,
 * for a browser on the same machine (and for the end-to-end tests). Every request needs the
 * per-launch token (see auth.ts); refusals carry no detail.
 */
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, isAppError } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import { routeRendererRequest } from '../core/routes.js';
import { securityHeaders } from '../core/security.js';
import { dispatch } from '../rpc/dispatch.js';
import type { Services } from '../services.js';
import { isAllowedHost, isAllowedOrigin, isAuthorized, newToken, tokenCookie, tokensEqual } from './auth.js';
import { UploadStaging } from './uploads.js';

const MAX_RPC_BODY_BYTES = 1024 * 1024;
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
}

export interface WebHost {
  readonly port: number;
  readonly token: string;
  readonly origin: string;
  /** The URL to open: it carries the token once; the page then holds it in a cookie. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { services, logger } = options;
  const token = options.token ?? newToken();
  const staging = new UploadStaging(options.dataDir);
  staging.cleanStale();
  let port = 0;
  const sockets = new Set<WebSocket>();

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.name : typeof error }, 'web host request failed');
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: { code: 'internal', message: 'Internal error.' } });
      else response.destroy();
    });
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
      response.writeHead(303, { Location: url.pathname + url.search, 'Set-Cookie': tokenCookie(token), 'Cache-Control': 'no-store' });
      response.end();
      return;
    }
    if (!isAuthorized(request, token)) {
      return sendText(response, 401, 'Unauthorized: open the link that RadLabel printed when it started.');
    }

    const rpc = /^\/api\/rpc\/([A-Za-z.]+)$/.exec(url.pathname);
    if (rpc) {
      if (request.method !== 'POST') return sendText(response, 405, 'Method not allowed.');
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
        return sendJson(response, 415, { ok: false, error: { code: 'invalid-request', message: 'Send JSON.' } });
      }
      let payload: unknown;
      try {
        payload = JSON.parse(await readBody(request, MAX_RPC_BODY_BYTES));
      } catch (error) {
        const message = isAppError(error) ? error.message : 'The request body is not valid JSON.';
        return sendJson(response, 400, { ok: false, error: { code: 'invalid-request', message } });
      }
      const result = await dispatch(services.handlers, rpc[1], payload, logger);
      return sendJson(response, 200, result);
    }

    if (url.pathname === '/api/upload' && request.method === 'POST') {
      return sendJson(response, 200, { uploadId: staging.begin() });
    }
    const upload = /^\/api\/upload\/([0-9a-f-]{36})(\/complete)?$/.exec(url.pathname);
    if (upload) {
      try {
        if (upload[2] && request.method === 'POST') return sendJson(response, 200, { path: staging.complete(upload[1]!) });
        if (!upload[2] && request.method === 'PUT') {
          const length = request.headers['content-length'];
          await staging.receive(upload[1]!, url.searchParams.get('path') ?? '', request, length ? Number(length) : undefined);
          return sendJson(response, 200, { ok: true });
        }
      } catch (error) {
        if (error instanceof AppError) {
          return sendJson(response, error.code === 'not-found' ? 404 : 400, { ok: false, error: error.toJSON() });
        }
        throw error;
      }
      return sendText(response, 405, 'Method not allowed.');
    }

    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'Method not allowed.');
    const route = routeRendererRequest(options.rendererDir, url.pathname);
    switch (route.kind) {
      case 'instance': {
        const file = services.instanceFile(route.sopInstanceUID);
        if (!file) return sendText(response, 404, 'Not found.');
        return sendFile(response, request, file.path, 'application/dicom', file.size, 'private, max-age=31536000, immutable');
      }
      case 'static':
        return sendFile(response, request, route.filePath, route.contentType, undefined, route.filePath.endsWith('index.html') ? 'no-store' : 'no-cache');
      case 'not-found':
        return sendText(response, 404, 'Not found.');
    }
  }

  function sendFile(
    response: ServerResponse,
    request: IncomingMessage,
    filePath: string,
    contentType: string,
    knownSize: number | undefined,
    cacheControl: string,
  ): void {
    const size = knownSize ?? fs.statSync(filePath).size;
    response.writeHead(200, {
      ...securityHeaders({ connectOrigins: [`ws://${LOOPBACK}:${port}`] }),
      'Content-Type': contentType,
      'Content-Length': String(size),
      'Cache-Control': cacheControl,
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const stream = fs.createReadStream(filePath);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', `http://${LOOPBACK}:${port}`).pathname;
    if (
      path !== '/events' ||
      !isAllowedHost(request.headers.host, port) ||
      !isAllowedOrigin(request.headers.origin, port) ||
      !isAuthorized(request, token)
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      const unsubscribe = services.events.subscribe((event) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
      });
      ws.on('close', () => {
        unsubscribe();
        sockets.delete(ws);
      });
      // The renderer never sends on this socket; anything it sends is ignored.
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${LOOPBACK}:${port}`;
  logger.info({ port }, 'web host listening on loopback');

  return {
    port,
    token,
    origin,
    url: `${origin}/?token=${token}`,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new AppError('invalid-request', 'The request is too large.'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...(status >= 400 ? { Connection: 'close' } : {}),
  });
  response.end(text);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // A refused request's body is never read: close the connection rather than parse it as the next request.
    ...(status >= 400 ? { Connection: 'close' } : {}),
  });
  response.end(text);
}
