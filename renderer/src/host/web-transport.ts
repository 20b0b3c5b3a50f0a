/**
 * Transport for the web host: requests as `POST /api/rpc/<method>`, events over a WebSocket at
 * `/events`. The per-launch token travels as an HttpOnly cookie the host set when the page was
 * first opened with `?token=`, so nothing here handles it.
 */
import { type AnyEvent, type MethodName, type WireResult, isEventName } from '../../../shared/contract.js';
import type { z } from 'zod';
import type { Transport } from '../../../shared/client.js';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { UploadRefusal, uploadRoutes } from '../../../shared/uploads.js';

const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000];

/** This page's sign-in session (main/account/sessions.ts): in memory only, new at every load. */
const SESSION_ID = crypto.randomUUID();

export function createWebTransport(origin: string = window.location.origin): Transport {
  const listeners = new Set<(event: AnyEvent) => void>();
  let socket: WebSocket | null = null;
  let attempt = 0;

  const connect = (): void => {
    const url = new URL('/events', origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      attempt = 0;
    });
    socket.addEventListener('message', (message) => {
      if (typeof message.data !== 'string') return;
      let event: unknown;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (!event || typeof event !== 'object' || !isEventName((event as { name?: unknown }).name)) return;
      for (const listener of listeners) listener(event as AnyEvent);
    });
    socket.addEventListener('close', () => {
      socket = null;
      if (listeners.size === 0) return;
      const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
      attempt += 1;
      setTimeout(connect, delay);
    });
  };

  return {
    async invoke(method: MethodName, request: unknown): Promise<WireResult<unknown>> {
      let response: Response;
      try {
        response = await fetch(new URL(`/api/rpc/${method}`, origin), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-radlabel-session': SESSION_ID },
          body: JSON.stringify(request ?? {}),
          credentials: 'same-origin',
        });
      } catch {
        return {
          ok: false,
          error: { code: 'io', message: 'The RadLabel service is not reachable. Is it still running?' },
        };
      }
      if (response.status === 401) {
        return {
          ok: false,
          error: {
            code: 'unauthorized',
            message: 'This page is not authorised. Open the link printed by `npm run web` again.',
          },
        };
      }
      try {
        return (await response.json()) as WireResult<unknown>;
      } catch {
        return {
          ok: false,
          error: { code: 'internal', message: `The service answered ${response.status} without a result.` },
        };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) socket?.close();
      };
    },
  };
}

/**
 * Upload dropped/picked files to the host's staging area and return the staged folder, which the
 * host can then import like any local path. Relative folder structure is kept (DICOMDIR needs it).
 * Routes and answers come from the contract (shared/uploads.ts); a refusal becomes an AppError with
 * the host's code and message (which names the user's file).
 */
export async function uploadToStaging(
  files: File[],
  origin: string = window.location.origin,
): Promise<string[]> {
  if (files.length === 0) return [];
  const { uploadId } = await uploadRequest(
    origin,
    uploadRoutes.begin,
    uploadRoutes.begin.path(),
    undefined,
    'The upload',
  );
  const concurrency = 4;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      const relative = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
      await uploadRequest(
        origin,
        uploadRoutes.file,
        uploadRoutes.file.path(uploadId, relative),
        file,
        relative,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  const { path } = await uploadRequest(
    origin,
    uploadRoutes.complete,
    uploadRoutes.complete.path(uploadId),
    undefined,
    'The upload',
  );
  return [path];
}

/** One call of an upload route; the answer parsed with the route's schema, a refusal thrown as AppError. */
async function uploadRequest<T>(
  origin: string,
  route: { method: string; response: z.ZodType<T> },
  path: string,
  body: File | undefined,
  what: string,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(path, origin), {
      method: route.method,
      ...(body ? { body } : {}),
      credentials: 'same-origin',
    });
  } catch {
    throw new AppError(ErrorCode.Io, 'The RadLabel service is not reachable. Is it still running?');
  }
  let answer: unknown = null;
  try {
    answer = await response.json();
  } catch {
    answer = null;
  }
  if (response.ok) {
    const parsed = route.response.safeParse(answer);
    if (parsed.success) return parsed.data;
  } else {
    const refusal = UploadRefusal.safeParse(answer);
    if (refusal.success) throw new AppError(refusal.data.error.code, refusal.data.error.message);
    if (response.status === 401) {
      throw new AppError(
        ErrorCode.Unauthorized,
        'This page is not authorised. Open the link printed by `npm run web` again.',
      );
    }
  }
  throw new AppError(
    ErrorCode.Internal,
    `${what} failed: the service answered ${response.status} unexpectedly.`,
  );
}
