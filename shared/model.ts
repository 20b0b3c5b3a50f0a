/**
 * Local segmentation models (issue #11 item 5, docs/ai-models.md): what a project manifest says
 * about an ONNX model it ships (`models` in shared/sync-manifest.ts), and the `model.*` methods
 * and events that run one on a series in main (onnxruntime-node, CPU, in a worker thread). The
 * output becomes a labelmap version whose source is `ai:<model id>` and whose author is the model:
 * a pre-annotation for the reader to review. Research use only. Pure: no Node, no DOM.
 */
import { z } from 'zod';
import { Uid } from './contract-parts.js';

/** A model's id: also the `ai:<id>` source of what it proposes, so no spaces. */
export const ModelId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash and underscore (at most 64)');

const Text = z.string().trim().min(1).max(64);

/** How modality values (HU for CT) become the model's input numbers. */
export const ModelNormalization = z.discriminatedUnion('type', [
  /** Modality values as they are. */
  z.object({ type: z.literal('none') }).strict(),
  /** A window: (value − (center − width/2)) / width, clamped to 0…1. */
  z.object({ type: z.literal('window'), center: z.number(), width: z.number().positive() }).strict(),
  /** value × scale + offset. */
  z.object({ type: z.literal('scale'), scale: z.number(), offset: z.number().default(0) }).strict(),
  /** (value − mean) / standard deviation, both over the whole series. */
  z.object({ type: z.literal('zscore') }).strict(),
]);
export type ModelNormalization = z.infer<typeof ModelNormalization>;

export const ModelInputSpec = z
  .object({
    /** Modalities the model is made for (the series' Modality must be one); any when absent. */
    modality: z
      .array(z.string().regex(/^[A-Z]{2,4}$/, 'a DICOM modality such as CT or MR'))
      .min(1)
      .max(20)
      .optional(),
    /**
     * `2d`: one run per slice, input [1, 1, rows, columns]; `3d`: one run on the whole series,
     * input [1, 1, slices, rows, columns] (slices in the viewer's stack order).
     */
    layout: z.enum(['2d', '3d']).default('2d'),
    normalization: ModelNormalization.default({ type: 'none' }),
    /** The image size the model needs (columns × rows); other series are refused. */
    size: z
      .object({ columns: z.number().int().min(1).max(16384), rows: z.number().int().min(1).max(16384) })
      .strict()
      .optional(),
    /** In-plane pixel spacing (mm) the model expects; a series outside the range is refused. */
    spacingMm: z
      .object({ min: z.number().positive(), max: z.number().positive() })
      .strict()
      .refine((range) => range.min <= range.max, { message: 'min must not exceed max' })
      .optional(),
    /** The input tensor's name; the model's first input when absent. */
    tensor: z.string().min(1).max(128).optional(),
  })
  .strict();
export type ModelInputSpec = z.infer<typeof ModelInputSpec>;

export const ModelOutputLabel = z
  .object({
    /** The output channel (axis 1 of [1, C, …]) holding this label's score. */
    channel: z.number().int().min(0).max(1023),
    /** The schema label (kind `segment`) the segment takes. */
    labelId: z.string().min(1).max(200),
    /** A voxel belongs to the label where its score is above this; the output's threshold when absent. */
    threshold: z.number().optional(),
  })
  .strict();

export const ModelOutputSpec = z
  .object({
    /** Output [1, C, rows, columns] (2d) or [1, C, slices, rows, columns] (3d): one label per channel used. */
    labels: z.array(ModelOutputLabel).min(1).max(255),
    threshold: z.number().default(0.5),
    /** The output tensor's name; the model's first output when absent. */
    tensor: z.string().min(1).max(128).optional(),
  })
  .strict();
export type ModelOutputSpec = z.infer<typeof ModelOutputSpec>;

/** One model named in a project manifest. */
export const ModelSpec = z
  .object({
    id: ModelId,
    /** The .onnx file: absolute, or relative to the manifest's folder. */
    file: z.string().min(1).max(4096),
    /** SHA-256 of the file (64 hex digits): a file that differs is never run. */
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 digest: 64 hex digits'),
    name: Text,
    version: Text,
    manufacturer: Text,
    description: z.string().max(2000).optional(),
    input: ModelInputSpec,
    output: ModelOutputSpec,
  })
  .strict();
export type ModelSpec = z.infer<typeof ModelSpec>;
export type ModelSpecInput = z.input<typeof ModelSpec>;

/** What `model.list` answers per model of the loaded project. */
export const ModelSummary = z.object({
  id: ModelId,
  name: z.string(),
  version: z.string(),
  manufacturer: z.string(),
  description: z.string().optional(),
  modality: z.array(z.string()).optional(),
  layout: z.enum(['2d', '3d']),
  /** Schema label ids the model proposes. */
  labelIds: z.array(z.string()),
  /** The file is where the manifest says (its digest is checked when a run starts). */
  available: z.boolean(),
});
export type ModelSummary = z.infer<typeof ModelSummary>;

export const ModelRunPhase = z.enum([
  'queued',
  'checking',
  'reading',
  'running',
  'saving',
  'done',
  'failed',
  'cancelled',
]);
export type ModelRunPhase = z.infer<typeof ModelRunPhase>;

export const ModelRunProgress = z.object({
  runId: z.string(),
  modelId: z.string(),
  studyInstanceUID: z.string(),
  seriesInstanceUID: z.string(),
  phase: ModelRunPhase,
  /** Slices (2d) or steps done of `total`. */
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  /** When it failed: the code and a message the reader can act on. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** When done: the labelmap version it wrote (segmentation.load reads it). */
  annotationUid: z.string().nullable(),
  versionId: z.string().nullable(),
  /** Voxels labelled per label id, when done. */
  voxels: z.record(z.string(), z.number().int()).nullable(),
});
export type ModelRunProgress = z.infer<typeof ModelRunProgress>;

/** A run of `modelId` on a series as it stands before it starts: queued, nothing done. */
export function queuedRun(
  runId: string,
  modelId: string,
  studyInstanceUID: string,
  seriesInstanceUID: string,
): ModelRunProgress {
  return {
    runId,
    modelId,
    studyInstanceUID,
    seriesInstanceUID,
    phase: 'queued',
    done: 0,
    total: 0,
    error: null,
    annotationUid: null,
    versionId: null,
    voxels: null,
  };
}

const RunRef = z.object({ runId: z.string().min(1).max(80) }).strict();

export const modelMethods = {
  'model.list': {
    request: z.object({}).strict(),
    response: z.array(ModelSummary),
    summary: "The segmentation models the loaded project's manifest names (empty without a project).",
  },
  'model.run': {
    request: z.object({ modelId: ModelId, studyInstanceUID: Uid, seriesInstanceUID: Uid }).strict(),
    response: z.object({ runId: z.string() }),
    summary:
      'Run a model on a series in main (onnxruntime-node, CPU, worker thread); progress as model.progress events; the output becomes a labelmap version from the model (source ai:<id>).',
  },
  'model.cancel': {
    request: RunRef,
    response: z.object({ cancelled: z.boolean() }),
    summary: 'Cancel a model run; nothing of it is kept.',
  },
  'model.status': {
    request: RunRef,
    response: ModelRunProgress,
    summary: 'The latest progress of a model run.',
  },
} as const;

export const modelEvents = {
  'model.progress': ModelRunProgress,
} as const;
