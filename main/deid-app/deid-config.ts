/**
 * Settings (what a person chose) to DeidConfig (what the engine runs). The CLI's `radlabel deid`
 * and the app build their configuration here, so both de-identify the same way.
 */
import type { DeidPixelRule, DeidSettings } from '../../shared/contract.js';
import type { Logger } from '../core/logger.js';
import { validateDeidConfig } from '../deid/config.js';
import { type DeidConfig, type DeidOptionName, deidOptionNames } from '../deid/index.js';
import type { LinkageStore } from '../deid/linkage-types.js';
import type { PixelRule } from '../deid/pixels/types.js';

/** Throws an AppError (invalid-request) when the settings ask for options that exclude each other. */
export function deidConfigFromSettings(
  settings: DeidSettings,
  projectSecret: Uint8Array,
  extras: { linkage?: LinkageStore; logger?: Logger } = {},
): DeidConfig {
  const trial = settings.clinicalTrial;
  const config: DeidConfig = {
    profile: settings.profile,
    options: [...settings.options],
    projectSecret,
    projectId: settings.projectId,
    clinicalTrial: {
      sponsorName: trial.sponsorName,
      protocolId: trial.protocolId,
      ...(trial.protocolName ? { protocolName: trial.protocolName } : {}),
      ...(trial.siteId ? { siteId: trial.siteId } : {}),
      ...(trial.siteName ? { siteName: trial.siteName } : {}),
    },
    ocr: settings.ocr,
    pixelRules: settings.pixelRules.map(pixelRule),
    ...(extras.linkage ? { linkage: extras.linkage } : {}),
    ...(extras.logger ? { logger: extras.logger } : {}),
  };
  // Refused here, before any file is read: conflicting options (the CLI exits non-zero with the reason).
  validateDeidConfig(config);
  return config;
}

function pixelRule(rule: DeidPixelRule): PixelRule {
  const match: PixelRule['match'] = {};
  for (const [key, value] of Object.entries(rule.match))
    if (value !== undefined) Object.assign(match, { [key]: value });
  return { name: rule.name, match, regions: rule.regions.map((region) => ({ ...region })) };
}

/** `retain-safe-private` (CLI spelling) or `retainSafePrivate` → the option, or null. */
export function deidOptionFromName(raw: string): DeidOptionName | null {
  const name = raw.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return (deidOptionNames as readonly string[]).includes(name) ? (name as DeidOptionName) : null;
}
