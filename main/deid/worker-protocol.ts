/** Messages between the de-identification pool and its worker threads (worker.ts). */
import type { DeidConfig, DeidOutcome } from './config.js';

/** The part of DeidConfig that crosses a thread boundary: everything but functions and stores. */
export type WorkerDeidConfig = Omit<DeidConfig, 'pixelCleaner' | 'linkage' | 'logger'>;

export interface WorkerInit {
  /** Longest output accepted per object, in bytes (a guard against pathological inputs). */
  maxOutputBytes: number;
}

/**
 * The configuration of the run an object belongs to travels with it (a few kilobytes, cloned per
 * object), so one started pool serves run after run; `key` names it, and a worker builds its
 * engine again only when the key changes.
 */
export interface WorkerRunConfig {
  key: number;
  value: WorkerDeidConfig;
}

/**
 * `file`: the worker reads the input and writes the output itself, so no file crosses threads.
 * `bytes`: the input is handed over (transferred when the caller allows it) and the output comes
 * back transferred.
 */
export type WorkerTask = { config: WorkerRunConfig } & (
  | { kind: 'file'; inputPath: string; outputPath: string; sourceName: string }
  | { kind: 'bytes'; input: Uint8Array; sourceName: string }
);

/** For file tasks the output is written by the worker and only its size comes back. */
export type WorkerOutcome =
  | Exclude<DeidOutcome, { status: 'done' }>
  | (Omit<Extract<DeidOutcome, { status: 'done' }>, 'output'> & {
      output?: Uint8Array;
      outputBytes: number;
    });
