/**
 * Ships ITK-Wasm's contour interpolation pipeline with the app (renderer/src/annotation/
 * segmentation/interpolate.ts): the build writes `itk/pipelines/<pipeline>.js` and `.wasm.zst`
 * beside index.html, and the dev server answers the same paths, so both hosts serve it from the
 * app's own files and nothing is fetched from a CDN. (Build-time code: runs in Node, not in the
 * renderer's sandbox.)
 */
// eslint-disable-next-line no-restricted-imports -- build-time plugin, runs in Node
import fs from 'node:fs';
import type { Plugin } from 'vite';

const PIPELINE_DIR = new URL(
  '../../node_modules/@itk-wasm/morphological-contour-interpolation/dist/pipelines/',
  import.meta.url,
);
const FILES = ['morphological-contour-interpolation.js', 'morphological-contour-interpolation.wasm.zst'];
const PREFIX = 'itk/pipelines/';

const read = (name: string): Buffer => fs.readFileSync(new URL(name, PIPELINE_DIR));

export function itkWasmAssets(): Plugin {
  return {
    name: 'radlabel-itk-wasm-assets',
    generateBundle() {
      for (const name of FILES)
        this.emitFile({ type: 'asset', fileName: `${PREFIX}${name}`, source: read(name) });
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const name = request.url?.split('?')[0]?.split(`/${PREFIX}`)[1];
        if (!name || !FILES.includes(name)) return next();
        response.setHeader(
          'Content-Type',
          name.endsWith('.js') ? 'text/javascript' : 'application/octet-stream',
        );
        response.end(read(name));
      });
    },
  };
}
