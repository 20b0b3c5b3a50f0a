/**
 * Nothing lost, nothing twice (#10 item 4): `radlabel sync` is killed with SIGKILL at random points
 * — while de-identifying into the outbox, between and inside STOW-RS requests, while fetching and
 * importing — on the uploading machine and on the pulling one, trial after trial. Then one run
 * each to the end: both exit 0, Orthanc holds every instance exactly once, the local state matches
 * it, and no temp file is left. Trials: RADLABEL_SYNC_KILL_TRIALS (default 4; `npm run test:soak`
 * runs 30). Needs `npm run build` (the CLI runs from build/, as installed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogConnection } from '../../../main/catalog/catalog.js';
import { CATALOG_FILE_NAME } from '../../../main/services.js';
import { ensureCtSeries, makeTempDir, repoRoot } from '../../fixtures/index.js';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy.js';
import { type Orthanc, startOrthanc } from '../../support/orthanc.js';
import { importAndWait, openMachine, writeTestManifest, aliceAndBob } from '../../support/sync-project.js';
import { seededRandom } from '../../support/random.js';

const TRIALS = Number(process.env['RADLABEL_SYNC_KILL_TRIALS'] ?? 4);
const SEED = Number(process.env['RADLABEL_SYNC_KILL_SEED'] ?? Date.now() % 100_000);
const cli = path.join(repoRoot, 'build/main/cli/index.js');
const SLICES = 24;
const LINK_DELAY_MS = 200;
const ct = ensureCtSeries({ slices: SLICES, size: 64, seed: 'sync-kill' });
const dir = makeTempDir('sync-kill');
let orthanc: Orthanc;
let slowLink: FaultProxy;
let manifest: string;
const children = new Set<ChildProcess>();

const random = seededRandom(SEED);

beforeAll(async () => {
  orthanc = await startOrthanc({}, {}, { dicomWeb: true });
  // A slow link (every request held LINK_DELAY_MS) so that a run lasts seconds on any machine and
  // the random kills land inside it: on a fast CI machine the whole upload once took under 2.5 s
  // and every kill came after the end.
  slowLink = await startFaultProxy({
    target: `http://127.0.0.1:${orthanc.httpPort}`,
    rates: { drop: 0, delay: 1, truncate: 0, error500: 0, error503: 0 },
    delayMs: LINK_DELAY_MS,
  });
  const url = new URL(orthanc.dicomWebUrl!);
  manifest = writeTestManifest(dir, {
    url: `${slowLink.origin}${url.pathname}`,
    username: 'user',
    batchInstances: 4,
    readers: aliceAndBob('reviewer'),
  });
  // Machine A has the study.
  const services = openMachine(path.join(dir, 'a'));
  await importAndWait(services, ct.files);
  await services.close();
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await slowLink?.stop();
  await orthanc?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `radlabel sync` on machine `name` as `reader`; killed with SIGKILL after `killAfterMs` when given. */
