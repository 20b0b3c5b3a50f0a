/**
 * What a voxel the eraser takes shows once Cornerstone renders it again (strokePreview.ts): the
 * image's own colour for the voxel, with the labelmap layers the eraser does not touch blended over
 * it in their order, each visible segment in its colour and fill opacity. Pure: the session
 * (segmentationSession.ts) gathers the layers and the image's colour mapping at the press.
 */

/** A segment's colour (0–255) and the opacity (0–1) its fill is blended with. */
export type SegmentPaint = readonly [r: number, g: number, b: number, alpha: number];

/** A labelmap layer on the image shown: its voxels and the paint of each visible label value. */
export interface LayerOnImage {
  voxels: ArrayLike<number>;
  /** Label value → paint; a value absent here (hidden segment, or none) is not drawn. */
  paints: ReadonlyMap<number, SegmentPaint>;
}

/**
 * One channel of `over` blended with `alpha` onto `under`, as the 8-bit frame buffer keeps it:
 * `over × alpha + under × (1 − alpha)`, rounded.
 */
export function blendChannel(under: number, over: number, alpha: number): number {
  return Math.round(over * alpha + under * (1 - alpha));
}

/**
 * Writes the opaque colour of voxel `index` once erased at `out[offset..offset+3]`: `base` (the
 * image's colour there), then every layer's visible segment over it, in order.
 */
export function erasedColour(
  base: readonly [number, number, number],
  layers: readonly LayerOnImage[],
  index: number,
  out: Uint8ClampedArray,
  offset: number,
): void {
  let [r, g, b] = base;
  for (const layer of layers) {
    const value = layer.voxels[index];
    if (!value) continue;
    const paint = layer.paints.get(value);
    if (!paint) continue;
    const alpha = paint[3];
    r = blendChannel(r, paint[0], alpha);
    g = blendChannel(g, paint[1], alpha);
    b = blendChannel(b, paint[2], alpha);
  }
  out[offset] = r;
  out[offset + 1] = g;
  out[offset + 2] = b;
  out[offset + 3] = 255;
}

/** The part of vtk.js's colour transfer function the image colour needs. */
export interface ColourFunction {
  getRange(): number[];
  getColor(value: number, rgb: number[]): void;
}

/**
 * The colour the viewport's image actor gives a scalar value, as vtk.js's image mapper draws it
 * with the lookup table's scalar range (Cornerstone's stack viewports): the value clamped to the
 * function's range (the VOI window, with invert, colormap and VOI function already in its nodes),
 * its colour as 8-bit channels (the colour texture's table). Values seen are kept: the images are
 * integers mostly, and a stroke meets few of them.
 */
export function imageColours(colours: ColourFunction): (value: number) => readonly [number, number, number] {
  const [low = 0, high = 0] = colours.getRange();
  const known = new Map<number, readonly [number, number, number]>();
  const rgb = [0, 0, 0];
  return (value) => {
    let colour = known.get(value);
    if (colour) return colour;
    const clamped = Math.min(high, Math.max(low, value));
    colours.getColor(clamped, rgb);
    colour = [Math.round(255 * rgb[0]!), Math.round(255 * rgb[1]!), Math.round(255 * rgb[2]!)] as const;
    if (known.size < 65536) known.set(value, colour);
    return colour;
  };
}
