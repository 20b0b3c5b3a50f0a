/**
 * The held list survives a restart, and the reviewer sees where OCR found text: an export holds
 * an ultrasound image with a burned-in label (OCR masking off, the app's default); the review
 * reads the image for text once and keeps the boxes with the held object; after the services are
 * closed and opened again on the same data folder, the same held objects, boxes and decisions are
 * listed, and a decision taken before the restart is not taken twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../main/services.js';
import { HeldStore } from '../../../main/deid-app/held-store.js';
import {
  HELD_TEXT_SIZE,
  overlaps,
  writeHeldTextImage,
  type HeldTextImage,
} from '../../fixtures/held-text.js';
import { exportStudy, fixedKey, freshDir, importInto, openServices } from './harness.js';

describe('the review of held images across a restart', () => {
  const key = fixedKey('held-persist');
  let dataDir: string;
  let outputRoot: string;
  let copies: string;
  let services: Services;
  let first: HeldTextImage;
  let second: HeldTextImage;

  beforeAll(async () => {
    dataDir = freshDir('held-persist-data');
    outputRoot = freshDir('held-persist-out');
    copies = freshDir('held-persist-copies');
    first = writeHeldTextImage(path.join(copies, 'first.dcm'), 'First^Text');
    second = writeHeldTextImage(path.join(copies, 'second.dcm'), 'Second^Text');
    services = openServices(dataDir, key, 0);
    await importInto(services, [copies]);
  });
  afterAll(async () => {
    await services.close();
    for (const dir of [dataDir, outputRoot, copies]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the review reads a held image for text once and shows boxes over the burned-in label', async () => {
    expect(await exportStudy(services, first.studyInstanceUID, path.join(outputRoot, 'first'))).toMatchObject(
      {
        held: 1,
      },
    );
    const [held] = await services.handlers['deid.heldObjects']({ studyInstanceUID: first.studyInstanceUID });
    expect(held).toMatchObject({ sopInstanceUID: first.sopInstanceUID, ...HELD_TEXT_SIZE, ocrBoxes: [] });
    const ref = { studyInstanceUID: first.studyInstanceUID, sopInstanceUID: first.sopInstanceUID };
    const { boxes } = await services.handlers['deid.heldTextBoxes'](ref);
    expect(boxes.length).toBeGreaterThan(0);
    expect(boxes.some((box) => overlaps(box, first.box))).toBe(true);
    // Every box lies inside the image.
    for (const box of boxes) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(HELD_TEXT_SIZE.rows);
    }
    // Kept: listed with the held object, and asked again it is not read again (same answer at once).
    const started = performance.now();
    expect((await services.handlers['deid.heldTextBoxes'](ref)).boxes).toEqual(boxes);
    expect(performance.now() - started).toBeLessThan(100);
    const [listed] = await services.handlers['deid.heldObjects']({
      studyInstanceUID: first.studyInstanceUID,
    });
    expect(listed!.ocrBoxes).toEqual(boxes);
  }, 120_000);

  it('after a restart the same held images, boxes and decisions are listed', async () => {
    await exportStudy(services, second.studyInstanceUID, path.join(outputRoot, 'second'));
    await services.handlers['deid.excludeHeld']({
      studyInstanceUID: second.studyInstanceUID,
      sopInstanceUID: second.sopInstanceUID,
    });
    const before = {
      first: await services.handlers['deid.heldObjects']({ studyInstanceUID: first.studyInstanceUID }),
      second: await services.handlers['deid.heldObjects']({ studyInstanceUID: second.studyInstanceUID }),
    };
    await services.close();
    services = openServices(dataDir, key, 0);
    const after = {
      first: await services.handlers['deid.heldObjects']({ studyInstanceUID: first.studyInstanceUID }),
      second: await services.handlers['deid.heldObjects']({ studyInstanceUID: second.studyInstanceUID }),
    };
    expect(after).toEqual(before);
    expect(after.first[0]).toMatchObject({ status: 'held' });
    expect(after.first[0]!.ocrBoxes.length).toBeGreaterThan(0);
    expect(after.second[0]).toMatchObject({ status: 'excluded' });
    // The decision stands: an excluded image cannot be released after the restart either.
    await expect(
      services.handlers['deid.releaseHeld']({
        studyInstanceUID: second.studyInstanceUID,
        sopInstanceUID: second.sopInstanceUID,
        regions: [{ x: 0, y: 180, width: 320, height: 40 }],
      }),
    ).rejects.toThrow(/already excluded/);
  }, 120_000);

  it('a release after the restart writes into the export folder kept from before it', async () => {
    const result = await services.handlers['deid.releaseHeld']({
      studyInstanceUID: first.studyInstanceUID,
      sopInstanceUID: first.sopInstanceUID,
      regions: [{ x: 0, y: 180, width: 320, height: 50 }],
    });
    expect(result.status).toBe('released');
    const written = fs
      .readdirSync(path.join(outputRoot, 'first'), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.dcm'));
    expect(written).toHaveLength(1);
    const [listed] = await services.handlers['deid.heldObjects']({
      studyInstanceUID: first.studyInstanceUID,
    });
    expect(listed!.status).toBe('released');
  }, 120_000);

  it('a new export of a study replaces its held list', () => {
    const store = new HeldStore();
    try {
      store.exportStarted('1.2.3', '/out/a');
      store.held('1.2.3', {
        sopInstanceUID: '1.2.3.4',
        pseudonymousSopInstanceUID: '2.25.1',
        reasons: ['ultrasound'],
        reasonCodes: ['ultrasound'],
        ocrBoxes: null,
      });
      store.decide('1.2.3', '1.2.3.4', { reasons: [], reasonCodes: [], status: 'excluded', released: null });
      store.exportStarted('1.2.3', '/out/b');
      expect(store.list('1.2.3')).toEqual([]);
      expect(store.outputDir('1.2.3')).toBe('/out/b');
    } finally {
      store.close();
    }
  });
});
