/** The voxel grid of a stored series for agreement (main/agreement/service.ts), from its files' headers. */
import { sliceKeyOf } from '../annotation/labelmap-store.js';
import { readSeriesGeometry } from '../annotation/dicom/geometry.js';
import type { SeriesGrid } from './service.js';

/**
 * Slices in display order along the normal, at their own positions (mm; uneven spacing kept);
 * PixelSpacing's row and column spacing. Multi-frame images count their first frame only.
 */
export function seriesGridFromFiles(files: readonly string[]): SeriesGrid {
  const geometry = readSeriesGeometry(files);
  const sliceIndex = new Map<string, number>();
  geometry.slices.forEach((slice, z) => sliceIndex.set(sliceKeyOf(slice.sopInstanceUID), z));
  return {
    grid: {
      rows: geometry.rows,
      columns: geometry.columns,
      rowSpacing: geometry.pixelSpacing[0],
      columnSpacing: geometry.pixelSpacing[1],
      slicePositions: geometry.slices.map((slice) => slice.offset),
    },
    sliceIndex,
  };
}
