/**
 * Which key protects the project secret and the linkage table when no keychain is injected (web
 * host, CLI): RADLABEL_LINKAGE_KEY when set, else a random key file in the data folder, readable
 * only by this user (mode 0600). A key file sits next to what it protects, so it guards against
 * copies of single files, not against someone who can read the whole data folder: the desktop
 * app's keychain (Electron safeStorage) is stronger.
 */
import path from 'node:path';
import {
  environmentKeyProvider,
  fileKeyProvider,
  type KeyProvider,
  LINKAGE_KEY_ENV,
} from '../deid/linkage.js';

export const KEYS_DIR_NAME = 'keys';
export const KEY_FILE_NAME = 'local-master.key';

export function defaultKeyProvider(dataDir: string, env: NodeJS.ProcessEnv = process.env): KeyProvider {
  if (env[LINKAGE_KEY_ENV]) return environmentKeyProvider(env);
  return fileKeyProvider(path.join(dataDir, KEYS_DIR_NAME, KEY_FILE_NAME), { create: true });
}
