/**
 * Staging of files a browser uploads (drag-and-drop or a file input in the web host), so that
 * main can import them like any local folder. Relative paths are sanitised segment by segment.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { AppError } from '../../shared/errors.js';

const MAX_FILE_BYTES = 8 * 1024 ** 3;
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

export class UploadStaging {
  readonly #root: string;
  readonly #open = new Set<string>();

  constructor(dataDir: string) {
    this.#root = path.join(dataDir, 'staging');
  }

  /** Remove staging folders left by earlier runs (their imports copied what they needed). */
  cleanStale(now = Date.now()): void {
    if (!fs.existsSync(this.#root)) return;
    for (const entry of fs.readdirSync(this.#root, { withFileTypes: true })) {
      const full = path.join(this.#root, entry.name);
      try {
        if (now - fs.statSync(full).mtimeMs > STALE_AFTER_MS) fs.rmSync(full, { recursive: true, force: true });
      } catch {
        // Another process may be cleaning too; nothing to do.
      }
    }
  }

  begin(): string {
    const id = crypto.randomUUID();
    fs.mkdirSync(path.join(this.#root, id), { recursive: true });
    this.#open.add(id);
    return id;
  }

  async receive(uploadId: string, relativePath: string, body: Readable, declaredLength: number | undefined): Promise<void> {
    const folder = this.#folderOf(uploadId);
    if (declaredLength !== undefined && declaredLength > MAX_FILE_BYTES) {
      throw new AppError('too-large', 'The file is larger than 8 GiB.');
    }
    const segments = sanitizeRelativePath(relativePath);
    const target = path.join(folder, ...segments);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    let received = 0;
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_FILE_BYTES) body.destroy(new AppError('too-large', 'The file is larger than 8 GiB.'));
    });
    await pipeline(body, fs.createWriteStream(target, { flags: 'wx' }));
  }

  complete(uploadId: string): string {
    const folder = this.#folderOf(uploadId);
    this.#open.delete(uploadId);
    return folder;
  }

  #folderOf(uploadId: string): string {
    if (!this.#open.has(uploadId)) throw new AppError('not-found', 'This upload is unknown or already complete.');
    return path.join(this.#root, uploadId);
  }
}

export function sanitizeRelativePath(relativePath: string): string[] {
  const segments = relativePath
    .split(/[\\/]+/)
    .filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.length > 64) throw new AppError('invalid-request', 'Bad upload path.');
  for (const segment of segments) {
    if (segment === '..' || segment.includes('\0') || /^[a-zA-Z]:$/.test(segment) || segment.length > 255) {
      throw new AppError('invalid-request', 'Bad upload path.');
    }
  }
  return segments;
}
