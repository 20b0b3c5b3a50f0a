/**
 * `npm run cloud:local` (issue #10 item 7): starts Orthanc + DICOMweb on 127.0.0.1, writes a
 * manifest that loads and signs in as written (its key file private), a study uploaded with it can
 * be found again; Ctrl+C (SIGINT) stops Orthanc and removes the temp folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomHeaderFromFile } from '../../../main/dicom/header.js';
import { loadManifestFile, projectClient } from '../../../main/sync/manifest-load.js';
import { ensureCtSeries, repoRoot } from '../../fixtures/index.js';

let child: ChildProcess | null = null;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

function waitForLine(process: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        process.stdout?.off('data', onData);
        resolve(match);
      }
    };
    process.stdout?.on('data', onData);
    process.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    process.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cloud:local exited (${code}):\n${output}`));
    });
  });
}

describe('npm run cloud:local', () => {
  it('runs a demo project a manifest can sync with, and stops on Ctrl+C', async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'test/support/cloud-local.ts'), '--reader', 'alice'],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          RADLABEL_CLOUD_LOCAL_READY: '1',
          RADLABEL_SYNC_PASSWORD: '',
          RADLABEL_SYNC_USER: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const [, manifestFile] = await waitForLine(child, /^READY (.+)$/m, 90_000);
    const root = path.dirname(manifestFile!);
    const loaded = loadManifestFile(manifestFile!);
    expect(loaded.manifest.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dicom-web$/);
    expect(loaded.manifest.readers.map((reader) => reader.username)).toEqual(['alice']);
    const keyFile = path.join(root, 'cloud-local.key');
    expect(fs.statSync(keyFile).mode & 0o077).toBe(0);
    expect(fs.readFileSync(manifestFile!, 'utf8')).not.toContain(fs.readFileSync(keyFile, 'utf8').trim());

    const client = projectClient(loaded, { env: {} });
    try {
      const ct = ensureCtSeries({ slices: 2, size: 32, seed: 'cloud-local' });
      const outcomes = await client.stow(
        ct.files.map((file) => ({
          path: file,
          sopInstanceUID: readDicomHeaderFromFile(file).sopInstanceUID,
          size: fs.statSync(file).size,
        })),
      );
      expect(outcomes.every((outcome) => outcome.stored)).toBe(true);
      expect(await client.studyInstances(ct.studyInstanceUID)).toHaveLength(2);
    } finally {
      await client.close();
    }

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(fs.existsSync(root)).toBe(false);
  }, 180_000);
});
