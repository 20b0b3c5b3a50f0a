/**
 * Text values in the engine: decoding (one decoder for the whole app, main/dicom/charset.ts),
 * the object's identifying values (clean/identifying.ts), and cleaning one free-text value
 * (clean/cleaner.ts) down to the bytes that are written.
 *
 * A value the cleaner leaves unchanged is copied byte-exact by the caller; a cleaned value is
 * encoded back in the dataset's own character set (the placeholders are ASCII), or removed when
 * that set cannot hold it.
 */
import { TextDecoder } from 'node:util';
import { decodeText, encodeText, textKindFor } from '../dicom/charset.js';
import { cleanFreeText, type CleanOptions, type Replacement } from './clean/cleaner.js';
import type { IdentifyingValues } from './clean/identifying.js';

export { decodeText, encodeText, textKindFor, type TextKind } from '../dicom/charset.js';
export {
  identifyingValues,
  findIdentifying,
  fold,
  type IdentifyingValues,
  type IdentifyingInput,
} from './clean/identifying.js';
export {
  cleanFreeText,
  describeReplacements,
  type CleanOptions,
  type CleanResult,
  type Replacement,
  type ReplacementKind,
} from './clean/cleaner.js';

const gbkDecoder = new TextDecoder('gbk');

/**
 * Text declared ISO_IR 100 (or default) whose high bytes all pair up as GBK double-byte
 * characters, decoding to Han ideographs: a common mislabelling by Chinese modalities.
 */
export function looksLikeMislabelledGbk(bytes: Uint8Array): boolean {
  let pairs = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    const lead = bytes[i]!;
    if (lead < 0x80) continue;
    const trail = bytes[i + 1];
    if (lead < 0x81 || lead > 0xfe || trail === undefined || trail < 0x40 || trail > 0xfe || trail === 0x7f)
      return false;
    pairs += 1;
    i += 1;
  }
  if (pairs === 0) return false;
  const decoded = gbkDecoder.decode(bytes);
  const han = decoded.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= Math.max(1, pairs * 0.6);
}

/** PS3.5 Table 6.2-1 maximum lengths in characters (per value; PN per component group). */
const maxCharacters: Record<string, number> = { AE: 16, AS: 4, SH: 16, LO: 64, PN: 64, ST: 1024, LT: 10240 };

/**
 * A placeholder or a remapped UID can be longer than what it replaced: each value (each name
 * group) is cut to its VR's maximum so the output stays valid.
 */
function withinLength(text: string, vr: string): string {
  const max = maxCharacters[vr];
  if (max === undefined) return text;
  const cut = (value: string): string =>
    [...value].length > max ? [...value].slice(0, max).join('') : value;
  if (vr === 'PN')
    return text
      .split('\\')
      .map((name) => name.split('=').map(cut).join('='))
      .join('\\');
  if (vr === 'ST' || vr === 'LT') return cut(text);
  return text.split('\\').map(cut).join('\\');
}

export type CleanedValue =
  /** Nothing to replace: copy the original bytes. */
  | { status: 'kept'; text: string }
  /** `bytes`: the cleaned text in the dataset's character set, padded to even length with a space. */
  | { status: 'cleaned'; text: string; bytes: Uint8Array; replacements: Replacement[] }
  /** Cleaned, but the dataset's character set cannot hold the result: remove the value. */
  | { status: 'emptied'; text: string; replacements: Replacement[] };

/**
 * Cleans one text value (LO, SH, ST, LT, UT, UC, PN) read from a dataset declaring
 * `characterSets`. Pass the sets the bytes really are in (e.g. ['GBK'] for mislabelled GBK).
 */
export function cleanTextValue(
  bytes: Uint8Array,
  vr: string,
  characterSets: readonly string[],
  identifying: IdentifyingValues,
  options: CleanOptions = {},
): CleanedValue {
  const kind = textKindFor(vr);
  const text = decodeText(bytes, characterSets, kind);
  const cleaned = cleanFreeText(text, identifying, options);
  if (cleaned.replacements.length === 0) return { status: 'kept', text };
  const trimmed = withinLength(cleaned.text.replace(/^ +/, '').replace(/[\0 ]+$/, ''), vr);
  const encoded = encodeText(trimmed, characterSets, kind);
  if (!encoded) return { status: 'emptied', text: '', replacements: cleaned.replacements };
  const padded = new Uint8Array(encoded.length + (encoded.length % 2));
  padded.set(encoded);
  if (encoded.length % 2) padded[encoded.length] = 0x20;
  return { status: 'cleaned', text: trimmed, bytes: padded, replacements: cleaned.replacements };
}
