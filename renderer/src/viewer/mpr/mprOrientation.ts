/**
 * Patient directions at the edges of an MPR plane, as the stack viewport's overlay shows them
 * (imaging/imageReadout.ts: DICOM letters R/L, A/P, H/F; an oblique edge gets up to three, the
 * main one first): two canvas points are taken back to patient coordinates through the plane's own
 * camera, so rotated crosshairs, flips and the volume's orientation are all accounted for.
 */
import type { Types, VolumeViewport } from '@cornerstonejs/core';
import { utilities as toolUtilities } from '@cornerstonejs/tools';
import type { EdgeMarkers } from '../../imaging/imageReadout.js';

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

/** The letters at the four edges of a plane, or null before the volume is on it. */
export function planeEdgeMarkers(viewport: VolumeViewport): EdgeMarkers | null {
  if (!viewport.getDefaultActor()) return null;
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
