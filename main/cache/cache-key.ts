/**
 * The key that encrypts the local cache (the catalog database and, when enabled, the file store).
 * One mechanism with the de-identification secret: it is derived (HKDF-SHA-256) from the
 * KeyProvider's master key (the operating system's keychain in the desktop app, a 0600 key file
 * in the data folder for the CLI and the web host), unless RADLABEL_CACHE_KEY (64 hex digits or
 * base64 of 32 bytes) names it directly. The key never leaves this process: workers get it in
 * their task messages, never through the environment of a child process.
 */
import crypto from 'node:crypto';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { KeyProvider } from '../deid/linkage.js';

export const CACHE_KEY_ENV = 'RADLABEL_CACHE_KEY';

/** 32 bytes: the cache key from RADLABEL_CACHE_KEY, else derived from the master key. */
export function cacheKey(keys: KeyProvider, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env[CACHE_KEY_ENV]?.trim();
  if (fromEnv) {
    const bytes = /^[0-9a-fA-F]{64}$/.test(fromEnv)
      ? Buffer.from(fromEnv, 'hex')
      : Buffer.from(fromEnv, 'base64');
    if (bytes.length !== 32)
      throw new AppError(
        ErrorCode.KeyUnavailable,
        `${CACHE_KEY_ENV} must be 32 bytes, written as 64 hex digits or base64.`,
      );
    return bytes;
  }
  return Buffer.from(
    crypto.hkdfSync(
      'sha256',
      keys.masterKey(),
      Buffer.from('radlabel-cache'),
      Buffer.from('catalog+store'),
      32,
    ),
  );
}

/** A key for one purpose ('sqlite', 'store'), so no two uses share a key. */
export function subKey(key: Uint8Array, purpose: string): Buffer {
  return Buffer.from(
    crypto.hkdfSync('sha256', key, Buffer.alloc(0), Buffer.from(`radlabel-cache/${purpose}`), 32),
  );
}

export { registerDatabaseKey, registeredDatabaseKey } from '../core/sqlite.js';
