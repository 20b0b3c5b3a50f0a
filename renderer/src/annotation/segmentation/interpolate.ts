/**
 * Interpolation of a segment between the slices it was painted on: ITK's morphological contour
 * interpolation (@itk-wasm/morphological-contour-interpolation 2.0.0), run in ITK-Wasm's web
 * worker, off the main thread. Both hosts serve the pipeline from the app's own assets
 * (`itk/pipelines/`, emitted by renderer/vite-plugins/itk-wasm-assets.ts; the worker is bundled
 * by Vite from itkPipelineWorker.ts): nothing is fetched from a CDN, the app works offline and its CSP allows only itself.
 *
 * The segment's voxels between its first and last painted slice are cropped to their bounding box
 * (plus a margin), interpolated along the slice axis, and the new voxels are written where the
 * layer is empty, as one undoable step (a memo of the changed voxels only). Cancel terminates the
 * worker.
 */
import { cache, utilities as coreUtilities } from '@cornerstonejs/core';
import { segmentation } from '@cornerstonejs/tools';
import type { Image } from 'itk-wasm';
import { currentSegmentation, stackViewportOf } from './segmentationSession.js';
import { useSegmentationStore } from './useSegmentationStore.js';

const MARGIN = 4;

interface Job {
  worker: Worker | null;
  cancelled: boolean;
  /** Rejects when the job is cancelled: a terminated worker never answers. */
  stopped: Promise<never>;
  stop(error?: Error): void;
}

let running: Job | null = null;

function newJob(): Job {
  let stop: (error?: Error) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stop = (error) => reject(error ?? new DOMException('cancelled', 'AbortError'));
  });
  stopped.catch(() => undefined);
  return { worker: null, cancelled: false, stopped, stop };
}

/** Where the pipeline files are: beside index.html in both hosts. */
function pipelinesBaseUrl(): string {
  return new URL('itk/pipelines', document.baseURI).href;
}

export class InterpolationError extends Error {
  constructor(
    readonly reason: 'too-few-slices' | 'busy' | 'no-segmentation' | 'pipeline',
    detail?: string,
  ) {
    super(detail ?? reason);
  }
}

function setStep(step: 'preparing' | 'loading' | 'interpolating' | 'applying', startedAt: number) {
  useSegmentationStore.setState({ interpolation: { phase: 'running', step, startedAt } });
}

