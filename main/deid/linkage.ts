/**
 * The linkage table: original identity and UIDs ↔ pseudonyms, and each patient's date offset.
 * It is what re-identifies patients, so it lives only on this machine, in its own SQLite file
 * (never in the catalog, never synced), encrypted at rest:
 *
 * - every row's content is AES-256-GCM sealed (random 96-bit IV, the row's kind and lookup key
 *   as associated data, so rows cannot be swapped);
 * - rows are found by HMAC-SHA-256 lookup keys of the original and of the pseudonym, so the file
 *   holds no readable original value;
 * - both keys derive (HKDF-SHA-256) from one 32-byte master key supplied by a KeyProvider:
 *   Electron's safeStorage in the app, an environment variable or key file in the CLI.
 *
 * Reading everything back is an explicit admin action (`exportAll` with a confirmation value).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { sqliteBinding } from '../core/sqlite.js';
import type { LinkageEntry, LinkageStore } from './linkage-types.js';

export const LINKAGE_KEY_ENV = 'RADLABEL_LINKAGE_KEY';
export const LINKAGE_FILE_NAME = 'deid-linkage.sqlite';

/** Supplies the 32-byte master key. The Electron shell implements it with safeStorage. */
export interface KeyProvider {
  masterKey(): Uint8Array;
}

function decodeKey(text: string, where: string): Uint8Array {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) {
    throw new AppError(
      ErrorCode.InvalidRequest,
      `The linkage key in ${where} must be 32 bytes, written as 64 hex digits or base64.`,
    );
  }
  return bytes;
}

/** RADLABEL_LINKAGE_KEY: 64 hex digits or base64 of 32 bytes. */
export function environmentKeyProvider(env: NodeJS.ProcessEnv = process.env): KeyProvider {
  return {
    masterKey() {
      const value = env[LINKAGE_KEY_ENV];
      if (!value)
        throw new AppError(
          ErrorCode.InvalidRequest,
          `Set ${LINKAGE_KEY_ENV} or pass a key file to keep the linkage table.`,
        );
      return decodeKey(value, LINKAGE_KEY_ENV);
    },
  };
}

/** A key file (hex or base64 text). With `create`, a missing file gets a new random key, mode 0600. */
export function fileKeyProvider(file: string, options: { create?: boolean } = {}): KeyProvider {
  return {
    masterKey() {
      if (!fs.existsSync(file)) {
        if (!options.create) throw new AppError(ErrorCode.NotFound, 'The linkage key file does not exist.');
        createKeyFileOnce(file);
      }
      return decodeKey(fs.readFileSync(file, 'utf8'), 'the key file');
    },
  };
}

/**
 * Writes a new random key to a temp file and hard-links it into place: the key file appears whole
 * or not at all, and when two processes race, the loser reads the winner's key.
 */
