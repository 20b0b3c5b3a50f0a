/**
 * The one worker pool (main/core/worker-pool.ts), used by import and de-identification: answers,
 * time limits that replace a stuck worker, crashes, cancellation and transfer lists, each checked
 * on real threads (their thread ids tell a replaced worker from the one before).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool, WorkerPoolError } from '../../../main/core/worker-pool.js';
import { makeTempDir } from '../../fixtures/index.js';

type Request =
  | { op: 'double'; value: number }
  | { op: 'hang' }
  | { op: 'die' }
  | { op: 'throw' }
  | { op: 'echo-buffer'; buffer: ArrayBuffer };
type Response = { threadId: number; value?: number; buffer?: ArrayBuffer };

/** A worker written in TypeScript, so it also goes through the tsx trampoline as in development. */
const dir = makeTempDir('worker-pool');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const poolModule = pathToFileURL(path.resolve('main/core/worker-pool.ts')).href;
const workerFile = path.join(dir, 'test-worker.ts');
fs.writeFileSync(
  workerFile,
  `import { threadId } from 'node:worker_threads';
import { Transfer, serveRequests } from ${JSON.stringify(poolModule)};
serveRequests((request: any) => {
  if (request.op === 'hang') for (;;) {}
  if (request.op === 'die') process.exit(3);
  if (request.op === 'throw') throw new Error('no such thing');
  if (request.op === 'echo-buffer') return new Transfer({ threadId, buffer: request.buffer }, [request.buffer]);
  return { threadId, value: request.value * 2 };
});
`,
);
const url = pathToFileURL(workerFile);
/** The same worker, after 600 ms spent loading (as a worker loading the de-identification engine). */
const slowStartFile = path.join(dir, 'slow-start-worker.ts');
fs.writeFileSync(
  slowStartFile,
  `const until = Date.now() + 600;
while (Date.now() < until) {}
await import(${JSON.stringify(pathToFileURL(workerFile).href)});
`,
);

function pool(options: {
  size: number;
  taskTimeoutMs?: number;
  depth?: number;
}): WorkerPool<Request, Response> {
  return new WorkerPool<Request, Response>(url, options);
}

async function failure(promise: Promise<unknown>): Promise<WorkerPoolError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkerPoolError);
  return error as WorkerPoolError;
}

