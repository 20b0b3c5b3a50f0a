/**
 * GPU or CPU rendering. Cornerstone's WebGL path on a software rasteriser (SwiftShader, llvmpipe)
 * is slower than its CPU path on small machines (measured: first image 529 vs 338 ms, scrolling
 * 16 vs 26 fps on 2 cores), so the choice follows what the GPU actually is, detected at startup.
 * `?rendering=cpu|gpu` in the page URL overrides the detection (for comparisons and support).
 */
import { detectRenderingCapabilities } from '@cornerstonejs/core';

export type RenderingMode = 'cpu' | 'gpu';

export interface RenderingChoice {
  mode: RenderingMode;
  /** Why this mode, for the About dialog and the logs (no PHI). */
  reason: 'no-webgl2' | 'software-rasterizer' | 'hardware-gpu' | 'url-override';
  renderer: string;
}

export function chooseRenderingMode(search: string = window.location.search): RenderingChoice {
  const override = new URLSearchParams(search).get('rendering');
  const capabilities = detectRenderingCapabilities({ useCache: false });
  if (override === 'cpu' || override === 'gpu') {
    return { mode: override, reason: 'url-override', renderer: capabilities.renderer };
  }
  if (!capabilities.webgl2) return { mode: 'cpu', reason: 'no-webgl2', renderer: capabilities.renderer };
  if (capabilities.softwareRasterizer) {
    return { mode: 'cpu', reason: 'software-rasterizer', renderer: capabilities.renderer };
  }
  return { mode: 'gpu', reason: 'hardware-gpu', renderer: capabilities.renderer };
}
