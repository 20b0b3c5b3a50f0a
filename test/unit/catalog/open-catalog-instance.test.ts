/**
 * `openCatalogInstance` (main/catalog/file-store.ts): the one look-up behind both hosts'
 * `/instances/<uid>` and `/instance-batch/…` routes. A UID is found in the catalog only; what it
 * names is opened with the store's checks; each failure is a typed refusal the viewer can show.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type InstanceLookup, openCatalogInstance } from '../../../main/catalog/file-store.js';
import { servedBatches } from '../../../main/core/routes.js';
import { makeTempDir } from '../../fixtures/index.js';

const dir = makeTempDir('open-catalog-instance');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A plain file at its content address under `dir/store`, as the file store keeps it. */
function storeFile(bytes: Buffer): string {
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  const target = path.join(dir, 'store', sha.slice(0, 2), `${sha}.dcm`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, bytes);
  return target;
}

function catalogOf(
  files: Record<string, { path: string; size: number }>,
): InstanceLookup & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    instanceFile: (uid) => {
      asked.push(uid);
      return files[uid] ?? null;
    },
  };
}

async function read(opened: Awaited<ReturnType<typeof openCatalogInstance>>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const batch of servedBatches(opened)) parts.push(...batch);
  return Buffer.concat(parts);
}

describe('openCatalogInstance', () => {
  it('opens the file the catalog names for a UID and serves its bytes', async () => {
    const bytes = crypto.randomBytes(3000);
    const catalog = catalogOf({ '1.2.3': { path: storeFile(bytes), size: bytes.length } });
    const opened = await openCatalogInstance(catalog, '1.2.3');
    expect(opened.size).toBe(bytes.length);
    expect((await read(opened)).equals(bytes)).toBe(true);
    expect(catalog.asked).toEqual(['1.2.3']);
  });

  it('refuses a UID the catalog does not hold with a typed not-found', async () => {
    await expect(openCatalogInstance(catalogOf({}), '1.2.3.4')).rejects.toMatchObject({
      code: 'not-found',
      message: 'This image is not in the local catalog.',
    });
  });

  it("passes on the store's refusals: a missing file is not-found, one of another size io", async () => {
    const bytes = crypto.randomBytes(100);
    const file = storeFile(bytes);
    await expect(
      openCatalogInstance(catalogOf({ '1.5': { path: file, size: bytes.length + 1 } }), '1.5'),
    ).rejects.toMatchObject({ code: 'io' });
    fs.rmSync(file);
    await expect(
      openCatalogInstance(catalogOf({ '1.5': { path: file, size: bytes.length } }), '1.5'),
    ).rejects.toMatchObject({ code: 'not-found', message: expect.stringMatching(/missing/) });
  });
});
