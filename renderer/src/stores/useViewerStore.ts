/**
 * The viewer: the open study (and a prior of the same patient beside it), the layout, which series
 * each viewport shows, and which viewport receives keyboard commands and series clicks. Image ids
 * of a series are fetched once (catalog.listInstances) and kept while the study is open.
 *
 * A study opens in the layout its hanging protocol chooses (viewer/hangingProtocols.ts); a layout
 * the reader picks is remembered per modality. `startViews` says where a viewport starts when its
 * series is shown (the image, and the window when restoring a session); the pane consumes it.
 */
import { create } from 'zustand';
import type { InstanceSummary, SeriesSummary, StudyDetail } from '../../../shared/contract.js';
import { host } from '../host/index.js';
import {
  claimPreparedLists,
  listsPreparedFor,
  prepareSeriesLists,
  seriesInstances,
} from './seriesInstances.js';
import { loadForDisplay } from '../imaging/loadForDisplay.js';
import { startIndexOf } from '../session/startView.js';
import { orderedForReading, useReadingStore } from './useReadingStore.js';
import { hangStudy, primaryModality } from '../viewer/hangingProtocols.js';
import { rememberPosition } from '../viewer/sync/slicePositions.js';

export type Layout = '1x1' | '1x2' | '2x2';

export const viewportCountOf: Record<Layout, number> = { '1x1': 1, '1x2': 2, '2x2': 4 };
export const MAX_VIEWPORTS = 4;

export type SeriesImages =
  | { state: 'loading' }
  | { state: 'ready'; imageIds: string[] }
  /** The series holds no displayable image (a structured report, a presentation state…). */
  | { state: 'no-images' }
  | { state: 'failed'; error: unknown };

/** Where a viewport starts when its series is (re)shown. */
export interface StartView {
  seriesInstanceUID: string;
  imageIndex: number;
  /** The image to find in the stack (wins over imageIndex when it is there). */
  sopInstanceUID?: string | null;
  frame?: number | null;
  windowWidth?: number | null;
  windowCenter?: number | null;
}

/** A restored viewer: what shared/ui-session.ts keeps, with the study details fetched. */
export interface RestoredViewer {
  detail: StudyDetail;
  comparison: StudyDetail | null;
  layout: Layout;
  activeViewport: number;
  views: (StartView | null)[];
  /** Image lists already fetched for the restored series. */
  images?: Record<string, SeriesImages>;
}

interface ViewerState {
  detail: StudyDetail | null;
  /** A prior study of the same patient, opened beside the current one. */
  comparison: StudyDetail | null;
  layout: Layout;
  activeViewport: number;
  /** Series shown in each of the MAX_VIEWPORTS slots (those beyond the layout are hidden). */
  assignments: (string | null)[];
  /** Where each slot starts when its series is next shown; consumed by the pane. */
  startViews: (StartView | null)[];
  images: Record<string, SeriesImages>;
  /** Layout chosen by the reader per modality (persisted with the session). */
  layoutByModality: Record<string, string>;
  cineFps: number;
  /** The viewport playing cine, if any (one at a time, like a light box). */
  cineViewport: number | null;
  /** Resolves when the image lists of its viewports' series are known (loaded or failed). */
  openStudy(detail: StudyDetail, seriesInstanceUID?: string): Promise<void>;
  /**
   * A study chosen in the worklist: the lists of the series it would open with are asked now, so
   * opening it does not wait for them (seriesInstances.ts `prepareSeriesLists`); once it has stayed
   * chosen for PRELOAD_REST_MS, the first image of each viewport it would open with starts loading
   * too, so opening it finds that image loaded or on its way.
   */
  prepareStudy(detail: StudyDetail): void;
  /** Puts back a saved viewer (reload, restart). */
  restore(restored: RestoredViewer): void;
  closeStudy(): void;
  /** The reader's choice of layout; remembered for the study's modality. */
  setLayout(layout: Layout): void;
  setActiveViewport(index: number): void;
  /** Shows a series in the active viewport. */
  showSeries(seriesInstanceUID: string): void;
  /** Shows a series in a given viewport (a thumbnail dropped on it), from its first image. */
  assignSeries(slot: number, seriesInstanceUID: string, imageIndex?: number): void;
  /** Opens a prior study beside the current one: current series left, the prior's match right. */
  openComparison(prior: StudyDetail): void;
  closeComparison(): void;
  setLayoutMemory(memory: Record<string, string>): void;
  /** The start view of a slot for the series it is about to show, if any. */
  startViewFor(slot: number, seriesInstanceUID: string): StartView | null;
  /** Forgets a start view once the viewport has applied it. */
  clearStartView(slot: number, view: StartView): void;
  setCineFps(fps: number): void;
  toggleCine(): void;
  stopCine(): void;
}

/**
 * One imageId per frame: multi-frame objects become several images of the stack. Instances
 * without pixel data (no Rows) are not images and are left out.
 */
