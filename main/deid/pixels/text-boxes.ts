/**
 * Where OCR found text on an object, as the review of held images shows it: the first frame (the
 * one the review draws), image pixels, each box once, at most 256. Never the text itself.
 */
import type { PixelRegion } from './types.js';

export interface TextBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const MAX_TEXT_BOXES = 256;

export function firstFrameTextBoxes(regions: readonly PixelRegion[]): TextBox[] {
  const seen = new Set<string>();
  const boxes: TextBox[] = [];
  for (const region of regions) {
    if (region.frame !== 0 || region.source !== 'ocr') continue;
    const key = `${region.x},${region.y},${region.width},${region.height}`;
    if (seen.has(key)) continue;
    seen.add(key);
    boxes.push({ x: region.x, y: region.y, width: region.width, height: region.height });
    if (boxes.length === MAX_TEXT_BOXES) break;
  }
  return boxes;
}
