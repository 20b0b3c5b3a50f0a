/**
 * The MPR machinery, kept apart from React: a rendering engine of its own with three ORTHOGRAPHIC
 * volume viewports (axial, sagittal, coronal), a tool group (crosshairs or window/level on the left
 * button, zoom right, pan middle, wheel through slices), window/level kept equal on the three
 * planes, and the series streamed into a Cornerstone volume with progress.
 *
 * Volume viewports have no CPU path in Cornerstone ("VolumeViewports cannot be used whilst CPU
 * Fallback Rendering is enabled"). Where the stack viewer renders on the CPU (software WebGL, see
 * imaging/renderingMode.ts), the MPR engine switches Cornerstone to WebGL while it is open (the
 * stack viewports are unmounted then) and back when it closes.
 *
 * Memory: the volume is image-based in Cornerstone 5 (its voxels are the cached images of the
 * series), so a series already scrolled through is not held twice; the image cache limit
 * (initImaging.ts) bounds both. Closing MPR deletes the volume's texture in the engine's WebGL
 * context (releaseMprVolume), removes the volume from the cache and marks the context lost.
 */
import {
  Enums,
  RenderingEngine,
  type Types,
  type VolumeViewport,
  cache,
  eventTarget,
  getConfiguration,
  getShouldUseCPURendering,
  setUseCPURendering,
  setVolumesForViewports,
  utilities,
  volumeLoader,
} from '@cornerstonejs/core';
import {
  CrosshairsTool,
  Enums as ToolEnums,
  PanTool,
  StackScrollTool,
  SynchronizerManager,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  synchronizers,
} from '@cornerstonejs/tools';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { initImaging } from '../../imaging/initImaging.js';

export const MPR_ENGINE_ID = 'radlabel-mpr';
const TOOL_GROUP_ID = 'radlabel-mpr';
const VOI_SYNC_ID = 'radlabel-mpr-voi';

export type MprPlane = 'axial' | 'sagittal' | 'coronal';
export const MPR_PLANES: readonly MprPlane[] = ['axial', 'sagittal', 'coronal'];
export const mprViewportId = (plane: MprPlane): string => `mpr-${plane}`;

const orientationOf: Record<MprPlane, Enums.OrientationAxis> = {
  axial: Enums.OrientationAxis.AXIAL,
  sagittal: Enums.OrientationAxis.SAGITTAL,
  coronal: Enums.OrientationAxis.CORONAL,
};

/** What the left mouse button does in MPR. */
export type MprLeftTool = 'crosshairs' | 'windowLevel';

export interface MprEngine {
  engine: RenderingEngine;
  viewport(plane: MprPlane): VolumeViewport;
  setLeftTool(tool: MprLeftTool): void;
  /** The volume is on the three planes: the left-button tool chosen so far takes effect. */
  volumeSet(): void;
  dispose(): void;
}

/** Colours of each plane's reference lines (as in OHIF / Slicer: axial red, sagittal yellow, coronal green). */
export const planeColour: Record<MprPlane, string> = {
  axial: 'rgb(230, 70, 70)',
  sagittal: 'rgb(230, 200, 60)',
  coronal: 'rgb(80, 200, 110)',
};

function planeOfViewportId(viewportId: string): MprPlane | undefined {
  return MPR_PLANES.find((plane) => mprViewportId(plane) === viewportId);
}

/**
 * Cornerstone looks for the image nearest a plane (getClosestImageId) on every camera change of a
 * volume viewport (the crosshairs ask several times per change) and warns once for each image
 * whose header is not loaded yet: while a volume streams in, hundreds of console messages per
 * camera change, which took most of the seconds between choosing MPR and the planes drawn
 * (measured: 7 of 10 s). Those images are skipped with or without the warning.
 */
function quietPerImageWarnings(): void {
  utilities.logger.getLogger('cs3d', 'core', 'utilities', 'getClosestImageId').setLevel('error');
}

/**
 * Cornerstone's context-pool engine opens `webGlContextCount` (7) WebGL contexts, but puts every
 * volume viewport on the first one (the others serve stack viewports): the MPR engine is made with
 * a pool of one, so opening MPR creates one context instead of seven.
 */
