/**
 * How native (uncompressed) pixel data is laid out in memory, derived from the image pixel
 * module. Every pixel operation (masking, rendering for OCR, decoding) goes through a
 * `PixelLayout` so that sample size, sign, byte order and planar configuration are handled in
 * one place.
 */
import type { PixelContext } from './types.js';

/** Explicit VR Big Endian (retired): the only transfer syntax whose native samples are big endian. */
export const BIG_ENDIAN_TRANSFER_SYNTAX = '1.2.840.10008.1.2.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export interface PixelLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /** 8 or 16: the sample sizes this module reads and writes. */
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
  /** 0: RGBRGB…; 1: RRR…GGG…BBB… (only meaningful when samplesPerPixel > 1). */
  planarConfiguration: 0 | 1;
  photometricInterpretation: string;
  bigEndian: boolean;
  numberOfFrames: number;
}

export type LayoutResult = { ok: true; layout: PixelLayout } | { ok: false; reason: string };

/**
 * Photometric interpretations whose native samples this module can mask and render. Compressed
 * data in other colour spaces (YBR_FULL_422, YBR_ICT, YBR_RCT) decodes to RGB first.
 */
const MASKABLE_PHOTOMETRIC = new Set(['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'PALETTE COLOR']);

export function isMaskablePhotometric(photometric: string): boolean {
  return MASKABLE_PHOTOMETRIC.has(photometric);
}

export function layoutOf(
  context: Pick<
    PixelContext,
    | 'rows'
    | 'columns'
    | 'samplesPerPixel'
    | 'bitsAllocated'
    | 'bitsStored'
    | 'pixelRepresentation'
    | 'planarConfiguration'
    | 'photometricInterpretation'
    | 'numberOfFrames'
    | 'transferSyntaxUID'
  >,
): LayoutResult {
  const { rows, columns, samplesPerPixel, bitsAllocated } = context;
  if (!(rows > 0 && columns > 0)) return { ok: false, reason: 'image has no rows or columns' };
  if (bitsAllocated !== 8 && bitsAllocated !== 16)
    return { ok: false, reason: `${bitsAllocated}-bit pixel samples are not supported for masking` };
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3)
    return { ok: false, reason: `${samplesPerPixel} samples per pixel are not supported for masking` };
  const photometric = context.photometricInterpretation.trim().toUpperCase();
  if (photometric === '') return { ok: false, reason: 'image has no photometric interpretation' };
  const bitsStored =
    context.bitsStored > 0 && context.bitsStored <= bitsAllocated ? context.bitsStored : bitsAllocated;
  return {
    ok: true,
    layout: {
      rows,
      columns,
      samplesPerPixel,
      bitsAllocated,
      bitsStored,
      signed: context.pixelRepresentation === 1,
      planarConfiguration: samplesPerPixel > 1 && context.planarConfiguration === 1 ? 1 : 0,
      photometricInterpretation: photometric,
      bigEndian: context.transferSyntaxUID === BIG_ENDIAN_TRANSFER_SYNTAX,
      numberOfFrames: Math.max(1, context.numberOfFrames || 1),
    },
  };
}

export function frameByteLength(layout: PixelLayout): number {
  return layout.rows * layout.columns * layout.samplesPerPixel * (layout.bitsAllocated / 8);
}

/**
 * Reads and writes the samples of one frame as integers, honouring sign, bits stored and byte
 * order. Sample index = the position in the frame's sample array (planar or interleaved).
 */
export class FrameSamples {
  private readonly view: DataView;
  private readonly littleEndian: boolean;
  private readonly shift: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly layout: PixelLayout,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.littleEndian = !layout.bigEndian;
    this.shift = 32 - layout.bitsStored;
  }

  get length(): number {
    return this.bytes.byteLength / (this.layout.bitsAllocated / 8);
  }

  /** The value of the stored bits, sign-extended when PixelRepresentation is 1. */
  get(index: number): number {
    const raw =
      this.layout.bitsAllocated === 8
        ? this.bytes[index]!
        : this.view.getUint16(index * 2, this.littleEndian);
    // Bits above BitsStored may carry overlays or garbage: keep only the stored bits.
    return this.layout.signed ? (raw << this.shift) >> this.shift : (raw << this.shift) >>> this.shift;
  }

  set(index: number, value: number): void {
    const mask = this.layout.bitsStored >= 32 ? 0xffffffff : (1 << this.layout.bitsStored) - 1;
    const stored = value & mask;
    if (this.layout.bitsAllocated === 8) this.bytes[index] = stored;
    else this.view.setUint16(index * 2, stored, this.littleEndian);
  }

  /** Index of sample `sample` (0..samplesPerPixel-1) of pixel (x, y). */
  indexOf(x: number, y: number, sample: number): number {
    const { columns, rows, samplesPerPixel, planarConfiguration } = this.layout;
    const pixel = y * columns + x;
    return planarConfiguration === 1 ? sample * rows * columns + pixel : pixel * samplesPerPixel + sample;
  }
}

/** Splits native PixelData into frames (views, no copy). Fails when the value is too short. */
export function splitNativeFrames(bytes: Uint8Array, layout: PixelLayout): Uint8Array[] | null {
  const length = frameByteLength(layout);
  if (bytes.byteLength < length * layout.numberOfFrames) return null;
  const frames: Uint8Array[] = [];
  for (let frame = 0; frame < layout.numberOfFrames; frame += 1)
    frames.push(bytes.subarray(frame * length, (frame + 1) * length));
  return frames;
}
