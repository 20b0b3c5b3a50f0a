/**
 * Which stored instance the active viewport shows. Image ids are `wadouri:<origin>/instances/<SOP
 * Instance UID>[?frame=n]` (host.imageIdFor), so the UID is the last path segment.
 */
import { useEffect, useState } from 'react';
import { useViewerStore } from '../stores/useViewerStore.js';
import { viewportInSlot } from '../viewer/viewportRegistry.js';

export function sopInstanceUIDOfImageId(imageId: string): string | null {
  const url = imageId.replace(/^wadouri:/, '');
  const match = /\/instances\/([^/?#]+)/.exec(url);
  return match ? decodeURIComponent(match[1]!) : null;
}

/**
 * The SOP Instance UID under the active viewport. Read a few times a second rather than from
 * Cornerstone events: viewports come and go with the layout, and a missed event would leave the
 * preview on the wrong image.
 */
export function useActiveSopInstanceUID(): string | null {
  const activeViewport = useViewerStore((state) => state.activeViewport);
  const [uid, setUid] = useState<string | null>(null);
  useEffect(() => {
    const read = () => {
      const imageId = viewportInSlot(activeViewport)?.viewport.getCurrentImageId();
      setUid(imageId ? sopInstanceUIDOfImageId(imageId) : null);
    };
    read();
    const timer = window.setInterval(read, 250);
    return () => window.clearInterval(timer);
  }, [activeViewport]);
  return uid;
}
