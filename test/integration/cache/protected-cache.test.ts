/**
 * Issue #12 item 2, the protected cache: the catalog is encrypted at rest (a new data folder, and
 * an existing plain one once), deleting a study or a patient leaves nothing of it in the data
 * folder, and retention purges the originals of studies synced long enough ago.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CacheSettingsStore, DEFAULT_CACHE_SETTINGS } from '../../../main/cache/settings.js';
import { isPlainDatabase } from '../../../main/cache/sqlite-cipher.js';
import { isStoreFileEncrypted } from '../../../main/cache/store-cipher.js';
import { openStoredFile } from '../../../main/catalog/file-store.js';
import { silentLogger } from '../../../main/core/logger.js';
import { servedBatches } from '../../../main/core/routes.js';
import { defaultKeyProvider } from '../../../main/deid-app/key-provider.js';
import { EncryptedLinkageStore, LINKAGE_FILE_NAME } from '../../../main/deid/linkage.js';
import { type Services, createServices } from '../../../main/services.js';
import type { UiSession } from '../../../shared/ui-session.js';
import { makeTempDir } from '../../fixtures/index.js';
import { type PlantedStudy, importPaths, plantStudy, scanFolder } from './planted.js';

const scratch = makeTempDir('protected-cache');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((services) => services.close()));
});

function start(dataDir: string): Services {
  const services = createServices({ dataDir, host: 'web', logger: silentLogger(), importWorkers: 1 });
  open.push(services);
  return services;
}

async function stop(services: Services): Promise<void> {
  open.splice(open.indexOf(services), 1);
  await services.close();
}

function freshDataDir(encrypt: boolean): string {
  const dataDir = path.join(scratch, crypto.randomUUID());
  fs.mkdirSync(dataDir, { recursive: true });
  if (!encrypt) new CacheSettingsStore(dataDir).save({ ...DEFAULT_CACHE_SETTINGS, encrypt: false });
  return dataDir;
}

function needles(study: PlantedStudy): string[] {
  return [study.marker, study.studyInstanceUID, study.seriesInstanceUID, ...study.sopInstanceUIDs];
}

describe('the encrypted catalog', () => {
  it('a new data folder keeps its catalog encrypted: no planted marker or UID in its plain bytes', async () => {
    const dataDir = freshDataDir(true);
    const services = start(dataDir);
    const study = plantStudy(scratch, 'NEWFOLDER');
    await importPaths(services, [study.dir]);
    const { studies } = await services.handlers['catalog.listStudies']({ limit: 10, offset: 0 });
    expect(studies.map((s) => s.patientName)).toEqual([study.patientName]);
    expect(await services.handlers['cache.status']({})).toMatchObject({ catalogEncrypted: true });
    await stop(services);

    const catalog = path.join(dataDir, 'catalog.sqlite');
    expect(isPlainDatabase(catalog)).toBe(false);
    const hits = scanFolder(dataDir, [study.marker, study.studyInstanceUID], { only: /catalog\.sqlite/ });
    expect(hits).toEqual([]);
    // Without the key SQLite sees no database at all.
    const db = new Database(catalog, { readonly: true });
    expect(() => db.prepare('SELECT count(*) FROM study').get()).toThrow(/not a database/);
    db.close();
  });

  it('an existing plain catalog is encrypted once when the folder is opened, its studies kept', async () => {
    const dataDir = freshDataDir(false);
    let services = start(dataDir);
    const study = plantStudy(scratch, 'MIGRATE');
    await importPaths(services, [study.dir]);
    await stop(services);
    const catalog = path.join(dataDir, 'catalog.sqlite');
    expect(isPlainDatabase(catalog)).toBe(true);
    expect(scanFolder(dataDir, [study.marker], { only: /catalog\.sqlite/ }).length).toBeGreaterThan(0);

    new CacheSettingsStore(dataDir).save(DEFAULT_CACHE_SETTINGS);
    services = start(dataDir);
    const { studies } = await services.handlers['catalog.listStudies']({ limit: 10, offset: 0 });
    expect(studies.map((s) => [s.studyInstanceUID, s.numberOfInstances])).toEqual([
      [study.studyInstanceUID, study.sopInstanceUIDs.length],
    ]);
    // Re-importing finds every instance already stored (the import workers read the encrypted catalog).
    const again = await importPaths(services, [study.dir]);
    expect(again).toMatchObject({ added: 0, duplicates: study.sopInstanceUIDs.length, failed: 0 });
    await stop(services);
    expect(isPlainDatabase(catalog)).toBe(false);
    expect(fs.readdirSync(dataDir).filter((name) => name.includes('encrypting'))).toEqual([]);
    expect(scanFolder(dataDir, [study.marker, study.studyInstanceUID], { only: /catalog\.sqlite/ })).toEqual(
      [],
    );
  });

  it('a catalog opened with another key is refused with a key error, not a damaged-file error', async () => {
    const dataDir = freshDataDir(true);
    await stop(start(dataDir));
    fs.writeFileSync(path.join(dataDir, 'keys', 'local-master.key'), `${'7'.repeat(64)}\n`);
    expect(() => start(dataDir)).toThrow(expect.objectContaining({ code: 'key-unavailable' }));
  });
});

describe.each([
  ['off', false],
  ['on', true],
])('deleting with encryption %s', (_label, encrypt) => {
  it('delete study leaves nothing of it in the data folder (every file, SQLite pages included); the other study stays', async () => {
    const dataDir = freshDataDir(encrypt);
    const services = start(dataDir);
    const gone = plantStudy(scratch, `GONE${encrypt ? 'E' : 'P'}`);
    const kept = plantStudy(scratch, `KEPT${encrypt ? 'E' : 'P'}`);
    await importPaths(services, [gone.dir, kept.dir]);
    // Linkage entries of both (as a de-identified export records them), annotations when the table exists.
    const linkage = new EncryptedLinkageStore(
      path.join(dataDir, LINKAGE_FILE_NAME),
      defaultKeyProvider(dataDir),
    );
    linkage.record([
      ...needles(gone)
        .slice(1)
        .map((original, i) => ({ kind: 'uid' as const, original, pseudonym: `2.25.${i + 1}` })),
      { kind: 'uid', original: kept.studyInstanceUID, pseudonym: '2.25.999' },
    ]);
    linkage.close();
    await services.handlers['cache.markSynced']({ studyInstanceUID: gone.studyInstanceUID });
    plantAnnotation(dataDir, gone, encrypt);
    // The reader had the study open, found by a search for the patient's name (ui-session.json).
    const place = sessionOn(gone);
    await services.handlers['session.save'](place);

    const result = await services.handlers['cache.deleteStudy']({ studyInstanceUID: gone.studyInstanceUID });
    // A page that saves its place a moment after the delete does not bring the study back.
    await services.handlers['session.save']({ ...place, savedAt: place.savedAt + 1 });
    const restored = await services.handlers['session.load']({});
    expect(restored).toMatchObject({
      screen: 'worklist',
      viewer: null,
      worklist: { selectedStudyUID: null },
    });
    expect(result).toEqual({
      studies: 1,
      instances: gone.sopInstanceUIDs.length,
      files: gone.sopInstanceUIDs.length,
      linkageEntries: needles(gone).length - 1,
    });
    const { studies } = await services.handlers['catalog.listStudies']({ limit: 10, offset: 0 });
    expect(studies.map((s) => s.studyInstanceUID)).toEqual([kept.studyInstanceUID]);
    await stop(services);

    expect(scanFolder(dataDir, needles(gone))).toEqual([]);
    // The scan does see what is there: unencrypted, the kept study's files carry its marker in the
    // clear; encrypted, nothing of it is readable either.
    if (encrypt) expect(scanFolder(dataDir, needles(kept))).toEqual([]);
    else expect(scanFolder(dataDir, [kept.marker]).length).toBeGreaterThan(0);
    const after = new EncryptedLinkageStore(
      path.join(dataDir, LINKAGE_FILE_NAME),
      defaultKeyProvider(dataDir),
    );
    expect(after.count()).toBe(1);
    after.close();
  });
});

/** The reader's place with the study open and selected, found by a search for its marker. */
function sessionOn(study: PlantedStudy): UiSession {
  return {
    version: 1,
    savedAt: Date.now(),
    screen: 'viewer',
    worklist: { search: study.marker, selectedStudyUID: study.studyInstanceUID },
    viewer: {
      studyInstanceUID: study.studyInstanceUID,
      comparisonStudyUID: null,
      layout: '1x1',
      activeViewport: 0,
      viewports: [
        {
          studyInstanceUID: study.studyInstanceUID,
          seriesInstanceUID: study.seriesInstanceUID,
          sopInstanceUID: study.sopInstanceUIDs[0] ?? null,
          frame: null,
          imageIndex: 0,
          windowWidth: null,
          windowCenter: null,
        },
      ],
    },
    layoutByModality: {},
  };
}

