/**
 * A DICOM Segmentation → labelmap layers on the source series' slices. Reads BINARY (bit-packed,
 * decoded a byte at a time: zero bytes, most of a mask, cost one comparison), FRACTIONAL
 * (probability or occupancy, thresholded at half of MaximumFractionalValue) and the Label Map
 * Segmentation SOP class (a segment number per pixel). Overlapping segments are kept: a segment goes
 * to the first layer where none of its voxels meets another segment's, so every segment lives whole
 * on one layer and overlaps never erase each other. Frames are placed on source slices by their
 * Derivation Image reference, else by their ImagePositionPatient.
 */
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { RADLABEL_SCHEME, codeOf, sameCode } from './codes.js';
import { type Dataset, first, items, numbersOf, text } from './dataset.js';
import { type SeriesGeometry, dot } from './geometry.js';
import type { LabelSchemaLike, LabelmapLike, SegmentInfo } from './model.js';
import { LABEL_MAP_SEGMENTATION_STORAGE, SEGMENTATION_STORAGE, dicomLabToRgb } from './seg-write.js';

export const SEG_SOP_CLASSES = new Set([SEGMENTATION_STORAGE, LABEL_MAP_SEGMENTATION_STORAGE]);

export interface SegReadOptions {
  /** The geometry of the referenced series (from the catalog), or null when it is not there. */
  seriesGeometry: (seriesInstanceUID: string) => SeriesGeometry | null;
  /** The series of a referenced image, when the SEG lists none. */
  seriesOfInstance?: (sopInstanceUID: string) => string | null;
  schema?: LabelSchemaLike | undefined;
}

export interface SegReadResult {
  labelmap: LabelmapLike;
  geometry: SeriesGeometry;
  segmentationType: 'BINARY' | 'FRACTIONAL' | 'LABELMAP';
  /** The observer: 'ai:<algorithm>' when every segment is AUTOMATIC. */
  source: string;
  author: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
}

/** Pixel Data: a byte view (seg-parse.ts), one ArrayBuffer, or one per frame (dcmjs). */
function pixelBytes(dataset: Dataset): Uint8Array {
  const value = dataset['PixelData'];
  if (value instanceof Uint8Array) return value;
  const parts = (Array.isArray(value) ? value : [value]).filter(
    (v): v is ArrayBuffer => v instanceof ArrayBuffer,
  );
  if (parts.length === 1) return new Uint8Array(parts[0]!);
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out;
}

function labelIdOf(segment: Dataset, schema: LabelSchemaLike | undefined): string | undefined {
  const type = codeOf(first(segment['SegmentedPropertyTypeCodeSequence']));
  if (!type) return undefined;
  const label = schema?.labels.find((l) => sameCode(l.finding, type));
  if (label) return label.id;
  if (type.scheme === RADLABEL_SCHEME && !type.value.startsWith('segment-')) return type.value;
  return undefined;
}

