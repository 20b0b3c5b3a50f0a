/**
 * Defacing (Clean Recognizable Visual Features) on the generated head phantom: the face-bearing
 * series is found, the automatic surface lies in front of the brain and behind nose, lips and
 * chin, and the engine writes every voxel in front of it as air, the brain bit-identical,
 * with 113102 in the method codes; without an accepted cut the series is held for its face.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { findFaceSeries, planDeface, cutHalfSpace, type DefaceCut } from '../../../main/deid/deface/index.js';
import { headerSuggestsFace } from '../../../main/deid/deface/detect.js';
import { createDeidentifier, type DeidConfig, type DeidOutcome } from '../../../main/deid/index.js';
import { pixelReasonCode } from '../../../main/deid/pixels/reason-codes.js';
import { parseDicomFile } from '../../../main/deid/dicom/walker.js';
import { ensureCtSeries } from '../../fixtures/ct-series.js';
import {
  ensureHeadPhantom,
  PHANTOM_INTERCEPT,
  PHANTOM_SIZE,
  PHANTOM_SLICES,
  phantomPart,
  phantomPoint,
} from '../../fixtures/head-phantom.js';
import { config } from './support/sample.js';

const phantom = ensureHeadPhantom();
const engines: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const engine of engines) await engine.close();
});

const options: DeidConfig['options'] = ['cleanRecognizableVisualFeatures'];

async function run(file: string, overrides: Partial<DeidConfig>): Promise<DeidOutcome> {
  const engine = createDeidentifier(config({ options, ...overrides }));
  engines.push(engine);
  return engine.deidentify(fs.readFileSync(file));
}

/** HU of every pixel of a written (explicit VR little endian, native) slice. */
function writtenHu(output: Uint8Array): Int16Array {
  const parsed = parseDicomFile(output);
  const pixel = parsed.dataset.find((element) => element.tag === 0x7fe00010)!;
  const values = new Int16Array(PHANTOM_SIZE * PHANTOM_SIZE);
  const view = Buffer.from(
    parsed.bytes.buffer,
    parsed.bytes.byteOffset + pixel.valueStart,
    pixel.valueLength,
  );
  for (let index = 0; index < values.length; index += 1)
    values[index] = view.readInt16LE(2 * index) + PHANTOM_INTERCEPT;
  return values;
}

function methodCodes(output: Uint8Array): string[] {
  const text = Buffer.from(output).toString('latin1');
  return [...text.matchAll(/1131\d\d/g)].map((match) => match[0]);
}

describe('face-bearing series', () => {
  it('a thin-slice head CT is a candidate, a chest CT or a 5 mm head CT is not', () => {
    const head = {
      seriesInstanceUID: '1',
      modality: 'CT',
      bodyPart: 'HEAD',
      studyDescription: '',
      seriesDescription: '',
      sliceThickness: 1.5,
    };
    expect(headerSuggestsFace(head, null)).toBe(true);
    expect(headerSuggestsFace({ ...head, bodyPart: 'CHEST' }, null)).toBe(false);
    expect(headerSuggestsFace({ ...head, sliceThickness: 5 }, null)).toBe(false);
    expect(headerSuggestsFace({ ...head, bodyPart: '', studyDescription: '头颅CT平扫' }, null)).toBe(true);
    expect(headerSuggestsFace({ ...head, modality: 'MR', bodyPart: 'BRAIN', sliceThickness: null }, 1)).toBe(
      true,
    );
  });

  it('the phantom shows a face: nose tip, nasion and chin found on the mid-sagittal profile', async () => {
    const started = performance.now();
    const findings = await findFaceSeries(phantom.files);
    const ms = performance.now() - started;
    console.log(
      `deface: surface of the ${PHANTOM_SIZE}x${PHANTOM_SIZE}x${PHANTOM_SLICES} phantom in ${ms.toFixed(0)} ms`,
    );
    expect(findings.map((finding) => finding.seriesInstanceUID)).toEqual([phantom.seriesInstanceUID]);
    const landmarks = findings[0]!.surface!.landmarks!;
    expect(landmarks.noseTip[2]).toBeCloseTo(-30, -1);
    expect(landmarks.noseTip[1]).toBeLessThan(-80);
    expect(landmarks.nasion[2]).toBeGreaterThan(-16);
    expect(landmarks.nasion[2]).toBeLessThan(-4);
    expect(landmarks.chin![2]).toBeLessThanOrEqual(-63);
    expect(landmarks.chin![2]).toBeGreaterThanOrEqual(-75);
    expect(Math.abs(findings[0]!.surface!.midlineX)).toBeLessThan(1.6);
  });

  it('a chest CT is not face-bearing', async () => {
    const chest = ensureCtSeries({ slices: 4, size: 64, seed: 'deface-chest' });
    expect(await findFaceSeries(chest.files)).toEqual([]);
  });
});

