/**
 * The CPU-rendered stack image shown at its natural size and scaled by the compositor.
 *
 * On the CPU path Cornerstone puts each image, after its lookup table, into a render canvas of
 * the image's size (512² for a CT slice), then draws that canvas scaled, rotated and flipped into
 * its own canvas of the viewport's size (896×748 in the benchmark's window). Chromium then copies
 * every pixel of that large canvas to the compositor each frame: ~5 ns of main thread and ~4.5 ns
 * of compositor per canvas pixel (renderer/README.md, "Cold scroll, session 19").
 *
 * Here the render canvas itself is shown, under everything else in the viewport element, with a
 * CSS transform equal to the one Cornerstone drew with (read back from its canvas's context right
 * after the draw: zoom, pan, flip, rotation and the device pixel ratio), and Cornerstone's canvas
 * is kept in place but not painted (`visibility: hidden`). It stays the canvas Cornerstone, the
 * tools and the tests address: same size, same place, first in the element; reading its pixels
 * (getImageData, drawImage) still gives what Cornerstone drew. The compositor now scales a 512²
 * bitmap with bilinear filtering, as Cornerstone's own drawImage did (nearest neighbour when
 * Cornerstone's pixel replication is on).
 *
 * Only for what Cornerstone draws from that render canvas: a grey image without a colour map,
 * the whole image shown. Anything else (colour images, colour maps, a cropped displayed area, no
 * image, GPU rendering) shows Cornerstone's canvas as before, image by image.
 */
import { Enums, type StackViewport } from '@cornerstonejs/core';

/** What this module reads of Cornerstone's CPU enabled element (not part of its typed API). */
export interface CpuEnabledElement<Canvas extends { width: number; height: number } = HTMLCanvasElement> {
  image?: { width: number; height: number; color?: boolean; render?: unknown };
  viewport?: {
    colormap?: unknown;
    pixelReplication?: boolean;
    displayedArea?: { tlhc: { x: number; y: number }; brhc: { x: number; y: number } };
  };
  renderingTools?: { renderCanvas?: Canvas };
}

export const DISPLAY_CANVAS_CLASS = 'radlabel-display-canvas';

/** The render canvas that shows the image as Cornerstone drew it, or null when it cannot. */
export function displayableSource<Canvas extends { width: number; height: number }>(
  enabled: CpuEnabledElement<Canvas>,
): Canvas | null {
  const { image, viewport, renderingTools } = enabled;
  const source = renderingTools?.renderCanvas;
  if (!image || !viewport || !source || image.color || image.render || viewport.colormap) return null;
  const area = viewport.displayedArea;
  if (!area || area.tlhc.x !== 1 || area.tlhc.y !== 1) return null;
  if (area.brhc.x !== image.width || area.brhc.y !== image.height) return null;
  if (source.width !== image.width || source.height !== image.height) return null;
  return source;
}

/**
 * The CSS transform that puts an image-sized canvas where Cornerstone drew the image: its
 * context's transform (image pixels → device pixels of its canvas) in CSS pixels.
 */
export function cssTransformOf(
  m: { a: number; b: number; c: number; d: number; e: number; f: number },
  devicePixelRatio: number,
): string {
  const r = devicePixelRatio || 1;
  return `matrix(${m.a / r}, ${m.b / r}, ${m.c / r}, ${m.d / r}, ${m.e / r}, ${m.f / r})`;
}

/**
 * Shows the CPU viewport's image through its render canvas from now on; returns the function
 * that puts everything back. A GPU viewport keeps its own canvas.
 */
export function attachDisplayCanvas(viewport: StackViewport): () => void {
  // Cornerstone makes its CPU enabled element again on some changes: read it at every draw.
  const cpu = viewport as unknown as {
    useCPURendering?: boolean;
    _cpuFallbackEnabledElement?: CpuEnabledElement;
  };
  const { element } = viewport;
  const cornerstoneCanvas = viewport.canvas;
  // The shown canvas goes under everything the element holds (overlays, the SVG layer), whatever
  // order they are added in: a stacking context of the element's own, the canvas at z-index −1.
  const isolationBefore = element.style.isolation;
  element.style.isolation = 'isolate';
  let shown: HTMLCanvasElement | null = null;
  let transform = '';
  let rendering = '';

  const show = (source: HTMLCanvasElement | null) => {
    if (source === shown) return;
    if (shown) {
      shown.remove();
      shown.classList.remove(DISPLAY_CANVAS_CLASS);
    }
    shown = source;
    transform = '';
    rendering = '';
    if (source) {
      source.classList.add(DISPLAY_CANVAS_CLASS);
      Object.assign(source.style, {
        position: 'absolute',
        left: '0',
        top: '0',
        width: `${source.width}px`,
        height: `${source.height}px`,
        transformOrigin: '0 0',
        zIndex: '-1',
        pointerEvents: 'none',
      });
      // After Cornerstone's canvas: the first canvas of the element stays Cornerstone's.
      cornerstoneCanvas.after(source);
    }
    cornerstoneCanvas.style.visibility = source ? 'hidden' : '';
  };

  const update = () => {
    const enabled = cpu.useCPURendering ? cpu._cpuFallbackEnabledElement : undefined;
    const source = enabled ? displayableSource(enabled) : null;
    const context = source ? cornerstoneCanvas.getContext('2d') : null;
    if (!source || !context) {
      show(null);
      return;
    }
    // Cornerstone leaves its image → canvas transform set after drawing (device pixels).
    const m = context.getTransform();
    show(source);
    // Cornerstone sizes its canvas in device pixels (CSS size × devicePixelRatio).
    const nextTransform = cssTransformOf(m, window.devicePixelRatio);
    if (nextTransform !== transform) {
      source.style.transform = nextTransform;
      transform = nextTransform;
    }
    const nextRendering = enabled?.viewport?.pixelReplication ? 'pixelated' : 'auto';
    if (nextRendering !== rendering) {
      source.style.imageRendering = nextRendering;
      rendering = nextRendering;
    }
    if (source.style.width !== `${source.width}px`) source.style.width = `${source.width}px`;
    if (source.style.height !== `${source.height}px`) source.style.height = `${source.height}px`;
  };

  element.addEventListener(Enums.Events.IMAGE_RENDERED, update);
  return () => {
    element.removeEventListener(Enums.Events.IMAGE_RENDERED, update);
    show(null);
    element.style.isolation = isolationBefore;
  };
}
