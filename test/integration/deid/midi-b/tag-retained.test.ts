/** MIDI-B "tag retained": what the profile and options keep on purpose survives, value for value. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { El } from '../../../unit/deid/support/build-dicom.js';
import { sampleElements, T } from '../../../unit/deid/support/sample.js';
import { baseConfig, deidentifyObjects, type DeidRun } from './run.js';

const pixels = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 13) & 0xff));
const extra: El[] = [
  { tag: 0x00280030, vr: 'DS', value: '0.7\\0.7' },
  { tag: 0x00180050, vr: 'DS', value: '1.25' },
  { tag: 0x00200032, vr: 'DS', value: '-179.2\\-179.2\\12.5' },
  { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
  { tag: 0x00180060, vr: 'DS', value: '120' },
  { tag: 0x00180015, vr: 'CS', value: 'CHEST' },
  {
    tag: 0x00081032,
    vr: 'SQ',
    value: [
      [
        { tag: T.CodeValue, vr: 'SH', value: 'ZU2' },
        { tag: 0x00080102, vr: 'SH', value: 'LN' },
        { tag: T.CodeMeaning, vr: 'LO', value: 'CT chest' },
      ],
    ],
  },
  { tag: T.PixelData, vr: 'OW', value: pixels },
];

let run: DeidRun;
beforeAll(async () => {
  run = await deidentifyObjects(
    [{ name: 'ct', elements: sampleElements({ extra }) }],
    baseConfig({
      options: [
        'retainPatientCharacteristics',
        'retainDeviceIdentity',
        'cleanDescriptors',
        'retainSafePrivate',
        'retainLongitudinalModifiedDates',
      ],
    }),
  );
});
afterAll(() => run.cleanup());

describe('tag retained', () => {
  it('keeps image geometry, acquisition and pixel attributes exactly', () => {
    const out = run.outputs.get('ct')!.read;
    expect(out.text([0x00280030])).toBe('0.7\\0.7');
    expect(out.text([0x00180050])).toBe('1.25');
    expect(out.text([0x00200032])).toBe('-179.2\\-179.2\\12.5');
    expect(out.text([0x00200037])).toBe('1\\0\\0\\0\\1\\0');
    expect(out.text([0x00180060])).toBe('120');
    expect(out.text([T.Modality])).toBe('CT');
    expect(out.text([T.ImageType])).toBe('ORIGINAL\\PRIMARY\\AXIAL');
    expect(out.bytes([T.PixelData])?.equals(pixels)).toBe(true);
  });

  it('keeps patient characteristics under Retain Patient Characteristics', () => {
    const out = run.outputs.get('ct')!.read;
    expect(out.text([T.PatientSex])).toBe('F');
    expect(out.text([T.PatientAge])).toBe('062Y');
    expect(out.text([T.PatientWeight])).toBe('61.5');
  });

  it('keeps device identity under Retain Device Identity', () => {
    const out = run.outputs.get('ct')!.read;
    expect(out.text([T.DeviceSerialNumber])).toBe('SN-4471');
    expect(out.text([T.StationName])).toBe('CT-ROOM-3');
    expect(out.text([T.SoftwareVersions])).toBe('VA20');
    expect(out.text([T.Manufacturer])).toBe('ACME Medical');
  });

  it('keeps clean descriptors, coded procedure codes and safe private attributes', () => {
    const out = run.outputs.get('ct')!.read;
    expect(out.text([T.StudyDescription])).toBe('CT CHEST WITH CONTRAST');
    expect(out.text([T.SeriesDescription])).toBe('AXIAL 1.25');
    expect(out.text([T.ProtocolName])).toBe('CHEST ROUTINE');
    expect(out.text([0x00081032, 0, T.CodeValue])).toBe('ZU2');
    expect(out.text([0x00081032, 0, T.CodeMeaning])).toBe('CT chest');
    expect(out.text([0x0019100c])).toBe('1000');
  });
});
