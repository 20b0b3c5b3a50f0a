/** MIDI-B "patient ID consistent": one patient, one pseudonym, across studies, syntaxes and runs. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptedLinkageStore } from '../../../../main/deid/linkage.js';
import { makeTempDir } from '../../../fixtures/index.js';
import { sampleElements, T } from '../../../unit/deid/support/sample.js';
import { baseConfig, deidentifyObjects, type DeidRun } from './run.js';

const linkageDir = makeTempDir('midi-b-linkage');
const linkage = new EncryptedLinkageStore(path.join(linkageDir, 'linkage.sqlite'), {
  masterKey: () => Buffer.alloc(32, 5),
});

let run: DeidRun;
beforeAll(async () => {
  run = await deidentifyObjects(
    [
      { name: 'study-a', elements: sampleElements({ patientId: 'P-1001', patientName: 'LEE^ANN' }) },
      {
        name: 'study-b',
        elements: sampleElements({
          patientId: 'P-1001',
          patientName: 'LEE^ANN',
          sopUid: '1.2.3.9.1',
          extra: [{ tag: T.StudyInstanceUID, vr: 'UI', value: '1.2.3.9' }],
        }),
        syntax: 'implicit-le',
      },
      {
        name: 'renamed',
        elements: sampleElements({ patientId: 'P-1001', patientName: 'LEE-SMITH^ANN', sopUid: '1.2.3.10.1' }),
      },
      {
        name: 'other',
        elements: sampleElements({ patientId: 'P-2002', patientName: 'LEE^ANN', sopUid: '1.2.3.11.1' }),
      },
      {
        name: 'other-issuer',
        elements: sampleElements({
          patientId: 'P-1001',
          sopUid: '1.2.3.12.1',
          extra: [{ tag: T.IssuerOfPatientID, vr: 'LO', value: 'HOSP-B' }],
        }),
      },
    ],
    baseConfig({ linkage }),
  );
});
afterAll(() => {
  run.cleanup();
  linkage.close();
  fs.rmSync(linkageDir, { recursive: true, force: true });
});

const idOf = (name: string): string => run.outputs.get(name)!.read.text([T.PatientID])!;

describe('patient ID consistent', () => {
  it('maps one patient (issuer + id) to one pseudonym across studies and syntaxes, whatever the name', () => {
    expect(idOf('study-a')).toMatch(/^MIDIB-[A-Z2-9]{10}$/);
    expect(idOf('study-b')).toBe(idOf('study-a'));
    expect(idOf('renamed')).toBe(idOf('study-a'));
  });

  it('gives another patient, or the same id from another issuer, another pseudonym', () => {
    expect(idOf('other')).not.toBe(idOf('study-a'));
    expect(idOf('other-issuer')).not.toBe(idOf('study-a'));
  });

  it('writes the pseudonym as name, id and clinical-trial subject', () => {
    for (const name of ['study-a', 'study-b']) {
      const out = run.outputs.get(name)!.read;
      expect(out.text([T.PatientName])).toBe(idOf('study-a'));
      expect(out.text([T.ClinicalTrialSubjectID])).toBe(idOf('study-a'));
    }
  });

  it('keeps the way back only in the local, encrypted linkage table', () => {
    expect(linkage.reverse('patient', idOf('study-a'))?.original).toBe('HOSP-A\\P-1001');
    expect(linkage.reverse('patient', idOf('other-issuer'))?.original).toBe('HOSP-B\\P-1001');
  });
});
