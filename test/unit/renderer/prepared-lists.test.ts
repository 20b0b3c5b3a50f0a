/**
 * A study chosen in the worklist has the lists of the series it would open with asked at once
 * (renderer/src/stores/seriesInstances.ts); opening that study takes them instead of asking main
 * again, so its first images are requested without waiting.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
vi.mock('../../../renderer/src/host/index.js', () => ({
  host: {
    api: {
      call: vi.fn((method: string, payload: { seriesInstanceUID: string }) => {
        calls.push(`${method} ${payload.seriesInstanceUID}`);
        return Promise.resolve([{ sopInstanceUID: `${payload.seriesInstanceUID}.1` }]);
      }),
    },
  },
}));

const { prepareSeriesLists, claimPreparedLists, seriesInstances } =
  await import('../../../renderer/src/stores/seriesInstances.js');

describe('lists prepared when a study is chosen', () => {
  beforeEach(() => {
    calls.length = 0;
    claimPreparedLists({});
  });

  it('asks each series once when chosen; opening the same detail takes those answers', async () => {
    const detail = {};
    prepareSeriesLists(detail, ['1.1', '1.2']);
    expect(calls).toEqual(['catalog.listInstances 1.1', 'catalog.listInstances 1.2']);
    const lists = claimPreparedLists(detail)!;
    expect(await lists.get('1.1')).toEqual([{ sopInstanceUID: '1.1.1' }]);
    // Others who need the list (annotation panel, MPR) share the same answer.
    await seriesInstances('1.2');
    expect(calls).toHaveLength(2);
  });

  it('are taken once, and only by an opening of the very detail they were asked for', () => {
    const chosen = {};
    prepareSeriesLists(chosen, ['2.1']);
    expect(claimPreparedLists({})).toBeUndefined();
    expect(claimPreparedLists(chosen)).toBeUndefined();
    prepareSeriesLists(chosen, ['2.1']);
    expect(claimPreparedLists(chosen)?.has('2.1')).toBe(true);
    expect(claimPreparedLists(chosen)).toBeUndefined();
  });
});