describe('worker pool', () => {
  it('answers every request, in any order of completion, across its workers', async () => {
    const workers = pool({ size: 2, depth: 2 });
    await workers.start();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => workers.run({ op: 'double', value: i })),
    );
    expect(answers.map((answer) => answer.value)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(new Set(answers.map((answer) => answer.threadId))).toEqual(new Set(workers.threadIds));
    expect(workers.threadIds).toHaveLength(2);
    await workers.close();
  });

  it('terminates a worker that hangs past the time limit, fails that task with a timeout, and serves the next on a new worker', async () => {
    const workers = pool({ size: 1, taskTimeoutMs: 500 });
    await workers.start();
    const [before] = workers.threadIds;
    const started = performance.now();
    const hung = workers.run({ op: 'hang' });
    const queuedBehind = workers.run({ op: 'double', value: 21 });
    const error = await failure(hung);
    expect(error.reason).toBe('timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    const next = await queuedBehind;
    expect(next.value).toBe(42);
    expect(next.threadId).not.toBe(before);
    expect(workers.threadIds).toEqual([next.threadId]);
    await workers.close();
  });

  it('counts the time limit from when the worker starts the task, not while it loads', async () => {
    const workers = new WorkerPool<Request, Response>(pathToFileURL(slowStartFile), {
      size: 1,
      taskTimeoutMs: 200,
    });
    const started = performance.now();
    await expect(workers.run({ op: 'double', value: 1 })).resolves.toMatchObject({ value: 2 });
    expect(performance.now() - started).toBeGreaterThan(600);
    await workers.close();
  });

  it('fails only the request whose worker died, replaces the worker and goes on', async () => {
    const workers = pool({ size: 1, depth: 4 });
    await workers.start();
    const [before] = workers.threadIds;
    const results = await Promise.allSettled([
      workers.run({ op: 'double', value: 1 }),
      workers.run({ op: 'die' }),
      workers.run({ op: 'double', value: 3 }),
      workers.run({ op: 'double', value: 4 }),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const died = results[1] as PromiseRejectedResult;
    expect((died.reason as WorkerPoolError).reason).toBe('crashed');
    const after = results
      .filter((result): result is PromiseFulfilledResult<Response> => result.status === 'fulfilled')
      .map((result) => result.value);
    expect(after.map((answer) => answer.value)).toEqual([2, 6, 8]);
    expect(after[0]!.threadId).toBe(before);
    expect(after[1]!.threadId).not.toBe(before);
    await workers.close();
  });

  it('fails the requests of a worker that cannot start instead of starting it again and again', async () => {
    const broken = path.join(dir, 'broken-worker.ts');
    fs.writeFileSync(broken, `throw new Error('this module does not load');\n`);
    const workers = new WorkerPool<Request, Response>(pathToFileURL(broken), { size: 1 });
    const results = await Promise.allSettled([1, 2, 3].map((value) => workers.run({ op: 'double', value })));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as WorkerPoolError;
      expect(error.reason).toBe('crashed');
      expect(error.message).toMatch(/could not start/);
    }
    await workers.close();
  });

  it('replaces a worker whose loading never ends; its requests go to the next one', async () => {
    // The first worker to load this module hangs before serving (as a module-hooks deadlock under
    // tsx); the ones after it serve.
    const marker = path.join(dir, 'hung-once');
    const hungOnce = path.join(dir, 'hung-once-worker.ts');
    fs.writeFileSync(
      hungOnce,
      `import fs from 'node:fs';
if (!fs.existsSync(${JSON.stringify(marker)})) {
  fs.writeFileSync(${JSON.stringify(marker)}, '');
  setInterval(() => {}, 1000);
  await new Promise(() => {});
}
await import(${JSON.stringify(pathToFileURL(workerFile).href)});
`,
    );
    // Generous: a healthy worker loads through tsx in seconds even on a loaded machine.
    const workers = new WorkerPool<Request, Response>(pathToFileURL(hungOnce), {
      size: 1,
      startTimeoutMs: 15_000,
    });
    const answers = await Promise.all([1, 2].map((value) => workers.run({ op: 'double', value })));
    expect(answers.map((answer) => answer.value)).toEqual([2, 4]);
    expect(fs.existsSync(marker)).toBe(true);
    await workers.close();
  }, 120_000);

  it('fails the requests when worker after worker never becomes ready', async () => {
    const never = path.join(dir, 'never-ready-worker.ts');
    fs.writeFileSync(never, `setInterval(() => {}, 1000);\nawait new Promise(() => {});\n`);
    const workers = new WorkerPool<Request, Response>(pathToFileURL(never), {
      size: 1,
      startTimeoutMs: 1000,
    });
    const error = await failure(workers.run({ op: 'double', value: 1 }));
    expect(error.reason).toBe('crashed');
    expect(error.message).toMatch(/could not start.*did not start within 1000 ms/);
    await workers.close();
  }, 60_000);

  it('fails a request that cannot be sent to a worker, and goes on', async () => {
    const workers = pool({ size: 1 });
    const error = await failure(workers.run({ op: 'double', value: (() => 1) as unknown as number }));
    expect(error.reason).toBe('failed');
    await expect(workers.run({ op: 'double', value: 4 })).resolves.toMatchObject({ value: 8 });
    await workers.close();
  });

  it('fails a request whose handler throws, and keeps its worker', async () => {
    const workers = pool({ size: 1 });
    const first = await workers.run({ op: 'double', value: 1 });
    const error = await failure(workers.run({ op: 'throw' }));
    expect(error.reason).toBe('failed');
    expect(error.message).toBe('no such thing');
    expect((await workers.run({ op: 'double', value: 2 })).threadId).toBe(first.threadId);
    await workers.close();
  });

  it('cancels: a queued request is dropped, a running one stops with its worker', async () => {
    const workers = pool({ size: 1 });
    await workers.start();
    const [before] = workers.threadIds;
    const controller = new AbortController();
    const running = workers.run({ op: 'hang' }, { signal: controller.signal });
    const queued = workers.run({ op: 'double', value: 5 }, { signal: controller.signal });
    const unrelated = workers.run({ op: 'double', value: 7 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const abortedAt = performance.now();
    controller.abort();
    expect((await failure(running)).reason).toBe('cancelled');
    expect((await failure(queued)).reason).toBe('cancelled');
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    const next = await unrelated;
    expect(next.value).toBe(14);
    expect(next.threadId).not.toBe(before);
    await workers.close();
  });

  it('hands buffers over both ways without copying them', async () => {
    const workers = pool({ size: 1 });
    const buffer = new Uint8Array(1 << 20).fill(7).buffer;
    const answer = await workers.run({ op: 'echo-buffer', buffer }, { transfer: [buffer] });
    // Transferred, the sender's buffer is detached; the answer's came back the same way.
    expect(buffer.byteLength).toBe(0);
    expect(answer.buffer!.byteLength).toBe(1 << 20);
    expect(new Uint8Array(answer.buffer!)[12345]).toBe(7);
    await workers.close();
  });

  it('fails every unanswered request when closed, and refuses work after', async () => {
    const workers = pool({ size: 1 });
    await workers.start();
    const running = failure(workers.run({ op: 'double', value: 1 }));
    const queued = failure(workers.run({ op: 'double', value: 2 }));
    await workers.close();
    expect((await running).reason).toBe('closed');
    expect((await queued).reason).toBe('closed');
    expect((await failure(workers.run({ op: 'double', value: 3 }))).reason).toBe('closed');
  });
});
