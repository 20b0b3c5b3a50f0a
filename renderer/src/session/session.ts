/**
 * Never losing one's place. The reader's place (shared/ui-session.ts: screen, worklist search and
 * selection, open study and prior, layout, series, image and window per viewport, layout per
 * modality) is saved as it changes, twice over:
 *
 * - in the data folder through the contract (`session.save`): survives app restarts, also in
 *   Electron, where origin storage may be wiped;
 * - in localStorage, synchronously, also when the page is being left (a reload right after a
 *   scroll keeps that slice even if the request to main did not finish).
 *
 * At start the newer of the two copies is applied before the first render, so the worklist's
 * search field and the viewer come up as they were. Nothing of it is logged.
 */
import { type StackViewport, imageLoader } from '@cornerstonejs/core';
import { UiSession, type ViewportSession } from '../../../shared/ui-session.js';
import { host } from '../host/index.js';
import { initImaging } from '../imaging/initImaging.js';
import { currentWindow } from '../imaging/viewportCommands.js';
import { useUiStore } from '../stores/useUiStore.js';
import {
  type Layout,
  type SeriesImages,
  type StartView,
  findSeries,
  imageIdsOf,
  useViewerStore,
  viewportCountOf,
} from '../stores/useViewerStore.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';
import { isLayout } from '../viewer/hangingProtocols.js';
import { viewportInSlot } from '../viewer/viewportRegistry.js';
import { OPENING_STUDY, holdKeys, releaseKeys } from '../keys/keyGate.js';
import { LOCAL_STORAGE_KEY, takeEarly } from './early.js';
import { imageOf, startIndexOf } from './startView.js';

export { LOCAL_STORAGE_KEY };
/** How often the place is compared with the last saved one. */
const SAVE_INTERVAL_MS = 400;
/** A host that does not answer in time must not keep the app from starting. */
const LOAD_TIMEOUT_MS = 2000;

function viewportSession(slot: number, studyInstanceUID: string, seriesInstanceUID: string): ViewportSession {
  const viewer = useViewerStore.getState();
  const base = { studyInstanceUID, seriesInstanceUID };
  const pending = viewer.startViewFor(slot, seriesInstanceUID);
  const images = viewer.images[seriesInstanceUID];
  const handle = viewportInSlot(slot);
  const viewport: StackViewport | null = handle?.viewport ?? null;
  const imageId = viewport?.getCurrentImageId();
  // The viewport may still show the previous series while this one loads.
  const showsSeries = imageId !== undefined && images?.state === 'ready' && images.imageIds.includes(imageId);
  if (pending || !viewport || !showsSeries) {
    return {
      ...base,
      sopInstanceUID: pending?.sopInstanceUID ?? null,
      frame: pending?.frame ?? null,
      imageIndex: pending?.imageIndex ?? 0,
      windowWidth: pending?.windowWidth ?? null,
      windowCenter: pending?.windowCenter ?? null,
    };
  }
  const image = imageOf(imageId);
  const window = currentWindow(viewport);
  return {
    ...base,
    sopInstanceUID: image?.sopInstanceUID ?? null,
    frame: image?.frame ?? null,
    imageIndex: viewport.getCurrentImageIdIndex(),
    windowWidth: window && window.width > 0 ? window.width : null,
    windowCenter: window ? window.center : null,
  };
}

/** Where the reader is now. */
export function snapshot(): UiSession {
  const viewer = useViewerStore.getState();
  const worklist = useWorklistStore.getState();
  const screen = useUiStore.getState().screen;
  const detail = viewer.detail;
  return {
    version: 1,
    savedAt: Date.now(),
    screen: screen === 'viewer' && detail ? 'viewer' : 'worklist',
    worklist: { search: worklist.search.slice(0, 200), selectedStudyUID: worklist.selectedStudyUID },
    viewer: detail
      ? {
          studyInstanceUID: detail.study.studyInstanceUID,
          comparisonStudyUID: viewer.comparison?.study.studyInstanceUID ?? null,
          layout: viewer.layout,
          activeViewport: viewer.activeViewport,
          viewports: Array.from({ length: viewportCountOf[viewer.layout] }, (_, slot) => {
            const found = findSeries(viewer, viewer.assignments[slot] ?? null);
            return found
              ? viewportSession(slot, found.detail.study.studyInstanceUID, found.series.seriesInstanceUID)
              : null;
          }),
        }
      : null,
    layoutByModality: viewer.layoutByModality,
  };
}

