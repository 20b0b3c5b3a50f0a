/**
 * Redaction regions on the review of held images are edited by handles and keys
 * (renderer/src/deid/regionEdit.ts): corners and edges move only their sides, a region never
 * turns inside out or leaves the image, moving keeps its size, the arrow keys nudge it.
 */
import { describe, expect, it } from 'vitest';
import { editRegion, handlePoint, nudgeRegion } from '../../../renderer/src/deid/regionEdit.js';

const rect = { x: 10, y: 20, width: 30, height: 10 };

describe('editing a redaction region', () => {
  it('a corner handle moves its two sides, the others stay', () => {
    expect(editRegion(rect, 'se', 5, 7, 100, 100)).toEqual({ x: 10, y: 20, width: 35, height: 17 });
    expect(editRegion(rect, 'nw', -4, -6, 100, 100)).toEqual({ x: 6, y: 14, width: 34, height: 16 });
  });
  it('an edge handle moves one side only', () => {
    expect(editRegion(rect, 'e', 8, 50, 100, 100)).toEqual({ x: 10, y: 20, width: 38, height: 10 });
    expect(editRegion(rect, 'n', 50, 4, 100, 100)).toEqual({ x: 10, y: 24, width: 30, height: 6 });
  });
  it('a side stops one pixel before the opposite one and at the image edge', () => {
    expect(editRegion(rect, 'w', 100, 0, 100, 100)).toEqual({ x: 39, y: 20, width: 1, height: 10 });
    expect(editRegion(rect, 's', 0, 500, 100, 60)).toEqual({ x: 10, y: 20, width: 30, height: 40 });
    expect(editRegion(rect, 'nw', -50, -50, 100, 100)).toEqual({ x: 0, y: 0, width: 40, height: 30 });
  });
  it('moving keeps the size and stays inside the image', () => {
    expect(editRegion(rect, 'move', 3.4, -2.6, 100, 100)).toEqual({ x: 13, y: 17, width: 30, height: 10 });
    expect(editRegion(rect, 'move', 500, 500, 100, 60)).toEqual({ x: 70, y: 50, width: 30, height: 10 });
  });
  it('arrow keys move by one pixel, ten with Shift, and resize with Alt', () => {
    expect(nudgeRegion(rect, 'ArrowLeft', { shift: false, alt: false }, 100, 100)).toMatchObject({ x: 9 });
    expect(nudgeRegion(rect, 'ArrowDown', { shift: true, alt: false }, 100, 100)).toMatchObject({ y: 30 });
    expect(nudgeRegion(rect, 'ArrowRight', { shift: false, alt: true }, 100, 100)).toEqual({
      ...rect,
      width: 31,
    });
    expect(nudgeRegion(rect, 'ArrowUp', { shift: false, alt: true }, 100, 100)).toEqual({
      ...rect,
      height: 9,
    });
    expect(nudgeRegion(rect, 'a', { shift: false, alt: false }, 100, 100)).toBeNull();
  });
  it('handles sit on the corners and edge midpoints', () => {
    expect(handlePoint(rect, 'nw')).toEqual([10, 20]);
    expect(handlePoint(rect, 'se')).toEqual([40, 30]);
    expect(handlePoint(rect, 'n')).toEqual([25, 20]);
    expect(handlePoint(rect, 'w')).toEqual([10, 25]);
  });
});
