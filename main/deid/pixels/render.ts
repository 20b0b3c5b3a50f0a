/**
 * Renders one native frame as a picture for OCR: greyscale windowed to the frame's own range
 * (the header's window is not part of the pixel context, and burned-in text sits at the
 * extremes anyway), colour reduced to luminance, enlarged so that the small fonts of scanner
 * overlays reach Tesseract's preferred glyph size, and binarised so that the usual bright text
 * on a dark background becomes black ink on white (what Tesseract reads best).
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

/**
 * OCR runs at two enlargements and the words of both are combined: in measurements on
 * scanner-style overlays, each scale misses or misreads words the other reads, and their union
 * found every planted label. Large frames already have large glyphs.
 */
export function ocrScalesFor(layout: Pick<PixelLayout, 'rows' | 'columns'>): number[] {
  return Math.max(layout.rows, layout.columns) <= 1024 ? [2, 3] : [1, 2];
}

/**
 * How a frame is shown to OCR: its luminance range (its own minimum and maximum) and the
 * brightness that separates ink from background.
 */
export interface DisplayRange {
  min: number;
  max: number;
  /** Brightness 0–255 at or above which a pixel is ink (see inkThreshold). */
  threshold: number;
}

function luminanceOf(frame: Uint8Array, layout: PixelLayout): Float64Array {
  const samples = new FrameSamples(frame, layout);
  const { rows, columns, photometricInterpretation } = layout;
  const luminance = new Float64Array(rows * columns);
  for (let y = 0; y < rows; y += 1) {
    for (let x = 0; x < columns; x += 1) {
      luminance[y * columns + x] =
        photometricInterpretation === 'RGB'
          ? 0.299 * samples.get(samples.indexOf(x, y, 0)) +
            0.587 * samples.get(samples.indexOf(x, y, 1)) +
            0.114 * samples.get(samples.indexOf(x, y, 2))
          : samples.get(samples.indexOf(x, y, 0)); // MONOCHROME1/2, PALETTE COLOR index, Y of YBR_FULL
    }
  }
  return luminance;
}

/**
 * Otsu's threshold: the level that best separates the histogram into two classes. When a range
 * of levels separates them equally well (two-level pictures: every level between the two), the
 * middle of that range, so that faint changes near either level stay on their side.
 */
export function otsuThreshold(histogram: Float64Array): number {
  let total = 0;
  for (const count of histogram) total += count;
  let sumAll = 0;
  for (let level = 0; level < 256; level += 1) sumAll += level * histogram[level]!;
  let weightBelow = 0;
  let sumBelow = 0;
  let best = -1;
  let first = 128;
  let last = 128;
  for (let level = 0; level < 255; level += 1) {
    weightBelow += histogram[level]!;
    sumBelow += level * histogram[level]!;
    if (weightBelow === 0) continue;
    const weightAbove = total - weightBelow;
    if (weightAbove === 0) break;
    const meanBelow = sumBelow / weightBelow;
    const meanAbove = (sumAll - sumBelow) / weightAbove;
    const between = weightBelow * weightAbove * (meanBelow - meanAbove) ** 2;
    if (between > best * (1 + 1e-12)) {
      best = between;
      first = level + 1;
      last = level + 1;
    } else if (between >= best * (1 - 1e-12)) {
      last = level + 1;
    }
  }
  return Math.round((first + last) / 2);
}

/** Counts of each brightness level 0–255. */
export function histogramOf(
  brightness: Uint8Array,
  into: Float64Array = new Float64Array(256),
): Float64Array {
  for (const value of brightness) into[value]! += 1;
  return into;
}

/**
 * One range for all frames of an object: a cine's frames then render the same wherever they are
 * the same (so identical renderings are read once), and a frame without text cannot stretch its
 * own speckle to full contrast.
 */
