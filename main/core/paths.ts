/**
 * Where the app keeps its data. Electron's `app.getPath('userData')` and this function agree, so
 * the CLI, the web host and the desktop app share one catalog. `--data-dir` or RADLABEL_DATA_DIR
 * override it everywhere.
 */
import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'RadLabel';
export const DATA_DIR_ENV = 'RADLABEL_DATA_DIR';

export function defaultUserDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  const home = os.homedir();
  switch (platform) {
    case 'win32':
      return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
    default:
      return path.join(env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), PRODUCT_NAME);
  }
}

/** The data folder: an explicit flag wins, then the environment, then the OS default. */
export function resolveDataDir(explicit?: string, env = process.env): string {
  const chosen = explicit ?? env[DATA_DIR_ENV] ?? defaultUserDataDir(process.platform, env);
  return path.resolve(chosen);
}
