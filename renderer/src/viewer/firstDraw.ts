/**
 * The viewer mounts in two steps (renderer/README.md, "Viewer performance"). First the toolbar and
 * the viewports, so that the first image's response, decode and draw are not queued behind one long
 * main-thread task mounting the whole screen; then, once a viewport has settled (its first image
 * drawn, or it is empty, without images or failed) and that frame is on screen, the rest: the side
 * bar's series and thumbnails, the annotation panel's body (with its AI and review sections and
 * their requests to main). At the latest after FALLBACK_MS, so a slow image never hides them.
 *
 * Panes report with `reportViewportSettled`; the screen starts each mount with `beginViewerMount`
 * and the deferred parts read `useViewerSettled`. Once settled, the parts stay mounted while the
 * screen is (opening another study from the viewer does not fold them away again).
 */
import { useSyncExternalStore } from 'react';

/**
 * The longest the deferred parts wait for a viewport to settle (an image that never arrives, a
 * host that stopped answering): long enough never to overtake a first image on a busy machine.
 */
export const FALLBACK_MS = 4000;

let settled = true;
let timer: ReturnType<typeof setTimeout> | null = null;
const listeners = new Set<() => void>();

function setSettled(value: boolean): void {
  if (settled === value) return;
  settled = value;
  for (const listener of listeners) listener();
}

function settleNow(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  setSettled(true);
}

/**
 * A viewer screen is mounting: its deferred parts wait for a viewport to settle. Returns true, so
 * it can be a `useState` initialiser (runs once per mount, before the panes' effects).
 */
export function beginViewerMount(): true {
  if (timer !== null) clearTimeout(timer);
  settled = false;
  timer = setTimeout(settleNow, FALLBACK_MS);
  return true;
}

/**
 * A viewport has settled. Called in the animation frame after its first image was requested to
 * draw (Cornerstone draws in the frame's callbacks, this one runs after them); the deferred parts
 * mount in a task after that frame, so they never delay its paint.
 */
export function reportViewportSettled(): void {
  if (settled || timer === null) return;
  clearTimeout(timer);
  timer = setTimeout(settleNow, 0);
}

export function subscribeViewerSettled(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the viewer's deferred parts may mount now. */
export function viewerSettled(): boolean {
  return settled;
}

/** `viewerSettled` for components: they re-render when it changes. */
export function useViewerSettled(): boolean {
  return useSyncExternalStore(subscribeViewerSettled, viewerSettled);
}
