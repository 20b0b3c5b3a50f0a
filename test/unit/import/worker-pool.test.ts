import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../main/import/worker-pool.js';
import { makeTempDir } from '../../fixtures/index.js';

/** A worker module that echoes, or dies on request (a stand-in for a parser crash). */
const dir = makeTempDir('worker-pool');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const workerFile = path.join(dir, 'echo-worker.mjs');
fs.writeFileSync(
  workerFile,
  `import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id, request }) => {
  if (request === 'die') process.exit(3);
  parentPort.postMessage({ id, response: request * 2 });
});`,
);

describe('worker pool', () => {
  it('answers every request, in any order of completion, across workers', async () => {
    const pool = new WorkerPool<number, number>(new URL(`file://${workerFile}`), 2);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => pool.run(i)));
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    await pool.close();
  });

  it('fails only the request whose worker died, replaces the worker and goes on', async () => {
    const pool = new WorkerPool<number | 'die', number>(new URL(`file://${workerFile}`), 1);
    const results = await Promise.allSettled([pool.run(1), pool.run('die'), pool.run(3), pool.run(4)]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(results.filter((result) => result.status === 'fulfilled').map((result) => result.value)).toEqual([
      2, 6, 8,
    ]);
    await pool.close();
  });

  it('refuses work after close', async () => {
    const pool = new WorkerPool<number, number>(new URL(`file://${workerFile}`), 1);
    await pool.close();
    await expect(pool.run(1)).rejects.toThrow('closed');
  });
});
