/**
 * The Cornerstone viewports currently on screen, by layout slot. Keyboard shortcuts and the toolbar
 * act on the active slot through this map instead of reaching into React components.
 */
import type { StackViewport } from '@cornerstonejs/core';

export interface ViewportHandle {
  viewport: StackViewport;
  element: HTMLDivElement;
}

const handles = new Map<number, ViewportHandle>();

export function registerViewport(slot: number, handle: ViewportHandle): () => void {
  handles.set(slot, handle);
  return () => {
    if (handles.get(slot) === handle) handles.delete(slot);
  };
}

/** The viewport in a slot, if it has a stack to act on. */
export function viewportInSlot(slot: number): ViewportHandle | null {
  const handle = handles.get(slot);
  if (!handle || handle.viewport.getImageIds().length === 0) return null;
  return handle;
}
