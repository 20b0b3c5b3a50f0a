/**
 * The series as the automatic surface needs it: every slice's geometry and its stored values
 * turned into modality values (HU for CT), ordered from head to feet. Only stacks of axial
 * single-frame images are read (the surface is found on their mid-sagittal line).
 */
import fs from 'node:fs';
import dicomParser from 'dicom-parser';
import { parseDicomFile } from '../dicom/walker.js';
import { Tag } from '../engine/tags.js';
import { readValue, topLevel } from '../engine/values.js';
import {
  rescaleOf,
  sampleAt,
  numbers,
  sliceGeometryFrom,
  sliceGeometryOf,
  storedFrameOf,
  TAG_BODY_PART,
  TAG_SERIES_DESCRIPTION,
  TAG_SLICE_THICKNESS,
  TAG_STUDY_DESCRIPTION,
  type SliceGeometry,
} from './geometry.js';
import { readStoredFileSync, readStoredHead } from '../../cache/store-cipher.js';

export interface SeriesHeader {
  seriesInstanceUID: string;
  modality: string;
  bodyPart: string;
  studyDescription: string;
  seriesDescription: string;
  sliceThickness: number | null;
}

export interface VolumeSlice {
  file: string;
  geometry: SliceGeometry;
  /**
   * Modality values (HU for CT), row by row: 16-bit integers when the rescale keeps them whole
   * and within ±32767 (every CT and MR series seen so far: half the memory of 32-bit values),
   * else 32-bit floats.
   */
  values: Int16Array | Float32Array;
}

export interface HeadVolume {
  header: SeriesHeader;
  /** Superior first (decreasing z). */
  slices: VolumeSlice[];
  /** Millimetres between neighbouring slices (median). */
  sliceSpacing: number;
}

/** Why the volume could not be read, for the reader; no PHI. */
export class VolumeUnreadable extends Error {}

const PIXEL_DATA = 'x7fe00010';
const FIRST_READ_BYTES = 64 * 1024;

/** The header from the file's first 64 KiB (dicom-parser up to Pixel Data); null when that is not enough. */
function quickHeader(file: string): (SeriesHeader & { geometry: SliceGeometry | null }) | null {
  let bytes: Buffer;
  const fd = fs.openSync(file, 'r');
  try {
    bytes = readStoredHead(fd, FIRST_READ_BYTES);
  } finally {
    fs.closeSync(fd);
  }
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, { untilTag: PIXEL_DATA });
  } catch {
    return null;
  }
  if (!dataSet.elements[PIXEL_DATA]) return null;
  const text = (tag: string): string => (dataSet.string(tag) ?? '').trim();
  const thickness = Number(text('x00180050'));
  return {
    seriesInstanceUID: text('x0020000e'),
    modality: text('x00080060').toUpperCase(),
    bodyPart: text('x00180015'),
    studyDescription: text('x00081030'),
    seriesDescription: text('x0008103e'),
    sliceThickness: text('x00180050') && Number.isFinite(thickness) ? thickness : null,
    geometry: sliceGeometryFrom(
      numbers(dataSet.string('x00200032')),
      numbers(dataSet.string('x00200037')),
      numbers(dataSet.string('x00280030')),
      dataSet.uint16('x00280010'),
      dataSet.uint16('x00280011'),
    ),
  };
}

/** What detection needs from one file's header: read from its first 64 KiB when it can be. */
export function headerOfFile(file: string): SeriesHeader & { geometry: SliceGeometry | null } {
  const quick = quickHeader(file);
  if (quick) return quick;
  const parsed = parseDicomFile(readStoredFileSync(file));
  const original = topLevel(parsed);
  const value = (tag: number): string => readValue(parsed, original, tag);
  const thickness = Number(value(TAG_SLICE_THICKNESS));
  return {
    seriesInstanceUID: value(Tag.SeriesInstanceUID),
    modality: value(Tag.Modality).toUpperCase(),
    bodyPart: value(TAG_BODY_PART),
    studyDescription: value(TAG_STUDY_DESCRIPTION),
    seriesDescription: value(TAG_SERIES_DESCRIPTION),
    sliceThickness: value(TAG_SLICE_THICKNESS) && Number.isFinite(thickness) ? thickness : null,
    geometry: sliceGeometryOf(parsed, original),
  };
}

/** True when the slices are axial: their normal runs along the patient's feet–head axis. */
export function isAxial(geometry: SliceGeometry): boolean {
  const [r, c] = [geometry.rowDirection, geometry.columnDirection];
  const normalZ = r[0] * c[1] - r[1] * c[0];
  return Math.abs(normalZ) > 0.9;
}

/**
 * A slice's modality values at the stored bit depth when they fit: a whole-number rescale of
 * values that stay within Int16 (checked value by value; one outside turns the slice to floats).
 */
export function modalityValues(
  frame: Parameters<typeof sampleAt>[0],
  rescale: { slope: number; intercept: number },
  count: number,
): Int16Array | Float32Array {
  if (Number.isInteger(rescale.slope) && Number.isInteger(rescale.intercept)) {
    const whole = new Int16Array(count);
    let index = 0;
    for (; index < count; index += 1) {
      const value = sampleAt(frame, index) * rescale.slope + rescale.intercept;
      if (value < -32768 || value > 32767) break;
      whole[index] = value;
    }
    if (index === count) return whole;
  }
  const values = new Float32Array(count);
  for (let index = 0; index < count; index += 1)
    values[index] = sampleAt(frame, index) * rescale.slope + rescale.intercept;
  return values;
}

export async function loadHeadVolume(files: readonly string[]): Promise<HeadVolume> {
  const slices: VolumeSlice[] = [];
  let header: SeriesHeader | null = null;
  for (const file of files) {
    const parsed = parseDicomFile(readStoredFileSync(file));
    const original = topLevel(parsed);
    const value = (tag: number): string => readValue(parsed, original, tag);
    const geometry = sliceGeometryOf(parsed, original);
    if (!geometry) throw new VolumeUnreadable('an image of the series has no position or orientation');
    if (!isAxial(geometry)) throw new VolumeUnreadable('the automatic surface needs axial slices');
    const frame = await storedFrameOf(parsed, original);
    if ('reason' in frame) throw new VolumeUnreadable(frame.reason);
    const values = modalityValues(frame, rescaleOf(parsed, original), geometry.rows * geometry.columns);
    if (!header) {
      const thickness = Number(value(TAG_SLICE_THICKNESS));
      header = {
        seriesInstanceUID: value(Tag.SeriesInstanceUID),
        modality: value(Tag.Modality).toUpperCase(),
        bodyPart: value(TAG_BODY_PART),
        studyDescription: value(TAG_STUDY_DESCRIPTION),
        seriesDescription: value(TAG_SERIES_DESCRIPTION),
        sliceThickness: Number.isFinite(thickness) && value(TAG_SLICE_THICKNESS) ? thickness : null,
      };
    }
    slices.push({ file, geometry, values });
  }
  if (!header || slices.length < 3) throw new VolumeUnreadable('the series has fewer than three images');
  slices.sort((a, b) => b.geometry.position[2] - a.geometry.position[2]);
  const gaps = slices
    .slice(1)
    .map((slice, index) => Math.abs(slices[index]!.geometry.position[2] - slice.geometry.position[2]))
    .sort((a, b) => a - b);
  return { header, slices, sliceSpacing: gaps[Math.floor(gaps.length / 2)]! };
}
