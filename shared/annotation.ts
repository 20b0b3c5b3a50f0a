/**
 * Annotation in the contract (issue #9): the project's label schema, the immutable annotation
 * versions main stores, the study annotation status, and the `schema.*` / `annotation.*` methods.
 * The seams between the four annotation modules are described in docs/annotation.md.
 *
 * Data model (docs/design.md "Data model"): an annotation is a chain of immutable versions that share
 * an `annotationUid`; each version names its parents. The current view of a study is the set of
 * heads (versions nobody names as parent). A deletion is a version with `deleted: true`. Two
 * versions with the same parent make two heads: a conflict, kept until a version names both.
 */
import { z } from 'zod';
import { Uid, method } from './contract-parts.js';
import { MissingItem } from './completeness.js';

/** An identifier in a schema file: letters, digits, `-`, `_`, `.`, `:`. */
const SchemaId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, "-", "_", "." and ":" only');

/** A text shown to the reader, in both interface languages. */
export const LocalizedText = z
  .object({ en: z.string().trim().min(1).max(200), 'zh-CN': z.string().trim().min(1).max(200) })
  .strict();
export type LocalizedText = z.infer<typeof LocalizedText>;

/** A coded concept (DICOM code triplet): SNOMED-CT `SCT`, RadLex `RADLEX`, DICOM `DCM`, … */
export const Code = z
  .object({
    value: z.string().trim().min(1).max(64),
    scheme: z.string().trim().min(1).max(16),
    meaning: z.string().trim().min(1).max(64),
  })
  .strict();
export type Code = z.infer<typeof Code>;

export const ChoiceOption = z.object({ id: SchemaId, name: LocalizedText }).strict();
export type ChoiceOption = z.infer<typeof ChoiceOption>;