export function imageIdsOf(instances: InstanceSummary[]): string[] {
  const imageIds = instances
    .filter((instance) => instance.rows !== null && instance.columns !== null)
    .flatMap((instance) =>
      (instance.numberOfFrames > 1
        ? Array.from({ length: instance.numberOfFrames }, (_, frame) =>
            host.imageIdFor(instance.sopInstanceUID, frame + 1),
          )
        : [host.imageIdFor(instance.sopInstanceUID)]
      ).map((imageId) => {
        rememberPosition(imageId, instance.sliceLocation);
        return imageId;
      }),
    );
  return imageIds;
}

/** The series with this UID in the open study or its comparison, with its study. */
export function findSeries(
  state: Pick<ViewerState, 'detail' | 'comparison'>,
  seriesInstanceUID: string | null,
): { detail: StudyDetail; series: SeriesSummary } | null {
  if (!seriesInstanceUID) return null;
  for (const detail of [state.detail, state.comparison]) {
    const series = detail?.series.find((item) => item.seriesInstanceUID === seriesInstanceUID);
    if (detail && series) return { detail, series };
  }
  return null;
}

/** The prior's series that best matches one of the current study (modality, then description). */
export function matchingSeries(prior: StudyDetail, current: SeriesSummary | null): SeriesSummary | null {
  const candidates = prior.series.filter((series) => series.numberOfInstances > 0);
  if (candidates.length === 0) return null;
  if (!current) return candidates[0]!;
  const sameModality = candidates.filter((series) => series.modality === current.modality);
  const pool = sameModality.length > 0 ? sameModality : candidates;
  const sameDescription = pool.find(
    (series) =>
      series.seriesDescription.trim().toLowerCase() === current.seriesDescription.trim().toLowerCase(),
  );
  return sameDescription ?? [...pool].sort((a, b) => b.numberOfInstances - a.numberOfInstances)[0]!;
}

const emptySlots = <T>(): (T | null)[] => Array<T | null>(MAX_VIEWPORTS).fill(null);

/**
 * How long a study must stay chosen in the worklist before its first images are fetched: the
 * first click of a double-click leaves it chosen, arrow keys held down through the list fetch none.
 */
export const PRELOAD_REST_MS = 50;

/** The image a viewport starting at `view` shows first (the series' ids in reading order). */
function firstImageOf(imageIds: string[], view: StartView | null): string | undefined {
  const ordered = orderedForReading(imageIds, useReadingStore.getState().reverseStacks);
  return ordered[startIndexOf(view, ordered)];
}

let preloadTimer: ReturnType<typeof setTimeout> | null = null;

