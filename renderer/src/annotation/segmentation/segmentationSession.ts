/**
 * Labelmap segmentation of the active viewport's series with Cornerstone 5 (issue #9 item 2).
 *
 * One segmentation per series and reader session (its annotationUid is the Cornerstone
 * segmentationId). Its voxels are stack labelmap images derived from the series' images, one set
 * per layer: Cornerstone 5 keeps overlapping segments apart by moving a segment painted over
 * another onto a private layer (tools config `segmentation.overwriteMode: 'none'`, set in
 * imaging/initImaging.ts), and each segment is bound to a (layer, label value).
 *
 * Saving: every labelmap write goes through an image's voxel manager, which records the slice as
 * modified; a save (at most ~300 ms after a stroke, undo, redo, fill or interpolation) sends the
 * modified slices of every layer, compressed, as a new version whose parent is the previous one
 * (main/annotation/labelmap-store.ts), then clears the marks. Saves are serialised.
 *
 * Undo/redo: the labelmap tools push Cornerstone's labelmap memos on the shared
 * `DefaultHistoryMemo` (A-TOOLS's Ctrl+Z). Those memos keep only the changed voxels (an RLE map
 * of previous values; the redo map is built from the same voxels at commit), so memory grows with
 * what was painted, never with whole slices. Interpolation pushes a memo of the same kind.
 */
import {
  Enums as CoreEnums,
  type StackViewport,
  cache,
  detectRenderingCapabilities,
  eventTarget,
  getEnabledElementByViewportId,
  imageLoader,
  utilities as coreUtilities,
} from '@cornerstonejs/core';
import {
  BrushTool,
  CircleScissorsTool,
  Enums as ToolEnums,
  PaintFillTool,
  RectangleScissorsTool,
  WindowLevelTool,
  addTool,
  segmentation,
  utilities as toolUtilities,
} from '@cornerstonejs/tools';
import type { Label } from '../../../../shared/annotation.js';
import {
  MAX_SAVE_CHARS,
  type LabelmapSliceChunk,
  type SegmentInfo,
} from '../../../../shared/segmentation.js';
import { sopInstanceUIDOfImageId } from '../../deid/currentInstance.js';
import { host } from '../../host/index.js';
import { initImaging, renderingChoice } from '../../imaging/initImaging.js';
import { stackToolGroup } from '../../imaging/stackToolGroup.js';
import { useViewerStore } from '../../stores/useViewerStore.js';
import { viewportInSlot } from '../../viewer/viewportRegistry.js';
import { useToolStore } from '../tools/useToolStore.js';
import { decodeSlice, encodeSlice, sliceSha256 } from './labelmapCodec.js';
import { RegionGrowTool } from './regionGrow.js';
import { type BrushCursor, type BrushCursorLook, installBrushCursor } from './brushCursor.js';
import { flushStrokeEnd, flushStrokeEndBeforeInput, runAfterFrame } from './strokeEnd.js';
import { type StrokeLook, type StrokePreview, installStrokePreview } from './strokePreview.js';
import {
  type ColourFunction,
  type LayerOnImage,
  type SegmentPaint,
  erasedColour,
  imageColours,
} from './eraseLook.js';
import { type SegmentToolName, SEGMENT_TOOLS, useSegmentationStore } from './useSegmentationStore.js';

const { MouseBindings, KeyboardBindings, SegmentationRepresentations, Events: ToolEvents } = ToolEnums;
const Labelmap = SegmentationRepresentations.Labelmap;

/** Cornerstone tool instance per labelmap tool. */
const TOOL_INSTANCES: Record<SegmentToolName, { instance: string; base: string; config?: object }> = {
  Brush: { instance: 'SegBrush', base: BrushTool.toolName, config: { activeStrategy: 'FILL_INSIDE_CIRCLE' } },
  Eraser: {
    instance: 'SegEraser',
    base: BrushTool.toolName,
    config: { activeStrategy: 'ERASE_INSIDE_CIRCLE' },
  },
  ThresholdBrush: {
    instance: 'SegThresholdBrush',
    base: BrushTool.toolName,
    config: { activeStrategy: 'THRESHOLD_INSIDE_CIRCLE' },
  },
  RectangleScissor: { instance: RectangleScissorsTool.toolName, base: RectangleScissorsTool.toolName },
  CircleScissor: { instance: CircleScissorsTool.toolName, base: CircleScissorsTool.toolName },
  PaintFill: { instance: PaintFillTool.toolName, base: PaintFillTool.toolName },
  RegionGrow: { instance: RegionGrowTool.toolName, base: RegionGrowTool.toolName },
};

const SAVE_DELAY_MS = 300;

interface Session {
  slot: number;
  viewportId: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  annotationUid: string;
  /** The series' image ids in stack order, and the stored key of each. */
  imageIds: string[];
  keys: Array<{ sopInstanceUID: string; frame: number }>;
  width: number;
  height: number;
  /** Cornerstone labelmap ids in stored layer order (index = layer). */
  layerIds: string[];
  /** The last version saved (the parent of the next); null before the first save. */
  versionId: string | null;
  dirtyMeta: boolean;
  disposed: boolean;
  /** Stops drawing the labelmap layers in the opaque pass (drawLayersInOpaquePass). */
  stopOpaqueLayers: () => void;
  /** Brush strokes drawn on a 2D canvas, the viewport's render held until the reader pauses. */
  strokes: StrokePreview;
  /** The brush's circle under the pointer for the brush and the threshold brush. */
  cursor: BrushCursor;
}

let session: Session | null = null;
let saveTimer: number | null = null;
let saving: Promise<void> | null = null;
let toolsReady = false;

const store = useSegmentationStore;

// ---------------------------------------------------------------------------------------------
// Tools

