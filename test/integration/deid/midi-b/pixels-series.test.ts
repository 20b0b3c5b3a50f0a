/**
 * MIDI-B "pixels hidden", for images the header calls low risk: a CT series whose header says
 * ORIGINAL\PRIMARY with BurnedInAnnotation absent or NO, while the scanner drew the patient's
 * name, ID and birth date into the pixels of one image (the middle one, or a localizer between
 * axial slices). Whenever Clean Pixel Data is on, OCR reads a sample of every series (first,
 * middle, last image, each image type once) and a series with text is treated as at risk as a
 * whole: no output may show the text, read back by OCR as the other pixel proofs do. A clean
 * series passes with its pixel data byte for byte. Both the folder run (`radlabel deid`, worker
 * pool) and the app's export of a stored study (in-thread) are checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dicomParser from 'dicom-parser';
import { createTesseractOcr } from '../../../../main/deid/pixels/ocr.js';
import { deidentifyTree, type DeidRunSummary } from '../../../../main/deid/service.js';
import type { Services } from '../../../../main/services.js';
import { pixelContextFromBytes } from '../../../fixtures/deid-markers/pixel-context.js';
import { makeTempDir } from '../../../fixtures/index.js';
import { exportStudy, filesUnder, fixedKey, importInto, openServices } from '../../deid-app/harness.js';
import {
  decodedImage,
  markersReadBack,
  writeCtSeriesWithBurnedText,
  type BurnedCtSeries,
} from '../pixel-proof.js';

/** Stored value of the burned-in text (the fixture draws it at the CT's maximum). */
const INK = 3071;
const STUDY_UID = '1.2.826.0.1.3680043.10.1173.77.1';

let root: string;
let fixture: BurnedCtSeries;
let folderRun: DeidRunSummary;