export const useViewerStore = create<ViewerState>()((set, get) => {
  /** `prepared`: the list asked when the study was chosen in the worklist (asked again if it failed). */
  async function loadImages(seriesInstanceUID: string, prepared?: Promise<InstanceSummary[]>): Promise<void> {
    if (get().images[seriesInstanceUID]) return;
    set((state) => ({ images: { ...state.images, [seriesInstanceUID]: { state: 'loading' } } }));
    let result: SeriesImages;
    try {
      const asked = () => seriesInstances(seriesInstanceUID, { fresh: true });
      const instances = await (prepared ? prepared.catch(asked) : asked());
      const imageIds = imageIdsOf(instances);
      result = imageIds.length > 0 ? { state: 'ready', imageIds } : { state: 'no-images' };
    } catch (error) {
      result = { state: 'failed', error };
    }
    set((state) => ({ images: { ...state.images, [seriesInstanceUID]: result } }));
    // The first image of each viewport showing this series starts loading now, while the viewer mounts.
    if (result.state === 'ready') {
      const { imageIds } = result;
      get().assignments.forEach((uid, slot) => {
        if (uid !== seriesInstanceUID) return;
        const imageId = firstImageOf(imageIds, get().startViews[slot] ?? null);
        if (imageId) loadForDisplay(imageId);
      });
    }
  }

  function loadAssigned(
    assignments: (string | null)[],
    prepared?: Map<string, Promise<InstanceSummary[]>>,
  ): Promise<void> {
    const loads = [...new Set(assignments)].flatMap((uid) =>
      uid ? [loadImages(uid, prepared?.get(uid))] : [],
    );
    return Promise.all(loads).then(() => undefined);
  }

  return {
    detail: null,
    comparison: null,
    layout: '1x1',
    activeViewport: 0,
    assignments: emptySlots<string>(),
    startViews: emptySlots<StartView>(),
    images: {},
    layoutByModality: {},
    cineFps: 20,
    cineViewport: null,

    openStudy(detail, seriesInstanceUID) {
      const plan = hangStudy(detail, get().layoutByModality, seriesInstanceUID);
      const sameStudy = get().detail?.study.studyInstanceUID === detail.study.studyInstanceUID;
      const assignments = emptySlots<string>();
      const startViews = emptySlots<StartView>();
      plan.views.forEach((view, slot) => {
        assignments[slot] = view.seriesInstanceUID;
        startViews[slot] = { seriesInstanceUID: view.seriesInstanceUID, imageIndex: view.imageIndex };
      });
      set({
        detail,
        comparison: null,
        activeViewport: 0,
        assignments,
        startViews,
        layout: plan.layout,
        cineViewport: null,
        images: sameStudy ? get().images : {},
      });
      return loadAssigned(assignments, claimPreparedLists(detail));
    },

    prepareStudy(detail) {
      const plan = hangStudy(detail, get().layoutByModality);
      const lists = prepareSeriesLists(detail, [
        ...new Set(plan.views.map((view) => view.seriesInstanceUID)),
      ]);
      if (preloadTimer !== null) clearTimeout(preloadTimer);
      preloadTimer = setTimeout(() => {
        preloadTimer = null;
        // Opened meanwhile (the opening loads them) or another study chosen: nothing to do.
        if (!listsPreparedFor(detail)) return;
        for (const view of plan.views) {
          lists.get(view.seriesInstanceUID)?.then(
            (instances) => {
              const imageId = firstImageOf(imageIdsOf(instances), view);
              if (imageId) loadForDisplay(imageId);
            },
            // A list that failed is asked again by the opening, which shows the error.
            () => undefined,
          );
        }
      }, PRELOAD_REST_MS);
    },

    restore({ detail, comparison, layout, activeViewport, views, images = {} }) {
      const assignments = emptySlots<string>();
      const startViews = emptySlots<StartView>();
      views.slice(0, MAX_VIEWPORTS).forEach((view, slot) => {
        if (!view || !findSeries({ detail, comparison }, view.seriesInstanceUID)) return;
        assignments[slot] = view.seriesInstanceUID;
        startViews[slot] = view;
      });
      set({
        detail,
        comparison,
        layout,
        activeViewport: Math.min(activeViewport, viewportCountOf[layout] - 1),
        assignments,
        startViews,
        cineViewport: null,
        images,
      });
      loadAssigned(assignments);
    },

    closeStudy() {
      set({
        detail: null,
        comparison: null,
        assignments: emptySlots<string>(),
        startViews: emptySlots<StartView>(),
        images: {},
        activeViewport: 0,
        cineViewport: null,
      });
    },

    setLayout(layout) {
      const count = viewportCountOf[layout];
      const { detail } = get();
      const modality = detail ? primaryModality(detail) : '';
      set((state) => ({
        layout,
        activeViewport: Math.min(state.activeViewport, count - 1),
        cineViewport: state.cineViewport !== null && state.cineViewport < count ? state.cineViewport : null,
        layoutByModality: modality
          ? { ...state.layoutByModality, [modality]: layout }
          : state.layoutByModality,
      }));
    },

    setActiveViewport(index) {
      if (get().activeViewport !== index) set({ activeViewport: index });
    },

    showSeries(seriesInstanceUID) {
      get().assignSeries(get().activeViewport, seriesInstanceUID);
    },

    assignSeries(slot, seriesInstanceUID, imageIndex = 0) {
      const assignments = [...get().assignments];
      const startViews = [...get().startViews];
      assignments[slot] = seriesInstanceUID;
      startViews[slot] = { seriesInstanceUID, imageIndex };
      set({ assignments, startViews, activeViewport: slot });
      void loadImages(seriesInstanceUID);
    },

    openComparison(prior) {
      const state = get();
      const current = findSeries(state, state.assignments[state.activeViewport] ?? null)?.series ?? null;
      const match = matchingSeries(prior, current);
      const assignments = emptySlots<string>();
      const startViews = emptySlots<StartView>();
      const left = current?.seriesInstanceUID ?? state.assignments.find((uid) => uid !== null) ?? null;
      if (left) {
        assignments[0] = left;
        startViews[0] = { seriesInstanceUID: left, imageIndex: 0 };
      }
      if (match) {
        assignments[1] = match.seriesInstanceUID;
        startViews[1] = { seriesInstanceUID: match.seriesInstanceUID, imageIndex: 0 };
      }
      set({
        comparison: prior,
        layout: '1x2',
        assignments,
        startViews,
        activeViewport: 0,
        cineViewport: null,
      });
      loadAssigned(assignments);
    },

    closeComparison() {
      const { comparison, assignments } = get();
      if (!comparison) return;
      const priorSeries = new Set(comparison.series.map((series) => series.seriesInstanceUID));
      set({
        comparison: null,
        assignments: assignments.map((uid) => (uid && priorSeries.has(uid) ? null : uid)),
      });
    },

    setLayoutMemory(memory) {
      set({ layoutByModality: { ...memory } });
    },

    startViewFor(slot, seriesInstanceUID) {
      const view = get().startViews[slot] ?? null;
      return view && view.seriesInstanceUID === seriesInstanceUID ? view : null;
    },

    clearStartView(slot, view) {
      if (get().startViews[slot] !== view) return;
      const startViews = [...get().startViews];
      startViews[slot] = null;
      set({ startViews });
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
