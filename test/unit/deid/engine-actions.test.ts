import { afterAll, describe, expect, it } from 'vitest';
import { createDeidentifier, type DeidConfig, type DeidOutcome } from '../../../main/deid/index.js';
import { buildDicom, type El } from './support/build-dicom.js';
import { readBack } from './support/read-dicom.js';
import { config, sample, sampleElements, T } from './support/sample.js';

const engines: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const engine of engines) await engine.close();
});

async function run(
  elements: El[],
  overrides: Partial<DeidConfig> = {},
): Promise<Extract<DeidOutcome, { status: 'done' }>> {
  const engine = createDeidentifier(config(overrides));
  engines.push(engine);
  const outcome = await engine.deidentify(buildDicom(elements));
  if (outcome.status !== 'done')
    throw new Error(`expected done, got ${JSON.stringify(outcome).slice(0, 300)}`);
  return outcome;
}

describe('actions of the basic profile, per VR', () => {
  it('X removes the attribute', async () => {
    const out = readBack((await run(sampleElements(), { options: [] })).output);
    expect(out.element([T.PatientAddress])).toBeUndefined(); // LO
    expect(out.element([T.OperatorsName])).toBeDefined(); // X/Z/D keeps it present, as a dummy
    expect(out.element([T.PatientComments])).toBeUndefined(); // LT
    expect(out.element([T.OtherPatientIDs])).toBeUndefined();
  });

  it('Z keeps the attribute with an empty value', async () => {
    const out = readBack((await run(sampleElements())).output);
    expect(out.text([T.AccessionNumber])).toBe(''); // SH
    expect(out.text([T.StudyID])).toBe('');
    expect(out.text([T.ReferringPhysicianName])).toBe(''); // PN
  });

  it('D writes a dummy value that fits the VR', async () => {
    const out = readBack((await run(sampleElements(), { options: [] })).output);
    expect(out.text([T.InstitutionName])).toBe('ANONYMIZED'); // LO, X/Z/D
    expect(out.text([T.OperatorsName])).toBe('ANONYMOUS'); // PN
    expect(out.text([T.InstanceCreationDate])).toBe('19000101'); // DA without date shifting
    expect(out.text([T.DeviceSerialNumber])).toBe('ANONYMIZED');
  });

  it('K keeps the value byte for byte', async () => {
    const out = readBack(
      (await run(sampleElements(), { options: ['retainDeviceIdentity', 'retainPatientCharacteristics'] }))
        .output,
    );
    expect(out.text([T.DeviceSerialNumber])).toBe('SN-4471');
    expect(out.text([T.StationName])).toBe('CT-ROOM-3');
    expect(out.text([T.PatientSex])).toBe('F');
    expect(out.text([T.PatientWeight])).toBe('61.5');
  });

  it('U replaces UIDs with 2.25 UIDs, and keeps well-known ones', async () => {
    const out = readBack((await run(sampleElements())).output);
    const study = out.text([T.StudyInstanceUID])!;
    expect(study).toMatch(/^2\.25\.\d{1,39}$/);
    expect(study).not.toBe(sample.studyUid);
    expect(out.text([T.SOPClassUID])).toBe('1.2.840.10008.5.1.4.1.1.2');
    expect(out.text([T.ReferencedImageSequence, 0, T.ReferencedSOPClassUID])).toBe(
      '1.2.840.10008.5.1.4.1.1.2',
    );
  });

  it('C keeps a descriptor free of identifying values and cleans one that has them', async () => {
    const clean = readBack((await run(sampleElements())).output);
    expect(clean.text([T.StudyDescription])).toBe('CT CHEST WITH CONTRAST');
    const dirty = await run(sampleElements({ studyDescription: 'CT CHEST DOE JANE PID-778812' }));
    expect(readBack(dirty.output).text([T.StudyDescription])).toBe('CT CHEST *** ***');
    expect(dirty.report.warnings.map((w) => w.code)).toContain('descriptor-cleaned');
  });

  it('C cleans a date of the study written into a descriptor (it would escape the date shift)', async () => {
    const out = readBack(
      (await run(sampleElements({ studyDescription: 'CT CHEST 2024-03-11 FOLLOW-UP' }))).output,
    );
    expect(out.text([T.StudyDescription])).toBe('CT CHEST *** FOLLOW-UP');
  });

  it('a descriptor is removed (X) when Clean Descriptors is not chosen', async () => {
    const out = readBack((await run(sampleElements(), { options: [] })).output);
    expect(out.element([T.StudyDescription])).toBeUndefined();
    expect(out.element([T.ImageComments])).toBeUndefined();
  });

  it('removes overlays and curves whatever the options', async () => {
    const curve: El = { tag: 0x50000010, vr: 'US', value: [1] };
    const out = readBack(
      (await run(sampleElements({ extra: [curve] }), { options: ['cleanGraphics'] })).output,
    );
    expect(out.element([T.OverlayData])).toBeUndefined();
    expect(out.element([T.OverlayRows])).toBeUndefined();
    expect(out.element([0x50000010])).toBeUndefined();
  });

  it('empties unlisted free text and keeps coded entries', async () => {
    const extra: El[] = [
      { tag: T.WindowCenterWidthExplanation, vr: 'LO', value: 'WINDOW1' },
      {
        tag: 0x00189346,
        vr: 'SQ',
        value: [
          [
            { tag: T.CodeValue, vr: 'SH', value: '113691' },
            { tag: T.CodeMeaning, vr: 'LO', value: 'IEC Body Dosimetry Phantom' },
          ],
        ],
      },
      { tag: 0x00204001, vr: 'LT', value: 'free narrative by DOE' },
    ];
    const out = readBack((await run(sampleElements({ extra }))).output);
    expect(out.text([T.WindowCenterWidthExplanation])).toBe('WINDOW1');
    expect(out.text([0x00189346, 0, T.CodeMeaning])).toBe('IEC Body Dosimetry Phantom');
    expect(out.text([0x00204001])).toBe('');
  });

  it('with unlistedText clean, scans unlisted text of any VR and redacts identifying values', async () => {
    const engine = createDeidentifier(config({ unlistedText: 'clean' }));
    engines.push(engine);
    const extra: El[] = [{ tag: 0x00080054, vr: 'AE', value: 'PID-778812' }];
    // A plain Uint8Array input (not a Buffer), as other callers pass it.
    const outcome = await engine.deidentify(new Uint8Array(buildDicom(sampleElements({ extra }))));
    if (outcome.status !== 'done') throw new Error(outcome.status);
    expect(readBack(outcome.output).text([0x00080054])).toBe('***');
  });

  it('applies per-tag overrides from the project over the table', async () => {
    const out = readBack(
      (await run(sampleElements(), { overrides: { '(0008,1030)': 'X', '(0018,1020)': 'K' } })).output,
    );
    expect(out.element([T.StudyDescription])).toBeUndefined();
    expect(out.text([T.SoftwareVersions])).toBe('VA20');
  });
});

