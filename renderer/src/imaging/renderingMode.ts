/**
 * GPU or CPU rendering. Cornerstone's WebGL path on a software rasteriser (SwiftShader, llvmpipe)
 * is slower than its CPU path on small machines (measured: first image 529 vs 338 ms, scrolling
 * 16 vs 26 fps on 2 cores), so the choice follows what the GPU actually is, detected at startup.
 * `?rendering=cpu|gpu` in the page URL overrides the detection (for comparisons and support).
 */
import { getRenderingCapabilities } from '@cornerstonejs/core';

export type RenderingMode = 'cpu' | 'gpu';

export interface RenderingChoice {
  mode: RenderingMode;
  /** Why this mode, for the About dialog and the logs (no PHI). */
  reason: 'no-webgl2' | 'software-rasterizer' | 'hardware-gpu' | 'url-override';
  renderer: string;
}

export function chooseRenderingMode(search: string = window.location.search): RenderingChoice {
  const override = new URLSearchParams(search).get('rendering');
  // Cornerstone's own look-up, which its init reads again: one WebGL context per page, and the
  // texture-format probe (readPixels on each format, ~0.1-0.3 s on SwiftShader at every start) is
  // remembered in localStorage per GPU renderer and probe version. This choice reads only the
  // renderer, WebGL2 and the software-rasteriser flag, never the probed formats.
  const capabilities = getRenderingCapabilities();
  if (override === 'cpu' || override === 'gpu') {
    return { mode: override, reason: 'url-override', renderer: capabilities.renderer };
  }
  if (!capabilities.webgl2) return { mode: 'cpu', reason: 'no-webgl2', renderer: capabilities.renderer };
  if (capabilities.softwareRasterizer) {
    return { mode: 'cpu', reason: 'software-rasterizer', renderer: capabilities.renderer };
  }
  return { mode: 'gpu', reason: 'hardware-gpu', renderer: capabilities.renderer };
}
