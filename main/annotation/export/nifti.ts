/**
 * NIfTI-1 (.nii.gz) of a series and of its labelmaps, written by hand (348-byte header, no
 * maintained JS writer exists). Geometry: voxel (i, j, k) = (column, row, slice in ascending
 * position along the slice normal); DICOM's patient coordinates are LPS, NIfTI's RAS, so the first
 * two rows of the affine are negated. The same affine goes in the sform and the qform (code 1,
 * scanner anatomical), so every reader (nibabel, ITK-SNAP, 3D Slicer, nnU-Net) places the volume
 * the same way. Images keep their stored integers with the rescale as scl_slope/scl_inter when
 * every slice has the same rescale; otherwise they are written rescaled as float32.
 */
import zlib from 'node:zlib';
import dicomParser from 'dicom-parser';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { type SeriesGeometry, sliceSpacing } from '../dicom/geometry.js';
import { readStoredFileSync } from '../../cache/store-cipher.js';

export type Matrix4 = number[][];

/** The voxel → RAS (mm) affine of a series. */
export function rasAffine(geometry: SeriesGeometry): Matrix4 {
  const { rowCosines: r, columnCosines: c, pixelSpacing, slices } = geometry;
  const first = slices[0]!.position;
  const last = slices[slices.length - 1]!.position;
  const n = slices.length;
  const step =
    n > 1
      ? [0, 1, 2].map((a) => (last[a]! - first[a]!) / (n - 1))
      : geometry.normal.map((v) => v * sliceSpacing(geometry));
  const lps = [0, 1, 2].map((a) => [r[a]! * pixelSpacing[1], c[a]! * pixelSpacing[0], step[a]!, first[a]!]);
  return [lps[0]!.map((v) => -v), lps[1]!.map((v) => -v), lps[2]!, [0, 0, 0, 1]];
}

export type NiftiData = Int16Array | Uint16Array | Uint8Array | Float32Array;

const DATATYPE = new Map<unknown, [number, number]>([
  [Uint8Array, [2, 8]],
  [Int16Array, [4, 16]],
  [Float32Array, [16, 32]],
  [Uint16Array, [512, 16]],
]);

/** Quaternion parameters of the rotation part (nifti1_io's nifti_mat44_to_quatern). */
function quaternion(affine: Matrix4): { b: number; c: number; d: number; qfac: number; spacing: number[] } {
  const col = (j: number) => [affine[0]![j]!, affine[1]![j]!, affine[2]![j]!];
  const spacing = [0, 1, 2].map((j) => Math.hypot(...col(j)) || 1);
  const R = [0, 1, 2].map((i) => [0, 1, 2].map((j) => affine[i]![j]! / spacing[j]!));
  const det =
    R[0]![0]! * (R[1]![1]! * R[2]![2]! - R[1]![2]! * R[2]![1]!) -
    R[0]![1]! * (R[1]![0]! * R[2]![2]! - R[1]![2]! * R[2]![0]!) +
    R[0]![2]! * (R[1]![0]! * R[2]![1]! - R[1]![1]! * R[2]![0]!);
  let qfac = 1;
  if (det < 0) {
    qfac = -1;
    for (let i = 0; i < 3; i++) R[i]![2] = -R[i]![2]!;
  }
  const [r11, r12, r13] = R[0]! as [number, number, number];
  const [r21, r22, r23] = R[1]! as [number, number, number];
  const [r31, r32, r33] = R[2]! as [number, number, number];
  let a = r11 + r22 + r33 + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) [b, c, d] = [-b, -c, -d];
  }
  return { b, c, d, qfac, spacing };
}

