/**
 * The study-level side of the panel: the classification answers (saved as `classification`
 * versions through the annotation store's save queue, one chain per question and series) and the
 * study's annotation status (draft → complete, per reader; main keeps every change).
 */
import { useMemo } from 'react';
import { create } from 'zustand';
import type { StudyAnnotationStatus } from '../../../../shared/annotation.js';
import { isAppError } from '../../../../shared/errors.js';
import { host } from '../../host/index.js';
import { drained } from '../saveQueue.js';
import { recordChange } from '../tools/history.js';
import { type AnnotationEntry, saveEntry, useAnnotationStore } from '../useAnnotationStore.js';
import { type Answers, type Missing, answerKey } from './completeness.js';

interface ClassificationContent {
  questionId?: string;
  level?: 'study' | 'series';
  seriesInstanceUID?: string;
  answer?: unknown;
}

function classificationEntries(
  entries: Record<string, AnnotationEntry>,
  studyInstanceUID: string,
): Array<{ key: string; entry: AnnotationEntry; answer: string[] }> {
  const found: Array<{ key: string; entry: AnnotationEntry; answer: string[] }> = [];
  for (const entry of Object.values(entries)) {
    if (entry.kind !== 'classification' || entry.deleted || entry.studyInstanceUID !== studyInstanceUID)
      continue;
    const data = entry.data as ClassificationContent;
    if (!data.questionId || !Array.isArray(data.answer)) continue;
    found.push({
      key: answerKey(data.questionId, data.seriesInstanceUID),
      entry,
      answer: data.answer.filter((item): item is string => typeof item === 'string'),
    });
  }
  return found;
}

export function answersOf(entries: Record<string, AnnotationEntry>, studyInstanceUID: string): Answers {
  return Object.fromEntries(
    classificationEntries(entries, studyInstanceUID).map(({ key, answer }) => [key, answer]),
  );
}

/** The open study's answers, `questionId` or `questionId@seriesUID` → chosen options. */
export function useAnswers(studyInstanceUID: string): Answers {
  const entries = useAnnotationStore((state) => state.entries);
  return useMemo(() => answersOf(entries, studyInstanceUID), [entries, studyInstanceUID]);
}

/** Saves one answer as the next version of the question's chain (a new chain for a first answer). */
function saveAnswer(
  studyInstanceUID: string,
  questionId: string,
  level: 'study' | 'series',
  answer: string[],
  seriesInstanceUID?: string,
): void {
  const key = answerKey(questionId, seriesInstanceUID);
  const existing = classificationEntries(useAnnotationStore.getState().entries, studyInstanceUID).find(
    (item) => item.key === key,
  )?.entry;
  const data = { questionId, level, ...(seriesInstanceUID ? { seriesInstanceUID } : {}), answer };
  saveEntry(
    existing
      ? { ...existing, data }
      : {
          annotationUid: crypto.randomUUID(),
          studyInstanceUID,
          ...(seriesInstanceUID ? { seriesInstanceUID } : {}),
          kind: 'classification',
          tool: 'Classification',
          attributes: {},
          status: 'draft',
          hidden: false,
          locked: false,
          deleted: false,
          source: 'human',
          versionId: null,
          otherHeads: [],
          data,
        },
  );
}

/**
 * Status answers are applied in the order they were asked: an answer to a read sent before a
 * change (the panel loading the study while a key marks it complete) never overwrites the
 * change's answer.
 */
let asked = 0;
let shown = 0;
function ask(): number {
  asked += 1;
  return asked;
}
function newest(sequence: number): boolean {
  if (sequence < shown) return false;
  shown = sequence;
  return true;
}

/** A command given before the panel loaded its study (an annotation key pressed as it opened). */
let waiting: { study: string; run: () => void } | null = null;

/** Runs `run` once the panel has loaded this study (at once if it has); a later call replaces it. */
export function whenStudyLoaded(studyInstanceUID: string, run: () => void): void {
  if (useStudyPanelStore.getState().studyInstanceUID === studyInstanceUID) {
    waiting = null;
    run();
  } else waiting = { study: studyInstanceUID, run };
}

