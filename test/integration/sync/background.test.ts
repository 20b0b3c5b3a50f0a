/**
 * Background sync in the app (#10 item 6): with a project loaded, the workstation syncs on its own,
 * against a real Orthanc + DICOMweb. A study chosen while nothing runs goes up without "sync now";
 * an idle workstation's next pass comes at the manifest's interval (1 minute here, the shortest a
 * manifest allows) and brings the reader's new task down, again without anyone asking. Waits are
 * for states, bounded; the only lower bound is the interval's own timer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../main/services.js';
import { ensureCtSeries } from '../../fixtures/index.js';
import type { Orthanc } from '../../support/orthanc.js';
import { type SyncProject, startSyncProject, aliceAndBob } from '../../support/sync-project.js';

const N = 3;
const ct = ensureCtSeries({ slices: N, size: 16, seed: 'sync-background' });
const INTERVAL_MINUTES = 1;
let project: SyncProject;
let orthanc: Orthanc;

beforeAll(async () => {
  project = await startSyncProject({
    name: 'sync-background',
    manifest: {
      intervalMinutes: INTERVAL_MINUTES,
      readers: aliceAndBob('annotator'),
    },
  });
  orthanc = project.orthanc!;
}, 60_000);

afterAll(() => project?.close());

/** A workstation as the app runs it: background sync on, the project loaded from the panel. */
const machine = (name: string, reader: string): Promise<Services> =>
  project.machine(name, reader, { background: true, load: 'handler' });

async function until<T>(what: string, ms: number, read: () => Promise<T>, ok: (value: T) => boolean) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('background sync at the manifest’s interval (real Orthanc)', () => {
  it('a study chosen while idle goes up without "sync now"; an idle workstation pulls its new task at the interval', async () => {
    // B, an idle workstation with a task by clinical-trial attributes: nothing on the server yet.
    const b = await machine('machine-b', 'bob');
    const bLoadedAt = Date.now();
    const bPasses: number[] = [];
    b.events.subscribe((event) => {
      if (event.name === 'sync.state' && event.payload.state === 'syncing') bPasses.push(Date.now());
    });
    expect((await b.handlers['sync.status']({})).project?.intervalMinutes).toBe(INTERVAL_MINUTES);

    // A chooses a study and nobody presses "sync now": the scheduler sends it.
    const a = await machine('machine-a', 'alice');
    const { jobId } = await a.handlers['import.start']({ paths: ct.files });
    await until(
      'the import',
      60_000,
      () => a.handlers['import.status']({ jobId }),
      (s) => !!s.finishedAt,
    );
    await until(
      'A idle after loading',
      30_000,
      () => a.handlers['sync.status']({}),
      (s) => s.state === 'idle',
    );
    await a.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    const up = await until(
      'the chosen study synced',
      120_000,
      () => a.handlers['sync.status']({}),
      // The pass's end, not only its items: the study reads synced before the pass records its time.
      (s) => s.studies.some((study) => study.state === 'synced') && s.lastSyncAt !== null,
    );
    expect(up.studies).toEqual([
      expect.objectContaining({ direction: 'up', state: 'synced', done: N, total: N }),
    ]);
    expect(up.lastSyncAt).not.toBeNull();
    expect((await (await orthanc.rest('/instances')).json()) as string[]).toHaveLength(N);

    // B's next pass comes at the interval, not before, and brings the study down.
    const down = await until(
      'B pulling its task',
      INTERVAL_MINUTES * 60_000 + 120_000,
      () => b.handlers['sync.status']({}),
      (s) => s.studies.some((study) => study.direction === 'down' && study.state === 'synced'),
    );
    expect(down.studies).toEqual([
      expect.objectContaining({ direction: 'down', state: 'synced', done: N, total: N }),
    ]);
    expect(bPasses.length).toBeGreaterThan(0);
    // Timers never fire early: the first pass waited for the interval (a little slack for clocks).
    expect(bPasses[0]! - bLoadedAt).toBeGreaterThanOrEqual(INTERVAL_MINUTES * 60_000 - 1_000);
  }, 300_000);
});
