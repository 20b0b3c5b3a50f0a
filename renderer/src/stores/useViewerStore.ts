/**
 * The viewer: the open study, the layout, which series each viewport shows, and which viewport
 * receives keyboard commands and series clicks. Image ids of a series are fetched once
 * (catalog.listInstances) and kept while the study is open.
 */
import { create } from 'zustand';
import type { InstanceSummary, StudyDetail } from '../../../shared/contract.js';
import { host } from '../host/index.js';

export type Layout = '1x1' | '1x2' | '2x2';

export const viewportCountOf: Record<Layout, number> = { '1x1': 1, '1x2': 2, '2x2': 4 };
export const MAX_VIEWPORTS = 4;

export type SeriesImages =
  | { state: 'loading' }
  | { state: 'ready'; imageIds: string[] }
  /** The series holds no displayable image (a structured report, a presentation state…). */
  | { state: 'no-images' }
  | { state: 'failed'; error: unknown };

interface ViewerState {
  detail: StudyDetail | null;
  layout: Layout;
  activeViewport: number;
  /** Series shown in each of the MAX_VIEWPORTS slots (those beyond the layout are hidden). */
  assignments: (string | null)[];
  images: Record<string, SeriesImages>;
  cineFps: number;
  /** The viewport playing cine, if any (one at a time, like a light box). */
  cineViewport: number | null;
  openStudy(detail: StudyDetail, seriesInstanceUID?: string): void;
  closeStudy(): void;
  setLayout(layout: Layout): void;
  setActiveViewport(index: number): void;
  /** Shows a series in the active viewport. */
  showSeries(seriesInstanceUID: string): void;
  setCineFps(fps: number): void;
  toggleCine(): void;
  stopCine(): void;
}

/**
 * One imageId per frame: multi-frame objects become several images of the stack. Instances
 * without pixel data (no Rows) are not images and are left out.
 */
export function imageIdsOf(instances: InstanceSummary[]): string[] {
  return instances
    .filter((instance) => instance.rows !== null && instance.columns !== null)
    .flatMap((instance) =>
      instance.numberOfFrames > 1
        ? Array.from({ length: instance.numberOfFrames }, (_, frame) =>
            host.imageIdFor(instance.sopInstanceUID, frame + 1),
          )
        : [host.imageIdFor(instance.sopInstanceUID)],
    );
}

export const useViewerStore = create<ViewerState>()((set, get) => {
  async function loadImages(seriesInstanceUID: string): Promise<void> {
    if (get().images[seriesInstanceUID]) return;
    set((state) => ({ images: { ...state.images, [seriesInstanceUID]: { state: 'loading' } } }));
    let result: SeriesImages;
    try {
      const instances = await host.api.call('catalog.listInstances', { seriesInstanceUID });
      const imageIds = imageIdsOf(instances);
      result = imageIds.length > 0 ? { state: 'ready', imageIds } : { state: 'no-images' };
    } catch (error) {
      result = { state: 'failed', error };
    }
    set((state) => ({ images: { ...state.images, [seriesInstanceUID]: result } }));
  }

  return {
    detail: null,
    layout: '1x1',
    activeViewport: 0,
    assignments: Array<string | null>(MAX_VIEWPORTS).fill(null),
    images: {},
    cineFps: 20,
    cineViewport: null,

    openStudy(detail, seriesInstanceUID) {
      const first =
        seriesInstanceUID ??
        detail.series.find((series) => series.numberOfInstances > 0)?.seriesInstanceUID ??
        null;
      const sameStudy = get().detail?.study.studyInstanceUID === detail.study.studyInstanceUID;
      const assignments = Array<string | null>(MAX_VIEWPORTS).fill(null);
      assignments[0] = first;
      set({
        detail,
        activeViewport: 0,
        assignments,
        layout: '1x1',
        cineViewport: null,
        images: sameStudy ? get().images : {},
      });
      if (first) void loadImages(first);
    },

    closeStudy() {
      set({
        detail: null,
        assignments: Array<string | null>(MAX_VIEWPORTS).fill(null),
        images: {},
        activeViewport: 0,
        cineViewport: null,
      });
    },

    setLayout(layout) {
      const count = viewportCountOf[layout];
      set((state) => ({
        layout,
        activeViewport: Math.min(state.activeViewport, count - 1),
        cineViewport: state.cineViewport !== null && state.cineViewport < count ? state.cineViewport : null,
      }));
    },

    setActiveViewport(index) {
      set({ activeViewport: index });
    },

    showSeries(seriesInstanceUID) {
      const { activeViewport, assignments } = get();
      const next = [...assignments];
      next[activeViewport] = seriesInstanceUID;
      set({ assignments: next });
      void loadImages(seriesInstanceUID);
    },

    setCineFps(fps) {
      set({ cineFps: Math.min(60, Math.max(1, Math.round(fps))) });
    },

    toggleCine() {
      set((state) => ({
        cineViewport: state.cineViewport === state.activeViewport ? null : state.activeViewport,
      }));
    },

    stopCine() {
      set({ cineViewport: null });
    },
  };
});
