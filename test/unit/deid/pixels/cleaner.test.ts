/**
 * The pixel cleaner's decisions without OCR (fast, deterministic): what is kept, what is held,
 * and what configured region rules mask. OCR paths are specified in
 * test/integration/deid/midi-b/pixels-*.test.ts with real burned-in text.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEncapsulatedFrames } from '../../../../main/deid/pixels/decode/index.js';
import { createPixelCleaner } from '../../../../main/deid/pixels/index.js';
import { FrameSamples, layoutOf } from '../../../../main/deid/pixels/layout.js';
import type { PixelOptions, PixelRule } from '../../../../main/deid/pixels/types.js';
import {
  PYDICOM_TEST_FILES,
  pixelContextFromFile,
  syntheticUltrasound,
} from '../../../fixtures/deid-markers/pixel-context.js';

const file = (name: string): string => path.join(PYDICOM_TEST_FILES, name);
const cleaner = createPixelCleaner();
afterAll(() => cleaner.close());

const topLeftRule = (match: PixelRule['match']): PixelRule => ({
  name: 'test: top-left 10×5',
  match,
  regions: [{ x: 0, y: 0, width: 10, height: 5 }],
});
const rulesOnly = (rules: PixelRule[]): PixelOptions => ({ cleanPixelData: true, ocr: false, rules });

describe('pixel cleaner decisions', () => {
  it('keeps an original CT, whose series sample showed no text, without touching its pixels', async () => {
    const decision = await cleaner.clean(pixelContextFromFile(file('CT_small.dcm')), {
      cleanPixelData: true,
      ocr: true,
      rules: [],
      series: { textFound: false, framesRead: 3 },
    });
    expect(decision).toEqual({
      action: 'keep',
      reasons: ['no burned-in text risk in the header', 'OCR found no text in a sample of this series'],
      regions: [],
    });
  });

  it('holds an object at risk when Clean Pixel Data is off', async () => {
    const decision = await cleaner.clean(syntheticUltrasound(1), {
      cleanPixelData: false,
      ocr: true,
      rules: [topLeftRule({ modality: 'US' })],
    });
    expect(decision.action).toBe('hold');
    expect(decision.reasons).toContain('Clean Pixel Data option is off');
  });

  it('holds an object at risk when no rule matches and OCR is off', async () => {
    const decision = await cleaner.clean(
      syntheticUltrasound(1),
      rulesOnly([topLeftRule({ modality: 'CT' })]),
    );
    expect(decision.action).toBe('hold');
    expect(decision.reasons).toContain('no region rule matched and OCR is off');
  });

  it('masks the rule region of every frame of a multi-frame object, and nothing else', async () => {
    const context = syntheticUltrasound(3);
    const decision = await cleaner.clean(
      context,
      rulesOnly([topLeftRule({ modality: 'us', manufacturer: 'acme', rows: 20, columns: 30 })]),
    );
    expect(decision.action).toBe('masked');
    expect(decision.transferSyntaxUID).toBeUndefined();
    expect(decision.regions.map((region) => region.frame)).toEqual([0, 1, 2]);
    const output = decision.pixelData!;
    const frameLength = 20 * 30 * 3;
    for (let frame = 0; frame < 3; frame += 1) {
      const at = (x: number, y: number): number => frame * frameLength + (y * 30 + x) * 3;
      expect(output[at(9, 4)]).toBe(0);
      expect(output[at(10, 4)]).toBe(90);
      expect(output[at(9, 5)]).toBe(90);
    }
    // The input is not modified in place.
    expect(
      context.pixelData.kind === 'native' && context.pixelData.bytes.every((value) => value === 90),
    ).toBe(true);
  });

  it('does not apply a rule whose model or size differs', async () => {
    const decision = await cleaner.clean(
      syntheticUltrasound(1),
      rulesOnly([
        topLeftRule({ modality: 'US', manufacturerModelName: 'Other' }),
        topLeftRule({ rows: 480 }),
      ]),
    );
    expect(decision.action).toBe('hold');
  });

  it('masks decoded RLE pixels and returns them as explicit VR little endian native data', async () => {
    const context = pixelContextFromFile(file('SC_rgb_rle.dcm'));
    const decision = await cleaner.clean(
      context,
      rulesOnly([topLeftRule({ modality: 'OT', rows: 100, columns: 100 })]),
    );
    expect(decision.action).toBe('masked');
    expect(decision.transferSyntaxUID).toBe('1.2.840.10008.1.2.1');
    expect(decision.photometricInterpretation).toBeUndefined();
    const layout = layoutOf(context);
    if (!layout.ok || context.pixelData.kind !== 'encapsulated') throw new Error('unexpected fixture');
    const decoded = await decodeEncapsulatedFrames(
      context.pixelData.frames,
      context.transferSyntaxUID,
      layout.layout,
    );
    if (!decoded.ok) throw new Error(decoded.reason);
    const before = decoded.frames[0]!;
    const after = decision.pixelData!;
    expect(after.byteLength).toBe(before.byteLength);
    for (let y = 0; y < 100; y += 1) {
      for (let x = 0; x < 100; x += 1) {
        const index = (y * 100 + x) * 3;
        const masked = x < 10 && y < 5;
        expect([after[index], after[index + 1], after[index + 2]]).toEqual(
          masked ? [0, 0, 0] : [before[index], before[index + 1], before[index + 2]],
        );
      }
    }
  });

  it('reports RGB after masking a YBR_FULL baseline JPEG', async () => {
    const decision = await cleaner.clean(
      pixelContextFromFile(file('SC_rgb_jpeg_dcmtk.dcm')),
      rulesOnly([topLeftRule({ modality: 'OT' })]),
    );
    expect(decision.action).toBe('masked');
    expect(decision.photometricInterpretation).toBe('RGB');
  });

  it('masks 16-bit signed MONOCHROME2 with the frame minimum', async () => {
    const context = pixelContextFromFile(file('CT_small.dcm'), { burnedInAnnotation: 'YES' });
    const decision = await cleaner.clean(context, rulesOnly([topLeftRule({ modality: 'CT' })]));
    const layout = layoutOf(context);
    if (!layout.ok || context.pixelData.kind !== 'native') throw new Error('unexpected fixture');
    const input = new FrameSamples(context.pixelData.bytes, layout.layout);
    let minimum = Infinity;
    for (let index = 0; index < input.length; index += 1) minimum = Math.min(minimum, input.get(index));
    const output = new FrameSamples(decision.pixelData!, layout.layout);
    expect(output.get(0)).toBe(minimum);
    expect(output.get(10)).toBe(input.get(10));
  });

  it('holds a flagged object whose compression cannot be decoded (12-bit lossy JPEG)', async () => {
    const decision = await cleaner.clean(
      pixelContextFromFile(file('JPGExtended.dcm'), { burnedInAnnotation: 'YES' }),
      rulesOnly([topLeftRule({})]),
    );
    expect(decision.action).toBe('hold');
    expect(decision.reasons).toContain('compressed and cannot decode');
  });

  it('holds a flagged object with 32-bit samples', async () => {
    const decision = await cleaner.clean(
      pixelContextFromFile(file('rtdose.dcm'), { burnedInAnnotation: 'YES' }),
      rulesOnly([topLeftRule({})]),
    );
    expect(decision.action).toBe('hold');
    expect(decision.reasons).toContain('32-bit pixel samples are not supported for masking');
  });

  it('holds a flagged object whose native pixel data is shorter than its size', async () => {
    const context = syntheticUltrasound(2);
    if (context.pixelData.kind !== 'native') throw new Error('unexpected fixture');
    const decision = await cleaner.clean(
      { ...context, pixelData: { kind: 'native', bytes: context.pixelData.bytes.subarray(0, 100) } },
      rulesOnly([topLeftRule({})]),
    );
    expect(decision.reasons).toContain('pixel data is shorter than the image size');
  });

  it('holds an object whose OCR would exceed the per-object time limit', async () => {
    const hurried = createPixelCleaner({ ocrTimeLimitMs: 0 });
    const decision = await hurried.clean(syntheticUltrasound(1), {
      cleanPixelData: true,
      ocr: true,
      rules: [],
    });
    await hurried.close();
    expect(decision.action).toBe('hold');
    expect(decision.reasons).toContain('OCR time limit reached');
  });

  it('holds without OCR when the header names the patient in Hanzi and no rule matches', async () => {
    const decision = await cleaner.clean(
      syntheticUltrasound(1, { identifyingValues: ['ZHANG^SAN', '张三', '2024年1月31日'] }),
      { cleanPixelData: true, ocr: true, rules: [] },
    );
    expect(decision.reasons).toContain(
      'the header has identifying values in a script the OCR cannot read (e.g. Chinese); a region rule is needed',
    );
  });

  it('holds likewise for Korean and Cyrillic names, but not for Latin names with accents or written dates', async () => {
    const options = { cleanPixelData: true, ocr: false, rules: [] };
    const unreadable =
      'the header has identifying values in a script the OCR cannot read (e.g. Chinese); a region rule is needed';
    for (const name of ['김^민수', 'Иванов^Иван']) {
      expect(
        (await cleaner.clean(syntheticUltrasound(1, { identifyingValues: [name] }), options)).reasons,
      ).toContain(unreadable);
    }
    for (const values of [['MÜLLER^JOSÉ'], ['2024年1月31日', '2024년 1월 31일']]) {
      expect(
        (await cleaner.clean(syntheticUltrasound(1, { identifyingValues: values }), options)).reasons,
      ).not.toContain(unreadable);
    }
  });

  it('masks a low-risk object when a project region rule matches its device', async () => {
    const context = pixelContextFromFile(file('CT_small.dcm'));
    const decision = await cleaner.clean(
      context,
      rulesOnly([topLeftRule({ modality: 'CT', rows: 128, columns: 128 })]),
    );
    expect(decision.action).toBe('masked');
    expect(decision.reasons).toEqual([
      'a region rule matches this device',
      'region rule: test: top-left 10×5',
    ]);
  });
});
