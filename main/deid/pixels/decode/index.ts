/**
 * Decodes encapsulated (compressed) pixel data to native frames, so that burned-in text can be
 * rendered for OCR and masked. Supported: RLE Lossless, JPEG baseline/extended 8-bit, JPEG
 * lossless (process 14), JPEG-LS, JPEG 2000 and encapsulated uncompressed. Anything else
 * (12-bit lossy JPEG, HTJ2K, JPEG XL, MPEG/HEVC video, deflated images) is reported as not
 * decodable and the object is held for review.
 */
import { Decoder as JpegLosslessDecoder } from '@cornerstonejs/jpeg-lossless-decoder-js';
import type { PixelLayout } from '../layout.js';
import { frameByteLength } from '../layout.js';
import { decodeRleFrame } from './rle.js';
import { decodeWithWasmCodec, type DecodedFrame, type WasmCodecName } from './wasm-codecs.js';

export type DecodeResult =
  { ok: true; frames: Uint8Array[]; layout: PixelLayout } | { ok: false; reason: string };

type Codec = 'rle' | 'jpeg-lossless' | 'encapsulated-uncompressed' | WasmCodecName;

const CODEC_BY_TRANSFER_SYNTAX: ReadonlyMap<string, Codec> = new Map([
  ['1.2.840.10008.1.2.5', 'rle'],
  ['1.2.840.10008.1.2.4.50', 'jpeg-baseline'],
  ['1.2.840.10008.1.2.4.51', 'jpeg-baseline'],
  ['1.2.840.10008.1.2.4.57', 'jpeg-lossless'],
  ['1.2.840.10008.1.2.4.70', 'jpeg-lossless'],
  ['1.2.840.10008.1.2.4.80', 'jpeg-ls'],
  ['1.2.840.10008.1.2.4.81', 'jpeg-ls'],
  ['1.2.840.10008.1.2.4.90', 'jpeg-2000'],
  ['1.2.840.10008.1.2.4.91', 'jpeg-2000'],
  ['1.2.840.10008.1.2.1.98', 'encapsulated-uncompressed'],
]);

/** Colour spaces a decoder converts to RGB while decoding (JPEG YCbCr, JPEG 2000 RCT/ICT). */
const CONVERTED_TO_RGB = new Set([
  'YBR_FULL_422',
  'YBR_PARTIAL_422',
  'YBR_PARTIAL_420',
  'YBR_ICT',
  'YBR_RCT',
]);

export function canDecode(transferSyntaxUID: string): boolean {
  return CODEC_BY_TRANSFER_SYNTAX.has(transferSyntaxUID);
}

/** Decoded photometric interpretation: what the native output really holds. */
function decodedPhotometric(codec: Codec, photometric: string): string {
  if (CONVERTED_TO_RGB.has(photometric)) return 'RGB';
  // libjpeg-turbo converts a 3-component baseline JPEG from YCbCr unless told otherwise.
  if (codec === 'jpeg-baseline' && photometric === 'YBR_FULL') return 'RGB';
  return photometric;
}

function toHeaderPlanarOrder(interleaved: Uint8Array, layout: PixelLayout): Uint8Array {
  if (layout.samplesPerPixel === 1 || layout.planarConfiguration === 0) return interleaved;
  const bytesPerSample = layout.bitsAllocated / 8;
  const pixels = layout.rows * layout.columns;
  const planar = new Uint8Array(interleaved.byteLength);
  for (let pixel = 0; pixel < pixels; pixel += 1) {
    for (let sample = 0; sample < layout.samplesPerPixel; sample += 1) {
      const from = (pixel * layout.samplesPerPixel + sample) * bytesPerSample;
      const to = (sample * pixels + pixel) * bytesPerSample;
      for (let byte = 0; byte < bytesPerSample; byte += 1) planar[to + byte] = interleaved[from + byte]!;
    }
  }
  return planar;
}

function checkDecoded(decoded: DecodedFrame, layout: PixelLayout): string | null {
  if (decoded.width !== layout.columns || decoded.height !== layout.rows)
    return 'decoded frame size differs from the header';
  if (decoded.componentCount !== layout.samplesPerPixel)
    return 'decoded frame has a different number of samples than the header';
  if (decoded.bytes.byteLength !== frameByteLength(layout))
    return 'decoded frame length differs from the header';
  return null;
}

function decodeJpegLossless(frame: Uint8Array, layout: PixelLayout): Uint8Array {
  const decoder = new JpegLosslessDecoder();
  const copy = frame.slice();
  const decoded = decoder.decode(copy.buffer, 0, copy.byteLength, layout.bitsAllocated / 8);
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength).slice();
}

export async function decodeEncapsulatedFrames(
  frames: Uint8Array[],
  transferSyntaxUID: string,
  headerLayout: PixelLayout,
): Promise<DecodeResult> {
  const codec = CODEC_BY_TRANSFER_SYNTAX.get(transferSyntaxUID);
  if (!codec) return { ok: false, reason: 'compressed and cannot decode' };
  if (codec === 'jpeg-baseline' && headerLayout.bitsAllocated !== 8)
    return { ok: false, reason: 'compressed and cannot decode' };
  const layout: PixelLayout = {
    ...headerLayout,
    bigEndian: false,
    photometricInterpretation: decodedPhotometric(codec, headerLayout.photometricInterpretation),
  };
  const decoded: Uint8Array[] = [];
  try {
    for (const frame of frames) {
      let bytes: Uint8Array;
      if (codec === 'rle') bytes = decodeRleFrame(frame, layout);
      else if (codec === 'encapsulated-uncompressed') bytes = frame.slice();
      else if (codec === 'jpeg-lossless')
        bytes = toHeaderPlanarOrder(decodeJpegLossless(frame, layout), layout);
      else {
        const result = await decodeWithWasmCodec(codec, frame);
        const problem = checkDecoded(result, layout);
        if (problem) return { ok: false, reason: problem };
        bytes = toHeaderPlanarOrder(result.bytes, layout);
      }
      if (bytes.byteLength !== frameByteLength(layout))
        return { ok: false, reason: 'decoded frame length differs from the header' };
      decoded.push(bytes);
    }
  } catch {
    return { ok: false, reason: 'compressed and cannot decode' };
  }
  return { ok: true, frames: decoded, layout };
}
