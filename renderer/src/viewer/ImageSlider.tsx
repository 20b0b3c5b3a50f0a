/**
 * A visible scrollbar for the stack: shows where you are and drags to any slice. Its position
 * follows the readout without a React render per image (the input is uncontrolled: its value,
 * maximum and visibility are written from the readout's events); React handles the drag.
 */
import { useLayoutEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { scrollTo } from '../imaging/viewportCommands.js';
import type { ViewportReadoutSource } from './useViewportReadout.js';
import { viewportInSlot } from './viewportRegistry.js';

export function ImageSlider({ slot, readout }: { slot: number; readout: ViewportReadoutSource }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);

  useLayoutEffect(() => {
    const slider = input.current;
    if (!slider) return;
    let total = -1;
    let index = -1;
    return readout.subscribe((next) => {
      if (next.total !== total) {
        total = next.total;
        // A single image has nothing to scroll.
        slider.hidden = total < 2;
        slider.max = String(Math.max(total, 1));
        index = -1;
      }
      if (next.index !== index) {
        index = next.index;
        slider.value = String(index + 1);
      }
    });
  }, [readout]);

  return (
    <input
      ref={input}
      className="image-slider"
      type="range"
      min={1}
      step={1}
      defaultValue={1}
      hidden
      aria-label={t('viewer.slider')}
      data-testid={`image-slider-${slot}`}
      // The viewport, not the slider, owns keyboard scrolling (arrow keys would move it twice).
      tabIndex={-1}
      onChange={(event) => {
        const handle = viewportInSlot(slot);
        if (handle) scrollTo(handle.viewport, Number(event.target.value) - 1);
      }}
    />
  );
}
