/**
 * The series sample: which frames of a series OCR reads (first, middle, last, each image and
 * frame type once), what a bounded header read tells about a file, and how the cleaner decides a
 * low-risk object from the sample's verdict (or samples an object given alone). OCR is a fake
 * here, counting what it is asked to read; real burned-in text is specified in
 * test/integration/deid/midi-b/pixels-series.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPixelCleaner } from '../../../../main/deid/pixels/index.js';
import type { OcrEngine, OcrWord } from '../../../../main/deid/pixels/ocr.js';
import { pixelReasonCode } from '../../../../main/deid/pixels/reason-codes.js';
import {
  readSeriesMember,
  sampleFrameIndexes,
  SERIES_NO_TEXT,
  SERIES_NOT_READ,
  SERIES_TEXT,
  seriesSampleFrames,
  seriesVerdictOf,
  type SeriesMember,
} from '../../../../main/deid/pixels/series.js';
import type { PixelContext, PixelOptions } from '../../../../main/deid/pixels/types.js';
import type { DeidConfig } from '../../../../main/deid/config.js';
import { groupBySeries, sampleSeries, seriesSampleApplies } from '../../../../main/deid/series-sample.js';
import { ensureCtSeries, makeTempDir, pydicomTestFilesDir } from '../../../fixtures/index.js';

/** An OCR that answers from a script of readings and counts what it was asked. */
function scriptedOcr(readings: (call: number) => OcrWord[]): OcrEngine & { calls: number } {
  const engine = {
    calls: 0,
    async recognize() {
      engine.calls += 1;
      return readings(engine.calls);
    },
    async close() {},
  };
  return engine;
}

const NAME_WORD: OcrWord = { text: 'QUOKKA', confidence: 80, x: 2, y: 2, width: 12, height: 4 };

/** A low-risk CT (ORIGINAL\PRIMARY, no BurnedInAnnotation), 16×16 MONOCHROME2, `frames` frames. */
function lowRiskCt(frames = 1, overrides: Partial<PixelContext> = {}): PixelContext {
  const bytes = new Uint8Array(16 * 16 * 2 * frames);
  for (let index = 0; index < bytes.length; index += 2) bytes[index] = index % 7;
  return {
    modality: 'CT',
    sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
    manufacturer: 'ACME',
    manufacturerModelName: 'Scan 1',
    burnedInAnnotation: '',
    imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    conversionType: '',
    rows: 16,
    columns: 16,
    bitsAllocated: 16,
    bitsStored: 12,
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    pixelRepresentation: 0,
    planarConfiguration: 0,
    numberOfFrames: frames,
    transferSyntaxUID: '1.2.840.10008.1.2.1',
    identifyingValues: ['QUOKKA^MARGARET', 'QK77821'],
    pixelData: { kind: 'native', bytes },
    ...overrides,
  };
}

const cleanOn: PixelOptions = { cleanPixelData: true, ocr: true, rules: [] };

function member(overrides: Partial<SeriesMember> & Pick<SeriesMember, 'file'>): SeriesMember {
  return {
    seriesInstanceUID: '1.2.3',
    instanceNumber: null,
    numberOfFrames: 1,
    imageType: 'ORIGINAL\\PRIMARY\\AXIAL',
    frameTypes: null,
    decidedBySample: true,
    ...overrides,
  };
}

