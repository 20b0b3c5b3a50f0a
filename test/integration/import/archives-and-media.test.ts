import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensureCtSeries, makeTempDir, pydicomTestFilesDir, writeZip } from '../../fixtures/index.js';
import { type Harness, codesByName, openHarness } from './harness.js';

const scratch = makeTempDir('archives');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
let harness: Harness;
afterEach(async () => harness?.close());

describe('zip archives', () => {
  it('imports the images in a zip, folders included, and reports a nested zip without opening it', async () => {
    const series = ensureCtSeries({ slices: 4, size: 64, seed: 'zip' });
    const inner = path.join(scratch, 'inner.zip');
    writeZip(inner, [
      { name: 'CT_small.dcm', data: fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm')) },
    ]);
    const zip = path.join(scratch, 'study.zip');
    writeZip(zip, [
      { name: 'export/', data: Buffer.alloc(0), deflate: false },
      ...series.files.map((file, index) => ({
        name: `export/series 1/${path.basename(file)}`,
        data: fs.readFileSync(file),
        deflate: index % 2 === 0,
      })),
      { name: 'export/MR_small.dcm', data: fs.readFileSync(path.join(pydicomTestFilesDir, 'MR_small.dcm')) },
      { name: 'export/inner.zip', data: fs.readFileSync(inner) },
    ]);
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([zip]);
    expect(progress).toMatchObject({ phase: 'done', filesFound: 6, filesDone: 6, added: 5, failed: 1 });
    expect(errors).toEqual([
      {
        path: `${zip}!/export/inner.zip`,
        code: 'bad-archive',
        message: expect.stringContaining('inside archives'),
      },
    ]);
    expect(harness.storeContents().temp).toEqual([]);
  });

  it('refuses a zip with an entry that climbs out of the archive (zip slip) and writes nothing', async () => {
    const zip = path.join(scratch, 'slip.zip');
    const ct = fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm'));
    writeZip(zip, [
      { name: 'fine/CT_small.dcm', data: ct },
      { name: '../../../slipped.dcm', data: ct },
    ]);
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([zip]);
    expect(progress).toMatchObject({ added: 0, failed: 1 });
    expect(errors[0]).toMatchObject({
      code: 'bad-archive',
      message: expect.stringContaining('outside the archive'),
    });
    expect(harness.storeContents()).toEqual({ files: [], temp: [] });
    for (let dir = harness.dataDir; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      expect(fs.existsSync(path.join(dir, 'slipped.dcm'))).toBe(false);
    }
  });

  it('refuses a zip bomb before extracting it', async () => {
    const zip = path.join(scratch, 'bomb.zip');
    writeZip(zip, [{ name: 'huge.dcm', data: Buffer.alloc(64 * 2 ** 20) }]);
    expect(fs.statSync(zip).size).toBeLessThan(2 ** 20);
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([zip]);
    expect(progress).toMatchObject({ added: 0, failed: 1 });
    expect(errors[0]).toMatchObject({ code: 'bad-archive', message: expect.stringContaining('zip bomb') });
    expect(harness.storeContents().temp).toEqual([]);
  });

  it('refuses entries above the size limit and archives above the total limit', async () => {
    const zip = path.join(scratch, 'big.zip');
    const ct = fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm'));
    writeZip(zip, [
      { name: 'a.dcm', data: ct },
      { name: 'b.dcm', data: ct },
    ]);
    const limits = (maxEntryBytes: number, maxTotalBytes: number) => ({
      zip: { maxEntryBytes, maxTotalBytes, maxRatio: 200, maxEntries: 1000 },
    });
    harness = openHarness({ importLimits: limits(ct.length - 1, 10 * ct.length) });
    expect((await harness.importPaths([zip])).errors[0]).toMatchObject({
      code: 'bad-archive',
      message: expect.stringContaining('larger than the import limit'),
    });
    await harness.close();
    harness = openHarness({ importLimits: limits(ct.length, ct.length + 1) });
    expect((await harness.importPaths([zip])).errors[0]).toMatchObject({
      code: 'bad-archive',
      message: expect.stringContaining('more data than the import limit'),
    });
  });

  it('reports a damaged zip', async () => {
    const zip = path.join(scratch, 'damaged.zip');
    const good = path.join(scratch, 'good.zip');
    writeZip(good, [
      { name: 'CT_small.dcm', data: fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm')) },
    ]);
    const bytes = fs.readFileSync(good);
    fs.writeFileSync(
      zip,
      Buffer.concat([
        bytes.subarray(0, 200),
        zlib.deflateRawSync(Buffer.from('noise')),
        bytes.subarray(bytes.length - 30),
      ]),
    );
    harness = openHarness();
    const { errors } = await harness.importPaths([zip]);
    expect(codesByName(errors)['damaged.zip']).toBe('bad-archive');
  });
});

describe('DICOMDIR media', () => {
  /** Media as dcmmkdir (dcmtk) writes it: 8.3 upper-case file ids under DICOM/. */
  function makeMedia(name: string, slices: number): { root: string; sops: string[] } {
    const series = ensureCtSeries({ slices, size: 64, seed: `media-${slices}` });
    const root = path.join(scratch, name);
    fs.mkdirSync(path.join(root, 'DICOM'), { recursive: true });
    series.files.forEach((file, index) =>
      fs.copyFileSync(file, path.join(root, 'DICOM', `IM${String(index + 1).padStart(6, '0')}`)),
    );
    execFileSync('dcmmkdir', ['--recurse', '+id', root, '+D', path.join(root, 'DICOMDIR'), 'DICOM'], {
      cwd: root,
      stdio: 'pipe',
    });
    return { root, sops: series.sopInstanceUIDs };
  }

  it('imports the files a DICOMDIR lists, given the media root, and skips the DICOMDIR itself', async () => {
    const media = makeMedia('media-root', 5);
    fs.writeFileSync(path.join(media.root, 'AUTORUN.INF'), 'not listed, not imported');
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([media.root]);
    expect(errors).toEqual([]);
    expect(progress).toMatchObject({ phase: 'done', filesFound: 6, added: 5, skipped: 1, failed: 0 });
  });

  it('imports from the DICOMDIR file itself, matching file ids whatever their case', async () => {
    const media = makeMedia('media-lowercase', 3);
    // Copied by a tool that lower-cased names: the DICOMDIR still says DICOM\IM000001.
    fs.renameSync(path.join(media.root, 'DICOM'), path.join(media.root, 'dicom'));
    for (const name of fs.readdirSync(path.join(media.root, 'dicom'))) {
      fs.renameSync(
        path.join(media.root, 'dicom', name),
        path.join(media.root, 'dicom', `${name.toLowerCase()}.`),
      );
    }
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([path.join(media.root, 'DICOMDIR')]);
    expect(errors).toEqual([]);
    expect(progress).toMatchObject({ added: 3, skipped: 1 });
    const instances = await harness.services.handlers['catalog.listStudies']({ limit: 10, offset: 0 });
    expect(instances.studies[0]!.numberOfInstances).toBe(3);
  });

  it('reports a damaged DICOMDIR as one failed file', async () => {
    const root = path.join(scratch, 'media-damaged');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'DICOMDIR'), Buffer.alloc(300, 0x41));
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([root]);
    expect(progress).toMatchObject({ filesFound: 1, filesDone: 1, failed: 1, skipped: 0, added: 0 });
    expect(errors[0]!.code).toBe('malformed');
  });

  it('reports a file the DICOMDIR lists but the media lacks', async () => {
    const media = makeMedia('media-missing', 3);
    fs.rmSync(path.join(media.root, 'DICOM', 'IM000002'));
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([media.root]);
    expect(progress).toMatchObject({ added: 2, failed: 1, skipped: 1 });
    expect(errors).toEqual([
      {
        path: path.join(media.root, 'DICOM', 'IM000002'),
        code: 'path-not-found',
        message: expect.stringContaining('not on the media'),
      },
    ]);
  });
});
