/**
 * The overlay's zoom is screen pixels per image pixel (renderer/src/viewer/zoomReadout.ts):
 * 100 % is one screen pixel per image pixel, whole percentages, one decimal below 10 %.
 */
import { describe, expect, it } from 'vitest';
import { zoomPercentOf } from '../../../renderer/src/viewer/zoomReadout.js';

describe('the zoom shown on the overlay', () => {
  it('is one hundred percent at one screen pixel per image pixel', () => {
    expect(zoomPercentOf(1)).toBe(100);
  });
  it('a 3×3 image fitted to 783 screen pixels is at 26100 %: each image pixel is 261 screen pixels wide', () => {
    expect(zoomPercentOf(783 / 3)).toBe(26100);
  });
  it('a 512² image fitted to 400 screen pixels is at 78 %', () => {
    expect(zoomPercentOf(400 / 512)).toBe(78);
  });
  it('keeps one decimal below ten percent', () => {
    expect(zoomPercentOf(0.0734)).toBe(7.3);
  });
});
