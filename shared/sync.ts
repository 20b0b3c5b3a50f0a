/**
 * Sync with the cloud project in the contract (issue #10): the engine's state per study and overall,
 * sync now, pause / resume, loading a project manifest, choosing studies for upload, and the
 * `sync.progress` / `sync.state` events. Implemented in main/sync/ (docs/sync.md).
 */
import { z } from 'zod';
import { Uid, method } from './contract-parts.js';

/** What the engine is doing now. */
export const SyncEngineState = z.enum([
  /** No project loaded. */
  'not-configured',
  'idle',
  'syncing',
  /** Paused by the reader; nothing is sent or fetched until resumed. */
  'paused',
  /** The server cannot be reached; the engine retries with backoff and resumes by itself. */
  'offline',
]);
export type SyncEngineState = z.infer<typeof SyncEngineState>;

/**
 * A study's state. Up: queued (chosen, not yet de-identified), uploading (n of m sent),
 * synced, failed (with the server's reason; the other studies went on). Down: pending,
 * downloading, synced, failed.
 */
export const SyncStudyState = z.enum(['queued', 'uploading', 'pending', 'downloading', 'synced', 'failed']);
export type SyncStudyState = z.infer<typeof SyncStudyState>;

export const SyncStudyStatus = z.object({
  direction: z.enum(['up', 'down']),
  /** The study in the local catalog (the original for uploads). */
  studyInstanceUID: Uid,
  /** The study on the server (the de-identified one for uploads); null before de-identification. */
  remoteStudyInstanceUID: Uid.nullable(),
  state: SyncStudyState,
  /** Instances done (sent or imported) and in all. */
  done: z.number().int(),
  total: z.number().int(),
  failed: z.number().int(),
  /** Objects the de-identification held for review (never uploaded until released). */
  held: z.number().int(),
  /** The reason of a failure, in words for the reader (the server's, for a refused object). */
  error: z.string().nullable(),
  updatedAt: z.string(),
});
export type SyncStudyStatus = z.infer<typeof SyncStudyStatus>;

export const SyncProgress = z.object({
  state: SyncEngineState,
  /** Instances (up and down) done and to do in the current pass. */
  itemsDone: z.number().int(),
  itemsTotal: z.number().int(),
  itemsFailed: z.number().int(),
  bytesSent: z.number(),
  bytesReceived: z.number(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

export const SyncStatus = z.object({
  project: z
    .object({ projectId: z.string(), baseUrl: z.string(), intervalMinutes: z.number().nullable() })
    .nullable(),
  state: SyncEngineState,
  progress: SyncProgress,
  /** When the last pass finished with everything done (ISO time), or null. */
  lastSyncAt: z.string().nullable(),
  /** Why the last pass stopped short (offline, server error), or null. */
  lastError: z.string().nullable(),
  studies: z.array(SyncStudyStatus),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const syncMethods = {
  'sync.status': method(z.object({}).strict(), SyncStatus, 'The sync state per study and overall.'),
  'sync.now': method(
    z.object({}).strict(),
    z.object({ started: z.boolean() }),
    'Start a sync pass now (nothing happens when one runs or sync is paused).',
  ),
  'sync.pause': method(z.object({}).strict(), SyncStatus, 'Pause sync (the current request ends first).'),
  'sync.resume': method(z.object({}).strict(), SyncStatus, 'Resume sync after a pause.'),
  'sync.loadProject': method(
    z
      .object({
        /** A manifest file on this machine, or an https:// URL to fetch it from. */
        source: z.string().min(1).max(4096),
      })
      .strict(),
    SyncStatus,
    'Load the cloud project manifest (from a file or a URL) and start syncing at its interval.',
  ),
  'sync.selectStudies': method(
    z.object({ studyInstanceUIDs: z.array(Uid).min(1).max(100_000) }).strict(),
    z.object({ queued: z.number().int() }),
    'Choose studies for the project: they are de-identified with its settings and uploaded.',
  ),
} as const;

export const syncEvents = {
  'sync.progress': SyncProgress,
  'sync.state': SyncStatus.omit({ studies: true }),
} as const;
