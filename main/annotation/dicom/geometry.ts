/**
 * The geometry and identifying attributes of a stored series, read from its files' headers
 * (the catalog keeps only the slice position): ImagePositionPatient, ImageOrientationPatient,
 * PixelSpacing, Rows/Columns and the Frame of Reference, plus the patient and study attributes an
 * SR or SEG copies. Also the conversions between patient coordinates (mm, LPS) and image
 * coordinates as DICOM SCOORD and Cornerstone use them: (0, 0) is the top-left corner of the first
 * pixel, (0.5, 0.5) its centre; x runs along a row (columns), y down the columns (rows).
 */
import fs from 'node:fs';
import dicomParser from 'dicom-parser';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { decodeText, parseSpecificCharacterSet, textKindFor } from '../../dicom/charset.js';
import { readStoredFileSync, readStoredHead } from '../../cache/store-cipher.js';

export type Vec3 = [number, number, number];

export interface SliceGeometry {
  sopInstanceUID: string;
  sopClassUID: string;
  instanceNumber: number | null;
  position: Vec3;
  /** Projection of the position on the slice normal (mm): the sort key. */
  offset: number;
  /** Absolute path of the stored file (pixel reads for NIfTI). */
  file?: string;
  /** This image's own ImageOrientationPatient, Rows, Columns and PixelSpacing (a volume needs them equal). */
  orientation?: number[];
  rows?: number;
  columns?: number;
  pixelSpacing?: number[] | null;
}

export interface SeriesGeometry {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  frameOfReferenceUID: string;
  modality: string;
  rows: number;
  columns: number;
  /** PixelSpacing: [between rows (along a column), between columns (along a row)] in mm. */
  pixelSpacing: [number, number];
  /** Row direction (x grows) then column direction (y grows). */
  rowCosines: Vec3;
  columnCosines: Vec3;
  normal: Vec3;
  /** Along the normal, ascending. */
  slices: SliceGeometry[];
  /** Patient, study and equipment attributes copied into derived objects (decoded text). */
  attributes: Record<string, string>;
  /** SpacingBetweenSlices, else SliceThickness (mm), when given: a single slice's depth. */
  sliceThickness?: number;
}

/** Attributes copied from the source images into an SR or SEG (patient, study, frame of reference). */
export const COPIED_ATTRIBUTES: Record<string, string> = {
  x00100010: 'PatientName',
  x00100020: 'PatientID',
  x00100030: 'PatientBirthDate',
  x00100040: 'PatientSex',
  x0020000d: 'StudyInstanceUID',
  x00080020: 'StudyDate',
  x00080030: 'StudyTime',
  x00080090: 'ReferringPhysicianName',
  x00200010: 'StudyID',
  x00080050: 'AccessionNumber',
  x00081030: 'StudyDescription',
  x00201040: 'PositionReferenceIndicator',
  x00180015: 'BodyPartExamined',
};
const VR_OF: Record<string, string> = {
  PatientName: 'PN',
  ReferringPhysicianName: 'PN',
  PatientID: 'LO',
  StudyDescription: 'LO',
  PositionReferenceIndicator: 'LO',
};

interface ParsedHeader {
  dataSet: dicomParser.DataSet;
  bytes: Uint8Array;
}

