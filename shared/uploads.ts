/**
 * The web host's upload routes, part of the contract: a browser page cannot hand main a path, so
 * dropped or picked files are uploaded to a staging folder first and that folder is imported.
 * The web host serves these routes (main/webhost/), the renderer's web transport calls them
 * (renderer/src/host/web-transport.ts); both read paths and answers from here. Every refusal is
 * the contract's typed error, `{ ok: false, error: { code, message } }`, with a message that names
 * the user's file, never a staging path. The Electron shell has no uploads: it reads dropped
 * files' own paths.
 */
import { z } from 'zod';
import { WireError } from './contract.js';

/** `POST /api/upload`: a new upload. */
export const UploadBegun = z.object({ uploadId: z.string().uuid() });
/** `PUT /api/upload/<id>?path=<relative path>`: one file's bytes as the body. */
export const UploadReceived = z.object({ ok: z.literal(true) });
/** `POST /api/upload/<id>/complete`: the staged folder, to pass to `import.start`. */
export const UploadCompleted = z.object({ path: z.string().min(1) });
/** Any refusal of an upload route. */
export const UploadRefusal = z.object({ ok: z.literal(false), error: WireError });

export type UploadBegun = z.infer<typeof UploadBegun>;
export type UploadReceived = z.infer<typeof UploadReceived>;
export type UploadCompleted = z.infer<typeof UploadCompleted>;

export const uploadRoutes = {
  begin: { method: 'POST', path: (): string => '/api/upload', response: UploadBegun },
  file: {
    method: 'PUT',
    path: (uploadId: string, relativePath: string): string =>
      `/api/upload/${uploadId}?path=${encodeURIComponent(relativePath)}`,
    response: UploadReceived,
  },
  complete: {
    method: 'POST',
    path: (uploadId: string): string => `/api/upload/${uploadId}/complete`,
    response: UploadCompleted,
  },
} as const;

/** Matches the `file` and `complete` routes' paths: [1] the upload id, [2] '/complete' or undefined. */
export const UPLOAD_PATH_PATTERN = /^\/api\/upload\/([0-9a-f-]{36})(\/complete)?$/;
