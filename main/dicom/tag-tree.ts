/**
 * Every attribute of one DICOM object as the tag browser shows it: file meta and dataset in file
 * order, each sequence followed by its items and their attributes (rows point at their parent),
 * private data elements with the Private Creator of their block, values decoded in the character
 * set in force where they sit (SpecificCharacterSet of the dataset, or of the item that has its
 * own, PS3.5 §6.1.2.5.4) by the one decoder (charset.ts).
 *
 * Bounded: a value is shown up to 256 characters (its byte length is always given), binary
 * values over 1 KiB and pixel data only as their byte count, at most 100,000 rows. The structure
 * comes from the defensive walker the de-identification engine uses (bounded lengths, nesting
 * capped, implicit VR by the PS3.6 dictionary, UN sequences, deflate, big endian).
 */
import { createRequire } from 'node:module';
import type { DicomTagRow, InstanceTags } from '../../shared/contract.js';
import { keywordOf, tagKey } from '../deid/dicom/dictionary.js';
import { type DicomElement, parseDicomFile } from '../deid/dicom/walker.js';
import { decodeText, parseSpecificCharacterSet, textKindFor } from './charset.js';

export const MAX_VALUE_CHARS = 256;
export const MAX_ROWS = 100_000;
/** Binary values (OB, OW, OF, …, UN) larger than this are bulk data: only their size is shown. */
export const BULK_BYTES = 1024;

const SPECIFIC_CHARACTER_SET = 0x00080005;
const PIXEL_REPRESENTATION = 0x00280103;
// The raw PS3.6 VRs (dcmjs's dictionary), for the "US or SS" attributes of implicit-VR objects.
const dictionary = (
  createRequire(import.meta.url)('dcmjs') as {
    data: { DicomMetaDictionary: { dictionary: Record<string, { vr: string } | undefined> } };
  }
).data.DicomMetaDictionary.dictionary;
const PIXEL_DATA_TAGS = new Set([0x7fe00008, 0x7fe00009, 0x7fe00010]);
/** Text whose bytes follow SpecificCharacterSet. */
const CHARSET_VRS = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
/** Text in the default repertoire. */
const ASCII_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR']);
const NUMBER_VRS: Record<
  string,
  { size: number; read: (view: DataView, at: number, le: boolean) => string }
> = {
  US: { size: 2, read: (v, at, le) => String(v.getUint16(at, le)) },
  SS: { size: 2, read: (v, at, le) => String(v.getInt16(at, le)) },
  UL: { size: 4, read: (v, at, le) => String(v.getUint32(at, le)) },
  SL: { size: 4, read: (v, at, le) => String(v.getInt32(at, le)) },
  FL: { size: 4, read: (v, at, le) => float32(v.getFloat32(at, le)) },
  FD: { size: 8, read: (v, at, le) => String(v.getFloat64(at, le)) },
  SV: { size: 8, read: (v, at, le) => String(v.getBigInt64(at, le)) },
  UV: { size: 8, read: (v, at, le) => String(v.getBigUint64(at, le)) },
  OF: { size: 4, read: (v, at, le) => float32(v.getFloat32(at, le)) },
  OD: { size: 8, read: (v, at, le) => String(v.getFloat64(at, le)) },
  OL: { size: 4, read: (v, at, le) => String(v.getUint32(at, le)) },
  OV: { size: 8, read: (v, at, le) => String(v.getBigUint64(at, le)) },
  AT: {
    size: 4,
    read: (v, at, le) => tagKey(((v.getUint16(at, le) << 16) | v.getUint16(at + 2, le)) >>> 0),
  },
};

interface Scope {
  terms: string[];
  littleEndian: boolean;
  depth: number;
  parent: number | null;
}