function withOneWebGLContext<T>(create: () => T): T {
  const { rendering } = getConfiguration();
  if (!rendering) return create();
  const count = rendering.webGlContextCount;
  rendering.webGlContextCount = 1;
  try {
    return create();
  } finally {
    rendering.webGlContextCount = count;
  }
}

/** The WebGL contexts of an engine's context pool (Cornerstone keeps the pool private). */
function webglContextsOf(engine: RenderingEngine): WebGLRenderingContext[] {
  const pool = (
    engine as unknown as {
      contextPool?: {
        getAllContexts(): { getOpenGLRenderWindow?(): { getContext?(): unknown } | undefined }[];
      };
    }
  ).contextPool;
  const contexts: WebGLRenderingContext[] = [];
  for (const window of pool?.getAllContexts() ?? []) {
    const context = window.getOpenGLRenderWindow?.()?.getContext?.();
    if (context instanceof WebGL2RenderingContext || context instanceof WebGLRenderingContext)
      contexts.push(context);
  }
  return contexts;
}

/** Starts the engine on the three elements; the caller disposes it (closing MPR). */
export function createMprEngine(elements: Record<MprPlane, HTMLDivElement>): MprEngine {
  initImaging();
  quietPerImageWarnings();
  const cpuBefore = getShouldUseCPURendering();
  if (cpuBefore) setUseCPURendering(false, false);
  const engine = withOneWebGLContext(() => new RenderingEngine(MPR_ENGINE_ID));
  engine.setViewports(
    MPR_PLANES.map((plane) => ({
      viewportId: mprViewportId(plane),
      type: Enums.ViewportType.ORTHOGRAPHIC,
      element: elements[plane],
      defaultOptions: { orientation: orientationOf[plane], background: [0, 0, 0] as Types.Point3 },
    })),
  );
  ToolGroupManager.destroyToolGroup(TOOL_GROUP_ID);
  const group = ToolGroupManager.createToolGroup(TOOL_GROUP_ID) as ToolTypes.IToolGroup;
  for (const plane of MPR_PLANES) group.addViewport(mprViewportId(plane), MPR_ENGINE_ID);
  group.addTool(CrosshairsTool.toolName, {
    getReferenceLineColor: (viewportId: string) => {
      const plane = planeOfViewportId(viewportId);
      return plane ? planeColour[plane] : 'rgb(200, 200, 200)';
    },
    getReferenceLineControllable: () => true,
    // Needed for a click to move the other planes (CrosshairsTool._jump); lines can also be rotated.
    getReferenceLineDraggableRotatable: () => true,
    getReferenceLineSlabThicknessControlsOn: () => false,
  });
  group.addTool(WindowLevelTool.toolName);
  group.addTool(ZoomTool.toolName);
  group.addTool(PanTool.toolName);
  group.addTool(StackScrollTool.toolName);
  const { MouseBindings } = ToolEnums;
  group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });

  SynchronizerManager.destroySynchronizer(VOI_SYNC_ID);
  const voiSync = synchronizers.createVOISynchronizer(VOI_SYNC_ID, {
    syncInvertState: true,
    syncColormap: false,
  });
  for (const plane of MPR_PLANES)
    voiSync.add({ renderingEngineId: MPR_ENGINE_ID, viewportId: mprViewportId(plane) });

  // The left-button tool is applied once the volume is on the planes: active crosshairs recompute
  // their centre on every camera change, and setting a volume changes each plane's camera several
  // times (about 0.4 s of the time to the first drawn planes in the profile).
  let leftTool: MprLeftTool = 'crosshairs';
  let planesSet = false;
  const applyLeftTool = (tool: MprLeftTool) => {
    const primary = { bindings: [{ mouseButton: MouseBindings.Primary }] };
    if (tool === 'crosshairs') {
      group.setToolPassive(WindowLevelTool.toolName);
      group.setToolActive(CrosshairsTool.toolName, primary);
    } else {
      // Passive crosshairs stay drawn and their lines can still be dragged.
      group.setToolPassive(CrosshairsTool.toolName);
      group.setToolActive(WindowLevelTool.toolName, primary);
    }
  };
  const setLeftTool = (tool: MprLeftTool) => {
    leftTool = tool;
    if (planesSet) applyLeftTool(tool);
  };

  return {
    engine,
    viewport: (plane) => engine.getViewport(mprViewportId(plane)) as VolumeViewport,
    setLeftTool,
    volumeSet() {
      planesSet = true;
      applyLeftTool(leftTool);
    },
    dispose() {
      const contexts = webglContextsOf(engine);
      SynchronizerManager.destroySynchronizer(VOI_SYNC_ID);
      ToolGroupManager.destroyToolGroup(TOOL_GROUP_ID);
      engine.destroy();
      // Destroying the engine keeps its WebGL context until garbage collection, which may be long
      // after closing MPR: it is marked lost now.
      // Flushed first: the texture deletions still waiting in the command buffer must reach the
      // GPU process before the context is gone.
      for (const context of contexts) {
        context.flush();
        context.getExtension('WEBGL_lose_context')?.loseContext();
      }
      if (cpuBefore) setUseCPURendering(true, false);
    },
  };
}

