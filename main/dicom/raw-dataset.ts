/**
 * DICOM objects that are not Part 10 files. Some archives, research tools and old modalities
 * write the dataset alone (implicit or explicit VR little endian, no 128-byte preamble, no "DICM"),
 * or the file meta group without the preamble. dcmdump and pydicom read them; so does RadLabel,
 * where the first bytes parse as a plausible element of group 0002 (file meta) or 0008 (the first
 * group of every real dataset): little endian implicit or explicit VR, or explicit VR big endian.
 * Anything else is not DICOM.
 *
 * Readers see such a file through a Part 10 head (`part10Head`): what is put in front of the bytes
 * so a Part 10 parser reads them; importers store the file with a full head (`part10Prefix`), so the
 * store only ever holds Part 10 files.
 */
import { LONG_VRS } from './element-header.js';
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';

/** Same implementation class as the de-identifier's output (main/deid/engine/provenance.ts). */
const IMPLEMENTATION_CLASS_UID = '2.25.255483329862397372096470427236315185187';
const IMPLEMENTATION_VERSION_NAME = 'RADLABEL_0_1';

export type DatasetLayout =
  /** Preamble, "DICM", file meta, dataset: nothing to add. */
  | { kind: 'part10' }
  /** File meta group then dataset, without the preamble and "DICM". */
  | { kind: 'meta-without-preamble' }
  /** "DICM", file meta, dataset: only the 128-byte preamble is missing. */
  | { kind: 'prefix-without-preamble' }
  /** The dataset alone; its transfer syntax is told by the first element's form. */
  | { kind: 'dataset'; transferSyntaxUID: string };

const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(
    ' ',
  ),
);

/**
 * How the object in `head` (the first bytes of a file, at least 12 when the file has them) is laid
 * out, or null when it is not DICOM. `fileSize` bounds plausible lengths.
 */
export function sniffLayout(head: Uint8Array, fileSize: number): DatasetLayout | null {
  if (
    head.length >= 132 &&
    head[128] === 0x44 &&
    head[129] === 0x49 &&
    head[130] === 0x43 &&
    head[131] === 0x4d
  )
    return { kind: 'part10' };
  if (head.length < 8) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (
    head.length >= 12 &&
    head[0] === 0x44 &&
    head[1] === 0x49 &&
    head[2] === 0x43 &&
    head[3] === 0x4d &&
    view.getUint16(4, true) === 0x0002
  )
    return { kind: 'prefix-without-preamble' };
  const group = view.getUint16(0, true);
  // Explicit VR big endian (retired, still met): group 0008 written most significant byte first.
  if (view.getUint16(0, false) === 0x0008 && explicitLengthAt(head, view, fileSize, false) !== null)
    return { kind: 'dataset', transferSyntaxUID: EXPLICIT_VR_BIG_ENDIAN };
  if (group !== 0x0002 && group !== 0x0008) return null;
  const explicit = explicitLengthAt(head, view, fileSize, true);
  if (group === 0x0002) return explicit !== null ? { kind: 'meta-without-preamble' } : null;
  if (explicit !== null) return { kind: 'dataset', transferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN };
  // Implicit VR: a 32-bit length that fits in the file (or the undefined length of a sequence).
  const length = view.getUint32(4, true);
  const plausible = length === 0xffffffff || (length % 2 === 0 && length <= fileSize - 8);
  return plausible ? { kind: 'dataset', transferSyntaxUID: IMPLICIT_VR_LITTLE_ENDIAN } : null;
}

/** The value length of an explicit-VR element at offset 0, or null when it is not one. */
function explicitLengthAt(
  head: Uint8Array,
  view: DataView,
  fileSize: number,
  little: boolean,
): number | null {
  const vr = String.fromCharCode(head[4]!, head[5]!);
  if (!VRS.has(vr)) return null;
  if (LONG_VRS.has(vr)) {
    if (head.length < 12 || head[6] !== 0 || head[7] !== 0) return null;
    const length = view.getUint32(8, little);
    return length === 0xffffffff || length <= fileSize - 12 ? length : null;
  }
  const length = view.getUint16(6, little);
  return length <= fileSize - 8 ? length : null;
}

/**
 * What a Part 10 parser needs in front of the bytes to read them: nothing for a Part 10 file, a
 * preamble and "DICM" for meta without preamble, and for a bare dataset also a file meta group
 * that says its transfer syntax.
 */
export function part10Head(layout: DatasetLayout): Uint8Array {
  if (layout.kind === 'part10') return new Uint8Array(0);
  if (layout.kind === 'prefix-without-preamble') return new Uint8Array(128);
  if (layout.kind === 'meta-without-preamble') return preamble();
  return concat([preamble(), metaGroup([[0x0010, 'UI', layout.transferSyntaxUID]])]);
}

/**
 * What an importer writes in front of the bytes so the stored file is a complete Part 10 file:
 * nothing, a preamble and "DICM", or those and a full file meta group (PS3.10 7.1).
 */
export function part10Prefix(
  layout: DatasetLayout,
  sop: { sopClassUID: string; sopInstanceUID: string },
): Uint8Array {
  if (layout.kind !== 'dataset') return part10Head(layout);
  return concat([
    preamble(),
    metaGroup([
      [0x0001, 'OB', new Uint8Array([0, 1])],
      [0x0002, 'UI', sop.sopClassUID],
      [0x0003, 'UI', sop.sopInstanceUID],
      [0x0010, 'UI', layout.transferSyntaxUID],
      [0x0012, 'UI', IMPLEMENTATION_CLASS_UID],
      [0x0013, 'SH', IMPLEMENTATION_VERSION_NAME],
    ]),
  ]);
}

function preamble(): Uint8Array {
  const bytes = new Uint8Array(132);
  bytes.set([0x44, 0x49, 0x43, 0x4d], 128);
  return bytes;
}

/** Group 0002 in explicit VR little endian, with its group length first. */
function metaGroup(elements: Array<[number, 'OB' | 'UI' | 'SH', string | Uint8Array]>): Uint8Array {
  const encoded = elements.map(([element, vr, value]) => {
    let bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    if (bytes.length % 2 === 1) bytes = concat([bytes, new Uint8Array([vr === 'UI' ? 0 : 0x20])]);
    const long = vr === 'OB';
    const header = new Uint8Array(long ? 12 : 8);
    const view = new DataView(header.buffer);
    view.setUint16(0, 0x0002, true);
    view.setUint16(2, element, true);
    header[4] = vr.charCodeAt(0);
    header[5] = vr.charCodeAt(1);
    if (long) view.setUint32(8, bytes.length, true);
    else view.setUint16(6, bytes.length, true);
    return concat([header, bytes]);
  });
  const body = concat(encoded);
  const groupLength = new Uint8Array(12);
  const view = new DataView(groupLength.buffer);
  view.setUint16(0, 0x0002, true);
  view.setUint16(2, 0x0000, true);
  groupLength[4] = 0x55; // U
  groupLength[5] = 0x4c; // L
  view.setUint16(6, 4, true);
  view.setUint32(8, body.length, true);
  return concat([groupLength, body]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
