/**
 * Labelmap segmentations in the contract (`segmentation.*`): the segment list and the voxels of
 * one version, which travel as per-slice chunks (deflate with zlib header, base64), one per
 * (layer, image). A version written by `segmentation.saveSlices` carries only the slices that
 * changed since its parent; `segmentation.load` answers every slice of a version (the newest chunk
 * along its ancestry). Overlapping segments live on separate layers (Cornerstone 5 keeps one
 * labelmap image per layer and image; a segment is bound to a layer and a label value there).
 */
import { z } from 'zod';
import { Uid } from './contract-parts.js';

/** Annotation and version ids: Cornerstone uuids (letters, digits, dashes). */
const Id = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');

export const SegmentInfo = z
  .object({
    /** Cornerstone's segment index (1-based, per segmentation). */
    segmentIndex: z.number().int().min(1).max(65535),
    /** The schema label (kind 'segment') it was made for; absent for a label deleted from the schema. */
    labelId: z.string().max(200).optional(),
    name: z.string().max(200),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
    visible: z.boolean(),
    locked: z.boolean(),
    /** Fill opacity, 0–1; the default style's when absent. */
    opacity: z.number().min(0).max(1).optional(),
    /** The layer (0-based) the segment's voxels are on, and the value they hold there. */
    layer: z.number().int().min(0).max(255),
    labelValue: z.number().int().min(1).max(65535),
  })
  .strict();
export type SegmentInfo = z.infer<typeof SegmentInfo>;

/** At most this many base64 characters per request: the web host's body limit is 1 MiB. */
export const MAX_SAVE_CHARS = 700_000;

export const LabelmapSliceChunk = z
  .object({
    layer: z.number().int().min(0).max(255),
    sopInstanceUID: Uid,
    /** 1-based frame of a multi-frame image; 1 otherwise. */
    frame: z.number().int().min(1).max(100_000).default(1),
    /** zlib-deflated Uint8 (bits 8) or little-endian Uint16 (bits 16) rows; '' = all zero. */
    data: z.string().max(MAX_SAVE_CHARS),
  })
  .strict();
export type LabelmapSliceChunk = z.output<typeof LabelmapSliceChunk>;

const VersionHeader = z.object({
  annotationUid: Id,
  versionId: Id,
  /** The version this one changes; null for the first. */
  parentVersionId: Id.nullable(),
  studyInstanceUID: Uid,
  seriesInstanceUID: Uid,
  width: z.number().int().min(1).max(16384),
  height: z.number().int().min(1).max(16384),
  bits: z.union([z.literal(8), z.literal(16)]),
  layers: z.number().int().min(1).max(256),
  segments: z.array(SegmentInfo).max(1000),
  /** A deletion is a version too. */
  deleted: z.boolean().default(false),
});

export const SaveSlicesRequest = VersionHeader.extend({
  /**
   * The slices this version changed. A large save is split: requests with the same versionId add
   * their slices to it (the header must match the first request's).
   */
  slices: z.array(LabelmapSliceChunk).max(4096),
}).strict();
export type SaveSlicesRequest = z.input<typeof SaveSlicesRequest>;
export type SaveSlicesParsed = z.output<typeof SaveSlicesRequest>;

/** `human`, or `ai:<model id>` for a model's output (shared/model.ts); its author is then the model. */
const LabelmapSource = z.string().max(140).default('human');

export const LabelmapVersionView = VersionHeader.extend({
  createdAt: z.number(),
  author: z.string(),
  source: LabelmapSource,
  /** Every non-empty slice of the version. */
  slices: z.array(LabelmapSliceChunk),
});
export type LabelmapVersionView = z.infer<typeof LabelmapVersionView>;

export const LabelmapHead = VersionHeader.omit({ deleted: true }).extend({
  createdAt: z.number(),
  author: z.string(),
  source: LabelmapSource,
});
export type LabelmapHead = z.infer<typeof LabelmapHead>;

export const LabelmapSliceHash = z.object({
  layer: z.number().int(),
  sopInstanceUID: z.string(),
  frame: z.number().int(),
  /** SHA-256 of the uncompressed slice. */
  sha256: z.string(),
  /** Voxels that are not zero. */
  labelled: z.number().int(),
});
export type LabelmapSliceHash = z.infer<typeof LabelmapSliceHash>;

const VersionRef = z.object({ annotationUid: Id, versionId: Id.optional() }).strict();

export const segmentationMethods = {
  'segmentation.saveSlices': {
    request: SaveSlicesRequest,
    response: z.object({ versionId: z.string(), slicesStored: z.number().int() }),
    summary:
      'Store a labelmap version: its segments and the slices it changed (compressed chunks); committed before the answer.',
  },
  'segmentation.list': {
    request: z.object({ seriesInstanceUID: Uid }).strict(),
    response: z.array(LabelmapHead),
    summary: 'The labelmap segmentations of a series: the newest version of each, deleted ones left out.',
  },
  'segmentation.load': {
    request: VersionRef,
    response: LabelmapVersionView,
    summary: 'Every slice of a labelmap version (the newest by default), as compressed chunks.',
  },
  'segmentation.sliceHashes': {
    request: VersionRef,
    response: z.array(LabelmapSliceHash),
    summary: 'SHA-256 and labelled voxel count of every non-empty slice of a labelmap version.',
  },
} as const;
