/**
 * Conflicts between annotation versions in the contract (issue #10 item 5): `sync.conflicts` and
 * `sync.resolveConflict`. Implemented in main/sync/conflicts.ts; docs/sync.md "Conflicts".
 *
 * A conflict is an annotation with two or more heads: versions that no other version names as a
 * parent (two readers, or one reader on two machines, edited the same version; met on pull).
 * The reader resolves it by keeping one head, by merging (a new version whose parents are all
 * the heads) or by keeping both (each other head is copied into an annotation of its own).
 * Every resolution is a new version naming every head, so no head is ever dropped: each stays
 * in the annotation's history, and the resolution is recorded.
 */
import { z } from 'zod';
import { Uid, method } from './contract-parts.js';
import { AnnotationVersion, AnnotationVersionInput, AttributeValue } from './annotation.js';

/** A label id, as in an annotation version. */
const LabelId = AnnotationVersionInput.shape.labelId.unwrap();

export const SyncConflict = z.object({
  annotationUid: z.string(),
  studyInstanceUID: Uid,
  /** Every head (two or more), oldest first; a head may be a deletion (`deleted: true`). */
  heads: z.array(AnnotationVersion).min(2),
  /** The newest version every head descends from (what both sides started from), or null. */
  base: AnnotationVersion.nullable(),
});
export type SyncConflict = z.infer<typeof SyncConflict>;

export const SyncConflictsRequest = z
  .object({
    /** Only this study's conflicts; every study's when absent. */
    studyInstanceUID: Uid.optional(),
  })
  .strict();

export const SyncConflictsResponse = z.object({ conflicts: z.array(SyncConflict) });
export type SyncConflictsResponse = z.infer<typeof SyncConflictsResponse>;

const ResolveCommon = {
  annotationUid: z.string().min(1).max(128),
  /**
   * The heads the reader was shown. When the heads changed since (another pull), the request is
   * refused with `conflict` and nothing is written: the reader looks again.
   */
  headVersionIds: z.array(z.string().uuid()).min(2).max(16),
};

export const ResolveConflictRequest = z.discriminatedUnion('action', [
  /** Keep one head as it is: a new version with that head's content whose parents are all heads. */
  z.object({ ...ResolveCommon, action: z.literal('keep'), keepVersionId: z.string().uuid() }).strict(),
  /**
   * Merge: a new version whose parents are all heads, with the shape (geometry, segments, answer)
   * of `shapeFromVersionId` and the label and attributes given here (the reader picked each).
   */
  z
    .object({
      ...ResolveCommon,
      action: z.literal('merge'),
      shapeFromVersionId: z.string().uuid(),
      labelId: LabelId.nullable(),
      attributes: z.record(z.string(), AttributeValue),
    })
    .strict(),
  /**
   * Keep both: `keepVersionId` stays this annotation (as with `keep`); every other head that is
   * not a deletion is copied into a new annotation of its own (same author and source).
   */
  z.object({ ...ResolveCommon, action: z.literal('keepBoth'), keepVersionId: z.string().uuid() }).strict(),
]);
export type ResolveConflictRequest = z.input<typeof ResolveConflictRequest>;

export const ResolveConflictResponse = z.object({
  annotationUid: z.string(),
  /** The version that resolved the conflict (parents: every head). */
  versionId: z.string(),
  /** `keepBoth`: the annotations split off, each with the head it was copied from. */
  copies: z.array(z.object({ annotationUid: z.string(), fromVersionId: z.string(), versionId: z.string() })),
});
export type ResolveConflictResponse = z.infer<typeof ResolveConflictResponse>;

export const syncConflictMethods = {
  'sync.conflicts': method(
    SyncConflictsRequest,
    SyncConflictsResponse,
    'Annotations with two or more heads (edited on two sides), with every head and their common base.',
  ),
  'sync.resolveConflict': method(
    ResolveConflictRequest,
    ResolveConflictResponse,
    'Resolve a conflict: keep one head, merge, or keep both; every head stays in the history.',
  ),
} as const;
