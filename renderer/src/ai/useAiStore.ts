/**
 * The open study's AI findings and the reader's decisions (docs/ai-review.md). Main decides what
 * a decision is (a version by the reader whose parent is the AI version, `ai.decide`); this store
 * asks for it, puts the stored version into the annotation store and Cornerstone
 * (`applyStoredVersions`), restyles the findings and moves to the next undecided one. The keys
 * A / R / E / N / P act here while the AI list is open (`keys.ts`).
 */
import { eventTarget } from '@cornerstonejs/core';
import { Enums as ToolEnums, annotation as csAnnotation } from '@cornerstonejs/tools';
import { create } from 'zustand';
import type {
  AiDecisionKind,
  AiFinding,
  RejectionReason,
  ReviewEvent,
  ReviewState,
} from '../../../shared/ai.js';
import { host } from '../host/index.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import { holdKeys, releaseKeys } from '../keys/keyGate.js';
import { applyStoredVersions } from '../annotation/persist.js';
import { jumpTo } from '../annotation/panel/AnnotationPanel.js';
import type { StudyAnnotation } from '../annotation/panel/useStudyAnnotations.js';
import { useToolStore } from '../annotation/tools/useToolStore.js';
import { styleFindings } from './aiStyle.js';
import { reserveSegmentNumbers } from '../annotation/segmentation/segmentationSession.js';
import { editSegment, resumePendingEdit, suspendEditor } from './segmentEdit.js';
import { showAiSegments } from './segmentOverlay.js';

interface AiState {
  study: string | null;
  findings: AiFinding[];
  reviewed: boolean;
  hidden: boolean;
  undoable: { batchId: string; count: number } | null;
  /** Index of the current finding (N / P move it; A / R / E act on it). */
  current: number;
  /** The list is open: its keys are on. */
  open: boolean;
  /** The finding waiting for a rejection reason (the reason list is shown). */
  rejecting: string | null;
  reasons: RejectionReason[];
  error: string | null;
  review: ReviewState | null;
  events: ReviewEvent[];
  load(studyInstanceUID: string): Promise<void>;
  refresh(): Promise<void>;
  setOpen(open: boolean): void;
  go(index: number): void;
  next(): void;
  previous(): void;
  decide(decision: AiDecisionKind, reasonId?: string): Promise<void>;
  startReject(): void;
  cancelReject(): void;
  acceptAbove(minConfidence: number): Promise<number>;
  undo(): Promise<void>;
}

const OPEN_KEY = 'radlabel.aiFindingsOpen';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Shows a finding's image (its series and slice) and selects it. */
export function showFinding(finding: AiFinding): void {
  const ai = finding.aiVersion;
  if (!ai.sopInstanceUID) return;
  const item = {
    uid: finding.annotationUid,
    imageId: host.imageIdFor(ai.sopInstanceUID, ai.frameNumber),
    seriesInstanceUID: ai.seriesInstanceUID ?? null,
  } as StudyAnnotation;
  if (!csAnnotation.state.getAnnotation(finding.annotationUid)) {
    // A rejected finding is not drawn: show its slice, select nothing.
    useToolStore.getState().select(null);
  }
  jumpTo(item);
}

