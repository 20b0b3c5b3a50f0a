/**
 * Writing and reading DICOM objects with dcmjs (0.52), with the two things it gets wrong here
 * worked around: text inside sequence items is decoded as Latin-1 whatever the Specific Character
 * Set says (re-decoded below in the dataset's character set), and private tags and the file meta
 * group need to be given explicitly.
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- dcmjs ships no typings; the declaration must follow this module into every program that imports it.
/// <reference path="./dcmjs.d.ts" />
import { TextDecoder } from 'node:util';
import zlib from 'node:zlib';
import dcmjs from 'dcmjs';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import {
  type ElementHeader,
  UNDEFINED_LENGTH,
  elementHeader,
  part10Meta,
  readElementHeader,
  vrCode,
} from '../../dicom/element-header.js';

export { part10Meta };

dcmjs.log.setLevel('error');

const { DicomMetaDictionary, DicomDict, DicomMessage, ReadBufferStream, ValueRepresentation } = dcmjs.data;

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
/**
 * The most bytes a deflated data set may inflate to. Deflate shrinks runs of one byte about
 * 1,000-fold, so a file of a few hundred kilobytes can claim gigabytes (a deflate bomb); inflating
 * stops here. A large deflated SEG (1,000 frames of 512×512, 8-bit) is ~260 MB.
 */
export const MAX_INFLATED_BYTES = 512 * 2 ** 20;

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';

const damaged = (detail: string) =>
  new AppError(ErrorCode.Malformed, `This DICOM file is damaged and cannot be read (${detail}).`);

/** A Part 10 file's layout: where its data set starts and how it is encoded. */
export interface Part10Layout {
  /** The Transfer Syntax UID of the file meta group ('' without one). */
  syntax: string;
  /**
   * The file's bytes; for a deflated data set, the bytes before it followed by it inflated (the
   * layout dicom-parser's `inflater` returns), so offsets are the same for every syntax.
   */
  bytes: Uint8Array;
  /** Where the data set's first element starts in `bytes`. */
  start: number;
  explicit: boolean;
  littleEndian: boolean;
}

/**
 * The file's layout (part10Meta), a deflated data set inflated with a bounded output: a deflate
 * bomb or a broken deflate stream is refused with a clear message before anything else is
 * allocated.
 */
