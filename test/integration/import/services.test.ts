import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AnyEvent, events } from '../../../shared/contract.js';
import { dispatch } from '../../../main/rpc/dispatch.js';
import { ensureCtSeries, pydicomTestFilesDir } from '../../fixtures/index.js';
import { type Harness, openHarness } from './harness.js';
import { readStoredFileSync } from '../../../main/cache/store-cipher.js';

let harness: Harness;
afterEach(async () => harness?.close());

describe('services', () => {
  it('describes the app: RadLabel, the package version, the host, research use only', async () => {
    harness = openHarness({ host: 'electron' });
    const version = (JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8')) as { version: string })
      .version;
    expect(await harness.services.handlers['app.info']({})).toEqual({
      productName: 'RadLabel',
      version,
      host: 'electron',
      platform: expect.any(String),
      dataDir: harness.dataDir,
      researchUseOnly: true,
    });
  });

  it('serves the stored bytes of an instance by SOP Instance UID, identical to the imported file', async () => {
    const series = ensureCtSeries({ slices: 3, size: 32, seed: 'links' });
    harness = openHarness();
    await harness.importPaths([series.dir]);
    const file = harness.services.instanceFile(series.sopInstanceUIDs[1]!)!;
    expect(file).toMatchObject({
      size: fs.statSync(series.files[1]!).size,
      transferSyntaxUID: '1.2.840.10008.1.2.1',
    });
    const digest = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');
    expect(digest(readStoredFileSync(file.path))).toBe(digest(fs.readFileSync(series.files[1]!)));
    expect(harness.services.instanceFile('1.2.3.4.5')).toBeNull();
  });

  it('answers unknown studies, series and jobs with not-found through dispatch', async () => {
    harness = openHarness();
    const { handlers } = harness.services;
    expect(await dispatch(handlers, 'catalog.getStudy', { studyInstanceUID: '1.2.3' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'This study is not in the local catalog.' },
    });
    expect(await dispatch(handlers, 'catalog.listInstances', { seriesInstanceUID: '1.2.3' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await dispatch(handlers, 'import.status', { jobId: crypto.randomUUID() })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('emits events that match the contract', async () => {
    harness = openHarness();
    const received: AnyEvent[] = [];
    harness.services.events.subscribe((event) => received.push(event));
    await harness.importPaths([pydicomTestFilesDir]);
    expect(received.length).toBeGreaterThan(2);
    for (const event of received) expect(() => events[event.name].parse(event.payload)).not.toThrow();
    const last = received.filter((event) => event.name === 'import.progress').at(-1)!;
    expect(last.payload).toMatchObject({ phase: 'done' });
  });

  it('emits catalog.changed with the studies that gained instances', async () => {
    harness = openHarness();
    const changed: string[] = [];
    harness.services.events.subscribe((event) => {
      if (event.name === 'catalog.changed') changed.push(...event.payload.studyInstanceUIDs);
    });
    await harness.importPaths([path.join(pydicomTestFilesDir, 'CT_small.dcm')]);
    expect(changed).toEqual(['1.3.6.1.4.1.5962.1.2.1.20040119072730.12322']);
  });

  it('reopens a data folder with everything in it', async () => {
    const series = ensureCtSeries({ slices: 3, size: 32, seed: 'reopen' });
    harness = openHarness();
    await harness.importPaths([path.join(pydicomTestFilesDir, 'MR_small.dcm'), series.dir]);
    const before = {
      studies: await harness.services.handlers['catalog.listStudies']({ limit: 10, offset: 0 }),
      study: await harness.services.handlers['catalog.getStudy']({
        studyInstanceUID: series.studyInstanceUID,
      }),
      instances: await harness.services.handlers['catalog.listInstances']({
        seriesInstanceUID: series.seriesInstanceUID,
      }),
    };
    await harness.services.close();
    const { createServices } = await import('../../../main/services.js');
    const { silentLogger } = await import('../../../main/core/logger.js');
    const reopened = createServices({ dataDir: harness.dataDir, host: 'web', logger: silentLogger() });
    try {
      // The catalog answers as before, and every stored instance's bytes are still served.
      expect(before.studies.total).toBe(2);
      expect(await reopened.handlers['catalog.listStudies']({ limit: 10, offset: 0 })).toEqual(
        before.studies,
      );
      expect(
        await reopened.handlers['catalog.getStudy']({ studyInstanceUID: series.studyInstanceUID }),
      ).toEqual(before.study);
      expect(
        await reopened.handlers['catalog.listInstances']({ seriesInstanceUID: series.seriesInstanceUID }),
      ).toEqual(before.instances);
      series.sopInstanceUIDs.forEach((sop, index) => {
        const file = reopened.instanceFile(sop);
        expect(file, sop).not.toBeNull();
        expect(readStoredFileSync(file!.path).equals(fs.readFileSync(series.files[index]!)), sop).toBe(true);
      });
    } finally {
      await reopened.close();
    }
  });
});
