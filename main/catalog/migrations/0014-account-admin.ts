/**
 * Account management (issue #12 item 5, docs/accounts.md): when each reader last signed in, whether
 * an administrator's password reset asks them for a new password, and the lockout policy in the
 * settings row (failed attempts before a lockout, its first and longest length). The defaults are
 * the constants the store used before (5 attempts, 30 s doubling up to 15 min).
 */
import type { Migration } from './migration.js';

export const accountAdmin: Migration = {
  version: 14,
  name: 'account-admin',
  up(db) {
    db.exec(`
      ALTER TABLE reader_account ADD COLUMN last_sign_in_at INTEGER;
      ALTER TABLE reader_account ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
        CHECK (must_change_password IN (0, 1));
      ALTER TABLE account_settings ADD COLUMN lockout_after INTEGER NOT NULL DEFAULT 5;
      ALTER TABLE account_settings ADD COLUMN lockout_seconds INTEGER NOT NULL DEFAULT 30;
      ALTER TABLE account_settings ADD COLUMN lockout_max_seconds INTEGER NOT NULL DEFAULT 900;
    `);
  },
};
