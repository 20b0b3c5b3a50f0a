/**
 * The zoom a reader reads on the overlay: screen pixels per image pixel, as a percentage (100 %:
 * one CSS pixel of the canvas per pixel of the image; 200 %: each image pixel two screen pixels
 * wide). Cornerstone's own getZoom() is relative to its fitted view, which means nothing to a
 * reader (a 3×3 image fitted to a viewport is at "100 %" while each of its pixels is 261 screen
 * pixels wide, and kept across images of other sizes it showed as 26100 %).
 *
 * Measured on the canvas: the distance between two image pixels a row apart in the column
 * direction, through Cornerstone's image → world → canvas transforms, so rotation, flips, pixel
 * spacing and the viewport's size are all accounted for.
 */
import { type StackViewport, utilities } from '@cornerstonejs/core';

/** Screen (CSS) pixels per image pixel along the image's rows, or null when no image is shown. */
export function screenPixelsPerImagePixel(viewport: StackViewport): number | null {
  const imageId = viewport.getCurrentImageId();
  if (!imageId) return null;
  try {
    const span = 16;
    const worldA = utilities.imageToWorldCoords(imageId, [0, 0]);
    const worldB = utilities.imageToWorldCoords(imageId, [span, 0]);
    if (!worldA || !worldB) return null;
    const a = viewport.worldToCanvas(worldA);
    const b = viewport.worldToCanvas(worldB);
    const perPixel = Math.hypot(b[0] - a[0], b[1] - a[1]) / span;
    return Number.isFinite(perPixel) && perPixel > 0 ? perPixel : null;
  } catch {
    // The image's plane is not known yet (its metadata still loading).
    return null;
  }
}

/** The percentage shown: whole numbers, one decimal below 10 %. */
export function zoomPercentOf(screenPerImagePixel: number): number {
  const percent = screenPerImagePixel * 100;
  return percent >= 10 ? Math.round(percent) : Math.round(percent * 10) / 10;
}

/** The overlay's zoom for a viewport: screen pixels per image pixel in percent (Cornerstone's zoom when unknown). */
export function displayZoomPercent(viewport: StackViewport): number {
  const perPixel = screenPixelsPerImagePixel(viewport);
  return zoomPercentOf(perPixel ?? viewport.getZoom());
}
