/**
 * Slice geometry for display ordering, in the reading room's convention: axial stacks run from
 * head to feet, sagittal from the patient's right to left, coronal from anterior to posterior,
 * whichever way ImageOrientationPatient happens to point the slice normal.
 *
 * The position of a slice is the projection of ImagePositionPatient on the slice normal (row
 * direction × column direction from ImageOrientationPatient), which is right for any orientation,
 * unlike SliceLocation (optional, vendor-defined) or the z coordinate (wrong for sagittal and
 * coronal stacks). Its sign is then chosen so that the position grows in the reading direction of
 * the patient axis closest to the normal (DICOM patient coordinates, LPS: +x left, +y posterior,
 * +z head): towards the feet (−z), the left (+x) or the back (+y). Oblique stacks follow the axis
 * they are closest to.
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
  if (!Number.isFinite(position)) return null;
  return position * readingSign(normal);
}

/**
 * +1 when the normal points the reading way of its closest patient axis, −1 otherwise. Axial
 * (z closest) reads towards the feet, sagittal (x) towards the left, coronal (y) towards the back;
 * ties go to z, then x.
 */
function readingSign(normal: readonly [number, number, number]): 1 | -1 {
  const [x, y, z] = normal.map(Math.abs) as [number, number, number];
  if (z >= x && z >= y) return normal[2] > 0 ? -1 : 1;
  if (x >= y) return normal[0] > 0 ? 1 : -1;
  return normal[1] > 0 ? 1 : -1;
}

export interface OrderableInstance {
  slicePosition: number | null;
  instanceNumber: number | null;
  sopInstanceUID: string;
}

/**
 * Display order: by position in the reading direction (ascending: head to feet, right to left,
 * front to back) when known, then by InstanceNumber,
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
