/**
 * A receiving workstation for the PACS tests: the catalog, the file store, the importer and the
 * PACS service wired as main/services.ts wires them (without the other services, so these tests
 * fail only for PACS reasons), plus helpers for dcmtk and Orthanc.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { EventOf } from '../../../shared/contract.js';
import type { PacsLocalSettings } from '../../../shared/pacs.js';
import { Catalog } from '../../../main/catalog/catalog.js';
import { FileStore } from '../../../main/catalog/file-store.js';
import { EventBus } from '../../../main/core/events.js';
import { silentLogger } from '../../../main/core/logger.js';
import { Importer } from '../../../main/import/importer.js';
import { type ScpLimits, importReceivedObject } from '../../../main/pacs/scp.js';
import { type PacsApp, createPacsApp } from '../../../main/pacs/service.js';
import { makeTempDir } from '../../fixtures/index.js';

export const execFileAsync = promisify(execFile);

export interface Workstation {
  dataDir: string;
  catalog: Catalog;
  events: EventBus;
  pacs: PacsApp;
  port: number;
  /** Every catalog.changed event so far. */
  changed: Array<EventOf<'catalog.changed'>>;
  retrieveEvents: Array<EventOf<'pacs.retrieveProgress'>>;
  close(): Promise<void>;
}

export const LOCAL_AE = 'RADLABEL';

export async function openWorkstation(
  local: Partial<PacsLocalSettings> = {},
  limits: Partial<ScpLimits> = {},
  reports: { annotationReports?: boolean; reportWaitMs?: number } = {},
): Promise<Workstation> {
  const dataDir = makeTempDir('pacs-ws');
  const logger = silentLogger();
  const catalog = Catalog.open(path.join(dataDir, 'catalog.sqlite'));
  const store = FileStore.open(
    path.join(dataDir, 'store'),
    (relative) => catalog.isFileReferenced(relative),
    logger,
  );
  const events = new EventBus();
  const importer = new Importer({ catalog, store, events, logger, workers: 1 });
  const pacs = createPacsApp({
    dataDir,
    catalogFile: catalog.file,
    events,
    logger,
    importReceived: (object) => importReceivedObject(importer, object),
    hasStudy: (uid) => catalog.getStudy(uid) !== null,
    // No annotation import here: received SR and SEG objects are answered at once, unless a test
    // plays main's reports itself.
    annotationReports: false,
    ...reports,
    scpLimits: limits,
  });
  const changed: Workstation['changed'] = [];
  const retrieveEvents: Workstation['retrieveEvents'] = [];
  events.subscribe((event) => {
    if (event.name === 'catalog.changed') changed.push(event.payload);
    if (event.name === 'pacs.retrieveProgress') retrieveEvents.push(event.payload);
  });
  const status = await pacs.start({
    enabled: true,
    aeTitle: LOCAL_AE,
    port: 0,
    bindAddress: '127.0.0.1',
    ...local,
  });
  if (!status.running) throw new Error(`SCP did not start: ${status.error}`);
  return {
    dataDir,
    catalog,
    events,
    pacs,
    port: status.port!,
    changed,
    retrieveEvents,
    async close() {
      await pacs.close();
      await importer.close();
      store.close();
      catalog.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every file under `dir` (recursively), for "nothing left behind" checks. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

export { ORTHANC_AUTH, type Orthanc, freePort, startOrthanc } from '../../support/orthanc.js';

/**
 * The instance files of a workstation's store, without the store's own temporary folder (`store/tmp/`).
 * Judged on the path inside the store: the data folder itself may well lie under a `/tmp/`.
 */
export function storedFiles(workstation: Pick<Workstation, 'dataDir'>): string[] {
  const root = path.join(workstation.dataDir, 'store');
  return filesUnder(root).filter(
    (file) => file.endsWith('.dcm') && path.relative(root, file).split(path.sep)[0] !== 'tmp',
  );
}
