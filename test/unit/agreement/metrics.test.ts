/**
 * Agreement metrics (main/agreement/metrics.ts) against values computed independently by
 * numpy/scipy (reference.py: scipy.ndimage distance transforms and a KD-tree on surface points,
 * kappas by formula) and against small cases checked by hand, empty masks and anisotropic voxels
 * included.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type SparseMask,
  type VoxelGrid,
  cohenKappa,
  fleissKappa,
  matchMeasurements,
  percentile,
  segmentAgreement,
} from '../../../main/agreement/metrics.js';
import { seededRandom } from '../../support/random.js';

const PYTHON = '/usr/bin/python3';
const REFERENCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reference.py');

interface DenseCase extends VoxelGrid {
  a: number[];
  b: number[];
}

/** A blob: an ellipsoid (in voxels) with a few voxels flipped at random. */
function blob(
  grid: VoxelGrid,
  rand: () => number,
  centre: number[],
  radii: number[],
  noise: number,
): number[] {
  const nz = grid.slicePositions.length;
  const out: number[] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < grid.rows; y++)
      for (let x = 0; x < grid.columns; x++) {
        const d =
          ((z - centre[0]!) / radii[0]!) ** 2 +
          ((y - centre[1]!) / radii[1]!) ** 2 +
          ((x - centre[2]!) / radii[2]!) ** 2;
        let inside = d <= 1;
        if (rand() < noise) inside = !inside;
        out.push(inside ? 1 : 0);
      }
  return out;
}

function sparse(grid: VoxelGrid, dense: readonly number[]): SparseMask {
  const plane = grid.rows * grid.columns;
  const mask = new Map<number, Uint8Array>();
  for (let z = 0; z < grid.slicePositions.length; z++) {
    const slice = Uint8Array.from(dense.slice(z * plane, (z + 1) * plane));
    if (slice.some((v) => v !== 0)) mask.set(z, slice);
  }
  return mask;
}

function grid(slices: number[], rows: number, columns: number, rowSpacing: number, columnSpacing: number) {
  return { slicePositions: slices, rows, columns, rowSpacing, columnSpacing };
}
const even = (n: number, step: number, start = 0) => Array.from({ length: n }, (_, k) => start + k * step);

function segmentCases(): DenseCase[] {
  const rand = seededRandom(11);
  const cases: DenseCase[] = [];
  // Anisotropic: 0.7 × 0.8 mm pixels, 3 mm slices; overlapping blobs with noise.
  const g1 = grid(even(10, 3, -40), 24, 28, 0.7, 0.8);
  cases.push({
    ...g1,
    a: blob(g1, rand, [4, 11, 13], [3, 7, 8], 0.02),
    b: blob(g1, rand, [5, 12, 15], [3, 6, 9], 0.02),
  });
  // Thin pixels, thick slices (0.4 × 1.2 mm, 5 mm): shifted blobs touching the grid's faces.
  const g2 = grid(even(8, 5), 20, 20, 0.4, 1.2);
  cases.push({
    ...g2,
    a: blob(g2, rand, [0, 3, 3], [4, 8, 6], 0),
    b: blob(g2, rand, [3, 10, 9], [4, 6, 7], 0.01),
  });
  // Unevenly spaced slices (scipy's EDT cannot say; the KD-tree on points in mm can).
  const g3 = grid([0, 1.5, 4, 4.5, 9, 12, 12.5], 16, 18, 0.9, 0.9);
  cases.push({
    ...g3,
    a: blob(g3, rand, [3, 8, 8], [2.5, 5, 6], 0.03),
    b: blob(g3, rand, [2, 7, 10], [3, 6, 5], 0.03),
  });
  // Far apart: no overlap (Dice 0) yet a finite HD95.
  const g4 = grid(even(6, 2.5), 14, 30, 1, 0.6);
  cases.push({
    ...g4,
    a: blob(g4, rand, [2, 6, 5], [1.5, 3, 3], 0),
    b: blob(g4, rand, [3, 7, 24], [2, 3, 4], 0),
  });
  // Identical masks.
  const same = blob(g1, rand, [5, 10, 10], [3, 5, 6], 0.05);
  cases.push({ ...g1, a: same, b: same });
  // Both empty, and one empty.
  const empty = new Array<number>(g2.slicePositions.length * g2.rows * g2.columns).fill(0);
  cases.push({ ...g2, a: empty, b: empty });
  cases.push({ ...g2, a: blob(g2, rand, [4, 10, 10], [2, 3, 3], 0), b: empty });
  // One slice only (a 2-D mask: every voxel is on the surface).
  const g5 = grid([7], 30, 30, 0.5, 0.5);
  cases.push({
    ...g5,
    a: blob(g5, rand, [0, 14, 14], [1, 9, 10], 0.02),
    b: blob(g5, rand, [0, 16, 13], [1, 8, 11], 0.02),
  });
  // Many random cases on small anisotropic grids.
  for (let k = 0; k < 12; k++) {
    const gk = grid(even(4 + (k % 5), 1 + k * 0.7), 10 + k, 12, 0.3 + 0.1 * k, 1.1 - 0.05 * k);
    const c = () => [rand() * gk.slicePositions.length, rand() * gk.rows, rand() * gk.columns];
    const r = () => [1 + rand() * 3, 2 + rand() * 5, 2 + rand() * 5];
    cases.push({ ...gk, a: blob(gk, rand, c(), r(), 0.05), b: blob(gk, rand, c(), r(), 0.05) });
  }
  return cases;
}

