/** Viewer shortcuts (listed in the help overlay). They act on the active viewport. */
import { useEffect } from 'react';
import { cancelMeasurementDrawing } from '../annotation/persist.js';
import { applyPreset, resetView, scrollBy, scrollTo, toggleInvert } from '../imaging/viewportCommands.js';
import { presetForKey } from '../imaging/windowPresets.js';
import { useDeidStore } from '../stores/useDeidStore.js';
import { useUiStore } from '../stores/useUiStore.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import { closeTopPanel, isTextEntry } from './panels.js';
import { viewportInSlot } from './viewportRegistry.js';
import { useTagBrowserStore } from '../tags/useTagBrowserStore.js';

const PAGE = 10;

export function useViewerKeys(onBack: () => void): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (useUiStore.getState().dialog !== null) return;
      // Only text fields keep their keys: after a click on a checkbox or button, shortcuts work.
      if (isTextEntry(event.target)) return;
      // Leaving the viewer: Backspace or Alt+← (and the Back button); Esc only closes panels.
      if ((event.key === 'ArrowLeft' && event.altKey) || (event.key === 'Backspace' && !event.altKey)) {
        if (event.ctrlKey || event.metaKey) return;
        event.preventDefault();
        onBack();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        // A measurement being drawn is cancelled first; otherwise Esc closes the top panel.
        if (!cancelMeasurementDrawing()) closeTopPanel();
        return;
      }
      const viewer = useViewerStore.getState();
      if (event.key === 't' || event.key === 'T') {
        event.preventDefault();
        useTagBrowserStore.getState().toggle();
        return;
      }
      if (event.key === 'd' || event.key === 'D') {
        event.preventDefault();
        useDeidStore.getState().togglePreview();
        return;
      }
      if (event.key === ' ') {
        event.preventDefault();
        viewer.toggleCine();
        return;
      }
      const handle = viewportInSlot(viewer.activeViewport);
      if (!handle) return;
      const { viewport } = handle;
      const preset = presetForKey(event.key);
      let handled = true;
      if (preset) applyPreset(viewport, preset);
      else if (event.key === 'ArrowDown' || event.key === 'ArrowRight') scrollBy(viewport, 1);
      else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') scrollBy(viewport, -1);
      else if (event.key === 'PageDown') scrollBy(viewport, PAGE);
      else if (event.key === 'PageUp') scrollBy(viewport, -PAGE);
      else if (event.key === 'Home') scrollTo(viewport, 0);
      else if (event.key === 'End') scrollTo(viewport, viewport.getImageIds().length - 1);
      else if (event.key === 'r' || event.key === 'R') resetView(viewport);
      else if (event.key === 'i' || event.key === 'I') toggleInvert(viewport);
      else handled = false;
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onBack]);
}
