import { afterAll, describe, expect, it } from 'vitest';
import { createDeidentifier, type DeidConfig } from '../../../main/deid/index.js';
import { buildDicom, type El } from './support/build-dicom.js';
import { readBack, type ReadBack } from './support/read-dicom.js';
import { config, sample, sampleElements, T } from './support/sample.js';

const engines: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const engine of engines) await engine.close();
});

async function deid(elements: El[], overrides: Partial<DeidConfig> = {}): Promise<ReadBack> {
  const engine = createDeidentifier(config(overrides));
  engines.push(engine);
  const outcome = await engine.deidentify(buildDicom(elements));
  if (outcome.status !== 'done') throw new Error(outcome.status);
  return readBack(outcome.output);
}

function daysBetween(a: string, b: string): number {
  const parse = (v: string): number =>
    Date.UTC(Number(v.slice(0, 4)), Number(v.slice(4, 6)) - 1, Number(v.slice(6, 8)));
  return (parse(b) - parse(a)) / 86_400_000;
}

describe('UID pseudonyms', () => {
  it('map one original UID to the same pseudonym wherever it occurs (top level, nested, undefined-length)', async () => {
    // The referenced instance is itself an object of the study: its own SOP Instance UID.
    const referenced = await deid(sampleElements({ sopUid: sample.referencedUid }));
    const referencing = await deid(sampleElements());
    const target = referenced.text([T.SOPInstanceUID]);
    expect(referencing.text([T.ReferencedImageSequence, 0, T.ReferencedSOPInstanceUID])).toBe(target);
    expect(referencing.text([T.SourceImageSequence, 0, T.ReferencedSOPInstanceUID])).toBe(target);
    expect(referencing.text([T.StudyInstanceUID])).toBe(referenced.text([T.StudyInstanceUID]));
    expect(referencing.text([T.FrameOfReferenceUID])).toBe(referenced.text([T.FrameOfReferenceUID]));
  });

  it('are identical on a re-run and differ under another project secret', async () => {
    const first = await deid(sampleElements());
    const again = await deid(sampleElements());
    const other = await deid(sampleElements(), { projectSecret: Buffer.alloc(32, 2) });
    expect(again.text([T.SOPInstanceUID])).toBe(first.text([T.SOPInstanceUID]));
    expect(other.text([T.SOPInstanceUID])).not.toBe(first.text([T.SOPInstanceUID]));
    expect(other.text([T.PatientID])).not.toBe(first.text([T.PatientID]));
  });

  it('are valid 2.25 UIDs of at most 64 characters', async () => {
    const out = await deid(sampleElements());
    for (const tag of [T.SOPInstanceUID, T.SeriesInstanceUID, T.StudyInstanceUID, T.FrameOfReferenceUID]) {
      const uid = out.text([tag])!;
      expect(uid).toMatch(/^2\.25\.(0|[1-9]\d*)$/);
      expect(uid.length).toBeLessThanOrEqual(64);
      expect(BigInt(uid.slice(5)) < 2n ** 128n).toBe(true);
    }
  });

  it('are kept under Retain UIDs', async () => {
    const out = await deid(sampleElements(), { options: ['retainUIDs'] });
    expect(out.text([T.StudyInstanceUID])).toBe(sample.studyUid);
    expect(out.text([T.ReferencedImageSequence, 0, T.ReferencedSOPInstanceUID])).toBe(sample.referencedUid);
  });
});

describe('dates', () => {
  it('shift DA and DT by one per-patient offset, so intervals are kept, and mark the dataset', async () => {
    const out = await deid(sampleElements());
    const study = out.text([T.StudyDate])!;
    const acquisition = out.text([T.AcquisitionDate])!;
    expect(study).not.toBe(sample.studyDate);
    expect(daysBetween(study, acquisition)).toBe(1);
    const shift = daysBetween(sample.studyDate, study);
    expect(shift).toBeLessThanOrEqual(-30);
    expect(out.text([T.AcquisitionDateTime])).toBe(`${acquisition}081530.25+0100`);
    expect(out.text([T.StudyTime])).toBe('081200');
    expect(out.text([T.LongitudinalTemporalInformationModified])).toBe('MODIFIED');
  });

  it('shift dates inside sequences with the same offset', async () => {
    const extra: El[] = [
      { tag: 0x00400275, vr: 'SQ', value: [[{ tag: 0x00400244, vr: 'DA', value: '20240311' }]] },
    ];
    const out = await deid(sampleElements({ extra }), { overrides: { '(0040,0275)': 'K' } });
    expect(out.text([0x00400275, 0, 0x00400244])).toBe(out.text([T.StudyDate]));
  });

  it('give every study of one patient the same offset, and another patient another', async () => {
    const a = await deid(sampleElements());
    const b = await deid(sampleElements({ extra: [{ tag: T.StudyDate, vr: 'DA', value: '20250101' }] }));
    const other = await deid(sampleElements({ patientId: 'PID-OTHER' }));
    expect(daysBetween(sample.studyDate, a.text([T.StudyDate])!)).toBe(
      daysBetween('20250101', b.text([T.StudyDate])!),
    );
    expect(other.text([T.StudyDate])).not.toBe(a.text([T.StudyDate]));
  });

  it('are emptied or removed without a longitudinal option, and kept with Full Dates', async () => {
    const removed = await deid(sampleElements(), { options: [] });
    expect(removed.text([T.StudyDate])).toBe('');
    expect(removed.element([T.AcquisitionDateTime])?.valueLength).toBe('19000101000000'.length);
    expect(removed.text([T.LongitudinalTemporalInformationModified])).toBe('REMOVED');
    const full = await deid(sampleElements(), { options: ['retainLongitudinalFullDates'] });
    expect(full.text([T.StudyDate])).toBe(sample.studyDate);
    expect(full.text([T.LongitudinalTemporalInformationModified])).toBe('UNMODIFIED');
  });

  it('remove a malformed date rather than keep it', async () => {
    const out = await deid(
      sampleElements({ extra: [{ tag: T.AcquisitionDate, vr: 'DA', value: '2024-03-12' }] }),
    );
    expect(out.element([T.AcquisitionDate])).toBeUndefined();
  });
});