function kappaCases() {
  const rand = seededRandom(5);
  const pick = (categories: string[]) => categories[Math.floor(rand() * categories.length)]!;
  const cohen: Array<{ a: string[]; b: string[] }> = [];
  for (let k = 0; k < 8; k++) {
    const categories = ['normal', 'benign', 'malignant', 'unsure'].slice(0, 2 + (k % 3));
    const a = Array.from({ length: 20 + k * 7 }, () => pick(categories));
    // B agrees with A about two times in three, otherwise guesses.
    const b = a.map((value) => (rand() < 0.66 ? value : pick(categories)));
    cohen.push({ a, b });
  }
  const fleiss: string[][][] = [];
  for (let k = 0; k < 6; k++) {
    const categories = ['1', '2', '3', '4', '5'].slice(0, 2 + (k % 4));
    const raters = 3 + (k % 3);
    fleiss.push(
      Array.from({ length: 15 + k * 5 }, () => {
        const truth = pick(categories);
        return Array.from({ length: raters }, () => (rand() < 0.6 ? truth : pick(categories)));
      }),
    );
  }
  return { cohen, fleiss };
}

interface Reference {
  segments: Array<{ dice: number; hd95: number | null; hd95Edt: number | null }>;
  cohen: Array<number | null>;
  fleiss: Array<number | null>;
}

describe('agreement metrics against numpy/scipy', () => {
  const segments = segmentCases();
  const kappas = kappaCases();
  const reference = JSON.parse(
    execFileSync(PYTHON, [REFERENCE], {
      input: JSON.stringify({ segments, ...kappas }),
      maxBuffer: 64 * 1024 * 1024,
    }).toString(),
  ) as Reference;

  it('Dice and HD95 (mm) match scipy on anisotropic grids, uneven slices, empty and one-slice masks', () => {
    segments.forEach((c, k) => {
      const got = segmentAgreement(c, sparse(c, c.a), sparse(c, c.b));
      const want = reference.segments[k]!;
      expect(got.dice, `case ${k} dice`).toBeCloseTo(want.dice, 12);
      if (want.hd95 === null) expect(got.hd95, `case ${k} hd95`).toBeNull();
      else expect(got.hd95, `case ${k} hd95`).toBeCloseTo(want.hd95, 9);
      // The distance-transform route of scipy agrees too wherever it applies (evenly spaced slices).
      if (want.hd95Edt !== null && got.hd95 !== null) expect(got.hd95).toBeCloseTo(want.hd95Edt, 9);
    });
    // The cases are not trivial: several HD95 values differ and are well above zero.
    const values = reference.segments.map((s) => s.hd95).filter((v): v is number => v !== null && v > 1);
    expect(new Set(values.map((v) => v.toFixed(3))).size).toBeGreaterThan(10);
  });

  it("Cohen's and Fleiss' kappa match the numpy formulas", () => {
    kappas.cohen.forEach((c, k) => {
      const want = reference.cohen[k]!;
      expect(cohenKappa(c.a, c.b), `cohen ${k}`).toBeCloseTo(want, 12);
    });
    kappas.fleiss.forEach((ratings, k) => {
      const want = reference.fleiss[k]!;
      expect(fleissKappa(ratings), `fleiss ${k}`).toBeCloseTo(want, 12);
    });
  });
});

