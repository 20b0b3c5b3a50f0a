import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../main/catalog/catalog.js';
import { readInstance } from '../../../main/import/import-worker.js';
import { makeTempDir, pydicomTestFilesDir } from '../../fixtures/index.js';

const dir = makeTempDir('read-instance');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const ctSmall = path.join(pydicomTestFilesDir, 'CT_small.dcm');
const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('reading one file for import (worker side)', () => {
  it('copies a new instance and hashes exactly the bytes it wrote', () => {
    const catalog = Catalog.open(path.join(dir, 'empty.sqlite'));
    const copyTo = path.join(dir, 'new.part');
    const result = readInstance({
      sourcePath: ctSmall,
      copyTo,
      maxFileBytes: 2 ** 30,
      catalogFile: catalog.file,
    });
    expect(result).toMatchObject({
      ok: true,
      copied: true,
      sha256: sha256(ctSmall),
      size: fs.statSync(ctSmall).size,
    });
    expect(sha256(copyTo)).toBe(sha256(ctSmall));
    catalog.close();
  });

  it('only hashes an instance the catalog already stores: re-importing copies nothing', () => {
    const catalog = Catalog.open(path.join(dir, 'stored.sqlite'));
    const first = readInstance({
      sourcePath: ctSmall,
      copyTo: path.join(dir, 'first.part'),
      maxFileBytes: 2 ** 30,
      catalogFile: catalog.file,
    });
    if (!first.ok || first.header.kind !== 'image') throw new Error('CT_small.dcm should read');
    const { kind: _kind, ...fields } = first.header;
    catalog.addInstances([
      {
        ...fields,
        filePath: `${first.sha256.slice(0, 2)}/${first.sha256}.dcm`,
        fileSize: first.size,
        sha256: first.sha256,
      },
    ]);

    const copyTo = path.join(dir, 'again.part');
    const again = readInstance({
      sourcePath: ctSmall,
      copyTo,
      maxFileBytes: 2 ** 30,
      catalogFile: catalog.file,
    });
    expect(again).toMatchObject({ ok: true, copied: false, sha256: first.sha256 });
    expect(fs.existsSync(copyTo)).toBe(false);
    catalog.close();
  });

  it('refuses a file above the size limit without reading it', () => {
    const catalog = Catalog.open(path.join(dir, 'limit.sqlite'));
    const result = readInstance({
      sourcePath: ctSmall,
      copyTo: path.join(dir, 'big.part'),
      maxFileBytes: 1000,
      catalogFile: catalog.file,
    });
    expect(result).toMatchObject({ ok: false, code: 'too-large' });
    catalog.close();
  });
});
