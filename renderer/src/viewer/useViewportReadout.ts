/**
 * What the overlay shows about a viewport, refreshed on every render: image index, window, zoom,
 * the patient directions at its edges, the image's attributes, and the pixel under the pointer.
 * Cornerstone dispatches its events on the viewport element; they do not bubble. While the overlay
 * is up, each image is also fitted when its size differs from the previous one (imageHandling.ts).
 *
 * The readout is not React state: a scroll step would re-render the overlay and the slider for
 * every image (React and i18next were ~2.5 ms of the page's main thread per image in a cold pass).
 * Its subscribers (the overlay's writer, the slider) write the DOM when it changes, inside the
 * Cornerstone event, so the text is painted in the frame that draws the image.
 */
import { Enums, type StackViewport, type Types, getEnabledElement } from '@cornerstonejs/core';
import { useEffect, useState } from 'react';
import { fitEachImage } from '../imaging/imageHandling.js';
import {
  type EdgeMarkers,
  type ImageAttributes,
  type PixelReadout,
  edgeMarkers,
  imageAttributes,
  pixelAt,
} from '../imaging/imageReadout.js';
import { currentWindow } from '../imaging/viewportCommands.js';
import { paintsOnPress } from './pressAtOnce.js';
import { displayZoomPercent } from './zoomReadout.js';

export interface ViewportReadout {
  index: number;
  total: number;
  width: number | null;
  center: number | null;
  zoomPercent: number;
  inverted: boolean;
  imageId: string;
  markers: EdgeMarkers | null;
  attributes: ImageAttributes;
  /** The pixel under the pointer, while the pointer is over the image. */
  pointer: PixelReadout | null;
  /** A labelmap tool paints: the pixel is held (the value where the stroke began), not shown. */
  pointerHeld: boolean;
}

/** Window values as a reader reads them: whole numbers, unless the whole range is small (dose). */
export function roundWindowValue(value: number): number {
  return Math.abs(value) >= 10 ? Math.round(value) : Number(value.toPrecision(3));
}

/** Everything but the pixel under the pointer: changes only with the image, window or camera. */
type ViewReadout = Omit<ViewportReadout, 'pointer' | 'pointerHeld'>;

function viewReadoutOf(viewport: StackViewport): ViewReadout {
  const window = currentWindow(viewport);
  const imageId = viewport.getCurrentImageId();
  const widthValue = window ? roundWindowValue(window.width) : null;
  return {
    index: viewport.getCurrentImageIdIndex(),
    total: viewport.getImageIds().length,
    width: widthValue,
    center: window ? roundWindowValue(window.center) : null,
    zoomPercent: displayZoomPercent(viewport),
    inverted: Boolean(viewport.getProperties().invert),
    imageId,
    markers: edgeMarkers(viewport),
    attributes: imageAttributes(imageId),
  };
}

const markersKey = (markers: EdgeMarkers | null) =>
  markers ? `${markers.top}|${markers.right}|${markers.bottom}|${markers.left}` : '';
const pointerKey = (pointer: PixelReadout | null) =>
  pointer ? `${pointer.column},${pointer.row}:${pointer.values.join(',')}` : '';

function sameReadout(a: ViewportReadout | null, b: ViewportReadout): boolean {
  return (
    a !== null &&
    a.index === b.index &&
    a.total === b.total &&
    a.width === b.width &&
    a.center === b.center &&
    a.zoomPercent === b.zoomPercent &&
    a.inverted === b.inverted &&
    a.imageId === b.imageId &&
    markersKey(a.markers) === markersKey(b.markers) &&
    pointerKey(a.pointer) === pointerKey(b.pointer) &&
    a.pointerHeld === b.pointerHeld
  );
}

type ReadoutListener = (readout: ViewportReadout) => void;

/** The latest readout of one viewport and who is told when it changes. */
export class ViewportReadoutSource {
  private readonly listeners = new Set<ReadoutListener>();
  private latest: ViewportReadout | null = null;

  /** Calls `listener` with every new readout, at once with the latest if there is one. */
  subscribe(listener: ReadoutListener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    return () => {
      this.listeners.delete(listener);
    };
  }

  publish(next: ViewportReadout): void {
    if (sameReadout(this.latest, next)) return;
    this.latest = next;
    for (const listener of this.listeners) listener(next);
  }
}

