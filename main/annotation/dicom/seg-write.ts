/**
 * A labelmap → a BINARY DICOM Segmentation, built with dcmjs for the header (@cornerstonejs/adapters'
 * generateSegmentation needs the renderer's image cache, so it cannot run in the CLI) and the Pixel
 * Data appended by hand. Overlapping segments are preserved: one frame per segment and slice where
 * the segment is present, whatever layer holds it. Frames are bit-packed (first pixel in the lowest
 * bit) and follow each other without padding, as PS3.5 8.1.1 requires.
 */
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { RADLABEL_SCHEME, code, codeItem } from './codes.js';
import { type Dataset, dicomDateTime, newUid, writePart10 } from './dataset.js';
import { type SeriesGeometry, sliceSpacing } from './geometry.js';
import type { Code, LabelSchemaLike, LabelmapLike, SegmentInfo } from './model.js';
import { ExplicitLittleEndianWriter } from './encode.js';
import { MANUFACTURER, decimalString, patientStudy } from './sr-write.js';

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
export const LABEL_MAP_SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.7';

const TISSUE = code('85756007', 'SCT', 'Tissue');
const MORPHOLOGICALLY_ABNORMAL = code('49755003', 'SCT', 'Morphologically Altered Structure');

export interface SegWriteOptions {
  labelmap: LabelmapLike;
  geometry: SeriesGeometry;
  schema?: LabelSchemaLike | undefined;
  /** 'ai:<model>' makes the segments AUTOMATIC with the model as algorithm. */
  source: string;
  author: string;
  softwareVersion: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  seriesDescription?: string;
  now?: Date;
  /**
   * The AI SEGs this segmentation was made from (segments a reader accepted or edited,
   * main/ai/segments.ts): named in Source Image Sequence (purpose 121322) and in the Referenced
   * Series Sequence.
   */
  sourceReferences?: ReadonlyArray<{
    seriesInstanceUID: string;
    sopClassUID: string;
    sopInstanceUID: string;
  }>;
  /** Per segment number: the model it came from and the reader's decision (SEMIAUTOMATIC, that algorithm). */
  segmentSources?: ReadonlyMap<number, { model: string; decision: 'accepted' | 'edited' }>;
}

/** Hex '#rrggbb' → DICOM CIELab (scaled to 0..65535). */
export function rgbToDicomLab(hex: string): number[] {
  const n = /^#?([0-9a-f]{6})$/i.exec(hex) ? Number.parseInt(hex.replace('#', ''), 16) : 0x808080;
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = [lin((n >> 16) & 255), lin((n >> 8) & 255), lin(n & 255)];
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const L = 116 * f(y) - 16;
  const A = 500 * (f(x) - f(y));
  const B = 200 * (f(y) - f(z));
  return [
    Math.round((L * 65535) / 100),
    Math.round(((A + 128) * 65535) / 255),
    Math.round(((B + 128) * 65535) / 255),
  ];
}

/** DICOM CIELab → '#rrggbb'. */
export function dicomLabToRgb(lab: readonly number[]): string {
  const L = ((lab[0] ?? 0) * 100) / 65535;
  const A = ((lab[1] ?? 0) * 255) / 65535 - 128;
  const B = ((lab[2] ?? 0) * 255) / 65535 - 128;
  const fy = (L + 16) / 116;
  const fx = fy + A / 500;
  const fz = fy - B / 200;
  const inv = (t: number) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));
  const [x, y, z] = [inv(fx) * 0.95047, inv(fy), inv(fz) * 1.08883];
  const gamma = (v: number) => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
  const r = gamma(3.2406 * x - 1.5372 * y - 0.4986 * z);
  const g = gamma(-0.9689 * x + 1.8758 * y + 0.0415 * z);
  const b = gamma(0.0557 * x - 0.204 * y + 1.057 * z);
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));
  return `#${[r, g, b].map((v) => byte(v).toString(16).padStart(2, '0')).join('')}`;
}

