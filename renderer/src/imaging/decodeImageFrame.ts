/**
 * Cornerstone's frame decoder with a main-thread fast path for native (uncompressed)
 * little-endian greyscale frames.
 *
 * Cornerstone 5.14's `decodeImageFrame` sends every transfer syntax to its decoder worker, native
 * frames included: the whole file's buffer is structured-cloned into the worker (its transfer list
 * is built but never passed on), the worker does a few linear passes (signed shift, minimum and
 * maximum, rescale into a typed array), and the result is cloned back, behind every other queued
 * decode. For a 512² CT slice that round trip cost more than the work. Here a native frame is
 * post-processed on the main thread straight from the fetched bytes, in one read pass and one
 * write pass, with the worker's exact rules (`postProcessDecodedPixels` in
 * decodeImageFrameWorker.js): same shift, same minimum and maximum, same choice of typed array,
 * same rescale. Everything else (compressed syntaxes, big endian, colour, 1- and 32-bit data, a
 * volume's target buffer) goes to Cornerstone's own decoder unchanged.
 *
 * Swapped in for the loader's own module at build time (renderer/vite-plugins/native-decode.ts),
 * so Cornerstone's `createImage` (metadata, image object, colour handling) stays its own. A frame
 * the frame worker already decoded from the same bytes with the same inputs is taken as it is
 * (decodedFrames.ts); when the worker left the raw bytes out and this decode needs them (other
 * inputs, a volume's buffer), they are fetched again.
 */
// The loader's own module, reached by path: the package's exports do not list it.
import cornerstoneDecodeImageFrame from '../../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/imageLoader/decodeImageFrame.js';
import { fetchReleasedBytes, takeDecodedFrame } from './decodedFrames.js';
import {
  type DecodeOptions,
  type NativeImageFrame,
  decodeNativeFrame,
  decodesOnMainThread,
} from './nativeFrame.js';

export {
  type DecodeOptions,
  type NativeImageFrame,
  type ScalingParameters,
  decodeNativeFrame,
  decodesOnMainThread,
} from './nativeFrame.js';

/** Drop-in for the loader's `decodeImageFrame` (same arguments, same result). */
export default function decodeImageFrame(
  imageFrame: NativeImageFrame,
  transferSyntax: string,
  pixelData: Uint8Array,
  canvas: HTMLCanvasElement,
  options: DecodeOptions = {},
  decodeConfig?: unknown,
): Promise<NativeImageFrame> {
  // Taken (or dropped, when this decode differs) whichever way the frame goes from here.
  const ready = takeDecodedFrame(imageFrame, transferSyntax, pixelData, options);
  if (ready) return Promise.resolve(ready);
  // The worker decoded this frame and left its bytes out; this decode needs them: fetched again.
  const again = fetchReleasedBytes(pixelData);
  if (again)
    return again.then((bytes) =>
      decodeImageFrame(imageFrame, transferSyntax, bytes, canvas, options, decodeConfig),
    );
  if (decodesOnMainThread(imageFrame, transferSyntax, options)) {
    try {
      return Promise.resolve(decodeNativeFrame(imageFrame, pixelData, options));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return (
    cornerstoneDecodeImageFrame as unknown as (
      ...args: [NativeImageFrame, string, Uint8Array, HTMLCanvasElement, DecodeOptions, unknown]
    ) => Promise<NativeImageFrame>
  )(imageFrame, transferSyntax, pixelData, canvas, options, decodeConfig);
}
