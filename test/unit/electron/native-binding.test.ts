/**
 * `npm start` on a fresh checkout: better-sqlite3 is built for Electron into its own folder, the
 * shell loads that one, and Node (CLI, web host, tests) keeps the build in node_modules.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BindingTarget,
  MISSING_ELECTRON_MESSAGE,
  bindingKey,
  chooseBinding,
  electronBindingPath,
  electronExecutable,
} from '../../../main/electron/native-binding.js';
import { buildElectronBinding, buildEnvironment, checkoutRoot } from '../../../main/electron/native-build.js';
import { makeTempDir } from '../../fixtures/index.js';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '../../..');
const dir = makeTempDir('native-binding');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const linux: BindingTarget = { betterSqlite3: '12.11.1', electron: '45.5.0', platform: 'linux', arch: 'x64' };

describe('the better-sqlite3 addon the Electron shell loads', () => {
  it('lives under build/native in a folder named by better-sqlite3, Electron, platform and architecture', () => {
    expect(electronBindingPath('/repo', linux)).toBe(
      path.join(
        '/repo',
        'build',
        'native',
        'better-sqlite3-multiple-ciphers-12.11.1-electron-45.5.0-linux-x64',
        'better_sqlite3.node',
      ),
    );
    expect(bindingKey({ ...linux, platform: 'win32' })).toBe(
      'better-sqlite3-multiple-ciphers-12.11.1-electron-45.5.0-win32-x64',
    );
    expect(bindingKey({ ...linux, platform: 'darwin', arch: 'arm64' })).toBe(
      'better-sqlite3-multiple-ciphers-12.11.1-electron-45.5.0-darwin-arm64',
    );
  });

  it('is built anew when any of better-sqlite3, Electron, platform or architecture changes', () => {
    const variants = [
      linux,
      { ...linux, betterSqlite3: '12.11.2' },
      { ...linux, electron: '45.6.0' },
      { ...linux, platform: 'darwin' as const },
      { ...linux, arch: 'arm64' },
    ];
    expect(new Set(variants.map((target) => electronBindingPath('/repo', target))).size).toBe(
      variants.length,
    );
  });

  it('is the built file in a checkout, node_modules’ own in a packaged app, and a message when not built', () => {
    const built = electronBindingPath('/repo', linux);
    expect(
      chooseBinding({ root: '/repo', isPackaged: false, target: linux, exists: (f) => f === built }),
    ).toEqual({
      kind: 'file',
      path: built,
    });
    expect(chooseBinding({ root: '/repo', isPackaged: true, target: linux, exists: () => false })).toEqual({
      kind: 'default',
    });
    const missing = chooseBinding({ root: '/repo', isPackaged: false, target: linux, exists: () => false });
    expect(missing.kind).toBe('missing');
    if (missing.kind === 'missing') expect(missing.message).toMatch(/Electron 45\.5\.0.*npm start/s);
  });

  it('is never built for the system Node: npm’s nodedir/target/runtime settings do not reach the build', () => {
    const env = buildEnvironment({
      PATH: '/usr/bin',
      npm_config_nodedir: '/usr',
      npm_config_target: '20.19.0',
      npm_config_runtime: 'node',
      npm_config_cache: '/tmp/npm',
    });
    expect(env).toEqual({ PATH: '/usr/bin', npm_config_cache: '/tmp/npm' });
  });
});

describe('finding Electron’s binary without downloading it', () => {
  it('reads path.txt and dist/, and honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    const packageDir = path.join(dir, 'electron');
    fs.mkdirSync(path.join(packageDir, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(packageDir, 'path.txt'), 'electron');
    expect(electronExecutable(packageDir, {})).toBeNull();
    fs.writeFileSync(path.join(packageDir, 'dist', 'electron'), '');
    expect(electronExecutable(packageDir, {})).toBe(path.join(packageDir, 'dist', 'electron'));
    expect(
      electronExecutable(packageDir, { ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'nowhere') }),
    ).toBeNull();
    expect(electronExecutable(path.join(dir, 'no-such-package'), {})).toBeNull();
  });

  it('npm start says in one line that Electron is missing, points to npm run web, and exits non-zero', () => {
    const start = (
      JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts['start']!;
    // The check (and the Electron build of better-sqlite3) comes before the app build and `electron .`.
    expect(start).toMatch(/^node --import tsx main\/electron\/native-build\.ts && .*electron \.$/);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'main/electron/native-build.ts'], {
      cwd: root,
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'no-electron-here') },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([MISSING_ELECTRON_MESSAGE]);
    expect(MISSING_ELECTRON_MESSAGE).toContain('npm run web');
  });

  it('finds the checkout from the sources and from the build', () => {
    expect(checkoutRoot(path.join(root, 'main', 'electron'))).toBe(root);
    expect(checkoutRoot(path.join(root, 'build', 'main', 'electron'))).toBe(root);
  });
});

const electronDir = path.dirname(require.resolve('electron/package.json'));
const electron = electronExecutable(electronDir);
const SKIP_REBUILD =
  'Electron binary not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD=1): the build of better-sqlite3 for Electron ' +
  'is not tried. It runs where Electron is installed and the prebuilds or Electron headers can be downloaded.';
if (electron === null) console.warn(`[native-binding] ${SKIP_REBUILD}`);

describe('building better-sqlite3 for Electron', () => {
  it.skipIf(electron === null)(
    'gives an addon Electron loads, leaves node_modules’ Node build untouched, and is skipped when up to date',
    { timeout: 600_000 },
    () => {
      const betterSqlite3Dir = path.dirname(require.resolve('better-sqlite3-multiple-ciphers/package.json'));
      const nodeBuild = path.join(betterSqlite3Dir, 'build', 'Release', 'better_sqlite3.node');
      const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      const before = hash(nodeBuild);
      const version = (file: string) =>
        (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
      const target: BindingTarget = {
        betterSqlite3: version(path.join(betterSqlite3Dir, 'package.json')),
        electron: version(path.join(electronDir, 'package.json')),
        platform: process.platform,
        arch: process.arch,
      };
      const tempRoot = path.join(dir, 'checkout');
      const first = buildElectronBinding({ root: tempRoot, target, betterSqlite3Dir, log: () => {} });
      expect(first.status).toBe('built');
      expect(buildElectronBinding({ root: tempRoot, target, betterSqlite3Dir, log: () => {} }).status).toBe(
        'up-to-date',
      );

      const probe = spawnSync(
        electron!,
        [
          '-e',
          `const D = require(${JSON.stringify(require.resolve('better-sqlite3-multiple-ciphers'))});` +
            `const db = new D(':memory:', { nativeBinding: ${JSON.stringify(first.path)} });` +
            `process.stdout.write(String(db.prepare('select 6*7 as n').get().n));`,
        ],
        { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' },
      );
      expect(probe.stderr).toBe('');
      expect(probe.stdout).toBe('42');
      expect(hash(nodeBuild)).toBe(before);
      const db = new Database(':memory:');
      expect(db.prepare('select 1 as n').get()).toEqual({ n: 1 });
      db.close();
    },
  );
});
