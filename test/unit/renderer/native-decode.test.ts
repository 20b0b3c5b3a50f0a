/**
 * The main-thread decode of native little-endian greyscale frames (renderer/src/imaging/
 * decodeImageFrame.ts) gives exactly what Cornerstone's decoder worker gives: the same typed array
 * type and values, the same smallest and largest value, the same pre-scale mark; and it leaves the
 * fetched bytes as they were.
 */
import { describe, expect, it } from 'vitest';
import { decodeImageFrame as workerDecode } from '../../../node_modules/@cornerstonejs/dicom-image-loader/dist/esm/decodeImageFrameWorker.js';
import {
  type DecodeOptions,
  type NativeImageFrame,
  decodeNativeFrame,
  decodesOnMainThread,
} from '../../../renderer/src/imaging/decodeImageFrame.js';
import setPixelDataType from '../../../renderer/src/imaging/setPixelDataType.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';

interface Case {
  name: string;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  values: number[];
  options: DecodeOptions;
  /** Byte offset of the pixels in the file's buffer (odd: the loader's copy path). */
  offset?: number;
}

const ct = { rescaleSlope: 1, rescaleIntercept: -1024, modality: 'CT' };

const cases: Case[] = [
  {
    name: 'CT, unsigned 12-bit in 16, slope 1 intercept -1024',
    bitsAllocated: 16,
    bitsStored: 12,
    pixelRepresentation: 0,
    values: [0, 1, 1024, 4095, 2000],
    options: { preScale: { enabled: true, scalingParameters: ct } },
  },
  {
    name: 'CT, signed 16-bit with rescale',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 1,
    values: [-2000, -1024, 0, 3071, 32767],
    options: {
      preScale: {
        enabled: true,
        scalingParameters: { rescaleSlope: 1, rescaleIntercept: 0, modality: 'CT' },
      },
    },
  },
  {
    name: 'signed 12 bits stored in 16: the sign is extended',
    bitsAllocated: 16,
    bitsStored: 12,
    pixelRepresentation: 1,
    values: [0x0fff, 0x0800, 0x07ff, 1, 0xf123 - 0x10000],
    options: {
      preScale: {
        enabled: true,
        scalingParameters: { rescaleSlope: 1, rescaleIntercept: 0, modality: 'MR' },
      },
    },
  },
  {
    name: 'MR, unsigned 16-bit, no pre-scale',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 0,
    values: [0, 300, 65535, 12],
    options: { preScale: { enabled: false } },
  },
  {
    name: 'float rescale slope 0.5 where floats render',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 0,
    values: [0, 3, 65535, 7],
    options: {
      allowFloatRendering: true,
      preScale: {
        enabled: true,
        scalingParameters: { rescaleSlope: 0.5, rescaleIntercept: 1.25, modality: 'MR' },
      },
    },
  },
  {
    name: 'float rescale where floats do not render: not scaled',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 0,
    values: [0, 3, 65535, 7],
    options: {
      allowFloatRendering: false,
      preScale: {
        enabled: true,
        scalingParameters: { rescaleSlope: 0.5, rescaleIntercept: 1.25, modality: 'MR' },
      },
    },
  },
  {
    name: 'RT dose grid scaling',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 0,
    values: [0, 10, 40000],
    options: {
      preScale: {
        enabled: true,
        scalingParameters: {
          rescaleSlope: 1,
          rescaleIntercept: 0,
          modality: 'RTDOSE',
          doseGridScaling: 0.0001,
        },
      },
    },
  },
  {
    name: 'a rescale that leaves the stored type (worker wraps as it converts first)',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 0,
    values: [0, 40000, 65535],
    options: {
      preScale: {
        enabled: true,
        scalingParameters: { rescaleSlope: 1, rescaleIntercept: -32768, modality: 'CT' },
      },
    },
  },
  {
    name: '8-bit unsigned',
    bitsAllocated: 8,
    bitsStored: 8,
    pixelRepresentation: 0,
    values: [0, 17, 255, 128],
    options: {
      preScale: {
        enabled: true,
        scalingParameters: { rescaleSlope: 1, rescaleIntercept: 0, modality: 'OT' },
      },
    },
  },
  {
    name: 'pixels at an odd offset in the file',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 1,
    values: [-5, 5, -32768, 32767],
    offset: 133,
    options: { preScale: { enabled: true, scalingParameters: ct } },
  },
];

