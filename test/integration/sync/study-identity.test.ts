/**
 * The annotations of a study go up as an SR naming the patient and the study as the study's images
 * do: the outbox reads that identity from one image's header (main/sync/outbox.ts `studyIdentity`,
 * header only, as leniently as the import; test/unit/sync/study-identity.test.ts for the values).
 * Here the images' names are Chinese in ISO 2022 IR 58 (GB 2312 with its escapes, PS3.5 Annex K),
 * which dcmjs does not decode; the SR must still join the images' study and (pseudonymised)
 * patient on a real DICOMweb server (Orthanc), and sync stays clean.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeText } from '../../../main/dicom/charset.js';
import { readDicomHeaderFromFile } from '../../../main/dicom/header.js';
import { studyIdentity } from '../../../main/sync/outbox.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { completeLength } from '../../support/annotation-versions.js';
import {
  type SyncProject,
  actAs,
  importAndWait,
  pass,
  startSyncProject,
} from '../../support/sync-project.js';

const ct = ensureCtSeries({ slices: 3, size: 64, seed: 'sync-study-identity' });
const IR58 = ['', 'ISO 2022 IR 58'];
const NAMES = ['Zhang^San=张^三=', 'Zhao^Liu=赵^六='].map((name) => {
  const bytes = Buffer.from(encodeText(name, IR58, 'pn')!);
  return bytes.length % 2 ? Buffer.concat([bytes, Buffer.from(' ')]) : bytes;
});

/** The CT slices with ISO 2022 IR 58 names (placeholders, replaced below: pydicom writes no escapes). */
const RENAME = `
import sys, pydicom
out, patient, referring = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for index, source in enumerate(sys.argv[4:]):
    ds = pydicom.dcmread(source)
    ds.SpecificCharacterSet = ['', 'ISO 2022 IR 58']
    ds.PatientName = 'P' * patient
    ds.ReferringPhysicianName = 'R' * referring
    ds.save_as('%s/slice%d.dcm' % (out, index))
`;

let project: SyncProject;
let files: string[] = [];

beforeAll(async () => {
  const dir = makeTempDir('sync-study-identity-files');
  const written = spawnSync(
    '/usr/bin/python3',
    ['-c', RENAME, dir, ...NAMES.map((name) => String(name.length)), ...ct.files],
    { encoding: 'utf8' },
  );
  if (written.status !== 0) throw new Error(`pydicom could not rename the study: ${written.stderr}`);
  files = ct.files.map((_, index) => path.join(dir, `slice${index}.dcm`));
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    NAMES.forEach((name, index) => {
      const at = bytes.indexOf(Buffer.alloc(name.length, index === 0 ? 'P' : 'R'));
      if (at < 0) throw new Error('placeholder not found');
      name.copy(bytes, at);
    });
    fs.writeFileSync(file, bytes);
  }
  project = await startSyncProject({
    name: 'sync-study-identity',
    manifest: { readers: [{ username: 'alice', role: 'annotator', tasks: [] }] },
  });
}, 60_000);

afterAll(() => project?.close());

interface QidoInstance {
  '00080060'?: { Value?: string[] };
  '00100020'?: { Value?: string[] };
  '00100010'?: { Value?: Array<{ Alphabetic?: string }> };
}

describe('the SR of a study whose names are in ISO 2022 IR 58', () => {
  it('names the patient as the images do (the catalog and the identity read agree)', () => {
    const header = readDicomHeaderFromFile(files[0]!);
    expect(header.patientName.ideographic).toBe('张^三');
    expect(studyIdentity(files[0]!, ['PatientName', 'ReferringPhysicianName'])).toEqual({
      PatientName: [{ Alphabetic: 'Zhang^San', Ideographic: '张^三' }],
      ReferringPhysicianName: [{ Alphabetic: 'Zhao^Liu', Ideographic: '赵^六' }],
    });
  });

  it('syncs up and joins the images’ study and patient on the server', async () => {
    const machine = await project.machine('machine-a', 'alice');
    await importAndWait(machine, files);
    actAs('alice');
    await machine.handlers['annotation.save']({
      versions: [
        completeLength(
          {
            annotationUid: crypto.randomUUID(),
            studyInstanceUID: ct.studyInstanceUID,
            seriesInstanceUID: ct.seriesInstanceUID,
            sopInstanceUID: ct.sopInstanceUIDs[1]!,
          },
          [],
          5,
          -1.25,
        ),
      ],
    });
    await machine.handlers['annotation.setStudyStatus']({
      studyInstanceUID: ct.studyInstanceUID,
      status: 'complete',
    });
    await machine.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    expect(await pass(machine)).toMatchObject({ failed: 0, pending: 0, error: null });
    const [row] = (await machine.handlers['sync.status']({})).studies;
    expect(row, JSON.stringify(row)).toMatchObject({ direction: 'up', state: 'synced' });
    const remote = row!.remoteStudyInstanceUID!;

    const orthanc = project.orthanc!;
    const response = await fetch(
      `${orthanc.dicomWebUrl}/studies/${remote}/instances?includefield=00080060&includefield=00100020&includefield=00100010`,
      { headers: { authorization: `Basic ${Buffer.from('user:secret').toString('base64')}` } },
    );
    expect(response.ok).toBe(true);
    const found = (await response.json()) as QidoInstance[];
    expect(found.map((instance) => instance['00080060']?.Value?.[0]).sort()).toEqual([
      'CT',
      'CT',
      'CT',
      'SR',
    ]);
    // One patient: the SR carries the images' pseudonymous patient ID and name.
    expect(new Set(found.map((instance) => instance['00100020']?.Value?.[0])).size).toBe(1);
    expect(new Set(found.map((instance) => JSON.stringify(instance['00100010']?.Value ?? null))).size).toBe(
      1,
    );
    const studies = (await (await orthanc.rest('/studies')).json()) as string[];
    expect(studies).toHaveLength(1);
    const patients = (await (await orthanc.rest('/patients')).json()) as string[];
    expect(patients).toHaveLength(1);
  }, 180_000);
});
