/**
 * The header of one data element of a little endian DICOM data set (PS3.5 7.1), read where the
 * bytes lie: its tag, its VR (explicit VR only) and the length and offset of its value. One reader
 * and one list of the explicit VRs with a 4-byte length for every place that walks elements by
 * hand (the SOP Instance UID of a retrieved instance, main/sync/dicomweb-client.ts; the per-frame
 * groups of a SEG, main/annotation/dicom/seg-parse.ts) and for the writers that lay them out.
 */

import { TextDecoder } from 'node:util';
import { AppError, ErrorCode } from '../../shared/errors.js';

/** Explicit VRs whose length has 4 bytes after 2 reserved ones (PS3.5 Table 7.1-1). */
export const LONG_VRS: ReadonlySet<string> = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);

/** A VR's two characters as one number (the header's bytes 4 and 5, big end first). */
export const vrCode = (vr: string): number => (vr.charCodeAt(0) << 8) | vr.charCodeAt(1);

const LONG_VR_CODES: ReadonlySet<number> = new Set([...LONG_VRS].map(vrCode));

/** Whether a VR code is two capital letters (anything else is not an explicit VR header). */
export const isVrCode = (code: number): boolean =>
  code >> 8 >= 0x41 && code >> 8 <= 0x5a && (code & 0xff) >= 0x41 && (code & 0xff) <= 0x5a;

/** Sequence delimiters and undefined lengths. */
export const UNDEFINED_LENGTH = 0xffffffff;

export interface ElementHeader {
  /** `(group << 16 | element) >>> 0`. */
  tag: number;
  /** The VR's code (vrCode); 0 in implicit VR. */
  vr: number;
  /** The value's length (UNDEFINED_LENGTH for an undefined length). */
  length: number;
  /** Where the value starts. */
  valueOffset: number;
}

/** A header to read into (readElementHeader fills it, so a walk allocates nothing per element). */
export function elementHeader(): ElementHeader {
  return { tag: 0, vr: 0, length: 0, valueOffset: 0 };
}

/**
 * Reads the element header at `at` (little endian unless `littleEndian` is false; explicit or
 * implicit VR) into `into`. False when the bytes end inside the header. An item or delimiter tag
 * (FFFE,xxxx) reads as an implicit header whatever `explicit` says: it has no VR.
 */
export function readElementHeader(
  view: DataView,
  at: number,
  explicit: boolean,
  into: ElementHeader,
  littleEndian = true,
): boolean {
  if (at + 8 > view.byteLength) return false;
  const group = view.getUint16(at, littleEndian);
  into.tag = ((group << 16) | view.getUint16(at + 2, littleEndian)) >>> 0;
  if (!explicit || group === 0xfffe) {
    into.vr = 0;
    into.length = view.getUint32(at + 4, littleEndian);
    into.valueOffset = at + 8;
    return true;
  }
  into.vr = (view.getUint8(at + 4) << 8) | view.getUint8(at + 5);
  if (LONG_VR_CODES.has(into.vr)) {
    if (at + 12 > view.byteLength) return false;
    into.length = view.getUint32(at + 8, littleEndian);
    into.valueOffset = at + 12;
  } else {
    into.length = view.getUint16(at + 6, littleEndian);
    into.valueOffset = at + 8;
  }
  return true;
}

/**
 * One element in explicit VR little endian, header and value: a 4-byte length for the VRs in
 * LONG_VRS, else 2 bytes (the value is written as given: even length is the caller's).
 */
export function explicitElementBytes(tag: number, vr: string, value: Uint8Array): Buffer {
  const long = LONG_VRS.has(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

/**
 * The start of a Part 10 file: the 128-byte preamble, `DICM`, and the file meta group (0002) in
 * explicit VR little endian: its group length (0002,0000) over `metaElements`, then those.
 */
export function fileMetaBytes(metaElements: readonly Buffer[]): Buffer {
  const body = Buffer.concat(metaElements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length);
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    explicitElementBytes(0x00020000, 'UL', groupLength),
    body,
  ]);
}

/** A DataView over exactly the bytes of `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads the file meta group (explicit VR little endian, each element inside the file): the
 * transfer syntax ('' without one) and where the data set starts. Reads nothing of the data set:
 * the group's end is where a tag of another group starts, peeked, not read as an element.
 */
export function part10Meta(bytes: Uint8Array): { syntax: string; start: number } {
  const damaged = (detail: string) =>
    new AppError(ErrorCode.Malformed, `This DICOM file is damaged and cannot be read (${detail}).`);
  const view = viewOf(bytes);
  const size = bytes.length;
  const magic = size >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM';
  let at = magic ? 132 : 0;
  const header = elementHeader();
  let syntax = '';
  while (at + 8 <= size && view.getUint16(at, true) === 0x0002) {
    if (!readElementHeader(view, at, true, header)) throw damaged('its header is cut short');
    const end = header.valueOffset + header.length;
    if (header.length === UNDEFINED_LENGTH || end > size) throw damaged('its header runs past the end');
    if (header.tag === 0x00020010)
      syntax = new TextDecoder('latin1')
        .decode(bytes.subarray(header.valueOffset, end))
        .replace(/[\0 ]+$/, '');
    at = end;
  }
  return { syntax, start: at };
}
