/**
 * A 2D canvas laid over a Cornerstone viewport, drawn in the viewport's own image-to-canvas
 * mapping (zoom, pan, flip and rotation follow). Shared by the AI segments' overlay
 * (ai/segmentOverlay.ts) and the brush stroke preview (annotation/segmentation/strokePreview.ts):
 * both draw a bitmap of the image's size, a voxel a pixel, nearest neighbour, where Cornerstone
 * would draw a labelmap.
 */
import { type StackViewport, utilities as coreUtilities } from '@cornerstonejs/core';

/** The overlay canvas of `className` in the viewport element, made on first use. */
export function overlayCanvasOf(element: HTMLElement, className: string, testId: string): HTMLCanvasElement {
  let canvas = element.querySelector<HTMLCanvasElement>(`canvas.${className}`);
  if (canvas) return canvas;
  canvas = document.createElement('canvas');
  canvas.className = className;
  canvas.dataset['testid'] = testId;
  Object.assign(canvas.style, {
    position: 'absolute',
    left: '0',
    top: '0',
    width: '100%',
    height: '100%',
    pointerEvents: 'none',
  });
  // Over the image, under the annotation layer (SVG) that Cornerstone adds after its canvas.
  const imageCanvas = element.querySelector('canvas.cornerstone-canvas');
  if (imageCanvas?.parentElement) imageCanvas.parentElement.insertBefore(canvas, imageCanvas.nextSibling);
  else element.appendChild(canvas);
  return canvas;
}

/** The overlay canvas's size for its element: device pixels, and the device pixel ratio. */
export function overlayCanvasSize(element: HTMLElement): { width: number; height: number; ratio: number } {
  const ratio = window.devicePixelRatio || 1;
  return {
    width: Math.max(1, Math.round(element.clientWidth * ratio)),
    height: Math.max(1, Math.round(element.clientHeight * ratio)),
    ratio,
  };
}

/** Sizes the overlay canvas to its element in device pixels; returns the device pixel ratio. */
export function fitOverlayCanvas(canvas: HTMLCanvasElement, element: HTMLElement): number {
  const { width, height, ratio } = overlayCanvasSize(element);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  return ratio;
}

/** A 2D affine transform (a, b, c, d, e, f) as `CanvasRenderingContext2D.setTransform` takes it. */
export type Affine = [number, number, number, number, number, number];

/**
 * Image (column, row) → overlay canvas pixels for the image the viewport shows: the viewport's
 * own mapping at three points. Null while the image has no geometry yet.
 */
export function imageToCanvasTransform(
  viewport: StackViewport,
  imageId: string,
  ratio: number,
): Affine | null {
  const at = (column: number, row: number): [number, number] => {
    const world = coreUtilities.imageToWorldCoords(imageId, [column, row]);
    const [x, y] = world ? viewport.worldToCanvas(world) : [Number.NaN, Number.NaN];
    return [x * ratio, y * ratio];
  };
  const [ox, oy] = at(0, 0);
  const [cx, cy] = at(1, 0);
  const [rx, ry] = at(0, 1);
  if (![ox, oy, cx, cy, rx, ry].every(Number.isFinite)) return null;
  return [cx - ox, cy - oy, rx - ox, ry - oy, ox, oy];
}

/**
 * Draws image-sized bitmaps over the whole overlay (cleared first) in the viewport's mapping, and
 * returns that mapping; null (and nothing drawn) while the image has no geometry yet. Voxel (i, j)
 * covers image coordinates i..i+1, j..j+1, where Cornerstone draws it: its image coordinates put the
 * image position (the first voxel's centre) at (0.5, 0.5) (`worldToImageCoords`,
 * `imageToWorldCoords`).
 */
export function drawOverImage(
  canvas: HTMLCanvasElement,
  viewport: StackViewport,
  imageId: string,
  bitmaps: readonly CanvasImageSource[],
): Affine | null {
  const ratio = fitOverlayCanvas(canvas, viewport.element);
  const context = canvas.getContext('2d')!;
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.clearRect(0, 0, canvas.width, canvas.height);
  const transform = imageToCanvasTransform(viewport, imageId, ratio);
  if (!transform) return null;
  context.setTransform(...transform);
  context.imageSmoothingEnabled = false;
  for (const bitmap of bitmaps) context.drawImage(bitmap, 0, 0);
  context.setTransform(1, 0, 0, 1, 0, 0);
  return transform;
}

/**
 * Redraws one region of image-sized bitmaps (columns x0..x1, rows y0..y1) where they only gained
 * pixels since the last draw in the same mapping: the device pixels that region covers (rounded
 * out to whole pixels, so nothing is half cleared) are cleared and drawn again exactly as a whole
 * draw would draw them; the rest of the overlay stays. Returns the mapping used, or null (nothing
 * drawn) while the image has no geometry yet.
 */
export function drawRegionOverImage(
  canvas: HTMLCanvasElement,
  viewport: StackViewport,
  imageId: string,
  bitmaps: readonly CanvasImageSource[],
  region: { x0: number; y0: number; x1: number; y1: number },
): Affine | null {
  const ratio = fitOverlayCanvas(canvas, viewport.element);
  const transform = imageToCanvasTransform(viewport, imageId, ratio);
  if (!transform) return null;
  drawRegionInMapping(canvas, transform, bitmaps, region);
  return transform;
}

/**
 * `drawRegionOverImage` in a mapping the caller already has (the overlay drawn whole in it, its
 * size unchanged since): no layout read, no trip through the viewport's camera.
 */
export function drawRegionInMapping(
  canvas: HTMLCanvasElement,
  transform: Affine,
  bitmaps: readonly CanvasImageSource[],
  region: { x0: number; y0: number; x1: number; y1: number },
): void {
  const [a, b, c, d, e, f] = transform;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [u, v] of [
    [region.x0, region.y0],
    [region.x1 + 1, region.y0],
    [region.x0, region.y1 + 1],
    [region.x1 + 1, region.y1 + 1],
  ] as const) {
    xs.push(a * u + c * v + e);
    ys.push(b * u + d * v + f);
  }
  const left = Math.max(0, Math.floor(Math.min(...xs)));
  const top = Math.max(0, Math.floor(Math.min(...ys)));
  const right = Math.min(canvas.width, Math.ceil(Math.max(...xs)));
  const bottom = Math.min(canvas.height, Math.ceil(Math.max(...ys)));
  if (right <= left || bottom <= top) return;
  const context = canvas.getContext('2d')!;
  context.save();
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.beginPath();
  context.rect(left, top, right - left, bottom - top);
  context.clip();
  context.clearRect(left, top, right - left, bottom - top);
  context.setTransform(a, b, c, d, e, f);
  context.imageSmoothingEnabled = false;
  for (const bitmap of bitmaps) context.drawImage(bitmap, 0, 0);
  context.restore();
}
