/**
 * The `cache.*` and `backup.*` methods (shared/cache.ts) over the data folder: settings, delete
 * study / patient, the retention record and purge, backups with rotation and restore; and the
 * two background jobs (the daily backup and the retention purge), checked hourly while running.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import type { CacheStatus } from '../../shared/cache.js';
import type { Handlers } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { openCatalogConnection } from '../catalog/catalog.js';
import type { FileStore } from '../catalog/file-store.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { EncryptedLinkageStore, type KeyProvider, LINKAGE_FILE_NAME } from '../deid/linkage.js';
import { createBackup, listBackups, stageRestore } from '../backup/backup.js';
import { cacheKey, registeredDatabaseKey, subKey } from './cache-key.js';
import { deleteStudies, studiesOfPatient } from './delete.js';
import { markSynced, studiesDue } from './retention.js';
import { CacheSettingsStore } from './settings.js';
import { isPlainDatabase } from './sqlite-cipher.js';
import { encryptFile, isStoreFileEncrypted, readStoredFile } from './store-cipher.js';

type CacheHandlers = Pick<
  Handlers,
  | 'cache.status'
  | 'cache.saveSettings'
  | 'cache.deleteStudy'
  | 'cache.deletePatient'
  | 'cache.markSynced'
  | 'cache.purge'
  | 'backup.create'
  | 'backup.list'
  | 'backup.restore'
>;

/**
 * The catalog's SQLCipher key (hex) for this data folder, or undefined for a plain catalog: a
 * catalog already encrypted is always opened with its key; otherwise the setting decides (on by
 * default, so a new or plain catalog is encrypted).
 */
export function catalogKeyFor(catalogFile: string, dataDir: string, keys: KeyProvider): string | undefined {
  const exists = fs.existsSync(catalogFile) && fs.statSync(catalogFile).size > 0;
  const encryptedNow = exists && !isPlainDatabase(catalogFile);
  if (!encryptedNow && !new CacheSettingsStore(dataDir).get().encrypt) return undefined;
  return catalogKeyHex(keys);
}

/** The file store's key when the setting encrypts the cache (new files are then encrypted). */
export function storeKeyFor(dataDir: string, keys: KeyProvider): Buffer | undefined {
  if (!new CacheSettingsStore(dataDir).get().encrypt) return undefined;
  return subKey(cacheKey(keys), 'store');
}

/** The catalog's SQLCipher key (hex) under `keys` (or RADLABEL_CACHE_KEY). */
export function catalogKeyHex(keys: KeyProvider): string {
  return subKey(cacheKey(keys), 'sqlite').toString('hex');
}

export interface CacheAppDependencies {
  dataDir: string;
  catalogFile: string;
  store: FileStore;
  keys: KeyProvider;
  /** The store key when the cache is encrypted: plain store files are then encrypted in the background. */
  storeKey?: Buffer;
  events: EventBus;
  logger: Logger;
  now?: () => Date;
  /** Run the hourly background check (daily backup, retention); tests call `tick` instead. */
  background?: boolean;
  /** Told the studies just deleted, so that what else remembers them (the reader's place) forgets them. */
  forgetStudies?: (studyUids: readonly string[]) => void;
}

export interface CacheApp {
  handlers: CacheHandlers;
  /** The background encryption of a plain store (resolves with the files encrypted). */
  readonly storeMigration: Promise<number>;
  /** One round of the background jobs (what the hourly timer runs). */
  tick(): Promise<void>;
  close(): void;
}

const HOUR = 3_600_000;

