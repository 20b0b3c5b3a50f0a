/**
 * VR and keyword of public attributes, for implicit-VR input (no VR on the wire) and for the
 * preview. Backed by dcmjs's PS3.6 dictionary, which the project already ships.
 */
import { createRequire } from 'node:module';

interface DictionaryEntry {
  vr: string;
  name: string;
}

// dcmjs ships no type declarations; only its dictionary object is used.
const dcmjs = createRequire(import.meta.url)('dcmjs') as {
  data: { DicomMetaDictionary: { dictionary: Record<string, DictionaryEntry | undefined> } };
};
const dictionary = dcmjs.data.DicomMetaDictionary.dictionary;

export function tagKey(tag: number): string {
  const group = (tag >>> 16).toString(16).toUpperCase().padStart(4, '0');
  const element = (tag & 0xffff).toString(16).toUpperCase().padStart(4, '0');
  return `(${group},${element})`;
}

/** `(0010,0010)` → 0x00100010. */
export function parseTagKey(key: string): number {
  const match = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/.exec(key.trim());
  if (!match) throw new Error(`not a tag: ${key}`);
  return ((parseInt(match[1]!, 16) << 16) | parseInt(match[2]!, 16)) >>> 0;
}

function entry(tag: number): DictionaryEntry | undefined {
  const group = tag >>> 16;
  // Repeating groups: dcmjs's own 60xx/50xx keys are unreliable, so only exact tags are looked up.
  if ((group & 0xff00) === 0x6000 || (group & 0xff00) === 0x5000) return undefined;
  return dictionary[tagKey(tag)];
}

/** The dictionary VR; ambiguous ones (`US or SS`, `ox`) resolve to the unsigned/byte form. */
export function dictionaryVr(tag: number): string | undefined {
  const vr = entry(tag)?.vr;
  if (!vr) return undefined;
  if (vr.length === 2 && /^[A-Z]{2}$/.test(vr)) return vr;
  if (vr.startsWith('US')) return 'US';
  if (vr.startsWith('OB')) return 'OB';
  return 'OW';
}

export function keywordOf(tag: number): string {
  const group = tag >>> 16;
  if ((group & 0xff00) === 0x6000) return (tag & 0xffff) === 0x3000 ? 'OverlayData' : 'Overlay';
  if ((group & 0xff00) === 0x5000) return 'Curve';
  if (group % 2 === 1) return (tag & 0xff00) === 0 && (tag & 0xffff) >= 0x10 ? 'PrivateCreator' : 'Private';
  return entry(tag)?.name ?? '';
}
