/**
 * The `app://` scheme: the renderer's files and the bytes of stored instances, under the same
 * relative routes as the web host. Registered as privileged (standard, secure, fetch) so the page
 * is a secure context with its own origin; nothing on disk is reachable except these routes.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { protocol } from 'electron';
import { routeRendererRequest } from '../core/routes.js';
import { securityHeaders } from '../core/security.js';
import type { Services } from '../services.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
  ]);
}

export function handleAppScheme(services: Services, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found.', { status: 404 });
    }
    const route = routeRendererRequest(rendererDir, url.pathname);
    const headers = securityHeaders();
    switch (route.kind) {
      case 'instance': {
        const file = services.instanceFile(route.sopInstanceUID);
        if (!file) return new Response('Not found.', { status: 404 });
        const body = Readable.toWeb(fs.createReadStream(file.path)) as ReadableStream;
        return new Response(body, {
          headers: { ...headers, 'Content-Type': 'application/dicom', 'Content-Length': String(file.size) },
        });
      }
      case 'static': {
        const body = Readable.toWeb(fs.createReadStream(route.filePath)) as ReadableStream;
        return new Response(body, { headers: { ...headers, 'Content-Type': route.contentType } });
      }
      case 'not-found':
        return new Response('Not found.', { status: 404 });
    }
  });
}
