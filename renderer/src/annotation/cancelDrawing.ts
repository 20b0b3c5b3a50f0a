/**
 * Esc while a measurement is being drawn cancels it (docs/annotation-tools.md "Keys"): nothing of
 * it stays on the image, in the panel, in the undo history or in the catalog.
 *
 * Cornerstone's own cancel (`cancelActiveManipulations`) finishes the drawing rather than dropping
 * it for several tools: Length (and the other handle tools) raises ANNOTATION_COMPLETED for the
 * half-drawn annotation, the freehand tool closes the contour drawn so far and completes it, and
 * Length leaves its undo memo on the tool, so the next drawing's undo would name the cancelled one.
 * Here a cancel is a real one: while Cornerstone cancels, `isCancelling()` is true and the
 * listeners that save a completed measurement or ask for its label (persist.ts, tools/completion.ts)
 * leave it alone (this module notes it instead); the tools' pending undo memos are dropped first; afterwards every annotation the
 * cancel touched that was never completed before is removed from Cornerstone's state.
 */
import { type Types as CoreTypes, eventTarget } from '@cornerstonejs/core';
import {
  Enums as ToolEnums,
  ToolGroupManager,
  annotation as csAnnotation,
  cancelActiveManipulations,
} from '@cornerstonejs/tools';
import { initImaging } from '../imaging/initImaging.js';

let cancelling = false;
/** Annotations Cornerstone reported as completed during the cancel now running. */
const completedWhileCancelling = new Set<string>();

/** True while a cancel runs: a completion seen now is the cancelled drawing, not a measurement. */
export function isCancelling(): boolean {
  return cancelling;
}

function collect(event: Event): void {
  const uid = (event as CustomEvent<{ annotation?: { annotationUID?: string } }>).detail.annotation
    ?.annotationUID;
  if (uid) completedWhileCancelling.add(uid);
}

interface DrawingTool {
  isDrawing?: boolean;
  isEditingOpen?: boolean;
  memo?: unknown;
}

/** The tools of `viewport`'s tool group that are in the middle of a drawing. */
function drawingTools(viewport: CoreTypes.IViewport): DrawingTool[] {
  const group = ToolGroupManager.getToolGroupForViewport(viewport.id, viewport.renderingEngineId);
  if (!group) return [];
  return Object.values(group.getToolInstances() as Record<string, DrawingTool>).filter(
    (tool) => tool.isDrawing === true,
  );
}

/**
 * Cancels the drawing in progress on any viewport. Returns false when nothing was being drawn (Esc
 * then keeps its other meaning). `isKnown(uid)` tells an annotation that existed before this
 * drawing (one being edited): that one is left in place, its earlier versions stand.
 */
export function cancelDrawing(isKnown: (annotationUID: string) => boolean): boolean {
  const viewports = initImaging().engine.getViewports();
  const busy = viewports.filter((viewport) => drawingTools(viewport).length > 0);
  if (busy.length === 0) return false;
  const touched = new Set<string>();
  cancelling = true;
  completedWhileCancelling.clear();
  eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, collect);
  try {
    for (const viewport of busy) {
      // The memo of a drawing that is cancelled must never reach the undo history.
      for (const tool of drawingTools(viewport)) tool.memo = null;
      const uid = cancelActiveManipulations(viewport.element);
      if (typeof uid === 'string') touched.add(uid);
    }
  } finally {
    eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, collect);
    cancelling = false;
  }
  for (const uid of completedWhileCancelling) touched.add(uid);
  completedWhileCancelling.clear();
  for (const uid of touched) {
    if (isKnown(uid)) continue;
    if (csAnnotation.state.getAnnotation(uid)) csAnnotation.state.removeAnnotation(uid);
  }
  for (const viewport of busy) viewport.render();
  return true;
}
