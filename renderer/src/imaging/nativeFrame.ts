/**
 * The native (uncompressed) little-endian greyscale frame decode of Cornerstone's decoder worker
 * (`postProcessDecodedPixels` in decodeImageFrameWorker.js), as plain functions with no import of
 * Cornerstone: used on the main thread by decodeImageFrame.ts and in the frame worker
 * (frameWorker.ts), which fetches, parses and decodes a stack's files off the main thread.
 */
import { type PixelArray, pixelDataType } from './setPixelDataType.js';

/** The frame description Cornerstone's `getImageFrame` builds (the fields this path reads). */
export interface NativeImageFrame {
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored?: number;
  pixelRepresentation?: number;
  photometricInterpretation?: string;
  pixelData?: ArrayLike<number>;
  pixelDataLength?: number;
  smallestPixelValue?: number;
  largestPixelValue?: number;
  preScale?: Record<string, unknown>;
  decodeTimeInMS?: number;
  [key: string]: unknown;
}

export interface ScalingParameters {
  rescaleSlope?: number;
  rescaleIntercept?: number;
  modality?: string;
  suvbw?: number;
  doseGridScaling?: number;
  [key: string]: unknown;
}

export interface DecodeOptions {
  preScale?: { enabled?: boolean; scalingParameters?: ScalingParameters; [key: string]: unknown };
  targetBuffer?: unknown;
  allowFloatRendering?: boolean;
  [key: string]: unknown;
}

const NATIVE_LITTLE_ENDIAN = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

/** The rescale Cornerstone applies (PET SUV, dose grid scaling, or slope and intercept), or none. */
type Rescale =
  | { kind: 'suv'; suvbw: number; slope: number; intercept: number }
  | { kind: 'dose'; scaling: number }
  | { kind: 'linear'; slope: number; intercept: number };

function rescaleOf(parameters: ScalingParameters): Rescale | null {
  const { rescaleSlope, rescaleIntercept, modality, suvbw, doseGridScaling } = parameters;
  if (modality === 'PT' && typeof suvbw === 'number' && !Number.isNaN(suvbw))
    return { kind: 'suv', suvbw, slope: rescaleSlope!, intercept: rescaleIntercept! };
  if (modality === 'RTDOSE' && typeof doseGridScaling === 'number' && !Number.isNaN(doseGridScaling))
    return { kind: 'dose', scaling: doseGridScaling };
  if (typeof rescaleSlope === 'number' && typeof rescaleIntercept === 'number')
    return { kind: 'linear', slope: rescaleSlope, intercept: rescaleIntercept };
  return null;
}

function rescaled(rescale: Rescale, value: number): number {
  if (rescale.kind === 'suv') return rescale.suvbw * (value * rescale.slope + rescale.intercept);
  if (rescale.kind === 'dose') return value * rescale.scaling;
  return value * rescale.slope + rescale.intercept;
}

/** Cornerstone's `scaleArray`, in place, one tight loop per kind. */
function rescaleInPlace(values: PixelArray, rescale: Rescale): void {
  const count = values.length;
  if (rescale.kind === 'suv') {
    const { suvbw, slope, intercept } = rescale;
    for (let i = 0; i < count; i += 1) values[i] = suvbw * (values[i]! * slope + intercept);
  } else if (rescale.kind === 'dose') {
    const { scaling } = rescale;
    for (let i = 0; i < count; i += 1) values[i] = values[i]! * scaling;
  } else {
    const { slope, intercept } = rescale;
    if (slope === 1) for (let i = 0; i < count; i += 1) values[i] = values[i]! + intercept;
    else for (let i = 0; i < count; i += 1) values[i] = values[i]! * slope + intercept;
  }
}

/** Whether every integer in [min, max] converts to this typed array unchanged. */
function holds(Type: new (length: number) => PixelArray, min: number, max: number): boolean {
  if (Type === Float32Array) return min >= -16777216 && max <= 16777216;
  if (Type === Int16Array) return min >= -32768 && max <= 32767;
  if (Type === Uint16Array) return min >= 0 && max <= 65535;
  if (Type === Int8Array) return min >= -128 && max <= 127;
  if (Type === Uint8Array) return min >= 0 && max <= 255;
  return min >= 0 && max <= 4294967295;
}

/** Whether Cornerstone's worker marks the frame as scaled (`_isRequiredScaling`). */
function scalingRequired(parameters: ScalingParameters): boolean {
  const { rescaleSlope, rescaleIntercept, modality, doseGridScaling, suvbw } = parameters;
  return (
    (typeof rescaleSlope === 'number' && typeof rescaleIntercept === 'number') ||
    (modality === 'RTDOSE' && typeof doseGridScaling === 'number') ||
    (modality === 'PT' && typeof suvbw === 'number')
  );
}

