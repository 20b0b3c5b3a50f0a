import { describe, expect, it } from 'vitest';
import { identifyingTokens, matchesIdentifying } from '../../../../main/deid/pixels/identifying.js';

const tokens = identifyingTokens(['DOE^JOHN', 'Zhang^San=张三', 'PID-778899', '20240131', '2024-01-31']);

describe('matching OCR words against the header identifying values', () => {
  it('finds a name part read exactly', () => {
    expect(matchesIdentifying('JOHN', tokens)).toBe(true);
  });

  it('finds a name part read with OCR confusions (0/O, 1/I)', () => {
    expect(matchesIdentifying('D0E', tokens)).toBe(true);
    expect(matchesIdentifying('J0HN', tokens)).toBe(true);
  });

  it('finds an id inside a longer word', () => {
    expect(matchesIdentifying('ID:778899', tokens)).toBe(true);
  });

  it('finds a date read with one wrong digit', () => {
    expect(matchesIdentifying('20240181', tokens)).toBe(true);
  });

  it('finds the pinyin and the Hanzi of a Chinese name', () => {
    expect(matchesIdentifying('ZHANG', tokens)).toBe(true);
    expect(matchesIdentifying('张三', tokens)).toBe(true);
  });

  it('ignores unrelated words and two-letter fragments', () => {
    expect(matchesIdentifying('AXIAL', tokens)).toBe(false);
    expect(matchesIdentifying('HN', tokens)).toBe(false);
    expect(matchesIdentifying('120kV', tokens)).toBe(false);
  });
});

describe('OCR errors tolerated when matching', () => {
  const idTokens = identifyingTokens(['MRK0012', 'DOE^JOHN']);

  it('finds an id read with two wrong digits out of seven', () => {
    expect(matchesIdentifying('MRK6612', idTokens)).toBe(true);
  });

  it('finds an id inside a longer word read with an error', () => {
    expect(matchesIdentifying('ID:MRK0O12x', idTokens)).toBe(true);
  });

  it('does not stretch short tokens: a three-letter name part must be read exactly', () => {
    expect(matchesIdentifying('DOG', idTokens)).toBe(false);
    expect(matchesIdentifying('DOE', idTokens)).toBe(true);
  });
});
