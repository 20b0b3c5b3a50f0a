/**
 * The stroke preview's disc rows (renderer/src/annotation/segmentation/brushDisc.ts): each row's
 * run of covered voxels is exactly what testing every voxel of the row gives (the test
 * Cornerstone's circle fill makes), for any centre, spacing, radius and clipping.
 */
import { describe, expect, it } from 'vitest';
import { coveredRun } from '../../../renderer/src/annotation/segmentation/brushDisc.js';

/** Every voxel of the row tested: the first and last covered, or null. */
function bruteRun(
  cx: number,
  cy: number,
  y: number,
  sx: number,
  sy: number,
  radius: number,
  x0: number,
  x1: number,
): [number, number] | null {
  let first = -1;
  let last = -1;
  for (let x = x0; x <= x1; x++) {
    const dx = (x - cx) * sx;
    const dy = (y - cy) * sy;
    if (dx * dx + dy * dy > radius * radius) continue;
    if (first < 0) first = x;
    last = x;
  }
  return first < 0 ? null : [first, last];
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the brush disc rows', () => {
  it('are the runs a voxel-by-voxel test gives, over 20,000 random discs', () => {
    const next = random(21);
    for (let trial = 0; trial < 20_000; trial++) {
      const sx = 0.2 + next() * 2;
      const sy = trial % 3 === 0 ? sx : 0.2 + next() * 2;
      // Radii down to a fraction of a voxel, centres on and off voxel centres and near edges.
      const radius = trial % 5 === 0 ? next() * sx : 0.1 + next() * 20;
      const cx = trial % 7 === 0 ? Math.round(next() * 64) : next() * 64 - 4;
      const cy = trial % 11 === 0 ? Math.round(next() * 64) : next() * 64 - 4;
      const x0 = Math.max(0, Math.ceil(cx - radius / sx));
      const x1 = Math.min(59, Math.floor(cx + radius / sx));
      const y = Math.round(cy + (next() - 0.5) * 2 * (radius / sy + 1));
      expect(coveredRun(cx, cy, y, sx, sy, radius, x0, x1), `trial ${trial}`).toEqual(
        bruteRun(cx, cy, y, sx, sy, radius, x0, x1),
      );
    }
  });

  it('covers exactly the voxels at the rim (radius a whole number of voxels)', () => {
    // Centre on a voxel, radius 3 voxels: the row through the centre runs −3..+3, the top row is
    // the single voxel at distance exactly 3.
    expect(coveredRun(10, 10, 10, 1, 1, 3, 0, 20)).toEqual([7, 13]);
    expect(coveredRun(10, 10, 7, 1, 1, 3, 0, 20)).toEqual([10, 10]);
    expect(coveredRun(10, 10, 6, 1, 1, 3, 0, 20)).toBeNull();
    // Clipped at the image's edge.
    expect(coveredRun(1, 10, 10, 1, 1, 3, 0, 20)).toEqual([0, 4]);
  });
});
