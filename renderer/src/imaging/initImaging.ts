/**
 * One-time start of Cornerstone3D: core (CPU or GPU path), the DICOM image loader with its
 * decoder workers and codecs, the tools, and a cache big enough to hold whole series, so that
 * once a stack is prefetched scrolling never waits for the network or a decoder again.
 */
import {
  Enums,
  RenderingEngine,
  cache,
  cornerstoneStreamingImageVolumeLoader,
  imageLoadPoolManager,
  init as initCore,
  volumeLoader,
} from '@cornerstonejs/core';
import { init as initDicomImageLoader } from '@cornerstonejs/dicom-image-loader';
import {
  CrosshairsTool,
  PanTool,
  StackScrollTool,
  WindowLevelTool,
  ZoomTool,
  addTool,
  init as initTools,
} from '@cornerstonejs/tools';
import { installDataDerivedWindows } from './imageWindow.js';
import { ReadingScrollTool } from './readingScrollTool.js';
import { type RenderingChoice, chooseRenderingMode } from './renderingMode.js';

export const RENDERING_ENGINE_ID = 'radlabel';

/** Enough for ~4 CT series of 500 slices at 512² (16-bit); evicted least-recently-used. */
const CACHE_BYTES = 1024 * 1024 * 1024;

export interface Imaging {
  rendering: RenderingChoice;
  engine: RenderingEngine;
}

/**
 * Prefetch loads (fetch + parse + decode) in flight at once, in Cornerstone's pool (MPR's volume)
 * and in a stack's own prefetch (scrollPrefetch.ts). Cornerstone's default (1000) sends a whole
 * series at once: the answers then arrive together and keep the main thread busy for seconds, so
 * the overlay, the slider and a scrolling user wait. A handful keeps the network and the decoder
 * busy while leaving the main thread free between images.
 */
export const PREFETCH_IN_FLIGHT = 6;

let started: Imaging | null = null;
let rendering: RenderingChoice | null = null;

/** The GPU/CPU decision, made once (it probes WebGL), without starting Cornerstone. */
export function renderingChoice(): RenderingChoice {
  rendering ??= chooseRenderingMode();
  return rendering;
}

/**
 * Decoder workers: uncompressed and JPEG frames decode in a few ms, so one worker per spare core
 * keeps the main thread (which renders) free without oversubscribing a small machine.
 */
function decoderWorkerCount(): number {
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(4, cores - 1));
}

export function initImaging(): Imaging {
  if (started) return started;
  const choice = renderingChoice();
  initCore({ rendering: { useCPURendering: choice.mode === 'cpu' }, debug: {} });
  initDicomImageLoader({ maxWebWorkers: decoderWorkerCount() });
  installDataDerivedWindows();
  // A segment painted over another keeps both: Cornerstone moves it to a layer of its own
  // (annotation/segmentation/segmentationSession.ts) instead of overwriting.
  initTools({ segmentation: { overwriteMode: 'none' } } as Parameters<typeof initTools>[0]);
  for (const tool of [WindowLevelTool, ZoomTool, PanTool, StackScrollTool, ReadingScrollTool, CrosshairsTool])
    addTool(tool);
  // MPR (viewer/mpr): volumes streamed slice by slice from the same image ids and cache.
  volumeLoader.registerVolumeLoader(
    'cornerstoneStreamingImageVolume',
    cornerstoneStreamingImageVolumeLoader as unknown as Parameters<
      typeof volumeLoader.registerVolumeLoader
    >[1],
  );
  cache.setMaxCacheSize(CACHE_BYTES);
  imageLoadPoolManager.setMaxSimultaneousRequests(Enums.RequestType.Prefetch, PREFETCH_IN_FLIGHT);
  started = { rendering: choice, engine: new RenderingEngine(RENDERING_ENGINE_ID) };
  return started;
}
