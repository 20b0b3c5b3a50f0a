/**
 * What the eraser's preview draws for a voxel it takes (renderer/src/annotation/segmentation/
 * eraseLook.ts): the image's colour as the image actor maps it, with the layers the eraser leaves
 * blended over it in order, each visible segment in its colour and opacity.
 */
import { describe, expect, it } from 'vitest';
import {
  type ColourFunction,
  type LayerOnImage,
  blendChannel,
  erasedColour,
  imageColours,
} from '../../../renderer/src/annotation/segmentation/eraseLook.js';

/** A grey ramp over [low, high] (a linear VOI window), inverted on request, counting its calls. */
function ramp(low: number, high: number, invert = false): ColourFunction & { calls: number } {
  return {
    calls: 0,
    getRange: () => [low, high],
    getColor(value, rgb) {
      this.calls += 1;
      const t = (value - low) / (high - low);
      const grey = invert ? 1 - t : t;
      rgb[0] = grey;
      rgb[1] = grey;
      rgb[2] = grey;
    },
  };
}

describe('the image colour of an erased voxel', () => {
  it('maps the value through the window, clamped to it, as 8-bit channels', () => {
    const colourOf = imageColours(ramp(-160, 240));
    expect(colourOf(40)).toEqual([128, 128, 128]);
    expect(colourOf(-1000)).toEqual([0, 0, 0]);
    expect(colourOf(3000)).toEqual([255, 255, 255]);
    expect(imageColours(ramp(-160, 240, true))(-160)).toEqual([255, 255, 255]);
  });

  it('asks the colour function once per value', () => {
    const colours = ramp(0, 100);
    const colourOf = imageColours(colours);
    for (let i = 0; i < 50; i++) colourOf(i % 5);
    expect(colours.calls).toBe(5);
  });
});

describe('the colour an erased voxel shows', () => {
  const out = new Uint8ClampedArray(8);

  it('is the image where no other layer has a visible segment', () => {
    erasedColour([87, 87, 87], [], 0, out, 4);
    expect([...out.slice(4)]).toEqual([87, 87, 87, 255]);
    const hidden: LayerOnImage = { voxels: [3], paints: new Map() };
    erasedColour([87, 87, 87], [hidden], 0, out, 0);
    expect([...out.slice(0, 4)]).toEqual([87, 87, 87, 255]);
  });

  it('has each visible segment of the other layers blended over the image, in layer order', () => {
    const purple: LayerOnImage = { voxels: [0, 1], paints: new Map([[1, [160, 32, 240, 0.5]]]) };
    const green: LayerOnImage = { voxels: [0, 2], paints: new Map([[2, [0, 255, 0, 0.25]]]) };
    erasedColour([87, 87, 87], [purple, green], 1, out, 0);
    const r = blendChannel(blendChannel(87, 160, 0.5), 0, 0.25);
    const g = blendChannel(blendChannel(87, 32, 0.5), 255, 0.25);
    const b = blendChannel(blendChannel(87, 240, 0.5), 0, 0.25);
    expect([...out.slice(0, 4)]).toEqual([r, g, b, 255]);
    expect([r, g, b]).toEqual([93, 109, 123]);
    // Voxel 0 has no segment on either layer: the image.
    erasedColour([87, 87, 87], [purple, green], 0, out, 0);
    expect([...out.slice(0, 4)]).toEqual([87, 87, 87, 255]);
  });

  it('blends a channel as the frame buffer keeps it, rounded', () => {
    expect(blendChannel(87, 166, 0)).toBe(87);
    expect(blendChannel(87, 166, 1)).toBe(166);
    expect(blendChannel(0, 255, 0.5)).toBe(128);
  });
});
