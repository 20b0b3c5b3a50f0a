/**
 * Local reader accounts on a shared workstation (issue #12 item 5, docs/accounts.md). Passwords
 * are hashed with scrypt (node:crypto; N = 2^15, r = 8, p = 1, 32-byte key, a 16-byte random salt
 * per account, parameters stored per row) and compared in constant time. Failed sign-ins count per
 * account: by default from the 5th on, the account is locked for 30 s, doubling per further failure
 * up to 15 minutes (the administrator's lockout policy, account_settings). An unknown user name
 * costs the same scrypt work as a known one. Accounts are renamed, re-roled, disabled and reset
 * here; the last enabled administrator always stays.
 *
 * Project credentials (#10) plug in through `ProjectCredentialVerifier`: none is configured yet.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type Database from 'better-sqlite3-multiple-ciphers';
import { MIN_PASSWORD_LENGTH, PASSWORD_RULE_TEXT, passwordProblem } from '../../shared/audit.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { openCatalogConnection } from '../catalog/catalog.js';

const scryptAsync = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keylen: number;
}

/** The parameters new hashes use (OWASP's scrypt minimum is N = 2^17 with r = 8 for p = 1 at 64 MiB; 2^15 keeps a sign-in under ~0.2 s on a reading-room PC). */
export const SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };
/** The default lockout policy (account_settings; the administrator can change it). */
export const LOCKOUT_AFTER = 5;
export const LOCKOUT_BASE_MS = 30_000;
export const LOCKOUT_MAX_MS = 15 * 60_000;
export { MIN_PASSWORD_LENGTH };

export type ReaderRole = 'admin' | 'reader';

export interface ReaderAccount {
  readerId: string;
  username: string;
  displayName: string;
  role: ReaderRole;
  kind: 'local' | 'project';
  disabled: boolean;
  createdAt: number;
  /** The last successful sign-in, or null. */
  lastSignInAt: number | null;
  /** Locked out after failed attempts until then; 0: not locked out. */
  lockedUntil: number;
  /** An administrator reset the password: the reader chooses a new one before anything else. */
  mustChangePassword: boolean;
}

export interface AccountSettings {
  /** Seconds of no input before the session locks; 0: never. */
  idleLockSeconds: number;
  /** Readers see only their own annotations (blinded reading). */
  blinded: boolean;
  /** Failed sign-ins in a row before the account is locked out. */
  lockoutAfter: number;
  /** The first lockout's length; it doubles with each further failure up to lockoutMaxSeconds. */
  lockoutSeconds: number;
  lockoutMaxSeconds: number;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  idleLockSeconds: 600,
  blinded: false,
  lockoutAfter: LOCKOUT_AFTER,
  lockoutSeconds: LOCKOUT_BASE_MS / 1000,
  lockoutMaxSeconds: LOCKOUT_MAX_MS / 1000,
};

/** Project credentials (#10, the project manifest): checks a user name and password against the project. */
export interface ProjectCredentialVerifier {
  verify(username: string, password: string): Promise<{ readerId: string; displayName: string } | null>;
}

interface AccountRow {
  reader_id: string;
  username: string;
  display_name: string;
  role: ReaderRole;
  kind: 'local' | 'project';
  password_hash: string;
  password_salt: string;
  kdf: string;
  failed_attempts: number;
  locked_until: number;
  disabled: number;
  created_at: number;
  last_sign_in_at: number | null;
  must_change_password: number;
}

export async function hashPassword(
  password: string,
  salt: Buffer,
  params: ScryptParams = SCRYPT_PARAMS,
): Promise<Buffer> {
  return scryptAsync(password.normalize('NFC'), salt, params.keylen, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r,
  });
}

// A fixed hash to compare against when the user name is unknown, so timing does not tell.
const DUMMY_SALT = Buffer.alloc(16, 1);

export type SignInResult =
  | { ok: true; account: ReaderAccount }
  | { ok: false; reason: 'invalid' | 'locked' | 'disabled'; retryAfterMs?: number };

