/**
 * The review of held images, main side: an export holds pydicom's ultrasound image; the review
 * lists it with its device and size; releasing it with a region saves a pixel rule for that
 * device and size (in the settings file, valid under the contract), writes the image masked into
 * the export and updates the report; the next study from the same device passes; exclusion is
 * recorded in the report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeidSettings } from '../../../shared/contract.js';
import type { Services } from '../../../main/services.js';
import {
  HELD_ULTRASOUND_SIZE,
  HELD_ULTRASOUND_SOP_UID,
  HELD_ULTRASOUND_STUDY_UID,
  heldUltrasoundFile,
  pixelsInRect,
  writeUltrasoundCopy,
} from '../../fixtures/held-ultrasound.js';
import { exportStudy, filesUnder, fixedKey, freshDir, importInto, openServices } from './harness.js';

const TOP_BAR = { x: 0, y: 0, width: 80, height: 12 };

describe('reviewing images held for burned-in text', () => {
  let dataDir: string;
  let outputRoot: string;
  let copies: string;
  let services: Services;
  let second: { studyInstanceUID: string; sopInstanceUID: string };
  let third: { studyInstanceUID: string; sopInstanceUID: string };

  beforeAll(async () => {
    dataDir = freshDir('review-data');
    outputRoot = freshDir('review-out');
    copies = freshDir('review-copies');
    second = writeUltrasoundCopy(path.join(copies, 'second.dcm'), 'Second^Patient');
    // Another device: the rule must not reach it.
    third = writeUltrasoundCopy(path.join(copies, 'third.dcm'), 'Third^Patient');
    services = openServices(dataDir, fixedKey('review'), 0);
    await importInto(services, [heldUltrasoundFile, path.join(copies, 'second.dcm')]);
  });
  afterAll(async () => {
    await services.close();
    for (const dir of [dataDir, outputRoot, copies]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists the held image with its original instance, device, size and reasons', async () => {
    const finished = await exportStudy(services, HELD_ULTRASOUND_STUDY_UID, path.join(outputRoot, 'us'));
    expect(finished).toMatchObject({ done: 0, held: 1, failed: 0 });
    const held = await services.handlers['deid.heldObjects']({ studyInstanceUID: HELD_ULTRASOUND_STUDY_UID });
    expect(held).toHaveLength(1);
    const report = await services.handlers['deid.studyReport']({
      studyInstanceUID: HELD_ULTRASOUND_STUDY_UID,
    });
    expect(held[0]).toMatchObject({
      sopInstanceUID: HELD_ULTRASOUND_SOP_UID,
      pseudonymousSopInstanceUID: report.held[0]!.sopInstanceUID,
      modality: 'US',
      manufacturer: 'G.E. Medical Systems',
      manufacturerModelName: 'LOGIQ 700',
      ...HELD_ULTRASOUND_SIZE,
      status: 'held',
      ruleRegions: [],
    });
    expect(held[0]!.reasonCodes).toContain('ultrasound');
  });

  it('releasing with a region saves a rule for the device and size and writes the image masked there', async () => {
    const outputDir = path.join(outputRoot, 'us');
    const result = await services.handlers['deid.releaseHeld']({
      studyInstanceUID: HELD_ULTRASOUND_STUDY_UID,
      sopInstanceUID: HELD_ULTRASOUND_SOP_UID,
      regions: [TOP_BAR],
    });
    expect(result.status).toBe('released');
    expect(result.reasonCodes).toContain('region-rule');

    const written = filesUnder(outputDir).filter((file) => file.endsWith('.dcm'));
    expect(written).toHaveLength(1);
    const pixels = pixelsInRect(written[0]!, TOP_BAR);
    expect(pixels).toMatchObject({ insideMax: 0, insideMin: 0, ...HELD_ULTRASOUND_SIZE });
    expect(pixels.outsideMax).toBeGreaterThan(0);

    const report = await services.handlers['deid.studyReport']({
      studyInstanceUID: HELD_ULTRASOUND_STUDY_UID,
    });
    expect(report.objects).toMatchObject({ done: 1, held: 0 });
    expect(report.held).toEqual([]);

    const stored = DeidSettings.parse(
      JSON.parse(fs.readFileSync(path.join(dataDir, 'deid', 'settings.json'), 'utf8')),
    );
    expect(stored.pixelRules).toEqual([
      {
        name: 'review: US G.E. Medical Systems LOGIQ 700 80×60',
        match: {
          modality: 'US',
          manufacturer: 'G.E. Medical Systems',
          manufacturerModelName: 'LOGIQ 700',
          rows: 60,
          columns: 80,
        },
        regions: [TOP_BAR],
      },
    ]);
    const listed = await services.handlers['deid.heldObjects']({
      studyInstanceUID: HELD_ULTRASOUND_STUDY_UID,
    });
    expect(listed[0]!.status).toBe('released');
    // Asked again (a retry after a lost answer): the same answer, nothing written twice.
    expect(
      await services.handlers['deid.releaseHeld']({
        studyInstanceUID: HELD_ULTRASOUND_STUDY_UID,
        sopInstanceUID: HELD_ULTRASOUND_SOP_UID,
        regions: [TOP_BAR],
      }),
    ).toEqual(result);
    expect(filesUnder(outputDir).filter((file) => file.endsWith('.dcm'))).toHaveLength(1);
    await expect(
      services.handlers['deid.excludeHeld']({
        studyInstanceUID: HELD_ULTRASOUND_STUDY_UID,
        sopInstanceUID: HELD_ULTRASOUND_SOP_UID,
      }),
    ).rejects.toThrow(/already released/);
  });

  it('the next study from the same device and size is masked by the rule, not held', async () => {
    const outputDir = path.join(outputRoot, 'second');
    const finished = await exportStudy(services, second.studyInstanceUID, outputDir);
    expect(finished).toMatchObject({ done: 1, held: 0, failed: 0 });
    const written = filesUnder(outputDir).filter((file) => file.endsWith('.dcm'));
    expect(pixelsInRect(written[0]!, TOP_BAR)).toMatchObject({ insideMax: 0 });
    expect(
      await services.handlers['deid.heldObjects']({ studyInstanceUID: second.studyInstanceUID }),
    ).toEqual([]);
  });

  it('excluding a held image records it in the report and writes nothing', async () => {
    // A different model: no saved rule matches it.
    const other = path.join(copies, 'other-model.dcm');
    fs.copyFileSync(path.join(copies, 'third.dcm'), other);
    const bytes = fs.readFileSync(other);
    const at = bytes.indexOf(Buffer.from('LOGIQ 700'));
    expect(at).toBeGreaterThan(0);
    bytes.write('LOGIQ 900', at, 'latin1');
    fs.writeFileSync(other, bytes);
    await importInto(services, [other]);

    const outputDir = path.join(outputRoot, 'third');
    expect(await exportStudy(services, third.studyInstanceUID, outputDir)).toMatchObject({
      done: 0,
      held: 1,
    });
    const [held] = await services.handlers['deid.heldObjects']({ studyInstanceUID: third.studyInstanceUID });
    expect(held).toMatchObject({ sopInstanceUID: third.sopInstanceUID, manufacturerModelName: 'LOGIQ 900' });
    expect(held!.ruleRegions).toEqual([]);

    expect(
      await services.handlers['deid.excludeHeld']({
        studyInstanceUID: third.studyInstanceUID,
        sopInstanceUID: third.sopInstanceUID,
      }),
    ).toEqual({ excluded: true });
    const report = await services.handlers['deid.studyReport']({ studyInstanceUID: third.studyInstanceUID });
    expect(report.objects.held).toBe(0);
    expect(report.excluded).toEqual([{ sopInstanceUID: held!.pseudonymousSopInstanceUID }]);
    expect(filesUnder(outputDir).filter((file) => file.endsWith('.dcm'))).toEqual([]);
    await expect(
      services.handlers['deid.releaseHeld']({
        studyInstanceUID: third.studyInstanceUID,
        sopInstanceUID: third.sopInstanceUID,
        regions: [TOP_BAR],
      }),
    ).rejects.toThrow(/already excluded/);
  });

  it('an image that is not held cannot be released', async () => {
    await expect(
      services.handlers['deid.releaseHeld']({
        studyInstanceUID: second.studyInstanceUID,
        sopInstanceUID: second.sopInstanceUID,
        regions: [TOP_BAR],
      }),
    ).rejects.toMatchObject({ code: 'not-found' });
  });
});