/** An annotation version of the study, written the way the annotation store writes (when that table exists). */
function plantAnnotation(dataDir: string, study: PlantedStudy, encrypted: boolean): void {
  const file = path.join(dataDir, 'catalog.sqlite');
  const db = new Database(file);
  try {
    if (encrypted) {
      // The same key the services use (main/cache/cache-app.ts).
      db.pragma(`cipher = 'sqlcipher'`);
      db.pragma(`key = "x'${catalogKey(dataDir)}'"`);
    }
    const exists = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'annotation_version'")
      .get();
    if (!exists) return;
    db.prepare(
      `INSERT INTO annotation_version (version_id, annotation_uid, parent_ids, study_uid, series_uid, sop_uid,
         frame_number, kind, tool, label_id, attributes, data, source, author, status, deleted, created_at)
       VALUES (?, ?, '[]', ?, ?, ?, 1, 'measurement', 'Length', NULL, '{}', ?, 'test', 'reader', 'draft', 0, 0)`,
    ).run(
      crypto.randomUUID(),
      crypto.randomUUID(),
      study.studyInstanceUID,
      study.seriesInstanceUID,
      study.sopInstanceUIDs[0],
      JSON.stringify({ note: study.marker }),
    );
  } finally {
    db.close();
  }
}

import { catalogKeyHex } from '../../../main/cache/cache-app.js';
function catalogKey(dataDir: string): string {
  return catalogKeyHex(defaultKeyProvider(dataDir));
}