export const useAiStore = create<AiState>()((set, get) => ({
  study: null,
  findings: [],
  reviewed: false,
  hidden: false,
  undoable: null,
  current: 0,
  open: window.localStorage.getItem(OPEN_KEY) !== 'false',
  rejecting: null,
  reasons: [],
  error: null,
  review: null,
  events: [],
  async load(studyInstanceUID) {
    set({ study: studyInstanceUID, findings: [], current: 0, rejecting: null, error: null, events: [] });
    // With the list open, A / R / E / N / P pressed before the findings are here are theirs: kept
    // until they are (keys/keyGate.ts), not taken by the tools.
    const keys = `ai-findings:${studyInstanceUID}`;
    if (get().open) holdKeys(keys);
    let answers;
    try {
      answers = await Promise.all([
        host.api.call('ai.findings', { studyInstanceUID }),
        get().reasons.length > 0 ? Promise.resolve(get().reasons) : host.api.call('ai.rejectionReasons', {}),
        host.api.call('review.state', {}),
        host.api.call('review.events', { studyInstanceUID }),
      ]).finally(() => releaseKeys(keys));
    } catch (error) {
      // The panel asks again when it mounts (an error is not a loaded list).
      if (get().study === studyInstanceUID) set({ error: message(error) });
      return;
    }
    const [answer, reasons, review, events] = answers;
    if (get().study !== studyInstanceUID) return;
    const firstUndecided = answer.findings.findIndex((finding) => finding.decision === null);
    set({
      findings: answer.findings,
      reviewed: answer.reviewed,
      hidden: answer.hidden,
      undoable: answer.undoableBatch,
      current: Math.max(0, firstUndecided),
      reasons,
      review,
      events,
    });
    styleFindings(answer.findings);
    // E on a CPU viewer, then the GPU reload: the edit it asked for.
    void resumePendingEdit(studyInstanceUID, answer.findings, (index) => get().go(index));
  },
  async refresh() {
    const study = get().study;
    if (!study) return;
    const [answer, events] = await Promise.all([
      host.api.call('ai.findings', { studyInstanceUID: study }),
      host.api.call('review.events', { studyInstanceUID: study }),
    ]);
    if (get().study !== study) return;
    set({
      findings: answer.findings,
      reviewed: answer.reviewed,
      hidden: answer.hidden,
      undoable: answer.undoableBatch,
      events,
    });
    styleFindings(answer.findings);
  },
  setOpen(open) {
    window.localStorage.setItem(OPEN_KEY, String(open));
    set({ open, rejecting: null });
  },
  go(index) {
    const { findings } = get();
    if (findings.length === 0) return;
    const current = Math.min(findings.length - 1, Math.max(0, index));
    set({ current, rejecting: null });
    showFinding(findings[current]!);
  },
  next() {
    get().go(get().current + 1);
  },
  previous() {
    get().go(get().current - 1);
  },
  async decide(decision, reasonId) {
    const { study, findings, current } = get();
    const finding = findings[current];
    if (!study || !finding) return;
    if (decision === 'rejected' && !reasonId) {
      set({ rejecting: finding.annotationUid });
      return;
    }
    set({ rejecting: null, error: null });
    // The editor open on this segment's series saves and steps aside while main writes the copy.
    const resume = finding.segment ? await suspendEditor([finding.aiVersion.seriesInstanceUID]) : null;
    try {
      const result = await host.api.call('ai.decide', {
        studyInstanceUID: study,
        annotationUid: finding.annotationUid,
        decision,
        ...(reasonId ? { reasonId } : {}),
      });
      // A segment's decision is stored in main as the reader's labelmap, not an annotation version.
      if (!result.finding.segment) applyStoredVersions([result.version]);
      const updated = get().findings.map((f) =>
        f.annotationUid === finding.annotationUid ? result.finding : f,
      );
      set({ findings: updated, reviewed: updated.every((f) => f.decision !== null) });
      styleFindings(updated);
      if (decision === 'edited') {
        // Open it for editing: its image shown, selected (handles and the panel's label form); a
        // segment opens the segmentation editor on the reader's copy with the brush.
        showFinding(result.finding);
        if (result.finding.segment) await editSegment(result.finding);
        return;
      }
      await resume?.();
      // On to the next undecided finding (after this one, else from the start).
      const after = updated.findIndex((f, index) => index > current && f.decision === null);
      const before = updated.findIndex((f) => f.decision === null);
      const target = after >= 0 ? after : before;
      if (target >= 0) get().go(target);
      void get().refresh();
    } catch (error) {
      set({ error: message(error) });
      await resume?.();
    }
  },
  startReject() {
    const finding = get().findings[get().current];
    if (finding) set({ rejecting: finding.annotationUid });
  },
  cancelReject() {
    set({ rejecting: null });
  },
  async acceptAbove(minConfidence) {
    const study = get().study;
    if (!study) return 0;
    const resume = await suspendEditor(segmentSeries(get().findings));
    try {
      const { accepted } = await host.api.call('ai.acceptAbove', { studyInstanceUID: study, minConfidence });
      await applyHeads(study, get().findings);
      await get().refresh();
      return accepted;
    } finally {
      await resume();
    }
  },
  async undo() {
    const { study, undoable } = get();
    if (!study || !undoable) return;
    const resume = await suspendEditor(segmentSeries(get().findings));
    try {
      await host.api.call('ai.undoBatch', { studyInstanceUID: study, batchId: undoable.batchId });
      await applyHeads(study, get().findings);
      await get().refresh();
    } finally {
      await resume();
    }
  },
}));

