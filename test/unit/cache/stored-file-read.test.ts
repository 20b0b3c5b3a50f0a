/**
 * The image route's read of encrypted store files (main/cache/store-cipher.ts, openStoredFile):
 * one read of the header and the first batch, pooled read buffers, batches handed on as their
 * chunks' own buffers. Many files read at once (as six image loads are) each come back exactly.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptFile, registerStoreKey, STORE_CHUNK_BYTES } from '../../../main/cache/store-cipher.js';
import { openStoredFile } from '../../../main/catalog/file-store.js';
import { servedBody } from '../../../main/core/routes.js';
import { makeTempDir } from '../../fixtures/index.js';

const key = crypto.randomBytes(32);
registerStoreKey(key);
const dir = makeTempDir('stored-file-read');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function storeFile(plain: Buffer): Promise<string> {
  const sha = crypto.createHash('sha256').update(plain).digest('hex');
  const target = path.join(dir, 'store', sha.slice(0, 2), `${sha}.dcm`);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const source = path.join(dir, `${sha}.plain`);
  fs.writeFileSync(source, plain);
  await encryptFile(source, target, key);
  return target;
}

async function readBatches(file: string, size: number): Promise<Buffer> {
  const opened = await openStoredFile(file, size);
  const parts: Buffer[] = [];
  for await (const batch of opened.batches!()) parts.push(...batch);
  return Buffer.concat(parts);
}

/** As the app:// protocol sends it (main/core/routes.ts servedBody). */
async function readStream(file: string, size: number): Promise<Buffer> {
  const opened = await openStoredFile(file, size);
  return Buffer.from(await new Response(servedBody(opened)).arrayBuffer());
}

describe('reading encrypted store files for the image route', () => {
  const sizes = [
    0,
    1,
    STORE_CHUNK_BYTES,
    STORE_CHUNK_BYTES + 1,
    16 * STORE_CHUNK_BYTES,
    16 * STORE_CHUNK_BYTES + 7,
    40 * STORE_CHUNK_BYTES + 3,
  ];

  it('gives every file back byte for byte, as batches and as the app:// body, with 24 reads at once', async () => {
    const plains = sizes.map((size) => crypto.randomBytes(size));
    const files = await Promise.all(plains.map(storeFile));
    const reads = Array.from({ length: 24 }, (_, i) => {
      const index = i % plains.length;
      const read = i % 2 === 0 ? readBatches : readStream;
      return read(files[index]!, plains[index]!.length).then((bytes) => ({ index, bytes }));
    });
    for (const { index, bytes } of await Promise.all(reads)) expect(bytes.equals(plains[index]!)).toBe(true);
  });

  it('refuses a file whose later batch was changed, after serving nothing of that batch', async () => {
    const plain = crypto.randomBytes(20 * STORE_CHUNK_BYTES);
    const file = await storeFile(plain);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const opened = await openStoredFile(file, plain.length);
    const served: Buffer[] = [];
    await expect(
      (async () => {
        for await (const batch of opened.batches!()) served.push(...batch);
      })(),
    ).rejects.toMatchObject({ code: 'io' });
    expect(Buffer.concat(served).equals(plain.subarray(0, 16 * STORE_CHUNK_BYTES))).toBe(true);
    // The read buffers went back to the pool in a usable state: a good file still reads exactly.
    const good = crypto.randomBytes(17 * STORE_CHUNK_BYTES + 5);
    expect((await readBatches(await storeFile(good), good.length)).equals(good)).toBe(true);
  });
});
