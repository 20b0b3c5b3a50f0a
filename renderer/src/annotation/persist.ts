/**
 * Measurements between Cornerstone and the store (docs/annotation.md "Saving"):
 *
 * - When a study opens (or a prior beside it), its stored heads are put into Cornerstone's
 *   annotation state exactly as saved (handles, cached statistics, label text) and drawn; the
 *   annotations of studies no longer open leave the state (without being deleted).
 * - Every change is queued as a new version: a completed drawing at once, modifications (drags,
 *   undo/redo of an edit) throttled per annotation, a removal as a deletion, an annotation brought
 *   back by undo/redo as a new version that is not deleted.
 * - Anything waiting is sent when the page is hidden or closed; the queue's localStorage copy
 *   covers what the page cannot send in time.
 */
import { Enums as CoreEnums, eventTarget } from '@cornerstonejs/core';
import {
  Enums as ToolEnums,
  annotation as csAnnotation,
  utilities as toolUtilities,
} from '@cornerstonejs/tools';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { type AnnotationVersion, MEASUREMENT_TOOL_NAMES } from '../../../shared/annotation.js';
import { host } from '../host/index.js';
import { initImaging } from '../imaging/initImaging.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import {
  drained,
  flushNow,
  queueStatus,
  restorePending,
  saveLatencies,
  saveSendDelays,
  throttledSaveLatencies,
} from './saveQueue.js';
import { type AnnotationEntry, entryOfVersion, saveEntry, useAnnotationStore } from './useAnnotationStore.js';
import { cancelDrawing, isCancelling } from './cancelDrawing.js';

/** Cornerstone tools whose annotations are measurements kept as versions. */
export const PERSISTED_TOOLS = MEASUREMENT_TOOL_NAMES;

/** Big derived arrays Cornerstone recomputes from the handles: not stored. */
const DERIVED_KEYS = new Set(['pointsInShape', 'pointsInVolume']);

type CsAnnotation = ToolTypes.Annotation;

/** Events Cornerstone raises while we load or unload annotations are not edits. */
let quiet = 0;
let installed = false;
/** performance.now() of the edit each queued save carries, by annotation (for the benchmark). */

/** Where an image of the open studies is: its study, series, instance and frame. */
interface ImageLocation {
  studyInstanceUID: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  frameNumber?: number;
}

const INSTANCE_ROUTE = /\/instances\/([0-9.]+)(?:\?frame=(\d+))?$/;

function parseImageId(imageId: string): { sopInstanceUID: string; frameNumber?: number } | null {
  const match = INSTANCE_ROUTE.exec(imageId);
  if (!match) return null;
  return {
    sopInstanceUID: decodeURIComponent(match[1]!),
    ...(match[2] ? { frameNumber: Number(match[2]) } : {}),
  };
}

function locate(annotation: CsAnnotation): ImageLocation | null {
  const viewer = useViewerStore.getState();
  const imageId = annotation.metadata?.referencedImageId;
  const parsed = imageId ? parseImageId(imageId) : null;
  if (imageId && parsed) {
    for (const [seriesInstanceUID, images] of Object.entries(viewer.images)) {
      if (images.state !== 'ready' || !images.imageIds.includes(imageId)) continue;
      for (const detail of [viewer.detail, viewer.comparison]) {
        if (detail?.series.some((series) => series.seriesInstanceUID === seriesInstanceUID)) {
          return { studyInstanceUID: detail.study.studyInstanceUID, seriesInstanceUID, ...parsed };
        }
      }
    }
  }
  // A volume (MPR) annotation names no image: it belongs to the open study.
  const study = viewer.detail?.study.studyInstanceUID;
  return study ? { studyInstanceUID: study, ...(parsed ?? {}) } : null;
}

/** Cornerstone's `{ metadata, data }` as plain JSON (typed arrays as arrays, derived arrays left out). */
export function serializeAnnotation(annotation: CsAnnotation): { metadata: unknown; data: unknown } {
  const replacer = (key: string, value: unknown): unknown => {
    if (DERIVED_KEYS.has(key)) return undefined;
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return Array.from(value as unknown as ArrayLike<number>);
    }
    if (typeof value === 'function') return undefined;
    return value;
  };
  return JSON.parse(JSON.stringify({ metadata: annotation.metadata, data: annotation.data }, replacer)) as {
    metadata: unknown;
    data: unknown;
  };
}

