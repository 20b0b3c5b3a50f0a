/**
 * import.ratio_vs_copy: importing the 200-slice 512² CT series into a fresh data folder, against
 * `cp -r` of the same files followed by `sync` in the same run (value = copy time / import time;
 * 1 means importing costs no more than copying durably). Both sides run three times, interleaved,
 * and the medians are compared, because the disk is shared with other work.
 *
 * The running app has its services (and import workers) up long before the user imports, so each
 * run first imports one small unrelated file to start the workers, then times the series.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportProgress } from '../../shared/contract.js';
import { silentLogger } from '../../main/core/logger.js';
import { createServices } from '../../main/services.js';
import { ensureCtSeries, makeTempDir, pydicomTestFilesDir } from '../fixtures/index.js';
import { type Benchmark, median } from './lib.js';

const RUNS = 3;

async function timeImport(sourceDir: string): Promise<{ seconds: number; progress: ImportProgress }> {
  const dataDir = makeTempDir('bench-import');
  const services = createServices({ dataDir, host: 'web', logger: silentLogger() });
  const importOnce = async (paths: string[]) => {
    let jobId: string | null = null;
    const finished = new Promise<ImportProgress>((resolve) => {
      const unsubscribe = services.events.subscribe((event) => {
        if (
          event.name === 'import.progress' &&
          event.payload.finishedAt &&
          (jobId === null || event.payload.jobId === jobId)
        ) {
          unsubscribe();
          resolve(event.payload);
        }
      });
    });
    jobId = (await services.handlers['import.start']({ paths })).jobId;
    return finished;
  };
  try {
    await importOnce([path.join(pydicomTestFilesDir, 'CT_small.dcm')]);
    const started = performance.now();
    const progress = await importOnce([sourceDir]);
    return { seconds: (performance.now() - started) / 1000, progress };
  } finally {
    await services.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function timeCopy(sourceDir: string): number {
  const target = makeTempDir('bench-copy');
  try {
    const started = performance.now();
    execFileSync('sh', ['-c', 'cp -r "$0" "$1/series" && sync', sourceDir, target]);
    return (performance.now() - started) / 1000;
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    ids: ['import.ratio_vs_copy'],
    async run() {
      const series = ensureCtSeries({ slices: 200, size: 512 });
      execFileSync('sync');
      const importSeconds: number[] = [];
      const copySeconds: number[] = [];
      let last: ImportProgress | null = null;
      for (let run = 0; run < RUNS; run += 1) {
        copySeconds.push(timeCopy(series.dir));
        const { seconds, progress } = await timeImport(series.dir);
        if (progress.added !== series.slices)
          throw new Error(`import added ${progress.added} of ${series.slices}`);
        importSeconds.push(seconds);
        last = progress;
      }
      const importTime = median(importSeconds);
      const copyTime = median(copySeconds);
      const megabytes = series.totalBytes / 2 ** 20;
      return [
        {
          id: 'import.ratio_vs_copy',
          value: Number((copyTime / importTime).toFixed(3)),
          unit: 'ratio',
          goal: '>= 0.5',
          reference: {
            what: 'cp -r + sync of the same files, median seconds',
            value: Number(copyTime.toFixed(3)),
          },
          details: {
            files: series.slices,
            megabytes: Number(megabytes.toFixed(1)),
            importSecondsMedian: Number(importTime.toFixed(3)),
            importMBps: Number((megabytes / importTime).toFixed(1)),
            importFilesPerSecond: Math.round(series.slices / importTime),
            copyMBps: Number((megabytes / copyTime).toFixed(1)),
            importSecondsRuns: importSeconds.map((s) => Number(s.toFixed(3))),
            copySecondsRuns: copySeconds.map((s) => Number(s.toFixed(3))),
            lastProgress: last && { added: last.added, failed: last.failed, bytesDone: last.bytesDone },
            source: path.basename(series.dir),
          },
        },
      ];
    },
  },
];