/**
 * The AI list is asked for as soon as the viewer opens a study (docs/ai-review.md, Speed): main
 * answers while the viewer mounts and draws its first image, so the panel's body, which mounts
 * after that first image (viewer/firstDraw.ts), finds the findings there instead of asking then.
 * Leaving the viewer forgets them (opening the study again asks again).
 */
let viewerStudy: string | null = null;
/** The study asked for at its opening, until the panel takes that answer (once per opening). */
let prefetched: string | null = null;
useViewerStore.subscribe((state) => {
  const uid = state.detail?.study.studyInstanceUID ?? null;
  if (uid === viewerStudy) return;
  viewerStudy = uid;
  if (uid === null) {
    useAiStore.setState({ study: null, findings: [], current: 0, rejecting: null, error: null, events: [] });
    return;
  }
  // After the task that opened the study: its image-list requests go out first.
  window.setTimeout(() => {
    if (viewerStudy !== uid) return;
    prefetched = uid;
    void useAiStore.getState().load(uid);
  }, 0);
});

/**
 * The panel's body mounted on a study: it takes the list asked for at the study's opening when
 * there is one (loaded or on its way), else asks again (a later mount sees decisions made since).
 */
export function ensureAiLoaded(studyInstanceUID: string): void {
  const state = useAiStore.getState();
  const fresh = prefetched === studyInstanceUID && state.study === studyInstanceUID && state.error === null;
  prefetched = null;
  if (!fresh) void state.load(studyInstanceUID);
}

/**
 * Findings drawn after the list loaded (Cornerstone gets the study's annotations after its first
 * image, the list may come before) get their AI style once drawn: one pass per batch (an opening
 * adds hundreds at once), armed by the first of them, not a timer re-armed per event.
 */
let restyleTimer: number | null = null;
eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_ADDED, () => {
  if (restyleTimer !== null || useAiStore.getState().findings.length === 0) return;
  restyleTimer = window.setTimeout(() => {
    restyleTimer = null;
    styleFindings(useAiStore.getState().findings);
  }, 30);
});

// A segment the reader adds in the editor never takes the number of one of the series' AI
// segments: an undecided one joins the reader's copy under its own number when accepted.
reserveSegmentNumbers((seriesInstanceUID) =>
  useAiStore
    .getState()
    .findings.flatMap((finding) =>
      finding.segment && finding.aiVersion.seriesInstanceUID === seriesInstanceUID
        ? [finding.segment.segmentIndex]
        : [],
    ),
);

/** The series the study's AI segments are drawn on. */
function segmentSeries(findings: readonly AiFinding[]): string[] {
  return findings.filter((f) => f.segment).map((f) => f.aiVersion.seriesInstanceUID ?? '');
}

// The AI segments drawn on the image follow the list: its findings, decisions and current one.
useAiStore.subscribe((state, previous) => {
  if (state.findings !== previous.findings || state.current !== previous.current)
    showAiSegments(state.findings, state.current);
});

/** After a bulk change main made: the findings' heads into the annotation store and Cornerstone. */
async function applyHeads(studyInstanceUID: string, findings: readonly AiFinding[]): Promise<void> {
  const uids = new Set(findings.map((finding) => finding.annotationUid));
  const { heads } = await host.api.call('annotation.list', { studyInstanceUID });
  applyStoredVersions(heads.filter((head) => uids.has(head.annotationUid)));
}