function isPersisted(annotation: CsAnnotation | undefined): annotation is CsAnnotation {
  const toolName = annotation?.metadata?.toolName;
  return Boolean(annotation?.annotationUID && toolName && PERSISTED_TOOLS.has(toolName));
}

/** A new or changed Cornerstone annotation as the entry to save. */
function entryFor(annotation: CsAnnotation, previous: AnnotationEntry | undefined): AnnotationEntry | null {
  const location = previous ?? locate(annotation);
  if (!location) return null;
  const serialized = serializeAnnotation(annotation);
  return {
    annotationUid: annotation.annotationUID!,
    studyInstanceUID: location.studyInstanceUID,
    ...(location.seriesInstanceUID ? { seriesInstanceUID: location.seriesInstanceUID } : {}),
    ...(location.sopInstanceUID ? { sopInstanceUID: location.sopInstanceUID } : {}),
    ...(location.frameNumber !== undefined ? { frameNumber: location.frameNumber } : {}),
    kind: 'measurement',
    tool: annotation.metadata?.toolName ?? '',
    ...(previous?.labelId ? { labelId: previous.labelId } : {}),
    attributes: previous?.attributes ?? {},
    status: previous?.status ?? 'draft',
    hidden: previous?.hidden ?? false,
    locked: previous?.locked ?? false,
    deleted: false,
    source: previous?.source ?? 'human',
    versionId: previous?.versionId ?? null,
    otherHeads: previous?.otherHeads ?? [],
    data: { ...serialized, hidden: previous?.hidden ?? false, locked: previous?.locked ?? false },
  };
}

function sameContent(a: AnnotationEntry, b: AnnotationEntry): boolean {
  return JSON.stringify(a.data) === JSON.stringify(b.data) && a.deleted === b.deleted;
}

type AnnotationEvent = CustomEvent<{ annotation: CsAnnotation; changeType?: string }>;

function onCompleted(event: Event): void {
  // A drawing cancelled with Esc: Cornerstone completes it on the way out; it is not a measurement.
  if (quiet > 0 || isCancelling()) return;
  const { annotation } = (event as AnnotationEvent).detail;
  if (!isPersisted(annotation)) return;
  const previous = useAnnotationStore.getState().entries[annotation.annotationUID!];
  const entry = entryFor(annotation, previous);
  if (entry) saveEntry(entry);
}

function onModified(event: Event): void {
  if (quiet > 0) return;
  const { annotation } = (event as AnnotationEvent).detail;
  if (!isPersisted(annotation)) return;
  const previous = useAnnotationStore.getState().entries[annotation.annotationUID!];
  // Not completed yet (being drawn): saved when completed.
  if (!previous) return;
  const entry = entryFor(annotation, previous);
  if (!entry || (sameContent(entry, previous) && !previous.deleted)) return;
  // Dragging (and what Cornerstone derives from it) is throttled; a discrete change — a label,
  // undo/redo — is saved at once.
  const changeType = (event as AnnotationEvent).detail.changeType;
  saveEntry(entry, { throttled: changeType === undefined || THROTTLED_CHANGES.has(changeType) });
}

const THROTTLED_CHANGES = new Set<string>([
  ToolEnums.ChangeTypes.HandlesUpdated,
  ToolEnums.ChangeTypes.Interaction,
  ToolEnums.ChangeTypes.StatsUpdated,
  ToolEnums.ChangeTypes.InterpolationUpdated,
]);

function onRemoved(event: Event): void {
  if (quiet > 0) return;
  const { annotation } = (event as AnnotationEvent).detail;
  if (!isPersisted(annotation)) return;
  useAnnotationStore.getState().markDeleted(annotation.annotationUID!);
}

/** Undo of a deletion or redo of a drawing puts the annotation back: a new version, not deleted. */
function onAdded(event: Event): void {
  if (quiet > 0) return;
  const { annotation } = (event as AnnotationEvent).detail;
  if (!isPersisted(annotation)) return;
  const previous = useAnnotationStore.getState().entries[annotation.annotationUID!];
  if (!previous?.deleted) return;
  const entry = entryFor(annotation, previous);
  if (entry) saveEntry(entry);
}

