/**
 * The CPU image shown at its natural size (renderer/src/imaging/displayCanvas.ts): which images
 * the render canvas can show as Cornerstone drew them, and the CSS transform it is shown with.
 */
import { describe, expect, it } from 'vitest';
import {
  type CpuEnabledElement,
  cssTransformOf,
  displayableSource,
} from '../../../renderer/src/imaging/displayCanvas.js';

type Canvas = { width: number; height: number; name: string };

const grey = (overrides: Partial<CpuEnabledElement<Canvas>> = {}): CpuEnabledElement<Canvas> => ({
  image: { width: 512, height: 400 },
  viewport: { displayedArea: { tlhc: { x: 1, y: 1 }, brhc: { x: 512, y: 400 } } },
  renderingTools: { renderCanvas: { width: 512, height: 400, name: 'render' } },
  ...overrides,
});

describe('the display canvas', () => {
  it('shows the render canvas of a whole grey image', () => {
    expect(displayableSource(grey())?.name).toBe('render');
  });

  it('leaves to Cornerstone’s canvas what it draws from elsewhere or in part', () => {
    const area = (tlhc: [number, number], brhc: [number, number]) => ({
      displayedArea: { tlhc: { x: tlhc[0], y: tlhc[1] }, brhc: { x: brhc[0], y: brhc[1] } },
    });
    // No image yet, a colour image (drawn from the image's own canvas), a colour map, a
    // renderer of the image's own.
    expect(displayableSource(grey({ image: undefined }))).toBeNull();
    expect(displayableSource(grey({ image: { width: 512, height: 400, color: true } }))).toBeNull();
    expect(
      displayableSource(grey({ viewport: { ...grey().viewport, colormap: { name: 'hot' } } })),
    ).toBeNull();
    expect(
      displayableSource(grey({ image: { width: 512, height: 400, render: () => undefined } })),
    ).toBeNull();
    // A displayed area that is not the whole image.
    expect(displayableSource(grey({ viewport: area([2, 1], [512, 400]) }))).toBeNull();
    expect(displayableSource(grey({ viewport: area([1, 1], [256, 400]) }))).toBeNull();
    // A render canvas not (yet) of this image's size, or none.
    expect(
      displayableSource(grey({ renderingTools: { renderCanvas: { width: 400, height: 512, name: 'old' } } })),
    ).toBeNull();
    expect(displayableSource(grey({ renderingTools: {} }))).toBeNull();
  });

  it('is placed by Cornerstone’s own transform, in CSS pixels', () => {
    // Fitted 512² into 896×748 device pixels at ratio 1: scale 748/512, centred.
    expect(cssTransformOf({ a: 1.4609375, b: 0, c: 0, d: 1.4609375, e: 74, f: 0 }, 1)).toBe(
      'matrix(1.4609375, 0, 0, 1.4609375, 74, 0)',
    );
    // Rotated 90° and flipped, at a device pixel ratio of 2: every term halved.
    expect(cssTransformOf({ a: 0, b: 2, c: 2, d: 0, e: 100, f: 40 }, 2)).toBe('matrix(0, 1, 1, 0, 50, 20)');
  });
});