/** The rows of a DICOM object held in memory (a Part 10 file, or a dataset alone). */
export function instanceTagRows(input: Uint8Array): Omit<InstanceTags, 'sopInstanceUID'> {
  const parsed = parseDicomFile(input);
  const { bytes } = parsed;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows: DicomTagRow[] = [];
  let omitted = 0;
  const push = (row: DicomTagRow): number | null => {
    if (rows.length >= MAX_ROWS) {
      omitted += 1;
      return null;
    }
    rows.push(row);
    return rows.length - 1;
  };

  const valueOf = (
    element: DicomElement,
    vr: string,
    scope: Scope,
  ): Pick<DicomTagRow, 'value' | 'truncated' | 'bulk'> => {
    const { valueStart, valueLength } = element;
    const raw = bytes.subarray(valueStart, valueStart + valueLength);
    if (element.fragments || PIXEL_DATA_TAGS.has(element.tag))
      return { value: '', truncated: false, bulk: true };
    let text: string;
    if (CHARSET_VRS.has(vr))
      // ASCII without escape sequences reads the same in every DICOM character set.
      text = isPlainAscii(raw)
        ? latin1(raw).replace(/[\0 ]+$/, '')
        : decodeText(raw, scope.terms, textKindFor(vr));
    else if (ASCII_VRS.has(vr)) text = latin1(raw).replace(/[\0 ]+$/, '');
    else if (NUMBER_VRS[vr] && !(vr.startsWith('O') && valueLength > BULK_BYTES)) {
      const { size, read } = NUMBER_VRS[vr];
      const values: string[] = [];
      let length = 0;
      for (let at = 0; at + size <= valueLength && length <= MAX_VALUE_CHARS; at += size) {
        const shown = read(view, valueStart + at, scope.littleEndian);
        values.push(shown);
        length += shown.length + 1;
      }
      text = values.join('\\');
      if (values.length * size < valueLength) text += '\\…';
    } else if (valueLength > BULK_BYTES) {
      return { value: '', truncated: false, bulk: true };
    } else if (vr === 'UN' && isPrintable(raw)) {
      // Private text stored without its VR (implicit VR files, or written as UN).
      text = latin1(raw).replace(/[\0 ]+$/, '');
    } else if (vr === 'OW') {
      const words: string[] = [];
      for (let at = 0; at + 2 <= valueLength; at += 2)
        words.push(
          view
            .getUint16(valueStart + at, scope.littleEndian)
            .toString(16)
            .padStart(4, '0'),
        );
      text = words.join('\\');
    } else {
      text = Array.from(raw, (byte) => byte.toString(16).padStart(2, '0')).join('\\');
    }
    return text.length > MAX_VALUE_CHARS
      ? { value: text.slice(0, MAX_VALUE_CHARS), truncated: true, bulk: false }
      : { value: text, truncated: false, bulk: false };
  };

  // Implicit VR: "US or SS" attributes follow PixelRepresentation, as DCMTK reads them.
  const pixelRepresentation = parsed.dataset.find((element) => element.tag === PIXEL_REPRESENTATION);
  const signed =
    pixelRepresentation !== undefined &&
    pixelRepresentation.valueLength === 2 &&
    view.getUint16(pixelRepresentation.valueStart, parsed.encoding.littleEndian) === 1;
  const vrOf = (element: DicomElement): string =>
    !parsed.encoding.explicitVr && dictionary[tagKey(element.tag)]?.vr === 'xs'
      ? signed
        ? 'SS'
        : 'US'
      : element.vr;

  const walk = (elements: DicomElement[], scope: Scope): void => {
    // An item (or the dataset) with its own SpecificCharacterSet decodes its text with it.
    const own = elements.find((element) => element.tag === SPECIFIC_CHARACTER_SET && !element.items);
    const terms = own
      ? parseSpecificCharacterSet(latin1(bytes.subarray(own.valueStart, own.valueStart + own.valueLength)))
      : scope.terms;
    const here: Scope = { ...scope, terms };
    const creators = privateCreators(elements, bytes);
    for (const element of elements) {
      const group = element.tag >>> 16;
      const low = element.tag & 0xffff;
      const isPrivate = group % 2 === 1;
      const creator =
        isPrivate && low >= 0x1000 ? (creators.get((group << 8) | (low >>> 8)) ?? '') : undefined;
      const base = {
        tag: tagKey(element.tag),
        keyword: isPrivate && low >= 0x1000 ? '' : keyword(element.tag),
        depth: here.depth,
        parent: here.parent,
        length: element.valueLength,
        ...(creator !== undefined ? { creator } : {}),
      };
      if (element.items) {
        const index = push({
          ...base,
          vr: element.vr,
          kind: 'sequence',
          value: '',
          truncated: false,
          bulk: false,
          items: element.items.length,
        });
        if (index === null) continue;
        // UN of undefined length holds implicit VR little endian items (PS3.5 6.2.2).
        const littleEndian = element.vr === 'UN' ? true : here.littleEndian;
        element.items.forEach((item) => {
          const itemIndex = push({
            tag: '(FFFE,E000)',
            keyword: 'Item',
            vr: '',
            kind: 'item',
            depth: here.depth + 1,
            parent: index,
            length: item.end - item.start - 8 - (item.undefinedLength ? 8 : 0),
            value: '',
            truncated: false,
            bulk: false,
          });
          if (itemIndex === null) return;
          walk(item.elements, { terms, littleEndian, depth: here.depth + 2, parent: itemIndex });
        });
        continue;
      }
      const vr = vrOf(element);
      push({ ...base, vr, kind: 'element', ...valueOf(element, vr, here) });
    }
  };

  const top: Scope = { terms: [''], littleEndian: true, depth: 0, parent: null };
  walk(parsed.meta, top);
  walk(parsed.dataset, { ...top, littleEndian: parsed.encoding.littleEndian });
  const charsetElement = parsed.dataset.find((element) => element.tag === SPECIFIC_CHARACTER_SET);
  const characterSet = charsetElement
    ? latin1(
        bytes.subarray(charsetElement.valueStart, charsetElement.valueStart + charsetElement.valueLength),
      )
        .replace(/[\0 ]+$/, '')
        .trim()
    : '';
  return { transferSyntaxUID: parsed.transferSyntaxUID, characterSet, rows, omitted };
}

