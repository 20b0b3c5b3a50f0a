/**
 * Which SQLite addon (better-sqlite3-multiple-ciphers, core/sqlite.ts) the Electron shell loads.
 * `npm ci` compiles it for the
 * system Node (the CLI, the web host and the tests use that build); Electron has its own Node ABI
 * and cannot load it. `npm start` therefore builds a second copy for Electron into
 * `build/native/<key>/better_sqlite3.node` (native-build.ts), and the shell hands that path to
 * better-sqlite3's `nativeBinding` option. Packaged apps need none of this: electron-builder
 * rebuilds node_modules for Electron (`npmRebuild` in electron-builder.yml).
 *
 * Pure path logic, no `electron` import: the build script (plain Node) and the shell share it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SQLITE_PACKAGE } from '../core/sqlite.js';

export interface BindingTarget {
  /** better-sqlite3-multiple-ciphers' version (its package.json). */
  betterSqlite3: string;
  /** Electron's version (process.versions.electron, or electron/package.json). */
  electron: string;
  platform: NodeJS.Platform;
  arch: string;
}

/** One folder per combination that changes the compiled addon; a new one of any of them builds anew. */
export function bindingKey(target: BindingTarget): string {
  const safe = (value: string): string => value.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${SQLITE_PACKAGE}-${safe(target.betterSqlite3)}-electron-${safe(target.electron)}-${safe(target.platform)}-${safe(target.arch)}`;
}

/** Where the Electron build of better-sqlite3 lives in a checkout at `root`. */
export function electronBindingPath(root: string, target: BindingTarget): string {
  return path.join(root, 'build', 'native', bindingKey(target), 'better_sqlite3.node');
}

export type BindingChoice =
  /** Load the addon in node_modules (a packaged app: electron-builder rebuilt it for Electron). */
  | { kind: 'default' }
  /** Load this file through `nativeBinding`. */
  | { kind: 'file'; path: string }
  /** A checkout whose Electron build is missing: `npm start` builds it. */
  | { kind: 'missing'; path: string; message: string };

/** The addon the shell should load, given where it runs. */
export function chooseBinding(options: {
  root: string;
  isPackaged: boolean;
  target: BindingTarget;
  exists?: (file: string) => boolean;
}): BindingChoice {
  if (options.isPackaged) return { kind: 'default' };
  const file = electronBindingPath(options.root, options.target);
  const exists = options.exists ?? ((candidate: string) => fs.existsSync(candidate));
  if (exists(file)) return { kind: 'file', path: file };
  return {
    kind: 'missing',
    path: file,
    message:
      `better-sqlite3 has not been built for Electron ${options.target.electron} (${options.target.platform}-${options.target.arch}). ` +
      'Start the app with `npm start`, which builds it.',
  };
}

/** The one line `npm start` prints where Electron's binary is not installed. */
export const MISSING_ELECTRON_MESSAGE =
  "Electron's binary is not installed here (npm ci ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or without internet access), " +
  'so the desktop app cannot start: run `npm run web` to use RadLabel in a browser.';

/**
 * The installed Electron executable in the electron package at `packageDir`, or null. Reads the
 * package's path.txt and dist/ directly: `require('electron')` would try to download a missing
 * binary. ELECTRON_OVERRIDE_DIST_PATH (electron's own override) wins.
 */
export function electronExecutable(
  packageDir: string,
  env: NodeJS.ProcessEnv = process.env,
  exists: (file: string) => boolean = (file) => fs.existsSync(file),
): string | null {
  let relative: string | null = null;
  try {
    relative = fs.readFileSync(path.join(packageDir, 'path.txt'), 'utf8').trim() || null;
  } catch {
    relative = null;
  }
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override) {
    const executable = path.join(override, relative ?? 'electron');
    return exists(executable) ? executable : null;
  }
  if (!relative) return null;
  const executable = path.join(packageDir, 'dist', relative);
  return exists(executable) ? executable : null;
}
