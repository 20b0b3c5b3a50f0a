/**
 * The stroke preview's rows (renderer/src/annotation/segmentation/brushDisc.ts): each row's run of
 * covered voxels is exactly what testing every voxel of the row gives (the test Cornerstone's
 * circle and stroke fill makes: within the radius of the segment between two stroke centres, or of
 * the centre at a press), for any centres, spacing, radius and clipping.
 */
import { describe, expect, it } from 'vitest';
import { capsuleRun } from '../../../renderer/src/annotation/segmentation/brushDisc.js';

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

/** Every voxel of the row tested against Cornerstone's stroke predicate (distance to the segment). */
function bruteCapsule(
  a: [number, number],
  b: [number, number],
  y: number,
  sx: number,
  sy: number,
  radius: number,
  x0: number,
  x1: number,
): [number, number] | null {
  const ux = (b[0] - a[0]) * sx;
  const uy = (b[1] - a[1]) * sy;
  const length2 = ux * ux + uy * uy;
  let first = -1;
  let last = -1;
  for (let x = x0; x <= x1; x++) {
    const dx = (x - a[0]) * sx;
    const dy = (y - a[1]) * sy;
    const t = length2 > 0 ? Math.max(0, Math.min(1, (dx * ux + dy * uy) / length2)) : 0;
    const ex = dx - ux * t;
    const ey = dy - uy * t;
    if (ex * ex + ey * ey > radius * radius) continue;
    if (first < 0) first = x;
    last = x;
  }
  return first < 0 ? null : [first, last];
}

describe('the brush stroke rows', () => {
  it('are the runs a voxel-by-voxel test gives, over 20,000 random segments', () => {
    const next = random(24);
    for (let trial = 0; trial < 20_000; trial++) {
      const sx = 0.2 + next() * 2;
      const sy = trial % 3 === 0 ? sx : 0.2 + next() * 2;
      const radius = trial % 5 === 0 ? next() * sx : 0.1 + next() * 20;
      const a: [number, number] = [next() * 64 - 4, next() * 64 - 4];
      // Long and short segments, horizontal and vertical ones, and some of length 0.
      const kind = trial % 6;
      const b: [number, number] =
        kind === 0
          ? [a[0], a[1]]
          : kind === 1
            ? [a[0] + (next() - 0.5) * 40, a[1]]
            : kind === 2
              ? [a[0], a[1] + (next() - 0.5) * 40]
              : kind === 3
                ? [a[0] + (next() - 0.5) * 2, a[1] + (next() - 0.5) * 2]
                : [next() * 64 - 4, next() * 64 - 4];
      const x0 = Math.max(0, Math.ceil(Math.min(a[0], b[0]) - radius / sx));
      const x1 = Math.min(59, Math.floor(Math.max(a[0], b[0]) + radius / sx));
      const low = Math.min(a[1], b[1]) - radius / sy - 1;
      const high = Math.max(a[1], b[1]) + radius / sy + 1;
      const y = Math.round(low + next() * (high - low));
      expect(capsuleRun(a[0], a[1], b[0], b[1], y, sx, sy, radius, x0, x1), `trial ${trial}`).toEqual(
        bruteCapsule(a, b, y, sx, sy, radius, x0, x1),
      );
    }
  });

  it('covers the band between two centres, not only discs along it', () => {
    // A horizontal stroke 10 voxels long, radius 3: the row 2.9 voxels below covers the whole band.
    expect(capsuleRun(10, 10.1, 20, 10.1, 13, 1, 1, 3, 0, 40)).toEqual([10, 20]);
    expect(capsuleRun(10, 10, 20, 10, 13, 1, 1, 3, 0, 40)).toEqual([10, 20]);
    expect(capsuleRun(10, 10, 20, 10, 14, 1, 1, 3, 0, 40)).toBeNull();
  });
});

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
      expect(capsuleRun(cx, cy, cx, cy, y, sx, sy, radius, x0, x1), `trial ${trial}`).toEqual(
        bruteRun(cx, cy, y, sx, sy, radius, x0, x1),
      );
    }
  });

  it('covers exactly the voxels at the rim (radius a whole number of voxels)', () => {
    // Centre on a voxel, radius 3 voxels: the row through the centre runs −3..+3, the top row is
    // the single voxel at distance exactly 3.
    expect(capsuleRun(10, 10, 10, 10, 10, 1, 1, 3, 0, 20)).toEqual([7, 13]);
    expect(capsuleRun(10, 10, 10, 10, 7, 1, 1, 3, 0, 20)).toEqual([10, 10]);
    expect(capsuleRun(10, 10, 10, 10, 6, 1, 1, 3, 0, 20)).toBeNull();
    // Clipped at the image's edge.
    expect(capsuleRun(1, 10, 1, 10, 10, 1, 1, 3, 0, 20)).toEqual([0, 4]);
  });
});