function ensureSegmentationTools() {
  initImaging();
  const group = stackToolGroup();
  if (!toolsReady) {
    for (const ToolClass of [
      BrushTool,
      RectangleScissorsTool,
      CircleScissorsTool,
      PaintFillTool,
      RegionGrowTool,
    ])
      addTool(ToolClass as Parameters<typeof addTool>[0]);
    toolsReady = true;
  }
  for (const name of SEGMENT_TOOLS) {
    const { instance, base, config } = TOOL_INSTANCES[name];
    if (group.hasTool(instance)) continue;
    if (instance === base) group.addTool(base, config);
    else group.addToolInstance(instance, base, config);
    group.setToolDisabled(instance);
    if (name === 'Brush' || name === 'ThresholdBrush' || name === 'Eraser') {
      endPreviewedStrokesAfterFrame(group.getToolInstance(instance));
      drawnByPreview(group.getToolInstance(instance));
    }
    if (name === 'Eraser') erasesActiveSegmentOnly(group.getToolInstance(instance));
  }
  return group;
}

/** The voxel values and segment numbers an eraser stroke must leave (Cornerstone's lock list). */
const ALL_LABEL_VALUES = Array.from({ length: 255 }, (_, index) => index + 1);

/**
 * The eraser takes the active segment away and nothing else, as its button says. Cornerstone's
 * eraser clears every voxel of the active segment's layer under the brush except those of locked
 * segments, so erasing the edge of one segment also ate a neighbour on the same layer. Its stroke
 * (`getEditData`, at the press) is given every value but the active segment's as locked: its fill
 * compares each voxel's value, or the segment number it stands for, with that list. A locked
 * active segment is not erased either. The preview follows the same rule (eraserLookNow).
 */
function erasesActiveSegmentOnly(tool: unknown): void {
  const eraser = tool as
    { getEditData?: (input: { segmentationId: string; segmentsLocked: number[] }) => unknown } | undefined;
  const editData = eraser?.getEditData;
  if (!eraser || !editData) return;
  eraser.getEditData = function (this: unknown, input) {
    const erases = erasedValues(input.segmentationId, input.segmentsLocked);
    const segmentsLocked = ALL_LABEL_VALUES.filter((value) => !erases.has(value));
    return editData.call(this, { ...input, segmentsLocked });
  };
}

/**
 * What the eraser takes on the active segment's layer: the active segment's number and voxel value
 * (they differ on a layer of its own), none when it is locked or there is no active segment.
 */
function erasedValues(segmentationId: string, lockedNow: readonly number[]): Set<number> {
  const active = segmentation.segmentIndex.getActiveSegmentIndex(segmentationId);
  if (!active || lockedNow.includes(active)) return new Set();
  const data = segmentation.state.getSegmentation(segmentationId)?.representationData.Labelmap as
    { segmentBindings?: Record<number, { labelValue: number }> } | undefined;
  const labelValue = data?.segmentBindings?.[active]?.labelValue ?? active;
  return new Set([active, labelValue]);
}

/**
 * A brush or eraser stroke the preview drew (renders held) is applied to the labelmap after the frame that
 * follows the pointer up, not in it (strokeEnd.ts). The tool's end callback is wrapped before it
 * ever listens (BrushTool adds and removes `this._endCallback` at each press and end).
 */
function endPreviewedStrokesAfterFrame(tool: unknown): void {
  const brush = tool as { _endCallback?: (event: Event) => void } | undefined;
  const end = brush?._endCallback;
  if (!brush || !end) return;
  brush._endCallback = (event: Event): void => {
    if (session?.strokes.holding()) runAfterFrame(() => end(event));
    else {
      flushStrokeEnd();
      end(event);
    }
  };
}

/**
 * What Cornerstone draws in its SVG layer for the brush, the threshold brush and the eraser is left
 * out while a segmentation is open. (For the eraser the path lay over the preview's image, tinting
 * what the stroke takes away.)
 * - Its picture of a lazy stroke being painted: an SVG path through every disc centre, the brush's
 *   width, the segment's colour at 35 % opacity. Over the stroke preview (strokePreview.ts: the
 *   voxels the stroke fills, in the segment's colour and opacity as the labelmap is drawn) it
 *   doubled the colour while painting, so a stroke looked brighter than once rendered, and the
 *   path, longer at every move, was set, laid out and painted again in every frame of the stroke.
 * - Its brush cursor: brushCursor.ts draws the same circle, moved by the compositor. So the
 *   circle's geometry Cornerstone works out at every pointer move and drag (`updateCursor`: hover
 *   data from the camera, the circle's points, a pass of the SVG layer; 0.27 ms of every brush
 *   move's handler in a CPU profile) is not worked out either. A press works out its own hover
 *   data (preMouseDownCallback), and so does a drag, right after its `updateCursor`.
 * - Its passes of the SVG layer: the press, every drag and the pointer up asked Cornerstone to
 *   draw the viewport's annotations again (the viewports in the hover data's `viewportIdsToRender`)
 *   for the SVG brush picture left out above. Nothing else in that layer changes with a stroke, so
 *   the hover data names no viewport to draw while a segmentation is open: a pass over every
 *   measurement tool of the group was 0.2–0.3 ms of each brush move's frame in a CPU profile.
 */
function drawnByPreview(tool: unknown): void {
  const brush = tool as
    | {
        _captureLazyPreviewCircle?: () => void;
        renderAnnotation?: (...args: never[]) => unknown;
        updateCursor?: (event: Event) => void;
        createHoverData?: (...args: never[]) => { viewportIdsToRender?: string[] } | undefined;
      }
    | undefined;
  const capture = brush?._captureLazyPreviewCircle;
  const render = brush?.renderAnnotation;
  const update = brush?.updateCursor;
  const hoverData = brush?.createHoverData;
  if (
    !brush ||
    typeof capture !== 'function' ||
    typeof render !== 'function' ||
    typeof update !== 'function' ||
    typeof hoverData !== 'function'
  )
    return;
  brush.createHoverData = (...args: never[]) => {
    const hover = hoverData.apply(brush, args);
    return hover && session ? { ...hover, viewportIdsToRender: [] } : hover;
  };
  brush._captureLazyPreviewCircle = (): void => {
    if (!session) capture.call(brush);
  };
  brush.renderAnnotation = (...args: never[]): unknown => (session ? false : render.apply(brush, args));
  brush.updateCursor = (event: Event): void => {
    if (!session) update.call(brush, event);
  };
}

/**
 * The brush, threshold brush or eraser on the button and the active segment (the one it paints, or
 * whose layer it erases), with the open segmentation; null for any other tool, no segmentation or
 * no active segment.
 */
