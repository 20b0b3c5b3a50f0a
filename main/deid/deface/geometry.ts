/**
 * One image of a series as the defacer needs it: geometry from the header and the stored
 * values of its single frame (native, or decoded from a compressed syntax), and the value that
 * means air in it.
 */
import type { DicomElement, ParsedDicom } from '../dicom/walker.js';
import { framesOf } from '../engine/pixel-context.js';
import { Tag } from '../engine/tags.js';
import { readNumber, readValue } from '../engine/values.js';
import { decodeEncapsulatedFrames } from '../pixels/decode/index.js';
import { layoutOf, type PixelLayout } from '../pixels/layout.js';
import type { DefaceCut, Point3 } from './types.js';

export const TAG_IMAGE_POSITION = 0x00200032;
export const TAG_IMAGE_ORIENTATION = 0x00200037;
export const TAG_PIXEL_SPACING = 0x00280030;
export const TAG_SLICE_THICKNESS = 0x00180050;
export const TAG_RESCALE_INTERCEPT = 0x00281052;
export const TAG_RESCALE_SLOPE = 0x00281053;
export const TAG_BODY_PART = 0x00180015;
export const TAG_STUDY_DESCRIPTION = 0x00081030;
export const TAG_SERIES_DESCRIPTION = 0x0008103e;

export interface SliceGeometry {
  position: Point3;
  rowDirection: Point3;
  columnDirection: Point3;
  /** Millimetres between rows, between columns. */
  rowSpacing: number;
  columnSpacing: number;
  rows: number;
  columns: number;
}

/** The numbers of a multi-valued decimal string (`a\\b\\c`); what is not a number is left out. */
export function numbers(text: string | undefined): number[] {
  return (text ?? '')
    .split('\\')
    .map((part) => Number(part.trim()))
    .filter((value) => Number.isFinite(value));
}

/** The slice's geometry, or null when the header lacks it. */
export function sliceGeometryOf(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
): SliceGeometry | null {
  const position = numbers(readValue(parsed, original, TAG_IMAGE_POSITION));
  const orientation = numbers(readValue(parsed, original, TAG_IMAGE_ORIENTATION));
  const spacing = numbers(readValue(parsed, original, TAG_PIXEL_SPACING));
  return sliceGeometryFrom(
    position,
    orientation,
    spacing,
    readNumber(parsed, original, Tag.Rows),
    readNumber(parsed, original, Tag.Columns),
  );
}

/**
 * The geometry from Image Position (3 numbers), Image Orientation (6), Pixel Spacing (2), Rows
 * and Columns; null when one is missing.
 */
export function sliceGeometryFrom(
  position: number[],
  orientation: number[],
  spacing: number[],
  rows: number | null | undefined,
  columns: number | null | undefined,
): SliceGeometry | null {
  if (position.length !== 3 || orientation.length !== 6 || spacing.length !== 2 || !rows || !columns)
    return null;
  return {
    position: position as Point3,
    rowDirection: orientation.slice(0, 3) as Point3,
    columnDirection: orientation.slice(3, 6) as Point3,
    rowSpacing: spacing[0]!,
    columnSpacing: spacing[1]!,
    rows,
    columns,
  };
}

export interface Rescale {
  slope: number;
  intercept: number;
}

export function rescaleOf(parsed: ParsedDicom, original: Map<number, DicomElement>): Rescale {
  const slope = Number(readValue(parsed, original, TAG_RESCALE_SLOPE));
  const intercept = Number(readValue(parsed, original, TAG_RESCALE_INTERCEPT));
  return {
    slope: Number.isFinite(slope) && slope !== 0 ? slope : 1,
    intercept: Number.isFinite(intercept) ? intercept : 0,
  };
}

/** Stored value meaning air: −1000 HU through the rescale for CT, 0 for everything else; clamped to the stored range. */
export function airStoredValue(modality: string, rescale: Rescale, layout: PixelLayout): number {
  const modalityValue = modality === 'CT' ? -1000 : 0;
  const stored = Math.round((modalityValue - rescale.intercept) / rescale.slope);
  const bits = layout.bitsStored;
  const min = layout.signed ? -(2 ** (bits - 1)) : 0;
  const max = layout.signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return Math.min(max, Math.max(min, stored));
}

/** One frame's stored values and how they are laid out; null when unsupported. */
export interface StoredFrame {
  layout: PixelLayout;
  /** Native little-endian bytes of the single frame (a copy: safe to modify). */
  bytes: Uint8Array;
  /** True when `bytes` came from decoding a compressed syntax. */
  decoded: boolean;
}

