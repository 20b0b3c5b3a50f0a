/**
 * Brush and eraser strokes without a WebGL render while the reader paints (docs/annotation.md
 * "Speed").
 *
 * With WebGL on the CPU (SwiftShader, what headless Chromium and machines without a GPU have) one
 * render of a viewport with its labelmap takes 0.1–0.6 s, and pointer events that arrive meanwhile
 * wait for it: that was the slow 5 % of `annotation.paint_ms`. Cornerstone already applies a brush
 * or eraser stroke at pointer up only (lazy labelmap editing, on because `overwriteMode` is set),
 * then renders the viewport; the next stroke's first events queued behind that render.
 *
 * So, for the brush, the threshold brush and the eraser:
 * - the stroke is drawn as it is painted on a 2D canvas over the viewport (imaging/imageOverlay.ts:
 *   the viewport's own image → canvas mapping), voxel by voxel, nearest neighbour, over the voxels
 *   Cornerstone's stroke fill takes: those whose centres lie within the brush radius (mm) of the
 *   path between two pointer events, or of the press (brushDisc.ts). Cornerstone's image
 *   coordinates put voxel (0, 0)'s centre at (0.5, 0.5);
 * - a brush stroke in the segment's colour and fill opacity over the image — how the labelmap layer
 *   is blended in the opaque pass —, not over voxels of the segment already drawn; the threshold
 *   brush's only where the image's value is in its range, the test its fill makes;
 * - an eraser stroke (an overlay cannot take colour away, so it draws what is under it): each voxel
 *   it clears, opaque, as the render will show it — the image's own colour there with the other
 *   layers' visible segments over it (eraseLook.ts, gathered by segmentationSession.ts);
 * - the viewport's renders are held from the press until the reader pauses: 600 ms after the
 *   pointer comes up with no new press, or at once on a wheel, a key, another kind of press or a new
 *   image. Then the viewport renders once (the labelmap as Cornerstone holds it, every stroke since
 *   the last render) and the preview is cleared in the same frame (after the segmentation render);
 *   strokes meanwhile add up, each drawn over the earlier ones;
 * - the stroke's end (Cornerstone applying it to the labelmap) waits for the frame after the
 *   pointer up (strokeEnd.ts).
 */
import {
  Enums as CoreEnums,
  type StackViewport,
  eventTarget,
  metaData,
  type Types,
  utilities as coreUtilities,
} from '@cornerstonejs/core';
import { Enums as ToolEnums } from '@cornerstonejs/tools';
import {
  type Affine,
  drawOverImage,
  drawRegionInMapping,
  imageToCanvasTransform,
  overlayCanvasOf,
  overlayCanvasSize,
} from '../../imaging/imageOverlay.js';
import { capsuleRun } from './brushDisc.js';
import { flushStrokeEnd } from './strokeEnd.js';

const { Events: ToolEvents } = ToolEnums;

/**
 * The reader has paused this long after the pointer came up (no new press): render. A render on
 * WebGL without a GPU takes 0.1–0.6 s and holds the input that comes meanwhile, so it waits for a
 * real pause rather than the gap between two strokes of one outline (the preview shows the same).
 */
export const PAUSE_MS = 600;
const CANVAS_CLASS = 'brush-stroke-preview';

/** What the preview needs to know about the segment being painted, at the press. */
export interface StrokeLook {
  /** Segment colour (0–255) as Cornerstone holds it, alpha included. */
  rgba: readonly [number, number, number, number];
  /** The segment's fill opacity (0–1). */
  fillAlpha: number;
  /** Brush radius in mm. */
  radiusMm: number;
  /** The segment's voxels on the image shown (already drawn by Cornerstone: not drawn again). */
  voxels: Uint8Array | null;
  labelValue: number;
  /**
   * The voxels (index in the image) the tool may paint: the threshold brush's, those whose image
   * value is in its range, as its fill tests them; null for the brush (every voxel).
   */
  accepts: ((index: number) => boolean) | null;
  /** The eraser's stroke: what it takes and what the voxels it takes show; null for a brush. */
  erase: EraseLook | null;
}

