/**
 * Readers on a shared workstation (issue #12 item 5, main/account/, docs/accounts.md): local
 * accounts with scrypt password hashes (per-user salt, parameters stored per row so they can be
 * raised later), failed-attempt counters for the lockout, and one settings row (idle lock, blinded
 * reading). `kind` is 'local' now; 'project' accounts arrive with the project manifest (#10).
 */
import type { Migration } from './migration.js';

export const accounts: Migration = {
  version: 8,
  name: 'accounts',
  up(db) {
    db.exec(`
      CREATE TABLE reader_account (
        id INTEGER PRIMARY KEY,
        reader_id TEXT NOT NULL UNIQUE,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'reader')),
        kind TEXT NOT NULL CHECK (kind IN ('local', 'project')),
        password_hash TEXT NOT NULL,
        password_salt TEXT NOT NULL,
        kdf TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE account_settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        idle_lock_seconds INTEGER NOT NULL,
        blinded INTEGER NOT NULL CHECK (blinded IN (0, 1)),
        updated_at INTEGER NOT NULL
      );
    `);
  },
};