/**
 * Esc while a measurement is being drawn: the drawing is dropped without a version (cancelDrawing.ts).
 * An annotation already saved whose handle was being dragged keeps its saved versions. False when
 * nothing was being drawn.
 */
export function cancelMeasurementDrawing(): boolean {
  return cancelDrawing((uid) => Boolean(useAnnotationStore.getState().entries[uid]));
}

/** A stored head as a Cornerstone annotation, its image ids those of this page's host. */
function toCornerstone(entry: AnnotationEntry): CsAnnotation | null {
  const stored = entry.data as { metadata?: Record<string, unknown>; data?: Record<string, unknown> };
  if (!stored.metadata || !stored.data) return null;
  const metadata = { ...stored.metadata } as unknown as NonNullable<CsAnnotation['metadata']>;
  const data = structuredClone(stored.data) as CsAnnotation['data'];
  if (entry.sopInstanceUID && metadata.referencedImageId) {
    const previousId = metadata.referencedImageId;
    const imageId = host.imageIdFor(entry.sopInstanceUID, entry.frameNumber);
    metadata.referencedImageId = imageId;
    const stats = (data as { cachedStats?: Record<string, unknown> }).cachedStats;
    if (stats && previousId !== imageId) {
      for (const key of Object.keys(stats)) {
        if (key === `imageId:${previousId}`) {
          stats[`imageId:${imageId}`] = stats[key];
          delete stats[key];
        }
      }
    }
  }
  return {
    annotationUID: entry.annotationUid,
    metadata,
    data,
    highlighted: false,
    invalidated: false,
    isLocked: entry.locked,
    isVisible: !entry.hidden,
  } as CsAnnotation;
}

function renderAll(): void {
  // Only viewports that show an image: drawing annotations on one still loading throws inside
  // Cornerstone's annotation render loop (CPU path) and stops it. The others draw them with
  // their first image.
  const viewportIds = initImaging()
    .engine.getViewports()
    .filter((viewport) => {
      try {
        return Boolean((viewport as { getImageData?: () => unknown }).getImageData?.());
      } catch {
        return false;
      }
    })
    .map((viewport) => viewport.id);
  if (viewportIds.length > 0) toolUtilities.triggerAnnotationRenderForViewportIds(viewportIds);
}

/**
 * Resolves once no viewport has a frame of reference without its image (at most 10 s). Checked
 * again whenever a viewport gets a new image or draws one (Cornerstone's events on the viewport
 * elements, seen by capturing listeners on the document: they do not bubble), so the annotations
 * go in with the first image instead of up to a polling period after it; a slow poll stays as a
 * fallback.
 */
async function viewportsReady(): Promise<void> {
  const loading = (): boolean =>
    initImaging()
      .engine.getViewports()
      .some((viewport) => {
        try {
          const v = viewport as { getFrameOfReferenceUID?: () => unknown; getImageData?: () => unknown };
          return Boolean(v.getFrameOfReferenceUID?.()) && !v.getImageData?.();
        } catch {
          return true;
        }
      });
  if (!loading()) return;
  await new Promise<void>((resolve) => {
    const events = [CoreEnums.Events.STACK_NEW_IMAGE, CoreEnums.Events.IMAGE_RENDERED];
    const deadline = setTimeout(done, 10_000);
    const poll = setInterval(check, 100);
    function check(): void {
      if (!loading()) done();
    }
    function done(): void {
      clearTimeout(deadline);
      clearInterval(poll);
      for (const name of events) document.removeEventListener(name, check, true);
      resolve();
    }
    for (const name of events) document.addEventListener(name, check, true);
  });
}

/**
 * Puts heads into Cornerstone without their events counting as edits. `prepared` holds annotations
 * converted ahead (while the first image was loading), by the entry they were made from; an entry
 * that changed since is converted again.
 */