/**
 * What an eraser stroke starting now takes and shows. Cornerstone's eraser sets to 0 every voxel of
 * the active segment's layer in its discs unless the value there is a locked segment's.
 */
export interface EraseLook {
  /** The layer the eraser clears, on the image shown. */
  voxels: ArrayLike<number>;
  /** True for a value the eraser leaves (Cornerstone compares the value with the locked segments' numbers). */
  keeps(value: number): boolean;
  /** Writes the opaque colour voxel `index` shows once erased (eraseLook.ts) at `out[offset..]`. */
  shownErased(index: number, out: Uint8ClampedArray, offset: number): void;
}

export interface StrokeSource {
  segmentationId: string;
  /**
   * The look of a brush, threshold brush or eraser stroke starting now, or null when no preview
   * applies (another tool on the button).
   */
  lookNow(imageId: string): StrokeLook | null;
}

interface Stroke {
  imageId: string;
  width: number;
  height: number;
  /** mm per column step, mm per row step. */
  spacing: [number, number];
  look: StrokeLook;
  /** Voxels drawn by this preview (since the last render). */
  drawn: Uint8Array;
  bitmap: HTMLCanvasElement;
  pixels: ImageData;
  /** Earlier strokes' bitmaps on this image in other segments, since the last render. */
  earlier: HTMLCanvasElement[];
  /** Last stroke centre, in voxel indices (column, row). */
  last: [number, number] | null;
  /** The mapping the overlay was last drawn in (null: draw it whole next time). */
  drawnWith: Affine | null;
  /** A press came since the overlay was last shown: is `drawnWith` still the viewport's mapping? */
  recheck: boolean;
  /** Voxels the bitmap gained that the overlay does not show yet (columns x0..x1, rows y0..y1). */
  pending: { x0: number; y0: number; x1: number; y1: number } | null;
}

export interface StrokePreview {
  /** True from a brush press until the render at the reader's pause. */
  holding(): boolean;
  /** True while a previewed stroke is being painted (from its press to its pointer up). */
  painting(): boolean;
  /** Renders now what is held (and clears the preview once drawn). */
  release(): void;
  stop(): void;
}

