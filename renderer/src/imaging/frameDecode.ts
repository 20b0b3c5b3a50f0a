/**
 * The frame decode of the frame worker (frameWorker.ts), apart from the worker so that it can be
 * tested: from a file's naturalized metadata, the decode Cornerstone's `createImage` would ask
 * for, done with nativeFrame.ts (the decoder worker's own rules), or null when it is not a single
 * native little-endian greyscale frame with a plain linear rescale.
 */
import { utilities as metadataUtilities } from '@cornerstonejs/metadata';
import type { DecodeInputs, DecodedFrame } from './decodedFrames.js';
import { type NativeImageFrame, decodeNativeFrame, decodesOnMainThread } from './nativeFrame.js';

/** What the main thread tells the worker about the decode createImage will ask for. */
export interface DecodeRequest {
  /** createImage's `preScale.enabled` before the scaling parameters are looked up. */
  preScaleEnabled: boolean;
  /** createImage's `allowFloatRendering` (Cornerstone's canRenderFloatTextures()). */
  allowFloatRendering: boolean;
}

export type Natural = Record<string, unknown>;

const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);
const numberOf = (value: unknown): number | undefined => {
  const item = first(value);
  return typeof item === 'number' ? item : undefined;
};
const stringOf = (value: unknown): string | undefined => {
  const item = first(value);
  return typeof item === 'string' ? item : undefined;
};

/** A file's naturalized metadata from its bytes: the dcmjs parse Cornerstone's loader runs. */
export async function parseFile(bytes: ArrayBuffer): Promise<Natural> {
  return (await metadataUtilities.naturalizePart10Buffer(bytes)) as Natural;
}

/**
 * Fetches one stored file and parses it: the frame worker's single load, and the main thread's
 * own when the worker cannot (frameFetcher.ts, the raw bytes of a frame fetched again). An HTTP
 * error throws.
 */
export async function fetchParsedFile(url: string): Promise<Natural> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return parseFile(await response.arrayBuffer());
}

/** The one fragment of a single frame's pixel data, if that is what the file holds. */
export function singleFrameBytes(natural: Natural): ArrayBuffer | null {
  if ((numberOf(natural['NumberOfFrames']) ?? 1) > 1) return null;
  const pixelData = natural['PixelData'];
  if (!Array.isArray(pixelData) || pixelData.length !== 1) return null;
  const frame: unknown = pixelData[0];
  const fragment: unknown = Array.isArray(frame) ? (frame.length === 1 ? frame[0] : null) : frame;
  return fragment instanceof ArrayBuffer ? fragment : null;
}

/**
 * The decode createImage would ask for, from the file's own attributes: Cornerstone's
 * `getImageFrame` and `getScalingParameters` read the same values through its metadata
 * providers. PET and RT dose scaling come from providers of their own and are left to the main
 * thread; so is anything nativeFrame.ts does not decode.
 */
export function decodeNaturalFrame(natural: Natural, request: DecodeRequest): DecodedFrame | null {
  const bytes = singleFrameBytes(natural);
  const transferSyntax = stringOf(natural['TransferSyntaxUID']);
  const modality = stringOf(natural['Modality']);
  if (!bytes || !transferSyntax || modality === 'PT' || modality === 'RTDOSE') return null;
  const slope = numberOf(natural['RescaleSlope']) ?? 1;
  const intercept = numberOf(natural['RescaleIntercept']) ?? 0;
  const scalingParameters =
    slope === 1 && intercept === 0
      ? undefined
      : { rescaleSlope: slope, rescaleIntercept: intercept, modality };
  const preScaleEnabled = request.preScaleEnabled && scalingParameters !== undefined;
  const inputs: DecodeInputs = {
    transferSyntax,
    samplesPerPixel: numberOf(natural['SamplesPerPixel']) ?? 1,
    photometricInterpretation: stringOf(natural['PhotometricInterpretation']) ?? '',
    bitsAllocated: numberOf(natural['BitsAllocated']) ?? 0,
    bitsStored: numberOf(natural['BitsStored']),
    pixelRepresentation: numberOf(natural['PixelRepresentation']),
    preScaleEnabled,
    scalingParameters: preScaleEnabled ? scalingParameters : undefined,
    allowFloatRendering: request.allowFloatRendering,
  };
  const frame: NativeImageFrame = {
    samplesPerPixel: inputs.samplesPerPixel,
    photometricInterpretation: inputs.photometricInterpretation,
    bitsAllocated: inputs.bitsAllocated,
    bitsStored: inputs.bitsStored,
    pixelRepresentation: inputs.pixelRepresentation,
  };
  const options = {
    preScale: preScaleEnabled ? { enabled: true, scalingParameters } : { enabled: false },
    allowFloatRendering: request.allowFloatRendering,
  };
  if (!decodesOnMainThread(frame, transferSyntax, options)) return null;
  decodeNativeFrame(frame, new Uint8Array(bytes), options);
  const pixels = frame.pixelData as DecodedFrame['pixelData'];
  return {
    inputs,
    pixelData: pixels,
    pixelDataLength: frame.pixelDataLength ?? pixels.length,
    smallestPixelValue: frame.smallestPixelValue!,
    largestPixelValue: frame.largestPixelValue!,
    scaled: (frame.preScale as { scaled?: boolean } | undefined)?.scaled === true,
    decodeTimeInMS: frame.decodeTimeInMS ?? 0,
  };
}

/**
 * Replaces a single frame's pixel bytes in the parsed file by a one-byte stand-in (returned), once
 * the worker has decoded them: the main thread then receives and keeps the decoded frame only, not
 * both (the raw bytes doubled the pixels held per image, and the memory V8's collector answers to).
 * The stand-in is not empty because Cornerstone's `createImage` refuses empty pixel data before it
 * decodes; the decoded frame is kept under it (decodedFrames.ts), and a decode that needs the
 * bytes after all fetches them again. Null when the file is not a single frame of one fragment.
 */
export function releaseFrameBytes(natural: Natural): ArrayBuffer | null {
  const pixelData = natural['PixelData'];
  if (!singleFrameBytes(natural) || !Array.isArray(pixelData)) return null;
  const placeholder = new ArrayBuffer(1);
  natural['PixelData'] = Array.isArray(pixelData[0]) ? [[placeholder]] : [placeholder];
  return placeholder;
}
