/**
 * Agreement metrics (issue #11 item 3), pure functions: no database, no files. docs/statistics.md
 * "Agreement" defines each one; test/unit/agreement/ checks them against numpy/scipy.
 *
 * Segments are binary masks on a series' voxel grid: slices in display order (ascending along the
 * slice normal), `rows × columns` voxels each. Physical coordinates are per axis: a voxel (z, y, x)
 * sits at (slicePositions[z], y · rowSpacing, x · columnSpacing) mm, so anisotropic voxels and
 * unevenly spaced slices are both measured in mm.
 */

/** The voxel grid of one series. */
export interface VoxelGrid {
  rows: number;
  columns: number;
  /** mm between the centres of two rows (PixelSpacing[0]). */
  rowSpacing: number;
  /** mm between the centres of two columns (PixelSpacing[1]). */
  columnSpacing: number;
  /** Position of each slice along the slice normal (mm), ascending; its length is the slice count. */
  slicePositions: readonly number[];
}

/** A mask given by its non-empty slices: slice index → rows × columns voxels (non-zero = inside). */
export type SparseMask = ReadonlyMap<number, Uint8Array>;

/** Dice and HD95 of two masks, with the conventions for empty masks (docs/statistics.md). */
export interface SegmentAgreement {
  /** 2|A∩B| / (|A|+|B|); 1 when both are empty. */
  dice: number;
  /**
   * 95th-percentile Hausdorff distance in mm: the larger of the two directed 95th percentiles of
   * the distances from each surface voxel of one mask to the nearest surface voxel of the other.
   * 0 when both masks are empty; null when exactly one is empty (undefined: no surface to reach).
   */
  hd95: number | null;
  voxelsA: number;
  voxelsB: number;
  /** |A∩B| */
  overlap: number;
}

/** Dice and HD95 of two sparse masks on the same grid. */
export function segmentAgreement(grid: VoxelGrid, a: SparseMask, b: SparseMask): SegmentAgreement {
  const box = boundingBox(grid, [a, b]);
  let voxelsA = 0;
  let voxelsB = 0;
  let overlap = 0;
  const plane = grid.rows * grid.columns;
  for (const [z, sliceA] of a) {
    const sliceB = b.get(z);
    for (let i = 0; i < plane; i++) {
      if (sliceA[i] === 0) continue;
      voxelsA++;
      if (sliceB && sliceB[i] !== 0) overlap++;
    }
  }
  for (const [, sliceB] of b) for (let i = 0; i < plane; i++) if (sliceB[i] !== 0) voxelsB++;
  if (voxelsA === 0 && voxelsB === 0) return { dice: 1, hd95: 0, voxelsA, voxelsB, overlap };
  const dice = (2 * overlap) / (voxelsA + voxelsB);
  if (voxelsA === 0 || voxelsB === 0 || !box) return { dice, hd95: null, voxelsA, voxelsB, overlap };
  const denseA = crop(grid, a, box);
  const denseB = crop(grid, b, box);
  const surfaceA = surfaceOf(denseA, box.dims);
  const surfaceB = surfaceOf(denseB, box.dims);
  const coords = axisCoordinates(grid, box);
  const fromA = directedDistances(surfaceA, surfaceB, box.dims, coords);
  const fromB = directedDistances(surfaceB, surfaceA, box.dims, coords);
  const hd95 = Math.max(percentile(fromA, 95), percentile(fromB, 95));
  return { dice, hd95, voxelsA, voxelsB, overlap };
}

interface Box {
  z0: number;
  y0: number;
  x0: number;
  /** [slices, rows, columns] of the box. */
  dims: [number, number, number];
}

/** The smallest box holding every voxel of the masks; null when all are empty. */
function boundingBox(grid: VoxelGrid, masks: readonly SparseMask[]): Box | null {
  let z0 = Infinity;
  let z1 = -1;
  let y0 = Infinity;
  let y1 = -1;
  let x0 = Infinity;
  let x1 = -1;
  for (const mask of masks)
    for (const [z, slice] of mask) {
      let any = false;
      for (let y = 0; y < grid.rows; y++) {
        const row = y * grid.columns;
        for (let x = 0; x < grid.columns; x++) {
          if (slice[row + x] === 0) continue;
          any = true;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
        }
      }
      if (any) {
        if (z < z0) z0 = z;
        if (z > z1) z1 = z;
      }
    }
  if (z1 < 0) return null;
  return { z0, y0, x0, dims: [z1 - z0 + 1, y1 - y0 + 1, x1 - x0 + 1] };
}

