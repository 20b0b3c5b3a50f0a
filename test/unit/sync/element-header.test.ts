/**
 * One reader of Part 10 element headers (main/dicom/element-header.ts), used by the retrieval's
 * SOP Instance UID (main/sync/dicomweb-client.ts) and the SEG's per-frame groups
 * (main/annotation/dicom/seg-parse.ts), with one list of the explicit VRs whose length has 4 bytes.
 * Checked against dicom-parser on real files: explicit and implicit VR, sequences of undefined
 * length, encapsulated pixel data, and big values.
 */
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import {
  type ElementHeader,
  LONG_VRS,
  UNDEFINED_LENGTH,
  elementHeader,
  readElementHeader,
  viewOf,
  vrCode,
} from '../../../main/dicom/element-header.js';
import { ensureCtSeries } from '../../fixtures/index.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;

function read(view: DataView, at: number, explicit: boolean): ElementHeader {
  const header = elementHeader();
  if (!readElementHeader(view, at, explicit, header)) throw new Error(`no header at ${at}`);
  return header;
}

/** Past a sequence (or encapsulated pixel data) of undefined length: its items, then its delimiter. */
function skipItems(view: DataView, at: number, explicit: boolean): number {
  for (;;) {
    const item = read(view, at, explicit);
    if (item.tag === SEQUENCE_END) return item.valueOffset;
    expect(item.tag).toBe(ITEM);
    at =
      item.length === UNDEFINED_LENGTH
        ? walk(view, item.valueOffset, explicit, () => undefined, true)
        : item.valueOffset + item.length;
  }
}

/** The elements from `at` (a data set, or an item up to its delimiter); `seen` gets each header. */
function walk(
  view: DataView,
  at: number,
  explicit: boolean,
  seen: (header: ElementHeader) => void,
  inItem = false,
): number {
  while (at < view.byteLength) {
    const header = read(view, at, explicit);
    if (inItem && header.tag === ITEM_END) return header.valueOffset;
    seen({ ...header });
    at =
      header.length === UNDEFINED_LENGTH
        ? skipItems(view, header.valueOffset, explicit)
        : header.valueOffset + header.length;
  }
  return at;
}

/** Every top-level element of a little endian Part 10 file, with where its value lies. */
function topLevel(bytes: Uint8Array): { syntax: string; headers: ElementHeader[] } {
  const view = viewOf(bytes);
  const headers: ElementHeader[] = [];
  let at = 132;
  let syntax = '';
  while (view.getUint16(at, true) === 0x0002) {
    const header = read(view, at, true);
    if (header.tag === 0x00020010)
      syntax = Buffer.from(bytes.subarray(header.valueOffset, header.valueOffset + header.length))
        .toString('latin1')
        .replace(/[\0 ]+$/, '');
    headers.push({ ...header });
    at = header.valueOffset + header.length;
  }
  walk(view, at, syntax !== '1.2.840.10008.1.2', (header) => headers.push(header));
  return { syntax, headers };
}

const tagKey = (tag: number) => `x${tag.toString(16).padStart(8, '0')}`;

describe('Part 10 element headers, one reader', () => {
  const big = ensureCtSeries({ slices: 1, size: 512, seed: 'element-header-big' }).files[0]!;
  const files = [
    ['explicit VR little endian', path.join(PYDICOM, 'CT_small.dcm')],
    ['implicit VR little endian', path.join(PYDICOM, 'MR_small_implicit.dcm')],
    ['sequences of undefined length', path.join(PYDICOM, 'rtplan.dcm')],
    ['a waveform (long OB/OW values in sequences)', path.join(PYDICOM, 'waveform_ecg.dcm')],
    ['encapsulated pixel data (RLE)', path.join(PYDICOM, 'MR_small_RLE.dcm')],
    ['a multi-frame segmentation', path.join(PYDICOM, 'liver_1frame.dcm')],
    ['a 512 × 512 CT (a 512 KiB value)', big],
  ] as const;

  for (const [what, file] of files)
    it(`finds every element where dicom-parser does: ${what}`, () => {
      const bytes = new Uint8Array(fs.readFileSync(file));
      const { headers } = topLevel(bytes);
      const parsed = dicomParser.parseDicom(bytes);
      expect(headers.map((header) => tagKey(header.tag)).sort()).toEqual(Object.keys(parsed.elements).sort());
      for (const header of headers) {
        const element = parsed.elements[tagKey(header.tag)]!;
        expect(header.valueOffset, tagKey(header.tag)).toBe(element.dataOffset);
        if (header.length !== UNDEFINED_LENGTH)
          expect(header.length, tagKey(header.tag)).toBe(element.length);
        else expect(element.hadUndefinedLength).toBe(true);
      }
      if (file === big) expect(headers.at(-1)).toMatchObject({ tag: 0x7fe00010, length: 512 * 512 * 2 });
    });

  it('reads the 4-byte length of every long VR, unsigned (values past 2 and 4 GiB of a big file)', () => {
    for (const vr of LONG_VRS) {
      const bytes = Buffer.alloc(12);
      bytes.writeUInt16LE(0x7fe0, 0);
      bytes.writeUInt16LE(0x0010, 2);
      bytes.write(vr, 4, 'latin1');
      bytes.writeUInt32LE(0xf0000000, 8);
      expect(read(viewOf(bytes), 0, true), vr).toEqual({
        tag: 0x7fe00010,
        vr: vrCode(vr),
        length: 0xf0000000,
        valueOffset: 12,
      });
    }
    expect([...LONG_VRS].sort()).toEqual(
      ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'].sort(),
    );
  });

  it('reads a short VR’s 2-byte length, an implicit header’s 4 bytes, and items without a VR', () => {
    const explicit = Buffer.from([0x08, 0x00, 0x18, 0x00, 0x55, 0x49, 0x04, 0x00, 0x31, 0x2e, 0x32, 0x00]);
    expect(read(viewOf(explicit), 0, true)).toEqual({
      tag: 0x00080018,
      vr: vrCode('UI'),
      length: 4,
      valueOffset: 8,
    });
    const implicit = Buffer.from([0x08, 0x00, 0x18, 0x00, 0x04, 0x00, 0x01, 0x00]);
    expect(read(viewOf(implicit), 0, false)).toEqual({
      tag: 0x00080018,
      vr: 0,
      length: 65540,
      valueOffset: 8,
    });
    const item = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]);
    expect(read(viewOf(item), 0, true)).toEqual({
      tag: ITEM,
      vr: 0,
      length: UNDEFINED_LENGTH,
      valueOffset: 8,
    });
  });

  it('says so when the bytes end inside a header', () => {
    const header = elementHeader();
    const long = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0x00, 0x00, 0x00, 0x00]);
    expect(readElementHeader(viewOf(long), 0, true, header)).toBe(false);
    expect(readElementHeader(viewOf(long.subarray(0, 7)), 0, false, header)).toBe(false);
    expect(readElementHeader(viewOf(long.subarray(0, 8)), 0, false, header)).toBe(true);
  });
});