beforeAll(async () => {
  root = makeTempDir('pixels-series');
  fixture = writeCtSeriesWithBurnedText(path.join(root, 'in'), [
    // The middle of seven axial slices carries the text; BurnedInAnnotation absent.
    { name: 'burned', slices: 7, firstInstance: 1, textOn: [3] },
    // No text anywhere; BurnedInAnnotation NO.
    { name: 'clean', slices: 7, firstInstance: 101, textOn: [], burnedInAnnotation: 'NO' },
    // The text is on the localizer, the second image: neither first, middle nor last.
    {
      name: 'localizer',
      slices: 7,
      firstInstance: 201,
      textOn: [1],
      localizerAt: 1,
      burnedInAnnotation: 'NO',
    },
  ]);
  folderRun = await deidentifyTree({
    inputs: [path.join(root, 'in')],
    outputDir: path.join(root, 'out'),
    workers: 1,
    config: {
      profile: 'research',
      options: [],
      projectSecret: new Uint8Array(32).fill(7),
      projectId: 'MIDIB',
      clinicalTrial: { sponsorName: 'RadLabel Proof', protocolId: 'MIDI-B' },
      ocr: true,
    },
  });
}, 600_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Written objects by InstanceNumber (kept by the profile; it tells the fixture's images apart). */
function outputsByInstance(dir: string): Map<number, Uint8Array> {
  const outputs = new Map<number, Uint8Array>();
  for (const file of filesUnder(dir).filter((name) => name.endsWith('.dcm'))) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    outputs.set(Number(dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' }).string('x00200013')), bytes);
  }
  return outputs;
}

function inputOf(series: string, slice: number): Uint8Array {
  return new Uint8Array(fs.readFileSync(fixture.files[series]![slice]!));
}

function nativePixels(bytes: Uint8Array): Buffer {
  const context = pixelContextFromBytes(bytes);
  if (context.pixelData.kind !== 'native') throw new Error('expected native pixel data');
  return Buffer.from(context.pixelData.bytes);
}

/** Samples at the ink value: the drawn text's pixels. */
function inkPixels(bytes: Uint8Array): number {
  const pixels = nativePixels(bytes);
  let count = 0;
  for (let offset = 0; offset + 1 < pixels.length; offset += 2)
    if (pixels.readInt16LE(offset) === INK) count += 1;
  return count;
}

/** What must hold for every image of a series with text: held, or written without ink or anything OCR reads as the patient's identity. */
async function textProblems(
  outputs: Map<number, Uint8Array>,
  series: string,
  firstInstance: number,
  slices: number,
): Promise<string[]> {
  const problems: string[] = [];
  const ocr = createTesseractOcr();
  try {
    for (let slice = 0; slice < slices; slice += 1) {
      const output = outputs.get(firstInstance + slice);
      if (!output) continue; // held for review: never written
      const input = inputOf(series, slice);
      if (inkPixels(input) > 0 && inkPixels(output) > 0)
        problems.push(`${series} slice ${slice}: ${inkPixels(output)} ink pixels remain`);
      const read = await markersReadBack(
        await decodedImage(output),
        fixture.markers,
        ocr,
        await decodedImage(input),
      );
      for (const word of read) problems.push(`${series} slice ${slice}: OCR still reads "${word}"`);
    }
  } finally {
    await ocr.close();
  }
  return problems;
}

describe('burned-in text in a series the header calls low risk (folder run)', () => {
  it('accounts for every image: written or held, none failed', () => {
    expect(folderRun.failed).toBe(0);
    expect(folderRun.done + folderRun.held).toBe(21);
  });

  it('the fixture has teeth: OCR reads the name, ID and birth date in the original middle image', async () => {
    const ocr = createTesseractOcr();
    try {
      const read = await markersReadBack(await decodedImage(inputOf('burned', 3)), fixture.markers, ocr);
      expect(read.length).toBeGreaterThanOrEqual(2);
    } finally {
      await ocr.close();
    }
  }, 60_000);

  it('treats the series as high risk when the middle image carries the name, ID and birth date: no output shows them', async () => {
    const outputs = outputsByInstance(path.join(root, 'out'));
    expect(await textProblems(outputs, 'burned', 1, 7)).toEqual([]);
    // The image with text went through the full cleaner: masked (and marked so) or held.
    const masked = outputs.get(4);
    if (masked) {
      expect(nativePixels(masked).equals(nativePixels(inputOf('burned', 3)))).toBe(false);
      const dataSet = dicomParser.parseDicom(masked, { untilTag: 'x7fe00010' });
      expect(dataSet.string('x00280301')).toBe('NO');
    }
  }, 120_000);

  it('reads each image type once: text on a localizer between axial slices makes its series high risk', async () => {
    const outputs = outputsByInstance(path.join(root, 'out'));
    expect(await textProblems(outputs, 'localizer', 201, 7)).toEqual([]);
    const localizer = outputs.get(202);
    if (localizer) expect(nativePixels(localizer).equals(nativePixels(inputOf('localizer', 1)))).toBe(false);
  }, 120_000);

  it('passes a clean series (BurnedInAnnotation NO) with its pixel data byte for byte', () => {
    const outputs = outputsByInstance(path.join(root, 'out'));
    for (let slice = 0; slice < 7; slice += 1) {
      const output = outputs.get(101 + slice);
      expect(output, `clean slice ${slice}`).toBeDefined();
      expect(
        nativePixels(output!).equals(nativePixels(inputOf('clean', slice))),
        `clean slice ${slice}`,
      ).toBe(true);
    }
  });
});

describe('burned-in text in a series the header calls low risk (the app exports a stored study)', () => {
  let dataDir: string;
  let services: Services;
  let outputs: Map<number, Uint8Array>;

  beforeAll(async () => {
    dataDir = path.join(root, 'app-data');
    fs.mkdirSync(dataDir);
    // The app's own defaults: research profile (Clean Pixel Data), OCR masking off.
    services = openServices(dataDir, fixedKey('pixels-series'), 0);
    await importInto(services, [path.join(root, 'in')]);
    const finished = await exportStudy(services, STUDY_UID, path.join(root, 'app-out'));
    expect(finished).toMatchObject({ filesFound: 21, failed: 0, error: null });
    outputs = outputsByInstance(path.join(root, 'app-out'));
  }, 600_000);

  afterAll(async () => {
    await services.close();
  });

  it('writes no image that shows the name, ID or birth date', async () => {
    expect(await textProblems(outputs, 'burned', 1, 7)).toEqual([]);
    expect(await textProblems(outputs, 'localizer', 201, 7)).toEqual([]);
  }, 120_000);

  it('holds the series whose sample showed text (OCR masking off), and says why in the study report', async () => {
    for (let instance = 1; instance <= 7; instance += 1)
      expect(outputs.has(instance), `burned instance ${instance}`).toBe(false);
    const report = await services.handlers['deid.studyReport']({ studyInstanceUID: STUDY_UID });
    expect(report.objects.held).toBe(14);
    expect(report.held.every((held) => held.reasonCodes.includes('series-sample-text'))).toBe(true);
  });

  it('writes the clean series with its pixel data byte for byte', () => {
    for (let slice = 0; slice < 7; slice += 1) {
      const output = outputs.get(101 + slice);
      expect(output, `clean slice ${slice}`).toBeDefined();
      expect(
        nativePixels(output!).equals(nativePixels(inputOf('clean', slice))),
        `clean slice ${slice}`,
      ).toBe(true);
    }
  });
});