async function servedBytes(services: Services, sopInstanceUID: string): Promise<Buffer> {
  const file = services.instanceFile(sopInstanceUID)!;
  const opened = await openStoredFile(file.path, file.size);
  const chunks: Buffer[] = [];
  for await (const batch of servedBatches(opened)) chunks.push(...batch);
  return Buffer.concat(chunks);
}

function storeFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'store');
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.dcm'))
    .map((name) => path.join(root, name));
}

describe('the encrypted file store', () => {
  it('stores images encrypted (no planted marker or UID in plain bytes) and serves and tags their original bytes', async () => {
    const dataDir = freshDataDir(true);
    const services = start(dataDir);
    const study = plantStudy(scratch, 'STOREENC', 3);
    // Files of one chunk, of three (the last partial) and of 33 (more than one read batch of the stream).
    const larger = [plantStudy(scratch, 'STOREENC3', 1, 300), plantStudy(scratch, 'STOREENC33', 1, 1024)];
    await importPaths(
      services,
      larger.map((s) => s.dir),
    );
    for (const big of larger)
      expect(
        (await servedBytes(services, big.sopInstanceUIDs[0]!)).equals(
          fs.readFileSync(path.join(big.dir, '0.dcm')),
        ),
      ).toBe(true);
    await importPaths(services, [study.dir]);
    expect(storeFiles(dataDir).every((file) => isStoreFileEncrypted(file))).toBe(true);
    expect(scanFolder(path.join(dataDir, 'store'), needles(study))).toEqual([]);
    for (const [k, sop] of study.sopInstanceUIDs.entries()) {
      const original = fs.readFileSync(path.join(study.dir, `${k}.dcm`));
      expect((await servedBytes(services, sop)).equals(original)).toBe(true);
      // The catalog's size is of the plain bytes (the route's Content-Length).
      expect(services.instanceFile(sop)!.size).toBe(original.length);
    }
    const tags = await services.handlers['catalog.instanceTags']({
      sopInstanceUID: study.sopInstanceUIDs[0]!,
    });
    expect(JSON.stringify(tags)).toContain(study.marker);
  });

  it('a changed byte in an encrypted store file is refused, not served', async () => {
    const dataDir = freshDataDir(true);
    const services = start(dataDir);
    const study = plantStudy(scratch, 'TAMPER', 1);
    await importPaths(services, [study.dir]);
    const [file] = storeFiles(dataDir);
    const bytes = fs.readFileSync(file!);
    bytes[100]! ^= 0x40;
    fs.writeFileSync(file!, bytes);
    await expect(servedBytes(services, study.sopInstanceUIDs[0]!)).rejects.toMatchObject({ code: 'io' });
    await expect(
      services.handlers['catalog.instanceTags']({ sopInstanceUID: study.sopInstanceUIDs[0]! }),
    ).rejects.toMatchObject({ code: 'io' });
  });

  it('a plain store is encrypted in the background once encryption is on, every image still readable', async () => {
    const dataDir = freshDataDir(false);
    let services = start(dataDir);
    const study = plantStudy(scratch, 'STOREMIG', 4);
    await importPaths(services, [study.dir]);
    await stop(services);
    expect(storeFiles(dataDir).some((file) => isStoreFileEncrypted(file))).toBe(false);

    new CacheSettingsStore(dataDir).save(DEFAULT_CACHE_SETTINGS);
    services = start(dataDir);
    const deadline = Date.now() + 30_000;
    while (!storeFiles(dataDir).every((file) => isStoreFileEncrypted(file)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(storeFiles(dataDir).every((file) => isStoreFileEncrypted(file))).toBe(true);
    expect(scanFolder(dataDir, needles(study))).toEqual([]);
    for (const [k, sop] of study.sopInstanceUIDs.entries())
      expect(
        (await servedBytes(services, sop)).equals(fs.readFileSync(path.join(study.dir, `${k}.dcm`))),
      ).toBe(true);
  });
});

describe('retention', () => {
  it('purges the originals of studies synced more than N days ago and keeps the rest', async () => {
    const dataDir = freshDataDir(true);
    const services = start(dataDir);
    const old = plantStudy(scratch, 'SYNCEDOLD');
    const recent = plantStudy(scratch, 'SYNCEDNEW');
    const never = plantStudy(scratch, 'NEVERSYNCED');
    await importPaths(services, [old.dir, recent.dir, never.dir]);
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    await services.handlers['cache.markSynced']({
      studyInstanceUID: old.studyInstanceUID,
      syncedAt: daysAgo(31),
    });
    await services.handlers['cache.markSynced']({
      studyInstanceUID: recent.studyInstanceUID,
      syncedAt: daysAgo(2),
    });

    // No retention configured: nothing goes.
    expect(await services.handlers['cache.purge']({})).toEqual({ studies: 0 });
    const status = await services.handlers['cache.status']({});
    await services.handlers['cache.saveSettings']({ ...status.settings, retentionDays: 30 });
    expect(await services.handlers['cache.purge']({})).toEqual({ studies: 1 });

    const { studies } = await services.handlers['catalog.listStudies']({ limit: 10, offset: 0 });
    expect(studies.map((s) => s.studyInstanceUID).sort()).toEqual(
      [recent.studyInstanceUID, never.studyInstanceUID].sort(),
    );
    await stop(services);
    expect(scanFolder(dataDir, needles(old))).toEqual([]);
  });
});
