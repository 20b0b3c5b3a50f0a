/** MIDI-B "UID changed": every instance-specific UID is replaced, everywhere, meta included. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { El } from '../../../unit/deid/support/build-dicom.js';
import { sample, sampleElements, T } from '../../../unit/deid/support/sample.js';
import { contains, deidentifyObjects, type DeidRun } from './run.js';

const extraUids = {
  irradiationEvent: '1.3.12.2.1107.5.1.4.99.1',
  concatenation: '1.3.12.2.1107.5.1.4.99.2',
  synchronization: '1.3.12.2.1107.5.1.4.99.3',
  dimensionOrganization: '1.3.12.2.1107.5.1.4.99.4',
  unlistedPrivateVendorUid: '1.3.12.2.1107.5.1.4.99.5',
};
const extra: El[] = [
  { tag: 0x00083010, vr: 'UI', value: extraUids.irradiationEvent },
  { tag: 0x00209161, vr: 'UI', value: extraUids.concatenation },
  { tag: 0x00200200, vr: 'UI', value: extraUids.synchronization },
  {
    tag: 0x00209221,
    vr: 'SQ',
    value: [[{ tag: 0x00209164, vr: 'UI', value: extraUids.dimensionOrganization }]],
  },
  { tag: 0x00189004, vr: 'CS', value: 'PRODUCT' },
  { tag: 0x0040a124, vr: 'UI', value: extraUids.unlistedPrivateVendorUid },
];

let run: DeidRun;
beforeAll(async () => {
  run = await deidentifyObjects([
    { name: 'explicit', elements: sampleElements({ extra }) },
    {
      name: 'deflated',
      elements: sampleElements({ extra, sopUid: '1.2.826.0.1.3680043.8.498.1001.1.9' }),
      syntax: 'deflated',
    },
  ]);
});
afterAll(() => run.cleanup());

const originals = [
  sample.studyUid,
  sample.seriesUid,
  sample.sopUid,
  sample.referencedUid,
  sample.frameOfReferenceUid,
  ...Object.values(extraUids),
];

describe('UID changed', () => {
  it('no original UID remains in the (uncompressed) output bytes', () => {
    const { bytes } = run.outputs.get('explicit')!;
    for (const uid of originals) expect(contains(bytes, uid), uid).toBe(false);
  });

  it.each(['explicit', 'deflated'])('%s: every UID is a 2.25 UID except well-known DICOM ones', (name) => {
    const { read } = run.outputs.get(name)!;
    const uids = [
      ...[
        T.SOPInstanceUID,
        T.SeriesInstanceUID,
        T.StudyInstanceUID,
        T.FrameOfReferenceUID,
        0x00083010,
        0x00209161,
        0x00200200,
        0x0040a124,
      ].flatMap((tag) => read.all(tag)),
      ...read.all(T.ReferencedSOPInstanceUID),
      ...read.all(0x00209164),
    ];
    expect(uids.length).toBeGreaterThanOrEqual(11);
    for (const uid of uids) expect(uid).toMatch(/^2\.25\.\d+$/);
    for (const uid of [...read.all(T.SOPClassUID), ...read.all(T.ReferencedSOPClassUID)])
      expect(uid.startsWith('1.2.840.10008.')).toBe(true);
  });

  it('rewrites MediaStorageSOPInstanceUID to the new SOP Instance UID', () => {
    const { read } = run.outputs.get('explicit')!;
    expect(read.meta(0x00020003)).toBe(read.text([T.SOPInstanceUID]));
  });
});
