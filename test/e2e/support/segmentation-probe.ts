/**
 * The page's read-only segmentation probe (window.radlabelSegmentation, set by
 * renderer/src/annotation/segmentation/segmentationSession.ts), read from a test or bench.
 */
import type { Page } from '@playwright/test';

/** One labelled slice of one layer as the page holds it or main stored it (`segmentation.sliceHashes`). */
export interface SliceHash {
  layer: number;
  sopInstanceUID: string;
  frame: number;
  sha256: string;
  labelled: number;
}

interface ProbeWindow {
  radlabelSegmentation: {
    sliceHashes(): Promise<SliceHash[]>;
    voxelCounts(segmentIndex: number): number[];
    flushSave(): Promise<void>;
  };
}

/** Per-slice SHA-256 of the labelmaps the page holds. */
export function pageHashes(page: Page): Promise<SliceHash[]> {
  return page.evaluate(() => (window as unknown as ProbeWindow).radlabelSegmentation.sliceHashes());
}

/** Voxels of one segment per slice, as the page holds them. */
export function voxelCounts(page: Page, segmentIndex: number): Promise<number[]> {
  return page.evaluate(
    (index) => (window as unknown as ProbeWindow).radlabelSegmentation.voxelCounts(index),
    segmentIndex,
  );
}

/** Resolves when every stroke painted so far has been saved by main. */
export function flushSave(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as ProbeWindow).radlabelSegmentation.flushSave());
}