/** Planes redrawn while the volume streams in: every this many percent of slices loaded. */
const RENDER_STEP = 10;

export const volumeIdOf = (seriesInstanceUID: string): string =>
  `cornerstoneStreamingImageVolume:radlabel-mpr-${seriesInstanceUID}`;

/**
 * Creates the volume of a series (image ids in spatial order, as the catalog lists them), shows
 * it in the three viewports and streams its slices; `onProgress` gets the percentage of slices
 * loaded whenever it changes. Resolves when every slice is in (or failed).
 */
export async function loadMprVolume(
  mpr: MprEngine,
  volumeId: string,
  imageIds: readonly string[],
  onProgress: (percent: number, failed: number) => void,
  isCurrent: () => boolean,
  onShown: () => void,
): Promise<{ failed: number }> {
  const volume = (await volumeLoader.createAndCacheVolume(volumeId, {
    imageIds: [...imageIds],
  })) as unknown as { load(callback: () => void): void; autoRenderOnLoad: boolean };
  performance.mark('radlabel:mpr-volume-created');
  if (!isCurrent()) return { failed: 0 };
  // Cornerstone re-renders every plane each 2 % of slices loaded; on a software rasteriser that
  // is most of the loading time. The planes are redrawn here every RENDER_STEP % instead.
  volume.autoRenderOnLoad = false;
  let renderedAt = 0;
  let lastPercent = -1;
  let shown = false;
  let failed = 0;
  const total = imageIds.length;
  const done = new Promise<void>((resolve) => {
    const onModified = (event: Event) => {
      const detail = (event as CustomEvent<{ volumeId: string; framesProcessed?: number }>).detail;
      if (detail.volumeId !== volumeId) return;
      const percent = Math.floor((100 * (detail.framesProcessed ?? 0)) / total);
      if (percent !== lastPercent) {
        lastPercent = percent;
        onProgress(percent, failed);
      }
      if (percent - renderedAt >= RENDER_STEP && shown) {
        renderedAt = percent;
        mpr.engine.render();
      }
    };
    const onError = (event: Event) => {
      const detail = (event as CustomEvent<{ imageId?: string }>).detail;
      if (detail.imageId && imageIds.includes(detail.imageId)) failed += 1;
    };
    eventTarget.addEventListener(Enums.Events.IMAGE_VOLUME_MODIFIED, onModified);
    eventTarget.addEventListener(Enums.Events.IMAGE_LOAD_ERROR, onError);
    volume.load(() => {
      eventTarget.removeEventListener(Enums.Events.IMAGE_VOLUME_MODIFIED, onModified);
      eventTarget.removeEventListener(Enums.Events.IMAGE_LOAD_ERROR, onError);
      onProgress(100, failed);
      if (isCurrent()) mpr.engine.render();
      resolve();
    });
  });
  await setVolumesForViewports(
    mpr.engine,
    [{ volumeId }],
    MPR_PLANES.map((plane) => mprViewportId(plane)),
  );
  performance.mark('radlabel:mpr-volume-set');
  shown = true;
  if (isCurrent()) mpr.volumeSet();
  if (isCurrent()) {
    onShown();
    mpr.engine.renderViewports(MPR_PLANES.map((plane) => mprViewportId(plane)));
  }
  await done;
  return { failed };
}

