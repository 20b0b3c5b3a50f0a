/**
 * Requests started before the app's code is loaded. The entry (main.tsx) is a small chunk: it
 * starts these calls, then loads the rest of the app (Cornerstone, vtk.js, the screens: ~5 MB of
 * script whose evaluation takes most of a reload). The answers are waiting when restoring asks
 * for them (session/session.ts takes them with `takeEarly`), instead of being asked for only
 * after all that script has run.
 */
import type { MethodName, RequestOf, ResponseOf } from '../../../shared/contract.js';
import { UiSession } from '../../../shared/ui-session.js';
import { host } from '../host/index.js';
import { OPENING_STUDY, holdKeys } from '../keys/keyGate.js';

const started = new Map<string, Promise<unknown>>();
/** Where session.ts keeps this page's copy of the reader's place (its LOCAL_STORAGE_KEY). */
export const LOCAL_STORAGE_KEY = 'radlabel.session.v1';
const keyOf = (method: string, payload: unknown) => `${method} ${JSON.stringify(payload)}`;

function startCall<M extends MethodName>(method: M, payload: RequestOf<M>): void {
  const key = keyOf(method, payload);
  if (started.has(key)) return;
  const pending = host.api.call(method, payload);
  // A failure is the caller's to see when it takes the answer; unhandled meanwhile is fine.
  pending.catch(() => undefined);
  started.set(key, pending);
}

/** The answer of a call started early with these arguments, once; otherwise the call made now. */
export function takeEarly<M extends MethodName>(method: M, payload: RequestOf<M>): Promise<ResponseOf<M>> {
  const key = keyOf(method, payload);
  const pending = started.get(key);
  if (pending) {
    started.delete(key);
    return pending as Promise<ResponseOf<M>>;
  }
  return host.api.call(method, payload);
}

/**
 * Starts what restoring the reader's place will ask for first: the saved place, and for the study
 * open in this page's copy of it (written when the page was left) the study and its series' images.
 */
export function startEarlyCalls(): void {
  startCall('session.load', {});
  let local: UiSession | null = null;
  try {
    const parsed = UiSession.safeParse(JSON.parse(window.localStorage.getItem(LOCAL_STORAGE_KEY) ?? 'null'));
    local = parsed.success ? parsed.data : null;
  } catch {
    local = null;
  }
  const viewer = local?.screen === 'viewer' ? local.viewer : null;
  if (!viewer) return;
  // Keys pressed while the viewer is restored wait for it (keys/keyGate.ts; restoreSession lets
  // them go if the worklist is shown instead).
  holdKeys(OPENING_STUDY);
  startCall('catalog.getStudy', { studyInstanceUID: viewer.studyInstanceUID });
  if (viewer.comparisonStudyUID)
    startCall('catalog.getStudy', { studyInstanceUID: viewer.comparisonStudyUID });
  for (const seriesInstanceUID of new Set(
    viewer.viewports.flatMap((view) => (view ? [view.seriesInstanceUID] : [])),
  ))
    startCall('catalog.listInstances', { seriesInstanceUID });
}

/** Forgets answers nobody took (restoring is over; later calls must ask afresh). */
export function dropEarly(): void {
  started.clear();
}