export class AccountStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;

  constructor(
    catalogFileOrDb: string | Database.Database,
    private readonly options: { now?: () => number; params?: ScryptParams } = {},
  ) {
    if (typeof catalogFileOrDb === 'string') {
      this.db = openCatalogConnection(catalogFileOrDb);
      this.ownsDb = true;
    } else {
      this.db = catalogFileOrDb;
      this.ownsDb = false;
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  count(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM reader_account').get()!.n;
  }

  list(): ReaderAccount[] {
    return this.db
      .prepare<[], AccountRow>('SELECT * FROM reader_account ORDER BY username')
      .all()
      .map(toAccount);
  }

  get(readerId: string): ReaderAccount | null {
    const row = this.db
      .prepare<[string], AccountRow>('SELECT * FROM reader_account WHERE reader_id = ?')
      .get(readerId);
    return row ? toAccount(row) : null;
  }

  /** Creates a local account. The first account is always an administrator. */
  async create(input: {
    username: string;
    displayName?: string;
    password: string;
    role?: ReaderRole;
    /** The reader chooses a new password at the first sign-in (an initial password from an administrator). */
    mustChangePassword?: boolean;
  }): Promise<ReaderAccount> {
    const username = input.username.trim();
    if (!/^[\p{L}\p{N}._@-]{1,64}$/u.test(username))
      throw new AppError(
        ErrorCode.InvalidRequest,
        'A user name has 1 to 64 letters, digits, dots, dashes, underscores or @, and no spaces.',
      );
    checkPassword(input.password, username);
    const role: ReaderRole = this.count() === 0 ? 'admin' : (input.role ?? 'reader');
    const salt = crypto.randomBytes(16);
    const params = this.options.params ?? SCRYPT_PARAMS;
    const hash = await hashPassword(input.password, salt, params);
    const now = this.now();
    const readerId = username.toLowerCase();
    try {
      this.db
        .prepare(
          `INSERT INTO reader_account (reader_id, username, display_name, role, kind, password_hash, password_salt, kdf,
             must_change_password, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'local', ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          readerId,
          username,
          (input.displayName ?? username).trim().slice(0, 128) || username,
          role,
          hash.toString('hex'),
          salt.toString('hex'),
          JSON.stringify({ alg: 'scrypt', ...params }),
          input.mustChangePassword ? 1 : 0,
          now,
          now,
        );
    } catch (error) {
      if (String(error).includes('UNIQUE'))
        throw new AppError(ErrorCode.Conflict, 'An account with this user name already exists.', {
          cause: error,
        });
      throw error;
    }
    return this.get(readerId)!;
  }

  /** Checks a password; counts failures and locks the account after LOCKOUT_AFTER of them. */
  async verify(username: string, password: string): Promise<SignInResult> {
    const row = this.db
      .prepare<[string], AccountRow>('SELECT * FROM reader_account WHERE username = ?')
      .get(username.trim());
    if (!row) {
      await hashPassword(password, DUMMY_SALT, this.options.params ?? SCRYPT_PARAMS);
      return { ok: false, reason: 'invalid' };
    }
    const now = this.now();
    if (row.locked_until > now) return { ok: false, reason: 'locked', retryAfterMs: row.locked_until - now };
    const params = JSON.parse(row.kdf) as ScryptParams;
    const expected = Buffer.from(row.password_hash, 'hex');
    const actual = await hashPassword(password, Buffer.from(row.password_salt, 'hex'), params);
    const match = actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
    if (!match) {
      const failed = row.failed_attempts + 1;
      const policy = this.settings();
      const lockedUntil =
        failed >= policy.lockoutAfter
          ? now +
            1000 *
              Math.min(
                Math.max(policy.lockoutMaxSeconds, policy.lockoutSeconds),
                policy.lockoutSeconds * 2 ** Math.min(30, failed - policy.lockoutAfter),
              )
          : 0;
      this.db
        .prepare(
          'UPDATE reader_account SET failed_attempts = ?, locked_until = ?, updated_at = ? WHERE reader_id = ?',
        )
        .run(failed, lockedUntil, now, row.reader_id);
      return lockedUntil > 0
        ? { ok: false, reason: 'locked', retryAfterMs: lockedUntil - now }
        : { ok: false, reason: 'invalid' };
    }
    if (row.disabled) return { ok: false, reason: 'disabled' };
    if (row.failed_attempts > 0 || row.locked_until > 0)
      this.db
        .prepare(
          'UPDATE reader_account SET failed_attempts = 0, locked_until = 0, updated_at = ? WHERE reader_id = ?',
        )
        .run(now, row.reader_id);
    return { ok: true, account: toAccount({ ...row, failed_attempts: 0, locked_until: 0 }) };
  }

  /** Notes a successful sign-in (shown in the Accounts screen). */
  recordSignIn(readerId: string): void {
    this.db
      .prepare('UPDATE reader_account SET last_sign_in_at = ? WHERE reader_id = ?')
      .run(this.now(), readerId);
  }

  /**
   * Sets a new password (the password rule applies) and clears any lockout. `mustChange`: an
   * administrator's reset, the reader chooses their own at the next sign-in; false: the reader's own.
   */
  async setPassword(
    readerId: string,
    password: string,
    options: { mustChange?: boolean } = {},
  ): Promise<void> {
    const account = this.get(readerId);
    if (!account) throw new AppError(ErrorCode.NotFound, 'This account does not exist.');
    checkPassword(password, account.username);
    const salt = crypto.randomBytes(16);
    const params = this.options.params ?? SCRYPT_PARAMS;
    const hash = await hashPassword(password, salt, params);
    const changed = this.db
      .prepare(
        `UPDATE reader_account SET password_hash = ?, password_salt = ?, kdf = ?, failed_attempts = 0, locked_until = 0,
           must_change_password = ?, updated_at = ? WHERE reader_id = ?`,
      )
      .run(
        hash.toString('hex'),
        salt.toString('hex'),
        JSON.stringify({ alg: 'scrypt', ...params }),
        options.mustChange ? 1 : 0,
        this.now(),
        readerId,
      );
    if (changed.changes === 0) throw new AppError(ErrorCode.NotFound, 'This account does not exist.');
  }

  /**
   * Renames an account or changes its role. The last enabled administrator cannot become a reader:
   * someone must still be able to manage the workstation.
   */
  update(readerId: string, changes: { displayName?: string; role?: ReaderRole }): ReaderAccount {
    return this.db
      .transaction(() => {
        const account = this.get(readerId);
        if (!account) throw new AppError(ErrorCode.NotFound, 'This account does not exist.');
        if (changes.role === 'reader' && account.role === 'admin' && !account.disabled)
          this.keepOneAdmin(readerId);
        const displayName = changes.displayName?.trim().slice(0, 128) || account.displayName;
        this.db
          .prepare('UPDATE reader_account SET display_name = ?, role = ?, updated_at = ? WHERE reader_id = ?')
          .run(displayName, changes.role ?? account.role, this.now(), readerId);
        return this.get(readerId)!;
      })
      .immediate();
  }

  /**
   * Disables (cannot sign in; their annotations and audit entries keep their name) or enables an
   * account; enabling also ends a lockout. The last enabled administrator cannot be disabled.
   */
  setDisabled(readerId: string, disabled: boolean): ReaderAccount {
    return this.db
      .transaction(() => {
        const account = this.get(readerId);
        if (!account) throw new AppError(ErrorCode.NotFound, 'This account does not exist.');
        if (disabled && account.role === 'admin' && !account.disabled) this.keepOneAdmin(readerId);
        this.db
          .prepare(
            `UPDATE reader_account SET disabled = ?, failed_attempts = CASE WHEN ? THEN failed_attempts ELSE 0 END,
               locked_until = CASE WHEN ? THEN locked_until ELSE 0 END, updated_at = ? WHERE reader_id = ?`,
          )
          .run(disabled ? 1 : 0, disabled ? 1 : 0, disabled ? 1 : 0, this.now(), readerId);
        return this.get(readerId)!;
      })
      .immediate();
  }

  private keepOneAdmin(readerId: string): void {
    const others = this.db
      .prepare<[string], { n: number }>(
        "SELECT count(*) AS n FROM reader_account WHERE role = 'admin' AND disabled = 0 AND reader_id <> ?",
      )
      .get(readerId)!.n;
    if (others === 0)
      throw new AppError(
        ErrorCode.Conflict,
        'This is the last administrator: make another account an administrator first.',
      );
  }

  settings(): AccountSettings {
    const row = this.db
      .prepare<
        [],
        {
          idle_lock_seconds: number;
          blinded: number;
          lockout_after: number;
          lockout_seconds: number;
          lockout_max_seconds: number;
        }
      >(
        'SELECT idle_lock_seconds, blinded, lockout_after, lockout_seconds, lockout_max_seconds FROM account_settings WHERE id = 1',
      )
      .get();
    return row
      ? {
          idleLockSeconds: row.idle_lock_seconds,
          blinded: row.blinded === 1,
          lockoutAfter: row.lockout_after,
          lockoutSeconds: row.lockout_seconds,
          lockoutMaxSeconds: row.lockout_max_seconds,
        }
      : { ...DEFAULT_ACCOUNT_SETTINGS };
  }

  /** Saves the given settings; those left out keep their value. */
  saveSettings(changes: Partial<AccountSettings>): AccountSettings {
    const next = { ...this.settings(), ...changes };
    if (next.lockoutMaxSeconds < next.lockoutSeconds)
      throw new AppError(
        ErrorCode.InvalidRequest,
        'The longest lockout cannot be shorter than the first one.',
      );
    this.db
      .prepare(
        `INSERT INTO account_settings (id, idle_lock_seconds, blinded, lockout_after, lockout_seconds, lockout_max_seconds,
           updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET idle_lock_seconds = excluded.idle_lock_seconds, blinded = excluded.blinded,
           lockout_after = excluded.lockout_after, lockout_seconds = excluded.lockout_seconds,
           lockout_max_seconds = excluded.lockout_max_seconds, updated_at = excluded.updated_at`,
      )
      .run(
        next.idleLockSeconds,
        next.blinded ? 1 : 0,
        next.lockoutAfter,
        next.lockoutSeconds,
        next.lockoutMaxSeconds,
        this.now(),
      );
    return this.settings();
  }

  close(): void {
    if (this.ownsDb) this.db.close();
  }
}

function toAccount(row: AccountRow): ReaderAccount {
  return {
    readerId: row.reader_id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    kind: row.kind,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    lastSignInAt: row.last_sign_in_at,
    lockedUntil: row.locked_until,
    mustChangePassword: row.must_change_password === 1,
  };
}

/** The password rule (shared/audit.ts `passwordProblem`) as a typed error. */
function checkPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new AppError(ErrorCode.InvalidRequest, PASSWORD_RULE_TEXT[problem]);
}