interface StudyPanelState {
  studyInstanceUID: string | null;
  status: StudyAnnotationStatus | null;
  /** What main found missing when it refused the last "mark complete" (cleared by the next change). */
  refused: Missing[] | null;
  error: unknown;
  load(studyInstanceUID: string): Promise<void>;
  /** Keeps the status in step with main (a first measurement makes the study a draft). */
  follow(studyInstanceUID: string): () => void;
  answer(questionId: string, level: 'study' | 'series', answer: string[], seriesInstanceUID?: string): void;
  setStatus(status: 'draft' | 'complete'): Promise<void>;
  refuse(missing: Missing[] | null): void;
}

export const useStudyPanelStore = create<StudyPanelState>()((set, get) => ({
  studyInstanceUID: null,
  status: null,
  refused: null,
  error: null,

  async load(studyInstanceUID) {
    set({ studyInstanceUID, status: null, refused: null, error: null });
    const command = waiting?.study === studyInstanceUID ? waiting.run : null;
    waiting = null;
    command?.();
    try {
      const sequence = ask();
      const status = await host.api.call('annotation.studyStatus', { studyInstanceUID });
      if (get().studyInstanceUID === studyInstanceUID && newest(sequence)) set({ status });
    } catch (error) {
      set({ error });
    }
  },

  follow(studyInstanceUID) {
    let timer = 0;
    const reread = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const sequence = ask();
        host.api
          .call('annotation.studyStatus', { studyInstanceUID })
          .then((status) => {
            if (get().studyInstanceUID === studyInstanceUID && newest(sequence)) set({ status });
          })
          .catch(() => undefined);
      }, 200);
    };
    const offChanged = host.api.on('annotation.changed', (event) => {
      if (event.studyInstanceUID === studyInstanceUID) reread();
    });
    const offStatus = host.api.on('annotation.statusChanged', (status) => {
      // An event reports what main has now: answers to reads asked before it are older.
      if (
        status.studyInstanceUID === studyInstanceUID &&
        get().studyInstanceUID === studyInstanceUID &&
        newest(asked)
      )
        set({ status });
    });
    return () => {
      window.clearTimeout(timer);
      offChanged();
      offStatus();
    };
  },

  answer(questionId, level, answer, seriesInstanceUID) {
    const studyInstanceUID = get().studyInstanceUID;
    if (!studyInstanceUID) return;
    const before =
      answersOf(useAnnotationStore.getState().entries, studyInstanceUID)[
        answerKey(questionId, seriesInstanceUID)
      ] ?? [];
    const apply = (value: string[]) =>
      saveAnswer(studyInstanceUID, questionId, level, value, seriesInstanceUID);
    apply(answer);
    recordChange(`classification:${questionId}`, before, answer, apply);
    set({ refused: null });
  },

  async setStatus(status) {
    const studyInstanceUID = get().studyInstanceUID;
    if (!studyInstanceUID) return;
    try {
      // Main judges the stored heads: what the reader just changed is saved first.
      if (status !== 'draft') await drained();
      const sequence = ask();
      const result = await host.api.call('annotation.setStudyStatus', { studyInstanceUID, status });
      if (get().studyInstanceUID === studyInstanceUID)
        set(
          newest(sequence) ? { status: result, refused: null, error: null } : { refused: null, error: null },
        );
    } catch (error) {
      if (isAppError(error) && error.code === 'incomplete') {
        // Main's reason, as data, shown in the reader's language.
        const { missing } = await host.api
          .call('annotation.completeness', { studyInstanceUID })
          .catch(() => ({ missing: [] }));
        if (get().studyInstanceUID === studyInstanceUID)
          set({ refused: missing.length > 0 ? missing : null, error: missing.length > 0 ? null : error });
        return;
      }
      set({ error });
    }
  },

  refuse(refused) {
    set({ refused });
  },
}));
