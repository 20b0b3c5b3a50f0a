import { describe, expect, it } from 'vitest';
import * as charset from '../../../main/dicom/charset.js';
import { decodeText, encodeText } from '../../../main/deid/text.js';

/**
 * The de-identification engine reads text with the app's one decoder (main/dicom/charset.ts):
 * the catalog and the engine cannot disagree on what a value says.
 */
describe('de-identification text decoding', () => {
  it('is the decoder of main/dicom/charset.ts, not a second one', () => {
    expect(decodeText).toBe(charset.decodeText);
    expect(encodeText).toBe(charset.encodeText);
  });

  it('reads ISO_IR 203 as Latin-9 (€ at A4), not Latin-1', () => {
    expect(decodeText(Uint8Array.of(0x31, 0x30, 0x20, 0xa4), ['ISO_IR 203'])).toBe('10 €');
  });

  it('returns to the initial character set after a line break in ISO 2022 text (PS3.5 6.1.2.5.3)', () => {
    // ESC $ ) A designates GB 2312 for the first line only; after LF the high bytes are not GB 2312.
    const value = Uint8Array.of(0x1b, 0x24, 0x29, 0x41, 0xd0, 0xd8, 0x0a, 0xd0, 0xd8);
    const text = decodeText(value, ['', 'ISO 2022 IR 58'], 'single');
    expect(text.startsWith('胸\n')).toBe(true);
    expect(text.endsWith('胸')).toBe(false);
  });

  it('resets at the ^ and = of a person name', () => {
    const value = Uint8Array.of(0x1b, 0x2d, 0x41, 0x4a, 0xe9, 0x5e, 0x1b, 0x2d, 0x41, 0xe9);
    expect(decodeText(value, ['', 'ISO 2022 IR 100'], 'pn')).toBe('Jé^é');
  });
});
