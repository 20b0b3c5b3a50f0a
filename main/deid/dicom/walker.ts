/**
 * A defensive DICOM walker that records where every element, item and fragment sits in the
 * input, so the rewriter can copy unchanged byte ranges and re-encode only what changes.
 *
 * Why not dicom-parser: it loses the position of element headers, guesses implicit-VR
 * sequences heuristically for public tags, and keeps going on broken lengths with a warning.
 * Here every length is bounded by its container, nesting is capped, and a broken file fails
 * with one AppError instead of producing a half-understood dataset.
 */
import zlib from 'node:zlib';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { sniffLayout } from '../../dicom/raw-dataset.js';
import { dictionaryVr } from './dictionary.js';
import { LONG_VRS } from '../../dicom/element-header.js';

export const TransferSyntax = {
  ImplicitLittle: '1.2.840.10008.1.2',
  ExplicitLittle: '1.2.840.10008.1.2.1',
  Deflated: '1.2.840.10008.1.2.1.99',
  ExplicitBig: '1.2.840.10008.1.2.2',
} as const;

export interface Encoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

export interface DicomItem {
  /** Offset of the item tag. */
  start: number;
  /** Offset after the item (after its delimiter when it had undefined length). */
  end: number;
  undefinedLength: boolean;
  elements: DicomElement[];
}

export interface DicomElement {
  tag: number;
  vr: string;
  /** Offset of the tag. */
  start: number;
  valueStart: number;
  /** Bytes of the value (without delimiters); for sequences, the bytes of the items. */
  valueLength: number;
  /** Offset after the element, delimiters included. */
  end: number;
  undefinedLength: boolean;
  items?: DicomItem[];
  /** Encapsulated pixel data: each fragment's value range (the first is the offset table). */
  fragments?: Array<{ start: number; length: number }>;
}

export interface ParsedDicom {
  /** The bytes the offsets refer to: the input, or the inflated input for deflated syntax. */
  bytes: Uint8Array;
  /** Offset where the dataset (after the file meta) begins in `bytes`. */
  datasetStart: number;
  meta: DicomElement[];
  dataset: DicomElement[];
  transferSyntaxUID: string;
  encoding: Encoding;
}

export interface WalkLimits {
  maxDepth: number;
  maxElements: number;
}

const defaultLimits: WalkLimits = { maxDepth: 32, maxElements: 2_000_000 };
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;

function malformed(message: string): AppError {
  return new AppError(ErrorCode.Malformed, message);
}
function truncated(): AppError {
  return new AppError(ErrorCode.Truncated, 'The file ends before its declared content.');
}

class Walker {
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  #elementCount = 0;

  constructor(
    bytes: Uint8Array,
    readonly encoding: Encoding,
    readonly limits: WalkLimits,
  ) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u16(offset: number, little = this.encoding.littleEndian): number {
    return this.#view.getUint16(offset, little);
  }
  u32(offset: number, little = this.encoding.littleEndian): number {
    return this.#view.getUint32(offset, little);
  }
  tagAt(offset: number, little = this.encoding.littleEndian): number {
    return ((this.u16(offset, little) << 16) | this.u16(offset + 2, little)) >>> 0;
  }

