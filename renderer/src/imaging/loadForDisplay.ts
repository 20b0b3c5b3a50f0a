/**
 * Starts loading an image a viewport is about to show, before the viewport asks: with the options
 * and priority of Cornerstone's own stack request (RGBA for the CPU path), so the viewport then
 * finds the same load in the cache. Used when a study opens, as soon as its image list is known,
 * while the viewer screen is still being mounted.
 */
import { Enums, imageLoader } from '@cornerstonejs/core';
import { initImaging, renderingChoice } from './initImaging.js';

/** Cornerstone's priority for a stack viewport's own image (StackViewport.ts). */
const VIEWPORT_PRIORITY = -5;

export function loadForDisplay(imageId: string): void {
  void loadImageForDisplay(imageId);
}

/** The same, resolving whether the image loaded (a failure is the viewport's to show). */
export function loadImageForDisplay(imageId: string): Promise<boolean> {
  initImaging();
  // useRGBA is read by the DICOM image loader, though Cornerstone's option type leaves it out.
  const options = {
    priority: VIEWPORT_PRIORITY,
    requestType: Enums.RequestType.Interaction,
    useRGBA: renderingChoice().mode === 'cpu',
  };
  return imageLoader.loadAndCacheImage(imageId, options).then(
    () => true,
    () => false,
  );
}
