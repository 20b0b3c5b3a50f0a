/**
 * Vite build of the renderer. The same bundle is served by the Electron shell (app://) and by the
 * web host (http://127.0.0.1), so every URL is relative (`base: './'`) and the output is CSP-clean:
 * no inline scripts, no eval; codecs are WebAssembly (allowed by 'wasm-unsafe-eval') and the
 * image decoder runs in a same-origin module worker.
 *
 * Cornerstone3D 5.14 needs the dependency-optimiser lists below (see docs/environment.md):
 * without them the codec wrappers lose their default export, or the metadata registry is
 * bundled twice and pixel data is not found.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { itkWasmAssets } from './vite-plugins/itk-wasm-assets.js';
import { nativeDecode } from './vite-plugins/native-decode.js';
import { pressAtOncePlugin } from './vite-plugins/press-at-once.js';
import { startupTrim } from './vite-plugins/startup-trim.js';

// Resolved from this file, not the working directory. (No node:path here: the lint rules for
// renderer/ forbid Node modules, and URL does the job.)
const here = (relative: string): string => decodeURIComponent(new URL(relative, import.meta.url).pathname);

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [react(), itkWasmAssets(), nativeDecode(), startupTrim(), pressAtOncePlugin()],
  build: {
    outDir: here('../build/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    // The preload polyfill would be an inline script; Chromium and Electron support modulepreload.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 8000,
    sourcemap: true,
  },
  worker: { format: 'es' },
  optimizeDeps: {
    exclude: ['@cornerstonejs/dicom-image-loader'],
    include: [
      'dicom-parser',
      '@cornerstonejs/core',
      '@cornerstonejs/metadata',
      'pako',
      'comlink',
      '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
      '@cornerstonejs/codec-charls/decodewasmjs',
      '@cornerstonejs/codec-openjpeg/decodewasmjs',
      '@cornerstonejs/codec-openjph/wasmjs',
      '@cornerstonejs/codec-libjxl/decodewasmjs',
    ],
  },
});
