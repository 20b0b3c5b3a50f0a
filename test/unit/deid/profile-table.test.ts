import { describe, expect, it } from 'vitest';
import { parseTable, Profile, tableActions } from '../../../main/deid/profile/profile.js';
import { basicProfileCode, deidOptionNames, optionCodes } from '../../../main/deid/profile/options.js';

const rows = parseTable();
const byTag = new Map(rows.map((row) => [row.tag, row]));

describe('PS3.15 Table E.1-1 as data', () => {
  it('has every transcribed row, each tag once, and the three repeating-group rows', () => {
    // The transcription's row count: a row added or lost changes it on purpose. The standard's
    // 2025 table has more rows (see docs/deid.md); attributes it names that are not here fall under
    // the engine's rules for unlisted attributes (text emptied, UIDs remapped, dates per option).
    expect(rows).toHaveLength(449);
    expect(rows.filter((row) => row.tag.includes('x')).map((row) => row.tag)).toEqual([
      '50xx,xxxx',
      '60xx,4000',
      '60xx,3000',
    ]);
    expect(new Set(rows.map((row) => row.tag)).size).toBe(rows.length);
  });

  it('uses only the actions the standard defines', () => {
    for (const row of rows) {
      expect(tableActions).toContain(row.basic);
      for (const action of Object.values(row.options)) expect(tableActions).toContain(action);
    }
  });

  it.each([
    ['0010,0010', "Patient's Name", 'Z', {}],
    ['0010,0020', 'Patient ID', 'Z', {}],
    ['0008,0050', 'Accession Number', 'Z', {}],
    ['0020,000D', 'Study Instance UID', 'U', { retainUIDs: 'K' }],
    [
      '0008,0020',
      'Study Date',
      'Z',
      { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' },
    ],
    ['0010,1010', "Patient's Age", 'X', { retainPatientCharacteristics: 'K' }],
    ['0018,1000', 'Device Serial Number', 'X/Z/D', { retainDeviceIdentity: 'K' }],
    ['0008,0080', 'Institution Name', 'X/Z/D', { retainInstitutionIdentity: 'K' }],
    ['0008,1030', 'Study Description', 'X', { cleanDescriptors: 'C' }],
    ['0040,A730', 'Content Sequence', 'X', { cleanStructuredContent: 'C' }],
    ['0008,1140', 'Referenced Image Sequence', 'X/Z/U*', { retainUIDs: 'K' }],
    ['60xx,3000', 'Overlay Data', 'X', { cleanGraphics: 'C' }],
    ['50xx,xxxx', 'Curve Data', 'X', { cleanGraphics: 'C' }],
  ])('row %s (%s) has basic action %s and its option columns', (tag, name, basic, options) => {
    const row = byTag.get(tag);
    expect(row?.name).toBe(name);
    expect(row?.basic).toBe(basic);
    expect(row?.options).toEqual(options);
  });

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
