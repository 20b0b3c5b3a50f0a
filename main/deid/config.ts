/**
 * What a project chooses (DeidConfig) and what the engine reports per object (DeidReport).
 */
import type { DeidPreviewRow } from '../../shared/contract.js';
import { deidOptionConflicts, effectiveDeidOptions } from '../../shared/deid-options.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import type { DefaceCut, DefacePlan } from './deface/types.js';
import type { PixelCleaner, PixelRule, SeriesSamples } from './pixels/types.js';
import { type DeidOptionName, isDeidOptionName } from './profile/options.js';
import type { EngineAction } from './profile/profile.js';
import type { SafePrivateAttribute } from './profile/safe-private.js';
import type { LinkageEntry, LinkageStore } from './linkage-types.js';

/**
 * `basic`: the Basic Application Level Confidentiality Profile with exactly the options given.
 * `research`: the same, with the research-upload defaults added (see researchDefaultOptions).
 */
export type DeidProfileName = 'basic' | 'research';

export interface ClinicalTrialIdentity {
  sponsorName: string;
  protocolId: string;
  protocolName?: string;
  siteId?: string;
  siteName?: string;
}

export interface DeidConfig {
  profile: DeidProfileName;
  options: DeidOptionName[];
  /** At least 16 bytes; every pseudonym derives from it. */
  projectSecret: Uint8Array;
  projectId: string;
  clinicalTrial: ClinicalTrialIdentity;
  /** Per-tag actions that win over the table, keyed `(gggg,eeee)` or `ggggeeee`. */
  overrides?: Record<string, EngineAction>;
  /** Safe private attributes added to the standard's list (Retain Safe Private). */
  safePrivate?: SafePrivateAttribute[];
  pixelRules?: PixelRule[];
  ocr?: boolean;
  /**
   * Set by the service for one run (see series-sample.ts): what OCR of a sample of each series
   * found, by original Series Instance UID. An object of a series not listed is sampled alone.
   */
  seriesSamples?: SeriesSamples;
  /**
   * Set by the service for one run when Clean Recognizable Visual Features applies (deface/):
   * the series that show a face, held unless their accepted cut is given.
   */
  deface?: DefacePlan;
  /** Cuts the reader accepted, by original Series Instance UID (the app's deface store). */
  defaceCuts?: Record<string, DefaceCut>;
  pixelCleaner?: PixelCleaner;
  linkage?: LinkageStore;
  /** PatientAge when Retain Patient Characteristics keeps it: as is, capped at 90Y, or recomputed from the dates. Default `cap`. */
  age?: 'keep' | 'cap' | 'recompute';
  /**
   * Public text attributes the table does not name (free text a device may fill with anything):
   * `remove` (default, the safe choice for research uploads) or `clean` (kept unless they contain
   * the header's identifying values). Coded-entry and structural text is always kept.
   */
  unlistedText?: 'remove' | 'clean';
  /**
   * Free text that is cleaned (C): a word that is neither clinical vocabulary nor a number with a
   * unit becomes a placeholder (`placeholder`, the default) or stays (`keep`). Deny patterns
   * (dates, phone numbers, IDs, e-mails, addresses, UIDs) and the object's identifying values are
   * replaced either way. See docs/deid.md "Free-text cleaning".
   */
  unknownWords?: 'placeholder' | 'keep';
  /**
   * Remove every public attribute that neither Table E.1-1 nor the keep-list
   * (profile/keep-list.ts: geometry, pixel encoding, LUTs, acquisition physics, coded and
   * structural attributes) names: numbers, codes and binary values as well as text. Default: on
   * for the `research` profile (the safe default for research uploads), off for `basic`, where
   * only unnamed text is emptied (see unlistedText).
   */
  removeUnlisted?: boolean;
  /** Where internal errors (bugs) are logged: codes and stack frames only, never values. */
  logger?: Logger;
}

