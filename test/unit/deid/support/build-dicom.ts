/**
 * Builds DICOM Part 10 test objects with what the de-identification tests need and the shared
 * fixture writer does not do: nested sequences (defined and undefined lengths), private blocks,
 * raw charset bytes, and every uncompressed transfer syntax (explicit/implicit little endian,
 * explicit big endian, deflated).
 */
import zlib from 'node:zlib';

export type Syntax = 'explicit-le' | 'implicit-le' | 'explicit-be' | 'deflated';

export const syntaxUid: Record<Syntax, string> = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'implicit-le': '1.2.840.10008.1.2',
  'explicit-be': '1.2.840.10008.1.2.2',
  deflated: '1.2.840.10008.1.2.1.99',
};

export interface El {
  tag: number;
  vr: string;
  /** Text (latin1 bytes), raw bytes, US numbers, or items for SQ. */
  value: string | Buffer | number[] | El[][];
  undefinedLength?: boolean;
}

const longVrs = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

interface Encoding {
  explicit: boolean;
  little: boolean;
}

function u16(n: number, little: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (little) b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return b;
}
function u32(n: number, little: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (little) b.writeUInt32LE(n);
  else b.writeUInt32BE(n);
  return b;
}

function valueBytes(el: El, enc: Encoding): Buffer {
  const { value, vr } = el;
  if (Buffer.isBuffer(value))
    return value.length % 2
      ? Buffer.concat([value, Buffer.from([vr === 'UI' || vr === 'OB' || vr === 'UN' ? 0 : 0x20])])
      : value;
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'latin1');
    return b.length % 2 ? Buffer.concat([b, Buffer.from([vr === 'UI' ? 0 : 0x20])]) : b;
  }
  if (vr === 'SQ') throw new Error('items are encoded by encodeElement');
  return Buffer.concat(
    (value as number[]).map((n) => (vr === 'UL' ? u32(n, enc.little) : u16(n, enc.little))),
  );
}

function header(tag: number, vr: string, length: number, enc: Encoding): Buffer {
  const parts = [u16(tag >>> 16, enc.little), u16(tag & 0xffff, enc.little)];
  if (!enc.explicit) return Buffer.concat([...parts, u32(length, enc.little)]);
  parts.push(Buffer.from(vr, 'latin1'));
  if (longVrs.has(vr)) parts.push(Buffer.alloc(2), u32(length, enc.little));
  else parts.push(u16(length, enc.little));
  return Buffer.concat(parts);
}

export function encodeElements(elements: El[], enc: Encoding): Buffer {
  return Buffer.concat([...elements].sort((a, b) => a.tag - b.tag).map((el) => encodeElement(el, enc)));
}

function encodeElement(el: El, enc: Encoding): Buffer {
  if (el.vr === 'SQ') {
    const items = (el.value as El[][]).map((item) => {
      const body = encodeElements(item, enc);
      return el.undefinedLength
        ? Buffer.concat([
            u16(0xfffe, enc.little),
            u16(0xe000, enc.little),
            u32(0xffffffff, enc.little),
            body,
            u16(0xfffe, enc.little),
            u16(0xe00d, enc.little),
            u32(0, enc.little),
          ])
        : Buffer.concat([
            u16(0xfffe, enc.little),
            u16(0xe000, enc.little),
            u32(body.length, enc.little),
            body,
          ]);
    });
    const content = Buffer.concat(items);
    if (el.undefinedLength) {
      return Buffer.concat([
        header(el.tag, 'SQ', 0xffffffff, enc),
        content,
        u16(0xfffe, enc.little),
        u16(0xe0dd, enc.little),
        u32(0, enc.little),
      ]);
    }
    return Buffer.concat([header(el.tag, 'SQ', content.length, enc), content]);
  }
  const value = valueBytes(el, enc);
  return Buffer.concat([header(el.tag, el.vr, value.length, enc), value]);
}

export function buildDicom(elements: El[], syntax: Syntax = 'explicit-le', metaExtra: El[] = []): Buffer {
  const sopClass = elements.find((el) => el.tag === 0x00080016)?.value as string | undefined;
  const sopInstance = elements.find((el) => el.tag === 0x00080018)?.value as string | undefined;
  const metaEnc = { explicit: true, little: true };
  const meta = encodeElements(
    [
      { tag: 0x00020001, vr: 'OB', value: Buffer.from([0, 1]) },
      { tag: 0x00020002, vr: 'UI', value: sopClass ?? '1.2.840.10008.5.1.4.1.1.7' },
      { tag: 0x00020003, vr: 'UI', value: sopInstance ?? '1.2.3.4' },
      { tag: 0x00020010, vr: 'UI', value: syntaxUid[syntax] },
      { tag: 0x00020012, vr: 'UI', value: '1.2.3.999' },
      ...metaExtra,
    ],
    metaEnc,
  );
  const groupLength = encodeElement({ tag: 0x00020000, vr: 'UL', value: [meta.length] }, metaEnc);
  const enc = { explicit: syntax !== 'implicit-le', little: syntax !== 'explicit-be' };
  let dataset = encodeElements(elements, enc);
  if (syntax === 'deflated') dataset = zlib.deflateRawSync(dataset);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, meta, dataset]);
}