export function createCacheApp(deps: CacheAppDependencies): CacheApp {
  const settings = new CacheSettingsStore(deps.dataDir);
  const now = deps.now ?? (() => new Date());
  let db: Database.Database | null = null;
  const connection = (): Database.Database => (db ??= openCatalogConnection(deps.catalogFile));
  const keyFor = (file: string): string | undefined => {
    const registered = registeredDatabaseKey(file);
    if (registered) return registered;
    return path.resolve(file) === path.resolve(deps.catalogFile) ? catalogKeyHex(deps.keys) : undefined;
  };
  const linkage = (): EncryptedLinkageStore | null => {
    const file = path.join(deps.dataDir, LINKAGE_FILE_NAME);
    return fs.existsSync(file) ? new EncryptedLinkageStore(file, deps.keys) : null;
  };

  let queue: Promise<unknown> = Promise.resolve();
  /** Deletions, purges and backups run one at a time. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const remove = (studyUids: string[], patientIds: string[] = []) =>
    serial(async () => {
      let opened: EncryptedLinkageStore | null = null;
      try {
        const result = await deleteStudies({
          db: connection(),
          store: deps.store,
          studyUids,
          patientIds,
          linkage: () => (opened = linkage()),
          logger: deps.logger,
        });
        deps.forgetStudies?.(studyUids);
        if (result.studies > 0) deps.events.emit('catalog.changed', { studyInstanceUIDs: studyUids });
        return result;
      } finally {
        (opened as EncryptedLinkageStore | null)?.close();
      }
    });

  const status = (): CacheStatus => {
    const current = settings.get();
    return {
      settings: current,
      catalogEncrypted: !isPlainDatabase(deps.catalogFile),
      lastBackupAt: current.backup.folder ? (listBackups(current.backup.folder)[0]?.createdAt ?? null) : null,
    };
  };

  const backup = (folder: string | undefined, withFiles: boolean | undefined) =>
    serial(async () => {
      const current = settings.get().backup;
      const target = folder ?? current.folder;
      if (!target)
        throw new AppError(ErrorCode.InvalidRequest, 'Choose a backup folder in the settings first.');
      const info = await createBackup({
        dataDir: deps.dataDir,
        folder: target,
        withFiles: withFiles ?? current.withFiles,
        keep: current.keep,
        keyFor,
        now: now(),
      });
      deps.logger.info({ bytes: info.bytes, withFiles: info.withFiles }, 'backup written');
      return info;
    });

  const purge = async (): Promise<number> => {
    const days = settings.get().retentionDays;
    if (days === null) return 0;
    const due = studiesDue(connection(), days, now());
    if (due.length === 0) return 0;
    await remove(due);
    deps.logger.info({ studies: due.length }, 'retention purge');
    return due.length;
  };

  const tick = async (): Promise<void> => {
    try {
      await purge();
      const current = settings.get().backup;
      if (current.daily && current.folder) {
        const last = listBackups(current.folder)[0];
        if (!last || now().getTime() - Date.parse(last.createdAt) >= 24 * HOUR - 5 * 60_000)
          await backup(undefined, undefined);
      }
    } catch (error) {
      deps.logger.error(
        { code: error instanceof AppError ? error.code : 'internal' },
        'scheduled backup or retention failed',
      );
    }
  };
  /**
   * Encrypts the store files still plain (a store from before encryption), one at a time: each is
   * encrypted into the store's temp folder, checked (its plain bytes hash to its name), and renamed
   * over the plain file. Resumable: each run handles what is still plain.
   */
  const encryptStore = async (): Promise<number> => {
    const storeKey = deps.storeKey;
    if (!storeKey) return 0;
    let done = 0;
    for (const fan of fs.existsSync(deps.store.root) ? fs.readdirSync(deps.store.root) : []) {
      if (!/^[0-9a-f]{2}$/.test(fan) || closed) continue;
      for (const name of fs.readdirSync(path.join(deps.store.root, fan))) {
        if (closed) return done;
        const match = /^([0-9a-f]{64})\.dcm$/.exec(name);
        if (!match) continue;
        const file = path.join(deps.store.root, fan, name);
        const sealed = deps.store.newTempPath();
        try {
          if (isStoreFileEncrypted(file)) continue;
          await encryptFile(file, sealed, storeKey);
          const plain = await readStoredFile(sealed);
          if (crypto.createHash('sha256').update(plain).digest('hex') !== match[1])
            throw new AppError(ErrorCode.Io, 'A stored file changed while it was being encrypted.');
          await fs.promises.rename(sealed, file);
          done += 1;
        } catch (error) {
          await fs.promises.rm(sealed, { force: true });
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted meanwhile
          deps.logger.warn(
            { code: error instanceof AppError ? error.code : 'io' },
            'a store file was not encrypted',
          );
        }
      }
    }
    if (done > 0) deps.logger.info({ files: done }, 'store files encrypted');
    return done;
  };
  let closed = false;
  const migration = deps.background && deps.storeKey ? serial(encryptStore) : Promise.resolve(0);

  const timer = deps.background ? setInterval(() => void tick(), HOUR) : null;
  timer?.unref();
  const first = deps.background ? setTimeout(() => void tick(), 60_000) : null;
  first?.unref();

  const handlers: CacheHandlers = {
    'cache.status': async () => status(),
    'cache.saveSettings': async (next) => {
      settings.save(next);
      return status();
    },
    'cache.deleteStudy': async ({ studyInstanceUID }) => remove([studyInstanceUID]),
    'cache.deletePatient': async ({ patientId }) => {
      const studies = studiesOfPatient(connection(), patientId);
      if (studies.length === 0)
        throw new AppError(ErrorCode.NotFound, 'No study of this patient is on this workstation.');
      return remove(studies, [patientId]);
    },
    'cache.markSynced': async ({ studyInstanceUID, syncedAt }) => {
      markSynced(connection(), studyInstanceUID, syncedAt ? new Date(syncedAt) : now());
      return {};
    },
    'cache.purge': async () => ({ studies: await purge() }),
    'backup.create': async ({ folder, withFiles }) => backup(folder, withFiles),
    'backup.list': async () => {
      const folder = settings.get().backup.folder;
      return folder ? listBackups(folder) : [];
    },
    'backup.restore': async ({ path: backupDir }) => {
      await serial(() => stageRestore({ backupDir, dataDir: deps.dataDir, keyFor }));
      deps.logger.warn({}, 'backup staged for restore at the next start');
      return { restartRequired: true };
    },
  };

  return {
    handlers,
    tick,
    storeMigration: migration,
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      if (first) clearTimeout(first);
      if (db?.open) db.close();
      db = null;
    },
  };
}