const keywords = new Map<number, string>();
/** keywordOf, remembered (a sequence of thousands of items repeats a few tags). */
function keyword(tag: number): string {
  let known = keywords.get(tag);
  if (known === undefined) {
    known = keywordOf(tag);
    keywords.set(tag, known);
  }
  return known;
}

function isPlainAscii(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte >= 0x80 || byte === 0x1b) return false;
  return true;
}

/** Private creators of one dataset by block: (gggg << 8 | xx) → creator (trailing spaces removed). */
function privateCreators(elements: DicomElement[], bytes: Uint8Array): Map<number, string> {
  const creators = new Map<number, string>();
  for (const element of elements) {
    const group = element.tag >>> 16;
    const low = element.tag & 0xffff;
    if (group % 2 === 1 && low >= 0x10 && low <= 0xff && !element.items)
      creators.set(
        (group << 8) | low,
        latin1(bytes.subarray(element.valueStart, element.valueStart + element.valueLength)).replace(
          /[\0 ]+$/,
          '',
        ),
      );
  }
  return creators;
}

/** A float32 in its shortest form that reads back the same (0.3, not 0.30000001192092896). */
function float32(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 1; digits < 9; digits += 1) {
    const shown = Number(value.toPrecision(digits));
    if (Math.fround(shown) === value) return String(shown);
  }
  return String(Number(value.toPrecision(9)));
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Printable ASCII with trailing padding: text stored without a VR. */
function isPrintable(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end -= 1;
  for (let i = 0; i < end; i += 1) {
    const byte = bytes[i]!;
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  return true;
}
