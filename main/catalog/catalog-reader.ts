/**
 * A read-only view of the catalog for import workers: one question, asked before copying a file,
 * "is this instance already stored, and with which content?". WAL lets it read while the main
 * thread writes; it never writes and never migrates.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { applyDatabaseKey } from '../cache/sqlite-cipher.js';
import { sqliteBinding } from '../core/sqlite.js';

export class CatalogReader {
  readonly #db: Database.Database;
  readonly #storedHash: Database.Statement<[string], { sha256: string }>;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#storedHash = db.prepare<[string], { sha256: string }>(
      'SELECT sha256 FROM instance WHERE sop_uid = ?',
    );
  }

  /** `key`: the catalog's SQLCipher key (hex) when it is encrypted (the worker's task carries it). */
  static open(file: string, key?: string): CatalogReader {
    const db = new Database(file, { readonly: true, fileMustExist: true, ...sqliteBinding() });
    if (key) applyDatabaseKey(db, key);
    db.pragma('busy_timeout = 5000');
    return new CatalogReader(db);
  }

  /** SHA-256 of the stored instance with this SOP Instance UID, or null when it is not stored. */
  storedHash(sopInstanceUID: string): string | null {
    return this.#storedHash.get(sopInstanceUID)?.sha256 ?? null;
  }

  close(): void {
    this.#db.close();
  }
}