describe('patient identity and provenance', () => {
  it('replaces PatientID and PatientName with the project pseudonym and records the method', async () => {
    const outcome = await run(sampleElements());
    const out = readBack(outcome.output);
    const pseudonym = outcome.report.patientPseudonym;
    expect(pseudonym).toMatch(/^LUNG01-[A-Z2-9]{10}$/);
    expect(out.text([T.PatientID])).toBe(pseudonym);
    expect(out.text([T.PatientName])).toBe(pseudonym);
    expect(out.text([T.ClinicalTrialSubjectID])).toBe(pseudonym);
    expect(out.text([T.ClinicalTrialSponsorName])).toBe('RadLabel Research');
    expect(out.text([T.ClinicalTrialProtocolID])).toBe('LUNG-2026');
    expect(out.text([T.PatientIdentityRemoved])).toBe('YES');
    expect(out.text([T.DeidentificationMethod])).toContain('PS3.15');
    const codes = out.all(T.CodeValue).filter((code) => code.startsWith('1131'));
    expect(codes).toEqual(['113100', '113105', '113107', '113111']);
  });

  it('rewrites the file meta: new instance UID, our implementation, no source AE title', async () => {
    const engine = createDeidentifier(config());
    engines.push(engine);
    const input = buildDicom(sampleElements(), 'explicit-le', [
      { tag: 0x00020016, vr: 'AE', value: 'HOSPITAL_PACS' },
    ]);
    const outcome = await engine.deidentify(input);
    if (outcome.status !== 'done') throw new Error(outcome.status);
    const out = readBack(outcome.output);
    expect(out.meta(0x00020003)).toBe(out.text([T.SOPInstanceUID]));
    expect(out.meta(0x00020010)).toBe('1.2.840.10008.1.2.1');
    expect(out.meta(0x00020016)).toBeUndefined();
    expect(Buffer.from(outcome.output).includes('HOSPITAL_PACS')).toBe(false);
  });
});

describe('private attributes', () => {
  it('removes every private attribute without Retain Safe Private', async () => {
    const out = readBack((await run(sampleElements(), { options: [] })).output);
    expect(out.parsed.dataset.filter((el) => (el.tag >>> 16) % 2 === 1)).toHaveLength(0);
  });

  it('keeps only safe-listed attributes (and their creator) with Retain Safe Private', async () => {
    const out = readBack((await run(sampleElements())).output);
    expect(out.text([0x00190010])).toBe('SIEMENS MR HEADER');
    expect(out.text([0x0019100c])).toBe('1000'); // B value: safe
    expect(out.element([0x00191099])).toBeUndefined(); // not on the list
    expect(out.element([0x00090010])).toBeUndefined(); // creator with nothing safe
    expect(out.element([0x00091001])).toBeUndefined();
  });

  it('accepts a project safe-private entry keyed by creator', async () => {
    const out = readBack(
      (
        await run(sampleElements(), {
          safePrivate: [{ creator: 'ACME PRIVATE', group: 0x0009, element: 0x01, name: 'test' }],
        })
      ).output,
    );
    expect(out.text([0x00091001])).toBe('private secret');
  });
});

describe('age', () => {
  const withAge = (age: string): El[] =>
    sampleElements({ extra: [{ tag: T.PatientAge, vr: 'AS', value: age }] });
  it('is removed by the basic profile', async () => {
    expect(readBack((await run(withAge('062Y'))).output).element([T.PatientAge])).toBeUndefined();
  });
  it('is kept under Retain Patient Characteristics, and capped at 90Y over 89', async () => {
    const options = { options: ['retainPatientCharacteristics' as const] };
    expect(readBack((await run(withAge('062Y'), options)).output).text([T.PatientAge])).toBe('062Y');
    expect(readBack((await run(withAge('093Y'), options)).output).text([T.PatientAge])).toBe('090Y');
  });
  it('can be recomputed from birth and study dates, or kept as is', async () => {
    const recomputed = await run(withAge('050Y'), {
      options: ['retainPatientCharacteristics'],
      age: 'recompute',
    });
    expect(readBack(recomputed.output).text([T.PatientAge])).toBe('062Y');
    const kept = await run(withAge('093Y'), { options: ['retainPatientCharacteristics'], age: 'keep' });
    expect(readBack(kept.output).text([T.PatientAge])).toBe('093Y');
  });
});