function fileBytes(c: Case): Uint8Array {
  const bytesPer = c.bitsAllocated / 8;
  const offset = c.offset ?? 132;
  const buffer = new ArrayBuffer(offset + c.values.length * bytesPer + 16);
  const view = new DataView(buffer);
  c.values.forEach((value, i) => {
    if (bytesPer === 1) view.setUint8(offset + i, value);
    else view.setUint16(offset + i * 2, value & 0xffff, true);
  });
  return new Uint8Array(buffer, offset, c.values.length * bytesPer);
}

function frameOf(c: Case): NativeImageFrame {
  return {
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    rows: 1,
    columns: c.values.length,
    bitsAllocated: c.bitsAllocated,
    bitsStored: c.bitsStored,
    pixelRepresentation: c.pixelRepresentation,
  };
}

describe('native little-endian frames decoded on the main thread', () => {
  for (const c of cases) {
    it(`matches Cornerstone's decoder worker: ${c.name}`, async () => {
      const bytes = fileBytes(c);
      const before = Uint8Array.from(new Uint8Array(bytes.buffer));
      // The worker gets a structured clone of the file's bytes.
      const worker = (await workerDecode(
        frameOf(c),
        EXPLICIT_LE,
        structuredClone(bytes),
        {},
        structuredClone(c.options),
        undefined,
      )) as NativeImageFrame;
      const ours = decodeNativeFrame(frameOf(c), bytes, structuredClone(c.options));
      expect(decodesOnMainThread(frameOf(c), EXPLICIT_LE, c.options)).toBe(true);
      expect(ours.pixelData!.constructor).toBe(worker.pixelData!.constructor);
      expect(Array.from(ours.pixelData!)).toEqual(Array.from(worker.pixelData!));
      expect(ours.smallestPixelValue).toBe(worker.smallestPixelValue);
      expect(ours.largestPixelValue).toBe(worker.largestPixelValue);
      expect(ours.preScale).toEqual(worker.preScale);
      expect(ours.pixelDataLength).toBe(worker.pixelDataLength);
      // The loader keeps the file's bytes cached; they are not changed.
      expect(new Uint8Array(bytes.buffer)).toEqual(before);
    });
  }

  it('leaves compressed, big-endian, colour, signed 8-bit data and volume targets to the worker', () => {
    const mono16 = frameOf(cases[0]!);
    expect(decodesOnMainThread(mono16, '1.2.840.10008.1.2', {})).toBe(true);
    expect(decodesOnMainThread(mono16, '1.2.840.10008.1.2.4.70', {})).toBe(false);
    expect(decodesOnMainThread(mono16, '1.2.840.10008.1.2.2', {})).toBe(false);
    expect(decodesOnMainThread(mono16, EXPLICIT_LE, { targetBuffer: { type: 'Float32Array' } })).toBe(false);
    expect(
      decodesOnMainThread(
        { ...mono16, samplesPerPixel: 3, photometricInterpretation: 'RGB' },
        EXPLICIT_LE,
        {},
      ),
    ).toBe(false);
    expect(
      decodesOnMainThread({ ...mono16, photometricInterpretation: 'PALETTE COLOR' }, EXPLICIT_LE, {}),
    ).toBe(false);
    expect(
      decodesOnMainThread({ ...mono16, bitsAllocated: 8, pixelRepresentation: 1 }, EXPLICIT_LE, {}),
    ).toBe(false);
  });
});

describe('setPixelDataType without a copy', () => {
  it('keeps an array that already has the type its range needs', () => {
    const pixelData = new Int16Array([-1024, 0, 3071]);
    const frame = { smallestPixelValue: -1024, largestPixelValue: 3071, pixelData };
    setPixelDataType(frame);
    expect(frame.pixelData).toBe(pixelData);
  });

  it('converts an array of another type, as Cornerstone does', () => {
    const frame = {
      smallestPixelValue: 0,
      largestPixelValue: 200,
      pixelData: new Uint16Array([0, 200]) as ArrayLike<number>,
    };
    setPixelDataType(frame);
    expect(frame.pixelData).toBeInstanceOf(Uint8Array);
    expect(Array.from(frame.pixelData)).toEqual([0, 200]);
  });
});
