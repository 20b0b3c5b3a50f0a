/**
 * De-identification engine: the entry point used by sync, export, the CLI and the pixel
 * cleaner's proof tests. Electron-free; see docs/deid.md for the design.
 */
import type { DeidConfig, Deidentifier, DeidOutcome, PreviewRow } from './config.js';
import { deidentifyObject, deidentifyObjectChunks, engineSettings, type ChunkedOutcome } from './engine.js';
import type { PixelCleaner } from './pixels/types.js';

export type {
  DeidConfig,
  Deidentifier,
  DeidOutcome,
  DeidReport,
  DeidWarning,
  DeidActionCounts,
  PreviewRow,
  DeidProfileName,
  ClinicalTrialIdentity,
} from './config.js';
export type { DeidOptionName } from './profile/options.js';
export {
  deidOptionNames,
  isDeidOptionName,
  optionCodes,
  basicProfileCode,
  researchDefaultOptions,
} from './profile/options.js';
export type { EngineAction } from './profile/profile.js';
export type { LinkageEntry, LinkageStore } from './linkage-types.js';

/** The pixel cleaner of main/deid/pixels/, loaded on first use (it pulls in OCR). */
async function defaultPixelCleaner(): Promise<PixelCleaner & { close?: () => Promise<void> }> {
  const module = (await import('./pixels/index.js')) as {
    createPixelCleaner: () => PixelCleaner & { close?: () => Promise<void> };
  };
  return module.createPixelCleaner();
}

/** A Deidentifier that owns resources (the default pixel cleaner's OCR worker) until closed. */
export interface ClosableDeidentifier extends Deidentifier {
  /** The same, with the output as byte ranges for writev (no assembled copy of the pixel data). */
  deidentifyToChunks(input: Uint8Array, options?: { sourceName?: string }): Promise<ChunkedOutcome>;
  close(): Promise<void>;
}

export type { ChunkedOutcome } from './engine.js';

export function createDeidentifier(config: DeidConfig): ClosableDeidentifier {
  let cleaner: Promise<PixelCleaner & { close?: () => Promise<void> }> | undefined;
  const settings = engineSettings(config, async () => {
    if (config.pixelCleaner) return config.pixelCleaner;
    cleaner ??= defaultPixelCleaner();
    return cleaner;
  });
  return {
    deidentify(
      input: Uint8Array,
      options?: { sourceName?: string; trace?: PreviewRow[] },
    ): Promise<DeidOutcome> {
      return deidentifyObject(settings, input, options);
    },
    deidentifyToChunks(input: Uint8Array, options?: { sourceName?: string }): Promise<ChunkedOutcome> {
      return deidentifyObjectChunks(settings, input, options);
    },
    async close(): Promise<void> {
      const owned = cleaner;
      cleaner = undefined;
      if (owned) await (await owned).close?.();
    },
  };
}