export function readSegmentation(dataset: Dataset, options: SegReadOptions): SegReadResult {
  const sopClass = text(dataset['SOPClassUID']);
  if (!SEG_SOP_CLASSES.has(sopClass))
    throw new AppError(ErrorCode.NotDicom, 'This file is not a DICOM segmentation.');
  if (
    String(dataset['TransferSyntaxUID'] ?? '').length > 0 &&
    !/^1\.2\.840\.10008\.1\.2(\.1|\.1\.99|\.2)?$/.test(String(dataset['TransferSyntaxUID']))
  )
    throw new AppError(
      ErrorCode.Malformed,
      'This segmentation is compressed; RadLabel reads uncompressed segmentations.',
    );
  const labelMap =
    sopClass === LABEL_MAP_SEGMENTATION_STORAGE || text(dataset['SegmentationType']) === 'LABELMAP';
  const type = labelMap
    ? 'LABELMAP'
    : text(dataset['SegmentationType']) === 'FRACTIONAL'
      ? 'FRACTIONAL'
      : 'BINARY';
  const rows = Number(dataset['Rows']);
  const columns = Number(dataset['Columns']);
  const size = rows * columns;
  const frameCount = Number(text(dataset['NumberOfFrames']) || 1);
  const bitsAllocated = Number(dataset['BitsAllocated']);
  const perFrame = items(dataset['PerFrameFunctionalGroupsSequence']);
  const shared = first(dataset['SharedFunctionalGroupsSequence']);
  // Bounds, checked once here against the bytes present, before anything is allocated or looped
  // over: every loop below is then bounded by the file's size.
  const rawPixels = checkedPixels(dataset, type, rows, columns, frameCount, bitsAllocated);
  if (perFrame.length > 0 && perFrame.length !== frameCount)
    throw new AppError(
      ErrorCode.Malformed,
      `This segmentation declares ${frameCount} frames but describes ${perFrame.length} (Per-frame Functional Groups).`,
    );

  // The source series.
  let seriesUid = text(first(dataset['ReferencedSeriesSequence'])?.['SeriesInstanceUID']);
  const sourceSop = (frame: Dataset | undefined) =>
    text(
      first(first(frame?.['DerivationImageSequence'])?.['SourceImageSequence'])?.['ReferencedSOPInstanceUID'],
    );
  if (!seriesUid) {
    const sop = sourceSop(perFrame[0]) || sourceSop(shared);
    seriesUid = (sop && options.seriesOfInstance?.(sop)) || '';
  }
  const geometry = seriesUid ? options.seriesGeometry(seriesUid) : null;
  if (!geometry)
    throw new AppError(
      ErrorCode.NotFound,
      'The images this segmentation was drawn on are not in the local catalog; import them first.',
    );
  if (geometry.rows !== rows || geometry.columns !== columns)
    throw new AppError(
      ErrorCode.Malformed,
      'The segmentation does not have the size of the images it refers to.',
    );
  const sliceBySop = new Map(geometry.slices.map((slice, index) => [slice.sopInstanceUID, index]));
  const spacing =
    geometry.slices.length > 1 ? Math.abs(geometry.slices[1]!.offset - geometry.slices[0]!.offset) : 1;
  const sliceOfFrame = (frame: Dataset | undefined): number | null => {
    const sop = sourceSop(frame);
    if (sop && sliceBySop.has(sop)) return sliceBySop.get(sop)!;
    const position = numbersOf(first(frame?.['PlanePositionSequence'])?.['ImagePositionPatient']);
    if (position.length !== 3) return null;
    const offset = dot(position, geometry.normal);
    let best = -1;
    let distance = Infinity;
    geometry.slices.forEach((slice, index) => {
      const d = Math.abs(slice.offset - offset);
      if (d < distance) [best, distance] = [index, d];
    });
    return best >= 0 && distance <= spacing / 2 + 1e-3 ? best : null;
  };

  // Segments.
  const segmentItems = items(dataset['SegmentSequence']);
  checkSegmentNumbers(segmentItems.map((segment) => segment['SegmentNumber']));
  const segments: SegmentInfo[] = segmentItems.map((segment) => {
    const lab = numbersOf(segment['RecommendedDisplayCIELabValue']);
    const labelId = labelIdOf(segment, options.schema);
    return {
      segmentIndex: Number(segment['SegmentNumber']),
      ...(labelId ? { labelId } : {}),
      name: text(segment['SegmentLabel']) || `Segment ${String(segment['SegmentNumber'])}`,
      color: lab.length === 3 ? dicomLabToRgb(lab) : '#ff0000',
      visible: true,
      locked: false,
    };
  });
  const automatic =
    segmentItems.length > 0 && segmentItems.every((s) => text(s['SegmentAlgorithmType']) === 'AUTOMATIC');
  const algorithm = text(segmentItems[0]?.['SegmentAlgorithmName']);
  let maxSegment = 0;
  for (const s of segments) maxSegment = Math.max(maxSegment, s.segmentIndex);
  if (type !== 'LABELMAP')
    for (const item of [shared, ...perFrame]) {
      const n = Number(first(item?.['SegmentIdentificationSequence'])?.['ReferencedSegmentNumber']);
      if (Number.isInteger(n) && n <= 65535) maxSegment = Math.max(maxSegment, n);
    }
  if (type === 'LABELMAP' && bitsAllocated === 16) maxSegment = 65535;
  const Voxels = maxSegment > 255 ? Uint16Array : Uint8Array;

  // Read in place (a view on the file's bytes); only a view at an offset that is not a multiple of
  // 4 is copied, once, so that frames can be read as 32-bit words.
  const pixels = rawPixels.byteOffset % 4 === 0 ? rawPixels : new Uint8Array(rawPixels);
  const layers: Array<Map<string, Uint8Array | Uint16Array>> = [];
  const sliceArray = (layer: number, slice: number): Uint8Array | Uint16Array => {
    while (layers.length <= layer) layers.push(new Map());
    const sop = geometry.slices[slice]!.sopInstanceUID;
    let voxels = layers[layer]!.get(sop);
    if (!voxels) layers[layer]!.set(sop, (voxels = new Voxels(size)));
    return voxels;
  };

  if (type === 'LABELMAP') {
    const bytesPerPixel = bitsAllocated / 8;
    for (let f = 0; f < frameCount; f++) {
      const slice = sliceOfFrame(perFrame[f] ?? shared);
      if (slice === null) continue;
      const target = sliceArray(0, slice);
      const start = f * size * bytesPerPixel;
      if (bytesPerPixel === 2) {
        const view = new DataView(pixels.buffer, pixels.byteOffset + start, size * 2);
        for (let i = 0; i < size; i++) target[i] = view.getUint16(i * 2, true);
      } else target.set(pixels.subarray(start, start + size));
    }
    const values = new Set<number>();
    for (const voxels of layers[0]?.values() ?? []) for (const value of new Set(voxels)) values.add(value);
    for (const s of segments) Object.assign(s, { layer: 0, labelValue: s.segmentIndex });
    for (const value of values)
      if (value !== 0 && !segments.some((s) => s.segmentIndex === value))
        segments.push({
          segmentIndex: value,
          name: `Segment ${value}`,
          color: '#ff0000',
          visible: true,
          locked: false,
          layer: 0,
          labelValue: value,
        });
  } else {
    // Frames of each segment, decoded into voxel index lists, then placed on a layer.
    const threshold =
      type === 'FRACTIONAL'
        ? Math.max(1, Math.ceil(Number(dataset['MaximumFractionalValue'] ?? 255) / 2))
        : 1;
    const framesBySegment = new Map<number, Array<{ slice: number; frame: number }>>();
    for (let f = 0; f < frameCount; f++) {
      const item = perFrame[f];
      const segment = Number(
        first(item?.['SegmentIdentificationSequence'])?.['ReferencedSegmentNumber'] ??
          first(shared?.['SegmentIdentificationSequence'])?.['ReferencedSegmentNumber'],
      );
      const slice = sliceOfFrame(item ?? shared);
      if (!Number.isInteger(segment) || segment < 1 || segment > 65535)
        throw new AppError(
          ErrorCode.Malformed,
          'A frame of this segmentation names a segment number that is not valid (1 to 65535).',
        );
      if (slice === null) continue;
      let list = framesBySegment.get(segment);
      if (!list) framesBySegment.set(segment, (list = []));
      list.push({ slice, frame: f });
    }
    // Each segment's frames are decoded once into voxel indices (one growing buffer for all of
    // them), checked against a layer, then painted.
    let pool = new Int32Array(1 << 16);
    for (const [segment, frames] of [...framesBySegment].sort((a, b) => a[0] - b[0])) {
      const ranges: Array<{ slice: number; start: number; end: number }> = [];
      let used = 0;
      for (const { slice, frame } of frames) {
        if (pool.length - used < size) {
          const grown = new Int32Array(Math.max(pool.length * 2, used + size));
          grown.set(pool.subarray(0, used));
          pool = grown;
        }
        const end = decodeFrame(pixels, frame, size, type === 'BINARY' ? 0 : threshold, pool, used);
        if (end > used) ranges.push({ slice, start: used, end });
        used = end;
      }
      // The first layer where none of the segment's voxels meets another segment.
      let layer = 0;
      const clashes = ({ slice, start, end }: { slice: number; start: number; end: number }): boolean => {
        const existing = layers[layer]?.get(geometry.slices[slice]!.sopInstanceUID);
        if (!existing) return false;
        for (let i = start; i < end; i++) {
          const v = existing[pool[i]!]!;
          if (v !== 0 && v !== segment) return true;
        }
        return false;
      };
      while (ranges.some(clashes)) layer++;
      const info = segments.find((s) => s.segmentIndex === segment);
      if (info) Object.assign(info, { layer, labelValue: segment });
      // A segment the frames name but the Segment Sequence does not describe keeps its voxels.
      else
        segments.push({
          segmentIndex: segment,
          name: `Segment ${segment}`,
          color: '#ff0000',
          visible: true,
          locked: false,
          layer,
          labelValue: segment,
        });
      for (const { slice, start, end } of ranges) {
        const target = sliceArray(layer, slice);
        for (let i = start; i < end; i++) target[pool[i]!] = segment;
      }
    }
  }
  if (layers.length === 0) {
    if (frameCount > 0)
      throw new AppError(
        ErrorCode.Malformed,
        'None of the frames of this segmentation could be placed on the images it refers to.',
      );
    layers.push(new Map());
  }
  return {
    labelmap: { layers, segments, width: columns, height: rows },
    geometry,
    segmentationType: type,
    source: automatic ? `ai:${algorithm || 'unknown'}` : 'human',
    author: automatic ? algorithm || 'unknown' : text(dataset['ContentCreatorName']),
    // The file's study, unless it names none that is a UID: then the study of its images.
    studyInstanceUID: /^[0-9.]{1,64}$/.test(text(dataset['StudyInstanceUID']))
      ? text(dataset['StudyInstanceUID'])
      : geometry.studyInstanceUID,
    seriesInstanceUID: geometry.seriesInstanceUID,
  };
}

