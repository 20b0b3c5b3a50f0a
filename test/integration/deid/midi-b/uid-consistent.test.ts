/**
 * MIDI-B "UID consistent": references inside and across series still resolve after
 * de-identification (a derived series, a segmentation-like object, an SR), the same on a re-run
 * and with the worker pool, and differently under another project secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { El } from '../../../unit/deid/support/build-dicom.js';
import { sampleElements, T } from '../../../unit/deid/support/sample.js';
import { baseConfig, deidentifyObjects, type DeidRun, type FixtureObject } from './run.js';

const study = '1.2.826.0.1.3680043.8.498.5000';
const frame = '1.2.826.0.1.3680043.8.498.5000.99';
const ctSeries = '1.2.826.0.1.3680043.8.498.5000.1';
const ct = ['1.2.826.0.1.3680043.8.498.5000.1.1', '1.2.826.0.1.3680043.8.498.5000.1.2'];
const segSop = '1.2.826.0.1.3680043.8.498.5000.2.1';
const srSop = '1.2.826.0.1.3680043.8.498.5000.3.1';

const common = (sop: string, series: string): El[] => [
  { tag: T.StudyInstanceUID, vr: 'UI', value: study },
  { tag: T.FrameOfReferenceUID, vr: 'UI', value: frame },
  { tag: T.SeriesInstanceUID, vr: 'UI', value: series },
  { tag: T.SOPInstanceUID, vr: 'UI', value: sop },
];
const reference = (sop: string): El[] => [
  { tag: T.ReferencedSOPClassUID, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
  { tag: T.ReferencedSOPInstanceUID, vr: 'UI', value: sop },
];
const seg: El[] = [
  ...common(segSop, '1.2.826.0.1.3680043.8.498.5000.2'),
  {
    tag: 0x00081115,
    vr: 'SQ',
    value: [
      [
        { tag: 0x0020000e, vr: 'UI', value: ctSeries },
        { tag: T.ReferencedImageSequence, vr: 'SQ', value: ct.map(reference) },
      ],
    ],
  },
  {
    tag: 0x52009230,
    vr: 'SQ',
    undefinedLength: true,
    value: ct.map((sop) => [
      { tag: 0x00089124, vr: 'SQ', value: [[{ tag: 0x00082112, vr: 'SQ', value: [reference(sop)] }]] },
    ]),
  },
];
const sr: El[] = [
  ...common(srSop, '1.2.826.0.1.3680043.8.498.5000.3'),
  { tag: T.SOPClassUID, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.88.22' },
  {
    tag: 0x0040a375,
    vr: 'SQ',
    value: [
      [
        { tag: T.StudyInstanceUID, vr: 'UI', value: study },
        {
          tag: 0x00081115,
          vr: 'SQ',
          value: [
            [
              { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.5000.2' },
              {
                tag: 0x00081199,
                vr: 'SQ',
                value: [
                  [
                    { tag: T.ReferencedSOPClassUID, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.66.4' },
                    { tag: T.ReferencedSOPInstanceUID, vr: 'UI', value: segSop },
                  ],
                ],
              },
            ],
          ],
        },
      ],
    ],
  },
  {
    tag: 0x0040a730,
    vr: 'SQ',
    value: [
      [
        { tag: 0x0040a040, vr: 'CS', value: 'IMAGE' },
        { tag: 0x00081199, vr: 'SQ', value: [reference(ct[1]!)] },
      ],
    ],
  },
];

const objects: FixtureObject[] = [
  { name: 'ct1', elements: sampleElements({ extra: common(ct[0]!, ctSeries) }) },
  { name: 'ct2', elements: sampleElements({ extra: common(ct[1]!, ctSeries) }) },
  { name: 'seg', elements: sampleElements({ extra: seg }) },
  { name: 'sr', elements: sampleElements({ extra: sr }) },
];
const config = baseConfig({
  options: ['retainLongitudinalModifiedDates', 'cleanDescriptors', 'cleanStructuredContent'],
});

let run: DeidRun;
let rerun: DeidRun;
let pooled: DeidRun;
let otherSecret: DeidRun;
beforeAll(async () => {
  run = await deidentifyObjects(objects, config);
  rerun = await deidentifyObjects(objects, config);
  pooled = await deidentifyObjects(objects, config, 2);
  otherSecret = await deidentifyObjects(objects, {
    ...config,
    projectSecret: Buffer.from('another-project-secret-abcdefghij'),
  });
});
afterAll(() => {
  for (const r of [run, rerun, pooled, otherSecret]) r.cleanup();
});

const sopOf = (r: DeidRun, name: string): string => r.outputs.get(name)!.read.text([T.SOPInstanceUID])!;

describe('UID consistent', () => {
  it('keeps every object in the one study, series and frame of reference', () => {
    const studies = new Set(
      ['ct1', 'ct2', 'seg', 'sr'].map((name) => run.outputs.get(name)!.read.text([T.StudyInstanceUID])),
    );
    const frames = new Set(
      ['ct1', 'ct2', 'seg', 'sr'].map((name) => run.outputs.get(name)!.read.text([T.FrameOfReferenceUID])),
    );
    expect(studies.size).toBe(1);
    expect(frames.size).toBe(1);
    expect(run.outputs.get('ct1')!.read.text([T.SeriesInstanceUID])).toBe(
      run.outputs.get('ct2')!.read.text([T.SeriesInstanceUID]),
    );
  });

  it('resolves the segmentation’s references to the de-identified CT instances and series', () => {
    const segOut = run.outputs.get('seg')!.read;
    expect(segOut.text([0x00081115, 0, 0x0020000e])).toBe(
      run.outputs.get('ct1')!.read.text([T.SeriesInstanceUID]),
    );
    expect(segOut.text([0x00081115, 0, T.ReferencedImageSequence, 0, T.ReferencedSOPInstanceUID])).toBe(
      sopOf(run, 'ct1'),
    );
    expect(segOut.text([0x00081115, 0, T.ReferencedImageSequence, 1, T.ReferencedSOPInstanceUID])).toBe(
      sopOf(run, 'ct2'),
    );
    expect(
      segOut.text([0x52009230, 0, 0x00089124, 0, T.SourceImageSequence, 0, T.ReferencedSOPInstanceUID]),
    ).toBe(sopOf(run, 'ct1'));
    expect(
      segOut.text([0x52009230, 1, 0x00089124, 0, T.SourceImageSequence, 0, T.ReferencedSOPInstanceUID]),
    ).toBe(sopOf(run, 'ct2'));
  });

  it('resolves the SR’s evidence and content references', () => {
    const srOut = run.outputs.get('sr')!.read;
    expect(srOut.text([0x0040a375, 0, T.StudyInstanceUID])).toBe(srOut.text([T.StudyInstanceUID]));
    expect(srOut.text([0x0040a375, 0, 0x00081115, 0, 0x00081199, 0, T.ReferencedSOPInstanceUID])).toBe(
      sopOf(run, 'seg'),
    );
    expect(srOut.text([0x0040a730, 0, 0x00081199, 0, T.ReferencedSOPInstanceUID])).toBe(sopOf(run, 'ct2'));
  });

  it('gives identical UIDs on a re-run and with the worker pool', () => {
    for (const name of ['ct1', 'ct2', 'seg', 'sr']) {
      expect(sopOf(rerun, name)).toBe(sopOf(run, name));
      expect(sopOf(pooled, name)).toBe(sopOf(run, name));
      expect(rerun.outputs.get(name)!.bytes.equals(run.outputs.get(name)!.bytes)).toBe(true);
    }
  });

  it('gives other UIDs under another project secret', () => {
    for (const name of ['ct1', 'seg', 'sr']) expect(sopOf(otherSecret, name)).not.toBe(sopOf(run, name));
  });
});