export const Attribute = z
  .object({
    id: SchemaId,
    name: LocalizedText,
    type: z.enum(['choice', 'number', 'text']),
    required: z.boolean(),
    options: z.array(ChoiceOption).min(1).max(200).optional(),
    unit: z.string().max(32).optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .strict()
  .superRefine((attribute, context) => {
    if (attribute.type === 'choice' && !attribute.options) {
      context.addIssue({ code: 'custom', path: ['options'], message: 'a choice attribute needs options' });
    }
    if (attribute.min !== undefined && attribute.max !== undefined && attribute.min > attribute.max) {
      context.addIssue({ code: 'custom', path: ['min'], message: 'min is larger than max' });
    }
  });
export type Attribute = z.infer<typeof Attribute>;

export const LabelKind = z.enum(['measurement', 'region', 'segment', 'classification']);
export type LabelKind = z.infer<typeof LabelKind>;

export const Label = z
  .object({
    id: SchemaId,
    name: LocalizedText,
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a color is written #rrggbb'),
    kind: LabelKind,
    /** Cornerstone tool names this label may be drawn with ('Length', 'PlanarFreehandROI', 'Brush', …). */
    tools: z.array(z.string().min(1).max(64)).max(50),
    finding: Code.optional(),
    findingSite: Code.optional(),
    attributes: z.array(Attribute).max(50),
  })
  .strict();
export type Label = z.infer<typeof Label>;

export const Question = z
  .object({
    id: SchemaId,
    level: z.enum(['study', 'series']),
    name: LocalizedText,
    type: z.enum(['single', 'multiple']),
    options: z.array(ChoiceOption).min(1).max(200),
    required: z.boolean(),
  })
  .strict();
export type Question = z.infer<typeof Question>;

/** A reason a reader gives for rejecting an AI finding (docs/ai-review.md). */
export const RejectionReasonSchema = z.object({ id: SchemaId, name: LocalizedText }).strict();

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

export const LabelSchema = z
  .object({
    id: SchemaId,
    name: z.string().trim().min(1).max(200),
    version: z.string().trim().min(1).max(32),
    labels: z.array(Label).min(1).max(500),
    questions: z.array(Question).max(200),
    /** Reasons for rejecting an AI finding; the default list (shared/ai.ts) when absent. */
    rejectionReasons: z.array(RejectionReasonSchema).min(1).max(100).optional(),
  })
  .strict()
  .superRefine((schema, context) => {
    for (const id of duplicates(schema.labels.map((label) => label.id))) {
      const index = schema.labels.findIndex((label) => label.id === id);
      context.addIssue({
        code: 'custom',
        path: ['labels', index, 'id'],
        message: `label id "${id}" is used twice`,
      });
    }
    for (const id of duplicates(schema.questions.map((question) => question.id))) {
      const index = schema.questions.findIndex((question) => question.id === id);
      context.addIssue({
        code: 'custom',
        path: ['questions', index, 'id'],
        message: `question id "${id}" is used twice`,
      });
    }
  });
export type LabelSchema = z.infer<typeof LabelSchema>;

// ---------------------------------------------------------------------------------------------
// Versions

export const AnnotationKind = z.enum(['measurement', 'segmentation', 'classification']);
export type AnnotationKind = z.infer<typeof AnnotationKind>;

export const AnnotationStatus = z.enum(['draft', 'complete', 'verified']);
export type AnnotationStatus = z.infer<typeof AnnotationStatus>;

export const AttributeValue = z.union([
  z.string().max(2000),
  z.number().finite(),
  z.array(z.string().max(200)).max(200),
]);
export type AttributeValue = z.infer<typeof AttributeValue>;

/** `human`, or `ai:<model>` for annotations a model proposed. */
export const AnnotationSource = z.string().regex(/^(human|ai:[^\s]{1,128})$/, "'human' or 'ai:<model>'");

/** The measurement tools a reader draws with, in palette order (Cornerstone tool names). */
export const MEASUREMENT_TOOLS = [
  'Length',
  'Angle',
  'CobbAngle',
  'Bidirectional',
  'RectangleROI',
  'EllipticalROI',
  'CircleROI',
  'PlanarFreehandROI',
  'ArrowAnnotate',
  'Probe',
] as const;
export type MeasurementToolName = (typeof MEASUREMENT_TOOLS)[number];

/**
 * Every Cornerstone tool whose annotations are kept as measurement versions and read back from an SR:
 * the palette's, and those other tools (or other readers' files) may bring.
 */
export const MEASUREMENT_TOOL_NAMES: ReadonlySet<string> = new Set<string>([
  ...MEASUREMENT_TOOLS,
  'SplineROI',
  'LivewireContour',
  'Height',
]);

/** JSON of one version: measurement = Cornerstone's `{ metadata, data }` + `hidden`, `locked`. */
export const AnnotationData = z.record(z.string(), z.unknown());

/** What a caller hands to `annotation.save`: main fills `author` and `createdAt` when absent. */
export const AnnotationVersionInput = z
  .object({
    versionId: z.string().uuid(),
    /** Stable across versions: the Cornerstone annotationUID (SR tracking UIDs derive from it). */
    annotationUid: z.string().min(1).max(128),
    parentIds: z.array(z.string().uuid()).max(16),
    studyInstanceUID: Uid,
    seriesInstanceUID: Uid.optional(),
    sopInstanceUID: Uid.optional(),
    frameNumber: z.number().int().min(1).optional(),
    kind: AnnotationKind,
    /** Cornerstone toolName, 'Labelmap' or 'Classification'. */
    tool: z.string().min(1).max(64),
    labelId: SchemaId.optional(),
    attributes: z.record(z.string(), AttributeValue),
    data: AnnotationData,
    source: AnnotationSource.default('human'),
    /** The reader id; main sets the current reader when absent (imports keep the file's observer). */
    author: z.string().min(1).max(128).optional(),
    status: AnnotationStatus.default('draft'),
    deleted: z.boolean().default(false),
    /** Epoch ms; main sets its clock when absent. */
    createdAt: z.number().int().min(0).optional(),
  })
  .strict();
export type AnnotationVersionInput = z.input<typeof AnnotationVersionInput>;

/** One stored, immutable version (a row of `annotation_version`). */
export const AnnotationVersion = AnnotationVersionInput.extend({
  source: AnnotationSource,
  author: z.string(),
  status: AnnotationStatus,
  deleted: z.boolean(),
  createdAt: z.number().int(),
});
export type AnnotationVersion = z.infer<typeof AnnotationVersion>;

/** Classification `data`. */
export const ClassificationData = z.object({
  questionId: SchemaId,
  level: z.enum(['study', 'series']),
  seriesInstanceUID: Uid.optional(),
  answer: z.array(z.string()),
});
export type ClassificationData = z.infer<typeof ClassificationData>;

/** Segmentation `data`; the voxels live in the labelmap tables (main/annotation/labelmap-store.ts). */
export const SegmentationData = z.object({
  segments: z.array(
    z.object({
      segmentIndex: z.number().int().min(1),
      labelId: z.string().optional(),
      name: z.string(),
      color: z.string(),
      visible: z.boolean(),
      locked: z.boolean(),
      opacity: z.number().min(0).max(1).optional(),
    }),
  ),
  layers: z.number().int().min(1),
  referencedSeriesInstanceUID: Uid,
});
export type SegmentationData = z.infer<typeof SegmentationData>;

// ---------------------------------------------------------------------------------------------
// Study annotation status (per study and reader, append-only)

/** What the worklist shows: none, draft (n annotations), complete, verified. */
export const StudyAnnotationStatus = z.object({
  studyInstanceUID: Uid,
  status: z.enum(['none', 'draft', 'complete', 'verified']),
  /** Annotations in the current view (heads not deleted). */
  annotations: z.number().int().min(0),
  /** Who set the status last (null: never set; draft is then implied by annotations). */
  reader: z.string().nullable(),
  changedAt: z.number().int().nullable(),
});
export type StudyAnnotationStatus = z.infer<typeof StudyAnnotationStatus>;

/** The worklist's part of it, in `catalog.listStudies` rows. */
export const StudyAnnotationSummary = z.object({
  status: z.enum(['none', 'draft', 'complete', 'verified']),
  annotations: z.number().int().min(0),
  /** AI findings and how many the reader decided ("AI reviewed" when all; docs/ai-review.md). */
  ai: z.object({ findings: z.number().int().min(0), decided: z.number().int().min(0) }).optional(),
});
export type StudyAnnotationSummary = z.infer<typeof StudyAnnotationSummary>;

// ---------------------------------------------------------------------------------------------
// Methods and events

export const SchemaView = z.object({
  schema: LabelSchema,
  /** `default`: the built-in schema; `project`: a schema file loaded into the data folder. */
  source: z.enum(['default', 'project']),
  /** Where the project schema was loaded from (shown in settings), null for the default. */
  loadedFrom: z.string().nullable(),
  /**
   * `built-in`; `file`: a file a reader loaded; `manifest`: the sync project's manifest, which wins
   * (a file cannot replace it while the workstation syncs with that project).
   */
  origin: z.enum(['built-in', 'file', 'manifest']),
  /** The sync project whose manifest set the schema. */
  project: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type SchemaView = z.infer<typeof SchemaView>;

export const SchemaLoadRequest = z
  .object({
    /** An absolute path of a schema JSON file on this machine. */
    path: z.string().min(1).max(4096).optional(),
    /** The schema itself (a file chosen in the browser, read by the page). */
    json: z.string().max(2_000_000).optional(),
    /** With `json`: the chosen file's name, shown as where the schema came from. */
    name: z.string().min(1).max(255).optional(),
    /** Go back to the built-in schema. */
    useDefault: z.literal(true).optional(),
  })
  .strict()
  .refine((r) => [r.path, r.json, r.useDefault].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of path, json or useDefault',
  });

export const AnnotationListResponse = z.object({
  /** The current view: every head that is not a deletion, oldest first. */
  heads: z.array(AnnotationVersion),
  /** Annotations with more than one head (two edits of the same version): every head's id. */
  conflicts: z.array(z.object({ annotationUid: z.string(), versionIds: z.array(z.string()) })),
});
export type AnnotationListResponse = z.infer<typeof AnnotationListResponse>;

/** The list with only the heads `keep` accepts; a conflict stays while two or more of its heads remain. */
export function keepHeads(
  list: AnnotationListResponse,
  keep: (head: AnnotationVersion) => boolean,
): AnnotationListResponse {
  const heads = list.heads.filter(keep);
  const kept = new Set(heads.map((head) => head.versionId));
  return {
    heads,
    conflicts: list.conflicts
      .map((conflict) => ({ ...conflict, versionIds: conflict.versionIds.filter((id) => kept.has(id)) }))
      .filter((conflict) => conflict.versionIds.length > 1),
  };
}

export const annotationMethods = {
  'schema.get': method(
    z.object({}).strict(),
    SchemaView,
    'The label schema in use (the project file, else the built-in one).',
  ),
  'schema.load': method(
    SchemaLoadRequest,
    SchemaView,
    'Validate a project label schema (file path or JSON) and keep it in the data folder; or go back to the default.',
  ),
  'annotation.list': method(
    z.object({ studyInstanceUID: Uid }).strict(),
    AnnotationListResponse,
    "A study's current annotations (the heads of their version chains) and its conflicts.",
  ),
  'annotation.save': method(
    z.object({ versions: z.array(AnnotationVersionInput).min(1).max(500) }).strict(),
    z.object({
      versionIds: z.array(z.string()),
      /** Main's clock (epoch ms) when the transaction committed. */
      committedAt: z.number(),
    }),
    'Store new versions (in order, one transaction); answers once committed. Saving a stored version again is a no-op.',
  ),
  'annotation.history': method(
    z.object({ annotationUid: z.string().min(1).max(128) }).strict(),
    z.array(AnnotationVersion),
    'Every version of one annotation, oldest first.',
  ),
  'annotation.studyStatus': method(
    z.object({ studyInstanceUID: Uid }).strict(),
    StudyAnnotationStatus,
    "A study's annotation status: none, draft (n annotations), complete or verified.",
  ),
  'annotation.setStudyStatus': method(
    z.object({ studyInstanceUID: Uid, status: AnnotationStatus }).strict(),
    StudyAnnotationStatus,
    'Mark a study draft (reopen), complete or verified, for the current reader (appended, never overwritten). Complete and verified are refused (`incomplete`) while a required attribute or answer is missing.',
  ),
  'annotation.completeness': method(
    z.object({ studyInstanceUID: Uid }).strict(),
    z.object({ missing: z.array(MissingItem) }),
    "What keeps a study from being complete under the schema in use (main's rule; empty when nothing).",
  ),
} as const;

export const AnnotationChangedEvent = z.object({
  studyInstanceUID: Uid,
  annotationUids: z.array(z.string()),
  versionIds: z.array(z.string()),
});
export type AnnotationChangedEvent = z.infer<typeof AnnotationChangedEvent>;

export const annotationEvents = {
  'annotation.changed': AnnotationChangedEvent,
  /** The label schema in use changed (a file loaded, the default, a sync project's manifest). */
  'schema.changed': SchemaView,
  'annotation.statusChanged': StudyAnnotationStatus,
} as const;
