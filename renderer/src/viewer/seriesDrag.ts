/**
 * Dragging a series thumbnail onto a viewport. The payload is the series UID under a type of our
 * own, so the window-wide import drop zone (which reacts only to dragged files) ignores it.
 */
import type { DragEvent } from 'react';

export const SERIES_DRAG_TYPE = 'application/x-radlabel-series';

export function startSeriesDrag(event: DragEvent, seriesInstanceUID: string): void {
  event.dataTransfer.setData(SERIES_DRAG_TYPE, seriesInstanceUID);
  event.dataTransfer.effectAllowed = 'copy';
}

export function isSeriesDrag(event: DragEvent): boolean {
  return Array.from(event.dataTransfer.types).includes(SERIES_DRAG_TYPE);
}

/** The dragged series UID, on drop. */
export function droppedSeries(event: DragEvent): string | null {
  const uid = event.dataTransfer.getData(SERIES_DRAG_TYPE);
  return /^[0-9.]+$/.test(uid) ? uid : null;
}