function crop(grid: VoxelGrid, mask: SparseMask, box: Box): Uint8Array {
  const [nz, ny, nx] = box.dims;
  const dense = new Uint8Array(nz * ny * nx);
  for (const [z, slice] of mask) {
    const dz = z - box.z0;
    if (dz < 0 || dz >= nz) continue;
    for (let y = 0; y < ny; y++) {
      const source = (y + box.y0) * grid.columns + box.x0;
      const target = (dz * ny + y) * nx;
      for (let x = 0; x < nx; x++) if (slice[source + x] !== 0) dense[target + x] = 1;
    }
  }
  return dense;
}

/**
 * Surface voxels: inside the mask with at least one of the six face neighbours outside it; outside
 * the grid counts as outside (scipy: `mask & ~binary_erosion(mask)`, border value 0). Voxels on the
 * box's faces see outside the box, which is outside the mask: the box holds every mask voxel.
 */
function surfaceOf(mask: Uint8Array, dims: readonly [number, number, number]): Uint8Array {
  const [nz, ny, nx] = dims;
  const surface = new Uint8Array(mask.length);
  const plane = ny * nx;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = z * plane + y * nx + x;
        if (mask[i] === 0) continue;
        if (
          x === 0 ||
          x === nx - 1 ||
          y === 0 ||
          y === ny - 1 ||
          z === 0 ||
          z === nz - 1 ||
          mask[i - 1] === 0 ||
          mask[i + 1] === 0 ||
          mask[i - nx] === 0 ||
          mask[i + nx] === 0 ||
          mask[i - plane] === 0 ||
          mask[i + plane] === 0
        )
          surface[i] = 1;
      }
  return surface;
}

function axisCoordinates(grid: VoxelGrid, box: Box): [Float64Array, Float64Array, Float64Array] {
  const [nz, ny, nx] = box.dims;
  const z = Float64Array.from({ length: nz }, (_, k) => grid.slicePositions[box.z0 + k]!);
  const y = Float64Array.from({ length: ny }, (_, k) => (box.y0 + k) * grid.rowSpacing);
  const x = Float64Array.from({ length: nx }, (_, k) => (box.x0 + k) * grid.columnSpacing);
  return [z, y, x];
}

/** Distances (mm) from every voxel set in `from` to the nearest voxel set in `to`. */
function directedDistances(
  from: Uint8Array,
  to: Uint8Array,
  dims: readonly [number, number, number],
  coords: readonly [Float64Array, Float64Array, Float64Array],
): Float64Array {
  const squared = squaredDistanceTransform(to, dims, coords);
  let count = 0;
  for (const v of from) if (v !== 0) count++;
  const out = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < from.length; i++) if (from[i] !== 0) out[k++] = Math.sqrt(squared[i]!);
  return out;
}

/**
 * Exact squared Euclidean distance from every voxel to the nearest feature voxel (non-zero in
 * `features`), separable (Felzenszwalb & Huttenlocher's lower envelope of parabolas) along x, y
 * and z with each axis' own sample positions, so any spacing (even uneven slices) is exact.
 */
export function squaredDistanceTransform(
  features: Uint8Array,
  dims: readonly [number, number, number],
  coords: readonly [Float64Array, Float64Array, Float64Array],
): Float64Array {
  const [nz, ny, nx] = dims;
  const d = new Float64Array(features.length);
  for (let i = 0; i < features.length; i++) d[i] = features[i] !== 0 ? 0 : Infinity;
  const longest = Math.max(nz, ny, nx);
  const f = new Float64Array(longest);
  const out = new Float64Array(longest);
  const v = new Int32Array(longest);
  const boundaries = new Float64Array(longest + 1);
  const pass = (count: number, stride: number, starts: Iterable<number>, positions: Float64Array) => {
    for (const start of starts) {
      for (let k = 0; k < count; k++) f[k] = d[start + k * stride]!;
      lowerEnvelope(f, count, positions, out, v, boundaries);
      for (let k = 0; k < count; k++) d[start + k * stride] = out[k]!;
    }
  };
  const plane = ny * nx;
  pass(
    nx,
    1,
    range(nz * ny, (r) => r * nx),
    coords[2],
  );
  pass(
    ny,
    nx,
    range(nz * nx, (r) => Math.floor(r / nx) * plane + (r % nx)),
    coords[1],
  );
  pass(
    nz,
    plane,
    range(plane, (r) => r),
    coords[0],
  );
  return d;
}

