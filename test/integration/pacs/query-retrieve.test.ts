/**
 * Query/retrieve against Orthanc configured as the hospital PACS on loopback: C-FIND finds studies
 * by patient, date range, modality and accession; C-MOVE to our own SCP brings a study into the
 * catalog with progress events, byte-exact; cancel and an unknown destination are clear.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import {
  LOCAL_AE,
  type Orthanc,
  type Workstation,
  filesUnder,
  freePort,
  openWorkstation,
  startOrthanc,
} from './harness.js';

const scratch = makeTempDir('pacs-qr');
let orthanc: Orthanc;
let ws: Workstation;
let nodeId: number;
const series = ensureCtSeries({ slices: 20, size: 128, seed: 'pacs-qr' });
const other = ensureCtSeries({ slices: 3, size: 64, seed: 'pacs-qr-other' });
let charsetFiles: string[];

beforeAll(async () => {
  const port = await freePort();
  orthanc = await startOrthanc({ radlabel: [LOCAL_AE, '127.0.0.1', port] });
  const charsetDir = path.join(scratch, 'charset');
  execFileSync('/usr/bin/python3', [path.join(import.meta.dirname, 'make-charset-files.py'), charsetDir]);
  charsetFiles = fs.readdirSync(charsetDir).map((name) => path.join(charsetDir, name));
  for (const file of [...series.files, ...other.files, ...charsetFiles]) {
    const response = await orthanc.rest('/instances', { method: 'POST', body: fs.readFileSync(file) });
    expect(response.ok).toBe(true);
  }
  ws = await openWorkstation({ port });
  nodeId = (
    await ws.pacs.handlers['pacs.saveNode']({
      name: 'Hospital PACS',
      aeTitle: 'ORTHANC',
      host: '127.0.0.1',
      port: orthanc.dicomPort,
    })
  ).id;
}, 60_000);

afterAll(async () => {
  await ws?.close();
  await orthanc?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const find = (query: Record<string, string>) =>
  ws.pacs.handlers['pacs.find']({
    nodeId,
    patientName: '',
    patientId: '',
    accessionNumber: '',
    dateFrom: '',
    dateTo: '',
    modality: '',
    limit: 200,
    ...query,
  });

describe('query/retrieve with Orthanc as the PACS', () => {
  it('test connection (C-ECHO) succeeds for the node and fails clearly for a closed port', async () => {
    expect(await ws.pacs.handlers['pacs.echo']({ nodeId })).toMatchObject({ ok: true, message: null });
    const closed = await ws.pacs.handlers['pacs.echo']({
      aeTitle: 'NOBODY',
      host: '127.0.0.1',
      port: await freePort(),
    });
    expect(closed.ok).toBe(false);
    expect(closed.message).toMatch(/connection refused/);
  });

  it('C-FIND finds studies by patient ID, patient name, date range, modality and accession', async () => {
    const byId = await find({ patientId: series.patientId });
    expect(byId.studies.map((study) => study.studyInstanceUID)).toEqual([series.studyInstanceUID]);
    expect(byId.studies[0]).toMatchObject({
      accessionNumber: 'ACC0001',
      studyDate: '20240115',
      local: false,
    });
    expect(byId.studies[0]!.numberOfInstances).toBe(20);

    const byName = await find({ patientName: `${series.patientName.slice(0, 3)}*` });
    expect(byName.studies.map((study) => study.studyInstanceUID)).toContain(series.studyInstanceUID);

    const inRange = await find({ dateFrom: '20240101', dateTo: '20240131', modality: 'CT' });
    expect(inRange.studies.map((study) => study.studyInstanceUID)).toEqual(
      expect.arrayContaining([series.studyInstanceUID, other.studyInstanceUID]),
    );
    expect((await find({ dateFrom: '20250101', dateTo: '' })).studies).toEqual([]);
    expect((await find({ modality: 'MR' })).studies).toEqual([]);

    const byAccession = await find({ accessionNumber: 'ACC0001' });
    expect(byAccession.studies.length).toBeGreaterThan(0);
    const chinese = await find({ patientId: 'CHARSET1' });
    // Orthanc's C-FIND answers only the alphabetic part of this GB18030 name (docs/environment.md).
    expect(chinese.studies[0]?.patientName).toMatch(/^Wang\^XiaoDong/);
  });

  it('C-MOVE to our own SCP brings a study into the catalog, with progress events', async () => {
    const { jobId } = await ws.pacs.handlers['pacs.retrieve']({
      nodeId,
      studyInstanceUIDs: [series.studyInstanceUID],
    });
    await waitFor(
      () => ws.retrieveEvents.some((event) => event.jobId === jobId && event.phase !== 'running'),
      60_000,
    );
    const last = ws.retrieveEvents.filter((event) => event.jobId === jobId).at(-1)!;
    expect(last).toMatchObject({ phase: 'done', completed: 20, failed: 0, total: 20, error: null });
    // Progress was reported along the way, not only at the end.
    expect(
      ws.retrieveEvents.filter((event) => event.jobId === jobId && event.phase === 'running').length,
    ).toBeGreaterThan(2);
    expect(ws.catalog.getStudy(series.studyInstanceUID)?.study.numberOfInstances).toBe(20);
    expect(ws.changed.flatMap((event) => event.studyInstanceUIDs)).toContain(series.studyInstanceUID);
    // A study found again is marked as local.
    expect((await find({ patientId: series.patientId })).studies[0]!.local).toBe(true);
  });

  it('private tags and Chinese text survive the retrieve byte-exact', async () => {
    const uids = ['1.2.826.0.1.3680043.8.498.7701.1', '1.2.826.0.1.3680043.8.498.7701.2'];
    const { jobId } = await ws.pacs.handlers['pacs.retrieve']({ nodeId, studyInstanceUIDs: uids });
    await waitFor(
      () => ws.retrieveEvents.some((event) => event.jobId === jobId && event.phase !== 'running'),
      60_000,
    );
    for (const [index, uid] of [
      '1.2.826.0.1.3680043.8.498.7700.1',
      '1.2.826.0.1.3680043.8.498.7700.2',
    ].entries()) {
      const stored = ws.catalog.storedFile(uid);
      expect(stored, uids[index]).not.toBeNull();
      const original = charsetFiles.find((file) => datasetBytes(file).includes(Buffer.from(uid)))!;
      expect(
        datasetBytes(path.join(ws.dataDir, 'store', stored!.filePath)).equals(datasetBytes(original)),
      ).toBe(true);
    }
  });

  it('a retrieve from a PACS that does not know our AE title as a destination fails with a clear reason', async () => {
    const stranger = await ws.pacs.handlers['pacs.saveNode']({
      name: 'Misconfigured',
      aeTitle: 'ORTHANC',
      host: '127.0.0.1',
      port: orthanc.dicomPort,
    });
    // Our AE title changes: Orthanc knows only RADLABEL as a destination.
    const local = (await ws.pacs.handlers['pacs.getSettings']({})).local;
    await ws.pacs.start({ ...local, enabled: true, aeTitle: 'UNKNOWNAE', port: 0, bindAddress: '127.0.0.1' });
    try {
      const { jobId } = await ws.pacs.handlers['pacs.retrieve']({
        nodeId: stranger.id,
        studyInstanceUIDs: [other.studyInstanceUID],
      });
      await waitFor(
        () => ws.retrieveEvents.some((event) => event.jobId === jobId && event.phase !== 'running'),
        30_000,
      );
      const last = ws.retrieveEvents.filter((event) => event.jobId === jobId).at(-1)!;
      expect(last.phase).toBe('failed');
      expect(last.error).toMatch(/UNKNOWNAE/);
      expect(ws.catalog.getStudy(other.studyInstanceUID)).toBeNull();
    } finally {
      await ws.pacs.start({
        ...local,
        enabled: true,
        aeTitle: LOCAL_AE,
        port: ws.port,
        bindAddress: '127.0.0.1',
      });
    }
    expect(filesUnder(path.join(ws.dataDir, 'pacs-incoming'))).toEqual([]);
  });

  it('a retrieve can be cancelled: it ends as cancelled and asks for no further study', async () => {
    const { jobId } = await ws.pacs.handlers['pacs.retrieve']({
      nodeId,
      studyInstanceUIDs: [other.studyInstanceUID, series.studyInstanceUID],
    });
    expect(await ws.pacs.handlers['pacs.cancelRetrieve']({ jobId })).toEqual({ cancelled: true });
    await waitFor(
      () => ws.retrieveEvents.some((event) => event.jobId === jobId && event.phase !== 'running'),
      30_000,
    );
    expect(ws.retrieveEvents.filter((event) => event.jobId === jobId).at(-1)!.phase).toBe('cancelled');
    expect(await ws.pacs.handlers['pacs.cancelRetrieve']({ jobId })).toEqual({ cancelled: false });
  });
});

function datasetBytes(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  const groupLength = bytes.readUInt32LE(132 + 8);
  return bytes.subarray(132 + 12 + groupLength);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
