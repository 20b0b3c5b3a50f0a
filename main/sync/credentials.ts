/**
 * The secret that signs the workstation in to the project's server (issue #10 item 1): an HTTP
 * basic password or a bearer token. Never in the manifest, SQLite or a log.
 *
 * - Desktop app: the OS keychain through Electron safeStorage. The secret is sealed in
 *   `<data>/sync/credentials.sealed` with the same mechanism and key as the de-identification
 *   secret (main/deid-app/sealed-secret.ts, SealedValueFile, under the KeyProvider the app gives,
 *   backed by safeStorage); this module only names the file.
 * - CLI and web host: RADLABEL_SYNC_TOKEN (bearer) or RADLABEL_SYNC_USER / RADLABEL_SYNC_PASSWORD
 *   (basic), else the key file the manifest names, which must be readable by this user only
 *   (mode 0600): a file others can read is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { KeyProvider } from '../deid/linkage.js';
import { SealedValueFile } from '../deid-app/sealed-secret.js';
import {
  SYNC_PASSWORD_ENV,
  SYNC_TOKEN_ENV,
  SYNC_USER_ENV,
  type SyncAuth,
} from '../../shared/sync-manifest.js';

export type SyncCredentials =
  { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

/** A place that may hold the secret (the app's keychain-sealed file). */
export interface SecretSource {
  read(): string | null;
}

const MAX_SECRET_BYTES = 64 * 1024;

/** The HTTP Authorization header for `credentials`. */
export function authorizationHeader(credentials: SyncCredentials | null): string | null {
  if (!credentials) return null;
  const header =
    credentials.type === 'basic'
      ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`
      : `Bearer ${credentials.token}`;
  if (/[\r\n\0]/.test(header))
    throw new AppError(
      ErrorCode.ServerAuth,
      'The sign-in secret for the project server contains a line break.',
    );
  return header;
}

/**
 * Reads a key file: a regular file owned by this user and readable by nobody else (mode 0600 or
 * stricter). Its first line is the secret.
 */
export function readKeyFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    throw new AppError(ErrorCode.ServerAuth, `The key file for the project server does not exist: ${file}.`, {
      cause: error,
    });
  }
  if (!stat.isFile())
    throw new AppError(
      ErrorCode.ServerAuth,
      `The key file for the project server is not a regular file: ${file}.`,
    );
  if (process.platform !== 'win32') {
    if ((stat.mode & 0o077) !== 0)
      throw new AppError(
        ErrorCode.ServerAuth,
        `The key file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
          `it was not used. Make it private: chmod 600 ${path.basename(file)}.`,
      );
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid())
      throw new AppError(
        ErrorCode.ServerAuth,
        `The key file ${file} belongs to another user; it was not used.`,
      );
  }
  if (stat.size > MAX_SECRET_BYTES)
    throw new AppError(ErrorCode.ServerAuth, `The key file ${file} is too large to hold a secret.`);
  const secret = fs.readFileSync(file, 'utf8').split(/\r?\n/)[0]!.trim();
  if (!secret) throw new AppError(ErrorCode.ServerAuth, `The key file ${file} is empty.`);
  return secret;
}

/**
 * The credentials for `auth`, from (in order) the environment, the manifest's key file, then
 * `stored` (the app's keychain). A relative key file is taken relative to `baseDir` (the
 * manifest's folder). Null for `type: none`; an AppError (server-auth) when none is found.
 */
export function resolveCredentials(
  auth: SyncAuth,
  options: { env?: NodeJS.ProcessEnv; baseDir?: string; stored?: SecretSource } = {},
): SyncCredentials | null {
  if (auth.type === 'none') return null;
  const env = options.env ?? process.env;
  const keyFile = auth.keyFile ? path.resolve(options.baseDir ?? process.cwd(), auth.keyFile) : null;
  const secret = (environment: string): string | null =>
    env[environment] || (keyFile ? readKeyFile(keyFile) : null) || options.stored?.read() || null;
  if (auth.type === 'bearer') {
    const token = secret(SYNC_TOKEN_ENV);
    if (!token)
      throw new AppError(
        ErrorCode.ServerAuth,
        `No token for the project server: set ${SYNC_TOKEN_ENV}, or name a key file (server.auth.keyFile) in the manifest.`,
      );
    return { type: 'bearer', token };
  }
  const username = env[SYNC_USER_ENV] || auth.username;
  if (!username)
    throw new AppError(
      ErrorCode.ServerAuth,
      `No user name for the project server: set ${SYNC_USER_ENV} or server.auth.username in the manifest.`,
    );
  const password = secret(SYNC_PASSWORD_ENV);
  if (!password)
    throw new AppError(
      ErrorCode.ServerAuth,
      `No password for the project server: set ${SYNC_PASSWORD_ENV}, or name a key file (server.auth.keyFile) in the manifest.`,
    );
  return { type: 'basic', username, password };
}

/** Where the desktop app keeps the server's secret: sealed under the keychain-backed key. */
export const SYNC_CREDENTIAL_FILE = path.join('sync', 'credential.sealed');

/**
 * The app's stored secret for the project server (`<data>/sync/credential.sealed`), sealed with
 * the de-identification secret's mechanism (main/deid-app/sealed-secret.ts) under `keys` — in
 * Electron the OS keychain (safeStorage, main/electron/keychain.ts).
 */
export function storedSyncSecret(
  dataDir: string,
  keys: KeyProvider,
): SecretSource & { write(value: string): void; clear(): void } {
  return new SealedValueFile(path.join(dataDir, SYNC_CREDENTIAL_FILE), keys, 'radlabel-sync-credential');
}