/** Fills the slices between the painted ones for a segment; resolves with what it added. */
export async function interpolateSegment(segmentIndex: number): Promise<{ slices: number; voxels: number }> {
  if (running) throw new InterpolationError('busy');
  const open = currentSegmentation();
  const target = open?.segmentVoxels(segmentIndex);
  if (!open || !target) throw new InterpolationError('no-segmentation');
  const startedAt = Date.now();
  const job = newJob();
  running = job;
  setStep('preparing', startedAt);
  try {
    const { width, height } = open;
    const layers = target.imageIds.map(
      (imageId) => cache.getImage(imageId)!.voxelManager!.getScalarData() as Uint8Array,
    );
    // The painted slices and their bounding box.
    let first = -1;
    let last = -1;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    layers.forEach((voxels, k) => {
      let any = false;
      for (let i = 0; i < voxels.length; i++) {
        if (voxels[i] !== target.labelValue) continue;
        any = true;
        const x = i % width;
        const y = (i - x) / width;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
      if (any) {
        if (first < 0) first = k;
        last = k;
      }
    });
    if (first < 0 || last - first < 2) throw new InterpolationError('too-few-slices');
    x0 = Math.max(0, x0 - MARGIN);
    y0 = Math.max(0, y0 - MARGIN);
    x1 = Math.min(width - 1, x1 + MARGIN);
    y1 = Math.min(height - 1, y1 + MARGIN);
    const cw = x1 - x0 + 1;
    const ch = y1 - y0 + 1;
    const depth = last - first + 1;
    const mask = new Uint8Array(cw * ch * depth);
    for (let k = 0; k < depth; k++) {
      const voxels = layers[first + k]!;
      for (let y = 0; y < ch; y++)
        for (let x = 0; x < cw; x++)
          if (voxels[(y + y0) * width + x + x0] === target.labelValue) mask[k * cw * ch + y * cw + x] = 1;
    }
    const image: Image = {
      imageType: { dimension: 3, componentType: 'uint8', pixelType: 'Scalar', components: 1 },
      name: 'segment',
      origin: [0, 0, 0],
      spacing: [1, 1, 1],
      direction: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
      size: [cw, ch, depth],
      metadata: new Map(),
      data: mask,
    };
    setStep('loading', startedAt);
    // ITK-Wasm's client (with its HTTP and zstd code) loads on the first interpolation, not with
    // the app (renderer/README.md, "Viewer performance").
    const { morphologicalContourInterpolation, setPipelinesBaseUrl } =
      await import('@itk-wasm/morphological-contour-interpolation');
    setPipelinesBaseUrl(pipelinesBaseUrl());
    job.worker = new Worker(new URL('./itkPipelineWorker.ts', import.meta.url), { type: 'module' });
    // A worker that fails to start never answers: its error ends the job.
    job.worker.addEventListener('error', (event) =>
      job.stop(new InterpolationError('pipeline', event.message || 'the interpolation worker did not start')),
    );
    if (job.cancelled) throw new DOMException('cancelled', 'AbortError');
    setStep('interpolating', startedAt);
    let result;
    try {
      result = await Promise.race([
        morphologicalContourInterpolation(image, { label: 1, axis: 2, webWorker: job.worker, noCopy: true }),
        job.stopped,
      ]);
    } catch (error) {
      if (job.cancelled) throw new DOMException('cancelled', 'AbortError');
      throw new InterpolationError('pipeline', error instanceof Error ? error.message : String(error));
    }
    if (job.cancelled) throw new DOMException('cancelled', 'AbortError');
    setStep('applying', startedAt);
    const output = result.outputImage.data as Uint8Array;
    // Write the new voxels where the layer is empty; remember them for undo.
    const changes: Array<{ imageId: string; indices: number[] }> = [];
    let voxels = 0;
    for (let k = 1; k < depth - 1; k++) {
      const imageId = target.imageIds[first + k]!;
      const voxelManager = cache.getImage(imageId)!.voxelManager!;
      const layer = layers[first + k]!;
      const indices: number[] = [];
      for (let y = 0; y < ch; y++)
        for (let x = 0; x < cw; x++) {
          if (output[k * cw * ch + y * cw + x] === 0) continue;
          const index = (y + y0) * width + x + x0;
          if (layer[index] !== 0) continue;
          voxelManager.setAtIndex(index, target.labelValue);
          indices.push(index);
        }
      if (indices.length > 0) {
        changes.push({ imageId, indices });
        voxels += indices.length;
      }
    }
    const labelValue = target.labelValue;
    const restore = (undo: boolean) => {
      for (const { imageId, indices } of changes) {
        const voxelManager = cache.getImage(imageId)?.voxelManager;
        if (!voxelManager) continue;
        for (const index of indices) voxelManager.setAtIndex(index, undo ? 0 : labelValue);
      }
      segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(open.annotationUid);
      stackViewportOf(open)?.render();
    };
    coreUtilities.HistoryMemo.DefaultHistoryMemo.push({
      id: coreUtilities.uuidv4(),
      operationType: 'labelmap',
      restoreMemo: (undo = true) => restore(undo),
    });
    segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(open.annotationUid);
    stackViewportOf(open)?.render();
    const done = { slices: changes.length, voxels };
    useSegmentationStore.setState({ interpolation: { phase: 'done', ...done } });
    return done;
  } catch (error) {
    if (job.cancelled || (error instanceof DOMException && error.name === 'AbortError')) {
      useSegmentationStore.setState({ interpolation: { phase: 'cancelled' } });
    } else {
      const reason = error instanceof InterpolationError ? error.reason : 'pipeline';
      // The cause for support (geometry and pipeline messages only, no patient data).
      console.warn('segment interpolation failed:', error instanceof Error ? error.message : String(error));
      useSegmentationStore.setState({ interpolation: { phase: 'failed', message: reason } });
    }
    throw error;
  } finally {
    job.worker?.terminate();
    if (running === job) running = null;
  }
}

/** Stops the interpolation in flight (its worker is terminated; nothing is written). */
export function cancelInterpolation(): void {
  if (!running) return;
  running.cancelled = true;
  running.worker?.terminate();
  running.stop();
}