function parseHeader(bytes: Uint8Array): ParsedHeader {
  try {
    return { dataSet: dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' }), bytes };
  } catch (error) {
    throw new AppError(ErrorCode.Malformed, 'An image of the series cannot be read as DICOM.', {
      cause: error,
    });
  }
}

function numbers(dataSet: dicomParser.DataSet, tag: string): number[] | null {
  const text = dataSet.string(tag);
  if (!text) return null;
  const values = text.split('\\').map(Number);
  return values.every(Number.isFinite) ? values : null;
}

/** Reads the geometry of one series from its stored files (any order). */
export function readSeriesGeometry(files: readonly string[]): SeriesGeometry {
  if (files.length === 0) throw new AppError(ErrorCode.NotFound, 'The series has no stored images.');
  let first: ParsedHeader | null = null;
  const slices: SliceGeometry[] = [];
  let orientation: number[] | null = null;
  for (const file of files) {
    const header = readHeader(file);
    const { dataSet } = header;
    const position = numbers(dataSet, 'x00200032');
    const iop = numbers(dataSet, 'x00200037');
    if (!position || position.length !== 3 || !iop || iop.length !== 6)
      throw new AppError(
        ErrorCode.Malformed,
        'An image of the series has no position or orientation; it cannot be used for a labelmap or NIfTI.',
      );
    orientation ??= iop;
    first ??= header;
    slices.push({
      sopInstanceUID: dataSet.string('x00080018') ?? '',
      sopClassUID: dataSet.string('x00080016') ?? '',
      instanceNumber: dataSet.intString('x00200013') ?? null,
      position: position as Vec3,
      offset: 0,
      file,
      orientation: iop,
      rows: dataSet.uint16('x00280010') ?? 0,
      columns: dataSet.uint16('x00280011') ?? 0,
      pixelSpacing: numbers(dataSet, 'x00280030'),
    });
  }
  const dataSet = first!.dataSet;
  const rowCosines = orientation!.slice(0, 3) as Vec3;
  const columnCosines = orientation!.slice(3, 6) as Vec3;
  const normal = cross(rowCosines, columnCosines);
  for (const slice of slices) slice.offset = dot(slice.position, normal);
  slices.sort((a, b) => a.offset - b.offset);
  const spacing = numbers(dataSet, 'x00280030') ?? [1, 1];
  const thickness = [numbers(dataSet, 'x00180088')?.[0], numbers(dataSet, 'x00180050')?.[0]].find(
    (v): v is number => v !== undefined && v > 0,
  );
  const terms = parseSpecificCharacterSet(dataSet.string('x00080005'));
  const attributes: Record<string, string> = {};
  for (const [tag, keyword] of Object.entries(COPIED_ATTRIBUTES)) {
    const element = dataSet.elements[tag];
    if (!element || element.length === 0) continue;
    const raw = first!.bytes.subarray(element.dataOffset, element.dataOffset + element.length);
    const vr = VR_OF[keyword] ?? 'SH';
    attributes[keyword] = decodeText(raw, terms, textKindFor(vr)).replace(/[\0 ]+$/, '');
  }
  return {
    studyInstanceUID: dataSet.string('x0020000d') ?? '',
    seriesInstanceUID: dataSet.string('x0020000e') ?? '',
    frameOfReferenceUID: dataSet.string('x00200052') ?? '',
    modality: dataSet.string('x00080060') ?? '',
    rows: dataSet.uint16('x00280010') ?? 0,
    columns: dataSet.uint16('x00280011') ?? 0,
    pixelSpacing: [spacing[0] ?? 1, spacing[1] ?? 1],
    rowCosines,
    columnCosines,
    normal,
    slices,
    attributes,
    ...(thickness !== undefined ? { sliceThickness: thickness } : {}),
  };
}

/** Reads a stored file (the parser stops at Pixel Data). */
/** Headers are read from the first 64 KiB (not the whole, decrypted image); longer ones whole. */
const HEAD_BYTES = 64 * 1024;

function readHeader(file: string): ParsedHeader {
  let head: Buffer;
  let whole = false;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      head = readStoredHead(fd, HEAD_BYTES, size);
      whole = head.length < HEAD_BYTES;
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    throw new AppError(ErrorCode.Io, 'A stored image file cannot be read.', { cause: error });
  }
  if (!whole) {
    try {
      const dataSet = dicomParser.parseDicom(head, { untilTag: 'x7fe00010' });
      // Complete only when the parse reached the pixel data inside the head.
      if (dataSet.elements['x7fe00010']) return { dataSet, bytes: head };
    } catch {
      // The header goes on past the head: read the whole file.
    }
    try {
      head = readStoredFileSync(file);
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'A stored image file cannot be read.', { cause: error });
    }
  }
  return parseHeader(head);
}

export function dot(a: readonly number[], b: readonly number[]): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}

export function cross(a: readonly number[], b: readonly number[]): Vec3 {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

/** Image coordinates [x (column), y (row)] of a patient point on a slice (SCOORD convention). */
export function worldToImage(
  geometry: SeriesGeometry,
  slice: SliceGeometry,
  point: readonly number[],
): [number, number] {
  const d = [point[0]! - slice.position[0], point[1]! - slice.position[1], point[2]! - slice.position[2]];
  return [
    dot(d, geometry.rowCosines) / geometry.pixelSpacing[1] + 0.5,
    dot(d, geometry.columnCosines) / geometry.pixelSpacing[0] + 0.5,
  ];
}

/** The patient point of image coordinates [x, y] on a slice. */
export function imageToWorld(geometry: SeriesGeometry, slice: SliceGeometry, xy: readonly number[]): Vec3 {
  const u = (xy[0]! - 0.5) * geometry.pixelSpacing[1];
  const v = (xy[1]! - 0.5) * geometry.pixelSpacing[0];
  const { rowCosines: r, columnCosines: c } = geometry;
  return [
    slice.position[0] + u * r[0] + v * c[0],
    slice.position[1] + u * r[1] + v * c[1],
    slice.position[2] + u * r[2] + v * c[2],
  ];
}

/** The slice a world point lies on (closest along the normal). */
export function sliceOfPoint(geometry: SeriesGeometry, point: readonly number[]): SliceGeometry {
  const offset = dot(point, geometry.normal);
  let best = geometry.slices[0]!;
  for (const slice of geometry.slices)
    if (Math.abs(slice.offset - offset) < Math.abs(best.offset - offset)) best = slice;
  return best;
}

/** Distance between consecutive slices along the normal (mm); 1 for a single slice. */
export function sliceSpacing(geometry: SeriesGeometry): number {
  const { slices } = geometry;
  if (slices.length < 2) return 1;
  return (slices[slices.length - 1]!.offset - slices[0]!.offset) / (slices.length - 1);
}

export function scale(v: readonly number[], factor: number): Vec3 {
  return [v[0]! * factor, v[1]! * factor, v[2]! * factor];
}
