/**
 * What the walk over one object carries: the project's settings, the object's bytes and
 * identifying values, and what has been done so far (counts, warnings, UID mappings, trace).
 */
import {
  emptyActionCounts,
  type DeidActionCounts,
  type DeidConfig,
  type DeidWarning,
  type PreviewRow,
} from '../config.js';
import type { DicomElement, Encoding, ParsedDicom } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import type { Profile } from '../profile/profile.js';
import type { DeidOptionName } from '../profile/options.js';
import type { SafePrivateList } from '../profile/safe-private.js';
import type { Pseudonymizer } from '../pseudonyms.js';
import type { IdentifyingValues } from '../text.js';
import type { HeaderIdentity } from './identifying.js';
import type { EngineSettings } from './settings.js';

export interface ObjectContext {
  config: DeidConfig;
  profile: Profile;
  options: ReadonlySet<DeidOptionName>;
  safePrivate: SafePrivateList;
  pseudonyms: Pseudonymizer;
  source: Uint8Array;
  encoding: Encoding;
  characterSets: string[];
  identifying: IdentifyingValues;
  dateOffsetDays: number | null;
  counts: DeidActionCounts;
  warnings: DeidWarning[];
  warned: Set<string>;
  uidMappings: Map<string, string>;
  trace?: PreviewRow[];
  /** Top-level attributes the engine writes itself; the walk skips them at depth 0. */
  forced: Map<number, OutElement>;
  /** Top-level attributes that no longer apply (the extended offset table of decoded pixels). */
  dropped: Set<number>;
  original: Map<number, DicomElement>;
  birthDate: string;
  studyDate: string;
  /** > 0 while inside a sequence the profile replaces by dummies (D): its text is not kept either. */
  insideDummy: number;
  /** Remove every public attribute that neither the table nor the keep-list names. */
  removeUnlisted: boolean;
}

/** Adds a warning once per code and tag. */
export function warn(context: ObjectContext, warning: DeidWarning): void {
  const key = `${warning.code}|${warning.tag ?? ''}`;
  if (context.warned.has(key)) return;
  context.warned.add(key);
  context.warnings.push(warning);
}

/** The context of one object's walk, before anything was done. */
export function createObjectContext(
  settings: EngineSettings,
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  identity: HeaderIdentity,
  trace?: PreviewRow[],
): ObjectContext {
  const shifting = settings.options.has('retainLongitudinalModifiedDates');
  return {
    config: settings.config,
    profile: settings.profile,
    options: settings.options,
    safePrivate: settings.safePrivate,
    pseudonyms: settings.pseudonyms,
    source: parsed.bytes,
    encoding: parsed.encoding,
    characterSets: identity.characterSets,
    identifying: identity.identifying,
    dateOffsetDays: shifting ? settings.pseudonyms.dateOffsetDays(identity.patientKey) : null,
    counts: emptyActionCounts(),
    warnings: [],
    warned: new Set(),
    uidMappings: new Map(),
    ...(trace ? { trace } : {}),
    forced: new Map(),
    dropped: new Set(),
    original,
    birthDate: identity.birthDate,
    studyDate: identity.studyDate,
    insideDummy: 0,
    removeUnlisted: settings.removeUnlisted,
  };
}
