/** The brush's disc and stroke on the voxel grid, as the stroke preview draws them (strokePreview.ts). */

/**
 * The voxels of row `y` (columns x0..x1) whose centres lie within `radius` mm of the segment from
 * image point (ax, ay) to (bx, by) — the test Cornerstone's stroke fill makes between two
 * consecutive stroke centres (the discs at both ends and the band between them) — as one run
 * [first, last], or null. The covered set is convex, so a row meets it in one run: the union of
 * the row's runs through the two discs and through the band, its ends then checked with the exact
 * test, so it is what testing every voxel gives.
 */
export function capsuleRun(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  y: number,
  sx: number,
  sy: number,
  radius: number,
  x0: number,
  x1: number,
): [number, number] | null {
  // In mm, from a: the segment's vector (ux, uy), the row's offset dy.
  const ux = (bx - ax) * sx;
  const uy = (by - ay) * sy;
  const length2 = ux * ux + uy * uy;
  const r2 = radius * radius;
  const dy = (y - ay) * sy;
  const inside = (x: number): boolean => {
    const dx = (x - ax) * sx;
    const t = length2 > 0 ? Math.max(0, Math.min(1, (dx * ux + dy * uy) / length2)) : 0;
    const ex = dx - ux * t;
    const ey = dy - uy * t;
    return ex * ex + ey * ey <= r2;
  };
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  // The discs at both ends.
  for (const [cx, cy] of [
    [ax, ay],
    [bx, by],
  ] as const) {
    const ry = (y - cy) * sy;
    const rest = r2 - ry * ry;
    if (rest < 0) continue;
    const half = Math.sqrt(rest) / sx;
    low = Math.min(low, cx - half);
    high = Math.max(high, cx + half);
  }
  // The band: 0 ≤ (p·u) ≤ |u|² and |p × u| ≤ r|u|, each linear in the column (p = (dx, dy)).
  if (length2 > 0 && sx > 0) {
    let from = Number.NEGATIVE_INFINITY;
    let to = Number.POSITIVE_INFINITY;
    const limit = (coefficient: number, offset: number, min: number, max: number): void => {
      // min ≤ coefficient × dx + offset ≤ max, for dx in mm.
      if (coefficient === 0) {
        if (offset < min || offset > max) to = from - 1;
        return;
      }
      const a = (min - offset) / coefficient;
      const b = (max - offset) / coefficient;
      from = Math.max(from, Math.min(a, b));
      to = Math.min(to, Math.max(a, b));
    };
    const span = radius * Math.sqrt(length2);
    limit(ux, dy * uy, 0, length2);
    limit(-uy, dy * ux, -span, span);
    if (from <= to) {
      low = Math.min(low, ax + from / sx);
      high = Math.max(high, ax + to / sx);
    }
  }
  if (!(low <= high)) return null;
  let xa = Math.max(x0, Math.ceil(low));
  let xb = Math.min(x1, Math.floor(high));
  while (xa > x0 && inside(xa - 1)) xa--;
  while (xa <= xb && !inside(xa)) xa++;
  while (xb < x1 && inside(xb + 1)) xb++;
  while (xb >= xa && !inside(xb)) xb--;
  return xa <= xb ? [xa, xb] : null;
}
