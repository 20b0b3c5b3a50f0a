/** Messages between the de-identification pool and its worker threads. */
import type { DeidConfig, DeidOutcome } from './config.js';

/** The part of DeidConfig that crosses a thread boundary: everything but functions and stores. */
export type WorkerDeidConfig = Omit<DeidConfig, 'pixelCleaner' | 'linkage' | 'logger'>;

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
