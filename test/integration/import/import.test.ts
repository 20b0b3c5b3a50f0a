import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  encodePart10,
  ensureCtSeries,
  makeBrokenFiles,
  makeTempDir,
  pydicomTestFilesDir,
} from '../../fixtures/index.js';
import { type Harness, codesByName, openHarness } from './harness.js';
import { readStoredFileSync } from '../../../main/cache/store-cipher.js';

const scratch = makeTempDir('import-inputs');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
let harness: Harness;
afterEach(async () => harness?.close());

describe('importing folders', () => {
  it('imports a 200-slice CT series and lists it as one study in display order', async () => {
    const series = ensureCtSeries({ slices: 200, size: 512 });
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([series.dir]);
    expect(errors).toEqual([]);
    expect(progress).toMatchObject({
      phase: 'done',
      filesFound: 200,
      filesDone: 200,
      added: 200,
      duplicates: 0,
      failed: 0,
    });
    expect(progress.bytesDone).toBe(series.totalBytes);

    const { studies, total } = await harness.services.handlers['catalog.listStudies']({
      limit: 10,
      offset: 0,
    });
    expect(total).toBe(1);
    expect(studies[0]).toMatchObject({
      studyInstanceUID: series.studyInstanceUID,
      numberOfSeries: 1,
      numberOfInstances: 200,
      modalities: ['CT'],
    });
    const instances = await harness.services.handlers['catalog.listInstances']({
      seriesInstanceUID: series.seriesInstanceUID,
    });
    expect(instances.map((instance) => instance.sopInstanceUID)).toEqual(series.sopInstanceUIDs);
    expect(harness.storeContents()).toEqual({ files: expect.any(Array), temp: [] });
    expect(harness.storeContents().files).toHaveLength(200);
  });

  it('re-importing a study adds nothing', async () => {
    const series = ensureCtSeries({ slices: 20, size: 64, seed: 'reimport' });
    harness = openHarness();
    await harness.importPaths([series.dir]);
    const again = await harness.importPaths([series.dir]);
    expect(again.progress).toMatchObject({ added: 0, duplicates: 20, failed: 0 });
    const { studies } = await harness.services.handlers['catalog.listStudies']({ limit: 10, offset: 0 });
    expect(studies.map((study) => study.numberOfInstances)).toEqual([20]);
    expect(harness.storeContents()).toMatchObject({ temp: [] });
    expect(harness.storeContents().files).toHaveLength(20);
  });

  it("imports pydicom's test files: every readable image once, every other file with its reason", async () => {
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([pydicomTestFilesDir]);
    const codes = codesByName(errors);
    // Not DICOM: JSON, dumps, gzip, text, and no_meta.dcm (junk that dcmdump and pydicom refuse too).
    for (const name of ['no_meta.dcm', 'README.txt', 'test1.json', 'zipMR.gz', 'rtplan.dump']) {
      expect(codes[name], name).toBe('not-dicom');
    }
    expect(codes['MR_truncated.dcm']).toBe('truncated');
    expect(codes['SC_rgb_jpeg.dcm']).toBe('truncated');
    expect(codes['meta_missing_tsyntax.dcm']).toBe('malformed');
    expect(codes['rtplan_truncated.dcm']).toBe('malformed');
    for (const name of [
      'UN_sequence.dcm',
      'priv_SQ.dcm',
      'empty_charset_LEI.dcm',
      'no_meta_group_length.dcm',
    ]) {
      expect(codes[name], `${name} has no SOP Instance UID`).toBe('malformed');
    }
    // pydicom's compressed variants reuse the uncompressed file's SOP Instance UID with other bytes.
    expect(codes['MR_small_RLE.dcm']).toBe('conflict');
    expect(codes['MR_small.dcm']).toBeUndefined();
    // Datasets without preamble are read: rtstruct.dcm (implicit VR), and the explicit VR big and
    // little endian encodings of one object (the same SOP Instance UID: the second is a conflict).
    expect(codes['rtstruct.dcm']).toBeUndefined();
    expect(codes['ExplVR_BigEndNoMeta.dcm']).toBeUndefined();
    expect(codes['ExplVR_LitEndNoMeta.dcm']).toBe('conflict');
    // The DICOMDIR of dicomdirtests/ is skipped; its folder is media, so only the files it lists count.
    expect(progress).toMatchObject({
      phase: 'done',
      filesFound: 106,
      filesDone: 106,
      added: 63,
      duplicates: 1,
      failed: 41,
      skipped: 1,
    });
    expect(progress.added + progress.duplicates + progress.failed + progress.skipped).toBe(
      progress.filesFound,
    );
    expect(harness.storeContents().files).toHaveLength(63);
    // The store holds Part 10 files only: the raw datasets got a preamble, "DICM" and file meta.
    for (const file of harness.storeContents().files) {
      // Read as RadLabel reads it (the store may be encrypted, docs/cache.md).
      const head = readStoredFileSync(path.join(harness.dataDir, 'store', file)).subarray(128, 132);
      expect(head.toString('latin1'), file).toBe('DICM');
    }
  });

  it('lists broken files with their reasons while the rest goes on', async () => {
    const dir = path.join(scratch, 'broken');
    const broken = makeBrokenFiles(dir);
    fs.copyFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm'), path.join(dir, 'good.dcm'));
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([dir]);
    expect(progress).toMatchObject({ phase: 'done', added: 1, failed: broken.length });
    const codes = codesByName(errors);
    for (const file of broken)
      expect(codes[path.basename(file.path)], path.basename(file.path)).toBe(file.expectedCode);
    for (const error of errors) expect(error.message.length).toBeGreaterThan(10);
    expect(harness.storeContents().temp).toEqual([]);
  });

  it('survives symbolic link loops and imports each file once', async () => {
    const series = ensureCtSeries({ slices: 3, size: 32, seed: 'links' });
    const dir = path.join(scratch, 'loop');
    fs.mkdirSync(path.join(dir, 'nested'), { recursive: true });
    for (const file of series.files) fs.copyFileSync(file, path.join(dir, 'nested', path.basename(file)));
    fs.symlinkSync('..', path.join(dir, 'nested', 'up'));
    fs.symlinkSync(path.join(dir, 'nested'), path.join(dir, 'again'));
    harness = openHarness();
    const { progress } = await harness.importPaths([dir]);
    expect(progress).toMatchObject({ phase: 'done', filesFound: 3, added: 3, failed: 0 });
  });

  it('streams a file too large to hold in memory, storing it byte for byte; re-importing it adds nothing', async () => {
    const frames = 140;
    const file = path.join(scratch, 'multiframe.dcm');
    const sop = '1.2.826.0.1.3680043.10.1466.77.1';
    fs.writeFileSync(
      file,
      encodePart10({
        sopClassUID: '1.2.840.10008.5.1.4.1.1.2.1',
        sopInstanceUID: sop,
        elements: [
          { tag: 0x00080018, vr: 'UI', value: sop },
          { tag: 0x00080060, vr: 'CS', value: 'CT' },
          { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.10.1466.77' },
          { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.10.1466.77.0' },
          { tag: 0x00280008, vr: 'IS', value: String(frames) },
          { tag: 0x00280010, vr: 'US', value: [512] },
          { tag: 0x00280011, vr: 'US', value: [512] },
          { tag: 0x7fe00010, vr: 'OW', value: Buffer.alloc(frames * 512 * 512 * 2, 1) },
        ],
      }),
    );
    expect(fs.statSync(file).size).toBeGreaterThan(64 * 2 ** 20);
    harness = openHarness();
    expect((await harness.importPaths([file])).progress).toMatchObject({ added: 1, failed: 0 });
    const stored = harness.services.instanceFile(sop)!;
    const digest = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');
    expect(digest(readStoredFileSync(stored.path))).toBe(digest(fs.readFileSync(file)));
    const instances = await harness.services.handlers['catalog.listInstances']({
      seriesInstanceUID: '1.2.826.0.1.3680043.10.1466.77.0',
    });
    expect(instances[0]).toMatchObject({ numberOfFrames: frames, rows: 512 });
    expect((await harness.importPaths([file])).progress).toMatchObject({ added: 0, duplicates: 1 });
  });

  it('refuses a file above the size limit and imports the others', async () => {
    const small = ensureCtSeries({ slices: 3, size: 32, seed: 'links' });
    const ctSmall = path.join(pydicomTestFilesDir, 'CT_small.dcm');
    harness = openHarness({ importLimits: { maxFileBytes: 20_000 } });
    const { progress, errors } = await harness.importPaths([small.dir, ctSmall]);
    expect(progress).toMatchObject({ added: 3, failed: 1 });
    expect(errors).toEqual([
      { path: ctSmall, code: 'too-large', message: expect.stringContaining('above the import limit') },
    ]);
  });

  it('reports a path that does not exist as such, not as a study missing from the catalog', async () => {
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([path.join(scratch, 'nowhere')]);
    expect(progress.failed).toBe(1);
    expect(errors[0]).toMatchObject({
      code: 'path-not-found',
      message: expect.stringMatching(/does not exist/),
    });
  });

  it('reports a path that goes on below a file as not a folder', async () => {
    harness = openHarness();
    const file = path.join(scratch, 'plain-file.txt');
    fs.writeFileSync(file, 'not a folder');
    const { progress, errors } = await harness.importPaths([path.join(file, 'below')]);
    expect(progress.failed).toBe(1);
    expect(errors[0]).toMatchObject({ code: 'not-a-folder', message: expect.stringMatching(/below a file/) });
  });
});

describe('cancelling an import', () => {
  it('stops promptly, keeps what was committed and leaves no temp files', async () => {
    const series = ensureCtSeries({ slices: 200, size: 512 });
    harness = openHarness();
    // Cancel as soon as the first batch is committed, through the contract like the UI does.
    const { progress } = await harness.importPaths([series.dir], (p) => {
      if (p.added > 0 && p.phase === 'importing')
        void harness.services.handlers['import.cancel']({ jobId: p.jobId });
    });
    expect(progress.phase).toBe('cancelled');
    expect(progress.added).toBeGreaterThan(0);
    expect(progress.added).toBeLessThan(200);
    const { studies } = await harness.services.handlers['catalog.listStudies']({ limit: 10, offset: 0 });
    expect(studies[0]!.numberOfInstances).toBe(progress.added);
    expect(harness.storeContents().files).toHaveLength(progress.added);
    expect(harness.storeContents().temp).toEqual([]);
    const status = await harness.services.handlers['import.status']({ jobId: progress.jobId });
    expect(status.phase).toBe('cancelled');
    expect(await harness.services.handlers['import.cancel']({ jobId: progress.jobId })).toEqual({
      cancelled: false,
    });
  });
});