function addToCornerstone(
  entries: AnnotationEntry[],
  prepared?: ReadonlyMap<AnnotationEntry, CsAnnotation | null>,
): void {
  quiet += 1;
  try {
    // Cornerstone's getAnnotation scans every annotation: asked per entry, 500 entries cost 125,000
    // comparisons. The uids it holds are read once instead.
    const present = new Set(
      csAnnotation.state.getAllAnnotations().map((annotation) => annotation.annotationUID),
    );
    for (const entry of entries) {
      if (entry.kind !== 'measurement' || entry.deleted) continue;
      if (present.has(entry.annotationUid)) continue;
      present.add(entry.annotationUid);
      const annotation = prepared?.has(entry) ? prepared.get(entry)! : toCornerstone(entry);
      if (!annotation) continue;
      const group = annotation.metadata?.FrameOfReferenceUID;
      if (!group) continue;
      csAnnotation.state.addAnnotation(annotation, group);
      if (entry.hidden) csAnnotation.visibility.setAnnotationVisibility(entry.annotationUid, false);
      if (entry.locked) csAnnotation.locking.setAnnotationLocked(entry.annotationUid, true);
    }
  } finally {
    quiet -= 1;
  }
  renderAll();
}

function removeFromCornerstone(annotationUids: string[]): void {
  quiet += 1;
  try {
    for (const uid of annotationUids) csAnnotation.state.removeAnnotation(uid);
  } finally {
    quiet -= 1;
  }
}

/** The newest head of each annotation; the others are named as parents by its next version. */
function currentHeads(heads: AnnotationVersion[]): AnnotationEntry[] {
  const byUid = new Map<string, AnnotationVersion[]>();
  for (const head of heads) byUid.set(head.annotationUid, [...(byUid.get(head.annotationUid) ?? []), head]);
  return [...byUid.values()].map((versions) => {
    const sorted = [...versions].sort((a, b) => b.createdAt - a.createdAt);
    return entryOfVersion(
      sorted[0]!,
      sorted.slice(1).map((version) => version.versionId),
    );
  });
}

/**
 * Versions main stored for the reader (AI decisions: renderer/src/ai/, docs/ai-review.md): the
 * store's entries follow them (the next edit names them as parent) and Cornerstone shows them —
 * a deletion is taken off the image, a version not drawn yet is drawn; no event counts as an edit.
 */
export function applyStoredVersions(versions: readonly AnnotationVersion[]): void {
  const entries = versions.map((version) => entryOfVersion(version));
  useAnnotationStore.setState((state) => {
    const next = { ...state.entries };
    for (const entry of entries) next[entry.annotationUid] = entry;
    return { entries: next };
  });
  removeFromCornerstone(entries.filter((entry) => entry.deleted).map((entry) => entry.annotationUid));
  addToCornerstone(entries.filter((entry) => !entry.deleted));
}

/** Loads a study's stored annotations into the store and Cornerstone (once per opening). */
export async function loadStudyAnnotations(studyInstanceUID: string): Promise<void> {
  const store = useAnnotationStore;
  store.setState((state) => ({ studies: { ...state.studies, [studyInstanceUID]: 'loading' } }));
  // Versions a previous page left unsent go first, so the list below includes them.
  await drained(5_000);
  try {
    const started = performance.now();
    const { heads } = await host.api.call('annotation.list', { studyInstanceUID });
    const listed = performance.now();
    if (!isOpen(studyInstanceUID)) return;
    const entries = currentHeads(heads);
    store.setState((state) => {
      const next = { ...state.entries };
      for (const entry of entries) if (!next[entry.annotationUid]) next[entry.annotationUid] = entry;
      return { entries: next, studies: { ...state.studies, [studyInstanceUID]: 'ready' } };
    });
    // Converted now, while the first image is still on its way, so that only adding is left once
    // it is there.
    const prepared = new Map<AnnotationEntry, CsAnnotation | null>();
    for (const entry of entries) {
      if (entry.kind === 'measurement' && !entry.deleted) prepared.set(entry, toCornerstone(entry));
    }
    // Cornerstone draws an added annotation at once on viewports of its frame of reference; one
    // whose image is still loading throws there (CPU path) and its annotation loop stops for good.
    await viewportsReady();
    if (!isOpen(studyInstanceUID)) return;
    const stored = performance.now();
    addToCornerstone(
      entries.map((entry) => store.getState().entries[entry.annotationUid] ?? entry),
      prepared,
    );
    loadTimings.push({
      annotations: entries.length,
      listMs: listed - started,
      storeMs: stored - listed,
      cornerstoneMs: performance.now() - stored,
    });
  } catch (error) {
    console.error('annotations could not be loaded', error);
    store.setState((state) => ({ studies: { ...state.studies, [studyInstanceUID]: 'failed' } }));
  }
}

