/**
 * Where the cutting plane crosses each of the deface view's planes, in the plane's pixels, and
 * back: pure arithmetic on the plane descriptions main sends (u0 + i·du, v0 + j·dv).
 */
import type { DefaceCutView, DefacePlane } from '../../../../shared/deface-contract.js';

export type PlaneName = 'sagittal' | 'axial' | 'coronal';
export type Point3 = [number, number, number];

const axisIndex = { x: 0, y: 1, z: 2 } as const;

/** Patient point → plane pixel (fractional). */
export function toPixel(plane: DefacePlane, point: Point3): { i: number; j: number } {
  return {
    i: (point[axisIndex[plane.u]] - plane.u0) / plane.du,
    j: (point[axisIndex[plane.v]] - plane.v0) / plane.dv,
  };
}

/** The cut's y at height z (the plane contains the left–right axis). */
export function cutYAt(cut: DefaceCutView, z: number): number {
  const [, ys, zs] = cut.superior;
  const [, yi, zi] = cut.inferior;
  return ys + ((z - zs) * (yi - ys)) / (zi - zs);
}

/** The cut's z at depth y, or null when the cut is vertical. */
export function cutZAt(cut: DefaceCutView, y: number): number | null {
  const [, ys, zs] = cut.superior;
  const [, yi, zi] = cut.inferior;
  if (Math.abs(yi - ys) < 1e-6) return null;
  return zs + ((y - ys) * (zi - zs)) / (yi - ys);
}

/** The two ends of the cut's line across the plane, in pixels; null when it misses the plane. */
export function cutLine(
  plane: DefacePlane,
  cut: DefaceCutView,
  name: PlaneName,
): [{ i: number; j: number }, { i: number; j: number }] | null {
  if (name === 'sagittal') {
    const top = plane.v0;
    const bottom = plane.v0 + (plane.height - 1) * plane.dv;
    const a = toPixel(plane, [plane.at, cutYAt(cut, top), top]);
    const b = toPixel(plane, [plane.at, cutYAt(cut, bottom), bottom]);
    return [a, b];
  }
  if (name === 'axial') {
    const y = cutYAt(cut, plane.at);
    const j = (y - plane.v0) / plane.dv;
    return [
      { i: 0, j },
      { i: plane.width - 1, j },
    ];
  }
  const z = cutZAt(cut, plane.at);
  if (z === null) return null;
  const j = (z - plane.v0) / plane.dv;
  return [
    { i: 0, j },
    { i: plane.width - 1, j },
  ];
}

/** Moves the whole cut forwards/backwards by dy millimetres. */
export function shiftCut(cut: DefaceCutView, dy: number): DefaceCutView {
  return {
    superior: [cut.superior[0], cut.superior[1] + dy, cut.superior[2]],
    inferior: [cut.inferior[0], cut.inferior[1] + dy, cut.inferior[2]],
  };
}
