import { afterAll, describe, expect, it } from 'vitest';
import { createDeidentifier, type DeidConfig, type DeidOutcome } from '../../../main/deid/index.js';
import { buildDicom, type El } from './support/build-dicom.js';
import { readBack } from './support/read-dicom.js';
import { config, sample, sampleElements, T } from './support/sample.js';
import { dictionaryVr } from '../../../main/deid/dicom/dictionary.js';
import { parseKeepList } from '../../../main/deid/profile/keep-list.js';
import { Profile } from '../../../main/deid/profile/profile.js';

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
    // Adjacent replacements (the name, then the ID) share one placeholder.
    expect(readBack(dirty.output).text([T.StudyDescription])).toBe('CT CHEST ***');
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

  it('with unlistedText clean, scans unlisted text and redacts identifying values', async () => {
    const engine = createDeidentifier(config({ unlistedText: 'clean' }));
    engines.push(engine);
    const deviceId = 0x00181003; // Device ID (LO): Table E.1-1 does not name it
    const extra: El[] = [{ tag: deviceId, vr: 'LO', value: 'PID-778812' }];
    // A plain Uint8Array input (not a Buffer), as other callers pass it.
    const outcome = await engine.deidentify(new Uint8Array(buildDicom(sampleElements({ extra }))));
    if (outcome.status !== 'done') throw new Error(outcome.status);
    expect(readBack(outcome.output).text([deviceId])).toBe('***');
  });

  it('applies per-tag overrides from the project over the table', async () => {
    const out = readBack(
      (await run(sampleElements(), { overrides: { '(0008,1030)': 'X', '(0018,1020)': 'K' } })).output,
    );
    expect(out.element([T.StudyDescription])).toBeUndefined();
    expect(out.text([T.SoftwareVersions])).toBe('VA20');
  });
});

describe('removing what the profile does not name (removeUnlisted)', () => {
  // Public attributes neither Table E.1-1 nor the keep-list names: a number, a code string and
  // a binary value (text is covered above).
  const contrastVolume = 0x00181041; // DS
  const interventionStatus = 0x00180038; // CS
  const waterEquivalentDiameter = 0x00181271; // FD
  const unnamed: El[] = [
    { tag: interventionStatus, vr: 'CS', value: 'PRE' },
    { tag: contrastVolume, vr: 'DS', value: '100' },
    { tag: waterEquivalentDiameter, vr: 'FD', value: Buffer.from(new Float64Array([271.5]).buffer) },
  ];

  it('removes an unnamed number, code string and binary value when on', async () => {
    const out = readBack((await run(sampleElements({ extra: unnamed }), { removeUnlisted: true })).output);
    expect(out.element([contrastVolume])).toBeUndefined();
    expect(out.element([interventionStatus])).toBeUndefined();
    expect(out.element([waterEquivalentDiameter])).toBeUndefined();
  });

  it('keeps them byte for byte when off', async () => {
    const out = readBack((await run(sampleElements({ extra: unnamed }), { removeUnlisted: false })).output);
    expect(out.text([contrastVolume])).toBe('100');
    expect(out.text([interventionStatus])).toBe('PRE');
    expect(out.bytes([waterEquivalentDiameter])?.readDoubleLE(0)).toBe(271.5);
  });

  it('is on by default for the research profile and off for the basic profile', async () => {
    const research = readBack(
      (await run(sampleElements({ extra: unnamed }), { profile: 'research' })).output,
    );
    expect(research.element([contrastVolume])).toBeUndefined();
    const basic = readBack((await run(sampleElements({ extra: unnamed }), { profile: 'basic' })).output);
    expect(basic.text([contrastVolume])).toBe('100');
  });

  it('keeps every attribute of the keep-list', async () => {
    const present = new Set(sampleElements().map((element) => element.tag));
    const extra: El[] = parseKeepList()
      .filter((entry) => !present.has(entry.tag))
      .map((entry) => keepListElement(entry.tag));
    const out = readBack((await run(sampleElements({ extra }), { profile: 'research' })).output);
    const lost = parseKeepList()
      .filter((entry) => out.element([entry.tag]) === undefined)
      .map((entry) => `${entry.key} ${entry.name}`);
    expect(lost).toEqual([]);
  });

  it('names no attribute that Table E.1-1 names (the table always decides first)', () => {
    const profile = new Profile(new Set());
    const named = parseKeepList().filter((entry) => profile.row(entry.tag) !== undefined);
    expect(named.map((entry) => entry.key)).toEqual([]);
  });
});

/** A plausible value of the attribute's dictionary VR. */
function keepListElement(tag: number): El {
  const vr = dictionaryVr(tag) ?? 'UN';
  const code: El[] = [
    { tag: T.CodeValue, vr: 'SH', value: '113691' },
    { tag: 0x00080102, vr: 'SH', value: 'DCM' },
    { tag: T.CodeMeaning, vr: 'LO', value: 'IEC Body Dosimetry Phantom' },
  ];
  const binary = (bytes: number): Buffer => Buffer.alloc(bytes, 1);
  switch (vr) {
    case 'SQ':
      return { tag, vr, value: [code] };
    case 'UI':
      return { tag, vr, value: '1.2.840.10008.5.1.4.1.1.2' };
    case 'DA':
      return { tag, vr, value: '20240311' };
    case 'TM':
      return { tag, vr, value: '081200' };
    case 'DT':
      return { tag, vr, value: '20240311081200' };
    case 'DS':
    case 'IS':
      return { tag, vr, value: '1' };
    case 'US':
    case 'SS':
      return { tag, vr, value: binary(2) };
    case 'UL':
    case 'SL':
    case 'FL':
    case 'AT':
      return { tag, vr, value: binary(4) };
    case 'FD':
    case 'SV':
    case 'UV':
      return { tag, vr, value: binary(8) };
    case 'OB':
    case 'OW':
    case 'OF':
    case 'OD':
    case 'OL':
    case 'OV':
    case 'UN':
      return { tag, vr, value: binary(8) };
    default:
      return { tag, vr, value: 'STRUCTURE' };
  }
}

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
        await run(sampleElements({ extra: [{ tag: 0x00091002, vr: 'DS', value: '2.5' }] }), {
          safePrivate: [{ creator: 'ACME PRIVATE', group: 0x0009, element: 0x02, vr: 'DS', name: 'test' }],
        })
      ).output,
    );
    expect(out.text([0x00091002])).toBe('2.5');
    expect(out.text([0x00090010])).toBe('ACME PRIVATE');
    expect(out.element([0x00091001])).toBeUndefined(); // the same block's unlisted element
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
