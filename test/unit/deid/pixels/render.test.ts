import { describe, expect, it } from 'vitest';
import { layoutOf, type PixelLayout } from '../../../../main/deid/pixels/layout.js';
import {
  displayRangeOf,
  histogramOf,
  inkThreshold,
  otsuThreshold,
  renderForOcr,
  renderFrameInOwnRange,
} from '../../../../main/deid/pixels/render.js';

function greyLayout(rows: number, columns: number): PixelLayout {
  const result = layoutOf({
    rows,
    columns,
    samplesPerPixel: 1,
    bitsAllocated: 8,
    bitsStored: 8,
    pixelRepresentation: 0,
    planarConfiguration: 0,
    photometricInterpretation: 'MONOCHROME2',
    numberOfFrames: 1,
    transferSyntaxUID: '1.2.840.10008.1.2.1',
  });
  if (!result.ok) throw new Error(result.reason);
  return result.layout;
}

/** A deterministic pseudo-random speckle (no Math.random in specifications). */
function speckle(length: number, mean: number, spread: number): Uint8Array {
  const values = new Uint8Array(length);
  let state = 12345;
  for (let index = 0; index < length; index += 1) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    values[index] = Math.max(0, Math.min(255, Math.round(mean + ((state % 1000) / 1000 - 0.5) * 2 * spread)));
  }
  return values;
}

describe('rendering frames for OCR', () => {
  it("Otsu's threshold separates a two-level picture", () => {
    const values = new Uint8Array(1000).fill(20);
    values.fill(200, 0, 100);
    const threshold = otsuThreshold(histogramOf(values));
    expect(threshold).toBeGreaterThan(20);
    expect(threshold).toBeLessThanOrEqual(200);
  });

  it('isolates a small bright text tail above speckle instead of splitting the speckle', () => {
    const values = speckle(100_000, 70, 30);
    values.fill(150, 0, 400); // 0.4% "text" pixels, brighter than any speckle
    const threshold = inkThreshold(histogramOf(values));
    expect(threshold).toBeGreaterThan(100);
    expect(threshold).toBeLessThanOrEqual(150);
  });

  it('renders bright text black on white, enlarged by the requested scale', () => {
    const layout = greyLayout(2, 3);
    const frame = Uint8Array.from([0, 255, 0, 0, 0, 0]);
    const image = renderForOcr(frame, layout, 2);
    expect([image.width, image.height, image.scale]).toEqual([6, 4, 2]);
    expect(image.pixels[0 * 6 + 2]).toBe(0); // ink (the bright pixel) → black
    expect(image.pixels[3 * 6 + 0]).toBe(255); // background → white
  });

  it('keeps the threshold of the unmasked frame for the re-check', () => {
    const layout = greyLayout(1, 4);
    const range = displayRangeOf([Uint8Array.from([0, 0, 0, 255])], layout);
    // After masking, only faint background differences remain: rendered as all background.
    const image = renderForOcr(Uint8Array.from([0, 3, 6, 0]), layout, 1, range);
    expect(Array.from(image.pixels)).toEqual([255, 255, 255, 255]);
  });
});

describe('rendering a frame in its own range (the series sample)', () => {
  it('draws exactly what renderForOcr draws with the frame’s own display range', () => {
    const layout = greyLayout(40, 60);
    const frame = speckle(40 * 60, 60, 40);
    for (let index = 300; index < 340; index += 1) frame[index] = 250; // a bright stroke
    for (const scale of [1, 2, 3]) {
      const expected = renderForOcr(frame, layout, scale, displayRangeOf([frame], layout));
      const drawn = renderFrameInOwnRange(frame, layout, scale);
      expect(drawn.width).toBe(expected.width);
      expect(Buffer.from(drawn.pixels).equals(Buffer.from(expected.pixels))).toBe(true);
    }
  });
});
