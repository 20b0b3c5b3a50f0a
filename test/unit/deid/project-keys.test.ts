/**
 * Pseudonyms are per project: the same patient in two projects (same secret) gets unrelated UIDs,
 * pseudonym and date offset, so two projects' data cannot be matched; within a project they are
 * repeatable, and the linkage table finds each project's mapping.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeidentifier, type DeidConfig } from '../../../main/deid/index.js';
import { EncryptedLinkageStore } from '../../../main/deid/linkage.js';
import { Pseudonymizer } from '../../../main/deid/pseudonyms.js';
import { buildDicom } from './support/build-dicom.js';
import { readBack } from './support/read-dicom.js';
import { config, sample, sampleElements, T } from './support/sample.js';

const engines: Array<{ close(): Promise<void> }> = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const engine of engines) await engine.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const secret = Buffer.alloc(32, 1);

interface Seen {
  patientId: string;
  code: string;
  uids: string[];
  offsetDays: number;
}

async function deidIn(projectId: string, overrides: Partial<DeidConfig> = {}): Promise<Seen> {
  const engine = createDeidentifier(config({ projectId, projectSecret: secret, ...overrides }));
  engines.push(engine);
  const outcome = await engine.deidentify(buildDicom(sampleElements()));
  if (outcome.status !== 'done') throw new Error(outcome.status);
  const out = readBack(outcome.output);
  const patientId = out.text([T.PatientID])!;
  const day = (value: string): number =>
    Date.UTC(Number(value.slice(0, 4)), Number(value.slice(4, 6)) - 1, Number(value.slice(6, 8))) /
    86_400_000;
  return {
    patientId,
    code: patientId.slice(patientId.lastIndexOf('-') + 1),
    uids: [T.StudyInstanceUID, T.SeriesInstanceUID, T.SOPInstanceUID, T.FrameOfReferenceUID].map((tag) =>
      out.text([tag])!,
    ),
    offsetDays: day(out.text([T.StudyDate])!) - day(sample.studyDate),
  };
}

describe('per-project pseudonyms', () => {
  it('the same patient in two projects gets unrelated UIDs, pseudonym and date offset', async () => {
    for (const [a, b] of [
      ['LUNGSTUDY', 'BRAINSTUDY'],
      ['LOCAL', 'LUNGSTUDY'],
    ] as const) {
      const first = await deidIn(a);
      const second = await deidIn(b);
      expect(first.patientId.startsWith(`${a}-`)).toBe(true);
      expect(second.patientId.startsWith(`${b}-`)).toBe(true);
      expect(second.code).not.toBe(first.code);
      for (const [i, uid] of second.uids.entries()) expect(uid).not.toBe(first.uids[i]);
      expect(second.offsetDays).not.toBe(first.offsetDays);
    }
  });

  it('within a project they are repeatable', async () => {
    expect(await deidIn('LUNGSTUDY')).toEqual(await deidIn('LUNGSTUDY'));
  });

  it('the default project LOCAL keeps the values it had before per-project keys (earlier exports stay consistent)', () => {
    // The formula every project used before: HMAC-SHA-256 under the secret itself.
    const before = (domain: string, value: string): Buffer =>
      crypto.createHmac('sha256', secret).update(domain).update('\0').update(value, 'latin1').digest();
    const local = new Pseudonymizer(secret, 'LOCAL');
    expect(local.uid(sample.studyUid)).toBe(
      `2.25.${BigInt(`0x${before('uid', sample.studyUid).subarray(0, 16).toString('hex')}`).toString(10)}`,
    );
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    const digest = before('patient', 'HOSP-A\\PID-1');
    expect(local.patientPseudonym('HOSP-A\\PID-1')).toBe(
      `LOCAL-${Array.from({ length: 10 }, (_, i) => alphabet[digest[i]! % 32]).join('')}`,
    );
    expect(new Pseudonymizer(secret, 'LUNGSTUDY').uid(sample.studyUid)).not.toBe(local.uid(sample.studyUid));
  });

  it('the linkage table keeps one mapping per project and finds each both ways', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'project-keys-'));
    dirs.push(dir);
    const store = new EncryptedLinkageStore(path.join(dir, 'linkage.sqlite'), {
      masterKey: () => Buffer.alloc(32, 9),
    });
    const lung = await deidIn('LUNGSTUDY', { linkage: store });
    const brain = await deidIn('BRAINSTUDY', { linkage: store });
    expect(store.find('uid', sample.studyUid, 'LUNGSTUDY')?.pseudonym).toBe(lung.uids[0]);
    expect(store.find('uid', sample.studyUid, 'BRAINSTUDY')?.pseudonym).toBe(brain.uids[0]);
    expect(store.reverse('uid', brain.uids[0]!)?.original).toBe(sample.studyUid);
    expect(store.reverse('patient', lung.patientId)).toMatchObject({
      original: `HOSP-A\\${sample.patientId}`,
      project: 'LUNGSTUDY',
    });
    expect(store.reverse('patient', brain.patientId)).toMatchObject({ project: 'BRAINSTUDY' });
    store.close();
  });
});
