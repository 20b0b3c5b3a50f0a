/**
 * Sync against a real DICOMweb server (#10): Orthanc with its DICOMweb plugin on loopback. A study is
 * chosen on one workstation ("machine A"), de-identified and uploaded by STOW-RS; a second data
 * folder ("machine B", another reader) finds it by QIDO-RS through the clinical-trial attributes the
 * de-identification wrote and pulls it by WADO-RS. Orthanc holds each instance exactly once and the
 * local state of both machines matches it.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../main/services.js';
import { ensureCtSeries, slicePositionPatient } from '../../fixtures/index.js';
import { writeForeignObjects } from '../../support/foreign-objects.js';
import { lengthOnSecondImage } from '../../support/annotation-versions.js';
import type { Orthanc } from '../../support/orthanc.js';
import {
  type SyncProject,
  importAndWait,
  startSyncProject,
  aliceAndBob,
} from '../../support/sync-project.js';

const N = 6;
const ct = ensureCtSeries({ slices: N, size: 32, seed: 'sync-orthanc' });
let project: SyncProject;
let orthanc: Orthanc;
let dir: string;

beforeAll(async () => {
  project = await startSyncProject({
    name: 'sync-orthanc',
    manifest: {
      readers: aliceAndBob('reviewer'),
    },
  });
  orthanc = project.orthanc!;
  dir = project.dir;
}, 60_000);

afterAll(() => project?.close());

const machine = (name: string, reader: string): Promise<Services> => project.machine(name, reader);

async function orthancJson<T>(pathname: string): Promise<T> {
  const response = await orthanc.rest(pathname);
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
}

describe('sync with a real DICOMweb server (Orthanc)', () => {
  let remoteStudy = '';
  let a: Services;
  let b: Services;

  it('uploads a chosen study de-identified: Orthanc holds each instance once, under new UIDs and no name', async () => {
    a = await machine('machine-a', 'alice');
    await importAndWait(a, ct.files);
    await a.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    const result = await a.sync.engine()!.pass(new AbortController().signal);
    expect(result).toMatchObject({ done: N, failed: 0, pending: 0, error: null });
    const instances = await orthancJson<string[]>('/instances');
    expect(instances).toHaveLength(N);
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
        done: N,
        total: N,
        remoteStudyInstanceUID: remoteStudy,
      }),
    ]);
    // Again: nothing changes on the server.
    await a.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    expect(await a.sync.engine()!.pass(new AbortController().signal)).toMatchObject({ done: N, pending: 0 });
    expect(await orthancJson<string[]>('/instances')).toHaveLength(N);
  }, 120_000);

  it('a second machine finds the study by its clinical-trial attributes (QIDO-RS) and pulls it (WADO-RS)', async () => {
    b = await machine('machine-b', 'bob');
    const result = await b.sync.engine()!.pass(new AbortController().signal);
    expect(result).toMatchObject({ done: N, failed: 0, pending: 0, error: null });
    const detail = await b.handlers['catalog.getStudy']({ studyInstanceUID: remoteStudy });
    expect(detail.series.reduce((n, s) => n + s.numberOfInstances, 0)).toBe(N);
    expect((await b.handlers['sync.status']({})).studies).toEqual([
      expect.objectContaining({
        direction: 'down',
        studyInstanceUID: remoteStudy,
        state: 'synced',
        done: N,
        total: N,
      }),
    ]);
    expect(await orthancJson<string[]>('/instances')).toHaveLength(N);
  }, 120_000);

  it('a complete study’s annotations go up as SR versions chained by PredecessorDocumentsSequence, and come down with their author; an AI device’s SR comes down as ai:<model>', async () => {
    const annotationUid = crypto.randomUUID();
    const version = (versionId: string, parentIds: string[], mm: number) => ({
      ...lengthOnSecondImage(ct, mm, { annotationUid, versionId, parentIds }),
      status: 'draft' as const,
    });
    const first = crypto.randomUUID();
    await a.handlers['annotation.save']({ versions: [version(first, [], 5)] });
    // A draft stays local.
    await a.sync.engine()!.pass(new AbortController().signal);
    expect(await orthancJson<string[]>('/instances')).toHaveLength(N);
    await a.handlers['annotation.setStudyStatus']({
      studyInstanceUID: ct.studyInstanceUID,
      status: 'complete',
    });
    expect(await a.sync.engine()!.pass(new AbortController().signal)).toMatchObject({
      failed: 0,
      pending: 0,
    });
    const before = new Set(await orthancJson<string[]>('/instances'));
    expect(before.size).toBe(N + 1);
    // An edit of the complete study: a new SR naming the first as its predecessor.
    await a.handlers['annotation.save']({ versions: [version(crypto.randomUUID(), [first], 8)] });
    expect(await a.sync.engine()!.pass(new AbortController().signal)).toMatchObject({
      failed: 0,
      pending: 0,
    });
    const after = await orthancJson<string[]>('/instances');
    expect(after).toHaveLength(N + 2);
    const [newSr] = after.filter((id) => !before.has(id));
    const tags = await orthancJson<Record<string, unknown>>(`/instances/${newSr}/tags?simplify`);
    const previousUids = new Set<string>();
    for (const id of before) {
      const t = await orthancJson<{ Modality?: string; SOPInstanceUID: string }>(
        `/instances/${id}/tags?simplify`,
      );
      if (t.Modality === 'SR') previousUids.add(t.SOPInstanceUID);
    }
    expect(previousUids.size).toBe(1);
    expect(tags['Modality']).toBe('SR');
    expect(JSON.stringify(tags['PredecessorDocumentsSequence'])).toContain([...previousUids][0]);

    // An AI device's SR of the study, put on the server by another tool.
    const instances = (await b.handlers['catalog.getStudy']({ studyInstanceUID: remoteStudy })).series.find(
      (series) => series.modality === 'CT',
    )!;
    const listed = await b.handlers['catalog.listInstances']({
      seriesInstanceUID: instances.seriesInstanceUID,
    });
    const someImage = (await orthancJson<string[]>('/instances'))[0]!;
    const imageTags = await orthancJson<Record<string, string>>(`/instances/${someImage}/tags?simplify`);
    const foreign = path.join(dir, 'foreign');
    fs.mkdirSync(foreign, { recursive: true });
    const spec = {
      study: remoteStudy,
      series: instances.seriesInstanceUID,
      frameOfReference: imageTags['FrameOfReferenceUID']!,
      sopClass: '1.2.840.10008.5.1.4.1.1.2',
      slices: listed
        .sort((x, y) => (x.instanceNumber ?? 0) - (y.instanceNumber ?? 0))
        .map((instance, k) => ({
          sop: instance.sopInstanceUID,
          position: slicePositionPatient('axial', 32, k),
        })),
      rows: 32,
      columns: 32,
      spacing: [0.7, 0.7],
    };
    writeForeignObjects(foreign, spec);
    const stowed = spawnSync('curl', [
      '-sf',
      '-u',
      'user:secret',
      '-X',
      'POST',
      '--data-binary',
      `@${multipartFile(path.join(foreign, 'sr-highdicom.dcm'), path.join(foreign, 'body'))}`,
      '-H',
      `Content-Type: multipart/related; type="application/dicom"; boundary=${BOUNDARY}`,
      `${orthanc.dicomWebUrl}/studies`,
    ]);
    expect(stowed.status).toBe(0);

    expect(await b.sync.engine()!.pass(new AbortController().signal)).toMatchObject({
      failed: 0,
      pending: 0,
    });
    // Imported SR/SEG become annotation versions once the catalog has them (interchange-handlers.ts).
    let heads: Awaited<ReturnType<Services['handlers']['annotation.list']>>['heads'] = [];
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      heads = (await b.handlers['annotation.list']({ studyInstanceUID: remoteStudy })).heads;
      if (
        heads.some((head) => head.source === 'ai:liver-net') &&
        heads.some((head) => head.source === 'human')
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const sources = heads.map((head) => head.source).sort();
    expect(sources).toContain('ai:liver-net');
    const human = heads.filter((head) => head.source === 'human');
    expect(human.length).toBeGreaterThan(0);
    expect(human.every((head) => head.author.length > 0)).toBe(true);
  }, 180_000);
});

const BOUNDARY = 'radlabel-test-boundary';

/** A one-part multipart/related body holding `file`, written to `out`. */
function multipartFile(file: string, out: string): string {
  fs.writeFileSync(
    out,
    Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`),
      fs.readFileSync(file),
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]),
  );
  return out;
}
