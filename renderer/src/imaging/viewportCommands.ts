/**
 * What the keyboard, the toolbar and the slider do to a stack viewport. Kept apart from React so
 * every input path issues the same command.
 */
import { type StackViewport, type Types, cache, getEnabledElement, utilities } from '@cornerstonejs/core';
import { utilities as toolUtilities } from '@cornerstonejs/tools';
import { loadImageForDisplay } from './loadForDisplay.js';
import type { WindowPreset } from './windowPresets.js';

/**
 * A slice stepped to (keys) that is still loading, per viewport: Cornerstone shows nothing new until
 * the slice it was asked for arrives, so a reader stepping faster than the files arrive (a key per
 * display frame on the first pass) saw the picture stand still and then jump. The step is kept
 * here instead; each display frame shows the slice nearest to it that has arrived on the way
 * (prefetch loads them in the scroll direction, scrollPrefetch.ts), then the slice itself once
 * it is there. The next step counts from the kept slice, so no key is lost.
 */
interface PendingStep {
  index: number;
  imageIds: string[];
  /** The slice last asked of Cornerstone here: another index there means other input took over. */
  shown: number;
}
const pendingSteps = new Map<StackViewport, PendingStep>();
let stepFrame = 0;

/** The slice the reader's steps have reached on this viewport (shown or still loading). */
export function steppedIndex(viewport: StackViewport): number {
  const pending = pendingSteps.get(viewport);
  if (pending && pending.imageIds === viewport.getImageIds()) return pending.index;
  return viewport.getCurrentImageIdIndex();
}

function showPendingSteps(): void {
  stepFrame = 0;
  for (const [viewport, pending] of pendingSteps) {
    const imageIds = viewport.getImageIds();
    if (
      pending.imageIds !== imageIds ||
      !viewport.getRenderingEngine() ||
      viewport.getTargetImageIdIndex() !== pending.shown
    ) {
      pendingSteps.delete(viewport);
      continue;
    }
    if (cache.isLoaded(imageIds[pending.index]!)) {
      pendingSteps.delete(viewport);
      showImage(viewport, pending.index);
      continue;
    }
    const shown = pending.shown;
    const direction = Math.sign(pending.index - shown);
    for (let i = pending.index - direction; direction !== 0 && i !== shown; i -= direction) {
      if (!cache.isLoaded(imageIds[i]!)) continue;
      pending.shown = i;
      showImage(viewport, i);
      break;
    }
  }
  if (pendingSteps.size > 0) stepFrame = requestAnimationFrame(showPendingSteps);
}

export function scrollBy(viewport: StackViewport, delta: number): void {
  const imageIds = viewport.getImageIds();
  const last = imageIds.length - 1;
  if (last < 0) return;
  const target = Math.min(last, Math.max(0, steppedIndex(viewport) + delta));
  if (target === steppedIndex(viewport)) return;
  if (cache.isLoaded(imageIds[target]!)) {
    pendingSteps.delete(viewport);
    showImage(viewport, target);
    return;
  }
  pendingSteps.set(viewport, { index: target, imageIds, shown: viewport.getTargetImageIdIndex() });
  // Asked for at once with the viewport's own priority; shown by showPendingSteps when it arrives.
  // A slice that cannot load ends the kept step (the viewport shows the failure when asked for it).
  void loadImageForDisplay(imageIds[target]!).then((ok) => {
    if (ok || pendingSteps.get(viewport)?.index !== target) return;
    pendingSteps.delete(viewport);
    showImage(viewport, target);
  });
  if (stepFrame === 0) stepFrame = requestAnimationFrame(showPendingSteps);
}

export function scrollTo(viewport: StackViewport, index: number): void {
  const last = viewport.getImageIds().length - 1;
  if (last < 0) return;
  const target = Math.min(last, Math.max(0, Math.round(index)));
  pendingSteps.delete(viewport);
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

/**
 * Stops the cine on the image on screen. A cine step asks for the next image before it is drawn;
 * stopped then, that image would still come a moment later, so the stack stays on the one shown.
 */
export function stopCine(element: HTMLDivElement): void {
  toolUtilities.cine.stopClip(element);
  const viewport = getEnabledElement(element)?.viewport as StackViewport | undefined;
  if (!viewport || typeof viewport.getCornerstoneImage !== 'function') return;
  const shownId = viewport.getCornerstoneImage()?.imageId;
  const shown = shownId ? viewport.getImageIds().indexOf(shownId) : -1;
  if (shown >= 0 && shown !== viewport.getCurrentImageIdIndex()) void viewport.setImageIdIndex(shown);
}

/** Window width/center of what is on screen, in the image's units (HU for CT). */
export function currentWindow(viewport: StackViewport): { width: number; center: number } | null {
  const { voiRange } = viewport.getProperties();
  if (!voiRange) return null;
  const { windowWidth, windowCenter } = utilities.windowLevel.toWindowLevel(voiRange.lower, voiRange.upper);
  return { width: windowWidth, center: windowCenter };
}
