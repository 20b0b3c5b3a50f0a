/**
 * `radlabel audit`: the CLI lists, verifies and exports the audit log of a data folder; the CLI
 * needs no reader sign-in (it runs as the operating system's user) even when accounts exist; a row
 * edited with the triggers dropped makes --verify fail with the entry's number.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../support/cli.js';
import { CacheSettingsStore, DEFAULT_CACHE_SETTINGS } from '../../../main/cache/settings.js';
import { silentLogger } from '../../../main/core/logger.js';
import { createServices } from '../../../main/services.js';
import { makeTempDir } from '../../fixtures/index.js';
import { importPaths, plantStudy } from '../cache/planted.js';

const root = makeTempDir('audit-cli');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const cli = (args: string[]) => runCliInProcess(args);

describe('radlabel audit', { timeout: 60_000 }, () => {
  it('lists, verifies, exports CSV without PHI, and reports a tampered entry', async () => {
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    new CacheSettingsStore(dataDir).save({ ...DEFAULT_CACHE_SETTINGS, encrypt: false });
    const services = createServices({ dataDir, host: 'web', logger: silentLogger(), importWorkers: 1 });
    const study = plantStudy(root, 'AUDITCLI');
    await importPaths(services, [study.dir]);
    await services.handlers['account.createFirst']({ username: 'admin', password: 'admin-password' });
    await services.handlers['catalog.getStudy']({ studyInstanceUID: study.studyInstanceUID });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await services.close();

    // Accounts exist, yet the command line (the administrator at the machine) needs no sign-in.
    const deleted = await cli(['delete', '--study', study.studyInstanceUID, '--data-dir', dataDir]);
    expect(deleted.status).toBe(0);

    const listed = await cli(['audit', '--data-dir', dataDir]);
    expect(listed.status).toBe(0);
    for (const action of ['import', 'sign-in', 'view', 'delete'])
      expect(listed.stdout).toContain(`\t${action}\t`);
    expect(listed.stdout).toMatch(/\tcli:[^\t]+\tdelete\t/);

    const csvFile = path.join(root, 'audit.csv');
    expect((await cli(['audit', '--csv', csvFile, '--data-dir', dataDir])).status).toBe(0);
    const csv = fs.readFileSync(csvFile, 'utf8');
    expect(csv.startsWith('seq,time,reader,action,')).toBe(true);
    for (const needle of [study.marker, study.patientName, study.patientId, study.studyInstanceUID])
      expect(csv).not.toContain(needle);

    const intact = await cli(['audit', '--verify', '--data-dir', dataDir]);
    expect(intact).toMatchObject({ status: 0 });
    expect(intact.stdout).toMatch(/intact/);

    const raw = new Database(path.join(dataDir, 'catalog.sqlite'));
    raw.exec('DROP TRIGGER audit_log_append_only_update');
    raw.exec("UPDATE audit_log SET action = 'sync' WHERE seq = 2");
    raw.close();
    const broken = await cli(['audit', '--verify', '--data-dir', dataDir]);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry 2/);
  });
});
