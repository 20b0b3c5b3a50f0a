/**
 * A study that stays chosen in the worklist has the first image of each viewport it would open with
 * loading before it is opened (renderer/src/stores/useViewerStore.ts `prepareStudy`): the opening
 * then finds it loaded or on its way. Arrow keys moving through the list load nothing, and a study
 * opened before the rest is over leaves its images to the opening.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InstanceSummary, SeriesSummary, StudyDetail } from '../../../shared/contract.js';

const loaded: string[] = [];
const listed: string[] = [];

vi.mock('../../../renderer/src/host/index.js', () => ({
  host: {
    imageIdFor: (sopInstanceUID: string, frame?: number) =>
      `wadouri:/instances/${sopInstanceUID}${frame ? `?frame=${frame}` : ''}`,
    api: {
      call: vi.fn((method: string, payload: { seriesInstanceUID: string }) => {
        listed.push(`${method} ${payload.seriesInstanceUID}`);
        return Promise.resolve(instancesOf(payload.seriesInstanceUID));
      }),
    },
  },
}));
vi.mock('../../../renderer/src/imaging/loadForDisplay.js', () => ({
  loadForDisplay: (imageId: string) => loaded.push(imageId),
}));
vi.mock('../../../renderer/src/imaging/viewportCommands.js', () => ({ applyWindow: () => undefined }));

const { PRELOAD_REST_MS, useViewerStore } = await import('../../../renderer/src/stores/useViewerStore.js');
const { claimPreparedLists } = await import('../../../renderer/src/stores/seriesInstances.js');

function instancesOf(seriesInstanceUID: string): InstanceSummary[] {
  // Listed out of reading order: the first image shown is the head-most (largest location).
  return [3, 1, 2].map((n) => ({
    sopInstanceUID: `${seriesInstanceUID}.${n}`,
    sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
    seriesInstanceUID,
    instanceNumber: n,
    numberOfFrames: 1,
    rows: 512,
    columns: 512,
    transferSyntaxUID: '1.2.840.10008.1.2.1',
    sliceLocation: n * 10,
  }));
}

function series(seriesInstanceUID: string, seriesNumber: number): SeriesSummary {
  return {
    seriesInstanceUID,
    studyInstanceUID: '9',
    seriesNumber,
    modality: 'MR',
    seriesDescription: `series ${seriesNumber}`,
    bodyPartExamined: '',
    numberOfInstances: 3,
    thumbnailSopInstanceUID: null,
  };
}

function study(uid: string, seriesUIDs: string[]): StudyDetail {
  return {
    study: { studyInstanceUID: uid, modalities: ['MR'] } as unknown as StudyDetail['study'],
    series: seriesUIDs.map((seriesUID, index) => series(seriesUID, index + 1)),
  };
}

describe('first images of a chosen study', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    loaded.length = 0;
    listed.length = 0;
    claimPreparedLists({});
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('start loading once the study has stayed chosen, one per viewport, the image it opens on', async () => {
    const detail = study('1', ['1.1', '1.2']);
    useViewerStore.getState().prepareStudy(detail);
    expect(listed).toEqual(['catalog.listInstances 1.1', 'catalog.listInstances 1.2']);
    await vi.advanceTimersByTimeAsync(PRELOAD_REST_MS - 1);
    expect(loaded).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(loaded.sort()).toEqual(['wadouri:/instances/1.1.3', 'wadouri:/instances/1.2.3']);
  });

  it('are not loaded for a study passed over before it rested', async () => {
    useViewerStore.getState().prepareStudy(study('2', ['2.1']));
    await vi.advanceTimersByTimeAsync(PRELOAD_REST_MS / 2);
    useViewerStore.getState().prepareStudy(study('3', ['3.1']));
    await vi.advanceTimersByTimeAsync(PRELOAD_REST_MS);
    expect(loaded).toEqual(['wadouri:/instances/3.1.3']);
  });

  it('a study opened before it rested loads its first image through the opening, once', async () => {
    const detail = study('4', ['4.1']);
    useViewerStore.getState().prepareStudy(detail);
    await useViewerStore.getState().openStudy(detail);
    expect(loaded).toEqual(['wadouri:/instances/4.1.3']);
    await vi.advanceTimersByTimeAsync(PRELOAD_REST_MS);
    expect(loaded).toEqual(['wadouri:/instances/4.1.3']);
    // The opening took the lists asked when the study was chosen.
    expect(listed).toEqual(['catalog.listInstances 4.1']);
  });
});