/** The most frames a segmentation may declare (the largest series RadLabel reads has fewer images). */
export const MAX_SEG_FRAMES = 1_000_000;

/**
 * The Pixel Data, after checking the declared size against it: Rows and Columns (1..65535),
 * NumberOfFrames (1..MAX_SEG_FRAMES), BitsAllocated for the type (BINARY 1, FRACTIONAL 8, Label
 * Map 8 or 16), and at least as many bytes as those frames need (more is allowed: padding). A
 * file that declares more than it holds is refused here, before any frame is read or any voxel
 * array allocated.
 */
function checkedPixels(
  dataset: Dataset,
  type: 'BINARY' | 'FRACTIONAL' | 'LABELMAP',
  rows: number,
  columns: number,
  frameCount: number,
  bitsAllocated: number,
): Uint8Array {
  const dimension = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (!dimension(rows) || !dimension(columns))
    throw new AppError(ErrorCode.Malformed, 'This segmentation has no valid image size (Rows, Columns).');
  if (!Number.isInteger(frameCount) || frameCount < 1 || frameCount > MAX_SEG_FRAMES)
    throw new AppError(ErrorCode.Malformed, 'This segmentation has no valid number of frames.');
  const bits = type === 'BINARY' ? [1] : type === 'FRACTIONAL' ? [8] : [8, 16];
  if (!bits.includes(bitsAllocated))
    throw new AppError(
      ErrorCode.Malformed,
      `A ${type === 'LABELMAP' ? 'label map' : type} segmentation has ${bits.join(' or ')} bits per pixel, this one declares ${Number.isFinite(bitsAllocated) ? bitsAllocated : 'none'}.`,
    );
  const needed = Math.ceil((frameCount * rows * columns * bitsAllocated) / 8);
  const value = dataset['PixelData'];
  const parts = (Array.isArray(value) ? value : [value]).filter(
    (v): v is ArrayBuffer | Uint8Array => v instanceof ArrayBuffer || v instanceof Uint8Array,
  );
  const present = parts.reduce((n, p) => n + p.byteLength, 0);
  if (present < needed)
    throw new AppError(
      ErrorCode.Malformed,
      present === 0
        ? 'This segmentation has no pixel data.'
        : `This segmentation's pixel data is shorter than its ${frameCount} frames of ${columns}×${rows} need (${present} of ${needed} bytes).`,
    );
  return pixelBytes(dataset);
}

