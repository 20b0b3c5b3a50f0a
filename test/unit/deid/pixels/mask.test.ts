import { describe, expect, it } from 'vitest';
import { FrameSamples, layoutOf, type PixelLayout } from '../../../../main/deid/pixels/layout.js';
import { maskFrame } from '../../../../main/deid/pixels/mask.js';

function layout(overrides: Partial<Parameters<typeof layoutOf>[0]>): PixelLayout {
  const result = layoutOf({
    rows: 4,
    columns: 4,
    samplesPerPixel: 1,
    bitsAllocated: 16,
    bitsStored: 16,
    pixelRepresentation: 0,
    planarConfiguration: 0,
    photometricInterpretation: 'MONOCHROME2',
    numberOfFrames: 1,
    transferSyntaxUID: '1.2.840.10008.1.2.1',
    ...overrides,
  });
  if (!result.ok) throw new Error(result.reason);
  return result.layout;
}

function frameOf(values: number[], frameLayout: PixelLayout): Uint8Array {
  const bytes = new Uint8Array(values.length * (frameLayout.bitsAllocated / 8));
  const samples = new FrameSamples(bytes, frameLayout);
  values.forEach((value, index) => samples.set(index, value));
  return bytes;
}

function valuesOf(bytes: Uint8Array, frameLayout: PixelLayout): number[] {
  const samples = new FrameSamples(bytes, frameLayout);
  return Array.from({ length: samples.length }, (_, index) => samples.get(index));
}

const topLeft2x2 = [{ x: 0, y: 0, width: 2, height: 2 }];
const ramp = Array.from({ length: 16 }, (_, index) => 100 + index * 10);

describe('masking native pixel data with black in display terms', () => {
  it('MONOCHROME2 unsigned 16-bit: the masked pixels take the frame minimum, the rest is untouched', () => {
    const l = layout({});
    const frame = frameOf(ramp, l);
    expect(maskFrame(frame, l, topLeft2x2)).toBe(4);
    const values = valuesOf(frame, l);
    expect([values[0], values[1], values[4], values[5]]).toEqual([100, 100, 100, 100]);
    expect(values.filter((_, index) => ![0, 1, 4, 5].includes(index))).toEqual(
      ramp.filter((_, index) => ![0, 1, 4, 5].includes(index)),
    );
  });

  it('MONOCHROME1: the masked pixels take the frame maximum (black when inverted)', () => {
    const l = layout({ photometricInterpretation: 'MONOCHROME1' });
    const frame = frameOf(ramp, l);
    maskFrame(frame, l, topLeft2x2);
    expect(valuesOf(frame, l)[0]).toBe(250);
  });

  it('signed 16-bit with 12 bits stored: negative minimum written in the stored bits', () => {
    const l = layout({ pixelRepresentation: 1, bitsStored: 12 });
    const values = ramp.map((value) => value - 1124); // -1024 … -874
    const frame = frameOf(values, l);
    maskFrame(frame, l, [{ x: 3, y: 3, width: 5, height: 5 }]);
    expect(valuesOf(frame, l)[15]).toBe(-1024);
  });

  it('8-bit greyscale', () => {
    const l = layout({ bitsAllocated: 8, bitsStored: 8 });
    const frame = frameOf(ramp, l);
    maskFrame(frame, l, topLeft2x2);
    expect(valuesOf(frame, l).slice(0, 2)).toEqual([100, 100]);
  });

  it('big-endian 16-bit samples are written big endian', () => {
    const l = layout({ transferSyntaxUID: '1.2.840.10008.1.2.2' });
    const frame = frameOf(
      ramp.map((value) => value + 0x100),
      l,
    );
    maskFrame(frame, l, topLeft2x2);
    expect([frame[0], frame[1]]).toEqual([0x01, 100]);
  });

  it('RGB interleaved: masked pixels become 0,0,0 and neighbours keep their colour', () => {
    const l = layout({
      samplesPerPixel: 3,
      bitsAllocated: 8,
      bitsStored: 8,
      photometricInterpretation: 'RGB',
    });
    const frame = new Uint8Array(16 * 3).fill(200);
    maskFrame(frame, l, [{ x: 1, y: 0, width: 1, height: 1 }]);
    expect(Array.from(frame.subarray(0, 9))).toEqual([200, 200, 200, 0, 0, 0, 200, 200, 200]);
  });

  it('RGB planar: each plane is masked at the same pixel', () => {
    const l = layout({
      samplesPerPixel: 3,
      bitsAllocated: 8,
      bitsStored: 8,
      photometricInterpretation: 'RGB',
      planarConfiguration: 1,
    });
    const frame = new Uint8Array(16 * 3).fill(200);
    maskFrame(frame, l, [{ x: 1, y: 0, width: 1, height: 1 }]);
    expect([frame[1], frame[17], frame[33]]).toEqual([0, 0, 0]);
    expect([frame[0], frame[16], frame[32]]).toEqual([200, 200, 200]);
  });

  it('YBR_FULL: black is Y 0 with neutral chroma', () => {
    const l = layout({
      samplesPerPixel: 3,
      bitsAllocated: 8,
      bitsStored: 8,
      photometricInterpretation: 'YBR_FULL',
    });
    const frame = new Uint8Array(16 * 3).fill(200);
    maskFrame(frame, l, [{ x: 0, y: 0, width: 1, height: 1 }]);
    expect(Array.from(frame.subarray(0, 3))).toEqual([0, 128, 128]);
  });

  it('regions outside the image are clipped, not wrapped', () => {
    const l = layout({});
    const frame = frameOf(ramp, l);
    expect(maskFrame(frame, l, [{ x: -10, y: 3, width: 11, height: 100 }])).toBe(1);
    expect(valuesOf(frame, l)[12]).toBe(100);
  });
});
