/**
 * Where each image of a stack lies along its slice normal, in mm, from the catalog
 * (InstanceSummary.sliceLocation: ImagePositionPatient projected on the normal, signed in the
 * reading direction, main/dicom/geometry.ts). Parallel series of one frame of reference share the
 * axis, so linked scrolling can match slices before the follower's images (and their headers)
 * are loaded.
 */
const positions = new Map<string, number>();

export function rememberPosition(imageId: string, position: number | null): void {
  if (position !== null && Number.isFinite(position)) positions.set(imageId, position);
}

export function positionOf(imageId: string): number | null {
  return positions.get(imageId) ?? null;
}

/** The index of the image nearest `position`, or null when no image of the stack has one. */
export function nearestIndex(imageIds: readonly string[], position: number): number | null {
  let best: number | null = null;
  let bestDistance = Infinity;
  imageIds.forEach((imageId, index) => {
    const own = positions.get(imageId);
    if (own === undefined) return;
    const distance = Math.abs(own - position);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = index;
    }
  });
  return best;
}