export async function storedFrameOf(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  nativeOverride?: Uint8Array,
): Promise<StoredFrame | { reason: string }> {
  const pixel = original.get(Tag.PixelData);
  if (!pixel || pixel.items) return { reason: 'no pixel data' };
  const value = (tag: number): string => readValue(parsed, original, tag);
  const result = layoutOf({
    rows: readNumber(parsed, original, Tag.Rows),
    columns: readNumber(parsed, original, Tag.Columns),
    samplesPerPixel: readNumber(parsed, original, Tag.SamplesPerPixel) || 1,
    bitsAllocated: readNumber(parsed, original, Tag.BitsAllocated),
    bitsStored: readNumber(parsed, original, Tag.BitsStored),
    pixelRepresentation: readNumber(parsed, original, Tag.PixelRepresentation),
    planarConfiguration: readNumber(parsed, original, Tag.PlanarConfiguration),
    photometricInterpretation: value(Tag.PhotometricInterpretation),
    numberOfFrames: Number(value(Tag.NumberOfFrames)) || 1,
    transferSyntaxUID: parsed.transferSyntaxUID,
  });
  if (!result.ok) return { reason: result.reason };
  let layout = result.layout;
  if (layout.numberOfFrames !== 1) return { reason: 'multi-frame images are not supported for defacing' };
  if (layout.samplesPerPixel !== 1) return { reason: 'colour images are not supported for defacing' };
  if (layout.bigEndian) return { reason: 'big-endian pixel data is not supported for defacing' };
  const length = layout.rows * layout.columns * (layout.bitsAllocated / 8);
  if (nativeOverride)
    return { layout, bytes: new Uint8Array(nativeOverride.subarray(0, length)), decoded: false };
  if (!pixel.fragments) {
    if (pixel.valueLength < length) return { reason: 'pixel data is shorter than the image size' };
    return {
      layout,
      bytes: new Uint8Array(parsed.bytes.subarray(pixel.valueStart, pixel.valueStart + length)),
      decoded: false,
    };
  }
  const decoded = await decodeEncapsulatedFrames(
    framesOf(parsed, original, pixel),
    parsed.transferSyntaxUID,
    layout,
  );
  if (!decoded.ok) return { reason: decoded.reason };
  layout = decoded.layout;
  return { layout, bytes: new Uint8Array(decoded.frames[0]!), decoded: true };
}

/** Reads stored sample i of a native little-endian frame. */
export function sampleAt(frame: StoredFrame, index: number): number {
  const { bytes, layout } = frame;
  if (layout.bitsAllocated === 8) return layout.signed ? (bytes[index]! << 24) >> 24 : bytes[index]!;
  const raw = bytes[2 * index]! | (bytes[2 * index + 1]! << 8);
  return layout.signed ? (raw << 16) >> 16 : raw;
}

function writeSample(frame: StoredFrame, index: number, value: number): void {
  if (frame.layout.bitsAllocated === 8) frame.bytes[index] = value & 0xff;
  else {
    frame.bytes[2 * index] = value & 0xff;
    frame.bytes[2 * index + 1] = (value >> 8) & 0xff;
  }
}

function cross(a: Point3, b: Point3): Point3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function dot(a: Point3, b: Point3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/**
 * The cut as a half-space: a unit normal pointing to the removed (anterior) side and the
 * signed distance of the plane; a point p is removed when dot(p, normal) > offset.
 */
export function cutHalfSpace(cut: DefaceCut): { normal: Point3; offset: number } {
  const along: Point3 = [
    cut.inferior[0] - cut.superior[0],
    cut.inferior[1] - cut.superior[1],
    cut.inferior[2] - cut.superior[2],
  ];
  let normal = cross([1, 0, 0], along);
  const length = Math.hypot(...normal) || 1;
  normal = normal.map((value) => value / length) as Point3;
  // Anterior is −y in patient coordinates (LPS).
  if (normal[1] > 0) normal = normal.map((value) => -value) as Point3;
  return { normal, offset: dot(cut.superior, normal) };
}

/** Sets every pixel of the frame in front of the cut to air; returns how many were set. */
export function maskFrameInFront(
  frame: StoredFrame,
  geometry: SliceGeometry,
  cut: DefaceCut,
  air: number,
): number {
  const { normal, offset } = cutHalfSpace(cut);
  // Distance is linear in (row, column): d = base + column·perColumn + row·perRow.
  const base = dot(geometry.position, normal) - offset;
  const perColumn = dot(geometry.rowDirection, normal) * geometry.columnSpacing;
  const perRow = dot(geometry.columnDirection, normal) * geometry.rowSpacing;
  const { rows, columns } = frame.layout;
  let count = 0;
  for (let row = 0; row < rows; row += 1) {
    const rowBase = base + row * perRow;
    for (let column = 0; column < columns; column += 1) {
      if (rowBase + column * perColumn > 0) {
        writeSample(frame, row * columns + column, air);
        count += 1;
      }
    }
  }
  return count;
}
