/**
 * Applying a viewport's start view (shared with a restored session): which image of the stack to
 * show first, found by SOP Instance UID and frame when the image is still there, by position
 * otherwise; and the window it had.
 */
import type { StackViewport } from '@cornerstonejs/core';
import { applyWindow } from '../imaging/viewportCommands.js';
import type { StartView } from '../stores/useViewerStore.js';

/** SOP Instance UID and frame of an image id made by host.imageIdFor. */
export function imageOf(imageId: string): { sopInstanceUID: string; frame: number | null } | null {
  const match = /\/instances\/([0-9.]+)(?:\?frame=(\d+))?$/.exec(imageId);
  if (!match) return null;
  return { sopInstanceUID: decodeURIComponent(match[1]!), frame: match[2] ? Number(match[2]) : null };
}

export function startIndexOf(view: StartView | null, imageIds: string[]): number {
  if (!view || imageIds.length === 0) return 0;
  if (view.sopInstanceUID) {
    const index = imageIds.findIndex((imageId) => {
      const image = imageOf(imageId);
      return (
        image !== null && image.sopInstanceUID === view.sopInstanceUID && image.frame === (view.frame ?? null)
      );
    });
    if (index >= 0) return index;
  }
  return Math.min(imageIds.length - 1, Math.max(0, view.imageIndex));
}

/** The saved window, when there is one (else the image's own stays). */
export function applyStartWindow(viewport: StackViewport, view: StartView | null): void {
  if (!view || view.windowWidth == null || view.windowCenter == null) return;
  applyWindow(viewport, view.windowWidth, view.windowCenter);
}
