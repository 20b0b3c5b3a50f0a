/**
 * Reads what the catalog needs from a DICOM Part 10 file without loading the image: dicom-parser
 * stops at Pixel Data (untilTag), and the file is read in growing chunks from its start so a 2 GB
 * multi-frame costs a few hundred kilobytes. A dataset without preamble (with or without its file
 * meta group) is read too, through the Part 10 head raw-dataset.ts puts in front of it. Every failure is an AppError whose code says why
 * (not-dicom, truncated, malformed, too-large) and whose message a radiologist can act on.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import dicomParser from 'dicom-parser';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { decodeText, parseSpecificCharacterSet, type TextKind } from './charset.js';
import { openRegularFile } from '../core/regular-file.js';
import { slicePosition } from './geometry.js';
import { part10Meta } from './element-header.js';
import { part10Head, sniffLayout } from './raw-dataset.js';
import { type PersonName, parsePersonName } from './person-name.js';
import { readStoredHead, storedPlainSize } from '../cache/store-cipher.js';

export const DICOMDIR_SOP_CLASS_UID = '1.2.840.10008.1.3.10';
const DEFLATED_TRANSFER_SYNTAX = '1.2.840.10008.1.2.1.99';
const PIXEL_DATA = 'x7fe00010';
/** Float and Double Float Pixel Data (parametric maps): dicom-parser stops only at PIXEL_DATA, see tryParse. */
const OTHER_PIXEL_DATA = ['x7fe00008', 'x7fe00009'];

/** The first read; most headers (even with private tags) fit. */
const FIRST_READ_BYTES = 256 * 1024;
/** A header larger than this is hostile or broken; real ones are kilobytes to a few megabytes. */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export interface DicomHeader {
  kind: 'image' | 'dicomdir';
  transferSyntaxUID: string;
  sopClassUID: string;
  sopInstanceUID: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  patientId: string;
  patientName: PersonName;
  patientBirthDate: string;
  patientSex: string;
  studyDate: string;
  studyTime: string;
  studyDescription: string;
  accessionNumber: string;
  seriesNumber: number | null;
  modality: string;
  seriesDescription: string;
  bodyPartExamined: string;
  instanceNumber: number | null;
  numberOfFrames: number;
  rows: number | null;
  columns: number | null;
  /** Position along the slice normal in mm (see geometry.ts), or null. */
  slicePosition: number | null;
}

/** Reads the header of the file at `filePath` with bounded reads. */
export function readDicomHeaderFromFile(filePath: string): DicomHeader {
  const { dataSet, size } = readHeaderDataSetFromFile(filePath);
  return extractHeader(dataSet, size);
}

/**
 * The parsed header (every element before Pixel Data, dicom-parser's DataSet) of the file at
 * `filePath`, read as the import reads it: bounded reads, no pixel data, the same leniency. For
 * callers that need attributes the DicomHeader does not carry (main/sync/outbox.ts).
 */
export function readHeaderDataSetFromFile(filePath: string): HeaderDataSet {
  // Never blocks on a named pipe or a device: only regular files are read.
  const { fd, size } = openRegularFile(filePath);
  try {
    // A stored file of an encrypted store is read as its plain bytes (main/cache/store-cipher.ts).
    return readHeaderDataSet((length) => readStoredHead(fd, length, size), storedPlainSize(fd, size));
  } finally {
    fs.closeSync(fd);
  }
}

export interface HeaderDataSet {
  dataSet: dicomParser.DataSet;
  /** The file's size as parsed (with the Part 10 head put in front of a bare dataset). */
  size: number;
}

/**
 * Parses the header from the first bytes of a file. `readFirst(n)` returns the first n bytes (or
 * the whole file when shorter); it is called again with a larger n until the header fits.
 */
export function readDicomHeader(readFirst: (length: number) => Uint8Array, fileSize: number): DicomHeader {
  const { dataSet, size } = readHeaderDataSet(readFirst, fileSize);
  return extractHeader(dataSet, size);
}

