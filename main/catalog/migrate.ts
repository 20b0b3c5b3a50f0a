/**
 * The forward-only migration runner. The schema version is SQLite's PRAGMA user_version; each
 * pending migration runs in its own transaction with the version bump, so a crash mid-upgrade
 * leaves the previous version intact, and two processes opening one catalog do not both migrate. A database from a newer RadLabel is refused, never touched.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import { type Migration, migrations as allMigrations } from './migrations/index.js';

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(migrations: readonly Migration[] = allMigrations): number {
  return migrations.at(-1)?.version ?? 0;
}

/** Brings `db` to `target` (default: the latest); returns the versions applied. */
export function migrate(
  db: Database,
  options: { logger?: Logger; migrations?: readonly Migration[]; target?: number } = {},
): number[] {
  const migrations = options.migrations ?? allMigrations;
  const target = options.target ?? latestVersion(migrations);
  const current = schemaVersion(db);
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new AppError(
      ErrorCode.Io,
      `This data folder was last used by a newer version of RadLabel (catalog version ${current}; this version understands up to ${latest}). ` +
        'Update RadLabel, or choose another data folder.',
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    const started = performance.now();
    // IMMEDIATE takes the write lock before the version is read again: when the app and the CLI open
    // an old catalog at the same moment, one migrates and the other finds the work done.
    const ran = db
      .transaction(() => {
        if (schemaVersion(db) >= migration.version) return false;
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
        return true;
      })
      .immediate();
    if (!ran) continue;
    applied.push(migration.version);
    options.logger?.info(
      { migration: migration.version, name: migration.name, ms: Math.round(performance.now() - started) },
      'catalog migrated',
    );
  }
  return applied;
}
