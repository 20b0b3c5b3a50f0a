/**
 * NIfTI-1 (.nii.gz) of a series and of its labelmaps, written by hand (348-byte header, no
 * maintained JS writer exists). Geometry: voxel (i, j, k) = (column, row, slice in ascending
 * position along the slice normal); DICOM's patient coordinates are LPS, NIfTI's RAS, so the first
 * two rows of the affine are negated. The same affine goes in the sform and the qform (code 1,
 * scanner anatomical), so every reader (nibabel, ITK-SNAP, 3D Slicer, nnU-Net) places the volume
 * the same way. Images keep their stored integers with the rescale as scl_slope/scl_inter when
 * every slice has the same type and rescale; otherwise they are written rescaled as float32
 * (`readSeriesVoxels` lists the pixel formats read).
 */
import zlib from 'node:zlib';
import dicomParser from 'dicom-parser';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { dot, type SeriesGeometry, sliceSpacing } from '../dicom/geometry.js';
import { readStoredFileSync } from '../../cache/store-cipher.js';
import { canDecode, decodeEncapsulatedFrames } from '../../deid/pixels/decode/index.js';
import { BIG_ENDIAN_TRANSFER_SYNTAX, type PixelLayout } from '../../deid/pixels/layout.js';

export type Matrix4 = number[][];

/** What a reader can do about slices a volume cannot hold (a SEG gives each frame its image's position). */
const AS_SEG = 'or export its segmentations as DICOM SEG, which keeps every image where it is';

/**
 * Why a series is not one regular volume, or null when it is: what is wrong, then what to do. A
 * NIfTI volume has one orientation, one pixel size and slices at equal steps along one line; a
 * series that is not (a localizer mixed in, several phases or echoes at the same positions, a
 * missing or uneven slice, gantry tilt) would be written silently wrong, so it is refused with
 * this reason instead.
 */
export function volumeProblem(geometry: SeriesGeometry): string | null {
  const { slices } = geometry;
  if (slices.length === 0) return 'the series has no images';
  const [rowSpacing, columnSpacing] = geometry.pixelSpacing;
  if (!(rowSpacing > 0 && columnSpacing > 0))
    return 'its pixel spacing (PixelSpacing in the image headers) is zero or negative, so its sizes in mm are unknown';
  if (Math.abs(dot(geometry.normal, geometry.normal) - 1) > 1e-3)
    return 'its orientation (ImageOrientationPatient in the image headers) is not two perpendicular unit vectors: the headers are damaged';
  const first = slices[0]!;
  for (const slice of slices) {
    if (slice.rows !== undefined && (slice.rows !== geometry.rows || slice.columns !== geometry.columns))
      return 'its images have different sizes (rows × columns), and a volume has one: the series mixes images of different kinds';
    if (slice.orientation && slice.orientation.some((v, i) => Math.abs(v - first.orientation![i]!) > 1e-4))
      return 'its images have different orientations (a localizer or a mixed series), and a volume has one: remove the localizer or the other images from the series and import it again';
    if (
      slice.pixelSpacing !== undefined &&
      (slice.pixelSpacing?.length !== first.pixelSpacing?.length ||
        (slice.pixelSpacing ?? []).some((v, i) => Math.abs(v - first.pixelSpacing![i]!) > 1e-4 * Math.abs(v)))
    )
      return 'its images have different pixel spacings, and a volume has one: the series mixes images of different kinds';
  }
  const n = slices.length;
  if (n < 2) return null;
  const last = slices[n - 1]!.position;
  const step = [0, 1, 2].map((a) => (last[a]! - first.position[a]!) / (n - 1));
  const stepLength = Math.hypot(...step);
  if (stepLength < 1e-3)
    return `its images lie at the same position (several phases or echoes in one series): split the series by phase or echo, ${AS_SEG}`;
  // Every slice where an equal step puts it: else slices are missing, doubled or uneven.
  const tolerance = Math.max(1e-3, 0.01 * stepLength);
  for (let k = 1; k < n - 1; k++) {
    const p = slices[k]!.position;
    const off = Math.hypot(...[0, 1, 2].map((a) => p[a]! - (first.position[a]! + k * step[a]!)));
    if (off > tolerance)
      return `its slices are not equally spaced (slice ${k + 1} of ${n} lies ${off.toFixed(3)} mm from an even step of ${stepLength.toFixed(3)} mm): a slice is missing or doubled, or the spacing changes within the series; check that every slice was imported, ${AS_SEG}`;
  }
  // The step along the normal: a step across it is a sheared volume (gantry tilt).
  const along = Math.abs(dot(step, geometry.normal)) / stepLength;
  if (along < 1 - 1e-4)
    return `its slices are stacked at ${((Math.acos(Math.min(1, along)) * 180) / Math.PI).toFixed(1)}° from their normal (gantry tilt), so a NIfTI volume would be sheared: resample the series to untilted slices first (dcm2niix corrects gantry tilt), ${AS_SEG}`;
  return null;
}

