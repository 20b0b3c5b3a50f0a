/**
 * The sync engine's rules (#10 items 2–4) on real services (catalog, import, de-identification
 * engine, SQLite state) with an in-memory DICOMweb server behind the transport seam: what enters
 * the outbox, idempotency, partial failures, refusals, backoff, pulling tasks into a second data
 * folder. The same path against a real Orthanc: orthanc.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogConnection } from '../../../main/catalog/catalog.js';
import { readDicomHeaderFromFile } from '../../../main/dicom/header.js';
import { CATALOG_FILE_NAME, type Services } from '../../../main/services.js';
import { Outbox } from '../../../main/sync/outbox.js';
import type { LoadedProject } from '../../../main/sync/sync-app.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { MemoryDicomWeb } from '../../support/memory-dicomweb.js';
import { importAndWait, openMachine } from '../../support/sync-project.js';

const ct = ensureCtSeries({ slices: 5, size: 32, seed: 'sync-engine' });
const dir = makeTempDir('sync-engine');
const open: Services[] = [];

function project(server: MemoryDicomWeb, tasks: string[] = []): LoadedProject {
  return {
    project: {
      projectId: 'LUNG1',
      baseUrl: 'memory:',
      intervalMinutes: null,
      tasks: tasks.map((studyInstanceUID) => ({ studyInstanceUID })),
      uploadDrafts: false,
    },
    deid: { profile: 'research', options: [], projectId: 'LUNG1' },
    transport: server,
    manifest: { test: true },
  };
}

async function openServices(name: string, server: MemoryDicomWeb, tasks: string[] = []): Promise<Services> {
  const services = openMachine(path.join(dir, name), {
    syncLoadProject: async () => project(server, tasks),
  });
  open.push(services);
  await services.sync.load({ path: 'manifest.json' });
  return services;
}

const importStudy = (services: Services, files: string[]) => importAndWait(services, files);

const pass = (services: Services) => services.sync.engine()!.pass(new AbortController().signal);

afterAll(async () => {
  for (const services of open) await services.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('up: chosen studies go to the project de-identified, once', () => {
  const server = new MemoryDicomWeb();
  let services: Services;
  beforeAll(async () => {
    services = await openServices('up', server);
    await importStudy(services, ct.files);
  });

  it('uploads every instance of a chosen study de-identified, and records the study as synced', async () => {
    expect(
      await services.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] }),
    ).toEqual({
      queued: 1,
    });
    const result = await pass(services);
    expect(result).toMatchObject({ done: 5, failed: 0, pending: 0, offline: false, error: null });
    expect(server.stored.size).toBe(5);
    for (const instance of server.stored.values()) {
      expect(ct.sopInstanceUIDs).not.toContain(instance.sopInstanceUID);
      expect(instance.studyInstanceUID).not.toBe(ct.studyInstanceUID);
      expect(instance.bytes.includes(Buffer.from(ct.patientName.split('^')[0]!))).toBe(false);
      expect(instance.bytes.includes(Buffer.from(ct.patientId))).toBe(false);
    }
    const status = await services.handlers['sync.status']({});
    expect(status.studies).toEqual([
      expect.objectContaining({
        direction: 'up',
        studyInstanceUID: ct.studyInstanceUID,
        state: 'synced',
        done: 5,
        total: 5,
      }),
    ]);
    // The retention record the purge reads (docs/cache.md).
    const db = openCatalogConnection(path.join(dir, 'up', CATALOG_FILE_NAME));
    try {
      expect(db.prepare('SELECT study_uid FROM study_sync').all()).toEqual([
        { study_uid: ct.studyInstanceUID },
      ]);
    } finally {
      db.close();
    }
    // Sent copies do not stay on the disk.
    const outbox = path.join(dir, 'up', 'sync', 'outbox');
    expect(fs.readdirSync(outbox, { recursive: true }).filter((f) => String(f).endsWith('.dcm'))).toEqual([]);
  });

  it('choosing the study again changes nothing on the server (the SOP Instance UID is the key)', async () => {
    const requests = server.stowRequests.length;
    const before = [...server.stored.keys()].sort();
    await services.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    const result = await pass(services);
    expect(result).toMatchObject({ done: 5, failed: 0, pending: 0 });
    expect(server.stowRequests.length).toBe(requests);
    expect([...server.stored.keys()].sort()).toEqual(before);
  });
});

describe('partial failures and refusals', () => {
  it('retries only the instances that failed, and a refused instance fails with the server reason while the rest goes on', async () => {
    const server = new MemoryDicomWeb();
    const services = await openServices('partial', server);
    await importStudy(services, ct.files);
    await services.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    // De-identify first (the server is unreachable for the first request), to know the UIDs.
    server.offlineRequests = 1;
    const offline = await pass(services);
    expect(offline).toMatchObject({ offline: true, pending: 5 });
    expect((await services.handlers['sync.status']({})).state).toBe('idle');
    const engine = services.sync.engine()!;
    const db = openCatalogConnection(path.join(dir, 'partial', CATALOG_FILE_NAME));
    const sops = db
      .prepare<[], { sop_uid: string }>(
        "SELECT sop_uid FROM sync_item WHERE direction = 'up' ORDER BY sop_uid",
      )
      .all()
      .map((row) => row.sop_uid);
    db.close();
    expect(sops).toHaveLength(5);
    server.itemFailures.set(sops[0]!, { retryable: true, reason: 'Out of resources', times: 1 });
    server.itemFailures.set(sops[1]!, {
      retryable: false,
      reason: 'SOP class not supported (0x0122)',
      times: 99,
    });
    server.stowRequests.length = 0;
    // Make the waiting items due now.
    await services.handlers['sync.now']({});
    await waitFor(async () => (await services.handlers['sync.status']({})).state === 'idle');
    expect(server.stowRequests.flat().sort()).toEqual([...sops].sort());
    expect(server.stored.size).toBe(3);
    // The transient failure waits for its backoff; then only it is sent again.
    server.stowRequests.length = 0;
    await services.handlers['sync.now']({});
    await waitFor(async () => (await services.handlers['sync.status']({})).state === 'idle');
    expect(server.stowRequests).toEqual([[sops[0]]]);
    expect(server.stored.size).toBe(4);
    const status = await services.handlers['sync.status']({});
    expect(status.studies[0]).toMatchObject({ state: 'failed', done: 4, failed: 1, total: 5 });
    expect(status.studies[0]!.error).toContain('SOP class not supported (0x0122)');
    expect(engine.progress()).toMatchObject({ itemsDone: 4, itemsFailed: 1 });
  });

  it('backs off exponentially with jitter, within bounds', () => {
    const server = new MemoryDicomWeb();
    const engine = open.find((s) => s.sync.engine())!.sync.engine()!;
    void server;
    for (let attempt = 0; attempt < 12; attempt++) {
      const full = Math.min(5 * 60_000, 1000 * 2 ** attempt);
      const delay = engine.backoffMs(attempt);
      expect(delay).toBeGreaterThanOrEqual(full / 2);
      expect(delay).toBeLessThanOrEqual(full);
    }
  });
});

describe('the outbox holds de-identified copies only', () => {
  it('has no way in but de-identification, and never sends a file changed or put there by anything else', async () => {
    // Its only ways in take a study or its annotations, never a file (mapBack rewrites a file that
    // came down, in the inbox, and registers nothing to send).
    const ways = Object.getOwnPropertyNames(Outbox.prototype).filter((name) => name !== 'constructor');
    expect(ways.sort()).toEqual([
      'cleanup',
      'folder',
      'forget',
      'mapBack',
      'prepareAnnotations',
      'prepareStudy',
      'verifiedFile',
    ]);

    const server = new MemoryDicomWeb();
    const services = await openServices('only-deid', server);
    await importStudy(services, ct.files);
    await services.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    server.offlineRequests = 1;
    await pass(services);
    const outbox = path.join(dir, 'only-deid', 'sync', 'outbox');
    const queued = fs
      .readdirSync(outbox, { recursive: true })
      .map((f) => path.join(outbox, String(f)))
      .filter((f) => f.endsWith('.dcm'))
      .sort();
    expect(queued).toHaveLength(5);
    // An original written over a queued copy, and an original dropped into the outbox folder.
    fs.copyFileSync(ct.files[0]!, queued[0]!);
    const stray = path.join(path.dirname(queued[1]!), 'stray.dcm');
    fs.copyFileSync(ct.files[1]!, stray);
    services.sync.engine()!.recover();
    expect(fs.existsSync(stray)).toBe(false);
    fs.copyFileSync(ct.files[1]!, stray);
    services.sync.engine()!.retryNow();
    const result = await pass(services);
    expect(result).toMatchObject({ done: 4, failed: 1, pending: 0 });
    for (const instance of server.stored.values())
      expect(ct.sopInstanceUIDs).not.toContain(instance.sopInstanceUID);
    expect(server.stowRequests.flat()).not.toContain(readDicomHeaderFromFile(ct.files[0]!).sopInstanceUID);
    const status = await services.handlers['sync.status']({});
    expect(status.studies[0]!.error).toContain('changed after de-identification');
  });
});

describe('down: the reader’s tasks come into a second data folder', () => {
  it('finds the assigned study on the server and imports every instance; a second pass fetches nothing', async () => {
    const server = new MemoryDicomWeb();
    const up = await openServices('machine-a', server);
    await importStudy(up, ct.files);
    await up.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    await pass(up);
    const remoteStudy = [...server.stored.values()][0]!.studyInstanceUID;
    const down = await openServices('machine-b', server, [remoteStudy]);
    const result = await pass(down);
    expect(result).toMatchObject({ done: 5, failed: 0, pending: 0, offline: false });
    const detail = await down.handlers['catalog.getStudy']({ studyInstanceUID: remoteStudy });
    expect(detail.series.reduce((n, s) => n + s.numberOfInstances, 0)).toBe(5);
    const status = await down.handlers['sync.status']({});
    expect(status.studies).toEqual([
      expect.objectContaining({ direction: 'down', state: 'synced', done: 5, total: 5 }),
    ]);
    expect(fs.readdirSync(path.join(dir, 'machine-b', 'sync', 'inbox'))).toEqual([]);
    let fetched = 0;
    const fetch = server.fetchInstance.bind(server);
    server.fetchInstance = async (...args) => {
      fetched++;
      return fetch(...args);
    };
    expect(await pass(down)).toMatchObject({ done: 5, pending: 0 });
    expect(fetched).toBe(0);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
