/**
 * Hostile DICOM Part 10 files for the import fuzz (#12 item 6): the dataset mutations of
 * send-to-scp.ts (bit flips, truncations, wrong and huge lengths, sequence depth bombs) plus what
 * only a file can carry — a hostile file meta group, a bad transfer syntax, odd character sets —
 * and truncation anywhere in the file. Deterministic from the seeded `rng`; a failing case is
 * replayed from the seed and its index.
 */
import { MUTATION_KINDS, type MutationKind, mutate, storeObjectOf } from './send-to-scp.js';

export type FileMutationKind =
  MutationKind | 'file-truncation' | 'hostile-meta' | 'bad-transfer-syntax' | 'odd-charset';

export const FILE_MUTATION_KINDS: readonly FileMutationKind[] = [
  ...MUTATION_KINDS,
  'file-truncation',
  'hostile-meta',
  'bad-transfer-syntax',
  'odd-charset',
];

interface RawElement {
  group: number;
  element: number;
  vr: string;
  value: Buffer;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

/** Top-level explicit VR little endian elements of `bytes` from `offset`; stops at what it cannot walk. */
function walk(bytes: Buffer, offset: number, onlyGroup2: boolean): { elements: RawElement[]; end: number } {
  const elements: RawElement[] = [];
  while (offset + 8 <= bytes.length) {
    const group = bytes.readUInt16LE(offset);
    if (onlyGroup2 && group !== 0x0002) break;
    const element = bytes.readUInt16LE(offset + 2);
    const vr = bytes.toString('latin1', offset + 4, offset + 6);
    if (!/^[A-Z]{2}$/.test(vr)) break;
    const long = LONG_VRS.has(vr);
    if (long && offset + 12 > bytes.length) break;
    const length = long ? bytes.readUInt32LE(offset + 8) : bytes.readUInt16LE(offset + 6);
    const start = offset + (long ? 12 : 8);
    if (length === 0xffffffff || start + length > bytes.length) break;
    elements.push({ group, element, vr, value: bytes.subarray(start, start + length) });
    offset = start + length;
  }
  return { elements, end: offset };
}

function encode(elements: readonly RawElement[]): Buffer {
  return Buffer.concat(
    elements.map(({ group, element, vr, value }) => {
      const padded = value.length % 2 ? Buffer.concat([value, Buffer.from([vr === 'UI' ? 0 : 0x20])]) : value;
      const long = LONG_VRS.has(vr);
      const head = Buffer.alloc(long ? 12 : 8);
      head.writeUInt16LE(group, 0);
      head.writeUInt16LE(element, 2);
      head.write(vr, 4, 'latin1');
      if (long) head.writeUInt32LE(padded.length, 8);
      else head.writeUInt16LE(padded.length & 0xffff, 6);
      return Buffer.concat([head, padded]);
    }),
  );
}

function part10(meta: RawElement[], dataset: Buffer, groupLength?: number): Buffer {
  const body = encode(meta.filter((element) => element.element !== 0x0000));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(groupLength ?? body.length);
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  return Buffer.concat([
    preamble,
    encode([{ group: 2, element: 0, vr: 'UL', value: length }]),
    body,
    dataset,
  ]);
}

const BAD_TRANSFER_SYNTAXES = [
  '1.2.840.10008.1.2.4.999', // unknown
  '1.2.840.10008.1.2.1.99', // deflated, but the data is not
  '1.2.840.10008.1.2.2', // big endian, but the data is little endian
  '1.2.840.10008.1.2', // implicit, but the data is explicit
  '1.2.840.10008.1.2.4.50', // JPEG baseline, but the pixels are native
  'NOT A UID \u00ff',
  '',
];

const ODD_CHARSETS = [
  'ISO 2022 IR 999',
  'ISO_IR 192',
  'ISO 2022 IR 87\\ISO 2022 IR 149\\GB18030',
  '\\\\\\\\',
  'ISO_IR 100\\ISO_IR 100',
  'x'.repeat(64),
];

/** One hostile copy of the Part 10 file `file`. */
export function mutatePart10(file: Buffer, kind: FileMutationKind, random: () => number, index = 0): Buffer {
  const pick = (n: number) => Math.floor(random() * n);
  const object = storeObjectOf(file, index);
  const metaEnd = file.length - object.dataset.length;
  const meta = file.length > 132 ? walk(file, 132, true).elements : [];
  switch (kind) {
    case 'file-truncation':
      return file.subarray(0, pick(file.length));
    case 'hostile-meta': {
      const choice = pick(4);
      if (choice === 0) return part10(meta, object.dataset, 0xfffffff0); // group length far past the end
      if (choice === 1) return part10(meta, object.dataset, pick(40)); // group length cutting the meta short
      if (choice === 2) {
        // A meta element declaring a huge length.
        const copy = Buffer.from(file);
        const at = 132 + 12 + pick(Math.max(1, metaEnd - 144));
        if (at + 4 <= copy.length) copy.writeUInt32LE(0xfffffff0 - pick(8) * 2, at);
        return copy;
      }
      // No transfer syntax and no SOP class in the meta at all.
      return part10(
        meta.filter((element) => ![0x0002, 0x0010].includes(element.element)),
        object.dataset,
      );
    }
    case 'bad-transfer-syntax': {
      const syntax = BAD_TRANSFER_SYNTAXES[pick(BAD_TRANSFER_SYNTAXES.length)]!;
      const replaced = meta.filter((element) => element.element !== 0x0010);
      replaced.push({ group: 2, element: 0x0010, vr: 'UI', value: Buffer.from(syntax, 'latin1') });
      replaced.sort((a, b) => a.element - b.element);
      return part10(replaced, object.dataset);
    }
    case 'odd-charset': {
      const { elements, end } = walk(object.dataset, 0, false);
      const charset = ODD_CHARSETS[pick(ODD_CHARSETS.length)]!;
      // Escape sequences, lone surrogates' bytes, invalid UTF-8 and control characters in names.
      const hostileName = Buffer.concat([
        Buffer.from([0x1b, 0x24, 0x29, 0x41]),
        Buffer.from(Array.from({ length: 8 + pick(40) }, () => 0x80 + pick(0x80))),
        Buffer.from([0xed, 0xa0, 0x80, 0x00, 0x1b, 0x28, 0x42, 0x5e, 0x3d]),
      ]);
      const tag = (element: RawElement) => (element.group << 16) | element.element;
      const kept = elements.filter((element) => ![0x00080005, 0x00100010].includes(tag(element)));
      kept.push(
        { group: 0x0008, element: 0x0005, vr: 'CS', value: Buffer.from(charset, 'latin1') },
        { group: 0x0010, element: 0x0010, vr: 'PN', value: hostileName },
      );
      kept.sort((a, b) => tag(a) - tag(b));
      return part10(meta, Buffer.concat([encode(kept), object.dataset.subarray(end)]));
    }
    default:
      return Buffer.concat([file.subarray(0, metaEnd), mutate(object, kind, random).dataset]);
  }
}