function createKeyFileOnce(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

interface DerivedKeys {
  encryption: Buffer;
  lookup: Buffer;
}

function derive(master: Uint8Array): DerivedKeys {
  const expand = (info: string): Buffer =>
    Buffer.from(crypto.hkdfSync('sha256', master, Buffer.from('radlabel-linkage'), Buffer.from(info), 32));
  return { encryption: expand('aes-256-gcm'), lookup: expand('hmac-lookup') };
}

interface Row {
  payload: Buffer;
  kind: string;
  lookup: Buffer;
}

/** Confirmation value an admin must pass to export the table. */
export const EXPORT_CONFIRMATION = 'I am exporting re-identification data';

export class EncryptedLinkageStore implements LinkageStore {
  readonly #db: Database.Database;
  readonly #keys: DerivedKeys;
  readonly #insert: Database.Statement;

  constructor(file: string, keys: KeyProvider) {
    this.#keys = derive(keys.masterKey());
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new Database(file, sqliteBinding());
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS linkage (
        kind TEXT NOT NULL,
        lookup BLOB NOT NULL,
        reverse_lookup BLOB NOT NULL,
        payload BLOB NOT NULL,
        PRIMARY KEY (kind, lookup)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS linkage_reverse ON linkage (kind, reverse_lookup);
      CREATE TABLE IF NOT EXISTS key_check (id INTEGER PRIMARY KEY CHECK (id = 1), mac BLOB NOT NULL);
    `);
    this.#checkKey();
    this.#insert = this.#db.prepare(
      'INSERT OR IGNORE INTO linkage (kind, lookup, reverse_lookup, payload) VALUES (?, ?, ?, ?)',
    );
  }

  /** A wrong key must fail loudly, not write rows nobody can read. */
  #checkKey(): void {
    const mac = crypto.createHmac('sha256', this.#keys.lookup).update('key-check').digest();
    const row = this.#db.prepare('SELECT mac FROM key_check WHERE id = 1').get() as
      { mac: Buffer } | undefined;
    if (!row) {
      this.#db.prepare('INSERT INTO key_check (id, mac) VALUES (1, ?)').run(mac);
    } else if (!crypto.timingSafeEqual(row.mac, mac)) {
      this.#db.close();
      throw new AppError(ErrorCode.InvalidRequest, 'The linkage key does not open this linkage table.');
    }
  }

  #lookup(kind: string, value: string): Buffer {
    return crypto
      .createHmac('sha256', this.#keys.lookup)
      .update(kind)
      .update('\0')
      .update(value, 'utf8')
      .digest();
  }

  #seal(kind: string, lookup: Buffer, entry: LinkageEntry): Buffer {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.#keys.encryption, iv);
    cipher.setAAD(Buffer.concat([Buffer.from(kind), lookup]));
    const body = Buffer.concat([cipher.update(JSON.stringify(entry), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  #open(row: Row): LinkageEntry {
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      this.#keys.encryption,
      row.payload.subarray(0, 12),
    );
    decipher.setAAD(Buffer.concat([Buffer.from(row.kind), row.lookup]));
    decipher.setAuthTag(row.payload.subarray(12, 28));
    const text = Buffer.concat([decipher.update(row.payload.subarray(28)), decipher.final()]).toString(
      'utf8',
    );
    return JSON.parse(text) as LinkageEntry;
  }

  /** An original is looked up within its project: one original has one pseudonym per project. */
  #originalLookup(kind: string, original: string, project: string | undefined): Buffer {
    return this.#lookup(kind, project === undefined ? original : `${project}\0${original}`);
  }

  record(entries: LinkageEntry[]): void {
    const insert = this.#db.transaction((batch: LinkageEntry[]) => {
      for (const entry of batch) {
        const lookup = this.#originalLookup(entry.kind, entry.original, entry.project);
        this.#insert.run(
          entry.kind,
          lookup,
          this.#lookup(entry.kind, entry.pseudonym),
          this.#seal(entry.kind, lookup, entry),
        );
      }
    });
    insert(entries);
  }

  /**
   * The pseudonym (and date offset) of an original UID or patient key in a project, or null.
   * Without a project: the row recorded before per-project keys.
   */
  find(kind: LinkageEntry['kind'], original: string, project?: string): LinkageEntry | null {
    const row = this.#db
      .prepare('SELECT kind, lookup, payload FROM linkage WHERE kind = ? AND lookup = ?')
      .get(kind, this.#originalLookup(kind, original, project)) as Row | undefined;
    return row ? this.#open(row) : null;
  }

  /** The original behind a pseudonym, or null (re-identification: an admin action). */
  reverse(kind: LinkageEntry['kind'], pseudonym: string): LinkageEntry | null {
    const row = this.#db
      .prepare('SELECT kind, lookup, payload FROM linkage WHERE kind = ? AND reverse_lookup = ?')
      .get(kind, this.#lookup(kind, pseudonym)) as Row | undefined;
    return row ? this.#open(row) : null;
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM linkage').get() as { n: number }).n;
  }

  /**
   * Removes the entries `matches` selects (deleting studies from the workstation: main/cache/delete.ts);
   * freed pages are zeroed and the WAL truncated. Returns how many went.
   */
  forget(matches: (entry: LinkageEntry) => boolean): number {
    const rows = this.#db.prepare('SELECT kind, lookup, payload FROM linkage').all() as Row[];
    const doomed = rows.filter((row) => matches(this.#open(row)));
    if (doomed.length === 0) return 0;
    this.#db.pragma('secure_delete = ON');
    const remove = this.#db.prepare('DELETE FROM linkage WHERE kind = ? AND lookup = ?');
    this.#db.transaction(() => {
      for (const row of doomed) remove.run(row.kind, row.lookup);
    })();
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return doomed.length;
  }

  /** Every entry, decrypted. Only for an explicit admin export. */
  exportAll(confirmation: string): LinkageEntry[] {
    if (confirmation !== EXPORT_CONFIRMATION) {
      throw new AppError(
        ErrorCode.InvalidRequest,
        'Exporting the linkage table needs an explicit administrator confirmation.',
      );
    }
    const rows = this.#db.prepare('SELECT kind, lookup, payload FROM linkage').all() as Row[];
    return rows.map((row) => this.#open(row));
  }

  close(): void {
    this.#db.close();
  }
}
