/** The statistics' and agreement's own connection to the catalog database (migrated by the catalog). */
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { keyConnection, sqliteBinding } from '../core/sqlite.js';

export function openStatsConnection(catalogFile: string, nativeBinding?: string): Database.Database {
  try {
    const db = new Database(catalogFile, { fileMustExist: true, ...sqliteBinding(nativeBinding) });
    keyConnection(db, catalogFile);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (error) {
    throw new AppError(ErrorCode.Io, 'The statistics could not open the catalog in the data folder.', {
      cause: error,
    });
  }
}

/** Whether a table has a column (labelmap_version.source arrives with migration 0017). */
export function hasColumn(db: Database.Database, table: string, column: string): boolean {
  const columns = db.pragma(`table_info(${table})`) as Array<{ name: string }>;
  return columns.some((c) => c.name === column);
}
