/**
 * AI pre-annotations and review (issue #11 items 1 and 2, docs/ai-review.md): the `ai.*` and
 * `review.*` methods. An AI finding is an annotation whose chain holds a version with an
 * `ai:<model>` source (imported from a device's SR or SEG, or pulled by sync). The reader's
 * decision on it is itself a version of that chain (never a separate mutable flag): accept and
 * edit store a version by the reader whose parent is the AI version, reject stores a deletion with
 * the reason; each carries `data.aiDecision`. Pure: no Node, no DOM.
 */
import { z } from 'zod';
import { Uid, method } from './contract-parts.js';
import { AnnotationVersion, RejectionReasonSchema } from './annotation.js';

/** What the device that made a finding said about itself and the finding (read from its SR/SEG). */
export const AiProvenance = z.object({
  /** The model (Device Observer Name, else its model name): the `<model>` of `ai:<model>`. */
  model: z.string(),
  /** Device Observer Manufacturer (DCM 121194), else the object's Manufacturer. */
  manufacturer: z.string().optional(),
  /** Device Observer Model Name (DCM 121195). */
  modelName: z.string().optional(),
  /** The object's Software Versions (0018,1020). */
  version: z.string().optional(),
  /** 0…1, from the finding's confidence / probability item when the object carries one. */
  confidence: z.number().min(0).max(1).optional(),
  /** The AI object the finding came from (its SOP Instance UID, series and class). */
  sopInstanceUID: z.string().optional(),
  seriesInstanceUID: z.string().optional(),
  sopClassUID: z.string().optional(),
});
export type AiProvenance = z.infer<typeof AiProvenance>;

export const AiDecisionKind = z.enum(['accepted', 'edited', 'rejected']);
export type AiDecisionKind = z.infer<typeof AiDecisionKind>;

/** `data.aiDecision` of a decision version ('undone' puts the finding back to undecided). */
export const AiDecisionMark = z.object({
  decision: z.enum(['accepted', 'edited', 'rejected', 'undone']),
  /** The AI version decided on. */
  aiVersionId: z.string(),
  source: z.string(),
  reasonId: z.string().optional(),
  batchId: z.string().optional(),
});
export type AiDecisionMark = z.infer<typeof AiDecisionMark>;

/**
 * What a finding's list entry says of its AI version (the newest version of the chain with an
 * `ai:` source): where it is, what it is, which model. The version itself (its drawing in `data`,
 * its attributes) is the annotation's, in `annotation.list` / `annotation.history`; the list
 * carries only what the AI panel, N / P and the editor use (docs/ai-review.md "Speed": 200
 * findings were 335 kB with whole versions).
 */
export const AiFindingVersion = AnnotationVersion.pick({
  versionId: true,
  studyInstanceUID: true,
  seriesInstanceUID: true,
  sopInstanceUID: true,
  frameNumber: true,
  kind: true,
  tool: true,
  labelId: true,
  source: true,
});
export type AiFindingVersion = z.infer<typeof AiFindingVersion>;

/**
 * What a finding's list entry says of its provenance: the model as its badge names it and the
 * finding's confidence. The AI object's UIDs stay in the AI version (`data.ai`), where the export
 * reads them.
 */
export const AiFindingProvenance = AiProvenance.pick({
  model: true,
  manufacturer: true,
  modelName: true,
  version: true,
  confidence: true,
});
export type AiFindingProvenance = z.infer<typeof AiFindingProvenance>;

/** One AI finding of a study, with the current reader's decision. */
export const AiFinding = z.object({
  annotationUid: z.string(),
  /** The AI version's place and kind (see AiFindingVersion). */
  aiVersion: AiFindingVersion,
  provenance: AiFindingProvenance,
  decision: AiDecisionKind.nullable(),
  reasonId: z.string().nullable(),
  /** The reader's newest version of the chain (the decision or a later edit), else null. */
  readerVersionId: z.string().nullable(),
  decidedAt: z.number().nullable(),
  /**
   * For a segment of an AI SEG (each segment is a finding): the AI labelmap, its version and the
   * segment number. `aiVersion` then stands for the segment (kind `segmentation`, tool `Labelmap`,
   * its label, and the slice where it is largest as `sopInstanceUID`).
   */
  segment: z
    .object({
      annotationUid: z.string(),
      versionId: z.string(),
      segmentIndex: z.number().int(),
      name: z.string(),
      color: z.string(),
      /** Voxels of the segment (all slices). */
      voxels: z.number().int(),
    })
    .optional(),
});
export type AiFinding = z.infer<typeof AiFinding>;

export const AiFindingsResponse = z.object({
  findings: z.array(AiFinding),
  /** Every finding decided (and at least one finding). */
  reviewed: z.boolean(),
  /** The newest bulk accept of this reader that can still be undone, else null. */
  undoableBatch: z.object({ batchId: z.string(), count: z.number().int() }).nullable(),
  /** AI findings are hidden from this reader (blinded project that hides the AI's work). */
  hidden: z.boolean(),
});
export type AiFindingsResponse = z.infer<typeof AiFindingsResponse>;

/** A reason a reader gives for rejecting an AI finding (schema `rejectionReasons`, else the default list). */
export const RejectionReason = RejectionReasonSchema;
export type RejectionReason = z.infer<typeof RejectionReason>;

// ---------------------------------------------------------------------------------------------
// Review and sign-off

export const ReviewRole = z.enum(['annotator', 'reviewer', 'admin']);
export type ReviewRole = z.infer<typeof ReviewRole>;