  /** Elements from `offset` until `limit`, or until an item delimiter when `limit` is undefined-length. */
  dataset(
    offset: number,
    limit: number,
    depth: number,
    untilItemEnd: boolean,
  ): { elements: DicomElement[]; end: number } {
    if (depth > this.limits.maxDepth) throw malformed('Sequences are nested deeper than any real object.');
    const elements: DicomElement[] = [];
    let position = offset;
    let previousTag = -1;
    while (position < limit) {
      if (position + 8 > limit) throw truncated();
      const tag = this.tagAt(position);
      if (tag === ITEM_END) {
        if (!untilItemEnd) throw malformed('An item delimiter appears outside an item.');
        return { elements, end: position + 8 };
      }
      if (tag === SEQUENCE_END || tag === ITEM)
        throw malformed('A sequence delimiter appears outside a sequence.');
      const element = this.element(position, limit, depth);
      // Out-of-order tags are tolerated (some writers do it) but duplicates of the previous tag are not.
      if (element.tag === previousTag) throw malformed('An attribute appears twice in a row.');
      previousTag = element.tag;
      elements.push(element);
      position = element.end;
      if (++this.#elementCount > this.limits.maxElements)
        throw malformed('The file has more attributes than any real object.');
    }
    if (untilItemEnd) throw truncated();
    return { elements, end: position };
  }

  element(start: number, limit: number, depth: number): DicomElement {
    const tag = this.tagAt(start);
    let vr: string;
    let length: number;
    let valueStart: number;
    if (this.encoding.explicitVr) {
      vr = String.fromCharCode(this.#bytes[start + 4]!, this.#bytes[start + 5]!);
      if (!/^[A-Z]{2}$/.test(vr)) throw malformed('An attribute has an invalid value representation.');
      if (LONG_VRS.has(vr)) {
        if (start + 12 > limit) throw truncated();
        length = this.u32(start + 8);
        valueStart = start + 12;
      } else {
        length = this.u16(start + 6);
        valueStart = start + 8;
      }
    } else {
      length = this.u32(start + 4);
      valueStart = start + 8;
      vr = this.implicitVr(tag, valueStart, length, limit);
    }
    const undefinedLength = length === UNDEFINED;
    if (undefinedLength) {
      if (tag === PIXEL_DATA && vr !== 'SQ') return this.encapsulated(tag, vr, start, valueStart, limit);
      if (vr === 'SQ' || vr === 'UN')
        return this.sequence(tag, start, valueStart, undefined, limit, depth, vr === 'UN');
      throw malformed('An attribute other than a sequence has an undefined length.');
    }
    const end = valueStart + length;
    if (end > limit) throw truncated();
    if (vr === 'SQ') return this.sequence(tag, start, valueStart, end, limit, depth, false);
    return { tag, vr, start, valueStart, valueLength: length, end, undefinedLength: false };
  }

  implicitVr(tag: number, valueStart: number, length: number, limit: number): string {
    const known = dictionaryVr(tag);
    if (known) return known;
    // Private or unknown: a sequence if its value is made of items (or has undefined length).
    if (length === UNDEFINED) return 'SQ';
    if (length >= 8 && valueStart + 8 <= limit && this.tagAt(valueStart) === ITEM) {
      const itemLength = this.u32(valueStart + 4);
      if (itemLength === UNDEFINED || itemLength + 8 <= length) return 'SQ';
    }
    return 'UN';
  }

  sequence(
    tag: number,
    start: number,
    valueStart: number,
    definedEnd: number | undefined,
    limit: number,
    depth: number,
    unknownVr: boolean,
  ): DicomElement {
    // UN with undefined length is encoded as implicit VR little endian (PS3.5 6.2.2).
    const inner = unknownVr
      ? new Walker(this.#bytes, { explicitVr: false, littleEndian: true }, this.limits)
      : this;
    const items: DicomItem[] = [];
    const stop = definedEnd ?? limit;
    let position = valueStart;
    for (;;) {
      if (definedEnd !== undefined && position === definedEnd) break;
      if (position + 8 > stop) throw truncated();
      const itemTag = inner.tagAt(position);
      const itemLength = inner.u32(position + 4);
      if (itemTag === SEQUENCE_END) {
        if (definedEnd !== undefined) throw malformed('A sequence of defined length has a delimiter.');
        const end = position + 8;
        return {
          tag,
          vr: unknownVr ? 'UN' : 'SQ',
          start,
          valueStart,
          valueLength: position - valueStart,
          end,
          undefinedLength: true,
          items,
        };
      }
      if (itemTag !== ITEM) throw malformed('A sequence holds something other than items.');
      const itemStart = position;
      if (itemLength === UNDEFINED) {
        const { elements, end } = inner.dataset(position + 8, stop, depth + 1, true);
        items.push({ start: itemStart, end, undefinedLength: true, elements });
        position = end;
      } else {
        const itemEnd = position + 8 + itemLength;
        if (itemEnd > stop) throw truncated();
        const { elements } = inner.dataset(position + 8, itemEnd, depth + 1, false);
        items.push({ start: itemStart, end: itemEnd, undefinedLength: false, elements });
        position = itemEnd;
      }
      this.#elementCount += 1;
    }
    return {
      tag,
      vr: 'SQ',
      start,
      valueStart,
      valueLength: definedEnd - valueStart,
      end: definedEnd,
      undefinedLength: false,
      items,
    };
  }

  encapsulated(tag: number, vr: string, start: number, valueStart: number, limit: number): DicomElement {
    const fragments: Array<{ start: number; length: number }> = [];
    let position = valueStart;
    for (;;) {
      if (position + 8 > limit) throw truncated();
      const itemTag = this.tagAt(position);
      const length = this.u32(position + 4);
      if (itemTag === SEQUENCE_END) {
        return {
          tag,
          vr,
          start,
          valueStart,
          valueLength: position - valueStart,
          end: position + 8,
          undefinedLength: true,
          fragments,
        };
      }
      if (itemTag !== ITEM || length === UNDEFINED)
        throw malformed('The compressed pixel data is not a list of fragments.');
      if (position + 8 + length > limit) throw truncated();
      fragments.push({ start: position + 8, length });
      position += 8 + length;
      if (fragments.length > 10_000_000) throw malformed('The compressed pixel data has too many fragments.');
    }
  }
}

function asciiValue(bytes: Uint8Array, element: DicomElement): string {
  let text = '';
  for (let i = element.valueStart; i < element.valueStart + element.valueLength; i += 1)
    text += String.fromCharCode(bytes[i]!);
  return text.replace(/[\0 ]+$/, '').trim();
}

/**
 * Some writers leave the transfer syntax out of the meta. The first dataset element says which
 * little-endian form follows: two uppercase letters where explicit VR puts its VR.
 */
function guessSyntax(input: Uint8Array, position: number): string {
  if (position + 8 > input.length) throw malformed('The file meta information has no transfer syntax.');
  const vr = String.fromCharCode(input[position + 4]!, input[position + 5]!);
  return /^(AE|AS|AT|CS|D[AST]|F[DL]|IS|L[OT]|O[BDFLVW]|PN|S[HLQST]|SV|T[M]|U[CILNRST]|UV)$/.test(vr)
    ? TransferSyntax.ExplicitLittle
    : TransferSyntax.ImplicitLittle;
}

/**
 * Parses a DICOM object: a Part 10 file (preamble, "DICM", the file meta group, then the dataset),
 * the meta group and dataset without the preamble, or a bare dataset (see
 * main/dicom/raw-dataset.ts for what is recognised). The writer always writes a Part 10 file.
 */
export function parseDicomFile(input: Uint8Array, limits: WalkLimits = defaultLimits): ParsedDicom {
  const layout = sniffLayout(input, input.length);
  if (layout === null || input.length < (layout.kind === 'part10' ? 132 + 12 : 12)) {
    throw new AppError(
      ErrorCode.NotDicom,
      'This file is not DICOM: it has no DICOM file header and does not begin like a DICOM dataset.',
    );
  }
  const metaWalker = new Walker(input, { explicitVr: true, littleEndian: true }, limits);
  const meta: DicomElement[] = [];
  let position = layout.kind === 'part10' ? 132 : layout.kind === 'prefix-without-preamble' ? 4 : 0;
  while (layout.kind !== 'dataset' && position + 8 <= input.length && metaWalker.u16(position) === 0x0002) {
    const element = metaWalker.element(position, input.length, 0);
    meta.push(element);
    position = element.end;
  }
  const syntaxElement = meta.find((element) => element.tag === 0x00020010);
  const transferSyntaxUID =
    layout.kind === 'dataset'
      ? layout.transferSyntaxUID
      : syntaxElement
        ? asciiValue(input, syntaxElement)
        : guessSyntax(input, position);
  let bytes = input;
  let datasetStart = position;
  if (transferSyntaxUID === TransferSyntax.Deflated) {
    try {
      const inflated = zlib.inflateRawSync(input.subarray(position), { maxOutputLength: 2 ** 31 - 1 });
      bytes = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
      datasetStart = 0;
    } catch (cause) {
      throw new AppError(ErrorCode.Malformed, 'The deflated dataset could not be inflated.', { cause });
    }
  }
  const encoding: Encoding = {
    explicitVr: transferSyntaxUID !== TransferSyntax.ImplicitLittle,
    littleEndian: transferSyntaxUID !== TransferSyntax.ExplicitBig,
  };
  const walker = new Walker(bytes, encoding, limits);
  const { elements } = walker.dataset(datasetStart, bytes.length, 0, false);
  return { bytes, datasetStart, meta, dataset: elements, transferSyntaxUID, encoding };
}