/** Starts previewing brush strokes on the viewport and holding its renders while painting. */
export function installStrokePreview(viewport: StackViewport, source: StrokeSource): StrokePreview {
  const element = viewport.element;
  const originalRender = viewport.render;
  let held = false;
  let renderHeld = false;
  let pauseTimer: number | null = null;
  let stroke: Stroke | null = null;
  /** The frame that shows what the last press drew, if no drag showed it first. */
  let drawFrame = 0;
  /** The preview waits for the render that shows the labelmap, then clears. */
  let clearOnRender = false;

  viewport.render = (): void => {
    if (held) {
      renderHeld = true;
      return;
    }
    originalRender.call(viewport);
  };

  const canvas = (): HTMLCanvasElement => overlayCanvasOf(element, CANVAS_CLASS, 'brush-stroke-preview');

  const setState = (state: 'painting' | 'held' | 'idle'): void => {
    const existing = element.querySelector<HTMLCanvasElement>(`canvas.${CANVAS_CLASS}`);
    if (existing) existing.dataset['state'] = state;
  };

  const clearPreview = (): void => {
    clearOnRender = false;
    stroke = null;
    const existing = element.querySelector<HTMLCanvasElement>(`canvas.${CANVAS_CLASS}`);
    if (existing) {
      existing.getContext('2d')?.clearRect(0, 0, existing.width, existing.height);
      existing.dataset['state'] = 'idle';
    }
  };

  const release = (): void => {
    if (pauseTimer !== null) {
      window.clearTimeout(pauseTimer);
      pauseTimer = null;
    }
    if (!held) return;
    // The last stroke's end (strokeEnd.ts) is applied before the render that shows it.
    flushStrokeEnd();
    held = false;
    if (stroke) clearOnRender = true;
    if (renderHeld) {
      renderHeld = false;
      originalRender.call(viewport);
    } else if (clearOnRender) {
      // Cornerstone's segmentation render may not have asked yet (a key right after the stroke):
      // it comes unheld now; a stroke that changed nothing has no render to wait for.
      window.setTimeout(() => {
        if (clearOnRender && !held) {
          clearOnRender = false;
          viewport.render();
        }
      }, 500);
    }
  };

  const afterRender = (): void => {
    if (clearOnRender && !held) clearPreview();
  };
  const onSegmentationRendered = (event: Event): void => {
    const detail = (event as CustomEvent<{ viewportId?: string }>).detail;
    if (detail?.viewportId === viewport.id) afterRender();
  };

  /**
   * Draws the stroke from the last centre to `world` (the brush's disc at a press) into the stroke's
   * bitmap, then on screen.
   */
  const paintTo = (world: Types.Point3, show: 'now' | 'next frame'): void => {
    const current = stroke;
    if (!current) return;
    const imagePoint = coreUtilities.worldToImageCoords(current.imageId, world);
    if (!imagePoint) return;
    // In voxel indices: Cornerstone's image coordinates put voxel (0, 0)'s centre at (0.5, 0.5).
    const point: [number, number] = [imagePoint[0] - 0.5, imagePoint[1] - 0.5];
    const [sx, sy] = current.spacing;
    const radius = current.look.radiusMm;
    const from = current.last ?? point;
    const rx = radius / sx;
    const ry = radius / sy;
    const { width, height, drawn } = current;
    const data = current.pixels.data;
    const voxels = current.look.voxels;
    const labelValue = current.look.labelValue;
    const accepts = current.look.accepts;
    const erase = current.look.erase;
    const [r, g, b, a] = current.look.rgba;
    const alpha = Math.round((a / 255) * current.look.fillAlpha * 255);
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    // The voxels within the radius of the segment between the two centres, as Cornerstone's stroke
    // fill takes them (brushDisc.ts); at a press, the disc.
    {
      const x0 = Math.max(0, Math.ceil(Math.min(from[0], point[0]) - rx));
      const x1 = Math.min(width - 1, Math.floor(Math.max(from[0], point[0]) + rx));
      const y0 = Math.max(0, Math.ceil(Math.min(from[1], point[1]) - ry));
      const y1 = Math.min(height - 1, Math.floor(Math.max(from[1], point[1]) + ry));
      for (let y = y0; y <= y1; y++) {
        const run = capsuleRun(from[0], from[1], point[0], point[1], y, sx, sy, radius, x0, x1);
        if (!run) continue;
        const [xa, xb] = run;
        const row = y * width;
        let rowMin = width;
        let rowMax = -1;
        for (let x = xa; x <= xb; x++) {
          const index = row + x;
          if (drawn[index]) continue;
          // A voxel the threshold refuses stays undrawn (a later stroke may paint it).
          if (accepts && !accepts(index)) continue;
          drawn[index] = 1;
          const offset = index * 4;
          if (erase) {
            // Only voxels the eraser changes are drawn, opaque, as they show once erased.
            const value = erase.voxels[index];
            if (!value || erase.keeps(value)) continue;
            erase.shownErased(index, data, offset);
          } else {
            // Voxels of the segment Cornerstone already draws are not drawn twice (no double alpha).
            if (voxels && voxels[index] === labelValue) continue;
            data[offset] = r;
            data[offset + 1] = g;
            data[offset + 2] = b;
            data[offset + 3] = alpha;
          }
          if (rowMin === width) rowMin = x;
          rowMax = x;
        }
        if (rowMax < 0) continue;
        if (rowMin < minX) minX = rowMin;
        if (rowMax > maxX) maxX = rowMax;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
    current.last = point;
    const target = canvas();
    target.dataset['state'] = 'painting';
    if (maxX >= 0) {
      current.bitmap
        .getContext('2d')!
        .putImageData(current.pixels, 0, 0, minX, minY, maxX - minX + 1, maxY - minY + 1);
      const region = {
        x0: Math.max(0, minX - 1),
        y0: Math.max(0, minY - 1),
        x1: Math.min(current.width - 1, maxX + 1),
        y1: Math.min(current.height - 1, maxY + 1),
      };
      const pending = current.pending;
      current.pending = pending
        ? {
            x0: Math.min(pending.x0, region.x0),
            y0: Math.min(pending.y0, region.y0),
            x1: Math.max(pending.x1, region.x1),
            y1: Math.max(pending.y1, region.y1),
          }
        : region;
    }
    if (show === 'now') showStroke();
    else if (drawFrame === 0) drawFrame = requestAnimationFrame(showStroke);
  };

  /**
   * Draws what the bitmap gained since it was last shown onto the overlay. The press's disc is
   * shown in the next frame, or with the first drag's if that comes before it (a press the
   * double-click wait held comes with the first drag, in the same task): drawing the bitmap onto
   * the overlay keeps a snapshot of it until the frame, and writing the bitmap again before that
   * copies all of it (0.6 ms for 512²).
   */
  const showStroke = (): void => {
    if (drawFrame !== 0) {
      cancelAnimationFrame(drawFrame);
      drawFrame = 0;
    }
    const current = stroke;
    if (!current) return;
    // Checked when shown, not in the press: the press's handler stays short (Playwright, like a
    // reader's next move, comes after the press is handled), and reading the element's size there
    // recalculated the style Cornerstone had just changed (its cursor).
    if (current.recheck) {
      current.recheck = false;
      checkMapping(current);
    }
    const region = current.pending;
    current.pending = null;
    const target = canvas();
    const bitmaps = [...current.earlier, current.bitmap];
    if (current.drawnWith) {
      // Only what the strokes added (and a voxel around it) is drawn again, in the mapping the
      // overlay was drawn whole in (checked at the press; a camera change or resize drops it).
      if (region) drawRegionInMapping(target, current.drawnWith, bitmaps, region);
    } else {
      current.drawnWith = drawOverImage(target, viewport, current.imageId, bitmaps);
    }
  };

  /** Keeps the stroke's mapping only if the overlay still has it (once per press, not per move). */
  const checkMapping = (current: Stroke): void => {
    if (!current.drawnWith) return;
    const size = overlayCanvasSize(element);
    const now = imageToCanvasTransform(viewport, current.imageId, size.ratio);
    const target = canvas();
    const same =
      now !== null &&
      target.width === size.width &&
      target.height === size.height &&
      now.every((value, index) => Math.abs(value - current.drawnWith![index]!) < 1e-6);
    if (!same) current.drawnWith = null;
  };
  const dropMapping = (): void => {
    if (stroke) stroke.drawnWith = null;
  };
  const resizes = new ResizeObserver(dropMapping);
  resizes.observe(element);

  const startStroke = (world: Types.Point3): boolean => {
    const imageId = viewport.getCurrentImageId();
    if (!imageId) return false;
    const look = source.lookNow(imageId);
    if (!look) return false;
    const plane = metaData.get('imagePlaneModule', imageId) as
      { columns?: number; rows?: number; columnPixelSpacing?: number; rowPixelSpacing?: number } | undefined;
    const width = plane?.columns ?? 0;
    const height = plane?.rows ?? 0;
    if (!(width > 0 && height > 0)) return false;
    // Strokes between two renders add up on one bitmap per look; a new image starts afresh.
    if (
      !stroke ||
      stroke.imageId !== imageId ||
      stroke.look.rgba.join() !== look.rgba.join() ||
      stroke.look.fillAlpha !== look.fillAlpha ||
      stroke.look.labelValue !== look.labelValue ||
      (stroke.look.erase === null) !== (look.erase === null)
    ) {
      const earlier = stroke && stroke.imageId === imageId ? [...stroke.earlier, stroke.bitmap] : [];
      const bitmap = document.createElement('canvas');
      bitmap.width = width;
      bitmap.height = height;
      stroke = {
        imageId,
        width,
        height,
        spacing: [plane?.columnPixelSpacing || 1, plane?.rowPixelSpacing || 1],
        look,
        drawn: new Uint8Array(width * height),
        bitmap,
        pixels: new ImageData(width, height),
        earlier,
        last: null,
        drawnWith: null,
        recheck: false,
        pending: null,
      };
    } else {
      stroke.look = look;
      stroke.last = null;
      stroke.recheck = true;
    }
    clearOnRender = false;
    paintTo(world, 'next frame');
    return true;
  };

  type MouseDetail = { event?: MouseEvent; currentPoints?: { world?: Types.Point3 } };
  const detailOf = (event: Event): MouseDetail => (event as CustomEvent<MouseDetail>).detail ?? {};

  let painting = false;
  const onMouseDown = (event: Event): void => {
    const detail = detailOf(event);
    const mouse = detail.event;
    const world = detail.currentPoints?.world;
    const plain = mouse && mouse.button === 0 && !mouse.ctrlKey && !mouse.metaKey && !mouse.altKey;
    if (!plain || !world) {
      painting = false;
      release();
      return;
    }
    if (pauseTimer !== null) {
      window.clearTimeout(pauseTimer);
      pauseTimer = null;
    }
    painting = startStroke(world);
    if (painting) held = true;
    else release();
  };
  const onMouseDrag = (event: Event): void => {
    if (!painting) return;
    const world = detailOf(event).currentPoints?.world;
    if (world) paintTo(world, 'now');
  };
  const onMouseUp = (): void => {
    if (!painting) return;
    painting = false;
    setState('held');
    if (pauseTimer !== null) window.clearTimeout(pauseTimer);
    pauseTimer = window.setTimeout(release, PAUSE_MS);
  };
  const onOtherInput = (): void => {
    if (!painting) release();
  };
  const onNewImage = (): void => {
    release();
    clearPreview();
  };

  const listeners: ReadonlyArray<
    [target: EventTarget, type: string, handler: (event: Event) => void, options?: AddEventListenerOptions]
  > = [
    [element, ToolEvents.MOUSE_DOWN, onMouseDown],
    [element, ToolEvents.MOUSE_DRAG, onMouseDrag],
    [element, ToolEvents.MOUSE_UP, onMouseUp],
    [element, ToolEvents.MOUSE_CLICK, onMouseUp],
    [element, 'wheel', onOtherInput, { capture: true }],
    [element, CoreEnums.Events.STACK_NEW_IMAGE, onNewImage],
    [element, CoreEnums.Events.CAMERA_MODIFIED, dropMapping],
    [element, CoreEnums.Events.IMAGE_RENDERED, afterRender],
    [document, 'keydown', onOtherInput, { capture: true }],
    [eventTarget, ToolEvents.SEGMENTATION_RENDERED, onSegmentationRendered],
  ];
  for (const [target, type, handler, options] of listeners) target.addEventListener(type, handler, options);

  return {
    holding: () => held,
    painting: () => painting,
    release,
    stop() {
      release();
      clearPreview();
      for (const [target, type, handler, options] of listeners)
        target.removeEventListener(type, handler, options);
      resizes.disconnect();
      if (drawFrame !== 0) cancelAnimationFrame(drawFrame);
      if (viewport.render !== originalRender) viewport.render = originalRender;
      element.querySelector(`canvas.${CANVAS_CLASS}`)?.remove();
    },
  };
}
