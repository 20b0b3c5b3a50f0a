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
  // Opened before the panel shows: the panel then finds it open on its series and keeps it.
  await openSegmentation(slotShowing(finding.aiVersion.seriesInstanceUID), annotationUid);
  useSegmentationStore.setState({ panelOpen: true });
  const state = useSegmentationStore.getState();
  if (state.status !== 'ready' || state.annotationUid !== annotationUid) return;
  selectSegment(segment.segmentIndex);
  activateSegmentTool('Brush');
}
