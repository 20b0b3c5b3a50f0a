/**
 * The read-only routes both hosts serve to the renderer: the built renderer's files and the bytes
 * of stored instances. Paths from outside are never joined onto the file system unchecked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MIME_TYPES } from './security.js';

const SOP_UID = /^[0-9.]{1,64}$/;

export type RendererRoute =
  | { kind: 'instance'; sopInstanceUID: string }
  | { kind: 'static'; filePath: string; contentType: string }
  | { kind: 'not-found' };

/** Map a URL pathname to what it names. `rendererDir` must be absolute. */
export function routeRendererRequest(rendererDir: string, pathname: string): RendererRoute {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'not-found' };
  }
  const instance = /^\/instances\/([^/]+)$/.exec(decoded);
  if (instance) {
    const sop = instance[1]!;
    return SOP_UID.test(sop) ? { kind: 'instance', sopInstanceUID: sop } : { kind: 'not-found' };
  }
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relative.includes('\0')) return { kind: 'not-found' };
  const filePath = path.resolve(rendererDir, relative);
  if (filePath !== rendererDir && !filePath.startsWith(rendererDir + path.sep)) return { kind: 'not-found' };
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch {
    return { kind: 'not-found' };
  }
  if (!stat.isFile()) return { kind: 'not-found' };
  const contentType = MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
  return { kind: 'static', filePath, contentType };
}

/** The folder of the built renderer, next to build/main. */
export function defaultRendererDir(buildMainDir: string): string {
  return path.resolve(buildMainDir, '..', 'renderer');
}
