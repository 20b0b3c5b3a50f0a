/** The brush's disc on the voxel grid, as the stroke preview draws it (strokePreview.ts). */

/**
 * The voxels of row `y` (columns x0..x1) whose centres the disc of `radius` mm at image point
 * (cx, cy) covers — the test Cornerstone's circle fill makes, dx² + dy² ≤ r² in mm with `sx`, `sy`
 * mm per column and row step — as one run [first, last], or null. The run comes from the row's
 * half-width; its ends are checked with the exact test, so it is what testing every voxel gives.
 */
export function coveredRun(
  cx: number,
  cy: number,
  y: number,
  sx: number,
  sy: number,
  radius: number,
  x0: number,
  x1: number,
): [number, number] | null {
  const r2 = radius * radius;
  const dy = (y - cy) * sy;
  const rest = r2 - dy * dy;
  if (rest < 0) return null;
  const inside = (x: number): boolean => {
    const dx = (x - cx) * sx;
    return dx * dx + dy * dy <= r2;
  };
  const half = Math.sqrt(rest) / sx;
  let xa = Math.max(x0, Math.ceil(cx - half));
  let xb = Math.min(x1, Math.floor(cx + half));
  while (xa > x0 && inside(xa - 1)) xa--;
  while (xa <= xb && !inside(xa)) xa++;
  while (xb < x1 && inside(xb + 1)) xb++;
  while (xb >= xa && !inside(xb)) xb--;
  return xa <= xb ? [xa, xb] : null;
}
