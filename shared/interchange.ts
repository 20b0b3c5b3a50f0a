/**
 * Annotation interchange in the contract (#9 items 6–7): exports of a study, a selection or the
 * whole catalog as DICOM SR/SEG, NIfTI, an nnU-Net dataset, CSV or JSON (`export.*`, a job with
 * `export.progress` events and cancel), and SR/SEG files imported as annotations
 * (`annotation.importFiles`). Implemented in main/annotation/interchange-handlers.ts.
 */
import { z } from 'zod';
import { Uid } from './contract-parts.js';

export const AnnotationExportFormat = z.enum(['sr', 'seg', 'nifti', 'nnunet', 'csv', 'json']);
export type AnnotationExportFormat = z.infer<typeof AnnotationExportFormat>;

export const ExportStartRequest = z
  .object({
    format: AnnotationExportFormat,
    /** An absolute folder on this machine; created when missing. */
    outputDir: z.string().min(1).max(4096),
    /** The studies to export; the whole catalog when empty. */
    studyInstanceUIDs: z.array(Uid).max(100_000).default([]),
    /** De-identify with the project's settings (SR/SEG through the engine, pseudonymous ids elsewhere). */
    deid: z.boolean().default(false),
  })
  .strict();
export type ExportStartRequest = z.input<typeof ExportStartRequest>;

export const ExportProgressEvent = z.object({
  jobId: z.string(),
  format: AnnotationExportFormat,
  studiesDone: z.number().int(),
  studiesTotal: z.number().int(),
  filesWritten: z.number().int(),
  finished: z.boolean(),
  cancelled: z.boolean(),
  /** Why the export stopped, in words for the reader; null when it did not fail. */
  error: z.string().nullable(),
  /** Studies or objects left out and why (no measurements, no segmentation…). */
  notes: z.array(z.string()),
});
export type ExportProgressEvent = z.infer<typeof ExportProgressEvent>;

export const ImportFilesResponse = z.object({
  files: z.array(
    z.object({
      file: z.string(),
      kind: z.enum(['sr', 'seg', 'other']),
      added: z.number().int(),
      unchanged: z.number().int(),
      problems: z.array(z.string()),
    }),
  ),
});
export type ImportFilesResponse = z.infer<typeof ImportFilesResponse>;

export const interchangeMethods = {
  'export.start': {
    request: ExportStartRequest,
    response: z.object({ jobId: z.string() }),
    summary: 'Start exporting annotations (SR, SEG, NIfTI, nnU-Net, CSV or JSON) into a folder.',
  },
  'export.cancel': {
    request: z.object({ jobId: z.string() }).strict(),
    response: z.object({ cancelled: z.boolean() }),
    summary: 'Cancel an annotation export.',
  },
  'annotation.importFiles': {
    request: z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000) }).strict(),
    response: ImportFilesResponse,
    summary: 'Import DICOM SR and SEG files as annotation versions and labelmaps.',
  },
} as const;

/**
 * SR and SEG objects that came in with a catalog import (a folder, media, an archive, the PACS)
 * and what turning them into annotations gave: each object's versions added, and its problems
 * (a damaged or unreadable object, measurements skipped and why). Sent once per import batch.
 */
export const AnnotationsImportedEvent = z.object({
  objects: z
    .array(
      z.object({
        studyInstanceUID: Uid,
        sopInstanceUID: Uid,
        kind: z.enum(['sr', 'seg', 'other']),
        added: z.number().int(),
        problems: z.array(z.string().max(2000)).max(100),
      }),
    )
    .max(10_000),
});
export type AnnotationsImportedEvent = z.infer<typeof AnnotationsImportedEvent>;

export const interchangeEvents = {
  'export.progress': ExportProgressEvent,
  'annotation.imported': AnnotationsImportedEvent,
} as const;
