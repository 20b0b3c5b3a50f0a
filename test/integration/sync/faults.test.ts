/**
 * Sync converges through a hostile network (#10 item 4): a loopback proxy of our own
 * (test/support/fault-proxy.ts) in front of a real Orthanc drops 20% of connections, delays,
 * truncates responses and answers 500/503. Machine A uploads a study, machine B pulls it, both
 * through the proxy; afterwards Orthanc holds each instance exactly once and the local state of
 * both machines says so. Also: the network gone entirely pauses sync, and it resumes by itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogConnection } from '../../../main/catalog/catalog.js';
import { CATALOG_FILE_NAME, type Services } from '../../../main/services.js';
import { ensureCtSeries } from '../../fixtures/index.js';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy.js';
import type { Orthanc } from '../../support/orthanc.js';
import {
  type SyncProject,
  importAndWait,
  startSyncProject,
  aliceAndBob,
} from '../../support/sync-project.js';

const SLICES = 12;
const ct = ensureCtSeries({ slices: SLICES, size: 32, seed: 'sync-faults' });
let project: SyncProject;
let orthanc: Orthanc;
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  project = await startSyncProject({
    name: 'sync-faults',
    through: async (server) => {
      proxy = await startFaultProxy({
        target: `http://127.0.0.1:${server.httpPort}`,
        seed: 10,
        maxFaults: 40,
        delayMs: 200,
      });
      return { url: `${proxy.origin}/dicom-web`, stop: () => proxy.stop() };
    },
    env: { RADLABEL_SYNC_BACKOFF_MS: '20,200' },
    manifest: {
      batchInstances: 3,
      readers: aliceAndBob('reviewer'),
    },
  });
  orthanc = project.orthanc!;
  dir = project.dir;
}, 60_000);

afterAll(() => project?.close());

const machine = (name: string, reader: string, background = false): Promise<Services> =>
  project.machine(name, reader, { background });

/** Passes until everything is done (bounded: a sync that does not converge fails the test). */
async function settle(services: Services) {
  return services.sync.runUntilSettled({
    signal: new AbortController().signal,
    shouldStop: (result, passes) => (result.pending === 0 && result.stoppedBy === null) || passes >= 200,
    maxWaitMs: 300,
  });
}

async function orthancInstances(): Promise<string[]> {
  const response = await orthanc.rest('/instances?expand');
  const instances = (await response.json()) as Array<{ MainDicomTags: { SOPInstanceUID: string } }>;
  return instances.map((instance) => instance.MainDicomTags.SOPInstanceUID);
}

function localItems(name: string): Array<{ direction: string; sop_uid: string; state: string }> {
  const db = openCatalogConnection(path.join(dir, name, CATALOG_FILE_NAME));
  try {
    return db
      .prepare<[], { direction: string; sop_uid: string; state: string }>(
        'SELECT direction, sop_uid, state FROM sync_item ORDER BY sop_uid',
      )
      .all();
  } finally {
    db.close();
  }
}

describe('sync through a proxy that drops, delays, truncates and fails', () => {
  it('converges: Orthanc holds each instance exactly once and both machines’ state matches it', async () => {
    const a = await machine('machine-a', 'alice');
    await importAndWait(a, ct.files);
    await a.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    const up = await settle(a);
    expect(up).toMatchObject({ done: SLICES, failed: 0, pending: 0, stoppedBy: null });

    const b = await machine('machine-b', 'bob');
    const down = await settle(b);
    expect(down).toMatchObject({ done: SLICES, failed: 0, pending: 0, stoppedBy: null });

    // Faults really happened, of every kind.
    expect(proxy.counts.drop).toBeGreaterThan(0);
    expect(proxy.counts.truncate + proxy.counts.error500 + proxy.counts.error503).toBeGreaterThan(0);

    const onServer = await orthancInstances();
    expect(onServer).toHaveLength(SLICES);
    expect(new Set(onServer).size).toBe(SLICES);
    const sent = localItems('machine-a').filter((item) => item.direction === 'up');
    expect(sent.map((item) => item.state)).toEqual(Array(SLICES).fill('sent'));
    expect(sent.map((item) => item.sop_uid).sort()).toEqual([...onServer].sort());
    const pulled = localItems('machine-b').filter((item) => item.direction === 'down');
    expect(pulled.map((item) => item.state)).toEqual(Array(SLICES).fill('imported'));
    expect(pulled.map((item) => item.sop_uid).sort()).toEqual([...onServer].sort());
    const remoteStudy = (await b.handlers['sync.status']({})).studies[0]!.studyInstanceUID;
    const detail = await b.handlers['catalog.getStudy']({ studyInstanceUID: remoteStudy });
    expect(detail.series.reduce((n, s) => n + s.numberOfInstances, 0)).toBe(SLICES);
    // Nothing left behind in the outbox or the inbox.
    const leftovers = (name: string) =>
      fs
        .readdirSync(path.join(dir, name, 'sync'), { recursive: true })
        .filter((f) => /\.(dcm|partial|tmp)$/.test(String(f)));
    expect(leftovers('machine-a')).toEqual([]);
    expect(leftovers('machine-b')).toEqual([]);
  }, 240_000);

  it('pauses while the network is gone and resumes by itself when it is back', async () => {
    proxy.setFaults(false);
    const other = ensureCtSeries({ slices: 3, size: 32, seed: 'sync-faults-offline' });
    const c = await machine('machine-c', 'alice', true);
    await importAndWait(c, other.files);
    proxy.setOffline(true);
    await c.handlers['sync.selectStudies']({ studyInstanceUIDs: [other.studyInstanceUID] });
    await waitFor(async () => (await c.handlers['sync.status']({})).state === 'offline');
    const offline = await c.handlers['sync.status']({});
    expect(offline.lastError).toMatch(/cannot be reached/);
    expect(offline.studies[0]).toMatchObject({ state: 'uploading', done: 0 });
    proxy.setOffline(false);
    await waitFor(async () => (await c.handlers['sync.status']({})).studies[0]?.state === 'synced');
    expect((await orthancInstances()).length).toBe(SLICES + 3);
  }, 120_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