function segmentItem(segment: SegmentInfo, options: SegWriteOptions, number: number): Dataset {
  const label = segment.labelId ? options.schema?.labels.find((l) => l.id === segment.labelId) : undefined;
  const type: Code =
    label?.finding ??
    code(
      segment.labelId ?? `segment-${segment.segmentIndex}`,
      RADLABEL_SCHEME,
      label?.name.en ?? segment.name ?? `Segment ${segment.segmentIndex}`,
    );
  const automatic = options.source.startsWith('ai:');
  // A reader's segment accepted or edited from a model's: semi-automatic, by that model.
  const fromAi = automatic ? undefined : options.segmentSources?.get(segment.segmentIndex);
  return {
    SegmentNumber: number,
    SegmentLabel: (segment.name || label?.name.en || `Segment ${segment.segmentIndex}`).slice(0, 64),
    ...(fromAi ? { SegmentDescription: `AI finding ${fromAi.decision} by the reader`.slice(0, 64) } : {}),
    SegmentAlgorithmType: automatic ? 'AUTOMATIC' : fromAi ? 'SEMIAUTOMATIC' : 'MANUAL',
    ...(automatic ? { SegmentAlgorithmName: options.source.slice(3) || 'unknown' } : {}),
    ...(fromAi ? { SegmentAlgorithmName: fromAi.model.slice(0, 64) } : {}),
    SegmentedPropertyCategoryCodeSequence: [codeItem(label?.finding ? MORPHOLOGICALLY_ABNORMAL : TISSUE)],
    SegmentedPropertyTypeCodeSequence: [codeItem(type)],
    ...(label?.findingSite ? { AnatomicRegionSequence: [codeItem(label.findingSite)] } : {}),
    RecommendedDisplayCIELabValue: rgbToDicomLab(segment.color),
  };
}

interface Frame {
  segment: number;
  slice: number;
  /** The frame's pixels, bit-packed (lowest bit first). */
  bits: Uint8Array;
}

/**
 * Per segment and slice where the segment is present, its voxels (on its layer, or any layer when
 * the segment names none) as a bit-packed mask. Zero voxels are skipped four at a time.
 */
export function framesOf(labelmap: LabelmapLike, geometry: SeriesGeometry): Frame[] {
  const { width, height } = labelmap;
  const size = width * height;
  const maskBytes = Math.ceil(size / 8);
  // Per layer: voxel value → segment numbers it stands for.
  const byLayer = labelmap.layers.map((_, layer) => {
    const table = new Map<number, number[]>();
    for (const s of labelmap.segments) {
      if (s.layer !== undefined && s.layer !== layer) continue;
      const value = s.labelValue ?? s.segmentIndex;
      table.set(value, [...(table.get(value) ?? []), s.segmentIndex]);
    }
    return table;
  });
  const frames = new Map<number, Map<number, Uint8Array>>();
  const masksOf = (table: Map<number, number[]>, value: number, index: number): Uint8Array[] =>
    (table.get(value) ?? []).map((segment) => {
      let bySlice = frames.get(segment);
      if (!bySlice) frames.set(segment, (bySlice = new Map()));
      let mask = bySlice.get(index);
      if (!mask) bySlice.set(index, (mask = new Uint8Array(maskBytes)));
      return mask;
    });
  for (let index = 0; index < geometry.slices.length; index++) {
    const sop = geometry.slices[index]!.sopInstanceUID;
    for (let layerIndex = 0; layerIndex < labelmap.layers.length; layerIndex++) {
      const voxels = labelmap.layers[layerIndex]!.get(sop);
      if (!voxels) continue;
      if (voxels.length !== size)
        throw new AppError(ErrorCode.Internal, 'A labelmap slice does not match the image size.');
      const table = byLayer[layerIndex]!;
      // Four 8-bit (or two 16-bit) voxels per 32-bit word: all-zero words are skipped.
      const perWord = 4 / voxels.BYTES_PER_ELEMENT;
      const aligned = voxels.byteOffset % 4 === 0 && voxels.byteLength % 4 === 0;
      const words = aligned ? new Uint32Array(voxels.buffer, voxels.byteOffset, voxels.byteLength / 4) : null;
      let lastValue = -1;
      let masks: Uint8Array[] = [];
      const wordCount = words ? words.length : size;
      for (let w = 0; w < wordCount; w++) {
        if (words && words[w] === 0) continue;
        const from = words ? w * perWord : w;
        const to = words ? from + perWord : w + 1;
        for (let i = from; i < to; i++) {
          const value = voxels[i]!;
          if (value === 0) continue;
          if (value !== lastValue) {
            lastValue = value;
            masks = masksOf(table, value, index);
          }
          for (const mask of masks) mask[i >> 3]! |= 1 << (i & 7);
        }
      }
    }
  }
  const out: Frame[] = [];
  for (const segment of [...frames.keys()].sort((a, b) => a - b))
    for (const [slice, bits] of [...frames.get(segment)!].sort((a, b) => a[0] - b[0]))
      out.push({ segment, slice, bits });
  return out;
}

