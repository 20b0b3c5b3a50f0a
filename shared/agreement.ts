/**
 * Agreement between readers, and between readers and AI models (issue #11 item 3), in the
 * contract: `agreement.study` and `agreement.project`. Computed in main (main/agreement/) from the
 * stored versions and labelmaps; definitions in docs/statistics.md "Agreement".
 *
 * A rater is a reader id (the author of human versions) or `ai:<model>` (a model's proposals: the
 * versions with that source, whatever the readers decided later). Pure: zod only.
 */
import { z } from 'zod';
import { Uid, method } from './contract-parts.js';

/** Measurements of the same label whose centres lie within this many mm are matched (default 10). */
export const DEFAULT_MATCH_TOLERANCE_MM = 10;

export const PairKind = z.enum(['reader-reader', 'reader-ai', 'ai-ai']);
export type PairKind = z.infer<typeof PairKind>;

export const SegmentPairResult = z.object({
  seriesInstanceUID: Uid,
  labelId: z.string(),
  raterA: z.string(),
  raterB: z.string(),
  dice: z.number(),
  /** mm; null when exactly one of the two masks is empty (undefined). */
  hd95: z.number().nullable(),
  voxelsA: z.number().int(),
  voxelsB: z.number().int(),
});
export type SegmentPairResult = z.infer<typeof SegmentPairResult>;

export const MeasurementPairResult = z.object({
  raterA: z.string(),
  raterB: z.string(),
  matched: z.number().int(),
  unmatchedA: z.number().int(),
  unmatchedB: z.number().int(),
  /** Mean |a − b| / mean(|a|, |b|) over matched pairs with values; null when none. */
  meanRelativeError: z.number().nullable(),
  pairs: z.array(
    z.object({
      labelId: z.string(),
      a: z.string(),
      b: z.string(),
      distanceMm: z.number(),
      relativeError: z.number().nullable(),
    }),
  ),
});
export type MeasurementPairResult = z.infer<typeof MeasurementPairResult>;

export const ClassificationPairResult = z.object({
  questionId: z.string(),
  /** The item: the study, or the series for series-level questions. */
  item: z.string(),
  raterA: z.string(),
  raterB: z.string(),
  answerA: z.string(),
  answerB: z.string(),
  agree: z.boolean(),
});
export type ClassificationPairResult = z.infer<typeof ClassificationPairResult>;

export const StudyAgreement = z.object({
  studyInstanceUID: Uid,
  raters: z.array(z.string()),
  segments: z.array(SegmentPairResult),
  measurements: z.array(MeasurementPairResult),
  classifications: z.array(ClassificationPairResult),
});
export type StudyAgreement = z.infer<typeof StudyAgreement>;

/** One pair of raters over the project (the studies both rated). */
export const ProjectPairAgreement = z.object({
  raterA: z.string(),
  raterB: z.string(),
  kind: PairKind,
  studies: z.number().int(),
  segments: z.object({
    /** (series, label) comparisons. */
    count: z.number().int(),
    meanDice: z.number().nullable(),
    meanHd95: z.number().nullable(),
    /** Comparisons where one mask was empty (no HD95). */
    hd95Undefined: z.number().int(),
  }),
  measurements: z.object({
    matched: z.number().int(),
    unmatched: z.number().int(),
    meanRelativeError: z.number().nullable(),
  }),
  /** Cohen's kappa per question, over the items both answered. */
  classifications: z.array(
    z.object({ questionId: z.string(), items: z.number().int(), kappa: z.number().nullable() }),
  ),
});
export type ProjectPairAgreement = z.infer<typeof ProjectPairAgreement>;

export const ProjectAgreement = z.object({
  pairs: z.array(ProjectPairAgreement),
  /** Fleiss' kappa per question over the items every human reader answered (two or more readers). */
  fleiss: z.array(
    z.object({
      questionId: z.string(),
      raters: z.array(z.string()),
      items: z.number().int(),
      kappa: z.number().nullable(),
    }),
  ),
});
export type ProjectAgreement = z.infer<typeof ProjectAgreement>;

export const AgreementOptions = z
  .object({
    toleranceMm: z.number().positive().max(1000).default(DEFAULT_MATCH_TOLERANCE_MM),
  })
  .strict();

export const agreementMethods = {
  'agreement.study': method(
    z
      .object({
        studyInstanceUID: Uid,
        toleranceMm: z.number().positive().max(1000).default(DEFAULT_MATCH_TOLERANCE_MM),
      })
      .strict(),
    StudyAgreement,
    "One study's agreement: Dice/HD95 per segment label, matched measurements, classification answers; every pair of raters.",
  ),
  'agreement.project': method(
    z
      .object({
        toleranceMm: z.number().positive().max(1000).default(DEFAULT_MATCH_TOLERANCE_MM),
        readers: z.array(z.string().max(128)).max(200).optional(),
        models: z.array(z.string().max(140)).max(50).optional(),
        labelIds: z.array(z.string().max(64)).max(500).optional(),
      })
      .strict(),
    ProjectAgreement,
    "The project's agreement per pair of raters (reader vs reader, reader vs AI) and Fleiss' kappa per question.",
  ),
} as const;
