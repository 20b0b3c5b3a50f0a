/**
 * Which better-sqlite3 addon this process loads. Node (the CLI, the web host, the tests) uses the
 * one `npm ci` built in node_modules. The Electron shell, which cannot load that build (another
 * Node ABI), names its own through RADLABEL_SQLITE_BINDING before opening anything (see
 * main/electron/native-binding.ts); worker threads inherit it. Every SQLite opener goes through here.
 */
export const SQLITE_BINDING_ENV = 'RADLABEL_SQLITE_BINDING';

/** better-sqlite3's `nativeBinding` option: the explicit path, else the process's, else none. */
export function sqliteBinding(explicit?: string): { nativeBinding?: string } {
  const file = explicit ?? process.env[SQLITE_BINDING_ENV];
  return file ? { nativeBinding: file } : {};
}
