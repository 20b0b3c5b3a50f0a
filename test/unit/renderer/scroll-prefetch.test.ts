/**
 * A stack's prefetch (renderer/src/imaging/scrollPrefetch.ts): a few loads at a time, the nearest
 * images ahead of the reader in the direction of scrolling first, each image asked for once; the
 * files in batches (the image about to load and the next ones in the same order); when it is done,
 * a mark with what the cache holds.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const loaded = new Set<string>();
const pending: { imageId: string; finish: () => void; fail: () => void }[] = [];
const asked: string[] = [];
const batches: string[][] = [];
const planners = new Set<(imageId: string) => readonly string[] | null>();

vi.mock('@cornerstonejs/core', () => ({
  Enums: { RequestType: { Prefetch: 'prefetch' } },
  cache: { isLoaded: (imageId: string) => loaded.has(imageId) },
  imageLoader: {
    loadAndCacheImage: (imageId: string) => {
      asked.push(imageId);
      return new Promise<void>((resolve, reject) =>
        pending.push({
          imageId,
          finish: () => {
            loaded.add(imageId);
            resolve();
          },
          fail: () => reject(new Error('HTTP 500')),
        }),
      );
    },
  },
}));
vi.mock('../../../renderer/src/imaging/frameFetcher.js', () => ({
  prefetchInWorker: (imageIds: readonly string[]) => batches.push([...imageIds]),
  addBatchPlanner: (planner: (imageId: string) => readonly string[] | null) => {
    planners.add(planner);
    return () => planners.delete(planner);
  },
}));
vi.mock('../../../renderer/src/imaging/initImaging.js', () => ({ renderingChoice: () => ({ mode: 'cpu' }) }));

const { STACK_PREFETCHED_MARK, startScrollPrefetch } =
  await import('../../../renderer/src/imaging/scrollPrefetch.js');

const ids = Array.from({ length: 20 }, (_, i) => `img${i}`);
function fakeViewport(start: number) {
  const state = { target: start };
  return {
    state,
    viewport: {
      getImageIds: () => ids,
      getTargetImageIdIndex: () => state.target,
    } as unknown as Parameters<typeof startScrollPrefetch>[0],
  };
}

/** Ends the oldest load still running and lets its continuation run. */
async function finishOldest(): Promise<void> {
  pending.shift()!.finish();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

beforeEach(() => {
  loaded.clear();
  pending.length = 0;
  asked.length = 0;
  batches.length = 0;
});

describe('scroll prefetch', () => {
  it('keeps at most the given number of loads running, the nearest ahead of the target first', async () => {
    loaded.add('img5');
    const { viewport } = fakeViewport(5);
    const stop = startScrollPrefetch(viewport, 3);
    expect(asked).toEqual(['img6', 'img7', 'img8']);
    await finishOldest();
    expect(asked).toEqual(['img6', 'img7', 'img8', 'img9']);
    expect(pending).toHaveLength(3);
    stop();
  });

  it('turns with the reader: after a step up, the images above come first', async () => {
    loaded.add('img10');
    const { viewport, state } = fakeViewport(10);
    const stop = startScrollPrefetch(viewport, 2);
    expect(asked).toEqual(['img11', 'img12']);
    state.target = 9;
    await finishOldest();
    await finishOldest();
    expect(asked.slice(2)).toEqual(['img9', 'img8']);
    stop();
  });

  it('offers each image it is about to load with the next ones in its order, cached ones left out', async () => {
    loaded.add('img5');
    loaded.add('img8');
    const { viewport, state } = fakeViewport(5);
    const stop = startScrollPrefetch(viewport, 2);
    expect(asked).toEqual(['img6', 'img7']);
    expect(batches[0]).toEqual(['img6', 'img7', 'img9', 'img10', 'img11', 'img12', 'img13', 'img14']);
    expect(batches[1]![0]).toBe('img7');
    // At the end of the stack, the images behind the target follow.
    state.target = 18;
    await finishOldest();
    expect(batches.at(-1)).toEqual(['img18', 'img19', 'img17', 'img16', 'img15', 'img14', 'img13', 'img12']);
    stop();
  });

  it('while it runs, batches a step of the viewport onto a slice not on its way with the next ones ahead', async () => {
    loaded.add('img2');
    loaded.add('img12');
    const { viewport, state } = fakeViewport(2);
    const stop = startScrollPrefetch(viewport, 2);
    expect(planners.size).toBe(1);
    const planner = [...planners][0]!;
    state.target = 10;
    // img12 is cached; img3 and img4 are the prefetch's already (asked for) and behind anyway.
    expect(planner('img10')).toEqual([
      'img10',
      'img11',
      'img13',
      'img14',
      'img15',
      'img16',
      'img17',
      'img18',
    ]);
    expect(planner('elsewhere')).toBeNull();
    // Scrolling up: the ones above.
    state.target = 9;
    expect(planner('img9')).toEqual(['img9', 'img8', 'img7', 'img6', 'img5', 'img1', 'img0']);
    stop();
    expect(planners.size).toBe(0);
  });

  it('asks for every image once, then for nothing more; stopping ends it', async () => {
    const { viewport } = fakeViewport(18);
    const stop = startScrollPrefetch(viewport, 4);
    while (pending.length > 0) await finishOldest();
    expect([...asked].sort()).toEqual([...ids].sort());
    expect(new Set(asked).size).toBe(ids.length);
    // Ahead of 18 first (18, 19), then behind it, nearest first.
    expect(asked.slice(0, 4)).toEqual(['img18', 'img19', 'img17', 'img16']);
    stop();

    asked.length = 0;
    loaded.clear();
    const second = fakeViewport(0);
    const stopSecond = startScrollPrefetch(second.viewport, 2);
    stopSecond();
    await finishOldest();
    expect(asked).toEqual(['img0', 'img1']);
  });

  it('once nothing is left to ask for and the last load has ended, marks what the cache holds, once', async () => {
    performance.clearMarks(STACK_PREFETCHED_MARK);
    const marks = () => performance.getEntriesByName(STACK_PREFETCHED_MARK) as PerformanceMark[];
    loaded.add('img0');
    const { viewport } = fakeViewport(0);
    const stop = startScrollPrefetch(viewport, 3);
    // The load of img7 fails: not asked for again (loaded when shown), and not in the cache.
    let failedOne = false;
    while (pending.length > 0) {
      expect(marks()).toHaveLength(0);
      const oldest = pending[0]!;
      if (oldest.imageId === 'img7' && !failedOne) {
        failedOne = true;
        pending.shift();
        oldest.fail();
        await new Promise((resolve) => setTimeout(resolve, 0));
      } else await finishOldest();
    }
    expect(failedOne).toBe(true);
    expect(asked.filter((imageId) => imageId === 'img7')).toHaveLength(1);
    expect(marks()).toHaveLength(1);
    expect(marks()[0]!.detail).toEqual({ total: 20, cached: 19 });
    // Its planner is gone with it; stopping afterwards changes nothing.
    expect(planners.size).toBe(0);
    stop();
    expect(marks()).toHaveLength(1);
  });

  it('marks nothing when stopped before it is done (another stack took over)', async () => {
    performance.clearMarks(STACK_PREFETCHED_MARK);
    const { viewport } = fakeViewport(0);
    const stop = startScrollPrefetch(viewport, 2);
    stop();
    while (pending.length > 0) await finishOldest();
    expect(performance.getEntriesByName(STACK_PREFETCHED_MARK)).toHaveLength(0);
  });
});
