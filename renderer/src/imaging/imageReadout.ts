/**
 * What the overlay reads from the image on screen: the patient directions at the four edges, the
 * image's own attributes (instance number, slice location, thickness), and the value of the pixel
 * under the pointer in modality units (HU for CT).
 *
 * Edge directions come from the viewport itself: two canvas points are taken back to patient
 * coordinates (canvasToWorld), so flips, rotation and any ImageOrientationPatient are accounted
 * for in the CPU and the GPU path alike; the letters follow DICOM (R/L, A/P, H/F; oblique edges
 * get up to three, the main one first).
 */
import { type StackViewport, type Types, metaData, utilities } from '@cornerstonejs/core';
import { utilities as toolUtilities } from '@cornerstonejs/tools';
import { renderingChoice } from './initImaging.js';

export interface EdgeMarkers {
  top: string;
  bottom: string;
  left: string;
  right: string;
}

const { getOrientationStringLPS, invertOrientationStringLPS } = toolUtilities.orientation;

/** Unit vector in patient space from canvas point `from` to `to`, or null when not known. */
export function patientDirection(
  canvasToWorld: (point: Types.Point2) => Types.Point3 | undefined,
  from: Types.Point2,
  to: Types.Point2,
): Types.Point3 | null {
  const a = canvasToWorld(from);
  const b = canvasToWorld(to);
  if (!a || !b) return null;
  const d: Types.Point3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const length = Math.hypot(d[0], d[1], d[2]);
  if (!Number.isFinite(length) || length < 1e-9) return null;
  return [d[0] / length, d[1] / length, d[2] / length];
}

/**
 * The letters at the four edges of any viewport (stack or MPR plane): the directions from the
 * canvas centre to the right and down, taken back to patient space through `canvasToWorld`.
 */
export function canvasEdgeMarkers(viewport: {
  element: HTMLDivElement;
  canvasToWorld(point: Types.Point2): Types.Point3 | undefined;
}): EdgeMarkers | null {
  const { clientWidth, clientHeight } = viewport.element;
  if (!clientWidth || !clientHeight) return null;
  const centre: Types.Point2 = [clientWidth / 2, clientHeight / 2];
  const toWorld = (point: Types.Point2) => viewport.canvasToWorld(point);
  const right = patientDirection(toWorld, centre, [centre[0] + 16, centre[1]]);
  const down = patientDirection(toWorld, centre, [centre[0], centre[1] + 16]);
  if (!right || !down) return null;
  const rightText = getOrientationStringLPS(right);
  const downText = getOrientationStringLPS(down);
  return {
    right: rightText,
    left: invertOrientationStringLPS(rightText),
    bottom: downText,
    top: invertOrientationStringLPS(downText),
  };
}

/** The patient directions at the edges of the canvas, or null without geometry. */
export function edgeMarkers(viewport: StackViewport): EdgeMarkers | null {
  const imageId = viewport.getCurrentImageId();
  if (!imageId) return null;
  const plane = metaData.get('imagePlaneModule', imageId) as
    { imageOrientationPatient?: number[]; usingDefaultValues?: boolean } | undefined;
  // Without ImageOrientationPatient the directions are unknown (secondary captures, photos).
  const instance = metaData.get('instance', imageId) as { ImageOrientationPatient?: unknown } | undefined;
  if (!plane?.imageOrientationPatient || (instance && !instance.ImageOrientationPatient)) return null;
  return canvasEdgeMarkers(viewport);
}

export interface ImageAttributes {
  instanceNumber: number | null;
  sliceLocation: number | null;
  sliceThickness: number | null;
  /** Units of the pixel values after the modality transform ("HU", "Gy"), or "". */
  units: string;
}

const numberOf = (value: unknown): number | null => {
  const parsed = Array.isArray(value) ? Number(value[0]) : typeof value === 'string' ? Number(value) : value;
  return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : null;
};

interface NaturalInstance {
  InstanceNumber?: unknown;
  SliceLocation?: unknown;
  SliceThickness?: unknown;
  Modality?: unknown;
  DoseUnits?: unknown;
  RescaleType?: unknown;
}

export function imageAttributes(imageId: string): ImageAttributes {
  const instance = (metaData.get('instance', imageId) ?? {}) as NaturalInstance;
  const modality = typeof instance.Modality === 'string' ? instance.Modality : '';
  return {
    instanceNumber: numberOf(instance.InstanceNumber),
    sliceLocation: numberOf(instance.SliceLocation),
    sliceThickness: numberOf(instance.SliceThickness),
    units: unitsOf(modality, instance),
  };
}

function unitsOf(modality: string, instance: NaturalInstance): string {
  if (modality === 'CT') return 'HU';
  if (modality === 'RTDOSE') {
    const units = typeof instance.DoseUnits === 'string' ? instance.DoseUnits.trim() : '';
    // RELATIVE doses have no unit (a fraction of a reference dose).
    return units === 'GY' ? 'Gy' : '';
  }
  const rescaleType = typeof instance.RescaleType === 'string' ? instance.RescaleType.trim() : '';
  return rescaleType === 'US' ? '' : rescaleType;
}

export interface PixelReadout {
  /** Column and row of the pixel (0-based), as in the file. */
  column: number;
  row: number;
  /** Modality value(s): one for grey images, R, G, B for colour ones. */
  values: number[];
}

/**
 * The pixel under a point of the canvas (CSS pixels), or null outside the image. Values are
 * what the file's pixel data means: stored value × RescaleSlope + RescaleIntercept (or dose grid
 * scaling), whether or not the loader already applied it.
 */
export function pixelAt(viewport: StackViewport, canvasPoint: Types.Point2): PixelReadout | null {
  const imageId = viewport.getCurrentImageId();
  const image = viewport.getCornerstoneImage() as
    (Types.IImage & { preScale?: { scaled?: boolean } }) | undefined;
  if (!imageId || !image) return null;
  const world = viewport.canvasToWorld(canvasPoint);
  if (!world) return null;
  const [x, y] = utilities.worldToImageCoords(imageId, world) as [number, number];
  // worldToImageCoords counts from the pixel's corner. The CPU path's canvasToWorld is half a
  // pixel off: it puts the pixel's corner, not its centre, on ImagePositionPatient.
  const shift = renderingChoice().mode === 'cpu' ? 0.5 : 0;
  const column = Math.floor(x - shift);
  const row = Math.floor(y - shift);
  if (column < 0 || row < 0 || column >= image.columns || row >= image.rows) return null;
  const data = image.getPixelData();
  const components = Math.max(1, Math.round(data.length / (image.rows * image.columns)));
  const offset = (row * image.columns + column) * components;
  if (components > 1) {
    return { column, row, values: [data[offset]!, data[offset + 1]!, data[offset + 2]!] };
  }
  const stored = data[offset]!;
  const value = image.preScale?.scaled ? stored : stored * (image.slope || 1) + (image.intercept || 0);
  return { column, row, values: [value] };
}

/** A modality value as a reader wants it: integers as they are, others to 4 significant digits. */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const rounded = Number(value.toPrecision(4));
  return String(Math.abs(rounded) >= 1e4 ? Math.round(rounded) : rounded);
}
