/**
 * DICOM RLE Lossless (PS3.5 Annex G) decoder. Each frame is a 64-byte header (segment count and
 * up to 15 offsets) followed by PackBits segments: one per byte of each sample, most
 * significant byte first, samples in plane order. The output follows the header's
 * PlanarConfiguration so that the decoded bytes match the native layout the header declares.
 */
import type { PixelLayout } from '../layout.js';

export class RleDecodeError extends Error {}

function decodeSegment(source: Uint8Array, start: number, end: number, target: Uint8Array): void {
  let read = start;
  let written = 0;
  while (read < end && written < target.length) {
    const header = (source[read]! << 24) >> 24; // signed byte
    read += 1;
    if (header >= 0) {
      const count = header + 1;
      if (read + count > end) throw new RleDecodeError('RLE literal run overruns its segment');
      target.set(source.subarray(read, read + Math.min(count, target.length - written)), written);
      read += count;
      written += count;
    } else if (header !== -128) {
      const count = 1 - header;
      if (read >= end) throw new RleDecodeError('RLE replicate run overruns its segment');
      target.fill(source[read]!, written, Math.min(target.length, written + count));
      read += 1;
      written += count;
    }
  }
  if (written < target.length) throw new RleDecodeError('RLE segment is shorter than the frame');
}

export function decodeRleFrame(frame: Uint8Array, layout: PixelLayout): Uint8Array {
  if (frame.byteLength < 64) throw new RleDecodeError('RLE frame has no header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segmentCount = view.getUint32(0, true);
  const bytesPerSample = layout.bitsAllocated / 8;
  if (segmentCount !== layout.samplesPerPixel * bytesPerSample)
    throw new RleDecodeError('RLE segment count does not match the image');
  const offsets: number[] = [];
  for (let index = 0; index < segmentCount; index += 1) offsets.push(view.getUint32(4 + index * 4, true));
  offsets.push(frame.byteLength);

  const pixels = layout.rows * layout.columns;
  const output = new Uint8Array(pixels * layout.samplesPerPixel * bytesPerSample);
  const segment = new Uint8Array(pixels);
  for (let sample = 0; sample < layout.samplesPerPixel; sample += 1) {
    for (let byte = 0; byte < bytesPerSample; byte += 1) {
      const index = sample * bytesPerSample + byte;
      const start = offsets[index]!;
      const end = offsets[index + 1]!;
      if (start < 64 || end > frame.byteLength || end < start)
        throw new RleDecodeError('RLE segment offsets are out of range');
      decodeSegment(frame, start, end, segment);
      // Segment 0 of a sample is its most significant byte; native output is little endian.
      const byteInSample = bytesPerSample - 1 - byte;
      for (let pixel = 0; pixel < pixels; pixel += 1) {
        const sampleIndex =
          layout.planarConfiguration === 1
            ? sample * pixels + pixel
            : pixel * layout.samplesPerPixel + sample;
        output[sampleIndex * bytesPerSample + byteInSample] = segment[pixel]!;
      }
    }
  }
  return output;
}