describe('which frames the series sample reads', () => {
  it('reads the first, middle and last frame, each once', () => {
    expect(sampleFrameIndexes(1)).toEqual([0]);
    expect(sampleFrameIndexes(2)).toEqual([0, 1]);
    expect(sampleFrameIndexes(3)).toEqual([0, 1, 2]);
    expect(sampleFrameIndexes(9)).toEqual([0, 4, 8]);
    expect(sampleFrameIndexes(0)).toEqual([]);
  });

  it('orders a series by InstanceNumber, not by file name, and reads its first, middle and last image', () => {
    const members = [5, 1, 3, 2, 4].map((instance) =>
      member({ file: `f${6 - instance}.dcm`, instanceNumber: instance }),
    );
    const chosen = seriesSampleFrames(members);
    expect([...chosen.keys()]).toEqual(['f5.dcm', 'f3.dcm', 'f1.dcm']);
    expect([...chosen.values()]).toEqual([[0], [0], [0]]);
  });

  it('reads each image type once: a localizer among axial slices is read wherever it lies', () => {
    const members = Array.from({ length: 9 }, (_, index) =>
      member({
        file: `s${index + 1}.dcm`,
        instanceNumber: index + 1,
        ...(index === 2 ? { imageType: 'ORIGINAL\\PRIMARY\\LOCALIZER' } : {}),
      }),
    );
    expect([...seriesSampleFrames(members).keys()]).toEqual(['s1.dcm', 's3.dcm', 's5.dcm', 's9.dcm']);
  });

  it('reads the frames of a multi-frame object, and each frame type once', () => {
    const frameTypes = [
      'ORIGINAL\\PRIMARY',
      'ORIGINAL\\PRIMARY',
      'DERIVED\\SECONDARY',
      'ORIGINAL\\PRIMARY',
      'ORIGINAL\\PRIMARY',
    ];
    const chosen = seriesSampleFrames([member({ file: 'enhanced.dcm', numberOfFrames: 5, frameTypes })]);
    expect(chosen.get('enhanced.dcm')).toEqual([0, 2, 4]);
    const longer = seriesSampleFrames([
      member({
        file: 'enhanced.dcm',
        numberOfFrames: 11,
        frameTypes: Array.from({ length: 11 }, (_, frame) => (frame === 7 ? 'X' : 'Y')),
      }),
    ]);
    expect(longer.get('enhanced.dcm')).toEqual([0, 5, 7, 10]);
  });

  it('leaves out objects the header already puts at risk: they go through the full cleaner anyway', () => {
    const members = [
      member({ file: 'a.dcm', instanceNumber: 1, decidedBySample: false }),
      member({ file: 'b.dcm', instanceNumber: 2 }),
    ];
    expect([...seriesSampleFrames(members).keys()]).toEqual(['b.dcm']);
    expect(seriesSampleFrames([member({ file: 'a.dcm', decidedBySample: false })]).size).toBe(0);
  });
});

