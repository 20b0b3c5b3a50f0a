/**
 * Writing and reading DICOM objects with dcmjs (0.52), with the two things it gets wrong here
 * worked around: text inside sequence items is decoded as Latin-1 whatever the Specific Character
 * Set says (re-decoded below in the dataset's character set), and private tags and the file meta
 * group need to be given explicitly.
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- dcmjs ships no typings; the declaration must follow this module into every program that imports it.
/// <reference path="./dcmjs.d.ts" />
import { TextDecoder } from 'node:util';
import dcmjs from 'dcmjs';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { UNDEFINED_LENGTH, elementHeader, readElementHeader, vrCode } from '../../dicom/element-header.js';

dcmjs.log.setLevel('error');

const { DicomMetaDictionary, DicomDict, DicomMessage } = dcmjs.data;

export type Dataset = Record<string, unknown>;

/** RadLabel's implementation identification in the file meta group. */
export const IMPLEMENTATION_CLASS_UID = '2.25.95217462397612375432114570112397610721';
export const IMPLEMENTATION_VERSION = 'RADLABEL_01';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export function newUid(): string {
  return DicomMetaDictionary.uid();
}

/** A Part 10 file of a naturalized dataset, UTF-8 (SpecificCharacterSet ISO_IR 192). */
export function writePart10(dataset: Dataset): Uint8Array {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset['SOPClassUID'],
    MediaStorageSOPInstanceUID: dataset['SOPInstanceUID'],
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION,
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset({ ...dataset, SpecificCharacterSet: 'ISO_IR 192' });
  return new Uint8Array(dict.write({ allowInvalidVRLength: true }));
}

/** Sequences nested deeper than this are refused (an SR's content tree is ~6 deep; sr-read allows 50). */
export const MAX_SEQUENCE_DEPTH = 64;
/** Sequence items in one file (an SR of 200,000 content items has ~400,000 with their codes). */
export const MAX_SEQUENCE_ITEMS = 1_000_000;

const damaged = (detail: string) =>
  new AppError(ErrorCode.Malformed, `This DICOM file is damaged and cannot be read (${detail}).`);

/**
 * Walks the file's elements once, without recursion and without decoding a value, before dcmjs
 * reads it: every element and item must end inside its item and inside the file, sequences nest
 * at most MAX_SEQUENCE_DEPTH deep and hold at most MAX_SEQUENCE_ITEMS items. dcmjs trusts the
 * lengths it reads (an element claiming more than the file holds, e.g. a VR changed to one with a
 * 4-byte length, grew an array until V8 aborted the process) and recurses into sequences (5,000
 * nested items took 20 s); both are refused here with a clear error instead. Big endian and
 * deflated data sets are left to dcmjs (it reads them whole; their lengths are not walked here).
 */
