/** MIDI-B "date shifted": every date of a patient moves by one offset, intervals and times kept. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { El } from '../../../unit/deid/support/build-dicom.js';
import { sampleElements, T } from '../../../unit/deid/support/sample.js';
import { contains, deidentifyObjects, type DeidRun } from './run.js';

const day = (value: string): number =>
  Date.UTC(Number(value.slice(0, 4)), Number(value.slice(4, 6)) - 1, Number(value.slice(6, 8))) / 86_400_000;

const baseline: El[] = [
  { tag: T.StudyDate, vr: 'DA', value: '20230105' },
  { tag: T.SeriesDate, vr: 'DA', value: '20230105' },
  { tag: T.AcquisitionDate, vr: 'DA', value: '20230105' },
  { tag: T.ContentDate, vr: 'DA', value: '20230105' },
  { tag: T.InstanceCreationDate, vr: 'DA', value: '20230105' },
  { tag: T.AcquisitionDateTime, vr: 'DT', value: '20230105094512' },
  {
    tag: 0x00081250,
    vr: 'SQ',
    value: [
      [
        { tag: 0x00400244, vr: 'DA', value: '20230104' },
        { tag: 0x00400245, vr: 'TM', value: '235959' },
      ],
    ],
  },
];
const followUp: El[] = [
  { tag: T.StudyDate, vr: 'DA', value: '20230719' },
  { tag: T.SeriesDate, vr: 'DA', value: '20230719' },
  { tag: T.AcquisitionDate, vr: 'DA', value: '20230720' },
  { tag: T.ContentDate, vr: 'DA', value: '20230719' },
  { tag: T.InstanceCreationDate, vr: 'DA', value: '20230719' },
  { tag: T.AcquisitionDateTime, vr: 'DT', value: '20230720101010.5' },
  { tag: T.StudyInstanceUID, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.2002' },
];

let run: DeidRun;
beforeAll(async () => {
  run = await deidentifyObjects(
    [
      { name: 'baseline', elements: sampleElements({ extra: baseline }) },
      {
        name: 'follow-up',
        elements: sampleElements({ extra: followUp, sopUid: '1.2.826.0.1.3680043.8.498.2002.1.1' }),
      },
      {
        name: 'other-patient',
        elements: sampleElements({
          extra: baseline,
          patientId: 'PID-SOMEONE-ELSE',
          sopUid: '1.2.826.0.1.3680043.8.498.3003.1.1',
        }),
      },
    ],
    undefined,
  );
});
afterAll(() => run.cleanup());

describe('date shifted', () => {
  it('moves every date of one object by the same number of days, nested ones included', () => {
    const out = run.outputs.get('baseline')!.read;
    const shift = day(out.text([T.StudyDate])!) - day('20230105');
    expect(shift).toBeLessThan(0);
    for (const tag of [T.SeriesDate, T.AcquisitionDate, T.ContentDate])
      expect(day(out.text([tag])!) - day('20230105')).toBe(shift);
    expect(day(out.text([0x00081250, 0, 0x00400244])!) - day('20230104')).toBe(shift);
    expect(day(out.text([T.AcquisitionDateTime])!.slice(0, 8)) - day('20230105')).toBe(shift);
  });

  it('keeps times of day and the interval between a patient’s studies', () => {
    const baselineOut = run.outputs.get('baseline')!.read;
    const followOut = run.outputs.get('follow-up')!.read;
    expect(baselineOut.text([T.AcquisitionDateTime])!.slice(8)).toBe('094512');
    expect(followOut.text([T.AcquisitionDateTime])!.slice(8)).toBe('101010.5');
    expect(baselineOut.text([0x00081250, 0, 0x00400245])).toBe('235959');
    expect(day(followOut.text([T.StudyDate])!) - day(baselineOut.text([T.StudyDate])!)).toBe(
      day('20230719') - day('20230105'),
    );
  });

  it('gives another patient another offset', () => {
    expect(run.outputs.get('other-patient')!.read.text([T.StudyDate])).not.toBe(
      run.outputs.get('baseline')!.read.text([T.StudyDate]),
    );
  });

  it('leaves no original date in the file and says the dates were modified', () => {
    for (const name of ['baseline', 'follow-up']) {
      const { bytes, read } = run.outputs.get(name)!;
      for (const original of ['20230105', '20230104', '20230719', '20230720', '19610423'])
        expect(contains(bytes, original), original).toBe(false);
      expect(read.text([T.LongitudinalTemporalInformationModified])).toBe('MODIFIED');
      expect(read.text([T.PatientBirthDate])).toBe('');
    }
  });
});