/** A gzipped NIfTI-1 single file (.nii.gz). */
export function encodeNifti(
  data: NiftiData,
  dims: [number, number, number],
  affine: Matrix4,
  options: { slope?: number; intercept?: number; description?: string } = {},
): Uint8Array {
  const type = DATATYPE.get(data.constructor);
  if (!type) throw new AppError(ErrorCode.Internal, 'Unsupported NIfTI voxel type.');
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0);
  header.writeInt16LE(3, 40);
  dims.forEach((d, i) => header.writeInt16LE(d, 42 + i * 2));
  for (let i = 3; i < 7; i++) header.writeInt16LE(1, 42 + i * 2);
  header.writeInt16LE(type[0], 70);
  header.writeInt16LE(type[1], 72);
  const q = quaternion(affine);
  header.writeFloatLE(q.qfac, 76);
  q.spacing.forEach((s, i) => header.writeFloatLE(s, 80 + i * 4));
  header.writeFloatLE(352, 108);
  header.writeFloatLE(options.slope ?? 1, 112);
  header.writeFloatLE(options.intercept ?? 0, 116);
  header.writeUInt8(2 | 8, 123); // mm, seconds
  header.write((options.description ?? 'RadLabel export, research use only').slice(0, 79), 148, 'latin1');
  header.writeInt16LE(1, 252); // qform_code: scanner anatomical
  header.writeInt16LE(1, 254); // sform_code
  header.writeFloatLE(q.b, 256);
  header.writeFloatLE(q.c, 260);
  header.writeFloatLE(q.d, 264);
  header.writeFloatLE(affine[0]![3]!, 268);
  header.writeFloatLE(affine[1]![3]!, 272);
  header.writeFloatLE(affine[2]![3]!, 276);
  for (let row = 0; row < 3; row++)
    for (let col = 0; col < 4; col++) header.writeFloatLE(affine[row]![col]!, 280 + row * 16 + col * 4);
  header.write('n+1\0', 344, 'latin1');
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return zlib.gzipSync(Buffer.concat([header, body]), { level: 3 });
}

/** The voxels of a series (uncompressed DICOM), slices in the geometry's order. */
export function readSeriesVoxels(geometry: SeriesGeometry): {
  data: Int16Array | Uint16Array | Float32Array;
  slope: number;
  intercept: number;
} {
  const size = geometry.rows * geometry.columns;
  const n = geometry.slices.length;
  const raw: Array<{ values: Int16Array | Uint16Array; slope: number; intercept: number }> = [];
  for (const slice of geometry.slices) {
    if (!slice.file) throw new AppError(ErrorCode.NotFound, 'An image of the series is not stored.');
    const bytes = readStoredFileSync(slice.file);
    const dataSet = dicomParser.parseDicom(bytes);
    const syntax = dataSet.string('x00020010') ?? '';
    if (syntax !== '1.2.840.10008.1.2' && syntax !== '1.2.840.10008.1.2.1')
      throw new AppError(
        ErrorCode.Malformed,
        'This series is stored compressed; NIfTI export reads uncompressed images only (decompress with gdcmconv first).',
      );
    const element = dataSet.elements['x7fe00010'];
    if (!element || dataSet.uint16('x00280100') !== 16 || (dataSet.uint16('x00280002') ?? 1) !== 1)
      throw new AppError(ErrorCode.Malformed, 'NIfTI export needs 16-bit grayscale images.');
    const copy = bytes.buffer.slice(
      bytes.byteOffset + element.dataOffset,
      bytes.byteOffset + element.dataOffset + size * 2,
    );
    const values = dataSet.uint16('x00280103') === 1 ? new Int16Array(copy) : new Uint16Array(copy);
    raw.push({
      values,
      slope: Number(dataSet.string('x00281053') ?? 1) || 1,
      intercept: Number(dataSet.string('x00281052') ?? 0) || 0,
    });
  }
  const uniform = raw.every((r) => r.slope === raw[0]!.slope && r.intercept === raw[0]!.intercept);
  if (uniform) {
    const data = raw[0]!.values instanceof Int16Array ? new Int16Array(size * n) : new Uint16Array(size * n);
    raw.forEach((r, k) => data.set(r.values, k * size));
    return { data, slope: raw[0]!.slope, intercept: raw[0]!.intercept };
  }
  const data = new Float32Array(size * n);
  raw.forEach((r, k) => {
    for (let i = 0; i < size; i++) data[k * size + i] = r.values[i]! * r.slope + r.intercept;
  });
  return { data, slope: 1, intercept: 0 };
}
