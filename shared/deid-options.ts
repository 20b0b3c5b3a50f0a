/**
 * Which de-identification options a profile implies, and which combinations are refused. One rule
 * for the engine's config validation (main/deid/config.ts, so the CLI refuses too), the settings
 * store's save, and the settings dialog (which shows it live). Pure: no Node, no DOM.
 */
import type { DeidOptionName } from './contract.js';

type DeidProfileName = 'basic' | 'research';

/** The research-upload default: linked studies, shifted dates, cleaned text, masked pixels. */
export const researchDefaultOptions: readonly DeidOptionName[] = [
  'retainLongitudinalModifiedDates',
  'retainPatientCharacteristics',
  'retainDeviceIdentity',
  'cleanDescriptors',
  'cleanStructuredContent',
  'cleanGraphics',
  'cleanPixelData',
];

/** The options a profile always applies, whatever else is chosen. */
export function impliedDeidOptions(profile: DeidProfileName): readonly DeidOptionName[] {
  return profile === 'research' ? researchDefaultOptions : [];
}

/** The options that apply: the profile's own plus the chosen ones, each once. */
export function effectiveDeidOptions(
  profile: DeidProfileName,
  chosen: readonly DeidOptionName[],
): DeidOptionName[] {
  return [...new Set([...impliedDeidOptions(profile), ...chosen])];
}

/**
 * Options of PS3.15 Annex E that exclude each other. The two Retain Longitudinal Temporal
 * Information options are alternatives (E.3.6): dates are either kept as they are or shifted; with
 * both, one would silently win, and the engine used to keep the real dates. No other pair of Table
 * E.1-1's options is exclusive: retain options widen what is kept, clean options narrow it, and a
 * clean option on the same attribute wins by design (profile/options.ts, optionPrecedence).
 */
export const exclusiveDeidOptions: ReadonlyArray<{
  code: string;
  options: readonly [DeidOptionName, DeidOptionName];
  /** Why, in English. */
  why: string;
}> = [
  {
    code: 'dates-full-and-modified',
    options: ['retainLongitudinalFullDates', 'retainLongitudinalModifiedDates'],
    why: 'dates are either kept as they are or shifted, not both',
  },
];

export interface DeidOptionConflict {
  /** Stable code, for translation: `dates-full-and-modified`. */
  code: string;
  options: readonly [DeidOptionName, DeidOptionName];
  /** The option the profile implies, when the conflict comes from the profile ('research'). */
  impliedByProfile: DeidOptionName | null;
  /** In English, for the CLI, the engine and logs; the app translates by code. */
  message: string;
}

const optionLabels: Partial<Record<DeidOptionName, string>> = {
  retainLongitudinalFullDates: 'Retain Longitudinal Temporal Information with Full Dates',
  retainLongitudinalModifiedDates: 'Retain Longitudinal Temporal Information with Modified Dates',
};

/** Every conflict in a profile and its chosen options; empty when they may be used together. */
export function deidOptionConflicts(
  profile: DeidProfileName,
  chosen: readonly DeidOptionName[],
): DeidOptionConflict[] {
  const implied = impliedDeidOptions(profile);
  const applied = new Set(effectiveDeidOptions(profile, chosen));
  const conflicts: DeidOptionConflict[] = [];
  for (const { code, options, why } of exclusiveDeidOptions) {
    if (!options.every((option) => applied.has(option))) continue;
    const fromProfile =
      options.find((option) => implied.includes(option) && !chosen.includes(option)) ?? null;
    const label = (option: DeidOptionName): string => optionLabels[option] ?? option;
    const other = options.find((option) => option !== fromProfile) ?? options[1];
    const message = fromProfile
      ? `The research profile already applies "${label(fromProfile)}", which excludes "${label(other)}": ${why}. ` +
        'Untick it, or choose the basic profile with the options you need.'
      : `"${label(options[0])}" and "${label(options[1])}" exclude each other: ${why}. Choose one.`;
    conflicts.push({ code, options, impliedByProfile: fromProfile, message });
  }
  return conflicts;
}