/** A project's review settings (the manifest's `review`, else the workstation's). */
export const ReviewSettings = z
  .object({
    /** Annotators see only their own annotations until the study is verified. */
    blinded: z.boolean().default(false),
    /** …and not the AI's findings either (blinded projects only). */
    blindAi: z.boolean().default(false),
  })
  .strict();
export type ReviewSettings = z.infer<typeof ReviewSettings>;

export const ReviewEvent = z.object({
  studyInstanceUID: Uid,
  action: z.enum(['returned', 'verified']),
  reviewer: z.string(),
  comment: z.string(),
  at: z.number().int(),
});
export type ReviewEvent = z.infer<typeof ReviewEvent>;

export const ReviewState = z.object({
  role: ReviewRole,
  settings: ReviewSettings,
  /** Where the role comes from: the project's manifest, the local account, or no accounts at all. */
  roleFrom: z.enum(['project', 'account', 'workstation']),
});
export type ReviewState = z.infer<typeof ReviewState>;

const StudyRef = z.object({ studyInstanceUID: Uid }).strict();

export const aiMethods = {
  'ai.findings': method(
    StudyRef,
    AiFindingsResponse,
    "A study's AI findings with the current reader's decisions, and whether all are decided.",
  ),
  'ai.decide': method(
    z
      .object({
        studyInstanceUID: Uid,
        annotationUid: z.string().min(1).max(128),
        decision: AiDecisionKind,
        /** Required for `rejected`: a rejection reason of the schema. */
        reasonId: z.string().min(1).max(64).optional(),
      })
      .strict(),
    z.object({ version: AnnotationVersion, finding: AiFinding }),
    'Accept, edit or reject one AI finding: stored as a version by the reader whose parent is the AI version.',
  ),
  'ai.acceptAbove': method(
    z.object({ studyInstanceUID: Uid, minConfidence: z.number().min(0).max(1) }).strict(),
    z.object({
      batchId: z.string().nullable(),
      accepted: z.number().int(),
      /** The findings it accepted. */
      annotationUids: z.array(z.string()),
    }),
    'Accept every undecided AI finding whose confidence is at least minConfidence, as one undoable step.',
  ),
  'ai.undoBatch': method(
    z.object({ studyInstanceUID: Uid, batchId: z.string().min(1).max(64) }).strict(),
    z.object({
      undone: z.number().int(),
      /** The findings put back to undecided. */
      annotationUids: z.array(z.string()),
    }),
    'Undo a bulk accept: the findings it accepted (and the reader did not change since) are undecided again.',
  ),
  'ai.segmentationSources': method(
    z.object({ annotationUid: z.string().min(1).max(128) }).strict(),
    z.object({
      /** The AI SEG objects the reader's segmentation was made from (accepted or edited segments). */
      references: z.array(
        z.object({
          studyInstanceUID: z.string(),
          seriesInstanceUID: z.string(),
          sopClassUID: z.string(),
          sopInstanceUID: z.string(),
        }),
      ),
      /** Per segment number of the reader's segmentation: the model and the decision. */
      segments: z.array(
        z.object({
          segmentIndex: z.number().int(),
          model: z.string(),
          decision: z.enum(['accepted', 'edited']),
        }),
      ),
    }),
    "Where a reader's segmentation came from: the AI SEGs whose segments the reader accepted or edited (export).",
  ),
  'ai.rejectionReasons': method(
    z.object({}).strict(),
    z.array(RejectionReason),
    'The reasons a reader may give for rejecting an AI finding (schema, else the default list).',
  ),
} as const;

export const reviewMethods = {
  'review.state': method(
    z.object({}).strict(),
    ReviewState,
    "The current reader's review role and the project's review settings (blinded mode).",
  ),
  'review.saveSettings': method(
    ReviewSettings,
    ReviewSettings,
    "The workstation's review settings when no project sets them (administrators only).",
  ),
  'review.return': method(
    z.object({ studyInstanceUID: Uid, comment: z.string().trim().min(1).max(4000) }).strict(),
    ReviewEvent,
    'Return a study to its annotators with a comment (reviewers): the study is a draft again.',
  ),
  'review.verify': method(
    z.object({ studyInstanceUID: Uid, comment: z.string().max(4000).default('') }).strict(),
    ReviewEvent,
    "Verify a study (reviewers): its status becomes 'verified'; its SR says VERIFIED and names the reviewer.",
  ),
  'review.events': method(
    StudyRef,
    z.array(ReviewEvent),
    "A study's returns and verifications, oldest first (annotators see the reviewer's comment).",
  ),
} as const;

/** Default reasons for rejecting an AI finding (a schema's `rejectionReasons` replaces them). */
export const DEFAULT_REJECTION_REASONS: readonly RejectionReason[] = [
  { id: 'false-positive', name: { en: 'False positive', 'zh-CN': '假阳性' } },
  { id: 'wrong-location', name: { en: 'Wrong location', 'zh-CN': '位置错误' } },
  { id: 'wrong-label', name: { en: 'Wrong label', 'zh-CN': '标签错误' } },
  { id: 'duplicate', name: { en: 'Duplicate finding', 'zh-CN': '重复发现' } },
  { id: 'artifact', name: { en: 'Artifact', 'zh-CN': '伪影' } },
  { id: 'not-relevant', name: { en: 'Not relevant to the project', 'zh-CN': '与项目无关' } },
];
