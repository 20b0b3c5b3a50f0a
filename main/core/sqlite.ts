/**
 * Which better-sqlite3 addon this process loads. Node (the CLI, the web host, the tests) uses the
 * one `npm ci` built in node_modules. The Electron shell, which cannot load that build (another
 * Node ABI), names its own through RADLABEL_SQLITE_BINDING before opening anything (see
 * main/electron/native-binding.ts); worker threads inherit it. Every SQLite opener goes through here.
 */
import path from 'node:path';

export const SQLITE_BINDING_ENV = 'RADLABEL_SQLITE_BINDING';

/**
 * The SQLite module: better-sqlite3-multiple-ciphers, better-sqlite3 with SQLite3 Multiple Ciphers
 * (the catalog is encrypted at rest, main/cache/). Its addon is still named better_sqlite3.node.
 */
export const SQLITE_PACKAGE = 'better-sqlite3-multiple-ciphers';

/** better-sqlite3's `nativeBinding` option: the explicit path, else the process's, else none. */
export function sqliteBinding(explicit?: string): { nativeBinding?: string } {
  const file = explicit ?? process.env[SQLITE_BINDING_ENV];
  return file ? { nativeBinding: file } : {};
}

/**
 * The SQLCipher keys of this process's encrypted databases, by absolute path (the catalog's is
 * registered by Catalog.open when the cache is encrypted: main/cache/cache-key.ts). Every opener
 * of such a file calls keyConnection right after `new Database(file)`, before any statement.
 */
const databaseKeys = new Map<string, string>();

export function registerDatabaseKey(file: string, keyHex: string): void {
  databaseKeys.set(path.resolve(file), keyHex);
}

export function registeredDatabaseKey(file: string): string | undefined {
  return file === ':memory:' || file === '' ? undefined : databaseKeys.get(path.resolve(file));
}

/** Keys a fresh connection to `file` with its registered key, if it has one (else does nothing). */
export function keyConnection(db: { pragma(source: string): unknown }, file: string): void {
  const key = registeredDatabaseKey(file);
  if (!key) return;
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma(`key = "x'${key}'"`);
}
