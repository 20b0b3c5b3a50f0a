/**
 * Editing an AI SEG's segment (docs/ai-review.md "AI segmentations", key E): main stores the
 * decision and writes the reader's copy of the AI SEG (the AI's voxels of the segments the reader
 * keeps, their provenance in `ai_segment_decision`); here the segmentation editor opens on that
 * copy, with the segment chosen and the brush on the left button, at the segment's slice. What the
 * reader paints is saved as new versions of the copy (parent: the version the decision wrote).
 *
 * The editor keeps the last version it saved as the parent of the next, so while it is open on a
 * series, a decision on that series' segments (which main writes as a new version of the same
 * copy) first saves and closes it, and opens it again afterwards.
 */
import type { AiFinding } from '../../../shared/ai.js';
import { host } from '../host/index.js';
import {
  activateSegmentTool,
  closeSegmentation,
  openSegmentation,
  selectSegment,
} from '../annotation/segmentation/segmentationSession.js';
import { useSegmentationStore } from '../annotation/segmentation/useSegmentationStore.js';
import { renderingChoice } from '../imaging/initImaging.js';
import { useViewerStore } from '../stores/useViewerStore.js';

function slotShowing(seriesInstanceUID: string | undefined): number {
  const viewer = useViewerStore.getState();
  const slot = seriesInstanceUID ? viewer.assignments.indexOf(seriesInstanceUID) : -1;
  return slot >= 0 ? slot : viewer.activeViewport;
}

/** The reader's copy of the AI SEG behind `finding` (by the version the decision wrote). */
async function readerCopyOf(finding: AiFinding): Promise<string | null> {
  const series = finding.aiVersion.seriesInstanceUID;
  if (!series || !finding.readerVersionId) return null;
  const heads = await host.api.call('segmentation.list', { seriesInstanceUID: series });
  return heads.find((head) => head.versionId === finding.readerVersionId)?.annotationUid ?? null;
}

/**
 * Before a decision on segments of these series: saves and closes the editor if it is open on one
 * of them. Returns what to call afterwards (reopens the editor on the same copy).
 */
export async function suspendEditor(series: ReadonlyArray<string | undefined>): Promise<() => Promise<void>> {
  const state = useSegmentationStore.getState();
  if (state.status !== 'ready' || !state.seriesInstanceUID || !series.includes(state.seriesInstanceUID))
    return async () => undefined;
  const annotationUid = state.annotationUid;
  const seriesInstanceUID = state.seriesInstanceUID;
  const segment = state.activeSegment;
  const tool = state.tool;
  await closeSegmentation();
  return async () => {
    if (!useSegmentationStore.getState().panelOpen || !annotationUid) return;
    await openSegmentation(slotShowing(seriesInstanceUID), annotationUid);
    const reopened = useSegmentationStore.getState();
    if (reopened.status !== 'ready') return;
    if (segment !== null && reopened.segments.some((s) => s.segmentIndex === segment)) selectSegment(segment);
    if (tool) activateSegmentTool(tool);
  };
}

/**
 * Opens the editor on the reader's copy with `finding`'s segment chosen and the brush active. On a
 * CPU-rendered viewer the panel says so and offers to reload with GPU rendering (Cornerstone 5.14
 * paints labelmaps on GPU viewports only); the reload brings the reader back with the panel open
 * on the series' newest segmentation, which is this copy.
 */
export async function editSegment(finding: AiFinding): Promise<void> {
  const segment = finding.segment;
  if (!segment) return;
  const annotationUid = await readerCopyOf(finding);
  if (!annotationUid) return;
  await openOnSegment(finding, annotationUid);
  const state = useSegmentationStore.getState();
  // The CPU viewer cannot paint: what E asked for is kept for after the GPU reload the panel offers.
  if (state.status === 'failed' && state.error === 'cpu-rendering')
    rememberEdit({
      studyInstanceUID: finding.aiVersion.studyInstanceUID,
      findingUid: finding.annotationUid,
      copyUid: annotationUid,
    });
}

/** The editor on `copyUid` with the finding's segment chosen and the brush on. */
async function openOnSegment(finding: AiFinding, copyUid: string): Promise<boolean> {
  // Opened before the panel shows: the panel then finds it open on its series and keeps it.
  await openSegmentation(slotShowing(finding.aiVersion.seriesInstanceUID), copyUid);
  useSegmentationStore.setState({ panelOpen: true });
  const state = useSegmentationStore.getState();
  if (state.status !== 'ready' || state.annotationUid !== copyUid || !finding.segment) return false;
  selectSegment(finding.segment.segmentIndex);
  activateSegmentTool('Brush');
  return true;
}

/**
 * An edit E asked for on a CPU viewer, kept in the tab's session storage across the reload with
 * GPU rendering (segmentationSession.reloadWithGpuRendering): the study, the finding and the
 * reader's copy to open.
 */
interface PendingEdit {
  studyInstanceUID: string;
  findingUid: string;
  copyUid: string;
}

const PENDING_KEY = 'radlabel.aiSegmentEdit';

function rememberEdit(edit: PendingEdit): void {
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify(edit));
}

function pendingEdit(): PendingEdit | null {
  try {
    const value = JSON.parse(window.sessionStorage.getItem(PENDING_KEY) ?? 'null') as PendingEdit | null;
    return value && typeof value.findingUid === 'string' && typeof value.copyUid === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Resolves once the editor has finished opening what the panel opens by itself (or at `limitMs`). */
function editorSettled(limitMs: number): Promise<void> {
  const settled = () => {
    const { status, panelOpen, error } = useSegmentationStore.getState();
    // 'no-series': the viewport's stack is not set yet; the panel tries again by itself.
    return !panelOpen || status === 'ready' || (status === 'failed' && error !== 'no-series');
  };
  if (settled()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = window.setTimeout(done, limitMs);
    const off = useSegmentationStore.subscribe(() => {
      if (settled()) done();
    });
    function done() {
      window.clearTimeout(timer);
      off();
      resolve();
    }
  });
}

/**
 * After the GPU reload, once the study's AI findings are listed: the edit E asked for before it —
 * the finding current and its slice shown, the editor on the reader's copy with the segment chosen
 * and the brush on. `show` makes the finding current. Kept until a GPU viewer opened it.
 */
export async function resumePendingEdit(
  studyInstanceUID: string,
  findings: readonly AiFinding[],
  show: (index: number) => void,
): Promise<void> {
  const edit = pendingEdit();
  if (!edit || edit.studyInstanceUID !== studyInstanceUID) return;
  const index = findings.findIndex((finding) => finding.annotationUid === edit.findingUid);
  if (index < 0 || renderingChoice().mode === 'cpu') return;
  window.sessionStorage.removeItem(PENDING_KEY);
  // The panel, open after the reload, opens the series' newest segmentation by itself: after that.
  await editorSettled(60_000);
  show(index);
  await openOnSegment(findings[index]!, edit.copyUid);
}
