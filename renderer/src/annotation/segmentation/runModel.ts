/**
 * "Run model…" in the segmentation panel (issue #11 item 5, docs/ai-models.md): the project's
 * segmentation models (model.list), a run on the active viewport's series in main (model.run) with
 * its progress (model.progress events) and cancel (model.cancel). When a run is done, the series'
 * segmentation is opened again: its newest version is now the model's, shown as a pre-annotation
 * for the reader to review (and edit: the reader's next version has the model's as its parent).
 */
import { type ModelRunProgress, queuedRun } from '../../../../shared/model.js';
import { host } from '../../host/index.js';
import { useViewerStore } from '../../stores/useViewerStore.js';
import { closeSegmentation, openSegmentation } from './segmentationSession.js';
import { useSegmentationStore } from './useSegmentationStore.js';

const store = useSegmentationStore;
let listening = false;

function isOver(progress: ModelRunProgress): boolean {
  return progress.phase === 'done' || progress.phase === 'failed' || progress.phase === 'cancelled';
}

function listen() {
  if (listening) return;
  listening = true;
  host.api.on('model.progress', (progress) => {
    const current = store.getState().modelRun;
    if (!current || current.runId !== progress.runId || isOver(current)) return;
    store.setState({ modelRun: progress });
    if (progress.phase === 'done') void showResult();
  });
  // A project loaded (or replaced) while the panel is open brings its own models.
  let projectId: string | null = null;
  host.api.on('sync.state', (state) => {
    const id = state.project?.projectId ?? null;
    if (id !== projectId) {
      projectId = id;
      void loadModels();
    }
  });
}

/** Reopens the active viewport's segmentation: the model's version is the newest. */
async function showResult() {
  const slot = useViewerStore.getState().activeViewport;
  await closeSegmentation();
  await openSegmentation(slot);
}

/** The project's models; none without a project (or when main cannot say). */
export async function loadModels(): Promise<void> {
  listen();
  try {
    store.setState({ models: await host.api.call('model.list', {}) });
  } catch {
    store.setState({ models: [] });
  }
}

/** Runs a model on the series of the active viewport. */
export async function runModel(modelId: string): Promise<void> {
  listen();
  const viewer = useViewerStore.getState();
  const seriesInstanceUID = viewer.assignments[viewer.activeViewport] ?? null;
  const studyInstanceUID = viewer.detail?.study.studyInstanceUID ?? null;
  if (!seriesInstanceUID || !studyInstanceUID) return;
  const base = queuedRun('', modelId, studyInstanceUID, seriesInstanceUID);
  store.setState({ modelRun: base });
  try {
    const { runId } = await host.api.call('model.run', { modelId, studyInstanceUID, seriesInstanceUID });
    store.setState({ modelRun: { ...base, runId } });
    // Events may have gone by before the run id was known: ask once.
    const progress = await host.api.call('model.status', { runId });
    const current = store.getState().modelRun;
    if (current?.runId === runId && !isOver(current)) {
      store.setState({ modelRun: progress });
      if (progress.phase === 'done') await showResult();
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code ?? 'internal';
    store.setState({ modelRun: { ...base, phase: 'failed', error: { code, message } } });
  }
}

export async function cancelModelRun(): Promise<void> {
  const run = store.getState().modelRun;
  if (!run?.runId || isOver(run)) return;
  await host.api.call('model.cancel', { runId: run.runId }).catch(() => undefined);
}