/**
 * Checks what a configuration asks for and returns the options that apply (the profile's own and
 * the chosen ones). Refuses, with an AppError a person can act on, unknown options, options that
 * exclude each other (shared/deid-options.ts: the one rule the settings dialog and store use too)
 * and a secret too short to derive pseudonyms from.
 */
export function validateDeidConfig(
  config: Pick<DeidConfig, 'profile' | 'options' | 'projectSecret'>,
): Set<DeidOptionName> {
  for (const option of config.options as readonly string[])
    if (!isDeidOptionName(option))
      throw new AppError(ErrorCode.InvalidRequest, `Unknown de-identification option "${String(option)}".`);
  if (config.profile !== 'basic' && config.profile !== 'research')
    throw new AppError(
      ErrorCode.InvalidRequest,
      `Unknown de-identification profile "${String(config.profile)}".`,
    );
  const conflicts = deidOptionConflicts(config.profile, config.options);
  if (conflicts.length > 0)
    throw new AppError(ErrorCode.InvalidRequest, conflicts.map((conflict) => conflict.message).join(' '));
  if (config.projectSecret.length < 16)
    throw new AppError(ErrorCode.InvalidRequest, 'The project secret must have at least 16 bytes.');
  return new Set(effectiveDeidOptions(config.profile, config.options));
}

export interface DeidWarning {
  /** Stable code, e.g. `charset-mislabelled-gbk`, `descriptor-cleaned`, `date-unshiftable`. */
  code: string;
  /** What happened, without PHI. */
  message: string;
  /** `(gggg,eeee)` of the attribute concerned, when there is one. */
  tag?: string;
}

export interface DeidActionCounts {
  removed: number;
  emptied: number;
  dummied: number;
  kept: number;
  cleaned: number;
  uidsRemapped: number;
  datesShifted: number;
  privateRemoved: number;
  privateKept: number;
}

/** Counts before anything was done: every action at zero. */
export function emptyActionCounts(): DeidActionCounts {
  return {
    removed: 0,
    emptied: 0,
    dummied: 0,
    kept: 0,
    cleaned: 0,
    uidsRemapped: 0,
    datesShifted: 0,
    privateRemoved: 0,
    privateKept: 0,
  };
}

export interface DeidReport {
  sourceName?: string;
  sopClassUID: string;
  /** Pseudonymous UIDs, as written to the output. */
  sopInstanceUID: string;
  seriesInstanceUID: string;
  studyInstanceUID: string;
  patientPseudonym: string;
  transferSyntaxUID: string;
  /** CID 7050 code values applied (113100 first). */
  methodCodes: string[];
  actions: DeidActionCounts;
  warnings: DeidWarning[];
  pixels: {
    action: 'keep' | 'masked' | 'hold' | 'none';
    reasons: string[];
    /** A stable code per reason, in the same order (pixels/reason-codes.ts), for translations. */
    reasonCodes: string[];
    regions: number;
    /**
     * Held objects only, when OCR read them: where it found text on the first frame (image
     * pixels, never the text), for the review of held images (main/deid-app/held-review.ts).
     */
    textBoxes?: { x: number; y: number; width: number; height: number }[];
  };
  /**
   * Local only, for the linkage table and the per-study report: original UIDs and identity.
   * Never written to the output, never logged, never synced.
   */
  local: { studyInstanceUID: string; sopInstanceUID: string; linkage: LinkageEntry[] };
}

export type DeidOutcome =
  | { status: 'done'; output: Uint8Array; report: DeidReport }
  | { status: 'held'; reason: string[]; report: DeidReport }
  | { status: 'failed'; error: { code: ErrorCode; message: string } };

export interface Deidentifier {
  deidentify(
    input: Uint8Array,
    options?: { sourceName?: string; trace?: PreviewRow[] },
  ): Promise<DeidOutcome>;
}

/** One attribute before and after, for the app's preview: the contract's row, one definition. */
export type PreviewRow = DeidPreviewRow;
