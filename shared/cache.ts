/**
 * The protected cache and its backups in the contract (issue #12 items 2 and 3): encryption,
 * retention and deletion settings (`cache.*`), deleting a study or a patient, and backup / restore
 * (`backup.*`). Implemented in main/cache/ and main/backup/; docs/cache.md.
 */
import { z } from 'zod';
import { Uid, method } from './contract-parts.js';

export const BackupSettings = z
  .object({
    /** Where backups go (a local folder or a mounted network share); null: no automatic backup. */
    folder: z.string().min(1).max(4096).nullable(),
    /** An automatic backup once a day while the app runs. */
    daily: z.boolean(),
    /** How many backups to keep in the folder (older ones are removed). */
    keep: z.number().int().min(1).max(365),
    /** Include the image files (large) besides the catalog and settings. */
    withFiles: z.boolean(),
  })
  .strict();
export type BackupSettings = z.infer<typeof BackupSettings>;

export const CacheSettings = z
  .object({
    /** Encrypt the catalog and the file store (default on for new data folders). */
    encrypt: z.boolean(),
    /** Remove the originals of a study this many days after its de-identified copy was synced; null: never. */
    retentionDays: z.number().int().min(0).max(36500).nullable(),
    backup: BackupSettings,
  })
  .strict();
export type CacheSettings = z.infer<typeof CacheSettings>;

export const CacheStatus = z.object({
  settings: CacheSettings,
  /** Whether the catalog on disk is encrypted now. */
  catalogEncrypted: z.boolean(),
  /** ISO time of the newest backup in the backup folder, or null. */
  lastBackupAt: z.string().nullable(),
});
export type CacheStatus = z.infer<typeof CacheStatus>;

export const DeleteResult = z.object({
  studies: z.number().int(),
  instances: z.number().int(),
  files: z.number().int(),
  linkageEntries: z.number().int(),
});
export type DeleteResult = z.infer<typeof DeleteResult>;

export const BackupSummary = z.object({
  /** Absolute path of the backup folder. */
  path: z.string(),
  createdAt: z.string(),
  withFiles: z.boolean(),
  bytes: z.number().int(),
});
export type BackupSummary = z.infer<typeof BackupSummary>;

export const cacheMethods = {
  'cache.status': method(
    z.object({}).strict(),
    CacheStatus,
    'Encryption, retention and backup settings and state.',
  ),
  'cache.saveSettings': method(
    CacheSettings,
    CacheStatus,
    'Change the cache protection, retention and backup settings.',
  ),
  'cache.deleteStudy': method(
    z.object({ studyInstanceUID: Uid }).strict(),
    DeleteResult,
    'Delete a study from this workstation: its files, catalog rows, annotations and linkage entries.',
  ),
  'cache.deletePatient': method(
    z.object({ patientId: z.string().min(1).max(64) }).strict(),
    DeleteResult,
    'Delete every study of a patient (by Patient ID) from this workstation.',
  ),
  'cache.markSynced': method(
    z.object({ studyInstanceUID: Uid, syncedAt: z.string().datetime().optional() }).strict(),
    z.object({}).strict(),
    "Record that the study's de-identified copy reached the project (retention counts from then).",
  ),
  'cache.purge': method(
    z.object({}).strict(),
    z.object({ studies: z.number().int() }),
    'Apply retention now: remove originals whose de-identified copy was synced long enough ago.',
  ),
  'backup.create': method(
    z.object({ folder: z.string().min(1).max(4096).optional(), withFiles: z.boolean().optional() }).strict(),
    BackupSummary,
    'Back up the catalog and settings (optionally the image files) now.',
  ),
  'backup.list': method(
    z.object({}).strict(),
    z.array(BackupSummary),
    'The backups in the backup folder, newest first.',
  ),
  'backup.restore': method(
    z.object({ path: z.string().min(1).max(4096) }).strict(),
    z.object({ restartRequired: z.boolean() }),
    'Check a backup and restore it into the data folder (takes effect after a restart).',
  ),
} as const;
