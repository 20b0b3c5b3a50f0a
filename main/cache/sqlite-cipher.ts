/**
 * SQLite encryption at rest (better-sqlite3-multiple-ciphers, SQLCipher 4 format: AES-256-CBC
 * pages with an HMAC-SHA-512 each, so a changed page is detected). A raw 32-byte key is used
 * (`x'…'`), so opening costs no key derivation; the key itself comes from cache-key.ts.
 *
 * An existing plain database is migrated once (encryptPlainDatabase): a consistent copy
 * (VACUUM INTO) is encrypted in place (PRAGMA rekey), verified (integrity_check, the same row
 * count in every table) and made durable, and only then renamed over the plain file. A crash at
 * any moment leaves the plain database or the encrypted one, never a mix; a leftover copy is
 * discarded by the next attempt.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { sqliteBinding } from '../core/sqlite.js';

const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Whether `file` is an existing, non-empty SQLite database stored in the clear. */
export function isPlainDatabase(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(PLAIN_HEADER.length);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    return read === head.length && head.equals(PLAIN_HEADER);
  } finally {
    fs.closeSync(fd);
  }
}

function keyLiteral(keyHex: string): string {
  if (!/^[0-9a-f]{64}$/i.test(keyHex)) throw new Error('a database key is 32 bytes in hex');
  return `"x'${keyHex}'"`;
}

/**
 * Keys a freshly opened connection (before any other statement) and checks the key opens the
 * file: a wrong key is an AppError the administrator can act on, not a "file is not a database".
 */
export function applyDatabaseKey(db: Database.Database, keyHex: string, what = 'The local catalog'): void {
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma(`key = ${keyLiteral(keyHex)}`);
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    throw new AppError(
      ErrorCode.KeyUnavailable,
      `${what} is encrypted with another key than this computer's (was the data folder copied from another ` +
        `computer or user, or is RADLABEL_CACHE_KEY different?). Use the key this folder was set up with.`,
      { cause: error },
    );
  }
}

function tableCounts(db: Database.Database): Map<string, number> {
  const counts = new Map<string, number>();
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all();
  for (const { name } of tables) {
    const row = db
      .prepare<[], { n: number }>(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`)
      .get();
    counts.set(name, row?.n ?? 0);
  }
  return counts;
}

/**
 * Replaces the plain database at `file` by an encrypted copy with the same content (see the
 * module comment). Returns false when there was nothing to migrate.
 */
export function encryptPlainDatabase(
  file: string,
  keyHex: string,
  options: { nativeBinding?: string } = {},
): boolean {
  if (!isPlainDatabase(file)) return false;
  const binding = sqliteBinding(options.nativeBinding);
  const copy = `${file}.encrypting`;
  fs.rmSync(copy, { force: true });
  fs.rmSync(`${copy}-journal`, { force: true });
  let expected: Map<string, number>;
  const plain = new Database(file, { fileMustExist: true, ...binding });
  try {
    plain.pragma('busy_timeout = 5000');
    plain.pragma('wal_checkpoint(TRUNCATE)');
    expected = tableCounts(plain);
    plain.prepare('VACUUM INTO ?').run(copy);
  } finally {
    plain.close();
  }
  try {
    const encrypting = new Database(copy, { fileMustExist: true, ...binding });
    try {
      encrypting.pragma(`cipher = 'sqlcipher'`);
      encrypting.pragma(`rekey = ${keyLiteral(keyHex)}`);
    } finally {
      encrypting.close();
    }
    const check = new Database(copy, { fileMustExist: true, readonly: true, ...binding });
    try {
      applyDatabaseKey(check, keyHex);
      const integrity = check.pragma('integrity_check', { simple: true });
      const actual = tableCounts(check);
      const same =
        actual.size === expected.size && [...expected].every(([name, n]) => actual.get(name) === n);
      if (integrity !== 'ok' || !same)
        throw new AppError(
          ErrorCode.Io,
          'The encrypted copy of the local catalog did not verify; the catalog was left unencrypted.',
        );
    } finally {
      check.close();
    }
    if (isPlainDatabase(copy))
      throw new AppError(
        ErrorCode.Internal,
        'The catalog copy was not encrypted; the catalog was left as it was.',
      );
    const fd = fs.openSync(copy, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // The plain WAL was checkpointed into the file and is empty; it must not be replayed onto the new file.
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });
    fs.renameSync(copy, file);
    const dir = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
    return true;
  } catch (error) {
    fs.rmSync(copy, { force: true });
    throw error;
  }
}
