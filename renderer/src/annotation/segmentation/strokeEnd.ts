/**
 * The end of a previewed brush stroke, run after the frame that follows the pointer up
 * (docs/annotation.md "Speed").
 *
 * At pointer up Cornerstone's BrushTool applies the whole stroke to the labelmap (its fill asks
 * the segmentation's bindings for every voxel it sets), commits the undo memo and announces the
 * change, which re-renders the panel's save state and the annotation layer: ~10–40 ms of main
 * thread in the pointer up's task, so the frame after the pointer up was missed. The stroke is
 * already on screen (strokePreview.ts), so that work waits for the frame and runs in the task after
 * it. It runs earlier, and always before anything that could read or change what it changes:
 * the next pointer press or move, key or wheel anywhere in the page (window capture, ahead of
 * Cornerstone's listeners), an undo or redo of the shared history (whatever calls it), and every
 * segmentation action of segmentationSession.ts (tool, segment, brush size, save, render).
 */
import { utilities as coreUtilities } from '@cornerstonejs/core';

let pending: (() => void) | null = null;
let frame = 0;
let timer: number | null = null;
let fallback: number | null = null;

/** A hidden page has no animation frames: the end runs after this long at the latest. */
const LATEST_MS = 250;

/** Runs `work` in a task after the next animation frame, or sooner when flushed. */
export function runAfterFrame(work: () => void): void {
  flushStrokeEnd();
  pending = work;
  frame = requestAnimationFrame(() => {
    frame = 0;
    timer = window.setTimeout(flushStrokeEnd, 0);
  });
  fallback = window.setTimeout(flushStrokeEnd, LATEST_MS);
}

/** Runs the waiting stroke end now, if there is one. */
export function flushStrokeEnd(): void {
  if (frame !== 0) cancelAnimationFrame(frame);
  frame = 0;
  if (timer !== null) window.clearTimeout(timer);
  timer = null;
  if (fallback !== null) window.clearTimeout(fallback);
  fallback = null;
  const work = pending;
  pending = null;
  work?.();
}

export function strokeEndPending(): boolean {
  return pending !== null;
}

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'mousedown', 'mousemove', 'keydown', 'wheel'] as const;
let watching = false;

/**
 * Input anywhere in the page, and the shared history's undo and redo, run the stroke end first.
 * Installed when the segmentation module loads, before the app's own window listeners.
 */
export function flushStrokeEndBeforeInput(): void {
  if (watching) return;
  watching = true;
  const flush = (): void => {
    if (pending) flushStrokeEnd();
  };
  for (const type of INPUT_EVENTS) window.addEventListener(type, flush, { capture: true, passive: true });
  const history = coreUtilities.HistoryMemo.DefaultHistoryMemo;
  const undo = history.undo.bind(history);
  const redo = history.redo.bind(history);
  const undoIf = history.undoIf.bind(history);
  history.undo = (items?: number) => {
    flush();
    return undo(items);
  };
  history.redo = (items?: number) => {
    flush();
    return redo(items);
  };
  history.undoIf = (condition) => {
    flush();
    return undoIf(condition);
  };
}
