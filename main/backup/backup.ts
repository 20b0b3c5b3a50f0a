/**
 * Backups of a data folder (issue #12 item 3, docs/cache.md): the catalog and the other local
 * state (settings, the de-identification secret and linkage table, annotations in the catalog),
 * optionally the image files, as a folder `radlabel-backup-<time>` with a manifest listing every
 * part with its size and SHA-256.
 *
 * - Consistent while the app writes: each SQLite database is copied with `VACUUM INTO`, which
 *   reads one snapshot (a read transaction; WAL lets writers go on) and writes a compact copy,
 *   encrypted with the same key when the source is. (SQLite's backup API, better-sqlite3's
 *   db.backup(), refuses an encrypted source because it opens its target without a key.)
 * - Atomic: the backup is written under a `.partial` name, made durable, then renamed; rotation
 *   removes the oldest complete backups beyond `keep`.
 * - The plain key file (keys/local-master.key) is never copied: a backup on a share must not carry
 *   the key that opens it. Keep that key (or RADLABEL_CACHE_KEY) apart, like a password.
 *
 * Restore is two steps so the running app never has its database replaced under it:
 * `stageRestore` checks the manifest (every part's size and SHA-256) and the catalog's
 * integrity_check on a copy inside the data folder, then `applyPendingRestore` (at the next start,
 * or at once from the CLI) moves the staged parts into place. A damaged backup is refused before
 * anything in the data folder changes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { sqliteBinding } from '../core/sqlite.js';
import { applyDatabaseKey, isPlainDatabase } from '../cache/sqlite-cipher.js';

export const BACKUP_PREFIX = 'radlabel-backup-';
export const MANIFEST_NAME = 'manifest.json';
const FORMAT = 'radlabel-backup/1';
export const PENDING_RESTORE_DIR = 'restore-pending';

/**
 * Never copied: the store (only with files), logs, the plain key, restore folders, and transient
 * folders of plain received data (web uploads being staged, the PACS receiver's spool).
 */
const EXCLUDED_TOP = new Set([
  'logs',
  'store',
  'staging',
  'pacs-incoming', // PACS_SPOOL_DIR_NAME in main/pacs/service.ts
  PENDING_RESTORE_DIR,
  `${PENDING_RESTORE_DIR}.partial`,
]);
const EXCLUDED_FILES = new Set(['keys/local-master.key']);

export interface ManifestPart {
  /** Relative to the backup folder and to the data folder, `/`-separated. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof FORMAT;
  createdAt: string;
  withFiles: boolean;
  catalogEncrypted: boolean;
  parts: ManifestPart[];
}

export interface BackupInfo {
  path: string;
  createdAt: string;
  withFiles: boolean;
  bytes: number;
}

function isSqliteName(name: string): boolean {
  return name.endsWith('.sqlite') || name.endsWith('.db');
}

function isSqliteSidecar(name: string): boolean {
  return /\.(sqlite|db)-(wal|shm|journal)$/.test(name) || name.endsWith('.encrypting');
}

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The data folder's files to back up (relative, `/`-separated), SQLite databases flagged. */
function stateFiles(dataDir: string, withFiles: boolean): { rel: string; sqlite: boolean }[] {
  const out: { rel: string; sqlite: boolean }[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && EXCLUDED_TOP.has(entry.name)) continue;
      if (entry.name.endsWith('.tmp') || isSqliteSidecar(entry.name)) continue;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), childRel);
      else if (entry.isFile() && !EXCLUDED_FILES.has(childRel))
        out.push({ rel: childRel, sqlite: isSqliteName(entry.name) });
    }
  };
  walk(dataDir, '');
  if (withFiles) {
    const store = path.join(dataDir, 'store');
    for (const fan of fs.existsSync(store) ? fs.readdirSync(store) : []) {
      if (!/^[0-9a-f]{2}$/.test(fan)) continue;
      for (const name of fs.readdirSync(path.join(store, fan)))
        if (/^[0-9a-f]{64}\.dcm$/.test(name)) out.push({ rel: `store/${fan}/${name}`, sqlite: false });
    }
  }
  return out;
}

