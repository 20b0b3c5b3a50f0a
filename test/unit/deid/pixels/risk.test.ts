import { describe, expect, it } from 'vitest';
import { assessBurnedInRisk } from '../../../../main/deid/pixels/risk.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const header = {
  modality: 'CT',
  sopClassUID: CT,
  burnedInAnnotation: '',
  imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
  conversionType: '',
};

describe('burned-in text risk from the header', () => {
  it('an original CT without the flag is low risk', () => {
    expect(assessBurnedInRisk(header).atRisk).toBe(false);
  });

  it('BurnedInAnnotation YES is a risk', () => {
    expect(assessBurnedInRisk({ ...header, burnedInAnnotation: 'YES' })).toEqual({
      atRisk: true,
      reasons: ['BurnedInAnnotation YES'],
      clearableByOcr: false,
    });
  });

  it('an unrecognised BurnedInAnnotation value is a risk', () => {
    expect(assessBurnedInRisk({ ...header, burnedInAnnotation: 'MAYBE' }).atRisk).toBe(true);
  });

  it.each([
    ['US modality', { modality: 'US', sopClassUID: '1.2.840.10008.5.1.4.1.1.6.1' }],
    ['IVUS modality', { modality: 'IVUS', sopClassUID: '1.2.840.10008.5.1.4.1.1.6.1' }],
    [
      'US multi-frame class with another modality',
      { modality: 'OT', sopClassUID: '1.2.840.10008.5.1.4.1.1.3.1' },
    ],
  ])('ultrasound is a risk even when flagged NO (%s)', (_name, kind) => {
    const risk = assessBurnedInRisk({ ...header, ...kind, burnedInAnnotation: 'NO' });
    expect(risk.atRisk).toBe(true);
    expect(risk.reasons).toContain('ultrasound');
  });

  it.each(['1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.7.2', '1.2.840.10008.5.1.4.1.1.7.4'])(
    'secondary capture class %s is a risk',
    (sopClassUID) => {
      expect(assessBurnedInRisk({ ...header, modality: 'OT', sopClassUID }).atRisk).toBe(true);
    },
  );

  it.each(['WSD', 'SD', 'SYN', 'DV'])('conversion type %s is a risk', (conversionType) => {
    expect(assessBurnedInRisk({ ...header, conversionType }).reasons).toContain(
      `conversion type ${conversionType}`,
    );
  });

  it.each([
    ['DERIVED', 'SECONDARY'],
    ['ORIGINAL', 'PRIMARY', 'SCREEN SAVE'],
  ])('image type %j is a risk', (...imageType) => {
    expect(assessBurnedInRisk({ ...header, imageType }).atRisk).toBe(true);
  });

  it('photographs and whole-slide images are a risk', () => {
    expect(
      assessBurnedInRisk({ ...header, modality: 'SM', sopClassUID: '1.2.840.10008.5.1.4.1.1.77.1.6' }).atRisk,
    ).toBe(true);
    expect(
      assessBurnedInRisk({ ...header, modality: 'XC', sopClassUID: '1.2.840.10008.5.1.4.1.1.77.1.4' }).atRisk,
    ).toBe(true);
  });

  it('an object with neither SOP class nor modality is unknown, so at risk', () => {
    expect(assessBurnedInRisk({ ...header, modality: '', sopClassUID: '' }).atRisk).toBe(true);
  });
});

describe('which risks OCR may clear', () => {
  it('ImageType SECONDARY alone is a weak presumption that OCR seeing no text clears', () => {
    expect(assessBurnedInRisk({ ...header, imageType: ['DERIVED', 'SECONDARY', 'MPR'] })).toEqual({
      atRisk: true,
      reasons: ['image type SECONDARY (created after the examination)'],
      clearableByOcr: true,
    });
  });

  it('a flag, ultrasound or capture next to SECONDARY is not clearable by OCR', () => {
    expect(
      assessBurnedInRisk({ ...header, imageType: ['DERIVED', 'SECONDARY'], burnedInAnnotation: 'YES' })
        .clearableByOcr,
    ).toBe(false);
    expect(
      assessBurnedInRisk({ ...header, imageType: ['DERIVED', 'SECONDARY'], modality: 'US' }).clearableByOcr,
    ).toBe(false);
    expect(
      assessBurnedInRisk({
        ...header,
        imageType: ['DERIVED', 'SECONDARY'],
        sopClassUID: '1.2.840.10008.5.1.4.1.1.7',
      }).clearableByOcr,
    ).toBe(false);
  });
});
