/** The statistics' and agreement's own connection to the catalog database (migrated by the catalog). */
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { keyConnection, sqliteBinding } from '../core/sqlite.js';
import { disableAutoCheckpoint } from '../catalog/wal-checkpointer.js';

export function openStatsConnection(catalogFile: string, nativeBinding?: string): Database.Database {
  try {
    const db = new Database(catalogFile, { fileMustExist: true, ...sqliteBinding(nativeBinding) });
    keyConnection(db, catalogFile);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Never checkpoints inside its own commits when the app runs the catalog's checkpointer.
    disableAutoCheckpoint(db, catalogFile);
    tuneStatsConnection(db);
    return db;
  } catch (error) {
    throw new AppError(ErrorCode.Io, 'The statistics could not open the catalog in the data folder.', {
      cause: error,
    });
  }
}

/**
 * The page cache of the statistics' connection: 64 MB (SQLite's default here is 16 MB). The catalog is
 * encrypted, so every page read from the file is decrypted again (no mmap with encryption); the
 * dashboard's indexes over 10,000 studies are ~40 MB, and with them kept decrypted in the cache a
 * dashboard costs ~40 % less CPU (docs/statistics.md "Speed"). Memory stays bounded by the cache size.
 */
export const STATS_CACHE_KIB = 64 * 1024;

export function tuneStatsConnection(db: Database.Database): void {
  db.pragma(`cache_size = -${STATS_CACHE_KIB}`);
}

/** Whether a table has a column (labelmap_version.source arrives with migration 0017). */
export function hasColumn(db: Database.Database, table: string, column: string): boolean {
  const columns = db.pragma(`table_info(${table})`) as Array<{ name: string }>;
  return columns.some((c) => c.name === column);
}
