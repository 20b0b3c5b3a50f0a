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

/** Reads a Part 10 file into a naturalized dataset (text in sequences decoded in the file's character set). */
export function readPart10(bytes: Uint8Array): Dataset {
  let dataset: Dataset;
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const dict = DicomMessage.readFile(buffer, { ignoreErrors: true });
    dataset = DicomMetaDictionary.naturalizeDataset(dict.dict);
  } catch (error) {
    throw new AppError(ErrorCode.Malformed, 'This DICOM file is damaged and cannot be read.', {
      cause: error,
    });
  }
  const charset = String(dataset['SpecificCharacterSet'] ?? '')
    .split('\\')
    .filter(Boolean);
  const decoder = decoderFor(charset);
  if (decoder)
    for (const [key, value] of Object.entries(dataset))
      if (Array.isArray(value)) dataset[key] = value.map((item) => redecode(item, decoder));
  return dataset;
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
