/**
 * The brush's circle under the pointer, for the brush, the threshold brush and the eraser
 * (docs/annotation.md "Speed", painting).
 *
 * Cornerstone draws its brush cursor in the viewport's SVG layer: at every pointer move it works
 * the circle out again from the camera (world points, canvas points), sets the circle's
 * attributes, and Chromium lays out and paints that layer again. That was the largest part of a
 * brush move's frame (with the pixel readout): ~1.4 ms of the page's frame per move at p50 on
 * this machine. Here the circle is an element of its own layer, sized when the brush, the zoom or
 * the image changes, and moved with a transform: a move changes one compositor property, with no
 * layout and no paint. It is the circle Cornerstone draws: centre at the pointer (whole canvas
 * pixels), radius the brush size along the screen's vertical, rounded, a 2 px ring in the
 * segment's colour (the active segment's, for the eraser too).
 */
import { Enums, type StackViewport, type Types } from '@cornerstonejs/core';

export interface BrushCursorLook {
  /** CSS colour of the ring. */
  color: string;
  /** Brush radius in mm. */
  radiusMm: number;
}

export interface BrushCursorSource {
  /** The cursor to show now, or null when the tool on the button draws its own (or none). */
  lookNow(): BrushCursorLook | null;
  /** Calls `listener` when what `lookNow` answers may have changed; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export interface BrushCursor {
  stop(): void;
}

const CLASS = 'brush-cursor';
const RING_PX = 2;

/** The brush radius in canvas (CSS) pixels: `radiusMm` along the screen's vertical, as Cornerstone draws it. */
export function radiusOnCanvas(
  worldToCanvas: (world: Types.Point3) => Types.Point2,
  centre: Types.Point3,
  viewUp: Types.Point3,
  radiusMm: number,
): number {
  const [, cy] = worldToCanvas(centre);
  const [, by] = worldToCanvas([
    centre[0] - viewUp[0] * radiusMm,
    centre[1] - viewUp[1] * radiusMm,
    centre[2] - viewUp[2] * radiusMm,
  ]);
  return Math.round(Math.abs(by - cy));
}

export function installBrushCursor(viewport: StackViewport, source: BrushCursorSource): BrushCursor {
  const element = viewport.element;
  const ring = document.createElement('div');
  ring.className = CLASS;
  ring.dataset['testid'] = 'brush-cursor';
  Object.assign(ring.style, {
    position: 'absolute',
    left: '0',
    top: '0',
    boxSizing: 'border-box',
    borderRadius: '50%',
    borderStyle: 'solid',
    borderWidth: `${RING_PX}px`,
    pointerEvents: 'none',
    willChange: 'transform',
    visibility: 'hidden',
  });
  // Where Cornerstone's SVG layer is: over the image and the stroke preview.
  (element.querySelector('.svg-layer')?.parentElement ?? element).appendChild(ring);

  /** Pointer in canvas pixels, or null while it is not over the viewport. */
  let pointer: [number, number] | null = null;
  /** Radius in canvas pixels for `radiusMm`, worked out again when the view changes. */
  let radius: { mm: number; px: number } | null = null;
  let shownLook = '';
  let shownTransform = '';
  let visible = false;

  const radiusPx = (mm: number): number | null => {
    if (radius && radius.mm === mm) return radius.px;
    const camera = viewport.getCamera();
    const focal = camera.focalPoint;
    const up = camera.viewUp;
    if (!focal || !up) return null;
    const px = radiusOnCanvas((world) => viewport.worldToCanvas(world), focal, up, mm);
    if (!Number.isFinite(px)) return null;
    radius = { mm, px };
    return px;
  };

  const hide = (): void => {
    if (!visible) return;
    ring.style.visibility = 'hidden';
    visible = false;
  };

  const draw = (): void => {
    const look = pointer ? source.lookNow() : null;
    const px = look ? radiusPx(look.radiusMm) : null;
    if (!pointer || !look || px === null || px <= 0) {
      hide();
      return;
    }
    const key = `${look.color}|${px}`;
    if (key !== shownLook) {
      const size = `${2 * px + RING_PX}px`;
      Object.assign(ring.style, { width: size, height: size, borderColor: look.color });
      shownLook = key;
    }
    const offset = px + RING_PX / 2;
    const transform = `translate(${Math.floor(pointer[0]) - offset}px, ${Math.floor(pointer[1]) - offset}px)`;
    if (transform !== shownTransform) {
      ring.style.transform = transform;
      shownTransform = transform;
    }
    if (!visible) {
      ring.style.visibility = 'visible';
      visible = true;
    }
  };

  /** The frame the ring is moved in (0: none asked for). */
  let frame = 0;
  const drawInFrame = (): void => {
    frame = 0;
    draw();
  };
  const onPointerMove = (event: PointerEvent): void => {
    // Read at every move (layout is clean at an input event): the pane may have moved since.
    const box = element.getBoundingClientRect();
    pointer = [event.clientX - box.left, event.clientY - box.top];
    // Moved in the frame, before it is painted, not here: a style written now made every read of
    // layout after it in this move's handlers (Cornerstone reads the element's box for the
    // pointer's canvas point) recalculate style first.
    if (frame === 0) frame = requestAnimationFrame(drawInFrame);
  };
  const onPointerLeave = (): void => {
    pointer = null;
    hide();
  };
  const onViewChanged = (): void => {
    radius = null;
    if (visible) draw();
  };
  const resizes = new ResizeObserver(onViewChanged);
  resizes.observe(element);
  const unsubscribe = source.subscribe(draw);

  const listeners: ReadonlyArray<[type: string, handler: (event: never) => void]> = [
    ['pointermove', onPointerMove],
    ['pointerleave', onPointerLeave],
    [Enums.Events.CAMERA_MODIFIED, onViewChanged],
    [Enums.Events.STACK_NEW_IMAGE, onViewChanged],
    [Enums.Events.IMAGE_RENDERED, onViewChanged],
  ];
  for (const [type, handler] of listeners) element.addEventListener(type, handler as EventListener);

  return {
    stop() {
      if (frame !== 0) cancelAnimationFrame(frame);
      for (const [type, handler] of listeners) element.removeEventListener(type, handler as EventListener);
      resizes.disconnect();
      unsubscribe();
      ring.remove();
    },
  };
}