/** Opens a database of the data folder for reading, keyed when it is encrypted. */
function openForCopy(file: string, keyFor: (file: string) => string | undefined): Database.Database {
  const db = new Database(file, { fileMustExist: true, ...sqliteBinding() });
  db.pragma('busy_timeout = 10000');
  const key = isPlainDatabase(file) ? undefined : keyFor(file);
  if (key) applyDatabaseKey(db, key);
  return db;
}

function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Writes a backup of `dataDir` into `folder` and applies rotation (`keep`). `keyFor` gives the
 * SQLCipher key (hex) of an encrypted database of the folder.
 */
export async function createBackup(options: {
  dataDir: string;
  folder: string;
  withFiles: boolean;
  keep?: number;
  keyFor: (file: string) => string | undefined;
  now?: Date;
}): Promise<BackupInfo> {
  const now = options.now ?? new Date();
  try {
    fs.mkdirSync(options.folder, { recursive: true });
  } catch (error) {
    throw new AppError(
      ErrorCode.Io,
      `The backup folder ${options.folder} cannot be created (is the network share mounted and writable?).`,
      { cause: error },
    );
  }
  const name = `${BACKUP_PREFIX}${stamp(now)}-${crypto.randomBytes(3).toString('hex')}`;
  const partial = path.join(options.folder, `${name}.partial`);
  const final = path.join(options.folder, name);
  fs.mkdirSync(partial);
  try {
    const parts: ManifestPart[] = [];
    let catalogEncrypted = false;
    for (const { rel, sqlite } of stateFiles(options.dataDir, options.withFiles)) {
      const source = path.join(options.dataDir, ...rel.split('/'));
      const target = path.join(partial, ...rel.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (sqlite) {
        if (rel === 'catalog.sqlite') catalogEncrypted = !isPlainDatabase(source);
        const db = openForCopy(source, options.keyFor);
        try {
          db.prepare('VACUUM INTO ?').run(target);
        } finally {
          db.close();
        }
      } else {
        try {
          await fs.promises.copyFile(source, target);
        } catch (error) {
          // A file removed while the backup ran (a temp file, a deleted study) is not part of it.
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw error;
        }
      }
      fsyncFile(target);
      parts.push({ path: rel, bytes: fs.statSync(target).size, sha256: await sha256File(target) });
    }
    const manifest: Manifest = {
      format: FORMAT,
      createdAt: now.toISOString(),
      withFiles: options.withFiles,
      catalogEncrypted,
      parts,
    };
    const manifestFile = path.join(partial, MANIFEST_NAME);
    fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    fsyncFile(manifestFile);
    fs.renameSync(partial, final);
    fsyncFile(options.folder);
    if (options.keep !== undefined) rotate(options.folder, options.keep);
    return {
      path: final,
      createdAt: manifest.createdAt,
      withFiles: options.withFiles,
      bytes: parts.reduce((sum, part) => sum + part.bytes, 0),
    };
  } catch (error) {
    fs.rmSync(partial, { recursive: true, force: true });
    if (error instanceof AppError) throw error;
    throw new AppError(ErrorCode.Io, `The backup to ${options.folder} failed; nothing was kept of it.`, {
      cause: error,
    });
  }
}

/** Complete backups in `folder`, newest first. */
export function listBackups(folder: string): BackupInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  const found: BackupInfo[] = [];
  for (const name of names) {
    if (!name.startsWith(BACKUP_PREFIX) || name.endsWith('.partial')) continue;
    const manifest = readManifest(path.join(folder, name));
    if (!manifest) continue;
    found.push({
      path: path.join(folder, name),
      createdAt: manifest.createdAt,
      withFiles: manifest.withFiles,
      bytes: manifest.parts.reduce((sum, part) => sum + part.bytes, 0),
    });
  }
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.path.localeCompare(a.path));
}

/** Keeps the `keep` newest backups; removes older ones and partial ones left by a crash. */
export function rotate(folder: string, keep: number): void {
  for (const old of listBackups(folder).slice(keep)) fs.rmSync(old.path, { recursive: true, force: true });
}

function readManifest(dir: string): Manifest | null {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_NAME), 'utf8')) as Manifest;
    if (manifest.format !== FORMAT || !Array.isArray(manifest.parts)) return null;
    return manifest;
  } catch {
    return null;
  }
}

function damaged(detail: string): AppError {
  return new AppError(
    ErrorCode.Io,
    `This backup is damaged or incomplete (${detail}), so it was not restored; the data folder was not changed.`,
  );
}

