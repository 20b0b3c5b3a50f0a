/**
 * Stepping through a stack faster than its files arrive (renderer/src/imaging/viewportCommands.ts
 * `scrollBy`): the step is kept and no key is lost; each display frame shows the slice nearest the
 * step that has arrived on the way, then the step itself; a slice already loaded is shown at once;
 * other input moving the viewport takes over from a kept step.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const loaded = new Set<string>();
const askedForDisplay: string[] = [];
let frames: (() => void)[] = [];

vi.mock('@cornerstonejs/core', () => ({
  cache: { isLoaded: (imageId: string) => loaded.has(imageId) },
  utilities: {},
}));
vi.mock('@cornerstonejs/tools', () => ({ utilities: { cine: {} } }));
vi.mock('../../../renderer/src/imaging/loadForDisplay.js', () => ({
  loadImageForDisplay: (imageId: string) => {
    askedForDisplay.push(imageId);
    return new Promise<boolean>(() => undefined);
  },
}));
vi.stubGlobal('requestAnimationFrame', (callback: () => void) => {
  frames.push(callback);
  return frames.length;
});

const { scrollBy, scrollTo, steppedIndex } =
  await import('../../../renderer/src/imaging/viewportCommands.js');

type Viewport = Parameters<typeof scrollBy>[0];

const ids = Array.from({ length: 20 }, (_, i) => `img${i}`);
const made: { alive: boolean }[] = [];
function fakeViewport() {
  const state = { target: 0, current: 0, shown: [] as number[], renders: 0, alive: true };
  made.push(state);
  const viewport = {
    getImageIds: () => ids,
    getRenderingEngine: () => (state.alive ? {} : undefined),
    getCurrentImageIdIndex: () => state.current,
    getTargetImageIdIndex: () => state.target,
    setImageIdIndex: (index: number) => {
      state.target = index;
      if (loaded.has(ids[index]!)) {
        state.current = index;
        state.shown.push(index);
      }
      return Promise.resolve('');
    },
    render: () => (state.renders += 1),
  } as unknown as Viewport;
  return { state, viewport };
}

/** Runs the display frame that was asked for. */
function nextFrame(): void {
  const due = frames;
  frames = [];
  for (const callback of due) callback();
}

afterEach(() => {
  // Viewports of a test are gone after it: their kept steps end at the next frame.
  for (const state of made) state.alive = false;
  nextFrame();
  expect(frames).toHaveLength(0);
});

beforeEach(() => {
  loaded.clear();
  loaded.add('img0');
  askedForDisplay.length = 0;
  frames = [];
});

describe('stepping through a stack that is still loading', () => {
  it('shows a loaded slice at once, with its frame asked for', () => {
    const { state, viewport } = fakeViewport();
    loaded.add('img1');
    scrollBy(viewport, 1);
    expect(state.shown).toEqual([1]);
    expect(state.renders).toBe(1);
    expect(frames).toHaveLength(0);
  });

  it('keeps steps onto slices still loading: the next key counts from the kept step, none is lost', () => {
    const { state, viewport } = fakeViewport();
    for (let key = 0; key < 3; key += 1) scrollBy(viewport, 1);
    expect(steppedIndex(viewport)).toBe(3);
    expect(state.shown).toEqual([]);
    expect(askedForDisplay).toEqual(['img1', 'img2', 'img3']);
  });

  it('each frame shows the slice nearest the step that has arrived on the way, then the step itself', () => {
    const { state, viewport } = fakeViewport();
    for (let key = 0; key < 5; key += 1) scrollBy(viewport, 1);
    nextFrame();
    expect(state.shown).toEqual([]);
    loaded.add('img1');
    nextFrame();
    loaded.add('img2').add('img3');
    nextFrame();
    expect(state.shown).toEqual([1, 3]);
    expect(steppedIndex(viewport)).toBe(5);
    loaded.add('img4').add('img5');
    nextFrame();
    expect(state.shown).toEqual([1, 3, 5]);
    expect(steppedIndex(viewport)).toBe(5);
    expect(frames).toHaveLength(0);
  });

  it('drops a kept step when other input moves the viewport (the wheel, a linked viewport, a jump)', () => {
    const first = fakeViewport();
    scrollBy(first.viewport, 4);
    loaded.add('img9');
    first.viewport.setImageIdIndex(9);
    loaded.add('img4');
    nextFrame();
    expect(first.state.shown).toEqual([9]);
    expect(steppedIndex(first.viewport)).toBe(9);

    const second = fakeViewport();
    scrollBy(second.viewport, 6);
    loaded.add('img12');
    scrollTo(second.viewport, 12);
    nextFrame();
    expect(second.state.shown).toEqual([12]);
  });
});
