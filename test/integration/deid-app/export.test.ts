import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_MARKER_FILE } from '../../../main/deid-app/output-folder.js';
import type { Services } from '../../../main/services.js';
import { type CtSeries, ensureCtSeries, pydicomTestFilesDir } from '../../fixtures/index.js';
import { exportStudy, filesUnder, fixedKey, freshDir, importInto, openServices } from './harness.js';

/** pydicom's ultrasound image: burned-in text is likely, and no rule or OCR can clear it here. */
const ultrasoundFile = path.join(pydicomTestFilesDir, 'ExplVR_BigEnd.dcm');
const ULTRASOUND_STUDY_UID = '1.2.840.113619.2.21.848.246800003.0.1952805748.3';

describe('exporting a study de-identified', () => {
  let dataDir: string;
  let outputRoot: string;
  let services: Services;
  let series: CtSeries;

  beforeAll(async () => {
    dataDir = freshDir('export-data');
    outputRoot = freshDir('export-out');
    series = ensureCtSeries({ slices: 12, size: 64, seed: 'deid-app-export' });
    services = openServices(dataDir, fixedKey('export'), 1);
    await importInto(services, [series.dir, ultrasoundFile]);
  });
  afterAll(async () => {
    await services.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outputRoot, { recursive: true, force: true });
  });

  it('writes every object under the pseudonymous study folder, with no trace of the patient or the UIDs', async () => {
    const outputDir = path.join(outputRoot, 'ct');
    const finished = await exportStudy(services, series.studyInstanceUID, outputDir);
    expect(finished).toMatchObject({
      filesFound: 12,
      done: 12,
      held: 0,
      failed: 0,
      cancelled: false,
      error: null,
    });

    const report = await services.handlers['deid.studyReport']({ studyInstanceUID: series.studyInstanceUID });
    expect(report.objects).toEqual({ done: 12, held: 0, failed: 0, duplicates: 0, conflicts: 0 });
    expect(report.actions['uidsRemapped']).toBeGreaterThan(0);
    const written = filesUnder(outputDir).filter((file) => file.endsWith('.dcm'));
    expect(written).toHaveLength(12);
    for (const file of written)
      expect(path.relative(outputDir, file).split(path.sep)[0]).toBe(report.pseudonymousStudyInstanceUID);

    const identifying = [
      series.patientName,
      series.patientId,
      series.studyInstanceUID,
      series.seriesInstanceUID,
    ];
    for (const file of filesUnder(outputDir)) {
      const bytes = fs.readFileSync(file);
      for (const value of identifying) expect(bytes.includes(Buffer.from(value, 'latin1')), file).toBe(false);
    }
  });

  it('does not write objects held for review, and the report says why', async () => {
    const outputDir = path.join(outputRoot, 'us');
    const finished = await exportStudy(services, ULTRASOUND_STUDY_UID, outputDir);
    expect(finished).toMatchObject({ done: 0, held: 1, failed: 0 });
    expect(filesUnder(outputDir).map((file) => path.basename(file))).toEqual([EXPORT_MARKER_FILE]);
    const report = await services.handlers['deid.studyReport']({ studyInstanceUID: ULTRASOUND_STUDY_UID });
    expect(report.held).toHaveLength(1);
    expect(report.held[0]!.reasons).toContain('ultrasound');
    // A stable code per reason, for the app's translations.
    expect(report.held[0]!.reasonCodes).toHaveLength(report.held[0]!.reasons.length);
    expect(report.held[0]!.reasonCodes).toContain('ultrasound');
    expect(report.held[0]!.reasonCodes).not.toContain('other');
  });

  it('adds to a folder made by an earlier export, and a new export replaces the study report', async () => {
    const outputDir = path.join(outputRoot, 'again');
    await exportStudy(services, series.studyInstanceUID, outputDir);
    const second = await exportStudy(services, series.studyInstanceUID, outputDir);
    expect(second.done).toBe(12);
    const report = await services.handlers['deid.studyReport']({ studyInstanceUID: series.studyInstanceUID });
    expect(report.objects.done).toBe(12);
    expect(filesUnder(outputDir).filter((file) => file.endsWith('.dcm'))).toHaveLength(12);
  });

  it.each([
    ['a relative path', () => 'exports/study', /full path/],
    ['a folder inside the data folder', () => path.join(dataDir, 'exports'), /data folder/],
    ['the data folder itself', () => dataDir, /data folder/],
    [
      'a folder reached through a link into the data folder',
      () => {
        const link = path.join(outputRoot, 'shortcut');
        if (!fs.existsSync(link)) fs.symlinkSync(dataDir, link);
        return path.join(link, 'exports');
      },
      /data folder/,
    ],
    [
      'a folder with other files',
      () => {
        const dir = path.join(outputRoot, 'somebodys-files');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
        return dir;
      },
      /already contains other files/,
    ],
    [
      'a file',
      () => {
        const file = path.join(outputRoot, 'a-file');
        fs.writeFileSync(file, 'x');
        return file;
      },
      /is a file/,
    ],
  ])('refuses %s as the export folder', async (_case, folder, message) => {
    const outputDir = folder();
    const before = filesUnder(outputDir).length;
    await expect(
      services.handlers['deid.exportStudy']({ studyInstanceUID: series.studyInstanceUID, outputDir }),
    ).rejects.toMatchObject({ code: 'invalid-request', message: expect.stringMatching(message) });
    if (outputDir !== dataDir) expect(filesUnder(outputDir).length).toBe(before);
  });

  it('refuses a study that is not in the catalog', async () => {
    await expect(
      services.handlers['deid.exportStudy']({
        studyInstanceUID: '1.2.3.4',
        outputDir: path.join(outputRoot, 'none'),
      }),
    ).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('cancelling an export', () => {
  it('stops early: fewer objects are written than the study has, and the run says it was cancelled', async () => {
    const dataDir = freshDir('cancel-data');
    const outputDir = path.join(freshDir('cancel-out'), 'export');
    const series = ensureCtSeries({ slices: 40, size: 256, seed: 'deid-app-cancel' });
    const services = openServices(dataDir, fixedKey('cancel'), 0);
    try {
      await importInto(services, [series.dir]);
      const finished = await exportStudy(services, series.studyInstanceUID, outputDir, async (jobId) => {
        expect(await services.handlers['deid.cancel']({ jobId })).toEqual({ cancelled: true });
      });
      expect(finished.cancelled).toBe(true);
      expect(finished.done).toBeLessThan(40);
      expect(filesUnder(outputDir).filter((file) => file.endsWith('.dcm')).length).toBe(finished.done);
    } finally {
      await services.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(path.dirname(outputDir), { recursive: true, force: true });
    }
  });
});
