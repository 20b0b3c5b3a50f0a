/** Runs imports against real services on a fresh data folder, the way every adapter does. */
import fs from 'node:fs';
import path from 'node:path';
import type { ImportFileError, ImportProgress } from '../../../shared/contract.js';
import { silentLogger } from '../../../main/core/logger.js';
import { type Services, type ServicesOptions, createServices } from '../../../main/services.js';
import { makeTempDir } from '../../fixtures/index.js';

export interface Harness {
  services: Services;
  dataDir: string;
  /** Starts an import and resolves with its final progress and every error. */
  importPaths(
    paths: string[],
    onProgress?: (progress: ImportProgress) => void,
  ): Promise<{ progress: ImportProgress; errors: readonly ImportFileError[] }>;
  /** Files in the store (relative paths), and leftovers in its tmp folder. */
  storeContents(): { files: string[]; temp: string[] };
  close(): Promise<void>;
}

export function openHarness(options: Partial<ServicesOptions> = {}): Harness {
  const dataDir = makeTempDir('import');
  const services = createServices({ dataDir, host: 'web', logger: silentLogger(), ...options });
  return {
    services,
    dataDir,
    async importPaths(paths, onProgress) {
      let jobId: string | null = null;
      const buffered: ImportProgress[] = [];
      const progress = await new Promise<ImportProgress>((resolve) => {
        const consider = (payload: ImportProgress) => {
          onProgress?.(payload);
          if (payload.finishedAt) {
            unsubscribe();
            resolve(payload);
          }
        };
        const unsubscribe = services.events.subscribe((event) => {
          if (event.name !== 'import.progress') return;
          if (jobId === null) buffered.push(event.payload);
          else if (event.payload.jobId === jobId) consider(event.payload);
        });
        void services.handlers['import.start']({ paths }).then(({ jobId: id }) => {
          jobId = id;
          buffered.filter((payload) => payload.jobId === id).forEach(consider);
        });
      });
      return { progress, errors: services.importErrors(progress.jobId) };
    },
    storeContents() {
      const root = path.join(dataDir, 'store');
      const files = fs
        .readdirSync(root, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.dcm'))
        .sort();
      // Temp files live in per-process session folders under tmp/; an empty session folder is fine.
      const temp = fs
        .readdirSync(path.join(root, 'tmp'), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name);
      return { files, temp };
    },
    async close() {
      await services.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Error codes by file name (the last path component, or the zip entry). */
export function codesByName(errors: readonly ImportFileError[]): Record<string, string> {
  return Object.fromEntries(errors.map((error) => [error.path.split(/[/\\]|!\//).pop()!, error.code]));
}