describe('agreement metrics, checked by hand', () => {
  it('two voxels on neighbouring 5 mm slices: Dice 0, HD95 5 mm', () => {
    const g = grid([0, 5], 3, 3, 0.5, 0.5);
    const a = new Map([[0, Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0])]]);
    const b = new Map([[1, Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0])]]);
    expect(segmentAgreement(g, a, b)).toEqual({ dice: 0, hd95: 5, voxelsA: 1, voxelsB: 1, overlap: 0 });
  });

  it('a 3×3 square shifted by one 0.5 mm column: Dice 2/3, HD95 0.5 mm', () => {
    const g = grid([0], 3, 4, 2, 0.5);
    const a = new Map([[0, Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0])]]);
    const b = new Map([[0, Uint8Array.from([0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1])]]);
    const got = segmentAgreement(g, a, b);
    expect(got.dice).toBeCloseTo(2 / 3, 12);
    expect(got.hd95).toBeCloseTo(0.5, 12);
  });

  it('a shift along the rows is measured with the row spacing, not the column spacing', () => {
    const g = grid([0], 4, 3, 2, 0.5);
    const a = new Map([[0, Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])]]);
    const b = new Map([[0, Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0])]]);
    expect(segmentAgreement(g, a, b).hd95).toBeCloseTo(4, 12);
  });

  it('empty masks: both empty agree perfectly (Dice 1, HD95 0); one empty has Dice 0 and no HD95', () => {
    const g = grid([0, 1], 2, 2, 1, 1);
    expect(segmentAgreement(g, new Map(), new Map())).toEqual({
      dice: 1,
      hd95: 0,
      voxelsA: 0,
      voxelsB: 0,
      overlap: 0,
    });
    // A stored slice of zeros is an empty mask too.
    expect(segmentAgreement(g, new Map([[0, new Uint8Array(4)]]), new Map()).dice).toBe(1);
    const one = new Map([[1, Uint8Array.from([1, 0, 0, 0])]]);
    expect(segmentAgreement(g, one, new Map())).toEqual({
      dice: 0,
      hd95: null,
      voxelsA: 1,
      voxelsB: 0,
      overlap: 0,
    });
    expect(segmentAgreement(g, new Map(), one).hd95).toBeNull();
  });

  it("Cohen's kappa of the textbook 2×2 table is 0.4; undefined when both raters always say the same", () => {
    const a = [
      ...Array(20).fill('yes'),
      ...Array(5).fill('yes'),
      ...Array(10).fill('no'),
      ...Array(15).fill('no'),
    ];
    const b = [
      ...Array(20).fill('yes'),
      ...Array(5).fill('no'),
      ...Array(10).fill('yes'),
      ...Array(15).fill('no'),
    ];
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
    expect(cohenKappa(['x', 'x'], ['x', 'x'])).toBeNull();
    expect(cohenKappa([], [])).toBeNull();
    expect(cohenKappa(['a', 'b'], ['a', 'b'])).toBe(1);
  });

  it("Fleiss' kappa of the textbook example (10 items, 14 raters, 5 categories) is 0.210", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const ratings = table.map((row) =>
      row.flatMap((count, category) => Array<string>(count).fill(`c${category}`)),
    );
    expect(fleissKappa(ratings)).toBeCloseTo(0.20993, 5);
    expect(fleissKappa([['a', 'a', 'a']])).toBeNull();
  });

  it('measurements: same label, nearest first within the tolerance, one to one; relative error', () => {
    const m = (id: string, labelId: string, x: number, value: number | null) => ({
      id,
      labelId,
      position: [x, 0, 0] as const,
      value,
    });
    const result = matchMeasurements(
      [m('a1', 'nodule', 0, 10), m('a2', 'nodule', 20, 8), m('a3', 'lesion', 0, 5)],
      [
        m('b1', 'nodule', 2, 12),
        m('b2', 'nodule', 1, 9),
        m('b3', 'lesion', 40, 5),
        m('b4', 'nodule', 26, null),
      ],
      10,
    );
    expect(result.pairs.map((p) => [p.a, p.b])).toEqual([
      ['a1', 'b2'],
      ['a2', 'b4'],
    ]);
    expect(result.pairs[0]!.relativeError).toBeCloseTo(1 / 9.5, 12);
    expect(result.pairs[1]!.relativeError).toBeNull();
    expect(result.unmatchedA).toEqual(['a3']);
    expect(result.unmatchedB).toEqual(['b1', 'b3']);
    expect(result.meanRelativeError).toBeCloseTo(1 / 9.5, 12);
  });

  it('percentile interpolates linearly like numpy', () => {
    expect(percentile([0, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5], 95)).toBe(0.5);
    expect(percentile([1, 2, 3, 4], 95)).toBeCloseTo(3.85, 12);
    expect(percentile([7], 95)).toBe(7);
  });
});