function readHeaderDataSet(readFirst: (length: number) => Uint8Array, fileSize: number): HeaderDataSet {
  if (fileSize === 0) throw new AppError(ErrorCode.NotDicom, 'The file is empty.');
  let length = Math.min(FIRST_READ_BYTES, fileSize);
  for (;;) {
    const raw = readFirst(length);
    const complete = raw.length >= fileSize;
    const layout = sniffLayout(raw, fileSize);
    if (!layout) {
      if (raw.length < 12 && !complete) throw new AppError(ErrorCode.Truncated, 'The file is too short.');
      throw new AppError(
        ErrorCode.NotDicom,
        'This file is not DICOM: it has no DICOM file header and does not begin like a DICOM dataset.',
      );
    }
    const head = part10Head(layout);
    const bytes = head.length === 0 ? raw : Buffer.concat([head, raw]);
    const outcome = tryParse(bytes, complete);
    if (outcome.dataSet) return { dataSet: outcome.dataSet, size: fileSize + head.length };
    if (complete) throw outcome.error;
    if (length >= MAX_HEADER_BYTES) {
      throw new AppError(
        ErrorCode.Malformed,
        'The DICOM header of this file is implausibly large; the file is probably damaged.',
      );
    }
    length = Math.min(length * 4, MAX_HEADER_BYTES, fileSize);
  }
}

/** Parses a whole file already in memory (small files, zip entries). */
export function parseDicomHeader(bytes: Uint8Array): DicomHeader {
  if (bytes.length === 0) throw new AppError(ErrorCode.NotDicom, 'The file is empty.');
  return readDicomHeader((length) => bytes.subarray(0, length), bytes.length);
}

type ParseOutcome =
  { dataSet: dicomParser.DataSet; error?: undefined } | { dataSet?: undefined; error: AppError };

function tryParse(bytes: Uint8Array, complete: boolean): ParseOutcome {
  if (!hasPart10Prefix(bytes)) {
    if (bytes.length < 132 && !complete)
      return { error: new AppError(ErrorCode.Truncated, 'The file is too short.') };
    return {
      error: new AppError(
        ErrorCode.NotDicom,
        'This file is not a DICOM file (no DICOM file header). RadLabel imports DICOM Part 10 files as written by scanners and PACS exports.',
      ),
    };
  }
  let parsed = bytes;
  try {
    // A deflated data set comes inflated (withDataSetInflated): dicom-parser's inflater keeps it.
    parsed = withDataSetInflated(bytes);
    const dataSet = dicomParser.parseDicom(parsed, {
      untilTag: PIXEL_DATA,
      inflater: (whole: Uint8Array) => whole,
    });
    // A partial read that ended exactly between two elements parses "successfully": only trust it
    // once Pixel Data was reached or the whole file was read.
    if (!complete && !pixelDataElement(dataSet)) return { error: needMoreBytes() };
    return { dataSet };
  } catch (thrown) {
    // Float pixel data is not a stop tag, so the parser runs into it and past the bytes read; what it
    // parsed up to there is the whole header.
    const partial = (thrown as { dataSet?: dicomParser.DataSet } | null)?.dataSet;
    if (partial && OTHER_PIXEL_DATA.some((tag) => partial.elements[tag])) {
      // The meta header is merged in only on success; its offsets are valid in the same bytes.
      Object.assign(partial.elements, dicomParser.readPart10Header(parsed).elements);
      return { dataSet: partial };
    }
    const message = describeParserError(thrown);
    if (/past end|overrun|overread|beyond|cannot be greater/i.test(message)) {
      return {
        error: complete
          ? new AppError(
              ErrorCode.Truncated,
              'This DICOM file is incomplete: it ends in the middle of its header.',
            )
          : needMoreBytes(),
      };
    }
    if (/meta header attribute 0002,0010/.test(message)) {
      return {
        error: new AppError(
          ErrorCode.Malformed,
          'This DICOM file does not say how it is encoded (no Transfer Syntax UID).',
        ),
      };
    }
    return { error: new AppError(ErrorCode.Malformed, 'This DICOM file is damaged and cannot be read.') };
  }
}

function needMoreBytes(): AppError {
  return new AppError(ErrorCode.Truncated, 'header continues beyond the bytes read');
}

function hasPart10Prefix(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d
  );
}

