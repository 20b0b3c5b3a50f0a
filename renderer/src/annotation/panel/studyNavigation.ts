/**
 * Next / previous study of the reader's list — the worklist as it is (its search, sort and the
 * studies shown) — opened straight in the viewer. The worklist's focus follows, so going back
 * shows where the reader is.
 */
import { useUiStore } from '../../stores/useUiStore.js';
import { useViewerStore } from '../../stores/useViewerStore.js';
import { useWorklistStore } from '../../stores/useWorklistStore.js';
import { openStudy } from '../../worklist/openStudy.js';

/** The study `step` places away from the open one in the worklist's order, if any. */
export async function neighbourStudy(step: 1 | -1): Promise<string | null> {
  const current = useViewerStore.getState().detail?.study.studyInstanceUID;
  if (!current) return null;
  let { studies } = useWorklistStore.getState();
  // A session restored straight into the viewer has not listed the worklist yet.
  if (studies.length === 0) {
    await useWorklistStore.getState().refresh();
    studies = useWorklistStore.getState().studies;
  }
  const index = studies.findIndex((study) => study.studyInstanceUID === current);
  if (index < 0) return studies[0]?.studyInstanceUID ?? null;
  return studies[index + step]?.studyInstanceUID ?? null;
}

/** Opens the next (1) or previous (-1) study; false at either end of the list. */
export async function goToStudy(step: 1 | -1): Promise<boolean> {
  const target = await neighbourStudy(step);
  if (!target) return false;
  await useWorklistStore.getState().selectStudy(target);
  await openStudy(target);
  useUiStore.getState().showScreen('viewer');
  return true;
}
