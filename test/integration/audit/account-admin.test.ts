/**
 * Account management through the services as the hosts serve them (#12 item 5, docs/accounts.md):
 * role checks are made in main (a reader calling an administrator method is `forbidden`), the last
 * enabled administrator stays, a disabled reader cannot sign in while their annotations keep their
 * author, a reset password must be changed before anything else, a reader changes their own
 * password, the password rule and the lockout policy apply, and every change leaves an audit entry.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runInSession } from '../../../main/account/sessions.js';
import type { Services } from '../../../main/services.js';
import type { ReaderAccountView } from '../../../shared/audit.js';
import { makeTempDir } from '../../fixtures/index.js';
import { importPaths, plantStudy } from '../cache/planted.js';
import { call, ok, openServices } from './session-rpc.js';

const scratch = makeTempDir('account-admin');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((services) => services.close()));
});

const ADMIN = 'admin-page';
const ALICE = 'alice-page';

async function start(): Promise<Services> {
  const services = openServices(scratch);
  open.push(services);
  await ok(services, ADMIN, 'account.createFirst', { username: 'admin', password: 'admin-password' });
  await ok(services, ADMIN, 'account.create', { username: 'alice', password: 'alice-password' });
  return services;
}

async function refused(services: Services, session: string, method: string, payload: unknown = {}) {
  const result = await call(services, session, method, payload);
  if (result.ok) throw new Error(`${method} was allowed`);
  return result.error;
}

async function accountEntries(services: Services) {
  const { entries } = await ok<{
    entries: {
      action: string;
      reader: string;
      subject: string;
      outcome: string;
      detail: Record<string, unknown>;
    }[];
  }>(services, ADMIN, 'audit.list', { action: 'account', limit: 100 });
  return entries;
}

async function account(services: Services, readerId: string): Promise<ReaderAccountView> {
  const list = await ok<ReaderAccountView[]>(services, ADMIN, 'account.list');
  return list.find((candidate) => candidate.readerId === readerId)!;
}

describe('account management', { timeout: 120_000 }, () => {
  it('refuses every administrator method to a reader in main, whatever the interface shows', async () => {
    const services = await start();
    await ok(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' });
    const attempts: [string, unknown][] = [
      ['account.list', {}],
      ['account.create', { username: 'mallory', password: 'mallory-password' }],
      ['account.update', { readerId: 'alice', role: 'admin' }],
      ['account.resetPassword', { readerId: 'admin', password: 'taken-over-1' }],
      ['account.setDisabled', { readerId: 'admin', disabled: true }],
      ['account.saveSettings', { idleLockSeconds: 0 }],
      ['audit.list', {}],
    ];
    for (const [method, payload] of attempts)
      expect(await refused(services, ALICE, method, payload), method).toMatchObject({ code: 'forbidden' });
    // Nothing changed.
    const list = await ok<ReaderAccountView[]>(services, ADMIN, 'account.list');
    expect(list.map((item) => [item.username, item.role, item.disabled])).toEqual([
      ['admin', 'admin', false],
      ['alice', 'reader', false],
    ]);
    expect(
      (await ok<{ settings: { idleLockSeconds: number } }>(services, ADMIN, 'account.state')).settings
        .idleLockSeconds,
    ).toBe(600);
    // Signed out, the same calls are refused as signed out.
    expect(await refused(services, 'nobody-page', 'account.list')).toMatchObject({ code: 'signed-out' });
  });

  it('keeps the last enabled administrator: neither demoted nor disabled; with a second one both work', async () => {
    const services = await start();
    expect(
      await refused(services, ADMIN, 'account.update', { readerId: 'admin', role: 'reader' }),
    ).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/last administrator/),
    });
    expect(
      await refused(services, ADMIN, 'account.setDisabled', { readerId: 'admin', disabled: true }),
    ).toMatchObject({
      code: 'conflict',
    });
    await ok(services, ADMIN, 'account.update', {
      readerId: 'alice',
      role: 'admin',
      displayName: 'Dr Alice',
    });
    expect(await account(services, 'alice')).toMatchObject({ role: 'admin', displayName: 'Dr Alice' });
    // Alice, now an administrator, demotes the first one; Alice is then the last and stays.
    await ok(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' });
    await ok(services, ALICE, 'account.update', { readerId: 'admin', role: 'reader' });
    expect(
      await refused(services, ALICE, 'account.setDisabled', { readerId: 'alice', disabled: true }),
    ).toMatchObject({
      code: 'conflict',
    });
    // The demoted administrator's open session lost the role at once.
    expect(await refused(services, ADMIN, 'account.list')).toMatchObject({ code: 'forbidden' });
    const { entries } = await ok<{
      entries: { reader: string; subject: string; detail: Record<string, unknown> }[];
    }>(services, ALICE, 'audit.list', { action: 'account' });
    expect(entries.filter((entry) => entry.detail.role)).toMatchObject([
      { reader: 'alice', subject: 'admin', detail: { role: 'admin->reader' } },
      { reader: 'admin', subject: 'alice', detail: { role: 'reader->admin' } },
    ]);
  });

  it('refuses a disabled reader at sign-in with a clear message, ends their session, keeps their annotations', async () => {
    const services = await start();
    const study = plantStudy(scratch, 'DISABLED');
    await runInSession(ADMIN, () => importPaths(services, [study.dir]));
    await ok(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' });
    await ok(services, ALICE, 'annotation.save', {
      versions: [
        {
          versionId: crypto.randomUUID(),
          annotationUid: crypto.randomUUID(),
          parentIds: [],
          studyInstanceUID: study.studyInstanceUID,
          kind: 'measurement',
          tool: 'Length',
          attributes: {},
          data: { data: { handles: { points: [] } } },
        },
      ],
    });

    expect(
      await ok(services, ADMIN, 'account.setDisabled', { readerId: 'alice', disabled: true }),
    ).toMatchObject({
      disabled: true,
    });
    expect(await refused(services, ALICE, 'catalog.listStudies', {})).toMatchObject({ code: 'signed-out' });
    expect(
      await refused(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' }),
    ).toMatchObject({ code: 'signed-out', message: expect.stringMatching(/disabled.*administrator/) });
    // A wrong password does not reveal that the account is disabled.
    expect(
      await refused(services, ALICE, 'account.signIn', { username: 'alice', password: 'wrong-password' }),
    ).toMatchObject({ message: expect.stringMatching(/not right/) });
    const heads = await ok<{ heads: { author: string }[] }>(services, ADMIN, 'annotation.list', {
      studyInstanceUID: study.studyInstanceUID,
    });
    expect(heads.heads.map((head) => head.author)).toEqual(['alice']);

    await ok(services, ADMIN, 'account.setDisabled', { readerId: 'alice', disabled: false });
    await ok(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' });
    const entries = await accountEntries(services);
    expect(entries.slice(0, 2)).toMatchObject([
      { reader: 'admin', subject: 'alice', detail: { enabled: true } },
      { reader: 'admin', subject: 'alice', detail: { disabled: true, sessionsEnded: 1 } },
    ]);
    const { entries: failures } = await ok<{ entries: { detail: { reason: string } }[] }>(
      services,
      ADMIN,
      'audit.list',
      { action: 'sign-in-failed' },
    );
    expect(failures.map((entry) => entry.detail.reason)).toContain('disabled');
  });

  it('a reset password signs the reader out and must be changed at the next sign-in before anything else', async () => {
    const services = await start();
    await ok(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' });
    await ok(services, ADMIN, 'account.resetPassword', { readerId: 'alice', password: 'temporary-1' });
    expect(await account(services, 'alice')).toMatchObject({ mustChangePassword: true });
    expect(await refused(services, ALICE, 'catalog.listStudies', {})).toMatchObject({ code: 'signed-out' });
    expect(
      await refused(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' }),
    ).toMatchObject({ code: 'signed-out' });

    const signedIn = await ok<{ reader: ReaderAccountView }>(services, ALICE, 'account.signIn', {
      username: 'alice',
      password: 'temporary-1',
    });
    expect(signedIn.reader.mustChangePassword).toBe(true);
    expect(await refused(services, ALICE, 'catalog.listStudies', {})).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/choose a new one/),
    });
    expect(
      await refused(services, ALICE, 'account.changePassword', {
        currentPassword: 'temporary-1',
        newPassword: 'temporary-1',
      }),
    ).toMatchObject({ code: 'invalid-request' });
    const changed = await ok<{ reader: ReaderAccountView }>(services, ALICE, 'account.changePassword', {
      currentPassword: 'temporary-1',
      newPassword: 'alice-own-2',
    });
    expect(changed.reader.mustChangePassword).toBe(false);
    expect((await call(services, ALICE, 'catalog.listStudies', {})).ok).toBe(true);

    const entries = await accountEntries(services);
    expect(entries.slice(0, 2)).toMatchObject([
      { reader: 'alice', subject: 'alice', detail: { passwordChanged: true } },
      { reader: 'admin', subject: 'alice', detail: { passwordReset: true, sessionsEnded: 1 } },
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/temporary-1|alice-own-2/);
  });

  it('a reader changes their own password: the current one is checked, the old one stops working', async () => {
    const services = await start();
    await ok(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' });
    expect(
      await refused(services, ALICE, 'account.changePassword', {
        currentPassword: 'not-my-password',
        newPassword: 'alice-new-password',
      }),
    ).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/current password/) });
    await ok(services, ALICE, 'account.changePassword', {
      currentPassword: 'alice-password',
      newPassword: 'alice-new-password',
    });
    await ok(services, ALICE, 'account.signOut');
    expect(
      await refused(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' }),
    ).toMatchObject({ code: 'signed-out' });
    await ok(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-new-password' });
    // Signed out, there is no password to change.
    expect(
      await refused(services, 'nobody-page', 'account.changePassword', {
        currentPassword: 'x',
        newPassword: 'alice-new-password-2',
      }),
    ).toMatchObject({ code: 'signed-out' });
  });

  it('applies the password rule to new accounts, resets and changes', async () => {
    const services = await start();
    for (const [password, message] of [
      ['short-1', /at least 8/],
      ['onlyletters', /two kinds/],
      ['12345678', /two kinds/],
      ['carol.smith', /not the user name/],
    ] as const)
      expect(
        await refused(services, ADMIN, 'account.create', { username: 'carol.smith', password }),
        password,
      ).toMatchObject({ code: 'invalid-request', message: expect.stringMatching(message) });
    expect(
      await refused(services, ADMIN, 'account.resetPassword', { readerId: 'alice', password: 'weakweak' }),
    ).toMatchObject({
      code: 'invalid-request',
    });
    await ok(services, ADMIN, 'account.create', { username: 'carol.smith', password: 'carol 2026' });
  });

  it('lists created, last sign-in and lockout; the lockout policy from the settings applies', async () => {
    const services = await start();
    const saved = await ok(services, ADMIN, 'account.saveSettings', {
      lockoutAfter: 2,
      lockoutSeconds: 60,
      lockoutMaxSeconds: 120,
    });
    // Fields left out keep their value.
    expect(saved).toEqual({
      idleLockSeconds: 600,
      blinded: false,
      lockoutAfter: 2,
      lockoutSeconds: 60,
      lockoutMaxSeconds: 120,
    });
    const before = await account(services, 'alice');
    expect(before).toMatchObject({ lastSignInAt: null, lockedUntil: 0 });
    expect(before.createdAt).toBeGreaterThan(Date.now() - 120_000);
    await refused(services, ALICE, 'account.signIn', { username: 'alice', password: 'wrong-password-1' });
    const locked = await refused(services, ALICE, 'account.signIn', {
      username: 'alice',
      password: 'wrong-password-2',
    });
    expect(locked.message).toMatch(/try again in (59|60) s/);
    const lockedOut = await account(services, 'alice');
    expect(lockedOut.lockedUntil - Date.now()).toBeGreaterThan(50_000);
    expect(lockedOut.lockedUntil - Date.now()).toBeLessThanOrEqual(60_000);
    // The administrator ends the lockout by enabling again (a reset would too).
    await ok(services, ADMIN, 'account.setDisabled', { readerId: 'alice', disabled: false });
    await ok(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' });
    const after = await account(services, 'alice');
    expect(after.lockedUntil).toBe(0);
    expect(after.lastSignInAt).toBeGreaterThanOrEqual(before.createdAt);
    expect(
      await refused(services, ADMIN, 'account.saveSettings', { lockoutSeconds: 300, lockoutMaxSeconds: 100 }),
    ).toMatchObject({ code: 'invalid-request' });
    const { entries } = await ok<{ entries: { detail: Record<string, unknown> }[] }>(
      services,
      ADMIN,
      'audit.list',
      {
        action: 'settings',
      },
    );
    expect(entries[0]!.detail).toMatchObject({ lockoutAfter: 2, lockoutSeconds: 60, lockoutMaxSeconds: 120 });
  });
});