/**
 * Deflated transfer syntax: the data set after the meta group is raw deflate; the header needs it
 * whole. It is inflated before dicom-parser reads the file, at the meta group's end as part10Meta
 * finds it (the next tag peeked): dicom-parser finds that end by reading the element after the
 * group whole, which for a deflated data set meant reading compressed bytes as an element, and
 * depending on those bytes it refused the file as damaged (a header-only read of the same
 * images' identity failed for 2 in 40 deflated ones). Other files are returned as they are; a
 * meta group part10Meta cannot read is left for dicom-parser to say what is wrong.
 */
function withDataSetInflated(bytes: Uint8Array): Uint8Array {
  let meta: { syntax: string; start: number };
  try {
    meta = part10Meta(bytes);
  } catch {
    return bytes;
  }
  if (meta.syntax !== DEFLATED_TRANSFER_SYNTAX) return bytes;
  const inflated = zlib.inflateRawSync(bytes.subarray(meta.start), { maxOutputLength: MAX_HEADER_BYTES * 4 });
  const whole = Buffer.allocUnsafe(meta.start + inflated.length);
  whole.set(bytes.subarray(0, meta.start), 0);
  whole.set(inflated, meta.start);
  return whole;
}

/** dicom-parser throws strings, Errors and {exception} objects; never log the result (may quote data). */
function describeParserError(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  if (thrown instanceof Error) return thrown.message;
  if (thrown && typeof thrown === 'object' && 'exception' in thrown)
    return describeParserError((thrown as { exception: unknown }).exception);
  return String(thrown);
}

function extractHeader(dataSet: dicomParser.DataSet, fileSize: number): DicomHeader {
  const terms = parseSpecificCharacterSet(asciiValue(dataSet, 'x00080005') ?? undefined);
  const text = (tag: string, kind: TextKind = 'text') => decodedValue(dataSet, tag, terms, kind);
  const transferSyntaxUID = uidValue(dataSet, 'x00020010') ?? '';
  const sopClassUID = uidValue(dataSet, 'x00080016') ?? uidValue(dataSet, 'x00020002') ?? '';
  const base = {
    transferSyntaxUID,
    sopClassUID,
    patientId: text('x00100020'),
    patientName: parsePersonName(text('x00100010', 'pn')),
    patientBirthDate: dateValue(dataSet, 'x00100030'),
    patientSex: asciiValue(dataSet, 'x00100040') ?? '',
    studyDate: dateValue(dataSet, 'x00080020'),
    studyTime: asciiValue(dataSet, 'x00080030') ?? '',
    studyDescription: text('x00081030'),
    accessionNumber: text('x00080050'),
    seriesNumber: integerValue(dataSet, 'x00200011'),
    modality: asciiValue(dataSet, 'x00080060') ?? '',
    seriesDescription: text('x0008103e'),
    bodyPartExamined: asciiValue(dataSet, 'x00180015') ?? '',
    instanceNumber: integerValue(dataSet, 'x00200013'),
    numberOfFrames: Math.max(1, integerValue(dataSet, 'x00280008') ?? 1),
    rows: uint16Value(dataSet, 'x00280010'),
    columns: uint16Value(dataSet, 'x00280011'),
    slicePosition: slicePosition(
      decimalValues(dataSet, 'x00200032', 3),
      decimalValues(dataSet, 'x00200037', 6),
    ),
  };
  if ((uidValue(dataSet, 'x00020002') ?? sopClassUID) === DICOMDIR_SOP_CLASS_UID) {
    return {
      ...base,
      kind: 'dicomdir',
      sopInstanceUID: uidValue(dataSet, 'x00020003') ?? '',
      studyInstanceUID: '',
      seriesInstanceUID: '',
    };
  }
  if (!transferSyntaxUID)
    throw new AppError(
      ErrorCode.Malformed,
      'This DICOM file does not say how it is encoded (no Transfer Syntax UID).',
    );
  const sopInstanceUID = requiredUid(dataSet, 'x00080018', 'SOP Instance UID');
  const studyInstanceUID = requiredUid(dataSet, 'x0020000d', 'Study Instance UID');
  const seriesInstanceUID = requiredUid(dataSet, 'x0020000e', 'Series Instance UID');
  // Deflated files are measured after inflation, so their length says nothing about the file's.
  if (transferSyntaxUID !== DEFLATED_TRANSFER_SYNTAX) checkPixelDataComplete(dataSet, fileSize);
  return { ...base, kind: 'image', sopInstanceUID, studyInstanceUID, seriesInstanceUID };
}

