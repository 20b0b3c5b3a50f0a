/**
 * Swaps two modules of Cornerstone's DICOM image loader for the app's own, for the imports of its
 * `createImage` only: `decodeImageFrame` (renderer/src/imaging/decodeImageFrame.ts: native
 * little-endian greyscale frames post-processed on the main thread instead of a round trip through
 * the decoder worker) and `setPixelDataType` (renderer/src/imaging/setPixelDataType.ts: no copy of
 * a frame that already has the right type). Everything else in the loader is untouched. Build-time
 * code: runs in Node.
 */
import type { Plugin } from 'vite';

const CREATE_IMAGE = '@cornerstonejs/dicom-image-loader/dist/esm/imageLoader/createImage.js';

const here = (relative: string): string => decodeURIComponent(new URL(relative, import.meta.url).pathname);

const REPLACED: Record<string, string> = {
  './decodeImageFrame.js': here('../src/imaging/decodeImageFrame.ts'),
  './setPixelDataType.js': here('../src/imaging/setPixelDataType.ts'),
};

export function nativeDecode(): Plugin {
  return {
    name: 'radlabel-native-decode',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !importer.replaceAll('\\', '/').split('?')[0]!.endsWith(CREATE_IMAGE)) return null;
      return REPLACED[source] ?? null;
    },
  };
}
