import { describe, expect, it } from 'vitest';
import { type OrderableInstance, compareForDisplay, slicePosition } from '../../../main/dicom/geometry.js';

describe('slice position along the normal', () => {
  it('is z for axial slices', () => {
    expect(slicePosition([-100, -100, 42.5], [1, 0, 0, 0, 1, 0])).toBeCloseTo(42.5);
  });

  it('is x for sagittal slices (rows along y, columns along −z)', () => {
    // normal = (0,1,0) × (0,0,−1) = (−1,0,0): position grows towards the patient's right.
    expect(slicePosition([12, -80, 90], [0, 1, 0, 0, 0, -1])).toBeCloseTo(-12);
  });

  it('is y for coronal slices', () => {
    // normal = (1,0,0) × (0,0,−1) = (0,1,0)
    expect(slicePosition([-90, 33, 80], [1, 0, 0, 0, 0, -1])).toBeCloseTo(33);
  });

  it('follows an oblique orientation', () => {
    const s = Math.SQRT1_2;
    expect(slicePosition([0, 10, 10], [1, 0, 0, 0, s, -s])).toBeCloseTo(Math.hypot(10, 10));
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
