/**
 * Masks rectangles of native pixel data with "black in display terms": the darkest value the
 * frame already uses for greyscale (its minimum for MONOCHROME2, its maximum for MONOCHROME1),
 * zero for RGB, and Y=0 with neutral chroma for YBR_FULL. Using the frame's own extreme rather
 * than the representable extreme keeps a viewer's min/max window unchanged.
 */
import { FrameSamples, type PixelLayout } from './layout.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Clips a rectangle to the image; returns null when nothing of it lies inside. */
export function clipRect(rect: Rect, layout: Pick<PixelLayout, 'rows' | 'columns'>): Rect | null {
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(layout.columns, Math.ceil(rect.x + rect.width));
  const y1 = Math.min(layout.rows, Math.ceil(rect.y + rect.height));
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The per-sample values that display as black for this frame. */
export function blackSamples(samples: FrameSamples): number[] {
  const { photometricInterpretation, samplesPerPixel, bitsStored } = samples.layout;
  if (photometricInterpretation === 'RGB') return new Array<number>(samplesPerPixel).fill(0);
  if (photometricInterpretation === 'YBR_FULL') return [0, 1 << (bitsStored - 1), 1 << (bitsStored - 1)];
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < samples.length; index += 1) {
    const value = samples.get(index);
    if (value < min) min = value;
    if (value > max) max = value;
  }
  // PALETTE COLOR has no display order of indices; its minimum index is as good as any and is
  // at least a value the palette defines.
  return [photometricInterpretation === 'MONOCHROME1' ? max : min];
}

/** Overwrites the given rectangles of one frame in place. Returns the number of pixels changed. */
export function maskFrame(frame: Uint8Array, layout: PixelLayout, rects: Rect[]): number {
  const samples = new FrameSamples(frame, layout);
  const black = blackSamples(samples);
  let changed = 0;
  for (const rect of rects) {
    const clipped = clipRect(rect, layout);
    if (!clipped) continue;
    for (let y = clipped.y; y < clipped.y + clipped.height; y += 1) {
      for (let x = clipped.x; x < clipped.x + clipped.width; x += 1) {
        for (let sample = 0; sample < layout.samplesPerPixel; sample += 1)
          samples.set(samples.indexOf(x, y, sample), black[sample]!);
        changed += 1;
      }
    }
  }
  return changed;
}
