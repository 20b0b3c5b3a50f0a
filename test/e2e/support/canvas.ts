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
