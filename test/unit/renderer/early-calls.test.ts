/**
 * The renderer's entry starts the calls restoring needs before the app's code is loaded
 * (renderer/src/session/early.ts); restoring then takes those answers instead of asking again.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const calls: { method: string; payload: unknown }[] = [];
vi.mock('../../../renderer/src/host/index.js', () => ({
  host: {
    api: {
      call: vi.fn((method: string, payload: unknown) => {
        calls.push({ method, payload });
        return Promise.resolve({ answer: calls.length });
      }),
    },
  },
}));

const { startEarlyCalls, takeEarly, dropEarly, LOCAL_STORAGE_KEY } =
  await import('../../../renderer/src/session/early.js');

const STUDY = '1.2.3';
const SERIES = '1.2.3.4';
const saved = {
  version: 1,
  savedAt: 1,
  screen: 'viewer',
  worklist: { search: '', selectedStudyUID: STUDY },
  viewer: {
    studyInstanceUID: STUDY,
    comparisonStudyUID: null,
    layout: '1x2',
    activeViewport: 0,
    viewports: [
      {
        studyInstanceUID: STUDY,
        seriesInstanceUID: SERIES,
        sopInstanceUID: null,
        frame: null,
        imageIndex: 119,
        windowWidth: null,
        windowCenter: null,
      },
      {
        studyInstanceUID: STUDY,
        seriesInstanceUID: SERIES,
        sopInstanceUID: null,
        frame: null,
        imageIndex: 3,
        windowWidth: null,
        windowCenter: null,
      },
    ],
  },
  layoutByModality: {},
};

function pageWithSavedPlace(value: string | null): void {
  vi.stubGlobal('window', {
    localStorage: { getItem: (key: string) => (key === LOCAL_STORAGE_KEY ? value : null) },
    // A reload restoring the viewer holds the keys pressed meanwhile (renderer/src/keys/keyGate.ts).
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
  });
}

describe('calls started before the app is loaded', () => {
  beforeEach(() => {
    calls.length = 0;
    dropEarly();
  });
  afterEach(() => vi.unstubAllGlobals());

  it("asks for the saved place and, for the study open in the page's copy, the study and each series once", () => {
    pageWithSavedPlace(JSON.stringify(saved));
    startEarlyCalls();
    expect(calls).toEqual([
      { method: 'session.load', payload: {} },
      { method: 'catalog.getStudy', payload: { studyInstanceUID: STUDY } },
      { method: 'catalog.listInstances', payload: { seriesInstanceUID: SERIES } },
    ]);
  });

  it('restoring takes those answers without asking again, each once; a later call asks afresh', async () => {
    pageWithSavedPlace(JSON.stringify(saved));
    startEarlyCalls();
    expect(await takeEarly('catalog.getStudy', { studyInstanceUID: STUDY })).toEqual({ answer: 2 });
    expect(calls).toHaveLength(3);
    expect(await takeEarly('catalog.getStudy', { studyInstanceUID: STUDY })).toEqual({ answer: 4 });
    expect(calls).toHaveLength(4);
  });

  it('answers nobody took are dropped once restoring is over, so nothing stale is served later', async () => {
    pageWithSavedPlace(JSON.stringify(saved));
    startEarlyCalls();
    dropEarly();
    expect(await takeEarly('catalog.listInstances', { seriesInstanceUID: SERIES })).toEqual({ answer: 4 });
  });

  it('a page without a saved place, or with a damaged one, asks only for the saved place', () => {
    for (const value of [null, '{not json', JSON.stringify({ ...saved, version: 2 })]) {
      calls.length = 0;
      dropEarly();
      pageWithSavedPlace(value);
      startEarlyCalls();
      expect(calls.map((call) => call.method)).toEqual(['session.load']);
    }
  });
});