/**
 * Geometry a series lacks and the export assumes, each in words for the export's notes (empty
 * when nothing is assumed). `volume`: written as one NIfTI volume, where a single slice's depth
 * is part of the affine.
 */
export function assumedGeometry(geometry: SeriesGeometry, volume: boolean): string[] {
  const assumed: string[] = [];
  const spacing = geometry.slices[0]?.pixelSpacing;
  if (!spacing || spacing.length !== 2)
    assumed.push('pixel spacing missing: 1 mm assumed (its sizes and positions in mm are in pixels)');
  if (volume && geometry.slices.length === 1 && geometry.sliceThickness === undefined)
    assumed.push("slice thickness missing: 1 mm assumed as its one slice's depth");
  return assumed;
}

/** The voxel → RAS (mm) affine of a series (refused, with the reason, when it is no regular volume). */
export function rasAffine(geometry: SeriesGeometry): Matrix4 {
  const problem = volumeProblem(geometry);
  if (problem) throw new AppError(ErrorCode.Malformed, `The series is not one regular volume: ${problem}.`);
  const { rowCosines: r, columnCosines: c, pixelSpacing, slices } = geometry;
  const first = slices[0]!.position;
  const last = slices[slices.length - 1]!.position;
  const n = slices.length;
  const step =
    n > 1
      ? [0, 1, 2].map((a) => (last[a]! - first[a]!) / (n - 1))
      : geometry.normal.map((v) => v * (geometry.sliceThickness ?? sliceSpacing(geometry)));
  const lps = [0, 1, 2].map((a) => [r[a]! * pixelSpacing[1], c[a]! * pixelSpacing[0], step[a]!, first[a]!]);
  return [lps[0]!.map((v) => -v), lps[1]!.map((v) => -v), lps[2]!, [0, 0, 0, 1]];
}

export type NiftiData = Int16Array | Uint16Array | Uint8Array | Int32Array | Float32Array;

