/**
 * The sync secret is never at rest (issue #10 item 1): after `radlabel sync` signed in to a real
 * Orthanc with a password from RADLABEL_SYNC_PASSWORD, and again with a 0600 key file named by the
 * manifest, neither the password nor its basic-auth encoding appears in any file of the data folder
 * (catalog, outbox, state, logs) nor in the command's output, debug logging on. A key file others
 * can read is refused (a non-zero exit status) and nothing is sent.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCtSeries, makeTempDir, repoRoot } from '../../fixtures/index.js';
import { type Orthanc, startOrthanc } from '../../support/orthanc.js';
import { importAndWait, openMachine, testManifest } from '../../support/sync-project.js';

const cli = path.join(repoRoot, 'build/main/cli/index.js');
const PASSWORD = 'Pw-7f3c9e-never-at-rest';
const BASIC = Buffer.from(`syncuser:${PASSWORD}`).toString('base64');
const ct = ensureCtSeries({ slices: 4, size: 32, seed: 'sync-credentials-at-rest' });
const dir = makeTempDir('sync-at-rest');
let orthanc: Orthanc;

beforeAll(async () => {
  orthanc = await startOrthanc({}, {}, { dicomWeb: true, users: { syncuser: PASSWORD } });
  const services = openMachine(path.join(dir, 'data'));
  await importAndWait(services, ct.files);
  await services.close();
}, 120_000);

afterAll(async () => {
  await orthanc?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(manifest: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [
      cli,
      'sync',
      '--project',
      manifest,
      '--data-dir',
      path.join(dir, 'data'),
      '--study',
      ct.studyInstanceUID,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        RADLABEL_SYNC_PASSWORD: '',
        RADLABEL_SYNC_USER: '',
        RADLABEL_SYNC_TOKEN: '',
        RADLABEL_READER: 'alice',
        RADLABEL_LOG_LEVEL: 'debug',
        ...env,
      },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, output })));
}

function writeManifest(name: string, keyFile?: string): string {
  const manifest = testManifest({ url: orthanc.dicomWebUrl!, username: 'syncuser' });
  if (keyFile) manifest.server.auth = { type: 'basic', username: 'syncuser', keyFile };
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
  return file;
}

/** Every file under `root` whose bytes contain `needle`. */
function filesContaining(root: string, needle: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => fs.readFileSync(file).includes(needle));
}

async function serverInstances(): Promise<number> {
  return ((await (await orthanc.rest('/instances')).json()) as string[]).length;
}

describe('the sync secret at rest', () => {
  it('a key file others can read is refused and nothing is sent', async () => {
    const key = path.join(dir, 'open.key');
    fs.writeFileSync(key, `${PASSWORD}\n`);
    fs.chmodSync(key, 0o644);
    const result = await run(writeManifest('open.json', 'open.key'), {});
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('chmod 600');
    expect(result.output).not.toContain(PASSWORD);
    expect(await serverInstances()).toBe(0);
  }, 120_000);

  it('signed in from the environment, then from a 0600 key file: the secret is in no file of the data folder and no output', async () => {
    const fromEnv = await run(writeManifest('env.json'), { RADLABEL_SYNC_PASSWORD: PASSWORD });
    expect(fromEnv.status, fromEnv.output).toBe(0);
    expect(await serverInstances()).toBe(ct.slices);
    const key = path.join(dir, 'private.key');
    fs.writeFileSync(key, `${PASSWORD}\n`, { mode: 0o600 });
    const fromFile = await run(writeManifest('file.json', 'private.key'), {});
    expect(fromFile.status, fromFile.output).toBe(0);
    for (const needle of [PASSWORD, BASIC]) {
      expect(filesContaining(path.join(dir, 'data'), needle)).toEqual([]);
      expect(fromEnv.output).not.toContain(needle);
      expect(fromFile.output).not.toContain(needle);
    }
  }, 180_000);
});