describe('the series facts of a file, from its header', () => {
  it('reads series, instance number, image type and risk of a CT without reading its pixels', () => {
    const series = ensureCtSeries({ slices: 2, size: 64, seed: 'series-sample-unit' });
    const read = readSeriesMember(series.files[1]!, []);
    expect(read).toEqual({
      file: series.files[1],
      seriesInstanceUID: series.seriesInstanceUID,
      instanceNumber: 2,
      numberOfFrames: 1,
      imageType: 'ORIGINAL\\PRIMARY\\AXIAL',
      frameTypes: null,
      decidedBySample: true,
    });
  });

  it('marks an object at risk by its header, or matched by a region rule, as not decided by the sample', () => {
    expect(readSeriesMember(path.join(pydicomTestFilesDir, 'ExplVR_BigEnd.dcm'), [])?.decidedBySample).toBe(
      false,
    );
    const series = ensureCtSeries({ slices: 1, size: 64, seed: 'series-sample-unit-rule' });
    const rule = {
      name: 'CT corner',
      match: { modality: 'CT' },
      regions: [{ x: 0, y: 0, width: 5, height: 5 }],
    };
    expect(readSeriesMember(series.files[0]!, [rule])?.decidedBySample).toBe(false);
  });

  it('has nothing to say about a file without image pixels or that is not DICOM', () => {
    expect(readSeriesMember(path.join(pydicomTestFilesDir, 'rtplan.dcm'), [])).toBeNull();
    const dir = makeTempDir('series-sample');
    try {
      fs.writeFileSync(path.join(dir, 'README'), 'not an image');
      expect(readSeriesMember(path.join(dir, 'README'), [])).toBeNull();
      expect(readSeriesMember(path.join(dir, 'missing.dcm'), [])).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a low-risk object decided by its series sample', () => {
  const cleaners: Array<{ close(): Promise<void> }> = [];
  const cleanerWith = (ocr: OcrEngine) => {
    const cleaner = createPixelCleaner({ ocr });
    cleaners.push(cleaner);
    return cleaner;
  };
  afterAll(async () => {
    for (const cleaner of cleaners) await cleaner.close();
  });

  it('is kept unread when the sample of its series showed no text', async () => {
    const ocr = scriptedOcr(() => [NAME_WORD]);
    const decision = await cleanerWith(ocr).clean(lowRiskCt(), {
      ...cleanOn,
      series: { textFound: false, framesRead: 3 },
    });
    expect(decision).toEqual({
      action: 'keep',
      reasons: ['no burned-in text risk in the header', SERIES_NO_TEXT],
      regions: [],
    });
    expect(ocr.calls).toBe(0);
  });

  it('is sampled on its own when given alone (a series of one): first, middle and last frame', async () => {
    const ocr = scriptedOcr(() => []);
    const decision = await cleanerWith(ocr).clean(lowRiskCt(5), cleanOn);
    expect(decision.action).toBe('keep');
    expect(decision.reasons).toEqual(['no burned-in text risk in the header', SERIES_NO_TEXT]);
    expect(ocr.calls).toBe(3);
  });

  it('goes through the full cleaner when its own sample shows text: masked and re-checked', async () => {
    // The sample's reading and the first full reading (two scales) see the name; the re-check sees nothing.
    const ocr = scriptedOcr((call) => (call <= 3 ? [NAME_WORD] : []));
    const decision = await cleanerWith(ocr).clean(lowRiskCt(), cleanOn);
    expect(decision.action).toBe('masked');
    expect(decision.reasons).toEqual([SERIES_TEXT, 'OCR found text', 'OCR re-check found no readable text']);
    expect(decision.regions.length).toBeGreaterThan(0);
  });

  it('is at risk when the sample of its series showed text, and kept only when the full reading sees no text at all', async () => {
    const decision = await cleanerWith(scriptedOcr(() => [])).clean(lowRiskCt(), {
      ...cleanOn,
      series: { textFound: true, framesRead: 2 },
    });
    expect(decision).toEqual({ action: 'keep', reasons: [SERIES_TEXT, 'OCR found no text'], regions: [] });
    const unsure = await cleanerWith(scriptedOcr(() => [{ ...NAME_WORD, text: 'xq', confidence: 10 }])).clean(
      lowRiskCt(),
      { ...cleanOn, series: { textFound: true, framesRead: 2 } },
    );
    expect(unsure.action).toBe('hold');
  });

  it('is held when its series showed text and OCR masking is off (nothing can mask it)', async () => {
    const ocr = scriptedOcr(() => [NAME_WORD]);
    const decision = await cleanerWith(ocr).clean(lowRiskCt(), {
      ...cleanOn,
      ocr: false,
      series: { textFound: true, framesRead: 1 },
    });
    expect(decision.action).toBe('hold');
    expect(decision.reasons).toEqual([SERIES_TEXT, 'no region rule matched and OCR is off']);
  });

  it('is still sampled when OCR masking is off, and held when the sample shows text', async () => {
    const ocr = scriptedOcr(() => [NAME_WORD]);
    const decision = await cleanerWith(ocr).clean(lowRiskCt(), { ...cleanOn, ocr: false });
    expect(ocr.calls).toBe(1);
    expect(decision.action).toBe('hold');
  });

  it('is kept as the header says, unread, when Clean Pixel Data is off', async () => {
    const ocr = scriptedOcr(() => [NAME_WORD]);
    const decision = await cleanerWith(ocr).clean(lowRiskCt(), { ...cleanOn, cleanPixelData: false });
    expect(decision).toEqual({
      action: 'keep',
      reasons: ['no burned-in text risk in the header'],
      regions: [],
    });
    expect(ocr.calls).toBe(0);
  });

  it('counts an OCR failure in the sample as text found', async () => {
    const failing: OcrEngine = {
      recognize: async () => {
        throw new Error('worker died');
      },
      close: async () => {},
    };
    const cleaner = cleanerWith(failing);
    expect(await cleaner.sampleText(lowRiskCt(), [0])).toEqual({ textFound: true, framesRead: 0 });
  });

  it('says so when the sample cannot read the pixels (a layout OCR cannot render)', async () => {
    const ocr = scriptedOcr(() => []);
    const decision = await cleanerWith(ocr).clean(lowRiskCt(1, { bitsAllocated: 1, bitsStored: 1 }), cleanOn);
    expect(decision).toEqual({
      action: 'keep',
      reasons: ['no burned-in text risk in the header', SERIES_NOT_READ],
      regions: [],
    });
    expect(ocr.calls).toBe(0);
  });

  it('gives every reason of the sample a code the app translates', () => {
    expect([SERIES_TEXT, SERIES_NO_TEXT, SERIES_NOT_READ].map(pixelReasonCode)).toEqual([
      'series-sample-text',
      'series-sample-no-text',
      'series-sample-unread',
    ]);
  });
});

describe('the series sample of a run', () => {
  const config = (overrides: Partial<DeidConfig> = {}): DeidConfig => ({
    profile: 'basic',
    options: ['cleanPixelData'],
    projectSecret: new Uint8Array(32).fill(3),
    projectId: 'SAMPLE',
    clinicalTrial: { sponsorName: 'RadLabel', protocolId: 'SAMPLE' },
    ...overrides,
  });

  it('applies whenever Clean Pixel Data is on (the research profile implies it), OCR masking on or off', () => {
    expect(seriesSampleApplies(config())).toBe(true);
    expect(seriesSampleApplies(config({ ocr: false }))).toBe(true);
    expect(seriesSampleApplies(config({ profile: 'research', options: [] }))).toBe(true);
    expect(seriesSampleApplies(config({ options: [] }))).toBe(false);
  });

  it('groups the inputs by Series Instance UID, leaving out files without image pixels', async () => {
    const first = ensureCtSeries({ slices: 3, size: 64, seed: 'series-sample-group-a' });
    const second = ensureCtSeries({ slices: 2, size: 64, seed: 'series-sample-group-b' });
    const groups = await groupBySeries(
      [...first.files, path.join(pydicomTestFilesDir, 'rtplan.dcm'), ...second.files],
      config(),
    );
    expect(new Map([...groups].map(([uid, members]) => [uid, members.map((entry) => entry.file)]))).toEqual(
      new Map([
        [first.seriesInstanceUID, first.files],
        [second.seriesInstanceUID, second.files],
      ]),
    );
  });

  it('reads nothing when Clean Pixel Data is off, and gives no verdict to a series a cancel cut short', async () => {
    const series = ensureCtSeries({ slices: 3, size: 64, seed: 'series-sample-cancel' });
    expect(await sampleSeries(series.files, config({ options: [] }))).toEqual({
      samples: { withText: [], withoutText: [], unread: [] },
      series: 0,
      seriesWithText: 0,
      framesRead: 0,
    });
    const cancelled = new AbortController();
    cancelled.abort();
    expect((await sampleSeries(series.files, config(), { signal: cancelled.signal })).samples).toEqual({
      withText: [],
      withoutText: [],
      unread: [],
    });
  });
});

describe('the verdict the engine finds for an object', () => {
  const samples = { withText: ['1.2.1'], withoutText: ['1.2.2'], unread: ['1.2.3'] };

  it('finds its series in the run’s lists, and nothing for a series the run did not sample', () => {
    expect(seriesVerdictOf(samples, '1.2.1')).toEqual({ textFound: true, framesRead: 1 });
    expect(seriesVerdictOf(samples, '1.2.2')).toEqual({ textFound: false, framesRead: 1 });
    expect(seriesVerdictOf(samples, '1.2.3')).toEqual({ textFound: false, framesRead: 0 });
    expect(seriesVerdictOf(samples, '1.2.4')).toBeUndefined();
    expect(seriesVerdictOf(samples, '')).toBeUndefined();
    expect(seriesVerdictOf(undefined, '1.2.1')).toBeUndefined();
  });
});