/** The viewport's readout source; the element's Cornerstone events feed it while mounted. */
export function useViewportReadout(element: HTMLDivElement | null): ViewportReadoutSource {
  const [source] = useState(() => new ViewportReadoutSource());

  useEffect(() => {
    const viewport = element
      ? (getEnabledElement(element)?.viewport as StackViewport | undefined)
      : undefined;
    if (!element || !viewport) return;
    let pointer: Types.Point2 | null = null;
    /** The value under the pointer is held while a labelmap tool paints (below). */
    let held = false;
    let frame = 0;
    /**
     * The view part of the last readout; null when an image, window or camera event came since.
     * A pointer move alone reads only the pixel under it (edge letters, attributes and zoom took
     * ~0.5 ms of every brush move's frame, through Cornerstone's camera matrices).
     */
    let view: ViewReadout | null = null;
    const update = () => {
      frame = 0;
      if (viewport.getImageIds().length === 0 || !viewport.getCurrentImageId()) return;
      if (!view || view.imageId !== viewport.getCurrentImageId()) view = viewReadoutOf(viewport);
      source.publish({ ...view, pointer: pointer ? pixelAt(viewport, pointer) : null, pointerHeld: held });
    };
    const onViewChanged = () => {
      view = null;
      update();
    };
    // Pointer moves come faster than frames: read the pixel once per frame.
    const scheduleUpdate = () => {
      if (frame === 0) frame = requestAnimationFrame(update);
    };
    /**
     * A labelmap tool paints (its left press on the element, until the button comes up): the
     * value under the pointer is held, and faded out (a change the compositor makes alone). At a
     * change per frame it could not be read, and each change had the page painted again (0.4 ms of
     * every frame of a brush stroke, in a trace). The frame after the pointer up shows the value
     * under the pointer again; the up's own frame draws the stroke's end.
     */
    let painting = false;
    let releaseFrame = 0;
    const release = () => {
      if (releaseFrame !== 0) cancelAnimationFrame(releaseFrame);
      releaseFrame = 0;
      held = false;
    };
    const pointOf = (event: PointerEvent): Types.Point2 => {
      const box = element.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    const onPointerDown = (event: PointerEvent) => {
      if (event.button !== 0 || !paintsOnPress(element)) return;
      release();
      painting = true;
      held = true;
      scheduleUpdate();
    };
    const onPointerMove = (event: PointerEvent) => {
      if (painting) {
        if ((event.buttons & 1) !== 0) return;
        painting = false;
      }
      release();
      pointer = pointOf(event);
      scheduleUpdate();
    };
    // On the document: the button can come up outside the viewport.
    const onPointerUp = (event: PointerEvent) => {
      if (!painting || (event.type === 'pointerup' && event.button !== 0)) return;
      painting = false;
      const at = event.target instanceof Node && element.contains(event.target) ? pointOf(event) : null;
      releaseFrame = requestAnimationFrame(() => {
        releaseFrame = 0;
        held = false;
        pointer = at;
        scheduleUpdate();
      });
    };
    const onPointerLeave = () => {
      pointer = null;
      scheduleUpdate();
    };
    const events = [Enums.Events.IMAGE_RENDERED, Enums.Events.VOI_MODIFIED, Enums.Events.CAMERA_MODIFIED];
    for (const name of events) element.addEventListener(name, onViewChanged);
    element.addEventListener('pointerdown', onPointerDown);
    element.addEventListener('pointermove', onPointerMove);
    element.addEventListener('pointerleave', onPointerLeave);
    document.addEventListener('pointerup', onPointerUp);
    document.addEventListener('pointercancel', onPointerUp);
    const stopFitting = fitEachImage(element, viewport);
    // The first image may have been drawn before this subscription; read it on the next frame.
    scheduleUpdate();
    return () => {
      if (frame !== 0) cancelAnimationFrame(frame);
      release();
      stopFitting();
      for (const name of events) element.removeEventListener(name, onViewChanged);
      element.removeEventListener('pointerdown', onPointerDown);
      element.removeEventListener('pointermove', onPointerMove);
      element.removeEventListener('pointerleave', onPointerLeave);
      document.removeEventListener('pointerup', onPointerUp);
      document.removeEventListener('pointercancel', onPointerUp);
    };
  }, [element, source]);

  return source;
}