export function checkPart10Structure(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;
  const magic = size >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM';
  let at = magic ? 132 : 0;
  const header = elementHeader();
  // The file meta group: explicit VR little endian; its transfer syntax says how the rest is read.
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
  if (syntax === '1.2.840.10008.1.2.2' || syntax === '1.2.840.10008.1.2.1.99') return;
  const explicit = syntax !== '1.2.840.10008.1.2';
  // Open sequences and items: where each ends (size for an undefined length, closed by its delimiter).
  const open: Array<{ item: boolean; end: number; delimited: boolean; fragments?: boolean }> = [];
  let items = 0;
  const limit = () => open[open.length - 1]?.end ?? size;
  while (at < limit() || (open.length > 0 && at === limit())) {
    const top = open[open.length - 1];
    if (top && at === top.end) {
      // A sequence or item of defined length ends here.
      if (top.delimited) throw damaged('a sequence has no end');
      open.pop();
      continue;
    }
    // A few bytes after the last element at the top level (padding some writers leave) are ignored.
    if (!top && at + 8 > size) break;
    if (!readElementHeader(view, at, explicit, header)) throw damaged('an element is cut short');
    const { tag, length, valueOffset } = header;
    if (top && !top.item) {
      // Inside a sequence: items, or its end.
      if (tag === SEQUENCE_DELIMITER && top.delimited) {
        open.pop();
        at = valueOffset;
        continue;
      }
      if (tag !== ITEM) throw damaged('a sequence holds something other than items');
      if (++items > MAX_SEQUENCE_ITEMS) throw damaged('it holds too many sequence items');
      const delimited = length === UNDEFINED_LENGTH;
      if (!delimited && valueOffset + length > top.end) throw damaged('an item runs past its sequence');
      if (top.fragments) {
        // A fragment of encapsulated Pixel Data: bytes, not elements.
        if (delimited) throw damaged('a pixel data fragment has no length');
        at = valueOffset + length;
        continue;
      }
      open.push({ item: true, end: delimited ? top.end : valueOffset + length, delimited });
      at = valueOffset;
      continue;
    }
    if (tag === ITEM_DELIMITER) {
      if (!top?.delimited) throw damaged('an item ends where none began');
      open.pop();
      at = valueOffset;
      continue;
    }
    const sequence = explicit
      ? header.vr === SQ || (header.vr === UN && length === UNDEFINED_LENGTH)
      : length === UNDEFINED_LENGTH && tag !== PIXEL_DATA;
    if (sequence || (length === UNDEFINED_LENGTH && tag === PIXEL_DATA)) {
      // Encapsulated Pixel Data is a sequence of fragments (items of defined length) too.
      if (open.filter((o) => !o.item).length >= MAX_SEQUENCE_DEPTH)
        throw damaged(`its sequences nest more than ${MAX_SEQUENCE_DEPTH} deep`);
      const delimited = length === UNDEFINED_LENGTH;
      if (!delimited && valueOffset + length > limit()) throw damaged('a sequence runs past its end');
      open.push({
        item: false,
        end: delimited ? limit() : valueOffset + length,
        delimited,
        fragments: !sequence,
      });
      at = valueOffset;
      continue;
    }
    if (length === UNDEFINED_LENGTH) throw damaged('an element has no length');
    if (valueOffset + length > limit()) throw damaged('an element runs past its end');
    at = valueOffset + length;
  }
}

const ITEM = 0xfffee000;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const SQ = vrCode('SQ');
const UN = vrCode('UN');

/** Reads a Part 10 file into a naturalized dataset (text in sequences decoded in the file's character set). */
export function readPart10(bytes: Uint8Array): Dataset {
  checkPart10Structure(bytes);
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const dict = DicomMessage.readFile(buffer, { ignoreErrors: true });
    const dataset = DicomMetaDictionary.naturalizeDataset(dict.dict);
    const charset = String(dataset['SpecificCharacterSet'] ?? '')
      .split('\\')
      .filter(Boolean);
    const decoder = decoderFor(charset);
    if (decoder)
      for (const [key, value] of Object.entries(dataset))
        if (Array.isArray(value)) dataset[key] = value.map((item) => redecode(item, decoder));
    return dataset;
  } catch (error) {
    // dcmjs throws on what it cannot walk, and its reader and the re-decoding recurse: sequences
    // nested thousands deep end here too (a RangeError), not in the caller.
    throw new AppError(ErrorCode.Malformed, 'This DICOM file is damaged and cannot be read.', {
      cause: error,
    });
  }
}

function decoderFor(terms: string[]): TextDecoder | null {
  const last = (terms[terms.length - 1] ?? '').trim().toUpperCase();
  if (last === 'ISO_IR 192') return new TextDecoder('utf-8', { fatal: true });
  if (last === 'GB18030' || last === 'GBK') return new TextDecoder('gb18030', { fatal: true });
  return null;
}

/** dcmjs decodes strings in sequence items as Latin-1: turn them back into bytes and decode properly. */
function redecode(value: unknown, decoder: TextDecoder): unknown {
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex
    if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value;
    try {
      return decoder.decode(Buffer.from(value, 'latin1'));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((item) => redecode(item, decoder));
  if (value && typeof value === 'object' && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = key === '_vrMap' ? item : redecode(item, decoder);
    return out;
  }
  return value;
}

/** The first item of a sequence (dcmjs gives one item as an object, several as an array). */
export function items(value: unknown): Dataset[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Dataset[];
}

export function first(value: unknown): Dataset | undefined {
  return items(value)[0];
}

export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.length > 0 ? text(value[0]) : '';
  if (typeof value === 'object') {
    const name = value as { Alphabetic?: string };
    return name.Alphabetic ?? '';
  }
  return String(value);
}

export function numbersOf(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(Number);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  return String(value).split('\\').map(Number);
}

/** Today's DA and TM for content date/time. */
export function dicomDateTime(date = new Date()): { date: string; time: string } {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return {
    date: `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`,
    time: `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`,
  };
}
