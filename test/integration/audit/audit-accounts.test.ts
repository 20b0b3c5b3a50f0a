/**
 * Issue #12 items 4 and 5 through the services as the hosts serve them: each audited action leaves
 * an entry with the reader, no entry carries a planted patient marker or UID (rows and CSV), the
 * chain verifies; sign-in turns on with the first account, a signed-out or locked session is
 * refused with a typed error, and blinded readers do not see each other's annotations.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../../../main/services.js';
import { makeTempDir } from '../../fixtures/index.js';
import { importPaths, plantStudy } from '../cache/planted.js';
import { call, ok, openServices } from './session-rpc.js';

const scratch = makeTempDir('audit-accounts');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((services) => services.close()));
});

function start(): Services {
  const services = openServices(scratch);
  open.push(services);
  return services;
}

function measurement(studyInstanceUID: string) {
  return {
    versionId: crypto.randomUUID(),
    annotationUid: crypto.randomUUID(),
    parentIds: [],
    studyInstanceUID,
    kind: 'measurement',
    tool: 'Length',
    attributes: {},
    data: { data: { handles: { points: [] } } },
  };
}

describe('audit log through the services', () => {
  it('records import, view, annotate, delete with the reader and no PHI in rows or CSV', async () => {
    const services = start();
    const study = plantStudy(scratch, 'AUDIT');
    await importPaths(services, [study.dir]);
    await ok(services, 's', 'catalog.getStudy', { studyInstanceUID: study.studyInstanceUID });
    await ok(services, 's', 'annotation.save', { versions: [measurement(study.studyInstanceUID)] });
    await ok(services, 's', 'cache.deleteStudy', { studyInstanceUID: study.studyInstanceUID });
    // The import's result entry is written when its job ends.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const { entries } = await ok<{ entries: { action: string; subject: string; reader: string }[] }>(
      services,
      's',
      'audit.list',
      { limit: 100 },
    );
    const actions = entries.map((entry) => entry.action);
    for (const action of ['import', 'view', 'annotate', 'delete']) expect(actions).toContain(action);
    const studyEntries = entries.filter((entry) => ['view', 'annotate', 'delete'].includes(entry.action));
    expect(new Set(studyEntries.map((entry) => entry.subject)).size).toBe(1);
    expect(studyEntries[0]!.subject).toBe(services.account.audit.pseudonym('study', study.studyInstanceUID));

    const { csv } = await ok<{ csv: string }>(services, 's', 'audit.exportCsv', {});
    const needles = [
      study.marker,
      study.patientName,
      study.patientId,
      study.studyInstanceUID,
      study.seriesInstanceUID,
      ...study.sopInstanceUIDs,
    ];
    const rows = JSON.stringify(entries);
    for (const needle of needles) {
      expect(rows).not.toContain(needle);
      expect(csv).not.toContain(needle);
    }
    expect(await ok(services, 's', 'audit.verify')).toMatchObject({ ok: true });
  });
});

describe('shared workstation sign-in', { timeout: 60_000 }, () => {
  it('is open until the first account exists, then refuses signed-out and locked sessions', async () => {
    const services = start();
    expect(await ok(services, 'page-a-0001', 'account.state')).toMatchObject({
      firstRun: true,
      required: false,
    });
    expect((await call(services, 'page-a-0001', 'catalog.listStudies', {})).ok).toBe(true);

    await ok(services, 'page-a-0001', 'account.createFirst', {
      username: 'admin',
      password: 'correct horse 1',
    });
    const refused = await call(services, 'page-b-0001', 'catalog.listStudies', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'signed-out' } });
    expect((await call(services, 'page-a-0001', 'catalog.listStudies', {})).ok).toBe(true);

    await ok(services, 'page-a-0001', 'account.lock');
    expect(await call(services, 'page-a-0001', 'catalog.listStudies', {})).toMatchObject({
      ok: false,
      error: { code: 'session-locked' },
    });
    expect(
      await call(services, 'page-a-0001', 'account.unlock', { password: 'wrong password' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'session-locked' },
    });
    await ok(services, 'page-a-0001', 'account.unlock', { password: 'correct horse 1' });
    expect((await call(services, 'page-a-0001', 'catalog.listStudies', {})).ok).toBe(true);

    await ok(services, 'page-a-0001', 'account.signOut');
    expect(await call(services, 'page-a-0001', 'catalog.listStudies', {})).toMatchObject({
      ok: false,
      error: { code: 'signed-out' },
    });
  });

  it('annotations carry the signed-in reader; blinded readers see only their own', async () => {
    const services = start();
    const study = plantStudy(scratch, 'BLIND');
    await importPaths(services, [study.dir]);
    await ok(services, 'admin-page-1', 'account.createFirst', {
      username: 'admin',
      password: 'admin-password',
    });
    await ok(services, 'admin-page-1', 'account.create', { username: 'alice', password: 'alice-password' });
    await ok(services, 'admin-page-1', 'account.create', { username: 'bob', password: 'bob-password1' });
    await ok(services, 'admin-page-1', 'account.saveSettings', { idleLockSeconds: 600, blinded: true });
    // A reader is not an administrator.
    await ok(services, 'alice-page-1', 'account.signIn', { username: 'alice', password: 'alice-password' });
    expect(await call(services, 'alice-page-1', 'audit.list', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await ok(services, 'bob-page-001', 'account.signIn', { username: 'bob', password: 'bob-password1' });

    await ok(services, 'alice-page-1', 'annotation.save', {
      versions: [measurement(study.studyInstanceUID)],
    });
    const alice = await ok<{ heads: { author: string }[] }>(services, 'alice-page-1', 'annotation.list', {
      studyInstanceUID: study.studyInstanceUID,
    });
    expect(alice.heads.map((head) => head.author)).toEqual(['alice']);
    const bob = await ok<{ heads: unknown[] }>(services, 'bob-page-001', 'annotation.list', {
      studyInstanceUID: study.studyInstanceUID,
    });
    expect(bob.heads).toEqual([]);
    const uid = (alice.heads[0] as unknown as { annotationUid: string }).annotationUid;
    expect(await ok(services, 'bob-page-001', 'annotation.history', { annotationUid: uid })).toEqual([]);
    expect(
      await ok<unknown[]>(services, 'alice-page-1', 'annotation.history', { annotationUid: uid }),
    ).toHaveLength(1);

    const { entries } = await ok<{ entries: { action: string; reader: string }[] }>(
      services,
      'admin-page-1',
      'audit.list',
      { action: 'annotate' },
    );
    expect(entries.map((entry) => entry.reader)).toEqual(['alice']);
  });
});
