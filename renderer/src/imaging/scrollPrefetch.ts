/**
 * Loads a stack's images ahead of the reader, in the direction of scrolling, a few at a time.
 *
 * Cornerstone's `stackPrefetch` queued every image of the stack (nearest first) and, on each new
 * image shown, queued every image still missing again without removing the earlier requests, so
 * a pass through 200 slices pushed tens of thousands of requests through the pool (most of them
 * cache look-ups of images already on their way), in the order of the first queue. Here at most
 * `inFlight` loads run at once; each time one ends, the next is chosen from where the viewport is
 * going now: the nearest image not yet asked for ahead of the target slice in the direction of
 * the last step, then behind it. Every image is asked for once per stack (an image the cache
 * later evicts is not fetched again in a loop).
 *
 * The files come in batches: when the next image to load is not on its way yet, it and the images
 * that follow it in the same order (`BATCH` in all) are asked for in one request
 * (frameFetcher.ts `prefetchInWorker`); their loads, started one by one as before, then take those
 * files as they arrive. While it runs, a load of one of the stack's images by the viewport itself
 * (a reader's step onto a slice not on its way yet) is batched the same way: that image and the
 * next ones in the direction of scrolling (`addBatchPlanner`).
 *
 * When every image has been asked for and the last load has ended, the prefetch marks
 * `radlabel:stack-prefetched` on the page's performance timeline, with how many of the stack's
 * images the cache holds then (an image whose load failed is not asked for again: it is loaded
 * when shown). Benchmarks and tests wait for it: a batch answer that came in full can still be
 * reported as aborted by the browser's network events (Chromium, a streamed `no-store` answer read
 * to its end), so counting finished requests undercounts what came.
 */
import { Enums, type StackViewport, cache, imageLoader } from '@cornerstonejs/core';
import { addBatchPlanner, prefetchInWorker } from './frameFetcher.js';
import { renderingChoice } from './initImaging.js';

/** Files per batch request: fewer requests, but not far past a turn of the reader. */
export const PREFETCH_BATCH = 8;

/** The mark of a stack prefetch that has nothing left to ask for (see above). */
export const STACK_PREFETCHED_MARK = 'radlabel:stack-prefetched';

export interface StackPrefetched {
  /** The stack's images. */
  total: number;
  /** Of those, the ones the cache holds when the prefetch ends. */
  cached: number;
}

export function startScrollPrefetch(viewport: StackViewport, inFlight: number): () => void {
  const imageIds = viewport.getImageIds();
  const count = imageIds.length;
  const requested = new Uint8Array(count);
  let lastTarget = viewport.getTargetImageIdIndex();
  let direction = 1;
  let active = 0;
  let stopped = false;
  // As the viewport's own request (RGBA on the CPU path), so the cached image serves it; useRGBA
  // is read by the DICOM image loader, though Cornerstone's option type leaves it out.
  const options = {
    priority: 0,
    requestType: Enums.RequestType.Prefetch,
    useRGBA: renderingChoice().mode === 'cpu',
  };

  const currentTarget = (): number => {
    const target = viewport.getTargetImageIdIndex();
    if (target !== lastTarget) {
      direction = target > lastTarget ? 1 : -1;
      lastTarget = target;
    }
    return target;
  };

  /** The next `n` images in the prefetch's order (not asked for yet, not cached). */
  const nextIndices = (n: number): number[] => {
    const target = currentTarget();
    const found: number[] = [];
    const take = (i: number): boolean => {
      if (!requested[i] && (found.length === 0 || !cache.isLoaded(imageIds[i]!))) found.push(i);
      return found.length >= n;
    };
    for (let i = target; i >= 0 && i < count; i += direction) if (take(i)) return found;
    for (let i = target - direction; i >= 0 && i < count; i -= direction) if (take(i)) return found;
    return found;
  };

  const indexOf = new Map(imageIds.map((imageId, index) => [imageId, index]));
  // The viewport's own load of one of these images: it and the next ones ahead of it, in the
  // direction of scrolling, that the prefetch has not asked for and the cache does not hold.
  const stopPlanning = addBatchPlanner((imageId) => {
    const from = indexOf.get(imageId);
    if (stopped || from === undefined) return null;
    currentTarget();
    const batch = [imageId];
    for (let i = from + direction; i >= 0 && i < count && batch.length < PREFETCH_BATCH; i += direction)
      if (!requested[i] && !cache.isLoaded(imageIds[i]!)) batch.push(imageIds[i]!);
    return batch;
  });

  const pump = (): void => {
    // A new stack on this viewport: its own prefetch takes over.
    if (viewport.getImageIds() !== imageIds) stop();
    while (!stopped && active < inFlight) {
      const next = nextIndices(PREFETCH_BATCH);
      const index = next[0];
      if (index === undefined) {
        if (active === 0) finish();
        return;
      }
      requested[index] = 1;
      const imageId = imageIds[index]!;
      if (cache.isLoaded(imageId)) continue;
      // Not on its way yet: fetched with the next ones in one request.
      if (next.length > 1) prefetchInWorker(next.map((i) => imageIds[i]!));
      active += 1;
      imageLoader
        .loadAndCacheImage(imageId, options)
        .catch(() => undefined)
        .finally(() => {
          active -= 1;
          pump();
        });
    }
  };

  /** Nothing left to ask for and nothing in flight: said once, with what the cache holds. */
  function finish(): void {
    stop();
    let cached = 0;
    for (const imageId of imageIds) if (cache.isLoaded(imageId)) cached += 1;
    performance.mark(STACK_PREFETCHED_MARK, { detail: { total: count, cached } satisfies StackPrefetched });
  }

  function stop(): void {
    stopped = true;
    stopPlanning();
  }

  pump();
  return stop;
}
