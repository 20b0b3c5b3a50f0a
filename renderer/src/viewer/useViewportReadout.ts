/**
 * What the overlay shows about a viewport (image index, window, zoom), refreshed on every render.
 * Cornerstone dispatches its events on the viewport element; they do not bubble.
 */
import { Enums, type StackViewport, getEnabledElement } from '@cornerstonejs/core';
import { useEffect, useState } from 'react';
import { currentWindow } from '../imaging/viewportCommands.js';

export interface ViewportReadout {
  index: number;
  total: number;
  width: number | null;
  center: number | null;
  zoomPercent: number;
  inverted: boolean;
}

function readoutOf(viewport: StackViewport): ViewportReadout {
  const window = currentWindow(viewport);
  return {
    index: viewport.getCurrentImageIdIndex(),
    total: viewport.getImageIds().length,
    width: window ? Math.round(window.width) : null,
    center: window ? Math.round(window.center) : null,
    zoomPercent: Math.round(viewport.getZoom() * 100),
    inverted: Boolean(viewport.getProperties().invert),
  };
}

function sameReadout(a: ViewportReadout | null, b: ViewportReadout): boolean {
  return (
    a !== null &&
    a.index === b.index &&
    a.total === b.total &&
    a.width === b.width &&
    a.center === b.center &&
    a.zoomPercent === b.zoomPercent &&
    a.inverted === b.inverted
  );
}

export function useViewportReadout(element: HTMLDivElement | null): ViewportReadout | null {
  const [readout, setReadout] = useState<ViewportReadout | null>(null);

  useEffect(() => {
    const viewport = element
      ? (getEnabledElement(element)?.viewport as StackViewport | undefined)
      : undefined;
    if (!element || !viewport) return;
    const update = () => {
      if (viewport.getImageIds().length === 0) return;
      const next = readoutOf(viewport);
      setReadout((previous) => (sameReadout(previous, next) ? previous : next));
    };
    const events = [Enums.Events.IMAGE_RENDERED, Enums.Events.VOI_MODIFIED, Enums.Events.CAMERA_MODIFIED];
    for (const name of events) element.addEventListener(name, update);
    // The first image may have been drawn before this subscription; read it on the next frame.
    const initial = requestAnimationFrame(update);
    return () => {
      cancelAnimationFrame(initial);
      for (const name of events) element.removeEventListener(name, update);
    };
  }, [element]);

  return readout;
}
