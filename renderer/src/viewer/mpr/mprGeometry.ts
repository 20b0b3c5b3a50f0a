/**
 * Whether a series can be rebuilt as a volume (MPR): one image per instance, at least three, all
 * the same size, positions along the slice normal evenly spaced (within tolerance) and, once the
 * headers are read, the same orientation and pixel spacing. The catalog gives size and position
 * for every instance before any image is loaded, so the toolbar can say why MPR is unavailable
 * right away; orientation and pixel spacing are checked from the image headers (Cornerstone's
 * imagePlaneModule) of those already loaded, and of all of them once the volume is loaded.
 */
import { metaData } from '@cornerstonejs/core';
import type { InstanceSummary } from '../../../../shared/contract.js';

export type MprUnavailable =
  'too-few' | 'multi-frame' | 'size' | 'no-position' | 'spacing' | 'orientation' | 'pixel-spacing';

export type MprGeometry = { ok: true; sliceSpacing: number } | { ok: false; reason: MprUnavailable };

/** Gaps between slices may differ from their median by this fraction (or 0.01 mm), no more. */
export const SPACING_TOLERANCE = 0.05;
const COSINE_TOLERANCE = 1e-3;
const PIXEL_SPACING_TOLERANCE = 1e-3;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The catalog's view: size, frames and slice positions (instances in display order). */
export function catalogGeometry(instances: readonly InstanceSummary[]): MprGeometry {
  const images = instances.filter((instance) => instance.rows !== null && instance.columns !== null);
  if (images.some((instance) => instance.numberOfFrames > 1)) return { ok: false, reason: 'multi-frame' };
  if (images.length < 3) return { ok: false, reason: 'too-few' };
  const first = images[0]!;
  if (images.some((instance) => instance.rows !== first.rows || instance.columns !== first.columns)) {
    return { ok: false, reason: 'size' };
  }
  const positions = images.map((instance) => instance.sliceLocation);
  if (positions.some((position) => position === null)) return { ok: false, reason: 'no-position' };
  const sorted = (positions as number[]).slice().sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((position, index) => position - sorted[index]!);
  const typical = median(gaps);
  const tolerance = Math.max(0.01, SPACING_TOLERANCE * typical);
  if (!(typical > 0.01) || gaps.some((gap) => Math.abs(gap - typical) > tolerance)) {
    return { ok: false, reason: 'spacing' };
  }
  return { ok: true, sliceSpacing: typical };
}

interface PlaneModule {
  imageOrientationPatient?: number[] | null;
  rowPixelSpacing?: number | null;
  columnPixelSpacing?: number | null;
}

/**
 * The headers' view: orientation and pixel spacing of the images whose headers are loaded. Returns
 * `checked` = how many images could be compared (a partly loaded series is checked again later).
 */
export function headerGeometry(imageIds: readonly string[]): {
  problem: MprUnavailable | null;
  checked: number;
} {
  let reference: PlaneModule | null = null;
  let checked = 0;
  for (const imageId of imageIds) {
    const plane = metaData.get('imagePlaneModule', imageId) as PlaneModule | undefined;
    const cosines = plane?.imageOrientationPatient;
    if (!plane || !cosines || cosines.length !== 6) continue;
    checked += 1;
    if (!reference) {
      reference = plane;
      continue;
    }
    const referenceCosines = reference.imageOrientationPatient!;
    if (cosines.some((value, index) => Math.abs(value - referenceCosines[index]!) > COSINE_TOLERANCE)) {
      return { problem: 'orientation', checked };
    }
    const differs = (a?: number | null, b?: number | null) =>
      a != null && b != null && Math.abs(a - b) > PIXEL_SPACING_TOLERANCE;
    if (
      differs(plane.rowPixelSpacing, reference.rowPixelSpacing) ||
      differs(plane.columnPixelSpacing, reference.columnPixelSpacing)
    ) {
      return { problem: 'pixel-spacing', checked };
    }
  }
  return { problem: null, checked };
}
