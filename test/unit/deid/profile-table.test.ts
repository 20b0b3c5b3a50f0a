import { describe, expect, it } from 'vitest';
import { parseTable, Profile, tableActions } from '../../../main/deid/profile/profile.js';
import {
  engineRowsSource,
  privateAttributesRow,
  tableE11Edition,
} from '../../../main/deid/profile/table-e1-1.js';
import { basicProfileCode, deidOptionNames, optionCodes } from '../../../main/deid/profile/options.js';

const rows = parseTable();
const byTag = new Map(rows.map((row) => [row.tag, row]));

describe('PS3.15 Table E.1-1 as data', () => {
  it('has every row of the 2024b table: 620 tags plus the Private Attributes row', () => {
    expect(tableE11Edition).toBe('2024b');
    expect(rows.length + 1).toBe(621);
    expect(privateAttributesRow).toMatchObject({ basic: 'X', retainSafePrivate: 'C' });
    expect(rows.filter((row) => row.tag.includes('x')).map((row) => row.tag)).toEqual([
      '50xx,xxxx',
      '60xx,4000',
      '60xx,3000',
    ]);
    expect(new Set(rows.map((row) => row.tag)).size).toBe(rows.length);
  });

  it('adds engine rows only for tags the table does not name', () => {
    const engineRows = parseTable(engineRowsSource);
    expect(engineRows.map((row) => row.name)).toEqual(['Text Value', 'Unformatted Text Value']);
    for (const row of engineRows) expect(byTag.has(row.tag)).toBe(false);
  });

  it('uses only the actions the standard defines', () => {
    for (const row of rows) {
      expect(tableActions).toContain(row.basic);
      for (const action of Object.values(row.options)) expect(tableActions).toContain(action);
    }
  });

  it.each([
    // Simple actions
    ['0008,0050', 'Accession Number', 'Z', {}],
    ['0010,0010', "Patient's Name", 'Z', {}],
    ['0010,0030', "Patient's Birth Date", 'Z', {}],
    ['0400,0115', 'Certificate of Signer', 'D', {}],
    ['0040,A027', 'Verifying Organization', 'D', {}],
    ['0040,A124', 'UID', 'U', {}],
    // Combined actions
    ['0010,0020', 'Patient ID', 'Z/D', {}],
    [
      '0008,0023',
      'Content Date',
      'Z/D',
      { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' },
    ],
    ['0008,0080', 'Institution Name', 'X/Z/D', { retainInstitutionIdentity: 'K' }],
    ['0018,1000', 'Device Serial Number', 'X/Z/D', { retainDeviceIdentity: 'K' }],
    ['0008,1070', "Operators' Name", 'X/Z/D', {}],
    [
      '0008,002A',
      'Acquisition DateTime',
      'X/Z/D',
      { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' },
    ],
    ['0018,1400', 'Acquisition Device Processing Description', 'X/D', { cleanDescriptors: 'C' }],
    ['0018,1030', 'Protocol Name', 'X/D', { cleanDescriptors: 'C' }],
    ['0008,1140', 'Referenced Image Sequence', 'X/Z/U*', { retainUIDs: 'K' }],
    ['0008,2112', 'Source Image Sequence', 'X/Z/U*', { retainUIDs: 'K' }],
    ['0040,0555', 'Acquisition Context Sequence', 'X/Z', { cleanStructuredContent: 'C' }],
    ['300A,00B2', 'Treatment Machine Name', 'X/Z', { retainDeviceIdentity: 'K' }],
    ['0010,2203', "Patient's Sex Neutered", 'X/Z', { retainPatientCharacteristics: 'K' }],
    // Option columns
    ['0010,1010', "Patient's Age", 'X', { retainPatientCharacteristics: 'K' }],
    ['0010,2160', 'Ethnic Group', 'X', { retainPatientCharacteristics: 'K' }],
    [
      '0008,0020',
      'Study Date',
      'Z',
      { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' },
    ],
    ['0020,000D', 'Study Instance UID', 'U', { retainUIDs: 'K' }],
    ['0008,0018', 'SOP Instance UID', 'U', { retainUIDs: 'K' }],
    ['0020,0052', 'Frame of Reference UID', 'U', { retainUIDs: 'K' }],
    ['0018,1002', 'Device UID', 'U', { retainUIDs: 'K', retainDeviceIdentity: 'K' }],
    ['0012,0031', 'Clinical Trial Site Name', 'Z', { retainInstitutionIdentity: 'K' }],
    ['0008,0081', 'Institution Address', 'X', { retainInstitutionIdentity: 'K' }],
    ['0008,1030', 'Study Description', 'X', { cleanDescriptors: 'C' }],
    ['0016,002B', 'Maker Note', 'X', { cleanDescriptors: 'C' }],
    ['0040,A730', 'Content Sequence', 'D', { cleanStructuredContent: 'C' }],
    ['0070,0001', 'Graphic Annotation Sequence', 'D', { cleanGraphics: 'C' }],
    ['3010,002D', 'Device Label', 'D', { retainDeviceIdentity: 'K' }],
    ['0008,0055', 'Station AE Title', 'X', { retainDeviceIdentity: 'C' }],
    // Rows added to the table since the first transcription
    ['0018,11BB', 'Acquisition Field Of View Label', 'D', { cleanDescriptors: 'C' }],
    ['006A,0005', 'Annotation Group Label', 'D', { cleanDescriptors: 'C' }],
    [
      '0034,0007',
      'Frame Origin Timestamp',
      'D',
      { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' },
    ],
    [
      '0008,0106',
      'Context Group Version',
      'D',
      { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' },
    ],
    // Repeating groups
    ['60xx,3000', 'Overlay Data', 'X', { cleanGraphics: 'C' }],
    ['60xx,4000', 'Overlay Comments', 'X', { cleanGraphics: 'C' }],
    ['50xx,xxxx', 'Curve Data', 'X', { cleanGraphics: 'C' }],
  ] as Array<[string, string, string, Record<string, string>]>)(
    'row %s (%s) has basic action %s and its option columns',
    (tag, name, basic, options) => {
      const row = byTag.get(tag);
      expect(row?.name).toBe(name);
      expect(row?.basic).toBe(basic);
      expect(row?.options).toEqual(options);
    },
  );

  it('covers every option column of the table', () => {
    const used = new Set(rows.flatMap((row) => Object.keys(row.options)));
    for (const option of deidOptionNames) {
      if (
        option === 'cleanPixelData' ||
        option === 'cleanRecognizableVisualFeatures' ||
        option === 'retainSafePrivate'
      )
        continue;
      expect(used).toContain(option);
    }
  });
});

describe('resolving a tag', () => {
  it('applies an option column over the basic action, and an override over both', () => {
    const studyDate = 0x00080020;
    expect(new Profile(new Set()).resolve(studyDate)?.action).toBe('Z');
    expect(new Profile(new Set(['retainLongitudinalModifiedDates'])).resolve(studyDate)?.action).toBe('C');
    expect(
      new Profile(new Set(['retainLongitudinalModifiedDates']), new Map([[studyDate, 'X']])).resolve(
        studyDate,
      )?.action,
    ).toBe('X');
  });

  it('matches repeating groups (overlays in 6000–601E, curves in 5000–501E)', () => {
    const profile = new Profile(new Set());
    expect(profile.resolve(0x60023000)?.row?.name).toBe('Overlay Data');
    expect(profile.resolve(0x501e0010)?.row?.name).toBe('Curve Data');
  });

  it('collapses combined actions to ones that keep attributes present without leaking', () => {
    const profile = new Profile(new Set());
    expect(profile.resolve(0x00080080)?.action).toBe('D'); // X/Z/D
    expect(profile.resolve(0x00080022)?.action).toBe('Z'); // X/Z
    expect(profile.resolve(0x00081140)?.action).toBe('U'); // X/Z/U*
  });
});

describe('CID 7050 method codes', () => {
  it('has the standard code for the profile and each option', () => {
    expect(basicProfileCode.codeValue).toBe('113100');
    expect(
      Object.fromEntries(Object.entries(optionCodes).map(([name, code]) => [name, code.codeValue])),
    ).toEqual({
      cleanPixelData: '113101',
      cleanRecognizableVisualFeatures: '113102',
      cleanGraphics: '113103',
      cleanStructuredContent: '113104',
      cleanDescriptors: '113105',
      retainLongitudinalFullDates: '113106',
      retainLongitudinalModifiedDates: '113107',
      retainPatientCharacteristics: '113108',
      retainDeviceIdentity: '113109',
      retainUIDs: '113110',
      retainSafePrivate: '113111',
      retainInstitutionIdentity: '113112',
    });
    for (const code of Object.values(optionCodes)) expect(code.codeMeaning.length).toBeLessThanOrEqual(64);
  });
});
