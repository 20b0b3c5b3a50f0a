/**
 * Flip, rotate and per-image fit for stack viewports, through Cornerstone's camera and view
 * presentation (the same calls on the CPU and the GPU path).
 *
 * Per-image fit: Cornerstone keeps the zoom and displayed area of the previous image when the next
 * one has another size (a 3×3 localiser followed by 100×100 images stayed at 29433 %). When the
 * size or spacing of the displayed image changes, the camera is reset to fit the new one; flips and
 * rotation stay as the reader set them. Images of the same geometry keep the reader's zoom and pan.
 */
import { Enums, type StackViewport, type Types } from '@cornerstonejs/core';

export function flipHorizontal(viewport: StackViewport): void {
  viewport.setCamera({ flipHorizontal: !viewport.getCamera().flipHorizontal });
  viewport.render();
}

export function flipVertical(viewport: StackViewport): void {
  viewport.setCamera({ flipVertical: !viewport.getCamera().flipVertical });
  viewport.render();
}

/** Rotates by a quarter turn: +90 clockwise, −90 counter-clockwise. */
export function rotateBy(viewport: StackViewport, degrees: 90 | -90): void {
  const rotation = (((viewport.getRotation() + degrees) % 360) + 360) % 360;
  viewport.setViewPresentation({ rotation });
  viewport.render();
}

function geometryKey(image: Types.IImage): string {
  return `${image.rows}x${image.columns}@${image.rowPixelSpacing ?? 1}x${image.columnPixelSpacing ?? 1}`;
}

/** The camera reset to fit the image shown, with the flips of `camera` and `rotation` kept. */
function refit(viewport: StackViewport, camera: Types.ICamera, rotation: number): void {
  viewport.resetCamera({ resetPan: true, resetZoom: true, resetToCenter: true });
  viewport.setViewPresentation({
    rotation,
    flipHorizontal: camera.flipHorizontal ?? false,
    flipVertical: camera.flipVertical ?? false,
  });
}

/** Fits each image whose size differs from the one before it. Returns the unsubscribe function. */
export function fitEachImage(element: HTMLDivElement, viewport: StackViewport): () => void {
  let shown: string | null = null;
  const onNewImage = (event: Event) => {
    const { image } = (event as CustomEvent<{ image?: Types.IImage }>).detail;
    if (!image) return;
    const key = geometryKey(image);
    const previous = shown;
    shown = key;
    if (previous === null || previous === key) return;
    // Cornerstone announces the image before it takes it in (CPU path): fit once it has.
    queueMicrotask(() => {
      if (viewport.getCornerstoneImage() !== image) return;
      refit(viewport, viewport.getCamera(), viewport.getRotation());
      viewport.render();
    });
  };
  // The image already on screen (the first of the stack) sets the starting geometry.
  const image = viewport.getCurrentImageId() ? viewport.getCornerstoneImage() : undefined;
  if (image) shown = geometryKey(image);
  element.addEventListener(Enums.Events.STACK_NEW_IMAGE, onNewImage);
  return () => element.removeEventListener(Enums.Events.STACK_NEW_IMAGE, onNewImage);
}

/**
 * Resizes the engine's viewports to their elements, keeping each stack viewport's zoom relative to
 * its fitted view. Cornerstone's resize keeps the camera, so the image keeps its size on screen:
 * a viewport made narrower (a side panel opened, a 1×2 layout) cut a fitted image off at both
 * sides. Now a fitted image stays fitted (the whole image in the new size), a zoomed one keeps its
 * zoom against the new fit; the point in the middle (pan), flips and rotation stay.
 *
 * The fit is worked out in the next animation frame: while a render is pending, Cornerstone's GPU
 * engine only records the new size and resets no camera (`_resizeVTKViewports`), and the pending
 * render, which runs before this frame's callback, applies the size.
 */
export function resizeKeepingZoom(engine: Types.IRenderingEngine): void {
  const views: Array<{ viewport: StackViewport; zoom: number; camera: Types.ICamera; rotation: number }> = [];
  for (const viewport of engine.getViewports())
    if (viewport.type === Enums.ViewportType.STACK) {
      const stack = viewport as StackViewport;
      if (stack.getCurrentImageId())
        views.push({
          viewport: stack,
          zoom: stack.getZoom(),
          camera: stack.getCamera(),
          rotation: stack.getRotation(),
        });
    }
  engine.resize(true, true);
  if (views.length === 0) return;
  requestAnimationFrame(() => {
    for (const { viewport, zoom, camera, rotation } of views) {
      // Gone (the pane closed) or showing another image set since: nothing to keep.
      if (engine.getViewport(viewport.id) !== viewport || !viewport.getCurrentImageId()) continue;
      refit(viewport, camera, rotation);
      if (Number.isFinite(zoom) && zoom > 0) viewport.setZoom(zoom);
      if (camera.focalPoint && camera.position)
        viewport.setCamera({ focalPoint: camera.focalPoint, position: camera.position });
      viewport.render();
    }
  });
}
