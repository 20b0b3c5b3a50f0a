import { describe, expect, it } from 'vitest';
import {
  SafePrivateList,
  standardSafePrivateAttributes,
  unverifiedSafePrivateAttributes,
  verifiedSafePrivateAttributes,
} from '../../../main/deid/profile/safe-private.js';

const list = new SafePrivateList(standardSafePrivateAttributes);
const key = (entry: { creator: string; group: number; element: number }): string =>
  SafePrivateList.key(entry.creator, entry.group, entry.element);

describe('PS3.15 Table E.3.10-1 safe private attributes as data', () => {
  it('has the 87 entries the 2025b extraction confirms and the 23 it does not, each once', () => {
    expect(verifiedSafePrivateAttributes).toHaveLength(87);
    // 27 in the first transcription; 4 that DCMTK's and pydicom's private dictionaries contradict are dropped.
    expect(unverifiedSafePrivateAttributes).toHaveLength(23);
    expect(new Set(standardSafePrivateAttributes.map(key)).size).toBe(87 + 23);
  });

  it('gives every entry the VR its value must have', () => {
    const vrs = new Set([
      'AE',
      'AS',
      'CS',
      'DA',
      'DS',
      'DT',
      'FD',
      'FL',
      'IS',
      'LO',
      'LT',
      'OB',
      'OW',
      'SH',
      'SL',
      'SQ',
      'SS',
      'ST',
      'TM',
      'UI',
      'UL',
      'US',
      'UT',
    ]);
    for (const entry of standardSafePrivateAttributes) expect(vrs.has(entry.vr), entry.name).toBe(true);
    const vrOf = (creator: string, group: number, element: number): string | undefined =>
      list.get(creator, group, element)?.vr;
    expect(vrOf('GEMS_ACQU_01', 0x0019, 0x23)).toBe('DS');
    expect(vrOf('GEMS_ACQU_01', 0x0019, 0x9e)).toBe('LO');
    expect(vrOf('SIEMENS MR HEADER', 0x0019, 0x0c)).toBe('IS');
    expect(vrOf('Philips Imaging DD 001', 0x2001, 0x03)).toBe('FL');
  });

  it('lists only private (odd) groups and element bytes', () => {
    for (const entry of standardSafePrivateAttributes) {
      expect(entry.group % 2, entry.name).toBe(1);
      expect(entry.element).toBeGreaterThanOrEqual(0);
      expect(entry.element).toBeLessThanOrEqual(0xff);
    }
  });

  it.each([
    ['SIEMENS MR HEADER', 0x0019, 0x0c, 'B Value'],
    ['SIEMENS MR HEADER', 0x0019, 0x0e, 'Diffusion Gradient Direction'],
    ['GEMS_PARM_01', 0x0043, 0x39, '1stvalue is B Value'],
    ['GEMS_ACQU_01', 0x0019, 0x23, 'Table Speed [mm/rotation]'],
    ['GEMS_HELIOS_01', 0x0045, 0x02, 'Macro width at ISO Center'],
    ['ELSCINT1', 0x01f1, 0x26, 'Pitch'],
    ['Philips Imaging DD 001', 0x2001, 0x03, 'MR Image Diffusion B-Factor'],
    ['Philips MR Imaging DD 001', 0x2005, 0x0d, 'Scale Intercept'],
    ['Philips MR Imaging DD 001', 0x2005, 0x0e, 'Scale Slope'],
    ['Philips PET Private Group', 0x7053, 0x00, 'SUV Factor'],
  ])('confirms %s (%s,xx%s) %s', (creator, group, element, name) => {
    const entry = verifiedSafePrivateAttributes.find(
      (candidate) => key(candidate) === SafePrivateList.key(creator, group, element),
    );
    expect(entry?.name).toBe(name);
  });

  it('matches a creator as PS3.5 compares it (trailing spaces are padding, case and leading spaces count), and only in its own group', () => {
    expect(list.has('SIEMENS MR HEADER  ', 0x0019, 0x0c)).toBe(true);
    expect(list.has('siemens mr header', 0x0019, 0x0c)).toBe(false);
    expect(list.has(' SIEMENS MR HEADER', 0x0019, 0x0c)).toBe(false);
    expect(list.has('SIEMENS MR HEADER', 0x0021, 0x0c)).toBe(false);
    expect(list.has('SIEMENS CSA HEADER', 0x0019, 0x0c)).toBe(false);
  });
});
