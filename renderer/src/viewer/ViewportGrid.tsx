/**
 * The layout's viewports. Each accepts a series thumbnail dropped on it; a series of the prior
 * study (compare prior) is shown with the prior's patient and date in its overlay.
 */
import { useState } from 'react';
import type { StudyDetail } from '../../../shared/contract.js';
import { type Layout, findSeries, useViewerStore, viewportCountOf } from '../stores/useViewerStore.js';
import { StackViewportPane } from './StackViewportPane.js';
import { droppedSeries, isSeriesDrag } from './seriesDrag.js';

export function ViewportGrid({ detail, layout }: { detail: StudyDetail; layout: Layout }) {
  const assignments = useViewerStore((state) => state.assignments);
  const comparison = useViewerStore((state) => state.comparison);
  const assignSeries = useViewerStore((state) => state.assignSeries);
  const setActiveViewport = useViewerStore((state) => state.setActiveViewport);
  const [dropTarget, setDropTarget] = useState<number | null>(null);
  const slots = Array.from({ length: viewportCountOf[layout] }, (_, slot) => slot);
  return (
    <div
      className={`viewport-grid viewport-grid--${layout}`}
      data-testid="viewport-grid"
      data-layout={layout}
    >
      {slots.map((slot) => {
        const found = findSeries({ detail, comparison }, assignments[slot] ?? null);
        return (
          <div
            key={slot}
            className={dropTarget === slot ? 'viewport-drop viewport-drop--over' : 'viewport-drop'}
            data-testid={`viewport-drop-${slot}`}
            // The viewport scrolled with the wheel leads linked scrolling, as a clicked one does.
            onWheelCapture={() => setActiveViewport(slot)}
            onDragOver={(event) => {
              if (!isSeriesDrag(event)) return;
              event.preventDefault();
              event.dataTransfer.dropEffect = 'copy';
              if (dropTarget !== slot) setDropTarget(slot);
            }}
            onDragLeave={() => setDropTarget((current) => (current === slot ? null : current))}
            onDrop={(event) => {
              setDropTarget(null);
              const uid = droppedSeries(event);
              if (!uid || !findSeries({ detail, comparison }, uid)) return;
              event.preventDefault();
              assignSeries(slot, uid);
            }}
          >
            <StackViewportPane
              slot={slot}
              study={found?.detail.study ?? detail.study}
              series={found?.series ?? null}
            />
          </div>
        );
      })}
    </div>
  );
}