export function part10Layout(bytes: Uint8Array): Part10Layout {
  const { syntax, start } = part10Meta(bytes);
  if (syntax === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) {
    let inflated: Buffer;
    try {
      inflated = zlib.inflateRawSync(bytes.subarray(start), { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new AppError(
          ErrorCode.TooLarge,
          `This DICOM file's deflated data set inflates to more than ${MAX_INFLATED_BYTES / 2 ** 20} MB; it is not read.`,
        );
      throw damaged('its deflated data set cannot be inflated');
    }
    const whole = new Uint8Array(start + inflated.length);
    whole.set(bytes.subarray(0, start));
    whole.set(inflated, start);
    return { syntax, bytes: whole, start, explicit: true, littleEndian: true };
  }
  return {
    syntax,
    bytes,
    start,
    explicit: syntax !== IMPLICIT_VR_LITTLE_ENDIAN,
    littleEndian: syntax !== EXPLICIT_VR_BIG_ENDIAN,
  };
}

/** What a reader is told as the walk goes (offsets in the layout's bytes). */
interface WalkVisitor {
  /** An element with a value (not a sequence), its header at `at`, its value ending at `end`. */
  element(at: number, end: number): void;
  /** A sequence opens (its header at `at`). */
  sequence(at: number): void;
  item(): void;
  itemEnd(): void;
  sequenceEnd(): void;
  /**
   * An element read whole by dcmjs, not item by item (encapsulated Pixel Data, a UN of undefined
   * length): its header at `at`, told once the walk has checked all of it.
   */
  opaque(at: number, end: number): void;
}

interface Open {
  item: boolean;
  end: number;
  delimited: boolean;
  fragments: boolean;
  /** Read whole by dcmjs: the header of its outermost element, or -1. */
  opaqueAt: number;
}

/**
 * Walks the data set's elements once, without recursion and without decoding a value: every
 * element and item must end inside its item and inside the file, sequences nest at most
 * MAX_SEQUENCE_DEPTH deep and hold at most MAX_SEQUENCE_ITEMS items. Every transfer syntax is
 * walked in its own byte order (a deflated data set after part10Layout inflated it, bounded).
 */
function walkPart10(layout: Part10Layout, visit?: WalkVisitor): void {
  const { bytes, explicit, littleEndian } = layout;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;
  const header = elementHeader();
  const sequenceTags = explicit ? null : dictionarySequenceTags();
  const open: Open[] = [];
  let sequences = 0;
  let items = 0;
  let at = layout.start;
  const limit = () => open[open.length - 1]?.end ?? size;
  const close = () => {
    const done = open.pop()!;
    if (!done.item) sequences--;
    if (done.opaqueAt >= 0) {
      // The outermost element read whole: dcmjs reads it now that all of it was walked.
      if (open.length === 0 || open[open.length - 1]!.opaqueAt < 0) visit?.opaque(done.opaqueAt, -1);
    } else if (done.item) visit?.itemEnd();
    else visit?.sequenceEnd();
  };
  while (at < limit() || (open.length > 0 && at === limit())) {
    const top = open[open.length - 1];
    if (top && at === top.end) {
      // A sequence or item of defined length ends here.
      if (top.delimited) throw damaged('a sequence has no end');
      close();
      continue;
    }
    // A few bytes after the last element at the top level (padding some writers leave) are ignored.
    if (!top && at + 8 > size) break;
    if (!readElementHeaderAsDcmjs(view, at, explicit, header, littleEndian))
      throw damaged('an element is cut short');
    const { tag, length, valueOffset } = header;
    if (top && !top.item) {
      // Inside a sequence: items, or its end.
      if (tag === SEQUENCE_DELIMITER && top.delimited) {
        close();
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
      open.push({
        item: true,
        end: delimited ? top.end : valueOffset + length,
        delimited,
        fragments: false,
        opaqueAt: top.opaqueAt,
      });
      if (top.opaqueAt < 0) visit?.item();
      at = valueOffset;
      continue;
    }
    if (tag === ITEM_DELIMITER) {
      if (!top?.delimited) throw damaged('an item ends where none began');
      close();
      at = valueOffset;
      continue;
    }
    // Items and delimiters belong in sequences (dcmjs would read one here as an element of any length).
    if (tag >>> 16 === 0xfffe) throw damaged('an item or delimiter is out of place');
    const undefinedLength = length === UNDEFINED_LENGTH;
    const unknown = explicit && header.vr === UN && undefinedLength;
    const sequence = explicit
      ? header.vr === SQ || unknown
      : (undefinedLength && tag !== PIXEL_DATA) || sequenceTags!.has(tag);
    if (sequence || (undefinedLength && tag === PIXEL_DATA)) {
      // Encapsulated Pixel Data is a sequence of fragments (items of defined length) too.
      if (sequences >= MAX_SEQUENCE_DEPTH)
        throw damaged(`its sequences nest more than ${MAX_SEQUENCE_DEPTH} deep`);
      if (!undefinedLength && valueOffset + length > limit()) throw damaged('a sequence runs past its end');
      const inOpaque = top?.opaqueAt ?? -1;
      const opaqueAt = inOpaque >= 0 ? inOpaque : !sequence || unknown ? at : -1;
      open.push({
        item: false,
        end: undefinedLength ? limit() : valueOffset + length,
        delimited: undefinedLength,
        fragments: !sequence,
        opaqueAt,
      });
      sequences++;
      if (opaqueAt < 0) visit?.sequence(at);
      at = valueOffset;
      continue;
    }
    if (undefinedLength) throw damaged('an element has no length');
    if (valueOffset + length > limit()) throw damaged('an element runs past its end');
    if ((top?.opaqueAt ?? -1) < 0) visit?.element(at, valueOffset + length);
    at = valueOffset + length;
  }
  if (open.length > 0) throw damaged('a sequence has no end');
}

/**
 * Walks the file's elements once, without recursion and without decoding a value, before dcmjs
 * reads it (walkPart10's bounds). dcmjs trusts the lengths it reads (an element claiming more than
 * the file holds, e.g. a VR changed to one with a 4-byte length, grew an array until V8 aborted
 * the process) and recurses into sequences (5,000 nested items took 20 s); both are refused here
 * with a clear error instead. Returns the layout (a deflated data set inflated, bounded).
 */
export function checkPart10Structure(bytes: Uint8Array): Part10Layout {
  const layout = part10Layout(bytes);
  walkPart10(layout);
  return layout;
}

/**
 * VRs with a 2-byte length (PS3.5 Table 7.1-2). Any other VR, one the standard may add or a
 * damaged one, has a 4-byte length after 2 reserved bytes (PS3.5 7.1.2), as dcmjs reads it: the
 * walk and dcmjs must agree on every length (dcmjs allocates what it reads).
 */
const SHORT_VRS: ReadonlySet<number> = new Set(
  [
    'AE',
    'AS',
    'AT',
    'CS',
    'DA',
    'DS',
    'DT',
    'FL',
    'FD',
    'IS',
    'LO',
    'LT',
    'PN',
    'SH',
    'SL',
    'SS',
    'ST',
    'TM',
    'UI',
    'UL',
    'US',
  ].map(vrCode),
);

/**
 * readElementHeader (in the data set's byte order), with every VR not in SHORT_VRS read with a
 * 4-byte length.
 */
function readElementHeaderAsDcmjs(
  view: DataView,
  at: number,
  explicit: boolean,
  into: ElementHeader,
  littleEndian: boolean,
): boolean {
  if (!readElementHeader(view, at, explicit, into, littleEndian)) return false;
  if (explicit && into.tag >>> 16 !== 0xfffe && into.valueOffset === at + 8 && !SHORT_VRS.has(into.vr)) {
    if (at + 12 > view.byteLength) return false;
    into.length = view.getUint32(at + 8, littleEndian);
    into.valueOffset = at + 12;
  }
  return true;
}

let sequenceTagSet: Set<number> | null = null;
/** Tags the dictionary gives the VR SQ (an implicit VR data set names its sequences only there). */
function dictionarySequenceTags(): Set<number> {
  if (!sequenceTagSet) {
    sequenceTagSet = new Set();
    for (const [key, entry] of Object.entries(DicomMetaDictionary.dictionary)) {
      const match = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(key);
      if (match && entry.vr === 'SQ')
        sequenceTagSet.add(((Number.parseInt(match[1]!, 16) << 16) | Number.parseInt(match[2]!, 16)) >>> 0);
    }
  }
  return sequenceTagSet;
}

const ITEM = 0xfffee000;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const SPECIFIC_CHARACTER_SET = '00080005';
const SQ = vrCode('SQ');
const UN = vrCode('UN');

type DicomJson = Record<string, { vr: string; Value?: unknown[]; _rawValue?: unknown }>;

/**
 * Reads a Part 10 file into a naturalized dataset. The walk above gives the structure (sequences
 * and items, without recursion, every syntax in its byte order) and dcmjs reads each element's
 * value where it lies, from one stream over the file, in the same DICOM JSON form its own reader
 * builds; dcmjs then naturalizes it. dcmjs's own reader made a stream (and a copy of the bytes) for
 * every sequence item and scanned each item of undefined length for its end once per level it
 * nests in: 2.8 s for an SR of 100,000 content items. Text in sequences is decoded in the
 * dataset's character set (dcmjs's reader decoded it as Latin-1 there).
 */
export function readPart10(bytes: Uint8Array): Dataset {
  // A Part 10 file: a preamble and the DICM prefix first (dcmjs's reader needed them too).
  if (bytes.length < 132 || String.fromCharCode(...bytes.subarray(128, 132)) !== 'DICM')
    throw damaged('it has no DICM prefix');
  const layout = part10Layout(bytes);
  const syntax =
    layout.syntax === IMPLICIT_VR_LITTLE_ENDIAN || layout.syntax === EXPLICIT_VR_BIG_ENDIAN
      ? layout.syntax
      : EXPLICIT_VR_LITTLE_ENDIAN;
  const whole = layout.bytes;
  const view = new DataView(whole.buffer, whole.byteOffset, whole.byteLength);
  const stream = new ReadBufferStream(
    whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength) as ArrayBuffer,
  );
  const root: DicomJson = {};
  // Where values go: the data set or item being read, and the sequence being read.
  const datasets: DicomJson[] = [root];
  const sequences: unknown[][] = [];
  let topLevel = '';
  const value = (at: number, end: number) => {
    stream.offset = at;
    let element;
    try {
      element = DicomMessage._readTag(stream, syntax);
    } catch (error) {
      throw new ValueUnread(error);
    }
    // dcmjs read the header the walk read (belt and braces: the walk bounded this length).
    if (end >= 0 && stream.offset !== end) throw damaged('an element is not where its header says');
    const tag = element.tag.toCleanString();
    const entry: DicomJson[string] = ValueRepresentation.addTagAccessors({ vr: element.vr.type });
    entry.Value = element.values;
    entry._rawValue = element.rawValues;
    if (datasets.length === 1) {
      topLevel = tag;
      if (tag === SPECIFIC_CHARACTER_SET) {
        // The data set's character set decodes all its text from here on (as dcmjs's reader does
        // at the top level; its values are JavaScript strings now, written back as UTF-8).
        const own = new ReadBufferStream(Uint8Array.prototype.slice.call(whole, at, stream.offset).buffer);
        DicomMessage._read(own, syntax, { ignoreErrors: true });
        stream.setDecoder(own.decoder);
        if (entry.Value.length > 0) entry.Value = ['ISO_IR 192'];
      }
    }
    datasets[datasets.length - 1]![tag] = entry;
  };
  try {
    walkPart10(layout, {
      element: value,
      opaque: value,
      sequence(at) {
        const little = layout.littleEndian;
        const tag = ((view.getUint16(at, little) << 16) | view.getUint16(at + 2, little)) >>> 0;
        const key = tag.toString(16).toUpperCase().padStart(8, '0');
        const items: unknown[] = [];
        const entry: DicomJson[string] = ValueRepresentation.addTagAccessors({ vr: 'SQ' });
        entry.Value = items;
        if (datasets.length === 1) topLevel = key;
        datasets[datasets.length - 1]![key] = entry;
        sequences.push(items);
      },
      item() {
        const item: DicomJson = {};
        sequences[sequences.length - 1]!.push(item);
        datasets.push(item);
      },
      itemEnd() {
        datasets.pop();
      },
      sequenceEnd() {
        sequences.pop();
      },
    });
  } catch (error) {
    if (!(error instanceof ValueUnread)) throw error;
    // The rest of the structure is walked all the same: a damaged file is refused, not cut short.
    walkPart10(layout);
    // A value dcmjs cannot read ends the data set there, without the top-level element it is in,
    // as dcmjs's reader ends it (the structure was walked whole: the file is not cut short).
    if (datasets.length > 1) delete root[topLevel];
  }
  try {
    return DicomMetaDictionary.naturalizeDataset(root);
  } catch (error) {
    throw new AppError(ErrorCode.Malformed, 'This DICOM file is damaged and cannot be read.', {
      cause: error,
    });
  }
}

class ValueUnread extends Error {
  constructor(cause: unknown) {
    super('a value dcmjs cannot read', { cause });
  }
}

/**
 * The file read by dcmjs's own reader (after the same walk), its text in sequences re-decoded in
 * the file's character set: what readPart10 did before it read values where they lie. Tests
 * compare the two.
 */
export function readPart10Whole(bytes: Uint8Array): Dataset {
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
