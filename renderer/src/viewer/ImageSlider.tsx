/** A visible scrollbar for the stack: shows where you are and drags to any slice. */
import { useTranslation } from 'react-i18next';
import { scrollTo } from '../imaging/viewportCommands.js';
import type { ViewportReadout } from './useViewportReadout.js';
import { viewportInSlot } from './viewportRegistry.js';

export function ImageSlider({ slot, readout }: { slot: number; readout: ViewportReadout }) {
  const { t } = useTranslation();
  if (readout.total < 2) return null;
  return (
    <input
      className="image-slider"
      type="range"
      min={1}
      max={readout.total}
      step={1}
      value={readout.index + 1}
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
