/**
 * Frames the frame worker (frameWorker.ts) has already decoded, waiting for Cornerstone's
 * `createImage` to ask for them. The worker fetched and parsed the file and decoded its native
 * greyscale frame off the main thread, with the frame description and decode options it read from
 * the file; `createImage` computes its own from the metadata providers and calls the swapped-in
 * `decodeImageFrame` (decodeImageFrame.ts), which takes the worker's frame only when every input of
 * the decode is the same — otherwise the frame is decoded on the main thread from the same bytes,
 * as before. Kept by the raw pixel bytes' buffer (the one the naturalized metadata holds and
 * `createImage` is handed), weakly, and taken once.
 *
 * When the worker left the raw bytes out (a one-byte stand-in in the metadata, frameDecode.ts
 * `releaseFrameBytes`), the frame is all there is of the pixels on this thread: it stays kept
 * under the stand-in, and a later decode with the same inputs (a second load after the cache let
 * the image go, or a load that does not cache: Cornerstone's streaming volume loader reads its
 * first, middle and last slices with `loadImage` before the volume exists) takes a copy of it
 * instead of fetching the file again. The first take hands over the frame's own array, which the
 * cached image then holds: while the image is cached the frame costs nothing more. A decode with
 * other inputs, or into a volume's buffer, fetches the bytes again (`fetchReleasedBytes`).
 */
import type { PixelArray } from './setPixelDataType.js';
import type { DecodeOptions, NativeImageFrame, ScalingParameters } from './nativeFrame.js';

/** The inputs of a native decode (nativeFrame.ts `decodeNativeFrame`) the worker used. */
export interface DecodeInputs {
  transferSyntax: string;
  samplesPerPixel: number;
  photometricInterpretation: string;
  bitsAllocated: number;
  bitsStored: number | undefined;
  pixelRepresentation: number | undefined;
  preScaleEnabled: boolean;
  scalingParameters: ScalingParameters | undefined;
  allowFloatRendering: boolean;
}

/** What the worker sends back for a decoded frame (the pixels' buffer is transferred). */
export interface DecodedFrame {
  inputs: DecodeInputs;
  pixelData: PixelArray;
  pixelDataLength: number;
  smallestPixelValue: number;
  largestPixelValue: number;
  /** Whether the rescale was applied to the values (the frame's `preScale.scaled`). */
  scaled: boolean;
  decodeTimeInMS: number;
}

interface KeptFrame {
  frame: DecodedFrame;
  /** How to fetch the raw bytes the worker left out; undefined when the key is the raw bytes. */
  fetchAgain: (() => Promise<Uint8Array>) | undefined;
  /** Whether the frame's own array has been handed to an image (later takes get copies). */
  handedOver: boolean;
}

const frames = new WeakMap<ArrayBufferLike, KeptFrame>();

/**
 * Keeps a decoded frame for the raw bytes it came from. When the worker left the bytes out (the
 * stand-in frameDecode.ts `releaseFrameBytes` put in their place), `fetchAgain` brings them back
 * for a decode that cannot take this frame (other inputs, a volume's buffer).
 */
export function keepDecodedFrame(
  rawBytes: ArrayBuffer,
  frame: DecodedFrame,
  fetchAgain?: () => Promise<Uint8Array>,
): void {
  frames.set(rawBytes, { frame, fetchAgain, handedOver: false });
}

/**
 * The raw bytes of a frame the worker decoded and left out, fetched again; null for bytes that
 * are the frame's own. Each call fetches (the bytes are not kept: the image holds its pixels).
 */
export function fetchReleasedBytes(pixelData: Uint8Array): Promise<Uint8Array> | null {
  const fetchAgain = frames.get(pixelData.buffer)?.fetchAgain;
  return fetchAgain ? fetchAgain() : null;
}

const SCALING_KEYS = ['rescaleSlope', 'rescaleIntercept', 'modality', 'suvbw', 'doseGridScaling'] as const;

function sameScaling(a: ScalingParameters | undefined, b: ScalingParameters | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return SCALING_KEYS.every((key) => a[key] === b[key]);
}

/** The decode inputs `createImage` asks for, as the worker records them. */
export function decodeInputsOf(
  imageFrame: NativeImageFrame,
  transferSyntax: string,
  options: DecodeOptions,
): DecodeInputs {
  const preScaleEnabled = options.preScale?.enabled === true;
  return {
    transferSyntax,
    samplesPerPixel: imageFrame.samplesPerPixel,
    photometricInterpretation: imageFrame.photometricInterpretation ?? '',
    bitsAllocated: imageFrame.bitsAllocated,
    bitsStored: imageFrame.bitsStored,
    pixelRepresentation: imageFrame.pixelRepresentation,
    preScaleEnabled,
    scalingParameters: preScaleEnabled ? options.preScale?.scalingParameters : undefined,
    allowFloatRendering: options.allowFloatRendering ?? true,
  };
}

export function sameDecodeInputs(a: DecodeInputs, b: DecodeInputs): boolean {
  return (
    a.transferSyntax === b.transferSyntax &&
    a.samplesPerPixel === b.samplesPerPixel &&
    a.photometricInterpretation === b.photometricInterpretation &&
    a.bitsAllocated === b.bitsAllocated &&
    a.bitsStored === b.bitsStored &&
    a.pixelRepresentation === b.pixelRepresentation &&
    a.preScaleEnabled === b.preScaleEnabled &&
    sameScaling(a.scalingParameters, b.scalingParameters) &&
    a.allowFloatRendering === b.allowFloatRendering
  );
}

/**
 * The worker's frame for these bytes, written into `imageFrame` as the main-thread decode would,
 * when it was decoded from exactly these bytes with exactly these inputs; null otherwise.
 */
export function takeDecodedFrame(
  imageFrame: NativeImageFrame,
  transferSyntax: string,
  pixelData: Uint8Array,
  options: DecodeOptions,
): NativeImageFrame | null {
  const buffer = pixelData.buffer;
  const kept = frames.get(buffer);
  if (!kept) return null;
  const { frame, fetchAgain } = kept;
  // Frames under their raw bytes are taken once (the bytes decode again); under a stand-in, kept.
  if (!fetchAgain) frames.delete(buffer);
  if (pixelData.byteOffset !== 0 || pixelData.byteLength !== buffer.byteLength) return null;
  if (options.targetBuffer !== undefined) return null;
  if (!sameDecodeInputs(frame.inputs, decodeInputsOf(imageFrame, transferSyntax, options))) return null;
  // The first image gets the frame's own array; another image gets its own copy (as a decode would).
  imageFrame.pixelData = kept.handedOver ? frame.pixelData.slice() : frame.pixelData;
  kept.handedOver = true;
  imageFrame.pixelDataLength = frame.pixelDataLength;
  if (frame.scaled) imageFrame.preScale = { ...options.preScale, scaled: true };
  imageFrame.smallestPixelValue = frame.smallestPixelValue;
  imageFrame.largestPixelValue = frame.largestPixelValue;
  imageFrame.decodeTimeInMS = frame.decodeTimeInMS;
  return imageFrame;
}