function readLocal(): UiSession | null {
  try {
    const parsed = UiSession.safeParse(JSON.parse(window.localStorage.getItem(LOCAL_STORAGE_KEY) ?? 'null'));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function writeLocal(session: UiSession): void {
  try {
    window.localStorage.setItem(LOCAL_STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Full or disabled storage: the copy in the data folder remains.
  }
}

async function readSaved(): Promise<UiSession | null> {
  const timeout = new Promise<null>((resolve) => window.setTimeout(() => resolve(null), LOAD_TIMEOUT_MS));
  const saved = takeEarly('session.load', {}).catch(() => null);
  return Promise.race([saved, timeout]);
}

/**
 * How long a page that has its own copy waits for main's (a reload: this page's copy is written
 * when the page is left, so it is the newer unless another window saved since).
 */
const LOCAL_GRACE_MS = 150;

/** The newer of the data folder's copy and this page's. */
export async function loadSession(): Promise<UiSession | null> {
  const local = readLocal();
  const saved = local
    ? await Promise.race([
        readSaved(),
        new Promise<null>((resolve) => window.setTimeout(() => resolve(null), LOCAL_GRACE_MS)),
      ])
    : await readSaved();
  if (saved && local) return local.savedAt > saved.savedAt ? local : saved;
  return saved ?? local;
}

/** Puts the reader back where the session says (before the first render). */
export async function applySession(session: UiSession): Promise<void> {
  useViewerStore.getState().setLayoutMemory(session.layoutByModality);
  useWorklistStore.getState().setSearch(session.worklist.search);
  if (session.worklist.selectedStudyUID)
    void useWorklistStore.getState().selectStudy(session.worklist.selectedStudyUID);
  const viewer = session.viewer;
  if (session.screen !== 'viewer' || !viewer) return;
  holdKeys(OPENING_STUDY);
  // The series' image lists are asked for alongside the studies (one round trip, not two).
  const seriesUIDs = [...new Set(viewer.viewports.flatMap((view) => (view ? [view.seriesInstanceUID] : [])))];
  const images = Promise.all(
    seriesUIDs.map(async (seriesInstanceUID): Promise<[string, SeriesImages]> => {
      try {
        const instances = await takeEarly('catalog.listInstances', { seriesInstanceUID });
        const imageIds = imageIdsOf(instances);
        return [
          seriesInstanceUID,
          imageIds.length > 0 ? { state: 'ready', imageIds } : { state: 'no-images' },
        ];
      } catch (error) {
        return [seriesInstanceUID, { state: 'failed', error }];
      }
    }),
  );
  try {
    const [detail, comparison] = await Promise.all([
      takeEarly('catalog.getStudy', { studyInstanceUID: viewer.studyInstanceUID }),
      viewer.comparisonStudyUID
        ? takeEarly('catalog.getStudy', { studyInstanceUID: viewer.comparisonStudyUID }).catch(() => null)
        : Promise.resolve(null),
    ]);
    const layout: Layout = isLayout(viewer.layout) ? viewer.layout : '1x1';
    const views: (StartView | null)[] = viewer.viewports.map((view) => (view ? { ...view } : null));
    useViewerStore.getState().restore({
      detail,
      comparison,
      layout,
      activeViewport: viewer.activeViewport,
      views,
      images: Object.fromEntries(await images),
    });
    prefetchStartImages(views);
    useUiStore.getState().showScreen('viewer');
  } catch {
    // The study is gone (deleted, another data folder): the worklist it is.
  }
}

/** Starts loading each viewport's image now, while the viewer renders (the panes then find it). */
function prefetchStartImages(views: (StartView | null)[]): void {
  const { images } = useViewerStore.getState();
  initImaging();
  for (const view of views) {
    const series = view ? images[view.seriesInstanceUID] : undefined;
    if (!view || series?.state !== 'ready') continue;
    const imageId = series.imageIds[startIndexOf(view, series.imageIds)];
    if (imageId) void imageLoader.loadAndCacheImage(imageId).catch(() => undefined);
  }
}

/** Loads and applies the saved place; resolves when the first render may happen. */
export async function restoreSession(): Promise<void> {
  try {
    const session = await loadSession();
    if (session) await applySession(session);
  } catch {
    // Losing one's place must never keep the app from starting.
  }
  // Keys kept for a viewer that is not restored go to the worklist (keys/keyGate.ts).
  if (useUiStore.getState().screen !== 'viewer') releaseKeys(OPENING_STUDY);
}

const comparable = (session: UiSession) => JSON.stringify({ ...session, savedAt: 0 });

/** Saves the place whenever it changes; returns the stop function. */
export function startSessionPersistence(): () => void {
  let last = comparable(snapshot());
  let saving = false;
  let again = false;

  const saveToHost = (session: UiSession) => {
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    host.api
      .call('session.save', session)
      .catch(() => undefined)
      .finally(() => {
        saving = false;
        if (again) {
          again = false;
          saveToHost(snapshot());
        }
      });
  };

  const check = () => {
    const session = snapshot();
    const key = comparable(session);
    if (key === last) return;
    last = key;
    writeLocal(session);
    saveToHost(session);
  };
  const onLeave = () => writeLocal(snapshot());
  const timer = window.setInterval(check, SAVE_INTERVAL_MS);
  window.addEventListener('pagehide', onLeave);
  document.addEventListener('visibilitychange', check);
  return () => {
    window.clearInterval(timer);
    window.removeEventListener('pagehide', onLeave);
    document.removeEventListener('visibilitychange', check);
  };
}
