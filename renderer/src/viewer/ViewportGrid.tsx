import type { StudyDetail } from '../../../shared/contract.js';
import { type Layout, useViewerStore, viewportCountOf } from '../stores/useViewerStore.js';
import { StackViewportPane } from './StackViewportPane.js';

export function ViewportGrid({ detail, layout }: { detail: StudyDetail; layout: Layout }) {
  const assignments = useViewerStore((state) => state.assignments);
  const slots = Array.from({ length: viewportCountOf[layout] }, (_, slot) => slot);
  return (
    <div
      className={`viewport-grid viewport-grid--${layout}`}
      data-testid="viewport-grid"
      data-layout={layout}
    >
      {slots.map((slot) => {
        const seriesUID = assignments[slot] ?? null;
        const series = detail.series.find((item) => item.seriesInstanceUID === seriesUID) ?? null;
        return <StackViewportPane key={slot} slot={slot} study={detail.study} series={series} />;
      })}
    </div>
  );
}
