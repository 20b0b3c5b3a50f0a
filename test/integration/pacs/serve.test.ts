/** `radlabel serve`: the receiver in its own process, started from the CLI and stopped by Ctrl-C. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCtSeries, makeTempDir, repoRoot } from '../../fixtures/index.js';
import { execFileAsync } from './harness.js';

const cli = path.join(repoRoot, 'build', 'main', 'cli', 'index.js');
const scratch = makeTempDir('pacs-serve');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  // As in the CLI tests: the built CLI is what users run; tsc emits even when another part of main/ has a type error.
  spawnSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'main'],
    {
      cwd: repoRoot,
      stdio: 'ignore',
    },
  );
});

/** Starts `radlabel serve …` and resolves once it prints its "listening" line. */
export async function startServe(
  args: string[],
): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [cli, 'serve', ...args], {
    env: { PATH: process.env['PATH'], HOME: scratch },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening \S+ \S+:(\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { child, port, stderr: () => stderr };
}

describe('radlabel serve', () => {
  it('receives a study sent by storescu into the data folder and stops cleanly on Ctrl-C', async () => {
    const dataDir = path.join(scratch, 'data');
    const serve = await startServe([
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--bind',
      '127.0.0.1',
      '--aet',
      'READROOM1',
      '--allow',
      'MODALITY@127.0.0.1',
    ]);
    const series = ensureCtSeries({ slices: 12, size: 128, seed: 'pacs-serve' });
    await execFileAsync('storescu', [
      '-aet',
      'MODALITY',
      '-aec',
      'READROOM1',
      '127.0.0.1',
      String(serve.port),
      ...series.files,
    ]);
    const exited = new Promise<number | null>((resolve) => serve.child.once('exit', resolve));
    serve.child.kill('SIGINT');
    expect(await exited, serve.stderr()).toBe(0);
    const listed = spawnSync(process.execPath, [cli, 'ls', '--json', '--data-dir', dataDir], {
      encoding: 'utf8',
    });
    const studies = JSON.parse(listed.stdout) as Array<{
      studyInstanceUID: string;
      numberOfInstances: number;
    }>;
    expect(studies).toEqual([
      expect.objectContaining({ studyInstanceUID: series.studyInstanceUID, numberOfInstances: 12 }),
    ]);
    // Nothing left in the receive spool.
    expect(fs.readdirSync(path.join(dataDir, 'pacs-incoming'))).toEqual([]);
  });

  it('a port already in use is a clear error, exit status 3', async () => {
    const first = await startServe([
      '--data-dir',
      path.join(scratch, 'busy-1'),
      '--port',
      '0',
      '--bind',
      '127.0.0.1',
    ]);
    const second = spawnSync(
      process.execPath,
      [
        cli,
        'serve',
        '--data-dir',
        path.join(scratch, 'busy-2'),
        '--port',
        String(first.port),
        '--bind',
        '127.0.0.1',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(second.status).toBe(3);
    expect(second.stderr).toMatch(new RegExp(`Port ${first.port} is already in use`));
    first.child.kill('SIGTERM');
  });
});