describe('defacing the phantom', () => {
  it('the automatic cut keeps every brain voxel behind it and every nose, lips and chin voxel in front', async () => {
    const cut = (await findFaceSeries(phantom.files))[0]!.surface!.cut!;
    const { normal, offset } = cutHalfSpace(cut);
    const counts = { brainInFront: 0, faceBehind: 0, face: 0 };
    for (let k = 0; k < PHANTOM_SLICES; k += 1)
      for (let row = 0; row < PHANTOM_SIZE; row += 1)
        for (let column = 0; column < PHANTOM_SIZE; column += 1) {
          const point = phantomPoint(column, row, k);
          const part = phantomPart(...point);
          const inFront = point[0] * normal[0] + point[1] * normal[1] + point[2] * normal[2] > offset;
          if (part === 'brain' && inFront) counts.brainInFront += 1;
          if (part === 'nose' || part === 'lips' || part === 'chin') {
            counts.face += 1;
            if (!inFront) counts.faceBehind += 1;
          }
        }
    expect(counts.face).toBeGreaterThan(1000);
    expect(counts).toMatchObject({ brainInFront: 0, faceBehind: 0 });
  });

  it('with the accepted cut every slice is written with nose, lips and chin as air, the brain bit-identical, and 113102', async () => {
    const cut = (await findFaceSeries(phantom.files))[0]!.surface!.cut! satisfies DefaceCut;
    const deface = await planDeface(phantom.files, { [phantom.seriesInstanceUID]: cut });
    expect(deface.faceSeries).toEqual([phantom.seriesInstanceUID]);
    let faceVoxels = 0;
    let brainVoxels = 0;
    for (let k = 0; k < PHANTOM_SLICES; k += 1) {
      const outcome = await run(phantom.files[k]!, { deface });
      expect(outcome.status).toBe('done');
      if (outcome.status !== 'done') continue;
      expect(methodCodes(outcome.output)).toContain('113102');
      expect(outcome.report.methodCodes).toContain('113102');
      const hu = writtenHu(outcome.output);
      const original = writtenHuOfOriginal(phantom.files[k]!);
      for (let row = 0; row < PHANTOM_SIZE; row += 1)
        for (let column = 0; column < PHANTOM_SIZE; column += 1) {
          const index = row * PHANTOM_SIZE + column;
          const part = phantomPart(...phantomPoint(column, row, k));
          if (part === 'nose' || part === 'lips' || part === 'chin') {
            faceVoxels += 1;
            expect(hu[index]).toBe(-1000);
          }
          if (part === 'brain') {
            brainVoxels += 1;
            if (hu[index] !== original[index]) expect.fail(`brain voxel ${column},${row},${k} changed`);
          }
        }
    }
    expect(faceVoxels).toBeGreaterThan(1000);
    expect(brainVoxels).toBeGreaterThan(100_000);
  });

  it('the stored original is untouched', async () => {
    const before = fs.readFileSync(phantom.files[60]!);
    const cut = (await findFaceSeries(phantom.files))[0]!.surface!.cut!;
    await run(phantom.files[60]!, {
      deface: { faceSeries: [phantom.seriesInstanceUID], cuts: { [phantom.seriesInstanceUID]: cut } },
    });
    expect(fs.readFileSync(phantom.files[60]!).equals(before)).toBe(true);
  });

  it('without an accepted cut a face-bearing slice is held with the reason code "face"', async () => {
    const outcome = await run(phantom.files[60]!, {
      deface: { faceSeries: [phantom.seriesInstanceUID], cuts: {} },
    });
    expect(outcome.status).toBe('held');
    if (outcome.status !== 'held') return;
    expect(outcome.report.pixels.reasonCodes).toContain('face');
    expect(outcome.reason.map(pixelReasonCode)).toContain('face');
  });

  it('without a plan (option off) the slice is written unchanged in its pixels and without 113102', async () => {
    const outcome = await run(phantom.files[60]!, { options: [] });
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    expect(methodCodes(outcome.output)).not.toContain('113102');
    expect(writtenHu(outcome.output)).toEqual(writtenHuOfOriginal(phantom.files[60]!));
  });
});

function writtenHuOfOriginal(file: string): Int16Array {
  return writtenHu(fs.readFileSync(file));
}
