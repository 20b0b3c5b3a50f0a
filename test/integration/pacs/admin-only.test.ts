/**
 * Who may change the PACS receiver (docs/pacs.md "Who may change it"), through the services as the
 * hosts serve them: without reader accounts the workstation's one user may do everything; with
 * accounts a reader sees the settings, the nodes and the received problems but is refused
 * (`forbidden`, a clear message) when saving the settings, saving or deleting a node, or clearing
 * the list, and nothing changes; an administrator may. Each change and each refusal leaves an audit
 * entry.
 */
import fs from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../../../main/services.js';
import type { PacsLocalSettings, PacsNode, PacsSettingsView } from '../../../shared/pacs.js';
import { makeTempDir } from '../../fixtures/index.js';
import { call, ok, openServices } from '../audit/session-rpc.js';

const scratch = makeTempDir('pacs-admin-only');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((services) => services.close()));
});

const ADMIN = 'admin-page';
const ALICE = 'alice-page';

const LOCAL: PacsLocalSettings = {
  enabled: false,
  aeTitle: 'RADLAB_RR3',
  port: 11112,
  bindAddress: '127.0.0.1',
  allowedCallers: [{ aeTitle: 'MODALITY', host: '' }],
  acceptAnyCaller: false,
};
const NODE = { name: 'Hospital PACS', aeTitle: 'HOSPACS', host: '127.0.0.1', port: 104 };

function start(): Services {
  const services = openServices(scratch);
  open.push(services);
  return services;
}

interface Entry {
  action: string;
  reader: string;
  subject: string;
  outcome: string;
  detail: Record<string, unknown>;
}

async function pacsEntries(services: Services, session: string): Promise<Entry[]> {
  const { entries } = await ok<{ entries: Entry[] }>(services, session, 'audit.list', { limit: 200 });
  return entries.filter((entry) => entry.subject.startsWith('pacs-')).reverse();
}

describe('PACS settings: administrators only when there are reader accounts', { timeout: 60_000 }, () => {
  it('without accounts, the one user changes the settings and the nodes and clears the list', async () => {
    const services = start();
    const before = await ok<PacsSettingsView>(services, 's', 'pacs.getSettings');
    expect(before.mayChange).toBe(true);
    const saved = await ok<PacsSettingsView>(services, 's', 'pacs.saveSettings', LOCAL);
    expect(saved).toMatchObject({ local: LOCAL, mayChange: true });
    const node = await ok<PacsNode>(services, 's', 'pacs.saveNode', NODE);
    await ok(services, 's', 'pacs.saveNode', { ...NODE, id: node.id, name: 'Renamed' });
    await ok(services, 's', 'pacs.deleteNode', { id: node.id });
    expect(await ok(services, 's', 'pacs.clearReceivedProblems')).toEqual({ cleared: 0 });
    expect(
      (await pacsEntries(services, 's')).map((entry) => [
        entry.action,
        entry.subject,
        entry.outcome,
        entry.detail,
      ]),
    ).toEqual([
      [
        'settings',
        'pacs-receiver',
        'ok',
        { enabled: false, aeTitle: 'RADLAB_RR3', port: 11112, allowedCallers: 1, acceptAnyCaller: false },
      ],
      ['settings', 'pacs-nodes', 'ok', { node: node.id, added: true }],
      ['settings', 'pacs-nodes', 'ok', { node: node.id, changed: true }],
      ['settings', 'pacs-nodes', 'ok', { node: node.id, deleted: true }],
      ['delete', 'pacs-received-problems', 'ok', { rows: 0 }],
    ]);
  });

  it('with accounts, a reader sees them and is refused every change; the administrator is not', async () => {
    const services = start();
    await ok(services, ADMIN, 'account.createFirst', { username: 'admin', password: 'admin-password' });
    await ok(services, ADMIN, 'account.create', { username: 'alice', password: 'alice-password' });
    await ok(services, ALICE, 'account.signIn', { username: 'alice', password: 'alice-password' });
    await ok(services, ADMIN, 'pacs.saveSettings', LOCAL);
    const node = await ok<PacsNode>(services, ADMIN, 'pacs.saveNode', NODE);

    // The reader sees everything as it is, read-only.
    const seen = await ok<PacsSettingsView>(services, ALICE, 'pacs.getSettings');
    expect(seen).toMatchObject({ local: LOCAL, mayChange: false });
    expect(await ok(services, ALICE, 'pacs.listNodes')).toEqual([node]);
    expect(await ok(services, ALICE, 'pacs.receivedProblems', {})).toEqual({
      objects: [],
      total: 0,
      offset: 0,
    });

    // Every change is refused in main, with a message that says why; nothing changes.
    const attempts: Array<[string, unknown, string]> = [
      [
        'pacs.saveSettings',
        { ...LOCAL, enabled: true, acceptAnyCaller: true },
        'Only an administrator can change the PACS settings.',
      ],
      [
        'pacs.saveNode',
        { ...NODE, id: node.id, host: '10.0.0.66' },
        'Only an administrator can change the PACS nodes.',
      ],
      ['pacs.saveNode', { ...NODE, aeTitle: 'ROGUE' }, 'Only an administrator can change the PACS nodes.'],
      ['pacs.deleteNode', { id: node.id }, 'Only an administrator can change the PACS nodes.'],
      [
        'pacs.clearReceivedProblems',
        {},
        'Only an administrator can clear the list of received objects with problems.',
      ],
    ];
    for (const [method, payload, message] of attempts) {
      const result = await call(services, ALICE, method, payload);
      expect(result, method).toMatchObject({ ok: false, error: { code: 'forbidden', message } });
    }
    expect(await ok(services, ADMIN, 'pacs.getSettings')).toMatchObject({ local: LOCAL, mayChange: true });
    expect(await ok(services, ADMIN, 'pacs.listNodes')).toEqual([node]);

    // The administrator may.
    await ok(services, ADMIN, 'pacs.saveSettings', { ...LOCAL, port: 11113 });
    expect(await ok(services, ADMIN, 'pacs.clearReceivedProblems')).toEqual({ cleared: 0 });

    const entries = await pacsEntries(services, ADMIN);
    const alice = entries.filter((entry) => entry.reader === 'alice');
    expect(alice.map((entry) => [entry.action, entry.subject, entry.outcome, entry.detail])).toEqual([
      ['settings', 'pacs-receiver', 'refused', { code: 'forbidden' }],
      ['settings', 'pacs-nodes', 'refused', { code: 'forbidden' }],
      ['settings', 'pacs-nodes', 'refused', { code: 'forbidden' }],
      ['settings', 'pacs-nodes', 'refused', { code: 'forbidden' }],
      ['delete', 'pacs-received-problems', 'refused', { code: 'forbidden' }],
    ]);
    expect(
      entries.filter((entry) => entry.reader === 'admin').map((entry) => [entry.subject, entry.outcome]),
    ).toEqual([
      ['pacs-receiver', 'ok'],
      ['pacs-nodes', 'ok'],
      ['pacs-receiver', 'ok'],
      ['pacs-received-problems', 'ok'],
    ]);
  });
});