/** Native (uncompressed) pixel data declares its length: a file shorter than that lost its end. */
function checkPixelDataComplete(dataSet: dicomParser.DataSet, fileSize: number): void {
  const pixelData = pixelDataElement(dataSet);
  if (!pixelData || pixelData.hadUndefinedLength) return;
  if (pixelData.dataOffset + pixelData.length > fileSize) {
    throw new AppError(
      ErrorCode.Truncated,
      'This DICOM file is incomplete: its image data is cut off (an interrupted copy or download?).',
    );
  }
}

function pixelDataElement(dataSet: dicomParser.DataSet): dicomParser.Element | undefined {
  return dataSet.elements[PIXEL_DATA] ?? OTHER_PIXEL_DATA.map((tag) => dataSet.elements[tag]).find(Boolean);
}

const UID_PATTERN = /^[0-9]+(\.[0-9]+)*$/;

function requiredUid(dataSet: dicomParser.DataSet, tag: string, name: string): string {
  const value = uidValue(dataSet, tag);
  if (!value)
    throw new AppError(ErrorCode.Malformed, `This DICOM file has no ${name}, so it cannot be filed.`);
  if (value.length > 64 || !UID_PATTERN.test(value)) {
    throw new AppError(ErrorCode.Malformed, `This DICOM file has an invalid ${name}, so it cannot be filed.`);
  }
  return value;
}

function rawBytes(dataSet: dicomParser.DataSet, tag: string): Uint8Array | null {
  const element = dataSet.elements[tag];
  if (!element || element.length === 0 || element.hadUndefinedLength) return null;
  const end = element.dataOffset + element.length;
  if (end > dataSet.byteArray.length) return null;
  return dataSet.byteArray.subarray(element.dataOffset, end);
}

function asciiValue(dataSet: dicomParser.DataSet, tag: string): string | null {
  const bytes = rawBytes(dataSet, tag);
  if (!bytes) return null;
  let out = '';
  for (const byte of bytes)
    out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : byte === 0x5c ? '\\' : '';
  return out.trim();
}

function uidValue(dataSet: dicomParser.DataSet, tag: string): string | null {
  const value = asciiValue(dataSet, tag);
  return value ? value.replace(/\s+/g, '') : null;
}

function decodedValue(
  dataSet: dicomParser.DataSet,
  tag: string,
  terms: readonly string[],
  kind: TextKind,
): string {
  const bytes = rawBytes(dataSet, tag);
  return bytes ? decodeText(bytes, terms, kind).trim() : '';
}

/** DA as YYYYMMDD, or '' when absent or not a date (the old ACR-NEMA "YYYY.MM.DD" is converted). */
function dateValue(dataSet: dicomParser.DataSet, tag: string): string {
  const value = (asciiValue(dataSet, tag) ?? '').replace(/\./g, '');
  return /^\d{8}$/.test(value) ? value : '';
}

function integerValue(dataSet: dicomParser.DataSet, tag: string): number | null {
  const value = asciiValue(dataSet, tag)?.split('\\')[0]?.trim();
  if (!value || !/^[+-]?\d+$/.test(value)) return null;
  const parsed = Number.parseInt(value, 10);
  return Number.isSafeInteger(parsed) && Math.abs(parsed) < 2 ** 31 ? parsed : null;
}

function uint16Value(dataSet: dicomParser.DataSet, tag: string): number | null {
  const element = dataSet.elements[tag];
  if (!element || element.length < 2) return null;
  try {
    return dataSet.uint16(tag) ?? null;
  } catch {
    return null;
  }
}

function decimalValues(dataSet: dicomParser.DataSet, tag: string, count: number): number[] | null {
  const value = asciiValue(dataSet, tag);
  if (!value) return null;
  const numbers = value.split('\\').map((part) => Number(part.trim()));
  if (numbers.length !== count || numbers.some((n) => !Number.isFinite(n))) return null;
  return numbers;
}
