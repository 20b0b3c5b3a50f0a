/**
 * The renderer's view of the stored annotations (docs/annotation.md): per annotationUid its label,
 * attributes, status, view flags and head version, plus the save indicator. Every change made
 * through the actions here is saved as a new version within a second (persist.ts, saveQueue.ts);
 * the tools and the panel change annotations only through these actions.
 */
import { create } from 'zustand';
import type {
  AnnotationKind,
  AnnotationStatus,
  AnnotationVersion,
  AnnotationVersionInput,
  AttributeValue,
} from '../../../shared/annotation.js';
import { type QueueStatus, enqueue, onQueueStatus, queueStatus } from './saveQueue.js';

export interface AnnotationEntry {
  annotationUid: string;
  studyInstanceUID: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  frameNumber?: number;
  kind: AnnotationKind;
  tool: string;
  labelId?: string;
  attributes: Record<string, AttributeValue>;
  status: AnnotationStatus;
  hidden: boolean;
  locked: boolean;
  deleted: boolean;
  source: string;
  /** The newest version issued for it (stored, or queued to be): the parent of the next one. */
  versionId: string | null;
  /** Other heads of a conflict, named as parents by the next version (which resolves it). */
  otherHeads: string[];
  /** The version's `data` (measurement: Cornerstone's metadata and data). */
  data: Record<string, unknown>;
}

/** What the interface may change about an annotation. */
export type AnnotationPatch = Partial<
  Pick<AnnotationEntry, 'labelId' | 'attributes' | 'hidden' | 'locked' | 'status'>
>;

interface AnnotationState {
  entries: Record<string, AnnotationEntry>;
  /** Studies whose stored annotations are loaded (or loading). */
  studies: Record<string, 'loading' | 'ready' | 'failed'>;
  save: QueueStatus;
  /** Changes label, attributes, status or view flags, and saves a version. */
  updateRecord(annotationUid: string, patch: AnnotationPatch): void;
  /** Saves a deletion (the caller removes it from Cornerstone, or persist.ts did). */
  markDeleted(annotationUid: string): void;
}

export const useAnnotationStore = create<AnnotationState>()((set, get) => ({
  entries: {},
  studies: {},
  save: queueStatus(),
  updateRecord(annotationUid, patch) {
    const entry = get().entries[annotationUid];
    if (!entry) return;
    const data = { ...entry.data };
    if (patch.hidden !== undefined) data['hidden'] = patch.hidden;
    if (patch.locked !== undefined) data['locked'] = patch.locked;
    saveEntry({ ...entry, ...patch, data });
  },
  markDeleted(annotationUid) {
    const entry = get().entries[annotationUid];
    if (!entry || entry.deleted) return;
    saveEntry({ ...entry, deleted: true });
  },
}));

onQueueStatus((save) => useAnnotationStore.setState({ save }));

/** Queues `entry` as a new version (or as the newer content of its waiting one) and keeps it. */
export function saveEntry(entry: AnnotationEntry, options: { throttled?: boolean } = {}): void {
  const version: AnnotationVersionInput = {
    versionId: crypto.randomUUID(),
    annotationUid: entry.annotationUid,
    parentIds: [...(entry.versionId ? [entry.versionId] : []), ...entry.otherHeads],
    studyInstanceUID: entry.studyInstanceUID,
    ...(entry.seriesInstanceUID ? { seriesInstanceUID: entry.seriesInstanceUID } : {}),
    ...(entry.sopInstanceUID ? { sopInstanceUID: entry.sopInstanceUID } : {}),
    ...(entry.frameNumber !== undefined ? { frameNumber: entry.frameNumber } : {}),
    kind: entry.kind,
    tool: entry.tool,
    ...(entry.labelId ? { labelId: entry.labelId } : {}),
    attributes: entry.attributes,
    data: entry.data,
    source: entry.source,
    status: entry.status,
    deleted: entry.deleted,
  };
  const versionId = enqueue(version, options);
  useAnnotationStore.setState((state) => ({
    entries: { ...state.entries, [entry.annotationUid]: { ...entry, versionId, otherHeads: [] } },
  }));
}

/** An entry as stored (a head from `annotation.list`). */
export function entryOfVersion(version: AnnotationVersion, otherHeads: string[] = []): AnnotationEntry {
  const data = version.data;
  return {
    annotationUid: version.annotationUid,
    studyInstanceUID: version.studyInstanceUID,
    ...(version.seriesInstanceUID ? { seriesInstanceUID: version.seriesInstanceUID } : {}),
    ...(version.sopInstanceUID ? { sopInstanceUID: version.sopInstanceUID } : {}),
    ...(version.frameNumber !== undefined ? { frameNumber: version.frameNumber } : {}),
    kind: version.kind,
    tool: version.tool,
    ...(version.labelId ? { labelId: version.labelId } : {}),
    attributes: version.attributes,
    status: version.status,
    hidden: data['hidden'] === true,
    locked: data['locked'] === true,
    deleted: version.deleted,
    source: version.source,
    versionId: version.versionId,
    otherHeads,
    data,
  };
}

/** The entries of one study that are not deleted. */
export function entriesOfStudy(studyInstanceUID: string): AnnotationEntry[] {
  return Object.values(useAnnotationStore.getState().entries).filter(
    (entry) => entry.studyInstanceUID === studyInstanceUID && !entry.deleted,
  );
}