/** Concatenates bit-packed frames into one bit stream (no padding between frames, PS3.5 8.1.1). */
export function packFrames(masks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((masks.length * size) / 8));
  if (size % 8 === 0) {
    masks.forEach((mask, f) => out.set(mask, (f * size) / 8));
    return out;
  }
  let bit = 0;
  for (const mask of masks)
    for (let i = 0; i < size; i++, bit++)
      if (mask[i >> 3]! & (1 << (i & 7))) out[bit >> 3]! |= 1 << (bit & 7);
  return out;
}

/** Writes the SEG; throws when no segment has a voxel. */
export function writeSegmentation(options: SegWriteOptions): Uint8Array {
  const { labelmap, geometry } = options;
  if (labelmap.width !== geometry.columns || labelmap.height !== geometry.rows)
    throw new AppError(ErrorCode.Internal, 'The labelmap does not have the size of its series.');
  const frames = framesOf(labelmap, geometry);
  if (frames.length === 0)
    throw new AppError(ErrorCode.NotFound, 'The segmentation is empty; there is nothing to export.');
  const present = new Set(frames.map((f) => f.segment));
  const segments = labelmap.segments
    .filter((s) => present.has(s.segmentIndex))
    .sort((a, b) => a.segmentIndex - b.segmentIndex);
  // Segment Numbers start at 1 and go up by one (PS3.3 C.8.20.2): a labelmap whose segments have
  // gaps (a segment deleted, or only some accepted from an AI SEG) is numbered in order.
  const numbers = new Map(segments.map((segment, index) => [segment.segmentIndex, index + 1]));
  const numberOf = (segmentIndex: number): number => numbers.get(segmentIndex) ?? segmentIndex;
  const { date, time } = dicomDateTime(options.now);
  const spacing = sliceSpacing(geometry);
  // The per-frame functional groups are encoded here, not by dcmjs (see encode.ts).
  const sourceCode = code('121322', 'DCM', 'Source image for image processing operation');
  const derivationCode = code('113076', 'DCM', 'Segmentation');
  const codeItemWriter = (c: Code) => (w: ExplicitLittleEndianWriter) => {
    w.text(0x0008, 0x0100, 'SH', c.value)
      .text(0x0008, 0x0102, 'SH', c.scheme)
      .text(0x0008, 0x0104, 'LO', c.meaning);
  };
  const perFrame = new ExplicitLittleEndianWriter().sequence(
    0x5200,
    0x9230,
    frames.map((frame) => (w) => {
      const slice = geometry.slices[frame.slice]!;
      w.sequence(0x0008, 0x9124, [
        (d) =>
          d
            .sequence(0x0008, 0x2112, [
              (src) =>
                src
                  .text(0x0008, 0x1150, 'UI', slice.sopClassUID)
                  .text(0x0008, 0x1155, 'UI', slice.sopInstanceUID)
                  .sequence(0x0040, 0xa170, [codeItemWriter(sourceCode)]),
            ])
            .sequence(0x0008, 0x9215, [codeItemWriter(derivationCode)]),
      ])
        .sequence(0x0020, 0x9111, [(f) => f.ul(0x0020, 0x9157, [numberOf(frame.segment), frame.slice + 1])])
        .sequence(0x0020, 0x9113, [
          (p) => p.text(0x0020, 0x0032, 'DS', slice.position.map(decimalString).join('\\')),
        ])
        .sequence(0x0062, 0x000a, [(s) => s.us(0x0062, 0x000b, [numberOf(frame.segment)])]);
    }),
  );
  const dimensionOrganizationUID = newUid();
  const dataset: Dataset = {
    SOPClassUID: SEGMENTATION_STORAGE,
    SOPInstanceUID: options.sopInstanceUID ?? newUid(),
    ...patientStudy(geometry, geometry.studyInstanceUID),
    Modality: 'SEG',
    SeriesInstanceUID: options.seriesInstanceUID ?? newUid(),
    SeriesNumber: '9902',
    SeriesDescription: options.seriesDescription ?? 'RadLabel segmentation (research use only)',
    FrameOfReferenceUID: geometry.frameOfReferenceUID,
    PositionReferenceIndicator: geometry.attributes['PositionReferenceIndicator'] ?? '',
    Manufacturer: MANUFACTURER,
    ManufacturerModelName: 'RadLabel',
    DeviceSerialNumber: '1',
    SoftwareVersions: options.softwareVersion,
    InstanceNumber: '1',
    ContentDate: date,
    ContentTime: time,
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: 'SEGMENTATION',
    ContentDescription: 'RadLabel segmentation',
    ContentCreatorName: options.author || 'Unknown',
    SegmentationType: 'BINARY',
    LossyImageCompression: '00',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: geometry.rows,
    Columns: geometry.columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    NumberOfFrames: String(frames.length),
    SegmentSequence: segments.map((segment, index) => segmentItem(segment, options, index + 1)),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUID }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrganizationUID,
        DimensionIndexPointer: 0x0062000b,
        FunctionalGroupPointer: 0x0062000a,
        DimensionDescriptionLabel: 'ReferencedSegmentNumber',
      },
      {
        DimensionOrganizationUID: dimensionOrganizationUID,
        DimensionIndexPointer: 0x00200032,
        FunctionalGroupPointer: 0x00209113,
        DimensionDescriptionLabel: 'ImagePositionPatient',
      },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [
          { ImageOrientationPatient: [...geometry.rowCosines, ...geometry.columnCosines] },
        ],
        PixelMeasuresSequence: [
          {
            PixelSpacing: geometry.pixelSpacing,
            SliceThickness: Math.abs(spacing),
            SpacingBetweenSlices: Math.abs(spacing),
          },
        ],
      },
    ],
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: geometry.seriesInstanceUID,
        ReferencedInstanceSequence: geometry.slices.map((slice) => ({
          ReferencedSOPClassUID: slice.sopClassUID,
          ReferencedSOPInstanceUID: slice.sopInstanceUID,
        })),
      },
      ...(options.sourceReferences ?? []).map((ref) => ({
        SeriesInstanceUID: ref.seriesInstanceUID,
        ReferencedInstanceSequence: [
          { ReferencedSOPClassUID: ref.sopClassUID, ReferencedSOPInstanceUID: ref.sopInstanceUID },
        ],
      })),
    ],
    ...(options.sourceReferences && options.sourceReferences.length > 0
      ? {
          SourceImageSequence: options.sourceReferences.map((ref) => ({
            ReferencedSOPClassUID: ref.sopClassUID,
            ReferencedSOPInstanceUID: ref.sopInstanceUID,
            PurposeOfReferenceCodeSequence: [codeItem(sourceCode)],
          })),
        }
      : {}),
  };
  const header = Buffer.concat([writePart10(dataset), perFrame.bytes()]);
  const pixels = packFrames(
    frames.map((f) => f.bits),
    geometry.rows * geometry.columns,
  );
  return appendPixelData(header, pixels);
}

/** Appends (7FE0,0010) OB to an explicit VR little endian Part 10 file (even length). */
export function appendPixelData(header: Uint8Array, pixels: Uint8Array): Uint8Array {
  const length = pixels.length + (pixels.length % 2);
  const out = new Uint8Array(header.length + 12 + length);
  out.set(header, 0);
  const view = new DataView(out.buffer, header.length, 12);
  view.setUint16(0, 0x7fe0, true);
  view.setUint16(2, 0x0010, true);
  out[header.length + 4] = 0x4f; // 'O'
  out[header.length + 5] = 0x42; // 'B'
  view.setUint32(8, length, true);
  out.set(pixels, header.length + 12);
  return out;
}
