/**
 * Issue #12 item 3, backup and restore: a backup taken while another process writes restores a
 * consistent catalog (CLI `radlabel backup` / `radlabel restore` and the RPC methods), rotation
 * keeps N, and a damaged backup is refused with the data folder unchanged.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listBackups } from '../../../main/backup/backup.js';
import { CACHE_KEY_ENV } from '../../../main/cache/cache-key.js';
import { readStoredFileSync } from '../../../main/cache/store-cipher.js';
import { silentLogger } from '../../../main/core/logger.js';
import { type Services, createServices } from '../../../main/services.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { buildCli, builtCli } from '../../support/built-cli.js';
import { importPaths, plantStudy } from './planted.js';

const cli = builtCli;
const scratch = makeTempDir('backup');
// One cache key for this process and the CLI processes it starts (a restore on "another machine").
const KEY = crypto.randomBytes(32).toString('hex');
process.env[CACHE_KEY_ENV] = KEY;
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  expect(buildCli()).toBe(true);
});

const open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((services) => services.close()));
});

function start(dataDir: string): Services {
  const services = createServices({ dataDir, host: 'web', logger: silentLogger(), importWorkers: 1 });
  open.push(services);
  return services;
}

function freshDir(name: string): string {
  return path.join(scratch, `${name}-${crypto.randomUUID().slice(0, 8)}`);
}

function radlabel(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], HOME: scratch, [CACHE_KEY_ENV]: KEY },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every study's instance count matches its instance rows, SQLite finds no fault: a consistent catalog. */
async function expectConsistent(services: Services): Promise<number> {
  const { studies } = await services.handlers['catalog.listStudies']({ limit: 100, offset: 0 });
  let instances = 0;
  for (const study of studies) {
    const detail = await services.handlers['catalog.getStudy']({ studyInstanceUID: study.studyInstanceUID });
    let rows = 0;
    for (const series of detail.series) {
      const listed = await services.handlers['catalog.listInstances']({
        seriesInstanceUID: series.seriesInstanceUID,
      });
      expect(listed).toHaveLength(series.numberOfInstances);
      rows += listed.length;
    }
    expect(rows).toBe(study.numberOfInstances);
    instances += rows;
  }
  return instances;
}

function folderDigest(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(root, name);
    if (fs.statSync(file).isFile())
      out[name] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}