/** Segment numbers are integers 1..65535, each described once. */
function checkSegmentNumbers(numbers: unknown[]): void {
  const seen = new Set<number>();
  for (const value of numbers) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new AppError(
        ErrorCode.Malformed,
        'This segmentation has a segment whose number is missing or not valid (1 to 65535).',
      );
    if (seen.has(n))
      throw new AppError(ErrorCode.Malformed, `This segmentation describes segment ${n} twice.`);
    seen.add(n);
  }
}

/**
 * Writes the indices of a frame's set voxels into `out` from `at`; returns where they end.
 * BINARY (`threshold` 0): bit-packed, read a 32-bit word at a time where aligned (zero words, most
 * of a mask, cost one comparison), then a byte at a time. FRACTIONAL: a byte per voxel, set from
 * `threshold` up.
 */
function decodeFrame(
  pixels: Uint8Array,
  frame: number,
  size: number,
  threshold: number,
  out: Int32Array,
  at: number,
): number {
  let count = at;
  if (threshold > 0) {
    const start = frame * size;
    for (let i = 0; i < size; i++) if (pixels[start + i]! >= threshold) out[count++] = i;
    return count;
  }
  const startBit = frame * size;
  if (startBit % 8 !== 0) {
    for (let i = 0; i < size; i++) {
      const bit = startBit + i;
      if (pixels[bit >> 3]! & (1 << (bit & 7))) out[count++] = i;
    }
    return count;
  }
  const startByte = startBit >> 3;
  const byteCount = Math.ceil(size / 8);
  const aligned = (pixels.byteOffset + startByte) % 4 === 0;
  const wordCount = aligned ? byteCount >> 2 : 0;
  const words =
    wordCount > 0 ? new Uint32Array(pixels.buffer, pixels.byteOffset + startByte, wordCount) : null;
  let b = 0;
  for (;;) {
    if (words && b < wordCount << 2) {
      const w = b >> 2;
      if (words[w] === 0) {
        b += 4;
        continue;
      }
    } else if (b >= byteCount) break;
    const byte = pixels[startByte + b]!;
    if (byte !== 0) {
      const base = b << 3;
      if (byte === 0xff && base + 8 <= size) {
        for (let bit = 0; bit < 8; bit++) out[count++] = base + bit;
      } else {
        for (let bit = 0; bit < 8; bit++)
          if (byte & (1 << bit) && base + bit < size) out[count++] = base + bit;
      }
    }
    b++;
  }
  return count;
}
