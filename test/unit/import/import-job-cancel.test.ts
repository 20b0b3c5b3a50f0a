/**
 * Cancel stops an import within a second whatever it waits on: here a read that never ends (a
 * worker stuck on a file, as a named pipe or a hung mount would leave it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../main/catalog/catalog.js';
import { FileStore } from '../../../main/catalog/file-store.js';
import { EventBus } from '../../../main/core/events.js';
import { silentLogger } from '../../../main/core/logger.js';
import type { WorkerPool } from '../../../main/core/worker-pool.js';
import { ImportJob } from '../../../main/import/import-job.js';
import type { ReadInstanceResult, ReadInstanceTask } from '../../../main/import/import-worker-protocol.js';
import { DEFAULT_ZIP_LIMITS } from '../../../main/import/zip-archive.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function openJob(
  paths: string[],
  pool: Pick<WorkerPool<ReadInstanceTask, ReadInstanceResult>, 'run'>,
): ImportJob {
  const dataDir = makeTempDir('import-cancel');
  const catalog = Catalog.open(path.join(dataDir, 'catalog.sqlite'));
  const store = FileStore.open(path.join(dataDir, 'store'), (relative) => catalog.isFileReferenced(relative));
  cleanups.push(() => {
    store.close();
    catalog.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return new ImportJob(
    {
      catalog,
      store,
      pool: pool as WorkerPool<ReadInstanceTask, ReadInstanceResult>,
      events: new EventBus(),
      logger: silentLogger(),
      limits: { maxFileBytes: 2 ** 30, zip: DEFAULT_ZIP_LIMITS },
      batchSize: 64,
    },
    paths,
  );
}

describe('cancelling an import', () => {
  it('ends a job whose read never returns within a second, as cancelled', async () => {
    const series = ensureCtSeries({ slices: 3, size: 32, seed: 'cancel-stuck' });
    let started = 0;
    const job = openJob([series.dir], {
      run: () => {
        started += 1;
        return new Promise<ReadInstanceResult>(() => undefined); // never answers
      },
    });
    while (started === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const cancelledAt = Date.now();
    expect(job.cancel()).toBe(true);
    const progress = await job.done;
    expect(Date.now() - cancelledAt).toBeLessThan(1_000);
    expect(progress.phase).toBe('cancelled');
    expect(job.finished).toBe(true);
  });
});
