/**
 * Reading what a viewport shows, in the page: the luminance of its canvas along the centre row and
 * column. Tests compare these against values computed from the DICOM pixel data and the window.
 */
import type { Page } from '@playwright/test';

export interface CanvasProfile {
  width: number;
  height: number;
  /** Luminance (0–255, the red channel of a grey image) along y = height / 2. */
  row: number[];
  /** Luminance along x = width / 2. */
  column: number[];
}

export async function canvasProfile(page: Page, slot = 0): Promise<CanvasProfile> {
  return page.evaluate((slotIndex) => {
    const canvas = document.querySelector<HTMLCanvasElement>(
      `[data-testid="viewport-element-${slotIndex}"] canvas`,
    );
    if (!canvas) throw new Error(`viewport ${slotIndex} has no canvas`);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('the viewport canvas has no 2D context');
    const { width, height } = canvas;
    const rowData = context.getImageData(0, Math.floor(height / 2), width, 1).data;
    const columnData = context.getImageData(Math.floor(width / 2), 0, 1, height).data;
    const red = (data: Uint8ClampedArray) => Array.from({ length: data.length / 4 }, (_, i) => data[i * 4]!);
    return { width, height, row: red(rowData), column: red(columnData) };
  }, slot);
}

/** The longest run of samples brighter than `threshold`, as [start, length]. */
export function brightRun(samples: number[], threshold: number): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = -1;
  samples.forEach((value, index) => {
    if (value > threshold) {
      if (start < 0) start = index;
      const length = index - start + 1;
      if (length > best.length) best = { start, length };
    } else {
      start = -1;
    }
  });
  return best;
}

export function mean(samples: number[]): number {
  return samples.reduce((sum, value) => sum + value, 0) / Math.max(1, samples.length);
}

/**
 * Grey level of a modality value (HU) under a linear VOI window, as Cornerstone maps it: the
 * window's lower/upper bounds (DICOM PS3.3 C.11.2.1.2) go to 0 and 255.
 */
export function expectedGrey(value: number, width: number, center: number): number {
  const lower = center - 0.5 - (width - 1) / 2;
  const upper = center - 0.5 + (width - 1) / 2;
  if (value <= lower) return 0;
  if (value > upper) return 255;
  return ((value - lower) / (upper - lower)) * 255;
}

export type Rgb = [number, number, number];

/**
 * What the screen shows in `clip` (page CSS pixels), composited as the reader sees it (every
 * canvas and layer over each other): one colour per device pixel, row by row.
 */
export async function shownPixels(
  page: Page,
  clip: { x: number; y: number; width: number; height: number },
): Promise<Rgb[]> {
  const png = await page.screenshot({ clip });
  return page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const colours: Array<[number, number, number]> = [];
    for (let i = 0; i < data.length; i += 4) colours.push([data[i]!, data[i + 1]!, data[i + 2]!]);
    return colours;
  }, png.toString('base64'));
}

/** What the screen shows at one page point (the mean of the 3 × 3 CSS pixels around it). */
export async function shownPixel(page: Page, at: { x: number; y: number }): Promise<Rgb> {
  const pixels = await shownPixels(page, { x: at.x - 1, y: at.y - 1, width: 3, height: 3 });
  const mean = (channel: number) =>
    Math.round(pixels.reduce((sum, pixel) => sum + pixel[channel]!, 0) / pixels.length);
  return [mean(0), mean(1), mean(2)];
}
