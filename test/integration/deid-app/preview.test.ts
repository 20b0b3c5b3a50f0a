import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeidPreviewRow } from '../../../shared/contract.js';
import type { Services } from '../../../main/services.js';
import { type CtSeries, ensureCtSeries } from '../../fixtures/index.js';
import { fixedKey, freshDir, importInto, openServices } from './harness.js';

describe('the attribute preview of a stored image', () => {
  let dataDir: string;
  let services: Services;
  let series: CtSeries;
  let rows: DeidPreviewRow[];
  const row = (keyword: string) =>
    rows.find((candidate) => candidate.keyword === keyword && candidate.depth === 0);

  beforeAll(async () => {
    dataDir = freshDir('preview');
    series = ensureCtSeries({ slices: 2, size: 64, seed: 'deid-app-preview' });
    services = openServices(dataDir, fixedKey('preview'));
    await importInto(services, [series.dir]);
    rows = await services.handlers['deid.preview']({ sopInstanceUID: series.sopInstanceUIDs[0]! });
  });
  afterAll(async () => {
    await services.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the patient’s name and ID before, and the project pseudonym after', () => {
    expect(row('PatientName')).toMatchObject({ before: series.patientName, action: 'D (set)' });
    expect(row('PatientName')!.after).toMatch(/^LOCAL-/);
    expect(row('PatientID')).toMatchObject({ before: series.patientId, after: row('PatientName')!.after });
  });

  it('lists what de-identification adds: identity removed, the method, the trial subject', () => {
    expect(row('PatientIdentityRemoved')).toMatchObject({ before: '', after: 'YES', action: 'D (added)' });
    expect(row('ClinicalTrialSubjectID')!.after).toBe(row('PatientName')!.after);
    expect(row('DeidentificationMethod')!.after).toMatch(/PS3\.15/);
  });

  it('shows UIDs remapped and the SOP Class UID as it is written', () => {
    expect(row('StudyInstanceUID')!.before).toBe(series.studyInstanceUID);
    expect(row('StudyInstanceUID')!.after).toMatch(/^2\.25\./);
    expect(row('SOPClassUID')!.after).toBe(row('SOPClassUID')!.before);
  });

  it('refuses an image that is not in the catalog', async () => {
    await expect(services.handlers['deid.preview']({ sopInstanceUID: '1.2.3.4.5' })).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});
