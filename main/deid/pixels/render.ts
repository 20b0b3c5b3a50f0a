/**
 * Renders one native frame as an 8-bit greyscale picture for OCR: greyscale windowed to the
 * frame's own range (the header's window is not part of the pixel context, and burned-in text
 * sits at the extremes anyway), colour reduced to luminance, inverted so that the usual bright
 * text on a dark background becomes dark text on a light one (what Tesseract reads best), and
 * enlarged so that the small fonts of scanner overlays reach Tesseract's preferred glyph size.
 */
import { FrameSamples, type PixelLayout } from './layout.js';

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, row by row. */
  pixels: Uint8Array;
  /** Factor from frame coordinates to image coordinates. */
  scale: number;
}

/** Frames are enlarged until their long side reaches this many pixels (at most 4×). */
const TARGET_LONG_SIDE = 1600;
const MAX_SCALE = 4;

export function ocrScaleFor(layout: Pick<PixelLayout, 'rows' | 'columns'>): number {
  return Math.max(1, Math.min(MAX_SCALE, Math.floor(TARGET_LONG_SIDE / Math.max(layout.rows, layout.columns))));
}

/** Display brightness of every pixel in frame coordinates, 0 (black) to 255 (white). */
export function frameBrightness(frame: Uint8Array, layout: PixelLayout): Uint8Array {
  const samples = new FrameSamples(frame, layout);
  const { rows, columns, photometricInterpretation } = layout;
  const pixelCount = rows * columns;
  const luminance = new Float64Array(pixelCount);
  for (let y = 0; y < rows; y += 1) {
    for (let x = 0; x < columns; x += 1) {
      let value: number;
      if (photometricInterpretation === 'RGB') {
        value = 0.299 * samples.get(samples.indexOf(x, y, 0)) + 0.587 * samples.get(samples.indexOf(x, y, 1)) + 0.114 * samples.get(samples.indexOf(x, y, 2));
      } else {
        // MONOCHROME1/2, PALETTE COLOR index, and Y of YBR_FULL.
        value = samples.get(samples.indexOf(x, y, 0));
      }
      luminance[y * columns + x] = value;
    }
  }
  let min = Infinity;
  let max = -Infinity;
  for (const value of luminance) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const range = max - min || 1;
  const invertDisplay = photometricInterpretation === 'MONOCHROME1';
  const brightness = new Uint8Array(pixelCount);
  for (let index = 0; index < pixelCount; index += 1) {
    const level = Math.round(((luminance[index]! - min) / range) * 255);
    brightness[index] = invertDisplay ? 255 - level : level;
  }
  return brightness;
}

export function renderForOcr(frame: Uint8Array, layout: PixelLayout): GreyImage {
  const brightness = frameBrightness(frame, layout);
  const scale = ocrScaleFor(layout);
  const width = layout.columns * scale;
  const height = layout.rows * scale;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    const sourceRow = Math.floor(y / scale) * layout.columns;
    for (let x = 0; x < width; x += 1) pixels[y * width + x] = 255 - brightness[sourceRow + Math.floor(x / scale)]!;
  }
  return { width, height, pixels, scale };
}

/** Binary PGM (P5): the simplest image file Tesseract's Leptonica reads. */
export function toPgm(image: GreyImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
  const file = new Uint8Array(header.byteLength + image.pixels.byteLength);
  file.set(header, 0);
  file.set(image.pixels, header.byteLength);
  return file;
}
