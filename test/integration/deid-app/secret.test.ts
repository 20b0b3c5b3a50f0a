import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SealedSecretFile } from '../../../main/deid-app/sealed-secret.js';
import { DEID_DIR_NAME, SECRET_FILE_NAME } from '../../../main/deid-app/settings-store.js';
import type { Services } from '../../../main/services.js';
import { type CtSeries, ensureCtSeries } from '../../fixtures/index.js';
import { exportStudy, filesUnder, fixedKey, freshDir, importInto, openServices } from './harness.js';

describe('the project secret at rest', () => {
  const key = fixedKey('secret-at-rest');
  let dataDir: string;
  let outputDir: string;
  let series: CtSeries;
  let pseudonymousPatientId: string;

  const patientIdAfter = async (services: Services): Promise<string> => {
    const rows = await services.handlers['deid.preview']({ sopInstanceUID: series.sopInstanceUIDs[0]! });
    return rows.find((row) => row.keyword === 'PatientID')!.after;
  };

  beforeAll(async () => {
    dataDir = freshDir('secret');
    outputDir = freshDir('secret-out');
    series = ensureCtSeries({ slices: 3, size: 64, seed: 'deid-app-secret' });
    const services = openServices(dataDir, key);
    try {
      await importInto(services, [series.dir]);
      pseudonymousPatientId = await patientIdAfter(services);
      // An export also fills the linkage table: it is part of what is scanned below.
      expect((await exportStudy(services, series.studyInstanceUID, outputDir)).done).toBe(3);
      expect((await services.handlers['deid.getSettings']({})).secretCreated).toBe(true);
    } finally {
      await services.close();
    }
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outputDir, { recursive: true, force: true });
  });

  it('is created on first use and appears in no file of the data folder, in any spelling', () => {
    const secretFile = new SealedSecretFile(path.join(dataDir, DEID_DIR_NAME, SECRET_FILE_NAME), key);
    const secret = Buffer.from(secretFile.get());
    expect(secret.length).toBe(32);
    const spellings = [secret, Buffer.from(secret.toString('hex')), Buffer.from(secret.toString('base64'))];
    const files = filesUnder(dataDir);
    expect(files.some((file) => file.endsWith('deid-linkage.sqlite'))).toBe(true);
    for (const file of files) {
      const content = fs.readFileSync(file);
      for (const spelling of spellings) expect(content.includes(spelling), file).toBe(false);
    }
  });

  it('opens again with the same key: a restarted app gives the same pseudonyms', async () => {
    const services = openServices(dataDir, key);
    try {
      expect(pseudonymousPatientId).not.toBe(series.patientId);
      expect(await patientIdAfter(services)).toBe(pseudonymousPatientId);
    } finally {
      await services.close();
    }
  });

  it('does not open with another key, and says so', () => {
    // The key also encrypts the catalog (docs/cache.md): with another key nothing opens, so no
    // pseudonym or export can be made with the wrong secret.
    expect(() => openServices(dataDir, fixedKey('someone else'))).toThrow(
      expect.objectContaining({ code: 'key-unavailable', message: expect.stringMatching(/another key/) }),
    );
    expect(fs.existsSync(path.join(outputDir, 'other-key'))).toBe(false);
  });
});
