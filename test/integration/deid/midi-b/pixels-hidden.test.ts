/**
 * MIDI-B category "pixels hidden": text burned into the pixels of objects at risk is masked so
 * that neither its ink nor anything OCR can read remains, or the object is held for review and
 * never output. Fixtures: every pixel layout the cleaner handles (8/16-bit, signed, MONOCHROME1,
 * RGB interleaved and planar, multi-frame, a 40-frame cine, RLE, baseline JPEG), the header's own name and birth
 * date in low contrast, dark print on a photographed label, and a Chinese name the English OCR
 * model cannot read.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTesseractOcr } from '../../../../main/deid/pixels/ocr.js';
import {
  generateMarkerFixtures,
  type MarkerManifest,
  type PlantedMarker,
} from '../../../fixtures/deid-markers/index.js';
import { decodedImage, inkInBox, markersReadBack } from '../pixel-proof.js';
import { deidentifyCorpus, type CorpusRun } from './engine-run.js';

/** Objects OCR alone must mask (not hold): their text is Latin and readable. */
const MASKED_BY_OCR_ALONE = [
  'hidden-mono8-sc.dcm',
  'hidden-ct16-signed.dcm',
  'hidden-cr-mono1.dcm',
  'hidden-us-rgb-planar.dcm',
  'hidden-us-multiframe-mono.dcm',
  'hidden-sc-rgb-rle.dcm',
  'hidden-us-jpeg-cine.dcm',
  'hidden-lowcontrast-identity.dcm',
  'hidden-photo-dark-label.dcm',
  'hidden-us-cine-static-overlay.dcm',
];

let dir: string;
let manifest: MarkerManifest;
let ocrOnly: CorpusRun;
let withRule: CorpusRun;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-pixels-hidden-'));
  manifest = generateMarkerFixtures(dir, 'pixels-hidden');
  ocrOnly = await deidentifyCorpus(dir, manifest.files);
  withRule = await deidentifyCorpus(
    dir,
    ['hidden-us-hanzi-name.dcm'],
    [
      {
        name: 'project rule: 640×480 ultrasound top bar',
        match: { modality: 'US', rows: 480, columns: 640 },
        regions: [{ x: 0, y: 0, width: 640, height: 64 }],
      },
    ],
  );
}, 600_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pixelMarkers(file: string): PlantedMarker[] {
  return manifest.markers.filter((marker) => marker.file === file && marker.kind === 'pixels');
}

async function hiddenProblems(run: CorpusRun, file: string): Promise<string[]> {
  const outcome = run.outcomes.get(file)!;
  if (outcome.status === 'held') return [];
  if (outcome.status === 'failed') return [`${file}: failed (${outcome.error.code})`];
  const before = await decodedImage(run.inputs.get(file)!);
  const after = await decodedImage(outcome.output);
  const problems: string[] = [];
  for (const marker of pixelMarkers(file)) {
    const ink = inkInBox(before, after, marker);
    if (ink.before === 0) problems.push(`${file} ${marker.where}: the fixture drew no ink`);
    if (ink.after > Math.floor(ink.before * 0.02))
      problems.push(`${file} ${marker.where}: ${ink.after} of ${ink.before} ink pixels remain`);
  }
  const ocr = createTesseractOcr();
  try {
    const latin = pixelMarkers(file)
      .filter((marker) => marker.script !== 'hanzi')
      .map((marker) => marker.marker);
    for (const word of await markersReadBack(after, latin, ocr, before))
      problems.push(`${file}: OCR still reads "${word}"`);
  } finally {
    await ocr.close();
  }
  return problems;
}

describe('MIDI-B pixels hidden', () => {
  it('hides every burned-in marker: masked with no ink and nothing readable left, or held (score 100%)', async () => {
    const problems: string[] = [];
    for (const file of manifest.files) problems.push(...(await hiddenProblems(ocrOnly, file)));
    expect(problems).toEqual([]);
  }, 300_000);

  it('the read-back has teeth: it reads the markers in the original pixels', async () => {
    const ocr = createTesseractOcr();
    try {
      for (const file of ['hidden-mono8-sc.dcm', 'hidden-us-rgb-planar.dcm', 'hidden-us-jpeg-cine.dcm']) {
        const latin = pixelMarkers(file).map((marker) => marker.marker);
        expect(
          (await markersReadBack(await decodedImage(ocrOnly.inputs.get(file)!), latin, ocr)).length,
          file,
        ).toBeGreaterThan(0);
      }
    } finally {
      await ocr.close();
    }
  }, 120_000);

  it.each(MASKED_BY_OCR_ALONE)('OCR alone finds and masks the text of %s instead of holding it', (file) => {
    const outcome = ocrOnly.outcomes.get(file)!;
    expect(outcome.status === 'held' ? outcome.reason : outcome.status).toBe('done');
  });

  it('holds a Chinese name burned in when no region rule covers it (the OCR model is English)', () => {
    const outcome = ocrOnly.outcomes.get('hidden-us-hanzi-name.dcm')!;
    expect(outcome.status).toBe('held');
    expect(outcome.status === 'held' && outcome.reason.join(' ')).toContain('Chinese');
  });

  it('masks the Chinese name with a project region rule, and the OCR re-check passes', async () => {
    const outcome = withRule.outcomes.get('hidden-us-hanzi-name.dcm')!;
    expect(outcome.status).toBe('done');
    expect(await hiddenProblems(withRule, 'hidden-us-hanzi-name.dcm')).toEqual([]);
  }, 120_000);
});