function sync(name: string, reader: string, killAfterMs?: number, extra: string[] = []): Promise<Run> {
  const child = spawn(
    process.execPath,
    [cli, 'sync', '--project', manifest, '--data-dir', path.join(dir, name), ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        RADLABEL_READER: reader,
        RADLABEL_SYNC_PASSWORD: 'secret',
        RADLABEL_SYNC_BACKOFF_MS: '20,200',
        RADLABEL_LOG_LEVEL: 'warn',
      },
    },
  );
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => {
    child.once('exit', (status, signal) => {
      if (timer) clearTimeout(timer);
      children.delete(child);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

async function orthancInstances(): Promise<string[]> {
  const response = await orthanc.rest('/instances?expand');
  const instances = (await response.json()) as Array<{ MainDicomTags: { SOPInstanceUID: string } }>;
  return instances.map((instance) => instance.MainDicomTags.SOPInstanceUID);
}

/** The catalog of machine `name` (opening its services registers the folder's key for this process). */
async function catalogOf(name: string): Promise<ReturnType<typeof openCatalogConnection>> {
  await openMachine(path.join(dir, name)).close();
  return openCatalogConnection(path.join(dir, name, CATALOG_FILE_NAME));
}

async function items(
  name: string,
  direction: 'up' | 'down',
): Promise<Array<{ sop_uid: string; state: string }>> {
  const db = await catalogOf(name);
  try {
    return db
      .prepare<[string], { sop_uid: string; state: string }>(
        'SELECT sop_uid, state FROM sync_item WHERE direction = ? ORDER BY sop_uid',
      )
      .all(direction);
  } finally {
    db.close();
  }
}

describe(`radlabel sync killed with SIGKILL at random points (${TRIALS} trials, seed ${SEED})`, () => {
  it('converges after restart: every instance on the server once, local state matching, no temp files', async () => {
    const kills: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // Alternate: the uploading machine, then the pulling one (which sees what has arrived so far).
      const [name, reader, extra] =
        trial % 2 === 0 ? ['a', 'alice', ['--study', ct.studyInstanceUID]] : ['b', 'bob', []];
      const delay = Math.round(300 + random() * 3700);
      const run = await sync(name, reader, delay, extra);
      kills.push(`${name}@${delay}ms:${run.signal ?? `exit ${run.status}`}`);
      // A run that ends before its kill must have ended well (or be waiting for more to pull).
      if (run.signal === null) expect([0, 1], `${run.stdout}${run.stderr}`).toContain(run.status);
    }
    // The kills landed in running syncs (not all after the end).
    const landed = kills.filter((kill) => kill.endsWith('SIGKILL')).length;
    console.info(
      `${TRIALS} trials (seed ${SEED}), ${landed} kills landed in a running sync: ${kills.join(' ')}`,
    );
    if (TRIALS >= 2) expect(landed, kills.join(' ')).toBeGreaterThan(0);
    const up = await sync('a', 'alice', undefined, ['--study', ct.studyInstanceUID]);
    expect(up.status, `${kills.join(' ')}\n${up.stdout}${up.stderr}`).toBe(0);
    expect(up.stdout).toContain(`Sync finished: ${SLICES} objects done, 0 failed, 0 waiting.`);
    const down = await sync('b', 'bob');
    expect(down.status, `${kills.join(' ')}\n${down.stdout}${down.stderr}`).toBe(0);

    const onServer = await orthancInstances();
    expect(onServer).toHaveLength(SLICES);
    expect(new Set(onServer).size).toBe(SLICES);
    const sent = await items('a', 'up');
    expect(sent.map((item) => item.sop_uid)).toEqual([...onServer].sort());
    expect(new Set(sent.map((item) => item.state))).toEqual(new Set(['sent']));
    const pulled = await items('b', 'down');
    expect(pulled.map((item) => item.sop_uid)).toEqual([...onServer].sort());
    expect(new Set(pulled.map((item) => item.state))).toEqual(new Set(['imported']));
    const db = await catalogOf('b');
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM instance').get()).toEqual({ n: SLICES });
    } finally {
      db.close();
    }
    for (const name of ['a', 'b']) {
      const left = fs
        .readdirSync(path.join(dir, name, 'sync'), { recursive: true })
        .map(String)
        .filter((file) => /\.(dcm|partial|source|tmp|part)$/.test(file) || file.includes('.partial'));
      expect(left, name).toEqual([]);
    }
  }, 600_000);

  it('exits 1 with the reason when the server refuses the sign-in, and 2 without a project', async () => {
    const child = spawn(
      process.execPath,
      [cli, 'sync', '--project', manifest, '--data-dir', path.join(dir, 'c')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          RADLABEL_READER: 'bob',
          RADLABEL_SYNC_PASSWORD: 'wrong',
          RADLABEL_LOG_LEVEL: 'warn',
        },
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(status, output).toBe(1);
    expect(output).toMatch(/refused the sign-in/);
    const missing = spawn(process.execPath, [cli, 'sync', '--data-dir', path.join(dir, 'c')], {
      stdio: 'ignore',
    });
    expect(await new Promise((resolve) => missing.once('exit', resolve))).toBe(2);
  }, 120_000);
});