export function displayRangeOf(frames: readonly Uint8Array[], layout: PixelLayout): DisplayRange {
  let min = Infinity;
  let max = -Infinity;
  for (const frame of frames) {
    for (const value of luminanceOf(frame, layout)) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  const histogram = new Float64Array(256);
  for (const frame of frames)
    histogramOf(frameBrightness(frame, layout, { min, max, threshold: 128 }), histogram);
  return { min, max, threshold: inkThreshold(histogram) };
}

/**
 * The brightness that separates burned-in text from the picture. Otsu's threshold works when the
 * frame is text on a plain background (little ink) or a document (little background). When it
 * splits the picture itself in two (an ultrasound sector, speckle, a textured background), the
 * text is the small bright tail of the histogram: the threshold moves halfway between the 99th
 * percentile and the maximum, which isolates overlay text drawn at the brightest level (and
 * keeps the moving picture of a cine out of the rendering, so its frames render alike).
 */
export function inkThreshold(histogram: Float64Array): number {
  const otsu = otsuThreshold(histogram);
  let total = 0;
  for (const count of histogram) total += count;
  let ink = 0;
  for (let level = otsu; level < 256; level += 1) ink += histogram[level]!;
  const inkFraction = ink / total;
  // Text is a few percent of a frame; a larger bright class is picture (a sector, a body). When
  // the bright class is text after all (a page of text), the 99th percentile lies in it, the
  // gap to the maximum is small, and Otsu is kept below.
  if (inkFraction <= 0.05 || inkFraction >= 0.95) return otsu;
  let below = 0;
  let p99 = 255;
  for (let level = 0; level < 256; level += 1) {
    below += histogram[level]!;
    if (below >= total * 0.99) {
      p99 = level;
      break;
    }
  }
  let max = 255;
  while (max > 0 && histogram[max] === 0) max -= 1;
  return max - p99 >= 32 ? Math.ceil((p99 + max) / 2) : otsu;
}

/**
 * Display brightness of every pixel in frame coordinates, 0 (black) to 255 (white), in the
 * given range. The re-check after masking must use the range of the frame BEFORE masking:
 * with the bright text gone, the frame's own range would stretch noise to full contrast and
 * Tesseract would read words in it.
 */
export function frameBrightness(
  frame: Uint8Array,
  layout: PixelLayout,
  range: DisplayRange = displayRangeOf([frame], layout),
): Uint8Array {
  return brightnessOf(luminanceOf(frame, layout), layout, range);
}

function brightnessOf(
  luminance: Float64Array,
  layout: PixelLayout,
  range: Pick<DisplayRange, 'min' | 'max'>,
): Uint8Array {
  const span = range.max - range.min || 1;
  const invertDisplay = layout.photometricInterpretation === 'MONOCHROME1';
  const brightness = new Uint8Array(luminance.length);
  for (let index = 0; index < luminance.length; index += 1) {
    const level = Math.max(0, Math.min(255, Math.round(((luminance[index]! - range.min) / span) * 255)));
    brightness[index] = invertDisplay ? 255 - level : level;
  }
  return brightness;
}

/**
 * Enlarges with bilinear interpolation (smoother glyph edges than pixel repetition, which
 * Tesseract reads better) and binarises at the range's threshold: ink black, background white.
 * Binarising here rather than inside Tesseract keeps the threshold of the unmasked frame for
 * the re-check; Tesseract's own Otsu would, once the text is gone, split the noise of the
 * background into speckle and read words in it.
 */
export function renderForOcr(
  frame: Uint8Array,
  layout: PixelLayout,
  scale: number,
  range: DisplayRange = displayRangeOf([frame], layout),
): GreyImage {
  return enlargeAndBinarise(frameBrightness(frame, layout, range), layout, scale, range.threshold);
}

/**
 * The same picture as `renderForOcr(frame, layout, scale, displayRangeOf([frame], layout))`, with
 * the frame's luminance computed once instead of three times: what the series sample reads,
 * where rendering is a good part of the cost.
 */
export function renderFrameInOwnRange(frame: Uint8Array, layout: PixelLayout, scale: number): GreyImage {
  const luminance = luminanceOf(frame, layout);
  let min = Infinity;
  let max = -Infinity;
  for (const value of luminance) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const brightness = brightnessOf(luminance, layout, { min, max });
  return enlargeAndBinarise(brightness, layout, scale, inkThreshold(histogramOf(brightness)));
}

function enlargeAndBinarise(
  brightness: Uint8Array,
  layout: PixelLayout,
  scale: number,
  threshold: number,
): GreyImage {
  const { columns, rows } = layout;
  const width = columns * scale;
  const height = rows * scale;
  // Source columns and weights are the same on every row: computed once.
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const weight = new Float32Array(width);
  for (let x = 0; x < width; x += 1) {
    const sourceX = Math.min(columns - 1, Math.max(0, (x + 0.5) / scale - 0.5));
    left[x] = Math.floor(sourceX);
    right[x] = Math.min(columns - 1, left[x]! + 1);
    weight[x] = sourceX - left[x]!;
  }
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    const sourceY = Math.min(rows - 1, Math.max(0, (y + 0.5) / scale - 0.5));
    const top = Math.floor(sourceY) * columns;
    const bottom = Math.min(rows - 1, Math.floor(sourceY) + 1) * columns;
    const fy = sourceY - Math.floor(sourceY);
    const row = y * width;
    for (let x = 0; x < width; x += 1) {
      const fx = weight[x]!;
      const upper =
        brightness[top + left[x]!]! + (brightness[top + right[x]!]! - brightness[top + left[x]!]!) * fx;
      const lower =
        brightness[bottom + left[x]!]! +
        (brightness[bottom + right[x]!]! - brightness[bottom + left[x]!]!) * fx;
      pixels[row + x] = upper + (lower - upper) * fy >= threshold ? 0 : 255;
    }
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