function previewedBrushNow() {
  const current = session;
  const state = store.getState();
  const tool = state.tool;
  if (!current || (tool !== 'Brush' && tool !== 'ThresholdBrush' && tool !== 'Eraser')) return null;
  const segment = state.segments.find((item) => item.segmentIndex === state.activeSegment);
  return segment ? { current, state, tool, segment } : null;
}

/** The brush cursor while the brush, the threshold brush or the eraser is on the button, else null. */
function brushCursorLookNow(): BrushCursorLook | null {
  const brush = previewedBrushNow();
  return brush ? { color: brush.segment.color, radiusMm: brush.state.brushSize } : null;
}

/**
 * Puts a labelmap tool on the left button (null: back to reading). Window/level moves to Ctrl +
 * left drag meanwhile, as with the measurement tools, and any measurement tool is put down.
 */
export function activateSegmentTool(name: SegmentToolName | null): void {
  flushStrokeEnd();
  const group = ensureSegmentationTools();
  if (name && useToolStore.getState().activeTool !== null) useToolStore.getState().setActiveTool(null);
  for (const tool of SEGMENT_TOOLS) {
    if (tool !== name) group.setToolDisabled(TOOL_INSTANCES[tool].instance);
  }
  if (name) {
    group.setToolPassive(WindowLevelTool.toolName, { removeAllBindings: true });
    group.setToolActive(WindowLevelTool.toolName, {
      bindings: [{ mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Ctrl }],
    });
    group.setToolActive(TOOL_INSTANCES[name].instance, {
      bindings: [{ mouseButton: MouseBindings.Primary }],
    });
    applyBrushSettings();
  } else if (store.getState().tool !== null && useToolStore.getState().activeTool === null) {
    group.setToolPassive(WindowLevelTool.toolName, { removeAllBindings: true });
    group.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  }
  store.setState({ tool: name });
}

// A measurement tool picked in the palette puts the labelmap tool down.
useToolStore.subscribe((state, previous) => {
  if (
    state.activeTool !== null &&
    previous.activeTool !== state.activeTool &&
    store.getState().tool !== null
  ) {
    flushStrokeEnd();
    const group = ensureSegmentationTools();
    for (const tool of SEGMENT_TOOLS) group.setToolDisabled(TOOL_INSTANCES[tool].instance);
    store.setState({ tool: null });
  }
});

export function setBrushSize(size: number): void {
  flushStrokeEnd();
  store.setState({ brushSize: size });
  applyBrushSettings();
}

export function setThreshold(threshold: { lower: number; upper: number }): void {
  flushStrokeEnd();
  store.setState({ threshold });
  applyBrushSettings();
}

function applyBrushSettings() {
  const group = ensureSegmentationTools();
  const { brushSize, threshold } = store.getState();
  for (const name of ['Brush', 'Eraser', 'ThresholdBrush'] as const)
    toolUtilities.segmentation.setBrushSizeForToolGroup(group.id, brushSize, TOOL_INSTANCES[name].instance);
  const range = threshold ?? windowRange();
  if (range) {
    if (!threshold) store.setState({ threshold: range });
    group.setToolConfiguration(TOOL_INSTANCES.ThresholdBrush.instance, {
      threshold: { range: [range.lower, range.upper], isDynamic: false, dynamicRadius: 0 },
    });
  }
}

/** The active viewport's window as a modality range: the threshold brush's default. */
export function windowRange(): { lower: number; upper: number } | null {
  const handle = viewportInSlot(useViewerStore.getState().activeViewport);
  const voi = handle?.viewport.getProperties().voiRange;
  return voi ? { lower: Math.round(voi.lower), upper: Math.round(voi.upper) } : null;
}

// ---------------------------------------------------------------------------------------------
// Opening a series

/** Image geometry and keys of every image of the stack; loads the images Cornerstone still lacks. */
async function loadStack(imageIds: string[]) {
  await Promise.all(imageIds.map((imageId) => imageLoader.loadAndCacheImage(imageId)));
  const first = cache.getImage(imageIds[0]!);
  if (!first) throw new Error('The series images could not be loaded.');
  const keys = imageIds.map((imageId) => {
    const sopInstanceUID = sopInstanceUIDOfImageId(imageId) ?? '';
    const frame = Number(/[?&]frame=(\d+)/.exec(imageId)?.[1] ?? '1');
    return { sopInstanceUID, frame };
  });
  return { keys, width: first.columns, height: first.rows };
}

function layerImageIds(annotationUid: string, layer: number, imageIds: string[]): string[] {
  const images = imageLoader.createAndCacheDerivedImages(imageIds, {
    targetBuffer: { type: 'Uint8Array' },
    voxelRepresentation: imageLoader.getDefaultLabelmapVoxelRepresentation(),
    getDerivedImageId: (referencedImageId) => `labelmap:${annotationUid}:${layer}:${referencedImageId}`,
  });
  return images.map((image) => image.imageId);
}

function scalarsOf(imageId: string): Uint8Array {
  const image = cache.getImage(imageId);
  if (!image) throw new Error('A labelmap image left the cache.');
  return image.voxelManager!.getScalarData() as Uint8Array;
}

function resetModified(imageId: string) {
  cache.getImage(imageId)?.voxelManager?.resetModifiedSlices();
}

/**
 * Shows the segmentation of the series in `slot` (the stored one, else a new one), ready to
 * paint; `wanted` (an annotation uid) names which stored one (the AI review's "edit" opens the
 * reader's copy of an AI SEG), else the newest. A segmentation already open elsewhere is saved and
 * closed first.
 */
