/**
 * Slice geometry for display ordering. The position of a slice along its stack is the projection
 * of ImagePositionPatient on the slice normal (row direction × column direction from
 * ImageOrientationPatient), which is right for any orientation, unlike SliceLocation (optional,
 * vendor-defined) or the z coordinate (wrong for sagittal and coronal stacks).
 */
export function slicePosition(
  imagePositionPatient: readonly number[] | null,
  imageOrientationPatient: readonly number[] | null,
): number | null {
  if (!imagePositionPatient || !imageOrientationPatient) return null;
  if (imagePositionPatient.length !== 3 || imageOrientationPatient.length !== 6) return null;
  const [rx, ry, rz, cx, cy, cz] = imageOrientationPatient as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const normal = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx] as const;
  const length = Math.hypot(normal[0], normal[1], normal[2]);
  if (!Number.isFinite(length) || length < 1e-6) return null; // degenerate orientation
  const [px, py, pz] = imagePositionPatient as [number, number, number];
  const position = (px * normal[0] + py * normal[1] + pz * normal[2]) / length;
  return Number.isFinite(position) ? position : null;
}

export interface OrderableInstance {
  slicePosition: number | null;
  instanceNumber: number | null;
  sopInstanceUID: string;
}

/**
 * Display order: by position along the normal (ascending) when known, then by InstanceNumber,
 * then by UID so the order is total and stable. Instances without a position come after those
 * with one. The catalog's SQL ORDER BY implements the same rule; this function is its reference.
 */
export function compareForDisplay(a: OrderableInstance, b: OrderableInstance): number {
  return (
    compareNullable(a.slicePosition, b.slicePosition) ||
    compareNullable(a.instanceNumber, b.instanceNumber) ||
    (a.sopInstanceUID < b.sopInstanceUID ? -1 : a.sopInstanceUID > b.sopInstanceUID ? 1 : 0)
  );
}

function compareNullable(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}
