/**
 * Every reason the pixel cleaner gives has a stable code, so the app can translate it; the
 * English text stays as it is. Reasons come from the real cleaner and risk assessment here, so a
 * reworded reason without a code fails this test instead of silently showing as `other`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPixelCleaner } from '../../../../main/deid/pixels/index.js';
import { pixelReasonCode } from '../../../../main/deid/pixels/reason-codes.js';
import { assessBurnedInRisk } from '../../../../main/deid/pixels/risk.js';
import { syntheticUltrasound } from '../../../fixtures/deid-markers/pixel-context.js';

const cleaner = createPixelCleaner();
afterAll(() => cleaner.close());

describe('codes of pixel reasons', () => {
  it('codes why an ultrasound is held when Clean Pixel Data is off', async () => {
    const decision = await cleaner.clean(syntheticUltrasound(), {
      cleanPixelData: false,
      ocr: false,
      rules: [],
    });
    expect(decision.action).toBe('hold');
    expect(decision.reasons.map(pixelReasonCode)).toEqual([
      'burned-in-annotation',
      'ultrasound',
      'clean-pixel-data-off',
    ]);
  });

  it('codes why an object is held when no rule matches and OCR is off', async () => {
    const decision = await cleaner.clean(syntheticUltrasound(), {
      cleanPixelData: true,
      ocr: false,
      rules: [],
    });
    expect(decision.reasons.map(pixelReasonCode)).toContain('no-rule-ocr-off');
  });

  it('codes a layout the cleaner cannot mask', async () => {
    const decision = await cleaner.clean(syntheticUltrasound(1, { bitsAllocated: 32, bitsStored: 32 }), {
      cleanPixelData: true,
      ocr: false,
      rules: [],
    });
    expect(decision.action).toBe('hold');
    expect(decision.reasons.map(pixelReasonCode)).toContain('pixels-unsupported');
  });

  it('codes every risk the header can show, with one code per kind of detail', () => {
    const risk = assessBurnedInRisk({
      modality: 'OT',
      sopClassUID: '1.2.840.10008.5.1.4.1.1.7',
      burnedInAnnotation: 'MAYBE',
      imageType: ['DERIVED', 'SECONDARY', 'SCREEN SAVE'],
      conversionType: 'WSD',
    });
    const codes = risk.reasons.map(pixelReasonCode);
    expect(codes).not.toContain('other');
    expect(codes).toEqual(
      expect.arrayContaining([
        'burned-in-annotation-unrecognised',
        'secondary-capture',
        'conversion-type',
        'screen-capture',
        'secondary-image',
      ]),
    );
  });

  it('codes an object whose risk cannot be told', () => {
    const unknown = {
      modality: '',
      sopClassUID: '',
      burnedInAnnotation: '',
      imageType: [],
      conversionType: '',
    };
    expect(assessBurnedInRisk(unknown).reasons.map(pixelReasonCode)).toEqual(['unknown-risk']);
  });

  it('gives `other` to a text it does not know, so the English text is shown', () => {
    expect(pixelReasonCode('something new')).toBe('other');
  });
});
