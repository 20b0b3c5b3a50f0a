/**
 * A project's configuration turned into what the engine uses for every object: the options
 * (with the research defaults), the resolved profile with overrides, the safe-private list, the
 * pseudonymizer.
 */
import { type DeidConfig, validateDeidConfig } from '../config.js';
import { parseTagKey } from '../dicom/dictionary.js';
import { Profile, type EngineAction } from '../profile/profile.js';
import type { DeidOptionName } from '../profile/options.js';
import { SafePrivateList, standardSafePrivateAttributes } from '../profile/safe-private.js';
import { Pseudonymizer } from '../pseudonyms.js';
import type { PixelCleaner } from '../pixels/types.js';

/**
 * Where the table's X would remove a Type 1 attribute of a common IOD and make a valid object
 * invalid, a dummy value leaks nothing and keeps it valid. Project overrides still win.
 */
export const conformanceOverrides: Array<[number, EngineAction]> = [
  // Ethics Committee Name (D) is only allowed with the Approval Number, which the table removes (X).
  [0x00120081, 'X'],
  // Responsible Person / Organization: Type 2C for animal patients; emptied leaks as little as removed.
  [0x00102297, 'Z'],
  [0x00102299, 'Z'],
];

export interface EngineSettings {
  config: DeidConfig;
  profile: Profile;
  options: ReadonlySet<DeidOptionName>;
  safePrivate: SafePrivateList;
  pseudonyms: Pseudonymizer;
  pixelCleaner: () => Promise<PixelCleaner | undefined>;
  /** Whether public attributes that neither the table nor the keep-list names are removed. */
  removeUnlisted: boolean;
}

export function engineSettings(
  config: DeidConfig,
  pixelCleaner: () => Promise<PixelCleaner | undefined>,
): EngineSettings {
  // Unknown or conflicting options are refused (one rule, shared/deid-options.ts), never resolved in silence.
  const chosen = validateDeidConfig(config);
  const overrides = new Map<number, EngineAction>(conformanceOverrides);
  for (const [key, action] of Object.entries(config.overrides ?? {})) overrides.set(parseTagKey(key), action);
  return {
    config,
    profile: new Profile(chosen, overrides),
    options: chosen,
    safePrivate: new SafePrivateList([...standardSafePrivateAttributes, ...(config.safePrivate ?? [])]),
    pseudonyms: new Pseudonymizer(config.projectSecret, config.projectId),
    pixelCleaner,
    removeUnlisted: config.removeUnlisted ?? config.profile === 'research',
  };
}
