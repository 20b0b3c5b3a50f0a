/**
 * The automatic cutting surface. On the head's mid-sagittal line of every axial slice, the
 * first tissue voxel from the front (air/tissue threshold: −400 HU for CT, a tenth of the
 * bright end for MR) gives the face's profile from the forehead down to the neck. On it:
 *
 *   nose tip  the most anterior point of the profile;
 *   nasion    going up from the nose tip, the most posterior point before the forehead comes
 *             forward again (at most 50 mm above the tip);
 *   chin      the most anterior point 35–70 mm below the nose tip (absent when the series
 *             stops above it).
 *
 * The cut is the plane (containing the left–right axis) through a point 8 mm behind the nasion
 * and a point 12 mm behind the chin: nose, lips and chin lie in front of it, the brain behind.
 * A series whose profile has no nose standing at least 8 mm in front of the nasion does not
 * show a face.
 */
import type { HeadVolume } from './volume.js';
import type { DefaceCut, FaceLandmarks, Point3 } from './types.js';

export const CT_TISSUE_HU = -400;
export const NASION_MARGIN_MM = 8;
export const CHIN_MARGIN_MM = 12;
export const MIN_NOSE_MM = 8;

export interface FaceSurface {
  /** Null when no face was found on the profile. */
  landmarks: FaceLandmarks | null;
  /** The proposed cut; null when no face was found. */
  cut: DefaceCut | null;
  /** Patient x of the mid-sagittal plane. */
  midlineX: number;
  /** The profile: per slice (superior first) its z and the most anterior tissue y (NaN: none). */
  profile: Array<{ z: number; y: number }>;
  threshold: number;
}

function tissueThreshold(volume: HeadVolume): number {
  if (volume.header.modality === 'CT') return CT_TISSUE_HU;
  const middle = volume.slices[Math.floor(volume.slices.length / 2)]!.values;
  const sample: number[] = [];
  for (let index = 0; index < middle.length; index += 7) sample.push(middle[index]!);
  sample.sort((a, b) => a - b);
  return 0.1 * (sample[Math.floor(sample.length * 0.99)] ?? 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function findFaceSurface(volume: HeadVolume): FaceSurface {
  const threshold = tissueThreshold(volume);
  // The midline: the middle of each slice's tissue extent from left to right, median over slices.
  const centres: number[] = [];
  for (const slice of volume.slices) {
    const { rows, columns } = slice.geometry;
    let first = columns;
    let last = -1;
    for (let row = 0; row < rows; row += 1) {
      const offset = row * columns;
      for (let column = 0; column < first; column += 1)
        if (slice.values[offset + column]! > threshold) {
          first = column;
          break;
        }
      for (let column = columns - 1; column > last; column -= 1)
        if (slice.values[offset + column]! > threshold) {
          last = column;
          break;
        }
    }
    if (last >= first) centres.push((first + last) / 2);
  }
  const midColumn = Math.round(median(centres));
  const reference = volume.slices[0]!.geometry;
  const midlineX = reference.position[0] + midColumn * reference.columnSpacing * reference.rowDirection[0];

  const profile = volume.slices.map((slice) => {
    const { rows, columns, columnDirection, rowSpacing, position } = slice.geometry;
    const z = position[2];
    const column = Math.min(columns - 1, Math.max(0, midColumn));
    const tissue = (row: number): boolean => {
      let sum = 0;
      let count = 0;
      for (let c = Math.max(0, column - 1); c <= Math.min(columns - 1, column + 1); c += 1) {
        sum += slice.values[row * columns + c]!;
        count += 1;
      }
      return sum / count > threshold;
    };
    // Rows from the front: row 0 is anterior when the column direction points backwards (+y).
    const forward = columnDirection[1] > 0;
    for (let step = 0; step < rows - 1; step += 1) {
      const row = forward ? step : rows - 1 - step;
      const next = forward ? row + 1 : row - 1;
      if (tissue(row) && tissue(next)) return { z, y: position[1] + row * rowSpacing * columnDirection[1] };
    }
    return { z, y: Number.NaN };
  });

  const none = { landmarks: null, cut: null, midlineX, profile, threshold };
  let tip = -1;
  profile.forEach((point, index) => {
    if (!Number.isNaN(point.y) && (tip < 0 || point.y < profile[tip]!.y)) tip = index;
  });
  if (tip < 0) return none;
  const tipPoint = profile[tip]!;
  // Up from the tip (towards index 0): the deepest point before the forehead.
  let nasion = tip;
  let turned = false;
  for (let index = tip - 1; index >= 0; index -= 1) {
    const point = profile[index]!;
    if (Number.isNaN(point.y) || point.z - tipPoint.z > 50) break;
    if (point.y > profile[nasion]!.y) nasion = index;
    else if (point.y < profile[nasion]!.y - 2) {
      turned = true;
      break;
    }
  }
  const nasionPoint = profile[nasion]!;
  if (!turned || nasionPoint.y - tipPoint.y < MIN_NOSE_MM) return none;
  let chin = -1;
  profile.forEach((point, index) => {
    const below = tipPoint.z - point.z;
    if (Number.isNaN(point.y) || below < 35 || below > 70) return;
    if (chin < 0 || point.y < profile[chin]!.y) chin = index;
  });
  const at = (point: { z: number; y: number }): Point3 => [midlineX, point.y, point.z];
  const landmarks: FaceLandmarks = {
    nasion: at(nasionPoint),
    noseTip: at(tipPoint),
    chin: chin >= 0 ? at(profile[chin]!) : null,
  };
  const superior: Point3 = [midlineX, nasionPoint.y + NASION_MARGIN_MM, nasionPoint.z];
  const inferior: Point3 =
    chin >= 0
      ? [midlineX, profile[chin]!.y + CHIN_MARGIN_MM, profile[chin]!.z]
      : [midlineX, superior[1], superior[2] - 60];
  return { landmarks, cut: { superior, inferior }, midlineX, profile, threshold };
}
