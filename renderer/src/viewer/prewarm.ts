/**
 * Work the viewer needs once per page, done while the worklist is shown and the page is idle, so
 * that opening a study does not pay for it between the double-click and the first image
 * (renderer/README.md, "Viewer performance"): Cornerstone started, the stack tool group with the
 * reading tools, the measurement tools (added passive, the chosen one on the left button, its
 * cursor made), the linking tools (reference lines, locate) and the label schema (asked of main once). Each step is idempotent and also
 * runs where it is first needed, so a study opened before the page was idle (or restored by a
 * reload) sets them up then, as before, and the tools work as soon as the first image is on screen.
 */
import { useEffect } from 'react';
import { listenForCompletedAnnotations } from '../annotation/tools/completion.js';
import { listenForAddedAnnotations } from '../annotation/tools/labeling.js';
import { activateTool, ensureMeasurementTools } from '../annotation/tools/measurementTools.js';
import { askSchema } from '../annotation/tools/storeLink.js';
import { useToolStore } from '../annotation/tools/useToolStore.js';
import { initImaging } from '../imaging/initImaging.js';
import { stackToolGroup } from '../imaging/stackToolGroup.js';
import { ensureLinkingTools } from './sync/linking.js';

/** The longest an idle callback waits for an idle moment (a page that is never idle still warms). */
const IDLE_TIMEOUT_MS = 2000;

let warmed = false;

/** Once per page: every step the viewer's mount would otherwise take on the way to its first image. */
export function prewarmViewer(): void {
  if (warmed) return;
  warmed = true;
  initImaging();
  stackToolGroup();
  ensureMeasurementTools();
  listenForCompletedAnnotations();
  listenForAddedAnnotations();
  activateTool(useToolStore.getState().activeTool);
  ensureLinkingTools();
  askSchema();
}

/** Whether `prewarmViewer` has run (for tests). */
export function viewerPrewarmed(): boolean {
  return warmed;
}

/** While `idle` (the worklist is shown), warms the viewer in the page's first idle moment. */
export function usePrewarmViewer(idle: boolean): void {
  useEffect(() => {
    if (!idle || warmed) return;
    if (typeof window.requestIdleCallback !== 'function') {
      const timer = window.setTimeout(prewarmViewer, 200);
      return () => window.clearTimeout(timer);
    }
    const handle = window.requestIdleCallback(prewarmViewer, { timeout: IDLE_TIMEOUT_MS });
    return () => window.cancelIdleCallback(handle);
  }, [idle]);
}
