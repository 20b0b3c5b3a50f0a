/**
 * The received problems' log is durable before the sender is answered (main/pacs/service.ts): the
 * app's services run the receiver in a child process; hostile SEGs (each its own study) are sent
 * one association after another, and right after the k-th success status (k at random) the child
 * is killed with SIGKILL. The services opened again on the data folder list every object that had
 * been acknowledged, with its reason. Trials: RADLABEL_PACS_CRASH_TRIALS (default 3 here;
 * `npm run test:soak` runs 30).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreObject, sendToScp, storeObjectOf } from '../../fuzz/send-to-scp.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { copiesAsNewStudies, writeHostileLesionSeg } from '../../support/ai-fixtures.js';
import { seededRandom } from '../../support/random.js';
import { openTestServices } from '../../support/services.js';
import { fixedKey } from '../deid-app/harness.js';

const TRIALS = Number(process.env['RADLABEL_PACS_CRASH_TRIALS'] ?? 3);
const OBJECTS = 12;
const KEY_SEED = 'pacs-received-problems-crash';
const REASON = 'This segmentation has no valid number of frames.';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const receiver = fileURLToPath(new URL('./received-problems-crash-receiver.ts', import.meta.url));
const dir = makeTempDir('pacs-received-problems-crash');
let objects: StoreObject[] = [];
let child: ChildProcess | null = null;

beforeAll(() => {
  const ct = ensureCtSeries({ slices: 4, size: 64, seed: 'pacs-received-problems' });
  const hostile = writeHostileLesionSeg(ct.files, path.join(dir, 'HOSTILE-SEG.dcm'));
  objects = copiesAsNewStudies(hostile.file, path.join(dir, 'copies'), OBJECTS).map((file, index) =>
    storeObjectOf(fs.readFileSync(file), index),
  );
});

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The receiver in a child process on `dataDir`; resolves with its port once it listens. */
function startReceiver(dataDir: string): Promise<number> {
  const started = spawn(process.execPath, ['--import', 'tsx', receiver, dataDir, KEY_SEED], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = started;
  return new Promise((resolve, reject) => {
    let buffered = '';
    started.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const port = /listening (\d+)/.exec(buffered)?.[1];
      if (port) resolve(Number(port));
    });
    started.on('exit', (code) => reject(new Error(`the receiver exited before listening (${code})`)));
  });
}

describe('received problems survive a crash right after the sender was answered', () => {
  it(
    `lists every acknowledged hostile SEG after SIGKILL (${TRIALS} trials)`,
    async () => {
      const random = seededRandom(Date.now() % 2 ** 31);
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const dataDir = path.join(dir, `data-${trial}`);
        const port = await startReceiver(dataDir);
        const target = { host: '127.0.0.1', port, calledAeTitle: 'RADLABEL', callingAeTitle: 'MODALITY' };
        // Kill right after the k-th answer: nothing of the receiver's runs after it but what was already on its way.
        const killAfter = 1 + Math.floor(random() * OBJECTS);
        const acknowledged: string[] = [];
        for (const object of objects.slice(0, killAfter)) {
          const [result] = await sendToScp(target, [object]);
          expect(result, `object ${acknowledged.length + 1} of trial ${trial}`).toMatchObject({
            outcome: 'status',
            status: 0,
          });
          acknowledged.push(object.sopInstanceUID);
        }
        const exited = new Promise((resolve) => child!.on('exit', resolve));
        child!.kill('SIGKILL');
        await exited;

        const services = openTestServices(dataDir, { keyProvider: fixedKey(KEY_SEED) });
        try {
          const listed = await services.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 });
          expect(
            listed.objects.map((object) => object.sopInstanceUID).sort(),
            `trial ${trial}, killed after ${killAfter}`,
          ).toEqual([...acknowledged].sort());
          for (const object of listed.objects) {
            expect(object.problems).toEqual([REASON]);
            expect(object.callingAeTitle).toBe('MODALITY');
          }
        } finally {
          await services.close();
        }
      }
    },
    60_000 + TRIALS * 30_000,
  );
});