function* range(count: number, map: (index: number) => number): Generator<number> {
  for (let i = 0; i < count; i++) yield map(i);
}

/** 1-D squared distance transform of sampled function f at sorted positions p (Infinity = no feature). */
function lowerEnvelope(
  f: Float64Array,
  n: number,
  p: Float64Array,
  out: Float64Array,
  v: Int32Array,
  z: Float64Array,
): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    const pq = p[q]!;
    if (pq === p[v[k]!]!) {
      // Two samples at one position (duplicate slices): the lower one stands for both.
      if (f[q]! >= f[v[k]!]!) continue;
      k--;
      if (k < 0) {
        k = 0;
        v[0] = q;
        z[0] = -Infinity;
        z[1] = Infinity;
        continue;
      }
    }
    let s = 0;
    for (;;) {
      const r = v[k]!;
      const pr = p[r]!;
      s = (f[q]! + pq * pq - (f[r]! + pr * pr)) / (2 * (pq - pr));
      if (s <= z[k]! && k > 0) k--;
      else break;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    for (let q = 0; q < n; q++) out[q] = Infinity;
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    while (z[j + 1]! < p[q]!) j++;
    const r = v[j]!;
    const delta = p[q]! - p[r]!;
    out[q] = delta * delta + f[r]!;
  }
}

