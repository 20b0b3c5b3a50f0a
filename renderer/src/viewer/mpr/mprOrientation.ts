/**
 * Patient directions at the edges of an MPR plane, as the stack viewport's overlay shows them
 * (imaging/imageReadout.ts: DICOM letters R/L, A/P, H/F; an oblique edge gets up to three, the
 * main one first): two canvas points are taken back to patient coordinates through the plane's own
 * camera, so rotated crosshairs, flips and the volume's orientation are all accounted for.
 */
import type { VolumeViewport } from '@cornerstonejs/core';
import { type EdgeMarkers, canvasEdgeMarkers } from '../../imaging/imageReadout.js';

/** The letters at the four edges of a plane, or null before the volume is on it. */
export function planeEdgeMarkers(viewport: VolumeViewport): EdgeMarkers | null {
  if (!viewport.getDefaultActor()) return null;
  return canvasEdgeMarkers(viewport);
}
