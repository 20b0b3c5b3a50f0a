/**
 * The reviewer's side-by-side view (docs/ai-review.md "Review"): one viewport per reader (1×2 for
 * two readers, 2×2 for three or four), each showing the same series and slice with only that
 * reader's annotations, labelled with the reader; the viewer's linked scrolling keeps them on the
 * same slice (the viewer's own linking leaves one series shown twice alone, so this view links its
 * viewports itself: the active one leads, checked every 100 ms while open). Annotations live once in Cornerstone (per image, not per viewport), so what each
 * viewport draws (and lets the pointer pick) is filtered where every annotation tool filters it:
 * `filterInteractableAnnotationsForElement`, wrapped once. With no side-by-side view open the
 * wrapper only checks an empty map.
 */
import { getEnabledElement } from '@cornerstonejs/core';
import { AnnotationDisplayTool } from '@cornerstonejs/tools';
import { create } from 'zustand';
import { type Layout, useViewerStore, viewportCountOf } from '../stores/useViewerStore.js';
import { renderAll } from '../annotation/tools/labeling.js';
import { showImage } from '../imaging/viewportCommands.js';
import { viewportInSlot } from '../viewer/viewportRegistry.js';

/** At most this many readers side by side (the viewer's largest layout). */
export const MAX_SIDE_BY_SIDE = 4;

interface SideBySideState {
  /** The reader shown in each slot, or null when the view is off. */
  readers: string[] | null;
  /** What the viewer showed before (restored when the view closes). */
  before: { layout: Layout; assignments: (string | null)[] } | null;
}

export const useSideBySide = create<SideBySideState>()(() => ({ readers: null, before: null }));

/** Who wrote each annotation shown (annotation uid → reader). */
let authorOf: ReadonlyMap<string, string> = new Map();

type Filter = (element: HTMLDivElement, annotations: unknown[]) => unknown[];
let installed = false;

function slotOf(element: HTMLDivElement): number | null {
  for (let slot = 0; slot < MAX_SIDE_BY_SIDE; slot++)
    if (viewportInSlot(slot)?.element === element) return slot;
  // The tools hand the viewport's element; a parent's lookup covers a wrapped element.
  const id = getEnabledElement(element)?.viewport.id;
  for (let slot = 0; slot < MAX_SIDE_BY_SIDE; slot++)
    if (id && viewportInSlot(slot)?.viewport.id === id) return slot;
  return null;
}

function install(): void {
  if (installed) return;
  installed = true;
  const proto = AnnotationDisplayTool.prototype as unknown as {
    filterInteractableAnnotationsForElement: Filter;
  };
  const original = proto.filterInteractableAnnotationsForElement;
  proto.filterInteractableAnnotationsForElement = function filtered(this: unknown, element, annotations) {
    const kept = original.call(this, element, annotations);
    const { readers } = useSideBySide.getState();
    if (!readers) return kept;
    const slot = slotOf(element);
    const reader = slot === null ? undefined : readers[slot];
    if (!reader) return kept;
    return kept.filter(
      (annotation) => authorOf.get((annotation as { annotationUID?: string }).annotationUID ?? '') === reader,
    );
  };
}

/** The authors of the annotations shown (the review section keeps this current). */
export function setAuthors(authors: ReadonlyMap<string, string>): void {
  authorOf = authors;
  if (useSideBySide.getState().readers) renderAll();
}

let linkTimer: number | null = null;
const asked = new Map<string, { index: number; at: number }>();

/** The other readers' viewports follow the active one to its slice (same series: same index). */
function follow(): void {
  const { readers } = useSideBySide.getState();
  if (!readers) return;
  const active = useViewerStore.getState().activeViewport;
  const leader = viewportInSlot(active)?.viewport;
  if (!leader) return;
  const index = leader.getCurrentImageIdIndex();
  const now = performance.now();
  for (let slot = 0; slot < readers.length; slot++) {
    const viewport = viewportInSlot(slot)?.viewport;
    if (!viewport || viewport === leader || viewport.getImageIds()[0] !== leader.getImageIds()[0]) continue;
    if (viewport.getCurrentImageIdIndex() === index) continue;
    const last = asked.get(viewport.id);
    if (last && last.index === index && now - last.at < 400) continue;
    asked.set(viewport.id, { index, at: now });
    showImage(viewport, index);
  }
}

/** Opens one viewport per reader on the active viewport's series and slice. */
export function openSideBySide(readers: readonly string[]): void {
  install();
  const viewer = useViewerStore.getState();
  const series = viewer.assignments[viewer.activeViewport];
  if (!series || readers.length < 2) return;
  const shown = readers.slice(0, MAX_SIDE_BY_SIDE);
  const index = viewportInSlot(viewer.activeViewport)?.viewport.getCurrentImageIdIndex() ?? 0;
  const before = useSideBySide.getState().before ?? {
    layout: viewer.layout,
    assignments: [...viewer.assignments],
  };
  useSideBySide.setState({ readers: shown, before });
  viewer.setLayout(shown.length <= 2 ? '1x2' : '2x2');
  for (let slot = 0; slot < viewportCountOf[useViewerStore.getState().layout]; slot++)
    viewer.assignSeries(slot, series, index);
  viewer.setActiveViewport(0);
  if (linkTimer === null) linkTimer = window.setInterval(follow, 100);
  renderAll();
}

/** Back to the overlay: the layout and series shown before. */
export function closeSideBySide(): void {
  const { before } = useSideBySide.getState();
  useSideBySide.setState({ readers: null, before: null });
  if (linkTimer !== null) window.clearInterval(linkTimer);
  linkTimer = null;
  asked.clear();
  if (before) {
    const viewer = useViewerStore.getState();
    viewer.setLayout(before.layout);
    before.assignments.slice(0, viewportCountOf[before.layout]).forEach((series, slot) => {
      if (series) viewer.assignSeries(slot, series);
    });
  }
  renderAll();
}
