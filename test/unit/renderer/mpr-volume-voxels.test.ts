/**
 * MPR's volume and the stack's decoded frames (renderer/README.md, "MPR and the raw-bytes
 * release, session 20"). Cornerstone 5's streaming volume is image-based: a slice the stack has
 * decoded is the stack's cached image (the frame worker's decode, nativeFrame.ts), converted to
 * the volume's data type when the texture is filled (`convertDataType` in
 * vtkStreamingOpenGLTexture); a slice it has not is decoded by Cornerstone's decoder worker from
 * the file with the volume's `targetBuffer` and converted by `createImage`. Both must give the same
 * voxels, value for value, whatever the data: signed or unsigned, with or without a rescale,
 * integer or not.
 */
import { describe, expect, it } from 'vitest';
import { decodeImageFrame as workerDecode } from '../../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/decodeImageFrameWorker.js';
import {
  type DecodeOptions,
  type NativeImageFrame,
  decodeNativeFrame,
} from '../../../renderer/src/imaging/decodeImageFrame.js';
import setPixelDataType from '../../../renderer/src/imaging/setPixelDataType.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
type VolumeType = 'Int16Array' | 'Uint16Array' | 'Float32Array';
const constructors = { Int16Array, Uint16Array, Float32Array };

interface Case {
  name: string;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  values: number[];
  scaling: { rescaleSlope: number; rescaleIntercept: number; modality: string };
  /** What Cornerstone's `_determineDataType` gives the volume for this series. */
  volumeType: VolumeType;
}

const cases: Case[] = [
  {
    name: 'CT, signed 16-bit, intercept -1024',
    bitsStored: 16,
    pixelRepresentation: 1,
    values: [-2000, -1024, 0, 1, 3071, 31000],
    scaling: { rescaleSlope: 1, rescaleIntercept: -1024, modality: 'CT' },
    volumeType: 'Int16Array',
  },
  {
    name: 'CT, unsigned 12-bit in 16, intercept -1024',
    bitsStored: 12,
    pixelRepresentation: 0,
    values: [0, 1, 1024, 4095, 2000],
    scaling: { rescaleSlope: 1, rescaleIntercept: -1024, modality: 'CT' },
    volumeType: 'Int16Array',
  },
  {
    name: 'MR, unsigned 16-bit, no rescale',
    bitsStored: 16,
    pixelRepresentation: 0,
    values: [0, 7, 255, 256, 40000, 65535],
    scaling: { rescaleSlope: 1, rescaleIntercept: 0, modality: 'MR' },
    volumeType: 'Uint16Array',
  },
  {
    name: 'slope 0.5, intercept -10.25 (values that are not integers)',
    bitsStored: 16,
    pixelRepresentation: 1,
    values: [-3, 0, 1, 333, 32767, -32768],
    scaling: { rescaleSlope: 0.5, rescaleIntercept: -10.25, modality: 'OT' },
    volumeType: 'Float32Array',
  },
  {
    name: 'slope 2, signed, a slice whose values fit in 8 bits',
    bitsStored: 16,
    pixelRepresentation: 1,
    values: [0, 1, 2, 50],
    scaling: { rescaleSlope: 2, rescaleIntercept: 0, modality: 'CT' },
    volumeType: 'Int16Array',
  },
];

function bytesOf(c: Case): Uint8Array {
  const bytes = new Uint8Array(c.values.length * 2);
  const view = new DataView(bytes.buffer);
  c.values.forEach((value, i) => view.setUint16(i * 2, value & 0xffff, true));
  return bytes;
}

function frameOf(c: Case): NativeImageFrame {
  return {
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    rows: 1,
    columns: c.values.length,
    bitsAllocated: 16,
    bitsStored: c.bitsStored,
    pixelRepresentation: c.pixelRepresentation,
  };
}

const optionsOf = (c: Case, extra: DecodeOptions = {}): DecodeOptions => ({
  preScale: { enabled: true, scalingParameters: { ...c.scaling } },
  allowFloatRendering: true,
  ...extra,
});

describe("a volume's voxels are the same from the stack's decoded frames as from the files", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const Type = constructors[c.volumeType];
      // The stack's image: the frame worker's decode, typed by setPixelDataType (createImage),
      // then converted to the volume's type as the texture does.
      const stack = decodeNativeFrame(frameOf(c), bytesOf(c), optionsOf(c));
      setPixelDataType(stack as Parameters<typeof setPixelDataType>[0]);
      const fromStack = new Type(stack.pixelData!.length);
      fromStack.set(stack.pixelData!);
      // The volume's own load: Cornerstone's decoder worker with the volume's targetBuffer, then
      // createImage's `new TypedArrayConstructor(imageFrame.pixelData)`.
      const target = { targetBuffer: { type: c.volumeType, rows: 1, columns: c.values.length } };
      const worker = (await workerDecode(
        frameOf(c),
        EXPLICIT_LE,
        bytesOf(c),
        {},
        optionsOf(c, target),
        undefined,
      )) as NativeImageFrame;
      const fromFile = new Type(worker.pixelData!);
      expect(fromStack).toEqual(fromFile);
      // And they are the modality values of the stored ones.
      const stored = c.values.map((v) => (c.pixelRepresentation === 1 ? v : v & ((1 << c.bitsStored) - 1)));
      const expected = new Type(stored.map((v) => v * c.scaling.rescaleSlope + c.scaling.rescaleIntercept));
      expect(Array.from(fromStack)).toEqual(Array.from(expected));
    });
  }
});
