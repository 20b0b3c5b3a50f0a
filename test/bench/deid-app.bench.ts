/**
 * De-identification through the app.
 *
 * - deid_app.export_ratio_vs_tree: exporting the 200-slice 512² CT study with `deid.exportStudy`
 *   (catalog lookup, folder checks, linkage table, progress events), against `deidentifyTree` over
 *   the same stored files with the same configuration in the same run (value = tree time / export
 *   time; 1 means the app adds nothing). Three interleaved runs each, medians compared.
 * - deid_app.preview_ms: median time of `deid.preview` for one 512² CT image (what the viewer's
 *   side panel waits for when the image changes), over 20 calls after one warm-up.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DeidProgressEvent } from '../../shared/contract.js';
import { silentLogger } from '../../main/core/logger.js';
import { deidConfigFromSettings } from '../../main/deid-app/deid-config.js';
import { SealedSecretFile } from '../../main/deid-app/sealed-secret.js';
import { DEID_DIR_NAME, SECRET_FILE_NAME, defaultDeidSettings } from '../../main/deid-app/settings-store.js';
import { deidentifyTree } from '../../main/deid/service.js';
import { type Services, createServices } from '../../main/services.js';
import { ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import { type Benchmark, median } from './lib.js';

const RUNS = 3;
const PREVIEWS = 20;
const key = Buffer.alloc(32, 7);

async function exportOnce(services: Services, studyInstanceUID: string, outputDir: string): Promise<number> {
  let jobId: string | null = null;
  const finished = new Promise<DeidProgressEvent>((resolve) => {
    const unsubscribe = services.events.subscribe((event) => {
      if (event.name === 'deid.progress' && event.payload.finished && event.payload.jobId === jobId) {
        unsubscribe();
        resolve(event.payload);
      }
    });
  });
  const started = performance.now();
  jobId = (await services.handlers['deid.exportStudy']({ studyInstanceUID, outputDir })).jobId;
  const last = await finished;
  if (last.done !== last.filesFound) throw new Error(`export wrote ${last.done} of ${last.filesFound}`);
  return (performance.now() - started) / 1000;
}

export const benchmarks: Benchmark[] = [
  {
    ids: ['deid_app.export_ratio_vs_tree', 'deid_app.preview_ms'],
    async run() {
      const series = ensureCtSeries({ slices: 200, size: 512 });
      const dataDir = makeTempDir('bench-deid-app');
      const outputs = makeTempDir('bench-deid-app-out');
      const services = createServices({
        dataDir,
        host: 'web',
        logger: silentLogger(),
        keyProvider: { masterKey: () => key },
      });
      try {
        await new Promise<void>((resolve) => {
          const unsubscribe = services.events.subscribe((event) => {
            if (event.name === 'import.progress' && event.payload.finishedAt) {
              unsubscribe();
              resolve();
            }
          });
          void services.handlers['import.start']({ paths: [series.dir] });
        });
        const storedFiles = series.sopInstanceUIDs.map((uid) => {
          const file = services.instanceFile(uid);
          if (!file) throw new Error('series not imported');
          return file.path;
        });
        // The same secret as the app's: read through a preview, which creates it.
        await services.handlers['deid.preview']({ sopInstanceUID: series.sopInstanceUIDs[0]! });
        const secret = new SealedSecretFile(path.join(dataDir, DEID_DIR_NAME, SECRET_FILE_NAME), {
          masterKey: () => key,
        }).get();
        const config = deidConfigFromSettings(defaultDeidSettings, secret);

        const exportTimes: number[] = [];
        const treeTimes: number[] = [];
        for (let run = 0; run < RUNS; run += 1) {
          exportTimes.push(
            await exportOnce(services, series.studyInstanceUID, path.join(outputs, `app-${run}`)),
          );
          const started = performance.now();
          await deidentifyTree({ inputs: storedFiles, outputDir: path.join(outputs, `tree-${run}`), config });
          treeTimes.push((performance.now() - started) / 1000);
        }

        const previewTimes: number[] = [];
        for (let i = 0; i <= PREVIEWS; i += 1) {
          const uid = series.sopInstanceUIDs[(i * 7) % series.sopInstanceUIDs.length]!;
          const started = performance.now();
          await services.handlers['deid.preview']({ sopInstanceUID: uid });
          if (i > 0) previewTimes.push(performance.now() - started);
        }

        const exportSeconds = median(exportTimes);
        const treeSeconds = median(treeTimes);
        return [
          {
            id: 'deid_app.export_ratio_vs_tree',
            value: treeSeconds / exportSeconds,
            unit: 'ratio',
            goal: '>= 0.9',
            reference: {
              what: 'deidentifyTree over the stored files, same config, median s',
              value: treeSeconds,
            },
            details: {
              exportSecondsMedian: exportSeconds,
              objectsPerSecond: series.slices / exportSeconds,
              megabytesPerSecond: series.totalBytes / 2 ** 20 / exportSeconds,
              runs: RUNS,
            },
          },
          {
            id: 'deid_app.preview_ms',
            value: median(previewTimes),
            unit: 'ms',
            goal: '< 100',
            reference: { what: 'one 512² CT image, median of calls', value: PREVIEWS },
          },
        ];
      } finally {
        await services.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
        fs.rmSync(outputs, { recursive: true, force: true });
      }
    },
  },
];
