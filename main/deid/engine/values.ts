/**
 * Reading and encoding single values: the engine writes only ASCII (pseudonyms, 2.25 UIDs,
 * shifted dates, dummy values), so the dataset's SpecificCharacterSet stays true.
 */
import type { DicomElement, ParsedDicom } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';

export function ascii(bytes: Uint8Array, element: DicomElement): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + element.valueStart, element.valueLength).toString(
    'latin1',
  );
}

export function trimValue(value: string): string {
  return value.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}

/** Encodes an ASCII text value, padded to even length (NUL for UI, space otherwise). */
export function textValue(vr: string, value: string): Uint8Array {
  const bytes = Buffer.from(value.replace(/[^\x20-\x7e\\]/g, '?'), 'latin1');
  if (bytes.length % 2 === 0) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  padded[bytes.length] = vr === 'UI' ? 0 : 0x20;
  return padded;
}

/** A binary value padded to even length with one zero byte. */
export function evenLength(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  return padded;
}

/** A top-level LO attribute the engine writes (at most 64 characters). */
export function lo(tag: number, value: string): OutElement {
  return { kind: 'value', tag, vr: 'LO', value: textValue('LO', value.slice(0, 64)) };
}

/** The dataset's top-level attributes by tag. */
export function topLevel(parsed: ParsedDicom): Map<number, DicomElement> {
  const map = new Map<number, DicomElement>();
  for (const element of parsed.dataset) map.set(element.tag, element);
  return map;
}

/** A top-level value read as ASCII and trimmed; '' when absent or a sequence. */
export function readValue(parsed: ParsedDicom, original: Map<number, DicomElement>, tag: number): string {
  const element = original.get(tag);
  return element && !element.items ? trimValue(ascii(parsed.bytes, element)) : '';
}

/** A top-level US (or IS) value as a number; 0 when absent. */
export function readNumber(parsed: ParsedDicom, original: Map<number, DicomElement>, tag: number): number {
  const element = original.get(tag);
  if (!element || element.items) return 0;
  if (element.vr === 'US' || element.valueLength === 2) {
    return new DataView(parsed.bytes.buffer, parsed.bytes.byteOffset + element.valueStart, 2).getUint16(
      0,
      parsed.encoding.littleEndian,
    );
  }
  return Number(trimValue(ascii(parsed.bytes, element))) || 0;
}
