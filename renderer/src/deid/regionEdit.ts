/**
 * Editing a redaction region on the review of held images: a corner or edge handle dragged, the
 * whole region moved, or the arrow keys. Pure geometry in image pixels; every result is a whole-
 * pixel rectangle inside the image, at least one pixel wide and high.
 */
import type { DeidPixelRect } from '../../../shared/contract.js';

export type RegionHandle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w' | 'move';

export const RESIZE_HANDLES: readonly Exclude<RegionHandle, 'move'>[] = [
  'nw',
  'n',
  'ne',
  'e',
  'se',
  's',
  'sw',
  'w',
];

/** Where a handle sits on the region (image pixels). */
export function handlePoint(rect: DeidPixelRect, handle: Exclude<RegionHandle, 'move'>): [number, number] {
  const x = handle.includes('w')
    ? rect.x
    : handle.includes('e')
      ? rect.x + rect.width
      : rect.x + rect.width / 2;
  const y = handle.includes('n')
    ? rect.y
    : handle.includes('s')
      ? rect.y + rect.height
      : rect.y + rect.height / 2;
  return [x, y];
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * The region after its handle moved by (dx, dy) image pixels from where the drag started. Edges
 * stop one pixel short of the opposite edge (a region never turns inside out); a moved region
 * keeps its size and stays inside the image.
 */
export function editRegion(
  start: DeidPixelRect,
  handle: RegionHandle,
  dx: number,
  dy: number,
  columns: number,
  rows: number,
): DeidPixelRect {
  const dxi = Math.round(dx);
  const dyi = Math.round(dy);
  if (handle === 'move') {
    return {
      x: clamp(start.x + dxi, 0, Math.max(0, columns - start.width)),
      y: clamp(start.y + dyi, 0, Math.max(0, rows - start.height)),
      width: Math.min(start.width, columns),
      height: Math.min(start.height, rows),
    };
  }
  let left = start.x;
  let top = start.y;
  let right = start.x + start.width;
  let bottom = start.y + start.height;
  if (handle.includes('w')) left = clamp(left + dxi, 0, right - 1);
  if (handle.includes('e')) right = clamp(right + dxi, left + 1, columns);
  if (handle.includes('n')) top = clamp(top + dyi, 0, bottom - 1);
  if (handle.includes('s')) bottom = clamp(bottom + dyi, top + 1, rows);
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * The arrow keys on a selected region: move it by one pixel (ten with Shift); with Alt, the
 * right or bottom edge moves instead (grow or shrink).
 */
export function nudgeRegion(
  rect: DeidPixelRect,
  key: string,
  modifiers: { shift: boolean; alt: boolean },
  columns: number,
  rows: number,
): DeidPixelRect | null {
  const step = modifiers.shift ? 10 : 1;
  const delta: Record<string, [number, number]> = {
    ArrowLeft: [-step, 0],
    ArrowRight: [step, 0],
    ArrowUp: [0, -step],
    ArrowDown: [0, step],
  };
  const move = delta[key];
  if (!move) return null;
  if (modifiers.alt) return editRegion(rect, move[0] !== 0 ? 'e' : 's', move[0], move[1], columns, rows);
  return editRegion(rect, 'move', move[0], move[1], columns, rows);
}
