import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../main/catalog/catalog.js';
import { readInstance } from '../../../main/import/import-worker.js';
import { encodePart10, makeTempDir, pydicomTestFilesDir } from '../../fixtures/index.js';

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

  it.each([
    ['held in memory', 8],
    ['streamed (over 64 MB)', 140],
  ])('stores a dataset without preamble as a Part 10 file and hashes what it wrote (%s)', (_how, frames) => {
    const catalog = Catalog.open(path.join(dir, `raw-${frames}.sqlite`));
    const sop = `1.2.826.0.1.3680043.10.1466.78.${frames}`;
    const part10 = encodePart10({
      sopClassUID: '1.2.840.10008.5.1.4.1.1.2.1',
      sopInstanceUID: sop,
      elements: [
        { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2.1' },
        { tag: 0x00080018, vr: 'UI', value: sop },
        { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.10.1466.78' },
        { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.10.1466.78.0' },
        { tag: 0x00280008, vr: 'IS', value: String(frames) },
        { tag: 0x00280010, vr: 'US', value: [512] },
        { tag: 0x00280011, vr: 'US', value: [512] },
        { tag: 0x7fe00010, vr: 'OW', value: Buffer.alloc(frames * 512 * 512 * 2, 3) },
      ],
    });
    // The dataset alone: what follows the preamble, "DICM" and the file meta group.
    const metaLength = part10.readUInt32LE(132 + 8);
    const dataset = part10.subarray(132 + 12 + metaLength);
    const source = path.join(dir, `raw-${frames}.bin`);
    fs.writeFileSync(source, dataset);
    const copyTo = path.join(dir, `raw-${frames}.part`);
    const result = readInstance({
      sourcePath: source,
      copyTo,
      maxFileBytes: 2 ** 30,
      catalogFile: catalog.file,
    });
    expect(result).toMatchObject({
      ok: true,
      copied: true,
      sha256: sha256(copyTo),
      size: fs.statSync(copyTo).size,
    });
    const stored = fs.readFileSync(copyTo);
    expect(stored.subarray(128, 132).toString('latin1')).toBe('DICM');
    expect(stored.subarray(stored.length - dataset.length).equals(dataset)).toBe(true);
    // The header read from the stored file is the one the worker reported.
    const again = readInstance({
      sourcePath: copyTo,
      copyTo: path.join(dir, `raw-${frames}.again`),
      maxFileBytes: 2 ** 30,
      catalogFile: catalog.file,
    });
    expect(again).toMatchObject({ ok: true, sha256: sha256(copyTo), header: { sopInstanceUID: sop } });
    catalog.close();
  });
});
