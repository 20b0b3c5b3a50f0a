/** MIDI-B "text removed": identifying text is gone from every byte of the output, at any depth. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { El } from '../../../unit/deid/support/build-dicom.js';
import { sampleElements, T } from '../../../unit/deid/support/sample.js';
import { contains, deidentifyObjects, type DeidRun } from './run.js';

const identifying = {
  name: 'QUINTERO^ROSALIND',
  id: 'MRN-5571234',
  otherId: 'MRN-OLD-99',
  accession: 'ACC-77-3141',
  institution: 'Mercy General Hospital',
  address: '221B Baker Street',
  physician: 'WATSON^JOHN',
  operator: 'HUDSON^MARTHA',
  requestedProcedureId: 'RP-443322',
  stepId: 'SPS-8822',
  comment: 'Rosalind Quintero called back',
  sourceAe: 'MERCY_PACS_01',
};

const nested: El[] = [
  { tag: T.PatientName, vr: 'PN', value: identifying.name },
  { tag: T.PatientID, vr: 'LO', value: identifying.id },
  { tag: T.AccessionNumber, vr: 'SH', value: identifying.accession },
  { tag: T.InstitutionName, vr: 'LO', value: identifying.institution },
  { tag: T.PatientAddress, vr: 'LO', value: identifying.address },
  { tag: T.ReferringPhysicianName, vr: 'PN', value: identifying.physician },
  { tag: T.OperatorsName, vr: 'PN', value: identifying.operator },
  { tag: T.PatientComments, vr: 'LT', value: identifying.comment },
  { tag: T.ImageComments, vr: 'LT', value: identifying.comment },
  { tag: T.StudyDescription, vr: 'LO', value: `CT ${identifying.name.replace('^', ' ')}` },
  { tag: 0x00101002, vr: 'SQ', value: [[{ tag: T.PatientID, vr: 'LO', value: identifying.otherId }]] },
  {
    tag: 0x00400275,
    vr: 'SQ',
    undefinedLength: true,
    value: [
      [
        { tag: 0x00401001, vr: 'SH', value: identifying.requestedProcedureId },
        { tag: 0x00400009, vr: 'SH', value: identifying.stepId },
      ],
    ],
  },
  { tag: 0x00091010, vr: 'LO', value: identifying.name },
  { tag: 0x00090010, vr: 'LO', value: 'HOSPITAL PRIVATE' },
];

let run: DeidRun;
beforeAll(async () => {
  run = await deidentifyObjects([
    { name: 'explicit', elements: sampleElements({ extra: nested }) },
    {
      name: 'implicit',
      elements: sampleElements({ extra: nested, sopUid: '1.2.3.4.5.6.7' }),
      syntax: 'implicit-le',
    },
    {
      name: 'big-endian',
      elements: sampleElements({ extra: nested, sopUid: '1.2.3.4.5.6.8' }),
      syntax: 'explicit-be',
    },
  ]);
});
afterAll(() => run.cleanup());

describe('text removed', () => {
  it.each(['explicit', 'implicit', 'big-endian'])(
    '%s: no identifying string remains anywhere in the file',
    (name) => {
      const output = run.outputs.get(name)!.bytes;
      for (const [what, value] of Object.entries(identifying)) {
        expect(contains(output, value), what).toBe(false);
      }
      for (const name of [identifying.name, identifying.physician, identifying.operator]) {
        for (const part of name.split('^')) expect(contains(output, part), part).toBe(false);
      }
    },
  );

  it('keeps the structure that held the text (Type 2 attributes present, empty)', () => {
    const out = run.outputs.get('explicit')!.read;
    expect(out.text([T.AccessionNumber])).toBe('');
    expect(out.text([T.ReferringPhysicianName])).toBe('');
    expect(out.element([0x00400275])).toBeUndefined();
  });
});
