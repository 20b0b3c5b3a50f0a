/** The built command line, for tests that run `radlabel` as a separate process. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../fixtures/paths.js';

/** build/main/cli/index.js: what users and administrators run (it loads the built .js workers). */
export const builtCli = path.join(repoRoot, 'build', 'main', 'cli', 'index.js');

/**
 * Builds main/ (`tsc -b main`) and says whether the CLI is there. tsc exits non-zero when any part
 * of main/ has a type error but still emits; the lint/typecheck jobs judge types, not these tests.
 */
export function buildCli(): boolean {
  spawnSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'main'],
    { cwd: repoRoot, stdio: 'ignore' },
  );
  return fs.existsSync(builtCli);
}