/** NIfTI-1 datatype code and bits per voxel of each array type. */
const DATATYPE = new Map<unknown, [number, number]>([
  [Uint8Array, [2, 8]],
  [Int16Array, [4, 16]],
  [Int32Array, [8, 32]],
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
  return { ...float32Quaternion(b, c, d), qfac, spacing };
}

/**
 * b, c, d as the float32 values the header holds. Readers take a = √(1 − b² − c² − d²); for a
 * half turn (a = 0: the standard coronal orientation [1,0,0,0,0,−1], a sagittal one…) float32
 * rounding left b² + c² + d² just under 1, so a came out ~2.4e-4 and the qform was rotated
 * ~0.014° from the sform (0.07 mm across a 300 mm field). There the largest component is moved
 * away from zero by one float32 step until the sum is ≥ 1, which readers take as a = 0 (nibabel
 * and nifti1_io allow −3 float32 epsilons).
 */
function float32Quaternion(b: number, c: number, d: number): { b: number; c: number; d: number } {
  const q = [Math.fround(b), Math.fround(c), Math.fround(d)];
  if (1 - (b * b + c * c + d * d) > 1e-6) return { b: q[0]!, c: q[1]!, d: q[2]! };
  const largest = q.reduce((best, v, i) => (Math.abs(v) > Math.abs(q[best]!) ? i : best), 0);
  const bits = new Float32Array(1);
  const asInt = new Int32Array(bits.buffer);
  for (let step = 0; step < 4 && q[0]! ** 2 + q[1]! ** 2 + q[2]! ** 2 < 1; step++) {
    bits[0] = q[largest]!;
    asInt[0]! += 1; // the next float32 away from zero (either sign)
    q[largest] = bits[0]!;
  }
  return { b: q[0]!, c: q[1]!, d: q[2]! };
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

/** How long reading a series' slices keeps the event loop before letting other requests in (ms). */
const READ_SLICE_MS = 50;

/** Transfer syntaxes whose pixel data is native (not encapsulated). */
const NATIVE_SYNTAXES = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', BIG_ENDIAN_TRANSFER_SYNTAX]);

type IntegerSamples = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
type SliceSamples = IntegerSamples | Float32Array;

interface SliceVoxels {
  values: SliceSamples;
  slope: number;
  intercept: number;
}

function integerArray(bits: 8 | 16 | 32, signed: boolean, bytes: Uint8Array): IntegerSamples {
  const copy = bytes.slice().buffer;
  if (bits === 8) return signed ? new Int8Array(copy) : new Uint8Array(copy);
  if (bits === 16) return signed ? new Int16Array(copy) : new Uint16Array(copy);
  return signed ? new Int32Array(copy) : new Uint32Array(copy);
}

/** Keeps the stored bits (Bits Stored < Bits Allocated): masked, sign-extended when signed. */
function keepStoredBits(
  values: IntegerSamples,
  bitsStored: number,
  bitsAllocated: number,
  signed: boolean,
): void {
  if (bitsStored >= bitsAllocated || bitsStored <= 0 || bitsAllocated === 32) return;
  const mask = (1 << bitsStored) - 1;
  const sign = 1 << (bitsStored - 1);
  for (let i = 0; i < values.length; i++) {
    const raw = values[i]! & mask;
    values[i] = signed && raw & sign ? raw - (mask + 1) : raw;
  }
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array<ArrayBufferLike> {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + width <= bytes.length; i += width)
    for (let b = 0; b < width; b++) out[i + b] = bytes[i + width - 1 - b]!;
  return out;
}

/** One stored image → its samples (decoded through the de-identification pixel path's decoders). */
async function readSlice(file: string, size: number): Promise<SliceVoxels> {
  const bytes = new Uint8Array(readStoredFileSync(file));
  const dataSet = dicomParser.parseDicom(bytes);
  const syntax = (dataSet.string('x00020010') ?? '').trim();
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  if (samplesPerPixel !== 1)
    throw new AppError(
      ErrorCode.Malformed,
      'colour images (RGB) cannot be written as a NIfTI intensity volume',
    );
  if ((Number(dataSet.string('x00280008') ?? 1) || 1) > 1)
    throw new AppError(ErrorCode.Malformed, 'multi-frame images are not written as NIfTI yet');
  const slope = Number(dataSet.string('x00281053') ?? 1) || 1;
  const intercept = Number(dataSet.string('x00281052') ?? 0) || 0;
  const bigEndian = syntax === BIG_ENDIAN_TRANSFER_SYNTAX;
  // Float Pixel Data / Double Float Pixel Data (parametric maps): float32 voxels.
  const float = dataSet.elements['x7fe00008'] ?? dataSet.elements['x7fe00009'];
  if (float && !dataSet.elements['x7fe00010']) {
    const width = dataSet.elements['x7fe00008'] ? 4 : 8;
    let raw: Uint8Array<ArrayBufferLike> = bytes.subarray(float.dataOffset, float.dataOffset + size * width);
    if (raw.length < size * width) throw new AppError(ErrorCode.Truncated, 'the pixel data ends early');
    if (bigEndian) raw = swapBytes(raw, width);
    const copy = raw.slice().buffer;
    const values = width === 4 ? new Float32Array(copy) : Float32Array.from(new Float64Array(copy));
    return { values, slope, intercept };
  }
  const element = dataSet.elements['x7fe00010'];
  if (!element) throw new AppError(ErrorCode.Malformed, 'an image has no pixel data');
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32)
    throw new AppError(ErrorCode.Malformed, `${bitsAllocated}-bit samples cannot be written as NIfTI`);
  const signed = dataSet.uint16('x00280103') === 1;
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const byteWidth = bitsAllocated / 8;
  let raw: Uint8Array<ArrayBufferLike>;
  if (NATIVE_SYNTAXES.has(syntax) || (!element.encapsulatedPixelData && syntax === '')) {
    raw = bytes.subarray(element.dataOffset, element.dataOffset + size * byteWidth);
    if (raw.length < size * byteWidth) throw new AppError(ErrorCode.Truncated, 'the pixel data ends early');
    if (bigEndian && byteWidth > 1) raw = swapBytes(raw, byteWidth);
  } else {
    if (!canDecode(syntax) || bitsAllocated === 32)
      throw new AppError(ErrorCode.Malformed, `images compressed as ${syntax} cannot be decoded`);
    const fragments = element.fragments ?? [];
    const total = fragments.reduce((sum, fragment) => sum + fragment.length, 0);
    const frame = new Uint8Array(total);
    let at = 0;
    for (const fragment of fragments) {
      frame.set(bytes.subarray(fragment.position, fragment.position + fragment.length), at);
      at += fragment.length;
    }
    const layout: PixelLayout = {
      rows: dataSet.uint16('x00280010') ?? 0,
      columns: dataSet.uint16('x00280011') ?? 0,
      samplesPerPixel: 1,
      bitsAllocated,
      bitsStored,
      signed,
      planarConfiguration: 0,
      photometricInterpretation: (dataSet.string('x00280004') ?? 'MONOCHROME2').trim(),
      bigEndian: false,
      numberOfFrames: 1,
    };
    const decoded = await decodeEncapsulatedFrames([frame], syntax, layout);
    if (!decoded.ok)
      throw new AppError(ErrorCode.Malformed, `the compressed images cannot be decoded (${decoded.reason})`);
    raw = decoded.frames[0]!;
  }
  const values = integerArray(bitsAllocated, signed, raw.subarray(0, size * byteWidth));
  keepStoredBits(values, bitsStored, bitsAllocated, signed);
  return { values, slope, intercept };
}

/**
 * The voxels of a series, slices in the geometry's order. Reads native little- and big-endian
 * images and those compressed as RLE, JPEG baseline (8-bit), JPEG lossless, JPEG-LS and JPEG 2000
 * (the de-identification pixel path's decoders); 8-, 16- and 32-bit samples, signed or unsigned
 * (Bits Stored kept, sign-extended), and Float Pixel Data. The stored integers are kept with the
 * rescale as scl_slope/scl_inter when every slice has the same type and rescale; otherwise the
 * voxels are written rescaled as float32. A series that cannot be read throws an AppError saying
 * why (the export notes it and goes on with the others). Every READ_SLICE_MS of reading it lets
 * other requests in (a Cancel among them) and, once `signal` is aborted, throws a Cancelled
 * AppError: a cancel does not wait for the rest of a series of hundreds of slices.
 */
export async function readSeriesVoxels(
  geometry: SeriesGeometry,
  signal?: AbortSignal,
): Promise<{
  data: NiftiData;
  slope: number;
  intercept: number;
}> {
  const size = geometry.rows * geometry.columns;
  const n = geometry.slices.length;
  const raw: SliceVoxels[] = [];
  let since = performance.now();
  for (const slice of geometry.slices) {
    if (performance.now() - since > READ_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
    if (signal?.aborted) throw new AppError(ErrorCode.Cancelled, 'The export was cancelled.');
    if (!slice.file) throw new AppError(ErrorCode.NotFound, 'An image of the series is not stored.');
    raw.push(await readSlice(slice.file, size));
  }
  const first = raw[0]!;
  const sameType = raw.every((r) => r.values.constructor === first.values.constructor);
  const uniform = raw.every((r) => r.slope === first.slope && r.intercept === first.intercept);
  if (sameType && uniform && !(first.values instanceof Int8Array) && !(first.values instanceof Uint32Array)) {
    const Type = first.values.constructor as new (
      length: number,
    ) => Exclude<SliceSamples, Int8Array | Uint32Array>;
    const data = new Type(size * n);
    raw.forEach((r, k) => data.set(r.values as ArrayLike<number> as never, k * size));
    return { data, slope: first.slope, intercept: first.intercept };
  }
  const data = new Float32Array(size * n);
  raw.forEach((r, k) => {
    for (let i = 0; i < size; i++) data[k * size + i] = r.values[i]! * r.slope + r.intercept;
  });
  return { data, slope: 1, intercept: 0 };
}