/** numpy.percentile's default (linear interpolation between closest ranks). */
export function percentile(values: Float64Array | readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = (q / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lo = sorted[low]!;
  const hi = sorted[high]!;
  return lo + (hi - lo) * (rank - low);
}

// ---------------------------------------------------------------------------------------------
// Measurements

export interface MeasurementPoint {
  id: string;
  labelId: string;
  /** Centre of the measurement's handles in patient coordinates (mm). */
  position: readonly [number, number, number];
  /** Its primary value (length mm, angle deg, area mm², …); null when it has none. */
  value: number | null;
}

export interface MeasurementPair {
  a: string;
  b: string;
  labelId: string;
  /** mm between the two positions. */
  distance: number;
  /** |a − b| / ((|a| + |b|) / 2); 0 when both are 0; null when either value is missing. */
  relativeError: number | null;
}

export interface MeasurementMatching {
  pairs: MeasurementPair[];
  unmatchedA: string[];
  unmatchedB: string[];
  /** Mean of the pairs' relative errors (null when none has one). */
  meanRelativeError: number | null;
}

/**
 * One-to-one matching: pairs with the same label whose positions lie within `toleranceMm`, taken
 * nearest first (greedy on distance; ties by input order).
 */
export function matchMeasurements(
  a: readonly MeasurementPoint[],
  b: readonly MeasurementPoint[],
  toleranceMm: number,
): MeasurementMatching {
  const candidates: Array<{ i: number; j: number; distance: number }> = [];
  a.forEach((ma, i) =>
    b.forEach((mb, j) => {
      if (ma.labelId !== mb.labelId) return;
      const distance = Math.hypot(
        ma.position[0] - mb.position[0],
        ma.position[1] - mb.position[1],
        ma.position[2] - mb.position[2],
      );
      if (distance <= toleranceMm) candidates.push({ i, j, distance });
    }),
  );
  candidates.sort((x, y) => x.distance - y.distance || x.i - y.i || x.j - y.j);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: MeasurementPair[] = [];
  for (const { i, j, distance } of candidates) {
    if (usedA.has(i) || usedB.has(j)) continue;
    usedA.add(i);
    usedB.add(j);
    pairs.push({
      a: a[i]!.id,
      b: b[j]!.id,
      labelId: a[i]!.labelId,
      distance,
      relativeError: relativeError(a[i]!.value, b[j]!.value),
    });
  }
  const errors = pairs.map((p) => p.relativeError).filter((e): e is number => e !== null);
  return {
    pairs,
    unmatchedA: a.filter((_, i) => !usedA.has(i)).map((m) => m.id),
    unmatchedB: b.filter((_, j) => !usedB.has(j)).map((m) => m.id),
    meanRelativeError: errors.length > 0 ? errors.reduce((s, e) => s + e, 0) / errors.length : null,
  };
}

export function relativeError(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  const scale = (Math.abs(a) + Math.abs(b)) / 2;
  if (scale === 0) return 0;
  return Math.abs(a - b) / scale;
}

// ---------------------------------------------------------------------------------------------
// Classifications

/**
 * Cohen's kappa of two raters over the same items: (po − pe) / (1 − pe), pe from each rater's
 * marginal proportions. Null with no item, or when pe = 1 (both raters gave one and the same
 * category to every item: kappa is undefined).
 */
export function cohenKappa(a: readonly string[], b: readonly string[]): number | null {
  if (a.length !== b.length) throw new Error('cohenKappa: both raters must rate the same items');
  const cells = new Map<string, [string, string, number]>();
  for (let i = 0; i < a.length; i++) {
    const key = `${a[i]!}\u0000${b[i]!}`;
    const cell = cells.get(key);
    if (cell) cell[2]++;
    else cells.set(key, [a[i]!, b[i]!, 1]);
  }
  return cohenKappaOfCells([...cells.values()]);
}

/**
 * Cohen's kappa from the two raters' contingency table: `[answer of A, answer of B, items]` cells.
 * Every sum is of integers (exact), so the result does not depend on the order of the items or of
 * the cells: the project figure adds per-study tables up in SQL and gets the same bits as the
 * computation over every item (docs/statistics.md "Speed").
 */
export function cohenKappaOfCells(cells: ReadonlyArray<readonly [string, string, number]>): number | null {
  let n = 0;
  let agree = 0;
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  for (const [a, b, count] of cells) {
    n += count;
    if (a === b) agree += count;
    countA.set(a, (countA.get(a) ?? 0) + count);
    countB.set(b, (countB.get(b) ?? 0) + count);
  }
  if (n === 0) return null;
  // p_e = sum over categories of (A's count / n)(B's count / n): an integer numerator over n².
  let products = 0;
  for (const [category, ca] of countA) products += ca * (countB.get(category) ?? 0);
  const po = agree / n;
  const pe = products / (n * n);
  if (Math.abs(1 - pe) < 1e-12) return null;
  return (po - pe) / (1 - pe);
}

/**
 * Fleiss' kappa: `ratings[i]` holds the categories the n raters gave item i (the same n for every
 * item, n ≥ 2). Null with no item, fewer than two raters, or when P̄e = 1.
 */
export function fleissKappa(ratings: readonly (readonly string[])[]): number | null {
  const items = ratings.length;
  if (items === 0) return null;
  const n = ratings[0]!.length;
  if (n < 2) return null;
  if (ratings.some((r) => r.length !== n))
    throw new Error('fleissKappa: every item needs the same number of ratings');
  const totals = new Map<string, { total: number; squares: number }>();
  for (const item of ratings) {
    const counts = new Map<string, number>();
    for (const category of item) counts.set(category, (counts.get(category) ?? 0) + 1);
    for (const [category, c] of counts) {
      const t = totals.get(category) ?? { total: 0, squares: 0 };
      t.total += c;
      t.squares += c * c;
      totals.set(category, t);
    }
  }
  return fleissKappaOfCounts(n, [...totals.values()]);
}

/**
 * Fleiss' kappa from integer counts: `raters` ratings per item and, per category, the total of its
 * per-item counts n_ij and the total of their squares. P̄ = (Σn_ij² − N·n) / (N·n·(n−1)) and
 * P_e = Σ_j (Σ_i n_ij)² / (N·n)², N = Σ totals / n: integer sums, so the result does not depend on the
 * order of items or categories (the project figure sums them in SQL; docs/statistics.md "Speed").
 */
export function fleissKappaOfCounts(
  raters: number,
  categories: ReadonlyArray<{ total: number; squares: number }>,
): number | null {
  let ratings = 0;
  let squares = 0;
  let totalSquares = 0;
  for (const c of categories) {
    ratings += c.total;
    squares += c.squares;
    totalSquares += c.total * c.total;
  }
  const items = ratings / raters;
  if (items === 0 || raters < 2) return null;
  const pBar = (squares - ratings) / (ratings * (raters - 1));
  const pe = totalSquares / (ratings * ratings);
  if (Math.abs(1 - pe) < 1e-12) return null;
  return (pBar - pe) / (1 - pe);
}
