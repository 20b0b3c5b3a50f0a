/** Messages between the de-identification pool and its worker threads. */
import type { DeidOutcome } from './config.js';
import type { DeidOptionName } from './profile/options.js';
import type { EngineAction } from './profile/profile.js';
import type { SafePrivateAttribute } from './profile/safe-private.js';
import type { PixelRule } from './pixels/types.js';
import type { DeidProfileName, ClinicalTrialIdentity } from './config.js';

/** The part of DeidConfig that crosses a thread boundary (no functions, no stores). */
export interface WorkerDeidConfig {
  profile: DeidProfileName;
  options: DeidOptionName[];
  projectSecret: Uint8Array;
  projectId: string;
  clinicalTrial: ClinicalTrialIdentity;
  overrides?: Record<string, EngineAction>;
  safePrivate?: SafePrivateAttribute[];
  pixelRules?: PixelRule[];
  ocr?: boolean;
  age?: 'keep' | 'cap' | 'recompute';
  unlistedText?: 'remove' | 'clean';
  removeUnlisted?: boolean;
}

export interface WorkerInit {
  config: WorkerDeidConfig;
  /** Longest output accepted per object, in bytes (a guard against pathological inputs). */
  maxOutputBytes: number;
}

export type WorkerTask =
  | { id: number; kind: 'file'; inputPath: string; outputPath: string; sourceName: string }
  | { id: number; kind: 'bytes'; input: Uint8Array; sourceName: string };

/** For file tasks the output is written by the worker and only its size comes back. */
export type WorkerResult =
  | { id: number; outcome: Exclude<DeidOutcome, { status: 'done' }> }
  | {
      id: number;
      outcome: Omit<Extract<DeidOutcome, { status: 'done' }>, 'output'> & {
        output?: Uint8Array;
        outputBytes: number;
      };
    };
