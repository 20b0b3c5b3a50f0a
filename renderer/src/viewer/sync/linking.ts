/**
 * Viewports working together, with Cornerstone's own tools:
 *
 * - linked scrolling: every stack viewport whose images share the active one's FrameOfReferenceUID
 *   (and a parallel plane) follows it to the nearest slice by ImagePositionPatient. Series of
 *   another frame of reference (a prior study) are not linked.
 * - reference lines (ReferenceLinesTool): the active viewport's plane drawn as a line across the
 *   other viewports that show a non-parallel plane of the same frame of reference;
 * - locate (LocateTool, Shift+click): the other viewports jump to the clicked point.
 *
 * Checked every few frames (cheap: at most four viewports) and whenever the active viewport changes;
 * a viewport alone on screen costs nothing per image (no reference line to move).
 */
import { type StackViewport, type Types, getRenderingEngine, metaData, utilities } from '@cornerstonejs/core';
import { Enums as ToolEnums, addTool, utilities as toolUtilities } from '@cornerstonejs/tools';
import { RENDERING_ENGINE_ID } from '../../imaging/initImaging.js';
import { stackToolGroup } from '../../imaging/stackToolGroup.js';
import { showImage } from '../../imaging/viewportCommands.js';
import { MAX_VIEWPORTS } from '../../stores/useViewerStore.js';
import { viewportInSlot } from '../viewportRegistry.js';
import { LocateTool } from './locateTool.js';
import { DrawnReferenceLinesTool as ReferenceLinesTool } from './referenceLinesTool.js';
import { nearestIndex, positionOf } from './slicePositions.js';

let toolsReady = false;

/** Adds the reference-lines and locate tools to the stack tool group (once; viewer/prewarm.ts). */
export function ensureLinkingTools(): void {
  if (toolsReady) return;
  const group = stackToolGroup();
  addTool(ReferenceLinesTool);
  addTool(LocateTool);
  if (!group.hasTool(ReferenceLinesTool.toolName)) group.addTool(ReferenceLinesTool.toolName);
  if (!group.hasTool(LocateTool.toolName)) group.addTool(LocateTool.toolName, { displayThreshold: 3 });
  group.setToolEnabled(ReferenceLinesTool.toolName);
  group.setToolActive(LocateTool.toolName, {
    bindings: [
      { mouseButton: ToolEnums.MouseBindings.Primary, modifierKey: ToolEnums.KeyboardBindings.Shift },
    ],
  });
  toolsReady = true;
}

/** Viewports on screen with a stack, by slot. */
function liveViewports(): { slot: number; viewport: StackViewport }[] {
  const live: { slot: number; viewport: StackViewport }[] = [];
  for (let slot = 0; slot < MAX_VIEWPORTS; slot += 1) {
    const handle = viewportInSlot(slot);
    if (handle && getRenderingEngine(RENDERING_ENGINE_ID)?.getViewport(handle.viewport.id)) {
      live.push({ slot, viewport: handle.viewport });
    }
  }
  return live;
}

function frameOfReferenceOf(viewport: StackViewport): string | null {
  try {
    return viewport.getFrameOfReferenceUID() || null;
  } catch {
    return null;
  }
}

function parallel(a: StackViewport, b: StackViewport): boolean {
  const n1 = a.getCamera().viewPlaneNormal;
  const n2 = b.getCamera().viewPlaneNormal;
  if (!n1 || !n2) return false;
  return Math.abs(n1[0] * n2[0] + n1[1] * n2[1] + n1[2] * n2[2]) > 0.9;
}

/** Slices this module asked followers to go to, and when. */
const requested = new Map<string, { index: number; at: number }>();
const RETRY_MS = 400;

/**
 * Linked scrolling: the active viewport (the one the reader clicked, or scrolls with the wheel)
 * leads (another viewport showing the same series is left alone); every other viewport of the same frame of reference with a parallel plane goes to its
 * slice nearest the leader's position along the normal (the catalog's slice positions, known
 * before the images are loaded; else Cornerstone's getClosestStackImageIndexForPoint on the
 * headers, the rule of its image-slice synchronizer). Cornerstone's synchronizer itself drops images that
 * arrive while it is still moving the others (a held arrow key left the group slices short), so
 * the followers are checked here until they are where they should be.
 */
function follow(activeSlot: number): void {
  const leader = viewportInSlot(activeSlot)?.viewport;
  const imageId = leader?.getCurrentImageId();
  if (!leader || !imageId) return;
  const frame = frameOfReferenceOf(leader);
  if (!frame) return;
  const leaderPosition = positionOf(imageId);
  const now = performance.now();
  for (const { viewport } of liveViewports()) {
    if (viewport === leader || frameOfReferenceOf(viewport) !== frame || !parallel(leader, viewport))
      continue;
    // The same series twice is there to show two of its slices: not linked.
    if (viewport.getImageIds()[0] === leader.getImageIds()[0]) continue;
    const index =
      leaderPosition !== null
        ? nearestIndex(viewport.getImageIds(), leaderPosition)
        : closestByHeader(imageId, viewport);
    if (index === null || index === viewport.getCurrentImageIdIndex()) continue;
    const asked = requested.get(viewport.id);
    if (asked && asked.index === index && now - asked.at < RETRY_MS) continue;
    requested.set(viewport.id, { index, at: now });
    showImage(viewport, index);
  }
}

/** Without catalog positions: Cornerstone's rule, which needs every image's header loaded. */
function closestByHeader(imageId: string, viewport: StackViewport): number | null {
  const plane = metaData.get('imagePlaneModule', imageId) as
    { imagePositionPatient?: Types.Point3 } | undefined;
  if (!plane?.imagePositionPatient) return null;
  try {
    return utilities.getClosestStackImageIndexForPoint(plane.imagePositionPatient, viewport) ?? null;
  } catch {
    return null; // Some of the follower's headers are not loaded yet; tried again on the next check.
  }
}

let referenceSource: string | null = null;

/**
 * Makes the active viewport the reference lines' source. The tool reads the source's plane when
 * configured, so it is configured again whenever the source shows another image (or a new stack).
 */
function reconcileReferenceLines(activeSlot: number): void {
  const viewport = viewportInSlot(activeSlot)?.viewport;
  const source = viewport?.id ?? '';
  const live = liveViewports();
  // Alone on screen there is no other viewport to draw the line on: nothing to redo per image.
  const key =
    live.length > 1 ? `${source}|${viewport?.getCurrentImageId() ?? ''}|${live.length}` : `${source}|alone`;
  if (key === referenceSource) return;
  referenceSource = key;
  stackToolGroup().setToolConfiguration(ReferenceLinesTool.toolName, { sourceViewportId: source });
  // The tool redraws only the other viewports: the new source would keep its old line.
  toolUtilities.triggerAnnotationRenderForViewportIds(live.map(({ viewport: item }) => item.id));
}

/** Brings the synchronizers and the reference-line source up to date. */
export function reconcileLinking(activeSlot: number, linked: boolean): void {
  ensureLinkingTools();
  reconcileReferenceLines(activeSlot);
  if (linked) follow(activeSlot);
}

/** Forgets the viewer's linking state (the viewer closes). */
export function stopLinking(): void {
  requested.clear();
  referenceSource = null;
}
