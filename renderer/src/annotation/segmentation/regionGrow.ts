/**
 * Click-to-segment without a server (issue #11 item 5): a click grows the active segment over the
 * connected region around the point whose modality values (HU for CT) lie within a tolerance of
 * the value at the click (the mean of its 3 × 3 neighbourhood), on the shown slice or, in 3D,
 * through the whole stack. The voxels go on the segment's layer where the layer is empty, as one
 * undoable step on the shared history (a memo of the changed voxels only, as interpolation's) and
 * are saved like a brush stroke.
 *
 * Why not Cornerstone's own: @cornerstonejs/tools 5.14 exports RegionSegmentTool,
 * RegionSegmentPlusTool and WholeBodySegmentTool, but they run grow-cut as a WebGPU compute shader
 * (utilities/segmentation/growCut/runGrowCut.js asks `navigator.gpu` for an adapter) on image
 * volumes; the viewer's stack viewports with layered labelmaps, and machines without WebGPU (the
 * software renderer used here), are outside what they do. This tool works on the same labelmap
 * images as the brush and on any machine.
 */
import { type Types, cache, getEnabledElement, utilities as coreUtilities } from '@cornerstonejs/core';
import { BaseTool, segmentation } from '@cornerstonejs/tools';
import { useSegmentationStore } from './useSegmentationStore.js';
import { currentSegmentation, stackViewportOf } from './segmentationSession.js';

/** Voxels one click may add at most (a runaway region on a flat background is cut off there). */
const MAX_VOXELS = 20_000_000;

export interface RegionGrowResult {
  voxels: number;
  slices: number;
  /** The value range grown over (modality units). */
  range: [number, number];
}

/** Modality values of a cached image (Cornerstone pre-scales them unless told not to). */
function modalityValuesOf(imageId: string): ArrayLike<number> | null {
  const image = cache.getImage(imageId);
  if (!image) return null;
  const raw = image.voxelManager?.getScalarData() ?? image.getPixelData();
  if (image.preScale?.scaled) return raw as ArrayLike<number>;
  const slope = image.slope ?? 1;
  const intercept = image.intercept ?? 0;
  if (slope === 1 && intercept === 0) return raw as ArrayLike<number>;
  return Float32Array.from(raw as ArrayLike<number>, (value) => value * slope + intercept);
}

/**
 * Grows the active segment from image pixel (column, row) of stack image `sliceIndex`.
 * Resolves with what it added (nothing when the click was outside the image).
 */
export function growRegion(
  sliceIndex: number,
  column: number,
  row: number,
  options: { tolerance: number; threeD: boolean },
): RegionGrowResult | null {
  const open = currentSegmentation();
  const active = useSegmentationStore.getState().activeSegment;
  if (!open || active === null) return null;
  const target = open.segmentVoxels(active);
  if (!target) return null;
  const { width, height } = open;
  const x0 = Math.round(column);
  const y0 = Math.round(row);
  if (x0 < 0 || y0 < 0 || x0 >= width || y0 >= height) return null;
  const depth = open.imageIds.length;
  const values: Array<ArrayLike<number> | null> = new Array(depth).fill(null);
  const valuesAt = (k: number) => (values[k] ??= modalityValuesOf(open.imageIds[k]!));
  const seedSlice = valuesAt(sliceIndex);
  if (!seedSlice) return null;
  let sum = 0;
  let count = 0;
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) {
      const x = x0 + dx;
      const y = y0 + dy;
      if (x < 0 || y < 0 || x >= width || y >= height) continue;
      sum += seedSlice[y * width + x]!;
      count++;
    }
  const centre = sum / count;
  const low = centre - options.tolerance;
  const high = centre + options.tolerance;
  const planeSize = width * height;
  const labels = target.imageIds.map(
    (imageId) => cache.getImage(imageId)!.voxelManager!.getScalarData() as Uint8Array,
  );
  const visited = new Uint8Array(planeSize * (options.threeD ? depth : 1));
  const first = options.threeD ? 0 : sliceIndex;
  const stack: number[] = [];
  const changes = new Map<number, number[]>();
  let added = 0;
  const consider = (k: number, index: number) => {
    const flat = (k - first) * planeSize + index;
    if (visited[flat]) return;
    visited[flat] = 1;
    const slice = valuesAt(k);
    if (!slice) return;
    const value = slice[index]!;
    if (value < low || value > high) return;
    const label = labels[k]![index]!;
    // Other segments' voxels on this layer stay theirs: the region stops there.
    if (label !== 0 && label !== target.labelValue) return;
    stack.push(k, index);
  };
  consider(sliceIndex, y0 * width + x0);
  while (stack.length > 0 && added < MAX_VOXELS) {
    const index = stack.pop()!;
    const k = stack.pop()!;
    if (labels[k]![index] === 0) {
      let list = changes.get(k);
      if (!list) changes.set(k, (list = []));
      list.push(index);
      added++;
    }
    const x = index % width;
    const y = (index - x) / width;
    if (x > 0) consider(k, index - 1);
    if (x < width - 1) consider(k, index + 1);
    if (y > 0) consider(k, index - width);
    if (y < height - 1) consider(k, index + width);
    if (options.threeD) {
      if (k > 0) consider(k - 1, index);
      if (k < depth - 1) consider(k + 1, index);
    }
  }
  const labelValue = target.labelValue;
  const write = (value: number) => {
    for (const [k, indices] of changes) {
      const voxelManager = cache.getImage(target.imageIds[k]!)?.voxelManager;
      if (!voxelManager) continue;
      for (const index of indices) voxelManager.setAtIndex(index, value);
    }
    segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(open.annotationUid);
    stackViewportOf(open)?.render();
  };
  if (added === 0) return { voxels: 0, slices: 0, range: [low, high] };
  write(labelValue);
  coreUtilities.HistoryMemo.DefaultHistoryMemo.push({
    id: coreUtilities.uuidv4(),
    operationType: 'labelmap',
    restoreMemo: (undo = true) => write(undo ? 0 : labelValue),
  });
  return { voxels: added, slices: changes.size, range: [low, high] };
}

/** The Cornerstone tool: a primary click grows the active segment there. */
export class RegionGrowTool extends BaseTool {
  static override toolName = 'RadlabelRegionGrow';

  constructor(
    toolProps: ConstructorParameters<typeof BaseTool>[0] = {},
    defaultToolProps: ConstructorParameters<typeof BaseTool>[1] = {
      supportedInteractionTypes: ['Mouse', 'Touch'],
      configuration: {},
    },
  ) {
    super(toolProps, defaultToolProps);
  }

  preMouseDownCallback = (evt: {
    detail: { element: HTMLDivElement; currentPoints: { world: Types.Point3 } };
  }) => {
    const { element, currentPoints } = evt.detail;
    const viewport = getEnabledElement(element)?.viewport as Types.IStackViewport | undefined;
    if (!viewport || typeof viewport.getCurrentImageIdIndex !== 'function') return false;
    const sliceIndex = viewport.getCurrentImageIdIndex();
    const imageId = viewport.getCurrentImageId();
    if (!imageId) return false;
    const point = coreUtilities.worldToImageCoords(imageId, currentPoints.world);
    if (!point) return false;
    const [column, row] = point;
    const { regionTolerance, region3d } = useSegmentationStore.getState();
    const result = growRegion(sliceIndex, column, row, { tolerance: regionTolerance, threeD: region3d });
    useSegmentationStore.setState({ lastRegion: result });
    return true;
  };
}
