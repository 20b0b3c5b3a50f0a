/**
 * Sync against a real DICOMweb server (#10): Orthanc with its DICOMweb plugin on loopback. A study is
 * chosen on one workstation ("machine A"), de-identified and uploaded by STOW-RS; a second data
 * folder ("machine B", another reader) finds it by QIDO-RS through the clinical-trial attributes the
 * de-identification wrote and pulls it by WADO-RS. Orthanc holds each instance exactly once and the
 * local state of both machines matches it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/core/logger.js';
import { type Services, createServices } from '../../../main/services.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { type Orthanc, startOrthanc } from '../../support/orthanc.js';
import { writeTestManifest } from '../../support/sync-project.js';

const ct = ensureCtSeries({ slices: 4, size: 32, seed: 'sync-orthanc' });
const dir = makeTempDir('sync-orthanc');
let orthanc: Orthanc;
let manifest: string;
const open: Services[] = [];
const env = { ...process.env };

beforeAll(async () => {
  orthanc = await startOrthanc({}, {}, { dicomWeb: true });
  process.env['RADLABEL_SYNC_PASSWORD'] = 'secret';
  manifest = writeTestManifest(dir, {
    url: orthanc.dicomWebUrl!,
    username: 'user',
    readers: [
      { username: 'alice', role: 'annotator', tasks: [] },
      { username: 'bob', role: 'reviewer', tasks: [{ clinicalTrial: { protocolId: 'PROTO-1' } }] },
    ],
  });
}, 60_000);

afterAll(async () => {
  for (const services of open) await services.close();
  await orthanc?.stop();
  process.env = env;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function machine(name: string, reader: string): Promise<Services> {
  process.env['RADLABEL_READER'] = reader;
  const services = createServices({
    dataDir: path.join(dir, name),
    host: 'web',
    logger: silentLogger(),
    importWorkers: 1,
    deidWorkers: 0,
    syncBackground: false,
  });
  open.push(services);
  await services.sync.load({ path: manifest });
  return services;
}

async function importStudy(services: Services, files: string[]): Promise<void> {
  const { jobId } = await services.handlers['import.start']({ paths: files });
  while (!(await services.handlers['import.status']({ jobId })).finishedAt)
    await new Promise((resolve) => setTimeout(resolve, 50));
}

async function orthancJson<T>(pathname: string): Promise<T> {
  const response = await orthanc.rest(pathname);
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

describe('sync with a real DICOMweb server (Orthanc)', () => {
  let remoteStudy = '';

  it('uploads a chosen study de-identified: Orthanc holds each instance once, under new UIDs and no name', async () => {
    const a = await machine('machine-a', 'alice');
    await importStudy(a, ct.files);
    await a.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    const result = await a.sync.engine()!.pass(new AbortController().signal);
    expect(result).toMatchObject({ done: 4, failed: 0, pending: 0, error: null });
    const instances = await orthancJson<string[]>('/instances');
    expect(instances).toHaveLength(4);
    const studies = await orthancJson<string[]>('/studies');
    expect(studies).toHaveLength(1);
    const study = await orthancJson<{
      MainDicomTags: Record<string, string>;
      PatientMainDicomTags: Record<string, string>;
    }>(`/studies/${studies[0]}`);
    remoteStudy = study.MainDicomTags['StudyInstanceUID']!;
    expect(remoteStudy).not.toBe(ct.studyInstanceUID);
    expect(JSON.stringify(study)).not.toContain(ct.patientId);
    expect(JSON.stringify(study)).not.toContain(ct.patientName.split('^')[0]);
    const status = await a.handlers['sync.status']({});
    expect(status.studies).toEqual([
      expect.objectContaining({
        direction: 'up',
        state: 'synced',
        done: 4,
        total: 4,
        remoteStudyInstanceUID: remoteStudy,
      }),
    ]);
    // Again: nothing changes on the server.
    await a.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    expect(await a.sync.engine()!.pass(new AbortController().signal)).toMatchObject({ done: 4, pending: 0 });
    expect(await orthancJson<string[]>('/instances')).toHaveLength(4);
  }, 120_000);

  it('a second machine finds the study by its clinical-trial attributes (QIDO-RS) and pulls it (WADO-RS)', async () => {
    const b = await machine('machine-b', 'bob');
    const result = await b.sync.engine()!.pass(new AbortController().signal);
    expect(result).toMatchObject({ done: 4, failed: 0, pending: 0, error: null });
    const detail = await b.handlers['catalog.getStudy']({ studyInstanceUID: remoteStudy });
    expect(detail.series.reduce((n, s) => n + s.numberOfInstances, 0)).toBe(4);
    expect((await b.handlers['sync.status']({})).studies).toEqual([
      expect.objectContaining({
        direction: 'down',
        studyInstanceUID: remoteStudy,
        state: 'synced',
        done: 4,
        total: 4,
      }),
    ]);
    expect(await orthancJson<string[]>('/instances')).toHaveLength(4);
  }, 120_000);
});
