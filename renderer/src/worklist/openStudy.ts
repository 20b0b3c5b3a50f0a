/** Opening a study: fetch its series (unless the worklist already has them), then show the viewer. */
import { host } from '../host/index.js';
import { OPENING_STUDY, holdKeys, releaseKeys } from '../keys/keyGate.js';
import { useUiStore } from '../stores/useUiStore.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';

/** The longest the worklist waits for the image lists before showing the viewer anyway. */
const LIST_WAIT_MS = 250;

export async function openStudy(studyInstanceUID: string, seriesInstanceUID?: string): Promise<void> {
  // A benchmark/diagnostic mark: time to first image is measured from here (see viewer.bench.ts).
  performance.mark('radlabel:open-study');
  // Keys pressed from now until the annotation panel has the study are kept for it (keys/keyGate.ts).
  holdKeys(OPENING_STUDY);
  const cached = useWorklistStore.getState().selectedDetail;
  let detail;
  try {
    detail =
      cached?.study.studyInstanceUID === studyInstanceUID
        ? cached
        : await host.api.call('catalog.getStudy', { studyInstanceUID });
  } catch (error) {
    releaseKeys(OPENING_STUDY);
    throw error;
  }
  const lists = useViewerStore.getState().openStudy(detail, seriesInstanceUID);
  // The image lists come back in a few ms, and with them the first images start loading
  // (useViewerStore): waiting for them, briefly, sends those requests before the viewer screen
  // mounts, so fetching the first image overlaps mounting instead of following it.
  await Promise.race([lists, new Promise((resolve) => setTimeout(resolve, LIST_WAIT_MS))]);
  useUiStore.getState().showScreen('viewer');
}
