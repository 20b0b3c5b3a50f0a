/**
 * SR and SEG objects a sender stores on the receiver that do not become annotations as they are
 * (main/pacs/service.ts, `pacs.receivedProblems`): on the whole services, as the app runs them. A
 * hostile SEG (NumberOfFrames 2147483647) imported from a folder is the import status's business,
 * not the receiver's; one sent with storescu is stored (status 0000) and listed with the sender's
 * AE title and main's reason, by the method and by the event; the good SEG and the CT are not.
 * The list is the catalog's (migration 0025): the services closed and opened again on the same
 * data folder list it as before; Clear empties it, for good, with an audit entry.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../../shared/contract.js';
import type { Services } from '../../../main/services.js';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { type AiSegFixture, writeHostileLesionSeg, writeLesionSeg } from '../../support/ai-fixtures.js';
import { importAndWait } from '../../support/import.js';
import { freePort } from '../../support/orthanc.js';
import { openTestServices } from '../../support/services.js';
import { fixedKey } from '../deid-app/harness.js';

const execFileAsync = promisify(execFile);

let dir: string;
let services: Services;
let ct: CtSeries;
let good: AiSegFixture;
let importedHostile: AiSegFixture;
let sentHostile: AiSegFixture;
const imported: Array<EventOf<'annotation.imported'>> = [];
const listed: Array<EventOf<'pacs.receivedProblems'>> = [];
let listedBeforeRestart: EventOf<'pacs.receivedProblems'> | null = null;

async function until<T>(what: string, probe: () => T | null | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(() => {
  dir = makeTempDir('pacs-received-problems');
  ct = ensureCtSeries({ slices: 4, size: 64, seed: 'pacs-received-problems' });
  good = writeLesionSeg(ct.files, path.join(dir, 'objects', 'GOOD-SEG.dcm'));
  importedHostile = writeHostileLesionSeg(ct.files, path.join(dir, 'objects', 'IMPORTED-HOSTILE-SEG.dcm'));
  sentHostile = writeHostileLesionSeg(ct.files, path.join(dir, 'objects', 'SENT-HOSTILE-SEG.dcm'));
  services = openTestServices(path.join(dir, 'data'), { keyProvider: fixedKey('pacs-received-problems') });
  services.events.subscribe((event) => {
    if (event.name === 'annotation.imported') imported.push(event.payload);
    if (event.name === 'pacs.receivedProblems') listed.push(event.payload);
  });
});

afterAll(async () => {
  await services?.close();
});

describe('received SR and SEG objects with problems', () => {
  it('a hostile SEG imported from a folder is not the receiver’s', async () => {
    await importAndWait(services, [...ct.files, importedHostile.file]);
    await until('the annotation import of the folder', () =>
      imported.some((event) => event.objects.some((o) => o.sopInstanceUID === importedHostile.sopInstanceUID))
        ? true
        : null,
    );
    expect(await services.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 })).toEqual({
      objects: [],
      total: 0,
      offset: 0,
    });
    expect(listed).toEqual([]);
  });

  it('a hostile SEG sent by a PACS is stored and listed with the sender and main’s reason', async () => {
    const port = await freePort();
    const saved = await services.handlers['pacs.saveSettings']({
      enabled: true,
      aeTitle: 'RADLABEL',
      port,
      bindAddress: '127.0.0.1',
      allowedCallers: [{ aeTitle: 'MODALITY', host: '' }],
      acceptAnyCaller: false,
    });
    expect(saved.status.running).toBe(true);
    // storescu exits 0 only when every object got a success status.
    await execFileAsync('storescu', [
      '-R',
      '-nh',
      '-aet',
      'MODALITY',
      '-aec',
      'RADLABEL',
      '127.0.0.1',
      String(port),
      good.file,
      sentHostile.file,
    ]);
    // Logged before the sender was answered: listed as soon as storescu is done.
    const answer = await services.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 });
    expect(answer.total).toBe(1);
    const event = await until('pacs.receivedProblems', () => listed.at(-1));
    expect(answer).toEqual(event);
    expect(answer.objects).toEqual([
      {
        studyInstanceUID: ct.studyInstanceUID,
        sopInstanceUID: sentHostile.sopInstanceUID,
        kind: 'seg',
        callingAeTitle: 'MODALITY',
        receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        problems: ['This segmentation has no valid number of frames.'],
      },
    ]);
    // Both SEGs are stored (the sender was told success); the good one became a segmentation.
    const instances = await services.handlers['catalog.listInstances']({
      seriesInstanceUID: (
        await services.handlers['catalog.getStudy']({ studyInstanceUID: ct.studyInstanceUID })
      ).series
        .filter((series) => series.modality === 'SEG')
        .map((series) => series.seriesInstanceUID)[0]!,
    });
    expect(instances.length).toBeGreaterThanOrEqual(1);
    // A later import into the study reports the received objects again: still one row.
    const another = writeLesionSeg(ct.files, path.join(dir, 'objects', 'ANOTHER-SEG.dcm'));
    const reports = imported.length;
    await importAndWait(services, [another.file]);
    await until('the annotation import of the later file', () =>
      imported
        .slice(reports)
        .some((report) => report.objects.some((o) => o.sopInstanceUID === sentHostile.sopInstanceUID))
        ? true
        : null,
    );
    expect(await services.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 })).toEqual(answer);
    listedBeforeRestart = answer;
  });

  it('lists them after the services are closed and opened again on the same data folder', async () => {
    expect(listedBeforeRestart?.total).toBe(1);
    await services.close();
    services = openTestServices(path.join(dir, 'data'), { keyProvider: fixedKey('pacs-received-problems') });
    expect(await services.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 })).toEqual(
      listedBeforeRestart,
    );
    // A page past the end is empty, the count still there.
    expect(await services.handlers['pacs.receivedProblems']({ offset: 100, limit: 100 })).toEqual({
      objects: [],
      total: 1,
      offset: 100,
    });
  });

  it('clears the list for good, with an audit entry and the event', async () => {
    const events: Array<EventOf<'pacs.receivedProblems'>> = [];
    const off = services.events.subscribe((event) => {
      if (event.name === 'pacs.receivedProblems') events.push(event.payload);
    });
    expect(await services.handlers['pacs.clearReceivedProblems']({})).toEqual({ cleared: 1 });
    off();
    const empty = { objects: [], total: 0, offset: 0 };
    expect(events).toEqual([empty]);
    expect(await services.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 })).toEqual(empty);
    const audit = await services.handlers['audit.list']({ action: 'delete', limit: 100, offset: 0 });
    expect(audit.entries.map((entry) => [entry.subject, entry.detail, entry.outcome])).toContainEqual([
      'pacs-received-problems',
      { rows: 1 },
      'ok',
    ]);
    await services.close();
    services = openTestServices(path.join(dir, 'data'), { keyProvider: fixedKey('pacs-received-problems') });
    expect(await services.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 })).toEqual(empty);
  });
});
