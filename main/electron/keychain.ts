/**
 * The desktop app's KeyProvider: a random 32-byte master key, kept in the data folder encrypted
 * by the operating system's keychain (Electron safeStorage: Keychain on macOS, DPAPI on Windows,
 * the Secret Service or KWallet on Linux). A copy of the data folder alone cannot open it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { KEYS_DIR_NAME } from '../deid-app/key-provider.js';
import { type KeyProvider, LINKAGE_KEY_ENV } from '../deid/linkage.js';

export const KEYCHAIN_KEY_FILE_NAME = 'local-master.safestorage';

export function keychainKeyProvider(dataDir: string): KeyProvider {
  const file = path.join(dataDir, KEYS_DIR_NAME, KEYCHAIN_KEY_FILE_NAME);
  let cached: Uint8Array | null = null;
  return {
    masterKey() {
      if (cached) return cached;
      // On Linux without a keyring, Electron falls back to `basic_text`: a fixed, public password,
      // which protects nothing. That is refused like no keychain at all.
      const plainText =
        process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
      if (!safeStorage.isEncryptionAvailable() || plainText)
        throw new AppError(
          ErrorCode.KeyUnavailable,
          "This computer's keychain is not available, so RadLabel cannot protect the de-identification secret. " +
            `On Linux, start a keyring (GNOME Keyring or KWallet) and reopen RadLabel, or set ${LINKAGE_KEY_ENV}.`,
        );
      if (fs.existsSync(file)) {
        let text: string;
        try {
          text = safeStorage.decryptString(fs.readFileSync(file));
        } catch (error) {
          throw new AppError(
            ErrorCode.KeyUnavailable,
            "The de-identification key of this data folder cannot be opened with this computer's keychain " +
              '(was the folder copied from another computer or user?).',
            { cause: error },
          );
        }
        cached = Buffer.from(text, 'hex');
      } else {
        const key = crypto.randomBytes(32);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // `wx`: a key that already exists is never replaced.
        fs.writeFileSync(file, safeStorage.encryptString(key.toString('hex')), { mode: 0o600, flag: 'wx' });
        cached = key;
      }
      if (cached.length !== 32)
        throw new AppError(
          ErrorCode.KeyUnavailable,
          'The de-identification key file of this data folder is damaged.',
        );
      return cached;
    },
  };
}
