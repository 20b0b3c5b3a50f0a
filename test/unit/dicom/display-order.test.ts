import { describe, expect, it } from 'vitest';
import { type OrderableInstance, compareForDisplay, slicePosition } from '../../../main/dicom/geometry.js';

describe('slice position in the reading direction', () => {
  it('grows from head to feet for axial slices, whichever way the normal points', () => {
    // normal (0,0,1): towards the head, so the position is −z.
    expect(slicePosition([-100, -100, 42.5], [1, 0, 0, 0, 1, 0])).toBeCloseTo(-42.5);
    // Rows right-to-left flip the normal to (0,0,−1); the reading position is still −z.
    expect(slicePosition([-100, -100, 42.5], [-1, 0, 0, 0, 1, 0])).toBeCloseTo(-42.5);
    const headFirst = [60, 30, 0].map((z) => slicePosition([0, 0, z], [1, 0, 0, 0, 1, 0])!);
    expect(headFirst[0]).toBeLessThan(headFirst[1]!);
    expect(headFirst[1]).toBeLessThan(headFirst[2]!);
  });

  it('grows from the patient’s right to left for sagittal slices (+x in LPS)', () => {
    // normal = (0,1,0) × (0,0,−1) = (−1,0,0); the reading position is +x.
    expect(slicePosition([12, -80, 90], [0, 1, 0, 0, 0, -1])).toBeCloseTo(12);
    expect(slicePosition([12, -80, 90], [0, -1, 0, 0, 0, -1])).toBeCloseTo(12);
  });

  it('grows from anterior to posterior for coronal slices (+y in LPS)', () => {
    // normal = (1,0,0) × (0,0,−1) = (0,1,0)
    expect(slicePosition([-90, 33, 80], [1, 0, 0, 0, 0, -1])).toBeCloseTo(33);
    expect(slicePosition([-90, 33, 80], [-1, 0, 0, 0, 0, -1])).toBeCloseTo(33);
  });

  it('follows an oblique orientation along its normal, read as the closest axis', () => {
    const s = Math.SQRT1_2;
    // normal (0, s, s): tie between y and z goes to z (axial), read towards the feet.
    expect(slicePosition([0, 10, 10], [1, 0, 0, 0, s, -s])).toBeCloseTo(-Math.hypot(10, 10));
    const c = Math.cos(0.3);
    const n = Math.sin(0.3);
    // An axial stack tilted by 0.3 rad: distance along the normal, negated (head first).
    expect(slicePosition([0, 0, 10], [1, 0, 0, 0, c, n])).toBeCloseTo(-10 * c);
  });

  it('is unknown without geometry or with a degenerate orientation', () => {
    expect(slicePosition(null, [1, 0, 0, 0, 1, 0])).toBeNull();
    expect(slicePosition([0, 0, 0], null)).toBeNull();
    expect(slicePosition([0, 0, 0], [1, 0, 0, 1, 0, 0])).toBeNull();
  });
});

describe('display order', () => {
  const instance = (
    sopInstanceUID: string,
    position: number | null,
    instanceNumber: number | null,
  ): OrderableInstance => ({
    sopInstanceUID,
    slicePosition: position,
    instanceNumber,
  });

  it('orders by position along the normal, whatever the instance numbers say', () => {
    const shuffled = [instance('1.3', 30, 1), instance('1.1', 10, 3), instance('1.2', 20, 2)];
    expect(shuffled.sort(compareForDisplay).map((i) => i.sopInstanceUID)).toEqual(['1.1', '1.2', '1.3']);
  });

  it('falls back to instance number, then UID', () => {
    const flat = [
      instance('1.9', null, 2),
      instance('1.8', null, 1),
      instance('1.7', null, null),
      instance('1.6', null, null),
    ];
    expect(flat.sort(compareForDisplay).map((i) => i.sopInstanceUID)).toEqual(['1.8', '1.9', '1.6', '1.7']);
  });

  it('breaks position ties by instance number', () => {
    const stack = [instance('1.2', 5, 2), instance('1.1', 5, 1)];
    expect(stack.sort(compareForDisplay).map((i) => i.sopInstanceUID)).toEqual(['1.1', '1.2']);
  });
});