describe('backup and restore', () => {
  it('backups taken while another process imports each restore a consistent catalog', async () => {
    const dataDir = freshDir('live');
    const backups = freshDir('backups');
    const services = start(dataDir);
    const first = plantStudy(scratch, 'BEFORE');
    await importPaths(services, [first.dir]);

    // Another process (the CLI) writes into the same data folder meanwhile.
    const series = ensureCtSeries({ slices: 120, size: 128, seed: 'backup-writer' });
    const writer = spawn(process.execPath, [cli, 'import', series.dir, '--data-dir', dataDir], {
      env: { PATH: process.env['PATH'], HOME: scratch, [CACHE_KEY_ENV]: KEY },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    let running = true;
    void exited.then(() => (running = false));
    const taken: string[] = [];
    while (running || taken.length < 2) {
      taken.push((await services.handlers['backup.create']({ folder: backups })).path);
      if (taken.length >= 6) break;
    }
    expect(await exited).toBe(0);
    expect(taken.length).toBeGreaterThanOrEqual(2);

    for (const backup of taken) {
      const restored = freshDir('restored');
      const result = radlabel(['restore', backup, '--data-dir', restored]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const again = start(restored);
      const instances = await expectConsistent(again);
      // Each backup holds the first study and some prefix of the second, whole series rows and counts alike.
      expect(instances).toBeGreaterThanOrEqual(first.sopInstanceUIDs.length);
      expect(instances).toBeLessThanOrEqual(first.sopInstanceUIDs.length + 120);
    }
    // The last backup, taken after the writer finished, has everything.
    const last = radlabel(['backup', '--to', backups, '--data-dir', dataDir]);
    expect(last.status).toBe(0);
    const restored = freshDir('restored-last');
    expect(radlabel(['restore', last.stdout.trim(), '--data-dir', restored]).status).toBe(0);
    expect(await expectConsistent(start(restored))).toBe(first.sopInstanceUIDs.length + 120);
  });

  it('restore from the app is staged and applied at the next start; with --with-files the images come back', async () => {
    const dataDir = freshDir('app');
    const backups = freshDir('app-backups');
    let services = start(dataDir);
    const study = plantStudy(scratch, 'APPRESTORE');
    await importPaths(services, [study.dir]);
    const backup = await services.handlers['backup.create']({ folder: backups, withFiles: true });
    await services.handlers['cache.deleteStudy']({ studyInstanceUID: study.studyInstanceUID });
    expect((await services.handlers['catalog.listStudies']({ limit: 10, offset: 0 })).total).toBe(0);

    expect(await services.handlers['backup.restore']({ path: backup.path })).toEqual({
      restartRequired: true,
    });
    await services.close();
    open.splice(0);
    services = start(dataDir);
    const { studies } = await services.handlers['catalog.listStudies']({ limit: 10, offset: 0 });
    expect(studies.map((s) => s.studyInstanceUID)).toEqual([study.studyInstanceUID]);
    const file = services.instanceFile(study.sopInstanceUIDs[0]!);
    expect(file && readStoredFileSync(file.path).equals(fs.readFileSync(path.join(study.dir, '0.dcm')))).toBe(
      true,
    );
  });

  it('leaves out the plain key file and transient plain data (upload staging, the PACS spool, logs)', async () => {
    const dataDir = freshDir('excluded');
    const services = start(dataDir);
    await importPaths(services, [plantStudy(scratch, 'EXCLUDED').dir]);
    fs.mkdirSync(path.join(dataDir, 'keys'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'keys', 'local-master.key'), `${'1'.repeat(64)}\n`);
    for (const transient of ['staging/1-abc/upload.dcm', 'pacs-incoming/2-def/received.dcm']) {
      fs.mkdirSync(path.dirname(path.join(dataDir, transient)), { recursive: true });
      fs.writeFileSync(path.join(dataDir, transient), 'PLAIN-PHI');
    }
    const backup = await services.handlers['backup.create']({ folder: freshDir('excluded-backups') });
    const parts = (
      JSON.parse(fs.readFileSync(path.join(backup.path, 'manifest.json'), 'utf8')) as {
        parts: { path: string }[];
      }
    ).parts.map((part) => part.path);
    expect(parts).toContain('catalog.sqlite');
    expect(
      parts.filter((part) => /^(keys\/local-master\.key|staging|pacs-incoming|logs|store)/.test(part)),
    ).toEqual([]);
  });

  it('keeps the N newest backups in the folder', async () => {
    const dataDir = freshDir('rotate');
    const backups = freshDir('rotate-backups');
    const services = start(dataDir);
    const status = await services.handlers['cache.status']({});
    await services.handlers['cache.saveSettings']({
      ...status.settings,
      backup: { folder: backups, daily: true, keep: 2, withFiles: false },
    });
    for (let i = 0; i < 3; i += 1) await services.handlers['backup.create']({});
    expect(await services.handlers['backup.list']({})).toHaveLength(2);
    expect(listBackups(backups)).toHaveLength(2);
  });

  it('a damaged backup is refused and nothing in the data folder is changed', async () => {
    const dataDir = freshDir('damaged');
    const backups = freshDir('damaged-backups');
    const services = start(dataDir);
    const study = plantStudy(scratch, 'DAMAGED');
    await importPaths(services, [study.dir]);
    const good = await services.handlers['backup.create']({ folder: backups });
    await services.handlers['cache.deleteStudy']({ studyInstanceUID: study.studyInstanceUID });
    await services.close();
    open.splice(0);

    // One flipped byte in the catalog copy.
    const catalog = path.join(good.path, 'catalog.sqlite');
    const bytes = fs.readFileSync(catalog);
    bytes[bytes.length - 100]! ^= 0x01;
    fs.writeFileSync(catalog, bytes);
    const before = folderDigest(dataDir);
    const cliResult = radlabel(['restore', good.path, '--data-dir', dataDir]);
    expect(cliResult.status).toBe(3);
    expect(cliResult.stderr).toMatch(
      /damaged or incomplete.*catalog\.sqlite does not match its checksum.*not changed/,
    );
    expect(folderDigest(dataDir)).toEqual(before);

    // A part missing, through the app's method this time.
    bytes[bytes.length - 100]! ^= 0x01;
    fs.writeFileSync(catalog, bytes);
    const settingsPart = fs
      .readdirSync(good.path)
      .find((name) => name.endsWith('.json') && name !== 'manifest.json');
    fs.rmSync(path.join(good.path, settingsPart ?? 'catalog.sqlite'));
    const again = start(dataDir);
    await expect(again.handlers['backup.restore']({ path: good.path })).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/is missing/),
    });
    expect(fs.existsSync(path.join(dataDir, 'restore-pending'))).toBe(false);
    expect((await again.handlers['catalog.listStudies']({ limit: 10, offset: 0 })).total).toBe(0);
  });
});
