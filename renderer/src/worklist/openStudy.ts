/** Opening a study: fetch its series (unless the worklist already has them), then show the viewer. */
import { host } from '../host/index.js';
import { useUiStore } from '../stores/useUiStore.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';

export async function openStudy(studyInstanceUID: string, seriesInstanceUID?: string): Promise<void> {
  // A benchmark/diagnostic mark: time to first image is measured from here (see viewer.bench.ts).
  performance.mark('radlabel:open-study');
  const cached = useWorklistStore.getState().selectedDetail;
  const detail =
    cached?.study.studyInstanceUID === studyInstanceUID
      ? cached
      : await host.api.call('catalog.getStudy', { studyInstanceUID });
  useViewerStore.getState().openStudy(detail, seriesInstanceUID);
  useUiStore.getState().showScreen('viewer');
}