/** Whether this path handles the frame; anything else keeps Cornerstone's decoder. */
export function decodesOnMainThread(
  imageFrame: NativeImageFrame,
  transferSyntax: string,
  options: DecodeOptions,
): boolean {
  if (!NATIVE_LITTLE_ENDIAN.has(transferSyntax)) return false;
  if (options.targetBuffer !== undefined) return false;
  if (imageFrame.samplesPerPixel !== 1) return false;
  const interpretation = imageFrame.photometricInterpretation;
  if (interpretation !== 'MONOCHROME1' && interpretation !== 'MONOCHROME2') return false;
  if (imageFrame.bitsAllocated === 16) return true;
  // 8-bit signed data would need the worker's shift into an unsigned byte array: left to it.
  return imageFrame.bitsAllocated === 8 && imageFrame.pixelRepresentation !== 1;
}

/** The stored values of a native frame, as Cornerstone's `decodeLittleEndian` views them. */
function storedValues(
  imageFrame: NativeImageFrame,
  bytes: Uint8Array,
): Uint8Array | Uint16Array | Int16Array {
  if (imageFrame.bitsAllocated === 8) return bytes;
  let buffer: ArrayBufferLike = bytes.buffer;
  let offset = bytes.byteOffset;
  if (offset % 2) {
    buffer = buffer.slice(offset, offset + bytes.length);
    offset = 0;
  }
  const length = Math.floor(bytes.length / 2);
  return imageFrame.pixelRepresentation === 1
    ? new Int16Array(buffer, offset, length)
    : new Uint16Array(buffer, offset, length);
}

/**
 * Cornerstone's worker post-processing for a native greyscale frame, on this thread. The fetched
 * bytes are only read (they stay cached by the loader); the result is a new array.
 */
export function decodeNativeFrame(
  imageFrame: NativeImageFrame,
  bytes: Uint8Array,
  options: DecodeOptions,
): NativeImageFrame {
  const start = Date.now();
  let stored = storedValues(imageFrame, bytes);
  const count = stored.length;
  const signed = imageFrame.pixelRepresentation === 1;
  const shift = signed && imageFrame.bitsStored !== undefined ? 32 - imageFrame.bitsStored : 0;
  // The worker's sign extension; on 16-bit signed data a shift of 16 changes nothing. The fetched
  // bytes stay as they are (the loader caches them), so a real extension works on a copy.
  if (shift > 0 && !(stored instanceof Int16Array && shift === 16)) {
    const extended = new Int16Array(count);
    for (let i = 0; i < count; i += 1) extended[i] = (stored[i]! << shift) >> shift;
    stored = extended;
  }
  // Cornerstone's getMinMax.
  let min = stored[0]!;
  let max = stored[0]!;
  for (let i = 1; i < count; i += 1) {
    const value = stored[i]!;
    if (value < min) min = value;
    else if (value > max) max = value;
  }

  const preScale = options.preScale ?? {};
  const parameters = preScale.scalingParameters;
  const canRenderFloat = options.allowFloatRendering ?? true;
  const hasFloatRescale =
    preScale.enabled === true &&
    parameters !== undefined &&
    Object.values(parameters).some((v) => typeof v === 'number' && !Number.isInteger(v));
  const scale = preScale.enabled === true && !(!canRenderFloat && hasFloatRescale);
  if (scale && !parameters) {
    throw new Error(
      'options.preScale.scalingParameters must be defined if preScale.enabled is true, and scalingParameters cannot be derived from the metadata providers.',
    );
  }
  const rescale = scale ? rescaleOf(parameters!) : null;
  const [scaledMin, scaledMax] = rescale ? [rescaled(rescale, min), rescaled(rescale, max)] : [min, max];
  const Type = pixelDataType(scaledMin, scaledMax);

  // Into the chosen array, then rescaled there, as the worker does (it converts to the chosen type
  // first and rescales what the array then holds).
  const out = new Type(count);
  const applied = scale && scalingRequired(parameters!) && rescale !== null;
  if (applied && rescale.kind === 'linear' && holds(Type, min, max)) {
    // Every stored value converts to the chosen type unchanged, so converting and rescaling is one
    // pass (the usual CT case: 12 or 16 bits to signed 16 with an intercept).
    const { slope, intercept } = rescale;
    if (slope === 1) for (let i = 0; i < count; i += 1) out[i] = stored[i]! + intercept;
    else for (let i = 0; i < count; i += 1) out[i] = stored[i]! * slope + intercept;
  } else {
    out.set(stored);
    if (applied) rescaleInPlace(out, rescale);
  }

  imageFrame.pixelData = out;
  imageFrame.pixelDataLength = count;
  if (applied) imageFrame.preScale = { ...preScale, scaled: true };
  imageFrame.smallestPixelValue = applied ? scaledMin : min;
  imageFrame.largestPixelValue = applied ? scaledMax : max;
  imageFrame.decodeTimeInMS = Date.now() - start;
  return imageFrame;
}