function openStudies(): Set<string> {
  const { detail, comparison } = useViewerStore.getState();
  return new Set(
    [detail?.study.studyInstanceUID, comparison?.study.studyInstanceUID].filter((uid): uid is string =>
      Boolean(uid),
    ),
  );
}

function isOpen(studyInstanceUID: string): boolean {
  return openStudies().has(studyInstanceUID);
}

/** Follows the viewer: loads studies that open, unloads those that close. */
function reconcileStudies(): void {
  const open = openStudies();
  const state = useAnnotationStore.getState();
  const closing = Object.keys(state.studies).filter((uid) => !open.has(uid));
  if (closing.length > 0) {
    flushNow();
    const leaving = Object.values(state.entries).filter((entry) => closing.includes(entry.studyInstanceUID));
    removeFromCornerstone(leaving.map((entry) => entry.annotationUid));
    useAnnotationStore.setState((current) => ({
      entries: Object.fromEntries(
        Object.entries(current.entries).filter(([, entry]) => !closing.includes(entry.studyInstanceUID)),
      ),
      studies: Object.fromEntries(Object.entries(current.studies).filter(([uid]) => open.has(uid))),
    }));
    renderAll();
  }
  for (const uid of open) {
    if (!useAnnotationStore.getState().studies[uid]) void loadStudyAnnotations(uid);
  }
}

const loadTimings: { annotations: number; listMs: number; storeMs: number; cornerstoneMs: number }[] = [];

/** What tests and benchmarks read (never write): the measurements Cornerstone holds, save timings. */
export interface AnnotationProbe {
  /** Edit → acknowledged (committed) times, ms: discrete edits, and throttled drags apart. */
  saveLatencies: number[];
  throttledSaveLatencies: number[];
  /** Edit → request sent, ms, of the edits in `saveLatencies` (the renderer's share). */
  saveSendDelays: number[];
  /** Per study opened: annotations loaded, ms listing them, keeping them, putting them into Cornerstone. */
  loadTimings: typeof loadTimings;
  status(): ReturnType<typeof queueStatus>;
  /** Persisted measurements in Cornerstone's state: uid, tool, handle points (world, mm). */
  shown(): { annotationUID: string; toolName: string; points: number[][] }[];
}

function exposeForTests(): void {
  const probe: AnnotationProbe = {
    saveLatencies,
    throttledSaveLatencies,
    saveSendDelays,
    loadTimings,
    status: queueStatus,
    shown: () =>
      csAnnotation.state
        .getAllAnnotations()
        .filter(isPersisted)
        .map((annotation) => ({
          annotationUID: annotation.annotationUID!,
          toolName: annotation.metadata?.toolName ?? '',
          points: (annotation.data?.handles?.points ?? []).map((point) => Array.from(point)),
        })),
  };
  (window as unknown as { __radlabelAnnotations?: AnnotationProbe }).__radlabelAnnotations = probe;
}

/**
 * Starts persistence once for the page: Cornerstone's annotation events, the viewer's open
 * studies, the unsent versions of an earlier page, and a last flush when the page goes away.
 */
export function installAnnotationPersistence(): void {
  if (installed) return;
  installed = true;
  eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, onCompleted);
  eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_MODIFIED, onModified);
  eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_REMOVED, onRemoved);
  eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_ADDED, onAdded);
  restorePending();
  let last = '';
  const follow = (): void => {
    const key = [...openStudies()].join(',');
    if (key === last) return;
    last = key;
    reconcileStudies();
  };
  useViewerStore.subscribe(follow);
  follow();
  exposeForTests();
  window.addEventListener('pagehide', flushNow);
  window.addEventListener('beforeunload', flushNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushNow();
  });
}
