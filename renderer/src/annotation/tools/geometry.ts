/** Where an annotation is: its viewport on screen, the page point of its last handle, its image. */
import type { Types as CoreTypes } from '@cornerstonejs/core';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { MAX_VIEWPORTS } from '../../stores/useViewerStore.js';
import { type ViewportHandle, viewportInSlot } from '../../viewer/viewportRegistry.js';
import type { ScreenPoint } from './useToolStore.js';

export type Annotation = ToolTypes.Annotation;

/** The annotation's world points (handles, or a freehand contour's polyline). */
export function worldPoints(annotation: Annotation): CoreTypes.Point3[] {
  const data = annotation.data as {
    handles?: { points?: CoreTypes.Point3[] };
    contour?: { polyline?: CoreTypes.Point3[] };
  };
  const handles = data.handles?.points ?? [];
  if (handles.length > 0) return handles;
  return data.contour?.polyline ?? [];
}

/** The viewports (slot, handle) whose current image carries the annotation. */
export function viewportsShowing(annotation: Annotation): Array<{ slot: number; handle: ViewportHandle }> {
  const imageId = annotation.metadata?.referencedImageId;
  const shown: Array<{ slot: number; handle: ViewportHandle }> = [];
  for (let slot = 0; slot < MAX_VIEWPORTS; slot++) {
    const handle = viewportInSlot(slot);
    if (handle && imageId && handle.viewport.getCurrentImageId() === imageId) shown.push({ slot, handle });
  }
  return shown;
}

/** A page point next to the annotation's last handle (for popovers), or the page centre. */
export function screenPointOf(annotation: Annotation): ScreenPoint {
  const points = worldPoints(annotation);
  const last = points.at(-1);
  const showing = viewportsShowing(annotation)[0];
  if (!last || !showing) return { x: window.innerWidth / 2, y: window.innerHeight / 2 };
  const [x, y] = showing.handle.viewport.worldToCanvas(last);
  const rect = showing.handle.element.getBoundingClientRect();
  return { x: rect.left + x, y: rect.top + y };
}