function safePart(rel: unknown): rel is string {
  if (typeof rel !== 'string' || rel === '' || rel.startsWith('/') || rel.includes('\\')) return false;
  const segments = rel.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return false;
  if (segments[0] === 'store') return /^store\/[0-9a-f]{2}\/[0-9a-f]{64}\.dcm$/.test(rel);
  return !EXCLUDED_TOP.has(segments[0]!) && !EXCLUDED_FILES.has(rel);
}

/** Checks every part of the backup at `dir` against its manifest; returns the manifest. */
export async function verifyBackup(dir: string): Promise<Manifest> {
  const manifest = readManifest(dir);
  if (!manifest) throw damaged('no readable manifest');
  for (const listed of manifest.parts as unknown[]) {
    // A hand-edited or hostile manifest may list anything: only objects with a safe path are parts.
    if (typeof listed !== 'object' || listed === null) throw damaged('a part that is not an object');
    const part = listed as ManifestPart;
    if (!safePart(part.path)) throw damaged('a part outside the data folder');
    const file = path.join(dir, ...part.path.split('/'));
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      throw damaged(`${part.path} is missing`);
    }
    if (!stat.isFile() || stat.size !== part.bytes) throw damaged(`${part.path} has the wrong size`);
    if ((await sha256File(file)) !== part.sha256) throw damaged(`${part.path} does not match its checksum`);
  }
  if (!manifest.parts.some((part) => part.path === 'catalog.sqlite')) throw damaged('no catalog');
  return manifest;
}

/**
 * Checks the backup at `backupDir` and stages it in `<dataDir>/restore-pending` (see the module
 * comment). `keyFor` gives the key an encrypted database of this data folder is opened with: a
 * backup made under another key is refused.
 */
export async function stageRestore(options: {
  backupDir: string;
  dataDir: string;
  keyFor: (file: string) => string | undefined;
}): Promise<Manifest> {
  const manifest = await verifyBackup(options.backupDir);
  const staging = path.join(options.dataDir, `${PENDING_RESTORE_DIR}.partial`);
  const pending = path.join(options.dataDir, PENDING_RESTORE_DIR);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    for (const part of manifest.parts) {
      const target = path.join(staging, ...part.path.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      await fs.promises.copyFile(path.join(options.backupDir, ...part.path.split('/')), target);
      if ((await sha256File(target)) !== part.sha256)
        throw damaged(`${part.path} changed while it was copied`);
      fsyncFile(target);
    }
    const catalog = path.join(staging, 'catalog.sqlite');
    const db = new Database(catalog, { fileMustExist: true, ...sqliteBinding() });
    try {
      if (!isPlainDatabase(catalog)) {
        const key = options.keyFor(path.join(options.dataDir, 'catalog.sqlite'));
        if (!key) throw damaged('the catalog is encrypted and this data folder has no key for it');
        applyDatabaseKey(db, key, "The backup's catalog");
      }
      const integrity = db.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw damaged('the catalog fails its integrity check');
    } finally {
      db.close();
    }
    fs.writeFileSync(path.join(staging, MANIFEST_NAME), JSON.stringify(manifest));
    fs.rmSync(pending, { recursive: true, force: true });
    fs.renameSync(staging, pending);
    return manifest;
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Moves a staged restore into place (before anything opens the data folder). Idempotent: a crash
 * midway is finished at the next call. Returns whether a restore was applied.
 */
export function applyPendingRestore(dataDir: string): boolean {
  const pending = path.join(dataDir, PENDING_RESTORE_DIR);
  const manifest = readManifest(pending);
  if (!manifest) {
    fs.rmSync(`${pending}.partial`, { recursive: true, force: true });
    return false;
  }
  for (const part of manifest.parts) {
    if (!safePart(part.path)) continue;
    const staged = path.join(pending, ...part.path.split('/'));
    if (!fs.existsSync(staged)) continue;
    const target = path.join(dataDir, ...part.path.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (isSqliteName(part.path)) {
      for (const sidecar of ['-wal', '-shm', '-journal']) fs.rmSync(`${target}${sidecar}`, { force: true });
    }
    fs.renameSync(staged, target);
  }
  fs.rmSync(pending, { recursive: true, force: true });
  return true;
}
