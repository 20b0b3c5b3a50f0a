/**
 * What the keyboard, the toolbar and the slider do to a stack viewport. Kept apart from React so
 * every input path issues the same command.
 */
import { type StackViewport, type Types, cache, utilities } from '@cornerstonejs/core';
import { utilities as toolUtilities } from '@cornerstonejs/tools';
import type { WindowPreset } from './windowPresets.js';

export function scrollBy(viewport: StackViewport, delta: number): void {
  scrollTo(viewport, viewport.getCurrentImageIdIndex() + delta);
}

export function scrollTo(viewport: StackViewport, index: number): void {
  const last = viewport.getImageIds().length - 1;
  if (last < 0) return;
  const target = Math.min(last, Math.max(0, Math.round(index)));
  if (target !== viewport.getCurrentImageIdIndex()) showImage(viewport, target);
}

/**
 * Sets the image at `index` and, when it is already decoded, asks for the frame that draws it right
 * away. Cornerstone takes a cached image in a moment later (a promise callback) and only then asks
 * for an animation frame; input handled inside an animation frame (cine, scripted scrolling, a key
 * per display frame) then got that frame one display frame late, and the next step replaced the
 * image before it was drawn: every second image was skipped. Asked for now, the frame comes first
 * and draws the image that arrived in between. An image still loading asks nothing (the frame would
 * only redraw the previous image).
 */
export function showImage(viewport: StackViewport, index: number): void {
  const imageId = viewport.getImageIds()[index];
  void viewport.setImageIdIndex(index);
  if (imageId !== undefined && cache.isLoaded(imageId)) viewport.render();
}

export function applyWindow(viewport: StackViewport, width: number, center: number): void {
  const voiRange: Types.VOIRange = utilities.windowLevel.toLowHighRange(width, center);
  viewport.setProperties({ voiRange });
  viewport.render();
}

export function applyPreset(viewport: StackViewport, preset: WindowPreset): void {
  applyWindow(viewport, preset.width, preset.center);
}

export function toggleInvert(viewport: StackViewport): void {
  viewport.setProperties({ invert: !viewport.getProperties().invert });
  viewport.render();
}

/** Back to the image's own window, no zoom/pan, not inverted. */
export function resetView(viewport: StackViewport): void {
  viewport.resetProperties();
  viewport.resetCamera();
  viewport.render();
}

export function playCine(element: HTMLDivElement, framesPerSecond: number): void {
  toolUtilities.cine.playClip(element, { framesPerSecond, loop: true });
}

export function stopCine(element: HTMLDivElement): void {
  toolUtilities.cine.stopClip(element);
}

/** Window width/center of what is on screen, in the image's units (HU for CT). */
export function currentWindow(viewport: StackViewport): { width: number; center: number } | null {
  const { voiRange } = viewport.getProperties();
  if (!voiRange) return null;
  const { windowWidth, windowCenter } = utilities.windowLevel.toWindowLevel(voiRange.lower, voiRange.upper);
  return { width: windowWidth, center: windowCenter };
}