export async function openSegmentation(slot: number, wanted?: string): Promise<void> {
  const viewer = useViewerStore.getState();
  const handle = viewportInSlot(slot);
  const seriesInstanceUID = viewer.assignments[slot] ?? null;
  const studyInstanceUID = viewer.detail?.study.studyInstanceUID ?? null;
  if (!handle || !seriesInstanceUID || !studyInstanceUID) {
    store.setState({ status: 'failed', error: 'no-series' });
    return;
  }
  if (
    session &&
    session.seriesInstanceUID === seriesInstanceUID &&
    session.viewportId === handle.viewport.id &&
    (!wanted || session.annotationUid === wanted)
  )
    return;
  // Cornerstone 5.14 draws and edits labelmaps on GPU stack viewports only (its CPU stack path
  // has no actors for them): the panel offers to reload with GPU rendering.
  if (renderingChoice().mode === 'cpu') {
    store.setState({ status: 'failed', error: 'cpu-rendering' });
    return;
  }
  await closeSegmentation();
  store.setState({ status: 'loading', error: null, seriesInstanceUID, segments: [], activeSegment: null });
  try {
    const viewport = handle.viewport;
    const imageIds = viewport.getImageIds();
    const [{ keys, width, height }, heads] = await Promise.all([
      loadStack(imageIds),
      host.api.call('segmentation.list', { seriesInstanceUID }),
    ]);
    const head = wanted ? heads.find((item) => item.annotationUid === wanted) : heads.at(-1);
    const stored = head
      ? await host.api.call('segmentation.load', { annotationUid: head.annotationUid })
      : null;
    const annotationUid = stored?.annotationUid ?? coreUtilities.uuidv4();
    const layers = Math.max(1, stored?.layers ?? 1);
    const layerIds: string[] = [];
    const labelmaps: Record<
      string,
      { labelmapId: string; storageKind: 'stack'; imageIds: string[]; referencedImageIds: string[] }
    > = {};
    for (let layer = 0; layer < layers; layer++) {
      const labelmapId = layer === 0 ? `${annotationUid}-storage-0` : `${annotationUid}-storage-L${layer}`;
      const ids = layerImageIds(annotationUid, layer, imageIds);
      labelmaps[labelmapId] = {
        labelmapId,
        storageKind: 'stack',
        imageIds: ids,
        referencedImageIds: imageIds,
      };
      layerIds.push(labelmapId);
    }
    if (stored) {
      const indexOf = new Map(keys.map((key, index) => [`${key.sopInstanceUID}#${key.frame}`, index]));
      for (const slice of stored.slices) {
        const index = indexOf.get(`${slice.sopInstanceUID}#${slice.frame}`);
        const labelmapId = layerIds[slice.layer];
        if (index === undefined || !labelmapId) continue;
        const imageId = labelmaps[labelmapId]!.imageIds[index]!;
        scalarsOf(imageId).set(decodeSlice(slice.data, width * height));
      }
    }
    const segments = stored?.segments ?? [];
    const segmentBindings: Record<number, { labelmapId: string; labelValue: number }> = {};
    for (const segment of segments)
      segmentBindings[segment.segmentIndex] = {
        labelmapId: layerIds[segment.layer]!,
        labelValue: segment.labelValue,
      };
    segmentation.addSegmentations([
      {
        segmentationId: annotationUid,
        representation: {
          type: Labelmap,
          data: {
            imageIds: labelmaps[layerIds[0]!]!.imageIds,
            referencedImageIds: imageIds,
            labelmaps,
            segmentBindings,
            primaryLabelmapId: layerIds[0],
          } as never,
        },
        config: {
          label: 'Segmentation',
          segments: Object.fromEntries(
            segments.map((segment) => [
              segment.segmentIndex,
              {
                segmentIndex: segment.segmentIndex,
                label: segment.name,
                locked: segment.locked,
                active: false,
              },
            ]),
          ) as never,
        },
      },
    ]);
    for (const ids of Object.values(labelmaps)) for (const id of ids.imageIds) resetModified(id);
    const stopOpaqueLayers = drawLayersInOpaquePass(viewport, annotationUid);
    if (softwareWebGl())
      segmentation.config.style.setStyle(
        { viewportId: viewport.id, segmentationId: annotationUid, type: Labelmap },
        { renderOutline: false, renderOutlineInactive: false },
      );
    segmentation.addLabelmapRepresentationToViewport(viewport.id, [{ segmentationId: annotationUid }]);
    const strokes = installStrokePreview(viewport, {
      segmentationId: annotationUid,
      lookNow: strokeLookNow,
    });
    const cursor = installBrushCursor(viewport, {
      lookNow: brushCursorLookNow,
      subscribe: (listener) => store.subscribe(listener),
    });
    session = {
      slot,
      viewportId: viewport.id,
      studyInstanceUID,
      seriesInstanceUID,
      annotationUid,
      imageIds,
      keys,
      width,
      height,
      layerIds,
      versionId: stored?.versionId ?? null,
      dirtyMeta: false,
      disposed: false,
      stopOpaqueLayers,
      strokes,
      cursor,
    };
    store.setState({
      status: 'ready',
      annotationUid,
      openSource: stored ? { source: stored.source, author: stored.author } : null,
      segments,
      activeSegment: segments[0]?.segmentIndex ?? null,
      save: 'saved',
      interpolation: { phase: 'idle' },
    });
    for (const segment of segments) applySegmentDisplay(segment);
    if (segments[0]) segmentation.segmentIndex.setActiveSegmentIndex(annotationUid, segments[0].segmentIndex);
    viewport.render();
  } catch (error) {
    store.setState({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Draws the segmentation's labelmap layers in vtk.js's opaque pass, alpha-blended over the image
 * in actor order, instead of its order-independent translucency pass. Cornerstone marks labelmap
 * actors translucent, so every render of the viewport ran that pass: the image drawn again for
 * depth, two half-float targets cleared and accumulated at the canvas size, and a compositing
 * pass. With WebGL on the CPU (SwiftShader, what headless Chromium has here) a render after a
 * stroke took about 0.6 s that way against 0.3 s (docs/annotation.md "Speed"). One image under its
 * labelmap layers, drawn in a known order, blends to the same picture: nothing needs order
 * independence.
 *
 * Cornerstone sets the actors translucent again when it creates one (a new slice) and when a
 * segment's style changes; the layer is made opaque again when it is added (ACTORS_CHANGED comes
 * before the render that draws it) and after each segmentation render.
 */
function drawLayersInOpaquePass(viewport: StackViewport, segmentationId: string): () => void {
  const makeOpaque = (): void => {
    for (const entry of viewport.getActors()) {
      const representation = (entry as { representationUID?: string }).representationUID;
      if (!representation?.startsWith(`${segmentationId}-`)) continue;
      const actor = entry.actor as unknown as {
        getIsOpaque?: () => boolean;
        setForceOpaque?: (value: boolean) => boolean;
        setForceTranslucent?: (value: boolean) => boolean;
      };
      if (actor.getIsOpaque?.() !== false) continue;
      actor.setForceTranslucent?.(false);
      actor.setForceOpaque?.(true);
    }
  };
  const afterRender = (event: Event): void => {
    const detail = (event as CustomEvent<{ viewportId?: string }>).detail;
    if (detail?.viewportId === viewport.id) makeOpaque();
  };
  viewport.element.addEventListener(CoreEnums.Events.ACTORS_CHANGED, makeOpaque);
  eventTarget.addEventListener(ToolEvents.SEGMENTATION_RENDERED, afterRender);
  return () => {
    viewport.element.removeEventListener(CoreEnums.Events.ACTORS_CHANGED, makeOpaque);
    eventTarget.removeEventListener(ToolEvents.SEGMENTATION_RENDERED, afterRender);
  };
}

/**
 * WebGL on the CPU (SwiftShader, llvmpipe). There the labelmap outline, a per-pixel neighbourhood
 * test in the fragment shader, more than doubled the cost of drawing a layer (measured: ~0.3 s
 * against ~0.17 s per render, ~0.13 s without the layer), so layers are drawn filled only; on a
 * GPU the outline costs nothing noticeable and stays.
 */
function softwareWebGl(): boolean {
  try {
    return detectRenderingCapabilities().softwareRasterizer;
  } catch {
    return false;
  }
}

/** Reloads the page with GPU rendering (`?rendering=gpu`); the session brings the reader back. */
export function reloadWithGpuRendering(): void {
  const url = new URL(window.location.href);
  url.searchParams.set('rendering', 'gpu');
  url.searchParams.set('segment', '1');
  window.location.assign(url.href);
}

/** Saves what is pending and takes the segmentation off its viewport. */
export async function closeSegmentation(): Promise<void> {
  const current = session;
  if (!current) return;
  await flushSave();
  current.disposed = true;
  current.stopOpaqueLayers();
  current.strokes.stop();
  current.cursor.stop();
  session = null;
  activateSegmentTool(null);
  try {
    segmentation.removeSegmentationRepresentations(current.viewportId, {
      segmentationId: current.annotationUid,
    });
    segmentation.removeSegmentation(current.annotationUid);
  } catch {
    // The viewport went away with its layout slot.
  }
  // Its labelmap images leave the cache, so the same segmentation can be opened again (their ids
  // derive from it: Cornerstone refuses to cache an id twice).
  current.layerIds.forEach((_, layer) => {
    for (const imageId of current.imageIds) {
      const labelmapImageId = `labelmap:${current.annotationUid}:${layer}:${imageId}`;
      if (cache.getImage(labelmapImageId)) cache.removeImageLoadObject(labelmapImageId, { force: true });
    }
  });
  store.setState({
    status: 'idle',
    openSource: null,
    annotationUid: null,
    segments: [],
    activeSegment: null,
    seriesInstanceUID: null,
  });
}

/**
 * How a brush, threshold brush or eraser stroke starting now on `imageId` will look once
 * Cornerstone draws it (strokePreview.ts), or null when no preview applies: another tool, no
 * segment, a brush on a hidden or locked one.
 */
function strokeLookNow(imageId: string): StrokeLook | null {
  const previewed = previewedBrushNow();
  if (!previewed) return null;
  const { current, state, tool, segment } = previewed;
  if (tool === 'Eraser') return eraserLookNow(current, imageId, segment.segmentIndex, state.brushSize);
  if (!segment.visible || segment.locked) return null;
  const color = segmentation.config.color.getSegmentIndexColor(
    current.viewportId,
    current.annotationUid,
    segment.segmentIndex,
  ) as number[] | undefined;
  const rgba: [number, number, number, number] = color
    ? [color[0] ?? 0, color[1] ?? 0, color[2] ?? 0, color[3] ?? 255]
    : rgbOf(segment.color);
  const brush = ensureSegmentationTools().getToolInstance(TOOL_INSTANCES[tool].instance) as
    { configuration?: { brushSize?: number; threshold?: { range?: number[] } } } | undefined;
  let accepts: StrokeLook['accepts'] = null;
  if (tool === 'ThresholdBrush') {
    // As Cornerstone's threshold test: the shown image's value at the voxel within the range.
    const range = brush?.configuration?.threshold?.range;
    const image = cache.getImage(imageId)?.voxelManager;
    if (!range || range.length < 2 || !image) return null;
    const [lower, upper] = [range[0]!, range[1]!];
    accepts = (index) => {
      const value = image.getAtIndex(index) as number;
      return lower <= value && value <= upper;
    };
  }
  const binding = bindingOf(segment.segmentIndex);
  const labelmapId = current.layerIds[binding.layer];
  const layers = layersNow();
  const layerImageIdsNow = labelmapId ? layers.get(labelmapId) : undefined;
  const index = current.imageIds.indexOf(imageId);
  const labelmapImageId = index >= 0 ? layerImageIdsNow?.[index] : undefined;
  const voxels = labelmapImageId && cache.getImage(labelmapImageId) ? scalarsOf(labelmapImageId) : null;
  return {
    rgba,
    fillAlpha: segment.opacity ?? 0.5,
    radiusMm: brush?.configuration?.brushSize ?? state.brushSize,
    voxels,
    labelValue: binding.labelValue,
    accepts: leavingLocked(accepts, segment.segmentIndex, labelmapId, voxels, layers, index),
    erase: null,
  };
}

/**
 * `accepts`, and a voxel of a locked segment is not painted: Cornerstone's brush leaves a voxel of
 * the layer it paints whose value is a locked segment's number (the value compared as it is), and
 * one where another layer holds a locked segment's voxel. Without locked segments, `accepts` as is.
 */
function leavingLocked(
  accepts: StrokeLook['accepts'],
  activeSegment: number,
  paintedLayer: string | undefined,
  paintedVoxels: ArrayLike<number> | null,
  layers: Map<string, string[]>,
  imageIndex: number,
): StrokeLook['accepts'] {
  const locked = store
    .getState()
    .segments.filter((segment) => segment.locked && segment.segmentIndex !== activeSegment);
  if (locked.length === 0 || imageIndex < 0) return accepts;
  const lockedNumbers = new Set(locked.map((segment) => segment.segmentIndex));
  const others: Array<{ voxels: ArrayLike<number>; values: Set<number> }> = [];
  for (const [labelmapId, imageIds] of layers) {
    if (labelmapId === paintedLayer) continue;
    const values = new Set<number>();
    for (const segment of locked) {
      const binding = bindingOf(segment.segmentIndex);
      if (session?.layerIds[binding.layer] === labelmapId) values.add(binding.labelValue);
    }
    const layerImageId = imageIds[imageIndex];
    if (values.size > 0 && layerImageId && cache.getImage(layerImageId))
      others.push({ voxels: scalarsOf(layerImageId), values });
  }
  return (voxel) =>
    !(paintedVoxels && lockedNumbers.has(paintedVoxels[voxel]!)) &&
    others.every((layer) => !layer.values.has(layer.voxels[voxel]!)) &&
    (accepts === null || accepts(voxel));
}

/**
 * The eraser's stroke as Cornerstone will apply and draw it (strokePreview.ts, eraseLook.ts). It
 * clears the active segment's layer (Cornerstone's `getCurrentLabelmapImageIdForViewport`: that
 * layer's image for the image shown, else the first layer), and there only the active segment's
 * voxels, none if it is locked (erasesActiveSegmentOnly). A voxel it clears shows
 * the image's colour as the viewport's image actor maps it, with every other layer's visible
 * segment blended over it in layer order. Null (the stroke renders at pointer up, as before) when
 * something is missing: the layer's voxels, the image actor's scalars or colour function, or an
 * image of more than one component.
 */
function eraserLookNow(
  current: Session,
  imageId: string,
  activeSegment: number,
  brushSize: number,
): StrokeLook | null {
  const index = current.imageIds.indexOf(imageId);
  if (index < 0) return null;
  const layers = layersNow();
  const data = segmentation.state.getSegmentation(current.annotationUid)?.representationData.Labelmap as
    { segmentBindings?: Record<number, { labelmapId: string; labelValue: number }> } | undefined;
  const bindings = data?.segmentBindings ?? {};
  const firstLayer = layers.keys().next().value;
  const erasedLayer = bindings[activeSegment]?.labelmapId ?? firstLayer;
  const erasedImageId = erasedLayer ? layers.get(erasedLayer)?.[index] : undefined;
  if (!erasedImageId || !cache.getImage(erasedImageId)) return null;
  const viewport = getEnabledElementByViewportId(current.viewportId)?.viewport as StackViewport | undefined;
  const imagePixels = imagePixelsOf(viewport);
  if (!imagePixels) return null;
  const { segments } = store.getState();
  const locked = segments.filter((segment) => segment.locked).map((segment) => segment.segmentIndex);
  // What the stroke takes: the active segment's voxels only (erasesActiveSegmentOnly).
  const erases = erasedValues(current.annotationUid, locked);
  // The layers drawn over the image once erased: every other layer, with its visible segments.
  const others: LayerOnImage[] = [];
  for (const [labelmapId, imageIds] of layers) {
    if (labelmapId === erasedLayer) continue;
    const layerImageId = imageIds[index];
    if (!layerImageId || !cache.getImage(layerImageId)) continue;
    const paints = new Map<number, SegmentPaint>();
    for (const segment of segments) {
      const binding = bindings[segment.segmentIndex];
      const onLayer = binding ? binding.labelmapId === labelmapId : labelmapId === firstLayer;
      if (!onLayer || !segment.visible) continue;
      const color = segmentation.config.color.getSegmentIndexColor(
        current.viewportId,
        current.annotationUid,
        segment.segmentIndex,
      ) as number[] | undefined;
      const [r, g, b, a] = color
        ? [color[0] ?? 0, color[1] ?? 0, color[2] ?? 0, color[3] ?? 255]
        : rgbOf(segment.color);
      paints.set(binding?.labelValue ?? segment.segmentIndex, [
        r,
        g,
        b,
        (a / 255) * (segment.opacity ?? 0.5),
      ]);
    }
    if (paints.size > 0) others.push({ voxels: scalarsOf(layerImageId), paints });
  }
  const { scalars, colourOf } = imagePixels;
  return {
    rgba: [0, 0, 0, 0],
    fillAlpha: 0,
    radiusMm: brushSize,
    voxels: null,
    labelValue: 0,
    accepts: null,
    erase: {
      voxels: scalarsOf(erasedImageId),
      keeps: (value) => !erases.has(value),
      shownErased: (voxel, out, offset) =>
        erasedColour(colourOf(scalars[voxel]!), others, voxel, out, offset),
    },
  };
}

/**
 * The scalars the viewport's image actor draws (its input, the image shown) and the colour it gives
 * each: vtk.js's image mapper with the actor's colour transfer function (eraseLook.ts). Null for an
 * image of more than one component, or before the actor has its data.
 */
function imagePixelsOf(
  viewport: StackViewport | undefined,
): { scalars: ArrayLike<number>; colourOf: (value: number) => readonly [number, number, number] } | null {
  const actor = viewport?.getDefaultActor()?.actor as
    | {
        getMapper?: () => {
          getInputData?: () => {
            getPointData(): {
              getScalars(): { getData(): ArrayLike<number>; getNumberOfComponents(): number } | null;
            };
          };
        };
        getProperty?: () => { getRGBTransferFunction?: (index: number) => ColourFunction | null };
      }
    | undefined;
  const scalars = actor?.getMapper?.()?.getInputData?.()?.getPointData().getScalars();
  const colours = actor?.getProperty?.()?.getRGBTransferFunction?.(0);
  if (!scalars || !colours || scalars.getNumberOfComponents() !== 1) return null;
  return { scalars: scalars.getData(), colourOf: imageColours(colours) };
}

// ---------------------------------------------------------------------------------------------
// Segments

function rgbOf(hex: string): [number, number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255, 255];
}

function applySegmentDisplay(segment: SegmentInfo) {
  if (!session) return;
  const { viewportId, annotationUid } = session;
  segmentation.config.color.setSegmentIndexColor(
    viewportId,
    annotationUid,
    segment.segmentIndex,
    rgbOf(segment.color),
  );
  segmentation.config.visibility.setSegmentIndexVisibility(
    viewportId,
    { segmentationId: annotationUid, type: Labelmap },
    segment.segmentIndex,
    segment.visible,
  );
  segmentation.segmentLocking.setSegmentIndexLocked(annotationUid, segment.segmentIndex, segment.locked);
  if (segment.opacity !== undefined)
    segmentation.config.style.setStyle(
      { viewportId, segmentationId: annotationUid, type: Labelmap, segmentIndex: segment.segmentIndex },
      { fillAlpha: segment.opacity, fillAlphaInactive: segment.opacity },
    );
}

/**
 * Segment numbers a new segment never takes in a segmentation of a series: those of the series' AI
 * SEGs (renderer/src/ai/), so a segment the reader adds to their copy of one never collides with
 * an AI segment still to be decided (which would join the copy under its own number).
 */
let reservedSegmentNumbers: (seriesInstanceUID: string) => readonly number[] = () => [];

export function reserveSegmentNumbers(provider: (seriesInstanceUID: string) => readonly number[]): void {
  reservedSegmentNumbers = provider;
}

/** A new segment for a schema label; it becomes the one the tools paint. */
export function addSegment(label: Label, language: string): number | null {
  if (!session) return null;
  flushStrokeEnd();
  const { segments } = store.getState();
  const segmentIndex =
    Math.max(
      0,
      ...segments.map((segment) => segment.segmentIndex),
      ...reservedSegmentNumbers(session.seriesInstanceUID),
    ) + 1;
  if (segmentIndex > 255) return null;
  segmentation.segmentIndex.setActiveSegmentIndex(session.annotationUid, segmentIndex);
  const binding = bindingOf(segmentIndex);
  const segment: SegmentInfo = {
    segmentIndex,
    labelId: label.id,
    name: language.startsWith('zh') ? label.name['zh-CN'] : label.name.en,
    color: label.color,
    visible: true,
    locked: false,
    opacity: 0.5,
    layer: binding.layer,
    labelValue: binding.labelValue,
  };
  const state = segmentation.state.getSegmentation(session.annotationUid);
  if (state?.segments[segmentIndex]) state.segments[segmentIndex].label = segment.name;
  store.setState({ segments: [...segments, segment], activeSegment: segmentIndex });
  applySegmentDisplay(segment);
  markMetaChanged();
  return segmentIndex;
}

export function selectSegment(segmentIndex: number): void {
  if (!session) return;
  flushStrokeEnd();
  segmentation.segmentIndex.setActiveSegmentIndex(session.annotationUid, segmentIndex);
  store.setState({ activeSegment: segmentIndex });
}

export function updateSegment(
  segmentIndex: number,
  patch: Partial<Pick<SegmentInfo, 'visible' | 'locked' | 'color' | 'opacity'>>,
): void {
  if (!session) return;
  flushStrokeEnd();
  const segments = store
    .getState()
    .segments.map((segment) => (segment.segmentIndex === segmentIndex ? { ...segment, ...patch } : segment));
  store.setState({ segments });
  const segment = segments.find((item) => item.segmentIndex === segmentIndex);
  if (segment) applySegmentDisplay(segment);
  markMetaChanged();
  getEnabledElementByViewportId(session.viewportId)?.viewport.render();
}

/** The (layer, label value) Cornerstone holds a segment's voxels under now. */
function bindingOf(segmentIndex: number): { layer: number; labelValue: number } {
  const data = session
    ? (segmentation.state.getSegmentation(session.annotationUid)?.representationData.Labelmap as
        { segmentBindings?: Record<number, { labelmapId: string; labelValue: number }> } | undefined)
    : undefined;
  const binding = data?.segmentBindings?.[segmentIndex];
  if (!binding || !session) return { layer: 0, labelValue: segmentIndex };
  return { layer: layerIndexOf(binding.labelmapId), labelValue: binding.labelValue };
}

/** A layer's stored index; a private layer Cornerstone just made gets the next one. */
function layerIndexOf(labelmapId: string): number {
  if (!session) return 0;
  let index = session.layerIds.indexOf(labelmapId);
  if (index < 0) {
    session.layerIds.push(labelmapId);
    index = session.layerIds.length - 1;
  }
  return index;
}

/** Every layer Cornerstone has, by labelmapId, with its labelmap image ids. */
function layersNow(): Map<string, string[]> {
  const layers = new Map<string, string[]>();
  if (!session) return layers;
  const data = segmentation.state.getSegmentation(session.annotationUid)?.representationData.Labelmap as
    { labelmaps?: Record<string, { imageIds?: string[] }> } | undefined;
  for (const [labelmapId, layer] of Object.entries(data?.labelmaps ?? {}))
    if (layer.imageIds) layers.set(labelmapId, layer.imageIds);
  return layers;
}

// ---------------------------------------------------------------------------------------------
// Saving

function markMetaChanged() {
  if (!session) return;
  session.dirtyMeta = true;
  scheduleSave();
}

function scheduleSave() {
  store.setState({ save: 'unsaved' });
  if (saveTimer !== null) window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => {
    saveTimer = null;
    // Never in a stroke: while a stroke is painted, the save waits for its pointer up. Between
    // strokes (renders still held until the reader pauses) it goes on, so painting without a pause
    // is still saved within a second.
    if (session?.strokes.painting()) scheduleSave();
    else void flushSave();
  }, SAVE_DELAY_MS);
}

eventTarget.addEventListener(ToolEvents.SEGMENTATION_DATA_MODIFIED, (event: Event) => {
  const detail = (event as CustomEvent<{ segmentationId?: string }>).detail;
  if (session && detail?.segmentationId === session.annotationUid) scheduleSave();
});

/** Saves now what changed (waits for a save in flight first). */
export async function flushSave(): Promise<void> {
  flushStrokeEnd();
  if (saveTimer !== null) {
    window.clearTimeout(saveTimer);
    saveTimer = null;
  }
  while (saving) await saving;
  const current = session;
  if (!current) return;
  saving = saveOnce(current).finally(() => {
    saving = null;
  });
  await saving;
}

async function saveOnce(current: Session): Promise<void> {
  const slices: LabelmapSliceChunk[] = [];
  const cleared: string[] = [];
  for (const [labelmapId, imageIds] of layersNow()) {
    const layer = layerIndexOf(labelmapId);
    imageIds.forEach((imageId, index) => {
      const voxelManager = cache.getImage(imageId)?.voxelManager;
      if (!voxelManager || voxelManager.modifiedSlices.size === 0) return;
      const key = current.keys[index]!;
      slices.push({
        layer,
        sopInstanceUID: key.sopInstanceUID,
        frame: key.frame,
        data: encodeSlice(scalarsOf(imageId)),
      });
      cleared.push(imageId);
    });
  }
  if (slices.length === 0 && !current.dirtyMeta) {
    store.setState({ save: 'saved' });
    return;
  }
  // The bindings may have changed (a segment moved to a private layer by an overlapping stroke).
  const segments = store
    .getState()
    .segments.map((segment) => ({ ...segment, ...bindingOf(segment.segmentIndex) }));
  store.setState({ save: 'saving', segments });
  for (const imageId of cleared) resetModified(imageId);
  current.dirtyMeta = false;
  const versionId = coreUtilities.uuidv4();
  const header = {
    annotationUid: current.annotationUid,
    versionId,
    parentVersionId: current.versionId,
    studyInstanceUID: current.studyInstanceUID,
    seriesInstanceUID: current.seriesInstanceUID,
    width: current.width,
    height: current.height,
    bits: 8 as const,
    layers: Math.max(1, current.layerIds.length),
    segments,
  };
  try {
    // Split under the web host's request limit: later parts add slices to the same version.
    let batch: LabelmapSliceChunk[] = [];
    let chars = 0;
    let sent = false;
    for (const slice of slices) {
      if (batch.length > 0 && chars + slice.data.length > MAX_SAVE_CHARS) {
        await host.api.call('segmentation.saveSlices', { ...header, slices: batch });
        sent = true;
        batch = [];
        chars = 0;
      }
      batch.push(slice);
      chars += slice.data.length;
    }
    if (batch.length > 0 || !sent)
      await host.api.call('segmentation.saveSlices', { ...header, slices: batch });
    current.versionId = versionId;
    if (session === current) store.setState({ save: saveTimer === null ? 'saved' : 'unsaved' });
  } catch {
    // Keep the marks so the next save sends these slices again.
    for (const imageId of cleared) cache.getImage(imageId)?.voxelManager?.modifiedSlices.add(0);
    current.dirtyMeta = true;
    if (session === current) store.setState({ save: 'failed' });
  }
}

// ---------------------------------------------------------------------------------------------
// For interpolation and tests

export interface OpenSegmentation {
  annotationUid: string;
  viewportId: string;
  imageIds: string[];
  width: number;
  height: number;
  /** Labelmap image ids of the layer a segment is on, and its label value there. */
  segmentVoxels(segmentIndex: number): { imageIds: string[]; labelValue: number } | null;
}

export function currentSegmentation(): OpenSegmentation | null {
  flushStrokeEnd();
  const current = session;
  if (!current) return null;
  return {
    annotationUid: current.annotationUid,
    viewportId: current.viewportId,
    imageIds: current.imageIds,
    width: current.width,
    height: current.height,
    segmentVoxels(segmentIndex) {
      const binding = bindingOf(segmentIndex);
      const labelmapId = current.layerIds[binding.layer];
      const imageIds = labelmapId ? layersNow().get(labelmapId) : undefined;
      return imageIds ? { imageIds, labelValue: binding.labelValue } : null;
    },
  };
}

/** What the page holds now, per non-empty (layer, image): the same digest main computes. */
export async function sliceHashesNow(): Promise<
  Array<{ layer: number; sopInstanceUID: string; frame: number; sha256: string; labelled: number }>
> {
  flushStrokeEnd();
  const current = session;
  if (!current) return [];
  const hashes = [];
  for (const [labelmapId, imageIds] of layersNow()) {
    const layer = layerIndexOf(labelmapId);
    for (let index = 0; index < imageIds.length; index++) {
      const voxels = scalarsOf(imageIds[index]!);
      let labelled = 0;
      for (const value of voxels) if (value !== 0) labelled++;
      if (labelled === 0) continue;
      const key = current.keys[index]!;
      hashes.push({ layer, ...key, sha256: await sliceSha256(voxels), labelled });
    }
  }
  return hashes.sort(
    (a, b) => a.layer - b.layer || a.sopInstanceUID.localeCompare(b.sopInstanceUID) || a.frame - b.frame,
  );
}

/** Voxels of a segment on each image of the stack (end-to-end tests and the benchmark read it). */
export function segmentVoxelCounts(segmentIndex: number): number[] {
  const voxels = currentSegmentation()?.segmentVoxels(segmentIndex);
  if (!voxels) return [];
  return voxels.imageIds.map((imageId) => {
    let count = 0;
    for (const value of scalarsOf(imageId)) if (value === voxels.labelValue) count++;
    return count;
  });
}

export function stackViewportOf(segmentationNow: OpenSegmentation): StackViewport | null {
  return (getEnabledElementByViewportId(segmentationNow.viewportId)?.viewport as StackViewport) ?? null;
}

/**
 * What end-to-end tests and the benchmark read from the page: the labelmap as the page holds it.
 * Read-only views of data the page already shows; nothing here changes state except saving.
 */
export interface SegmentationProbe {
  sliceHashes: typeof sliceHashesNow;
  voxelCounts: typeof segmentVoxelCounts;
  flushSave: typeof flushSave;
}

declare global {
  interface Window {
    radlabelSegmentation?: SegmentationProbe;
  }
}

window.radlabelSegmentation = { sliceHashes: sliceHashesNow, voxelCounts: segmentVoxelCounts, flushSave };

flushStrokeEndBeforeInput();
