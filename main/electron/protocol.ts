/**
 * The `app://` scheme: the renderer's files and the bytes of stored instances, under the same
 * relative routes as the web host. Registered as privileged (standard, secure, fetch) so the page
 * is a secure context with its own origin; nothing on disk is reachable except these routes.
 * The serving rules are the web host's: only regular files, opened without following links and
 * checked on the descriptor (`openStoredFile`, `openServedFile`); a stored file that is missing
 * or was altered is a typed JSON error with its status, which the viewer shows.
 */
import { protocol } from 'electron';
import { AppError, ErrorCode, isAppError } from '../../shared/errors.js';
import { openCatalogInstance } from '../catalog/file-store.js';
import { INSTANCE_BATCH_TYPE } from '../../shared/instance-batch.js';
import {
  batchesBody,
  httpStatusOf,
  instanceBatches,
  openServedFile,
  routeRendererRequest,
  servedBody,
  type ServedFile,
} from '../core/routes.js';
import { securityHeaders } from '../core/security.js';
import type { Services } from '../services.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
    },
  ]);
}

export function handleAppScheme(services: Services, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found.', { status: 404 });
    }
    const route = routeRendererRequest(rendererDir, url.pathname);
    const headers = securityHeaders();
    switch (route.kind) {
      case 'instance': {
        let opened: ServedFile;
        try {
          opened = await openCatalogInstance(services, route.sopInstanceUID);
        } catch (error) {
          if (isAppError(error)) return errorResponse(error);
          throw error;
        }
        return fileResponse(opened, request.method, {
          ...headers,
          'Content-Type': 'application/dicom',
          'Content-Length': String(opened.size),
        });
      }
      case 'instance-batch': {
        const batchHeaders = { ...headers, 'Content-Type': INSTANCE_BATCH_TYPE, 'Cache-Control': 'no-store' };
        if (request.method === 'HEAD') return new Response(null, { headers: batchHeaders });
        // The body the web host sends too (main/core/routes.ts instanceBatches).
        const body = instanceBatches(route.sopInstanceUIDs, (uid) => openCatalogInstance(services, uid));
        return new Response(batchesBody(body), { headers: batchHeaders });
      }
      case 'invalid':
        return errorResponse(new AppError(ErrorCode.InvalidRequest, route.message));
      case 'static': {
        let opened: ServedFile;
        try {
          opened = await openServedFile(route.filePath);
        } catch {
          return new Response('Not found.', { status: 404 });
        }
        return fileResponse(opened, request.method, { ...headers, 'Content-Type': route.contentType });
      }
      case 'not-found':
        return new Response('Not found.', { status: 404 });
    }
  });
}

async function fileResponse(
  file: ServedFile,
  method: string,
  headers: Record<string, string>,
): Promise<Response> {
  if (method === 'HEAD' || file.size === 0) {
    await file.handle.close();
    return new Response(method === 'HEAD' ? null : '', { headers });
  }
  // The bytes the web host writes too (main/core/routes.ts servedBatches).
  return new Response(servedBody(file), { headers });
}

function errorResponse(error: AppError): Response {
  return new Response(JSON.stringify({ ok: false, error: error.toJSON() }), {
    status: httpStatusOf(error.code),
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
