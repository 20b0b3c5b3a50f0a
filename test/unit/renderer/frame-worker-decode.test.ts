/**
 * The frame worker's decode (renderer/src/imaging/frameDecode.ts, run in frameWorker.ts): from a
 * real file parsed as the worker parses it (Cornerstone's `naturalizePart10Buffer`, then a
 * structured clone as the message makes), the frame holds the modality values pydicom computes
 * (HU for CT); files it does not decode are left to the main thread; and the main thread takes a
 * worker's frame only for a decode with exactly the inputs the worker used, once
 * (renderer/src/imaging/decodedFrames.ts). A decoded frame comes without its raw bytes: a later
 * decode with the same inputs takes a copy of it, a decode that needs the bytes fetches them again.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { utilities } from '@cornerstonejs/metadata';
import { describe, expect, it } from 'vitest';
import {
  type DecodedFrame,
  decodeInputsOf,
  fetchReleasedBytes,
  keepDecodedFrame,
  takeDecodedFrame,
} from '../../../renderer/src/imaging/decodedFrames.js';
import decodeImageFrame from '../../../renderer/src/imaging/decodeImageFrame.js';
import {
  type Natural,
  decodeNaturalFrame,
  releaseFrameBytes,
  singleFrameBytes,
} from '../../../renderer/src/imaging/frameDecode.js';
import type { NativeImageFrame } from '../../../renderer/src/imaging/nativeFrame.js';
import { ensureCtSeries } from '../../fixtures/index.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const REQUEST = { preScaleEnabled: true, allowFloatRendering: true };

async function parsed(file: string): Promise<Natural> {
  const bytes = fs.readFileSync(file);
  const natural = (await utilities.naturalizePart10Buffer(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  )) as Natural;
  return structuredClone(natural);
}

/** The modality values of a file's first frame, computed by pydicom (system python). */
function pydicomValues(file: string): number[] {
  const script = [
    'import json, sys, pydicom',
    'from pydicom.pixel_data_handlers.util import apply_modality_lut',
    'ds = pydicom.dcmread(sys.argv[1])',
    'print(json.dumps(apply_modality_lut(ds.pixel_array, ds).ravel().tolist()))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as number[];
}

describe('the frame worker decodes a stored file off the main thread', () => {
  const ct = ensureCtSeries({ slices: 2, size: 64, seed: 'frame-worker' });
  const files = [
    { name: 'a generated CT slice (signed 16-bit, intercept -1024)', file: ct.files[1]! },
    {
      name: "pydicom's CT_small (signed 16-bit, slope 1, intercept -1024)",
      file: `${PYDICOM_FILES}/CT_small.dcm`,
    },
    { name: "pydicom's MR_small (no rescale)", file: `${PYDICOM_FILES}/MR_small.dcm` },
    { name: "pydicom's implicit VR MR", file: `${PYDICOM_FILES}/MR_small_implicit.dcm` },
  ];

  for (const { name, file } of files) {
    it(`${name}: the frame holds the values pydicom computes`, async () => {
      const decoded = decodeNaturalFrame(await parsed(file), REQUEST);
      expect(decoded).not.toBeNull();
      const expected = pydicomValues(file);
      expect(decoded!.pixelDataLength).toBe(expected.length);
      expect(Array.from(decoded!.pixelData)).toEqual(expected);
      expect(decoded!.smallestPixelValue).toBe(Math.min(...expected));
      expect(decoded!.largestPixelValue).toBe(Math.max(...expected));
    });
  }

  it('leaves compressed, colour, multi-frame and dose files to the main thread', async () => {
    for (const name of [
      'MR_small_RLE.dcm',
      'JPEG2000.dcm',
      'SC_rgb_rle.dcm',
      'SC_ybr_full_422_uncompressed.dcm',
      'rtdose_1frame.dcm',
      'rtdose.dcm',
    ])
      expect(decodeNaturalFrame(await parsed(path.join(PYDICOM_FILES, name)), REQUEST), name).toBeNull();
  });
});

describe('the main thread takes a worker frame only for the same decode', () => {
  const frameOf = (): NativeImageFrame => ({
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 1,
  });
  const ctOptions = () => ({
    preScale: {
      enabled: true,
      scalingParameters: { rescaleSlope: 1, rescaleIntercept: -1024, modality: 'CT' },
    },
    allowFloatRendering: true,
  });
  const EXPLICIT_LE = '1.2.840.10008.1.2.1';

  function kept(): { raw: ArrayBuffer; frame: DecodedFrame } {
    const raw = new ArrayBuffer(8);
    const frame: DecodedFrame = {
      inputs: decodeInputsOf(frameOf(), EXPLICIT_LE, ctOptions()),
      pixelData: new Int16Array([-1024, 0, 1, 2]),
      pixelDataLength: 4,
      smallestPixelValue: -1024,
      largestPixelValue: 2,
      scaled: true,
      decodeTimeInMS: 1,
    };
    keepDecodedFrame(raw, frame);
    return { raw, frame };
  }

  it('takes it, marked scaled, when every input is the same, and only once', () => {
    const { raw, frame } = kept();
    const taken = takeDecodedFrame(frameOf(), EXPLICIT_LE, new Uint8Array(raw), ctOptions());
    expect(taken?.pixelData).toBe(frame.pixelData);
    expect(taken?.largestPixelValue).toBe(2);
    expect((taken?.preScale as { scaled?: boolean }).scaled).toBe(true);
    expect(takeDecodedFrame(frameOf(), EXPLICIT_LE, new Uint8Array(raw), ctOptions())).toBeNull();
  });

  it('does not take it for another rescale, transfer syntax, bit depth or a part of the bytes', () => {
    const other = ctOptions();
    other.preScale.scalingParameters.rescaleIntercept = -1000;
    expect(takeDecodedFrame(frameOf(), EXPLICIT_LE, new Uint8Array(kept().raw), other)).toBeNull();
    expect(
      takeDecodedFrame(frameOf(), '1.2.840.10008.1.2', new Uint8Array(kept().raw), ctOptions()),
    ).toBeNull();
    expect(
      takeDecodedFrame(
        { ...frameOf(), bitsStored: 12 },
        EXPLICIT_LE,
        new Uint8Array(kept().raw),
        ctOptions(),
      ),
    ).toBeNull();
    expect(takeDecodedFrame(frameOf(), EXPLICIT_LE, new Uint8Array(kept().raw, 2), ctOptions())).toBeNull();
    expect(
      takeDecodedFrame(frameOf(), EXPLICIT_LE, new Uint8Array(kept().raw), {
        ...ctOptions(),
        allowFloatRendering: false,
      }),
    ).toBeNull();
  });
});

describe('a frame the worker decoded comes without its raw bytes', () => {
  const ct = ensureCtSeries({ slices: 2, size: 64, seed: 'frame-worker' });
  const frameOf = (): NativeImageFrame => ({
    samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2',
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 1,
  });
  const options = (intercept: number, extra: Record<string, unknown> = {}) => ({
    preScale: {
      enabled: true,
      scalingParameters: { rescaleSlope: 1, rescaleIntercept: intercept, modality: 'CT' },
    },
    allowFloatRendering: true,
    ...extra,
  });
  const EXPLICIT_LE = '1.2.840.10008.1.2.1';
  const canvas = {} as HTMLCanvasElement;

  it('the parsed file then holds a one-byte stand-in and the frame keeps the values pydicom computes', async () => {
    const natural = await parsed(ct.files[1]!);
    const rawLength = singleFrameBytes(natural)!.byteLength;
    const decoded = decodeNaturalFrame(natural, REQUEST)!;
    const standIn = releaseFrameBytes(natural);
    expect(standIn?.byteLength).toBe(1);
    expect(singleFrameBytes(natural)).toBe(standIn);
    expect(rawLength).toBe(64 * 64 * 2);
    expect(Array.from(decoded.pixelData)).toEqual(pydicomValues(ct.files[1]!));
  });

  it('decodes with the same inputs take the frame (a copy after the first) without fetching; other decodes fetch the bytes again', async () => {
    const natural = await parsed(ct.files[1]!);
    const raw = new Uint8Array(singleFrameBytes(natural)!.slice(0));
    const decoded = decodeNaturalFrame(natural, REQUEST)!;
    const standIn = releaseFrameBytes(natural)!;
    let fetches = 0;
    keepDecodedFrame(standIn, decoded, () => {
      fetches += 1;
      return Promise.resolve(raw);
    });
    const intercept = -1024;
    const decode = (extra: Record<string, unknown> = {}, at = intercept) =>
      decodeImageFrame(frameOf(), EXPLICIT_LE, new Uint8Array(standIn), canvas, options(at, extra));
    const taken = await decode();
    expect(taken.pixelData).toBe(decoded.pixelData);
    expect(fetches).toBe(0);

    // A second load (the cache let the image go, or a load that is not cached) gets its own copy
    // of the same values, still without a fetch.
    const again = await decode();
    expect(fetches).toBe(0);
    expect(again.pixelData).not.toBe(decoded.pixelData);
    expect(again.pixelData).toBeInstanceOf(decoded.pixelData.constructor);
    expect(Array.from(again.pixelData!)).toEqual(Array.from(decoded.pixelData));
    expect(again.smallestPixelValue).toBe(decoded.smallestPixelValue);
    expect(again.largestPixelValue).toBe(decoded.largestPixelValue);

    // Another rescale: decoded from the bytes fetched again, with that decode's values.
    const other = await decode({}, -1000);
    expect(fetches).toBe(1);
    expect(Array.from(other.pixelData!)).toEqual(Array.from(decoded.pixelData, (value) => value + 24));
  });

  it('a decode into a volume buffer (targetBuffer) does not take the frame: it gets the bytes fetched again, and the frame stays for the stack', async () => {
    const natural = await parsed(ct.files[1]!);
    const raw = new Uint8Array(singleFrameBytes(natural)!.slice(0));
    const decoded = decodeNaturalFrame(natural, REQUEST)!;
    const standIn = releaseFrameBytes(natural)!;
    keepDecodedFrame(standIn, decoded, () => Promise.resolve(raw));
    const target = options(-1024, { targetBuffer: { type: 'Int16Array', rows: 64, columns: 64 } });
    expect(takeDecodedFrame(frameOf(), EXPLICIT_LE, new Uint8Array(standIn), target)).toBeNull();
    // What decodeImageFrame then hands to Cornerstone's decoder: the file's own bytes.
    expect(await fetchReleasedBytes(new Uint8Array(standIn))).toEqual(raw);
    const stack = takeDecodedFrame(frameOf(), EXPLICIT_LE, new Uint8Array(standIn), options(-1024));
    expect(stack?.pixelData).toBe(decoded.pixelData);
    // Bytes that are the frame's own (not released) have nothing to fetch.
    expect(fetchReleasedBytes(raw)).toBeNull();
  });
});
