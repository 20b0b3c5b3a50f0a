/** Real services on a fresh data folder, with a chosen key, and helpers to run exports to the end. */
import crypto from 'node:crypto';
import type { DeidProgressEvent } from '../../../shared/contract.js';
import type { KeyProvider } from '../../../main/deid/linkage.js';
import type { Services } from '../../../main/services.js';
import { makeTempDir } from '../../fixtures/index.js';
import { importAndWait } from '../../support/import.js';
import { openTestServices } from '../../support/services.js';

/** A key provider as the Electron keychain or RADLABEL_LINKAGE_KEY would give: 32 fixed bytes. */
export function fixedKey(seed: string): KeyProvider & { key: Buffer } {
  const key = crypto.createHash('sha256').update(seed).digest();
  return { key, masterKey: () => key };
}

export function openServices(dataDir: string, keyProvider: KeyProvider, deidWorkers = 0): Services {
  return openTestServices(dataDir, { keyProvider, deidWorkers });
}

/** Imports `paths` to the end; a file that failed fails the test (test/support/import.ts). */
export const importInto = (services: Services, paths: string[]) => importAndWait(services, paths);

/** Starts an export and resolves with its last progress event (finished). */
export async function exportStudy(
  services: Services,
  studyInstanceUID: string,
  outputDir: string,
  afterStart?: (jobId: string) => Promise<void>,
): Promise<DeidProgressEvent> {
  const seen: DeidProgressEvent[] = [];
  let resolveFinished: (event: DeidProgressEvent) => void = () => {};
  const finished = new Promise<DeidProgressEvent>((resolve) => (resolveFinished = resolve));
  let jobId: string | null = null;
  const unsubscribe = services.events.subscribe((event) => {
    if (event.name !== 'deid.progress') return;
    seen.push(event.payload);
    const last = seen.find((payload) => payload.jobId === jobId && payload.finished);
    if (last) resolveFinished(last);
  });
  try {
    jobId = (await services.handlers['deid.exportStudy']({ studyInstanceUID, outputDir })).jobId;
    const already = seen.find((payload) => payload.jobId === jobId && payload.finished);
    if (already) resolveFinished(already);
    await afterStart?.(jobId);
    return await finished;
  } finally {
    unsubscribe();
  }
}

/** Every file under a folder, recursively (absolute paths). */
export { filesUnder } from '../../support/files.js';

export function freshDir(prefix: string): string {
  return makeTempDir(`deid-app-${prefix}`);
}