interface VtkTexture {
  get?(name: string): { _openGLRenderWindow?: unknown };
  releaseGraphicsResources(renderWindow?: unknown): void;
}

/**
 * Frees the volume (closing MPR), while the MPR engine is still there: first its texture in the
 * engine's WebGL context, then the volume itself. Cornerstone's volume destroy releases the texture
 * without naming its render window, which vtk.js takes as "nothing to delete", so the texture
 * stayed in the GPU process until the context itself was collected.
 */
export function releaseMprVolume(volumeId: string): void {
  const volume = cache.getVolume(volumeId) as unknown as { vtkOpenGLTexture?: VtkTexture } | undefined;
  const texture = volume?.vtkOpenGLTexture;
  const renderWindow = texture?.get?.('_openGLRenderWindow')._openGLRenderWindow;
  if (texture && renderWindow) texture.releaseGraphicsResources(renderWindow);
  const loadObject = cache.getVolumeLoadObject(volumeId);
  loadObject?.cancelFn?.();
  cache.removeVolumeLoadObject(volumeId);
}

export interface VoxelUnderPoint {
  /** Voxel index (column, row, slice of the acquisition). */
  ijk: [number, number, number];
  /** Modality value (HU for CT): the volume holds rescaled values. */
  value: number;
}

/** The voxel nearest a canvas point of a plane (CSS pixels), if the point is inside the volume. */
export function voxelAt(viewport: VolumeViewport, canvasPoint: Types.Point2): VoxelUnderPoint | null {
  const data = viewport.getImageData();
  if (!data?.voxelManager) return null;
  const world = viewport.canvasToWorld(canvasPoint);
  const ijk = utilities.transformWorldToIndex(data.imageData, world) as [number, number, number];
  const [width, height, depth] = data.dimensions;
  const [i, j, k] = ijk;
  if (i < 0 || j < 0 || k < 0 || i >= width || j >= height || k >= depth) return null;
  const value = data.voxelManager.getAtIJK(i, j, k);
  return typeof value === 'number' ? { ijk, value } : null;
}

/** The plane's slice: 0-based index along its normal and the count (volume index space). */
export function sliceOf(viewport: VolumeViewport): { index: number; count: number } {
  return { index: viewport.getSliceIndex(), count: viewport.getNumberOfSlices() };
}

/** Window width/center shown by a plane (the three are kept equal). */
export function windowOf(viewport: VolumeViewport): { width: number; center: number } | null {
  const voiRange = viewport.getProperties()?.voiRange;
  if (!voiRange) return null;
  const { windowWidth, windowCenter } = utilities.windowLevel.toWindowLevel(voiRange.lower, voiRange.upper);
  return { width: windowWidth, center: windowCenter };
}

export function setWindow(mpr: MprEngine, width: number, center: number): void {
  const voiRange = utilities.windowLevel.toLowHighRange(width, center);
  for (const plane of MPR_PLANES) mpr.viewport(plane).setProperties({ voiRange });
  mpr.engine.render();
}

/**
 * Slab: 0 (or less than a slice) shows the thin plane; otherwise each plane shows the maximum
 * intensity projection over `thicknessMm` around it.
 */
export function setSlab(mpr: MprEngine, thicknessMm: number): void {
  for (const plane of MPR_PLANES) {
    const viewport = mpr.viewport(plane);
    if (thicknessMm > 0) {
      viewport.setBlendMode(Enums.BlendModes.MAXIMUM_INTENSITY_BLEND);
      viewport.setSlabThickness(thicknessMm);
    } else {
      viewport.setBlendMode(Enums.BlendModes.COMPOSITE);
      viewport.resetSlabThickness();
    }
  }
  mpr.engine.render();
}

/** Back to the volume's window, no zoom/pan, crosshairs centred. */
export function resetMpr(mpr: MprEngine): void {
  for (const plane of MPR_PLANES) {
    const viewport = mpr.viewport(plane);
    viewport.resetProperties();
    viewport.resetCamera();
  }
  mpr.engine.render();
}
