/**
 * `npm start`'s first step (plain Node, run before `electron .`): make sure the SQLite module
 * (better-sqlite3-multiple-ciphers, a fork of better-sqlite3 with encryption) exists
 * compiled for the installed Electron, in `build/native/<key>/better_sqlite3.node` (see
 * native-binding.ts). node_modules keeps the build for the system Node that the CLI, the web host
 * and the tests load; this one is a separate copy, built once per better-sqlite3 version,
 * Electron version, platform and architecture, then reused.
 *
 * How: a copy of the better-sqlite3 package (without its build/) gets the addon from
 * better-sqlite3's published prebuilds for Electron (prebuild-install, the package's own install
 * step), else compiles it with node-gyp against Electron's headers. Both need internet access the
 * first time. Where Electron's binary is not installed, it says so in one line and exits 1.
 *
 *   node --import tsx main/electron/native-build.ts [--force]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BindingTarget,
  MISSING_ELECTRON_MESSAGE,
  bindingKey,
  electronBindingPath,
  electronExecutable,
} from './native-binding.js';
import { SQLITE_PACKAGE } from '../core/sqlite.js';

const require = createRequire(import.meta.url);

/** The checkout: the nearest folder upwards with RadLabel's package.json (works from main/ and build/main/). */
export function checkoutRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'radlabel') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No RadLabel checkout above ${start}`);
    dir = parent;
  }
}

function packageVersion(packageDir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/**
 * npm passes its configuration to scripts as npm_config_* variables; the ones that say which Node
 * to build for (a nodedir of the system Node, a target, a runtime) must not reach this build.
 */
export function buildEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = {};
  const drop =
    /^npm_config_(nodedir|target|target_arch|runtime|disturl|dist_url|arch|platform|build_from_source)$/i;
  for (const [name, value] of Object.entries(env)) if (!drop.test(name)) result[name] = value;
  return result;
}

export interface BuildResult {
  status: 'built' | 'up-to-date';
  path: string;
  how?: 'prebuilt' | 'compiled';
}

/** Builds the Electron copy of better-sqlite3 for `target` under `root` unless it is there already. */
export function buildElectronBinding(options: {
  root: string;
  target: BindingTarget;
  betterSqlite3Dir: string;
  force?: boolean;
  log?: (line: string) => void;
}): BuildResult {
  const { root, target, betterSqlite3Dir } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const output = electronBindingPath(root, target);
  if (!options.force && fs.existsSync(output)) return { status: 'up-to-date', path: output };

  const nativeDir = path.join(root, 'build', 'native');
  const work = path.join(nativeDir, `.work-${bindingKey(target)}-${process.pid}`);
  const packageCopy = path.join(work, SQLITE_PACKAGE);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  try {
    fs.cpSync(betterSqlite3Dir, packageCopy, {
      recursive: true,
      filter: (source) => path.relative(betterSqlite3Dir, source).split(path.sep)[0] !== 'build',
    });
    const env = buildEnvironment(process.env);
    const built = path.join(packageCopy, 'build', 'Release', 'better_sqlite3.node');
    let how: 'prebuilt' | 'compiled' = 'prebuilt';
    log(
      `Preparing ${SQLITE_PACKAGE} ${target.betterSqlite3} for Electron ${target.electron} (${target.platform}-${target.arch})…`,
    );
    const prebuild = spawnSync(
      process.execPath,
      [
        require.resolve('prebuild-install/bin.js', { paths: [betterSqlite3Dir] }),
        '--runtime=electron',
        `--target=${target.electron}`,
        `--arch=${target.arch}`,
        `--platform=${target.platform}`,
      ],
      { cwd: packageCopy, env, stdio: 'inherit' },
    );
    if (prebuild.status !== 0 || !fs.existsSync(built)) {
      how = 'compiled';
      log('No prebuilt addon for this Electron; compiling it with node-gyp against Electron’s headers…');
      const nodeGyp = env['npm_config_node_gyp'] ?? require.resolve('node-gyp/bin/node-gyp.js');
      const compile = spawnSync(
        process.execPath,
        [
          nodeGyp,
          'rebuild',
          '--release',
          `--target=${target.electron}`,
          `--arch=${target.arch}`,
          '--dist-url=https://electronjs.org/headers',
        ],
        { cwd: packageCopy, env, stdio: 'inherit' },
      );
      if (compile.status !== 0 || !fs.existsSync(built)) {
        throw new Error(
          `${SQLITE_PACKAGE} could not be built for Electron ${target.electron}: no prebuilt addon could be downloaded ` +
            'and node-gyp failed (it needs internet access for Electron’s headers, Python and a C++ compiler).',
        );
      }
    }
    fs.mkdirSync(path.dirname(output), { recursive: true });
    const temporary = `${output}.${process.pid}.tmp`;
    fs.copyFileSync(built, temporary);
    fs.renameSync(temporary, output);
    // Builds for other versions are of no further use.
    for (const entry of fs.readdirSync(nativeDir)) {
      if (entry.startsWith('better-sqlite3-') && entry !== bindingKey(target)) {
        fs.rmSync(path.join(nativeDir, entry), { recursive: true, force: true });
      }
    }
    return { status: 'built', path: output, how };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  const root = checkoutRoot(path.dirname(fileURLToPath(import.meta.url)));
  const electronDir = path.dirname(require.resolve('electron/package.json', { paths: [root] }));
  if (electronExecutable(electronDir) === null) {
    console.error(MISSING_ELECTRON_MESSAGE);
    return 1;
  }
  const betterSqlite3Dir = path.dirname(require.resolve(`${SQLITE_PACKAGE}/package.json`, { paths: [root] }));
  const target: BindingTarget = {
    betterSqlite3: packageVersion(betterSqlite3Dir),
    electron: packageVersion(electronDir),
    platform: process.platform,
    arch: process.arch,
  };
  try {
    const result = buildElectronBinding({ root, target, betterSqlite3Dir, force: argv.includes('--force') });
    if (result.status === 'built')
      console.log(`${SQLITE_PACKAGE} for Electron: ${path.relative(root, result.path)}`);
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

/** Whether this module is the script node was asked to run (real paths: drive-letter case, links). */
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  const real = (file: string): string => {
    try {
      return fs.realpathSync.native(file).toLowerCase();
    } catch {
      return path.resolve(file).toLowerCase();
    }
  };
  return real(process.argv[1]) === real(fileURLToPath(import.meta.url));
}

if (isEntryPoint()) process.exitCode = main(process.argv.slice(2));
