/**
 * Retain Safe Private keeps a safe-listed private element only for what the list says it holds:
 * a value of the expected VR (parsed as that VR when the file does not say: implicit VR, UN),
 * cleaned as its kind requires; creators compared as PS3.5 compares them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createDeidentifier, type DeidConfig, type DeidOutcome } from '../../../main/deid/index.js';
import { buildDicom, type El, type Syntax } from './support/build-dicom.js';
import { readBack } from './support/read-dicom.js';
import { config, sample, sampleElements, T } from './support/sample.js';

const engines: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const engine of engines) await engine.close();
});

async function run(
  extra: El[],
  syntax: Syntax = 'explicit-le',
  overrides: Partial<DeidConfig> = {},
): Promise<Extract<DeidOutcome, { status: 'done' }>> {
  const engine = createDeidentifier(
    config({ profile: 'research', options: ['retainSafePrivate'], ...overrides }),
  );
  engines.push(engine);
  const outcome = await engine.deidentify(buildDicom(sampleElements({ extra }), syntax));
  if (outcome.status !== 'done')
    throw new Error(`expected done, got ${JSON.stringify(outcome).slice(0, 300)}`);
  return outcome;
}

/** A GEMS_ACQU_01 block at (0019,11xx): Table Speed DS xx23, Mid Scan Time DS xx24, Gantry Period DS xx27, Internal Pulse Sequence Name LO xx9E. */
const gems = (creator: string, elements: Array<[number, string, string | El[][]]>): El[] => [
  { tag: 0x00190011, vr: 'LO', value: creator },
  ...elements.map(([element, vr, value]) => ({ tag: 0x00191100 | element, vr, value })),
];

const planted = [
  sample.patientName,
  'DOE',
  'JANE',
  sample.patientId,
  '778812',
  sample.birthDate,
  sample.studyUid,
];
const leaks = (output: Uint8Array): string[] =>
  planted.filter((value) => Buffer.from(output).includes(Buffer.from(value, 'latin1')));

describe.each<Syntax>(['explicit-le', 'implicit-le'])('Retain Safe Private (%s)', (syntax) => {
  it('lets no name, ID, birth date or original Study UID written into safe GEMS_ACQU_01 elements through', async () => {
    const outcome = await run(
      gems('GEMS_ACQU_01', [
        [0x9e, 'LO', `DOE^JANE ${sample.patientId} ${sample.birthDate} ${sample.studyUid}`],
        [0x24, 'DS', sample.patientId],
        [0x27, 'DS', sample.birthDate],
        [0x23, 'DS', sample.studyUid],
      ]),
      syntax,
    );
    expect(leaks(outcome.output)).toEqual([]);
    const out = readBack(outcome.output);
    expect(out.element([0x00191124])).toBeUndefined(); // an ID is not a number
    expect(out.element([0x00191127])).toBeUndefined(); // a number that is the birth date
    expect(out.element([0x00191123])).toBeUndefined(); // a UID is not a number
    expect(outcome.report.warnings.map((warning) => warning.code)).toContain('safe-private-unexpected-value');
  });

  it('keeps a safe number byte for byte, with its creator', async () => {
    const out = readBack(
      (
        await run(
          gems('GEMS_ACQU_01', [
            [0x23, 'DS', '39.37'],
            [0x27, 'DS', '0.5'],
          ]),
          syntax,
        )
      ).output,
    );
    expect(out.text([0x00190011])).toBe('GEMS_ACQU_01');
    expect(out.text([0x00191123])).toBe('39.37');
    expect(out.text([0x00191127])).toBe('0.5');
  });

  it('removes a sequence at a safe element that expects a value', async () => {
    const out = readBack(
      (
        await run(
          gems('GEMS_ACQU_01', [
            [0x24, 'SQ', [[{ tag: T.PatientName, vr: 'PN', value: sample.patientName }]]],
          ]),
          syntax,
        )
      ).output,
    );
    expect(out.element([0x00191124])).toBeUndefined();
    expect(out.element([0x00190011])).toBeUndefined(); // nothing kept: no creator either
  });

  it('removes text written into a binary number (FL), and keeps a real one', async () => {
    const float = Buffer.alloc(4);
    float.writeFloatLE(1000, 0);
    const philips = (value: Buffer): El[] => [
      { tag: 0x20010010, vr: 'LO', value: 'Philips Imaging DD 001' },
      { tag: 0x20011003, vr: syntax === 'implicit-le' ? 'UN' : 'FL', value }, // MR Image Diffusion B-Factor
    ];
    const text = await run(philips(Buffer.from('DOE^JANE', 'latin1')), syntax);
    expect(readBack(text.output).element([0x20011003])).toBeUndefined();
    expect(leaks(text.output)).toEqual([]);
    const number = readBack((await run(philips(float), syntax)).output);
    expect(number.bytes([0x20011003])).toEqual(float);
  });

  it('compares creators as PS3.5 does: trailing spaces are padding, case is significant', async () => {
    const padded = readBack((await run(gems('GEMS_ACQU_01  ', [[0x23, 'DS', '39.37']]), syntax)).output);
    expect(padded.text([0x00191123])).toBe('39.37');
    const lower = readBack((await run(gems('gems_acqu_01', [[0x23, 'DS', '39.37']]), syntax)).output);
    expect(lower.element([0x00191123])).toBeUndefined();
    expect(lower.element([0x00190011])).toBeUndefined();
  });
});

describe('Retain Safe Private, by the kind of value', () => {
  it('removes a sequence stored as UN (its items unparsed) at a safe element that expects a number', async () => {
    const name = Buffer.from(sample.patientName, 'latin1');
    const element = Buffer.alloc(8);
    element.writeUInt16LE(0x0010, 0);
    element.writeUInt16LE(0x0010, 2);
    element.writeUInt32LE(name.length, 4);
    const item = Buffer.alloc(8);
    item.writeUInt16LE(0xfffe, 0);
    item.writeUInt16LE(0xe000, 2);
    item.writeUInt32LE(element.length + name.length, 4);
    const outcome = await run([
      { tag: 0x00190011, vr: 'LO', value: 'GEMS_ACQU_01' },
      { tag: 0x00191124, vr: 'UN', value: Buffer.concat([item, element, name]) },
    ]);
    expect(readBack(outcome.output).element([0x00191124])).toBeUndefined();
    expect(leaks(outcome.output)).toEqual([]);
  });

  it('removes a value stored with another VR than the list expects', async () => {
    const out = readBack((await run(gems('GEMS_ACQU_01', [[0x23, 'LO', '39.37']]))).output);
    expect(out.element([0x00191123])).toBeUndefined();
  });

  it('cleans safe free text like any cleaned free text', async () => {
    const outcome = await run(gems('GEMS_ACQU_01', [[0x9e, 'LO', 'FSE JANE DOE']]));
    expect(leaks(outcome.output)).toEqual([]);
    expect(readBack(outcome.output).element([0x0019119e])).toBeDefined();
  });

  it('walks a safe-listed sequence like any kept sequence: what its items hold is under the profile', async () => {
    const outcome = await run([
      { tag: 0x20010010, vr: 'LO', value: 'Philips Imaging DD 001' },
      {
        tag: 0x20011069, // Display Shutter Sequence (SQ on the safe list)
        vr: 'SQ',
        value: [
          [
            { tag: 0x00181600, vr: 'CS', value: 'RECTANGULAR' },
            { tag: T.PatientName, vr: 'PN', value: sample.patientName },
          ],
        ],
      },
    ]);
    const out = readBack(outcome.output);
    expect(out.text([0x20011069, 0, 0x00181600])).toBe('RECTANGULAR');
    expect(leaks(outcome.output)).toEqual([]);
  });

  it('remaps a safe UID and shifts a safe date like the public ones', async () => {
    const safePrivate = [
      { creator: 'ACME PRIVATE', group: 0x0009, element: 0x02, vr: 'UI', name: 'study reference' },
      { creator: 'ACME PRIVATE', group: 0x0009, element: 0x03, vr: 'DA', name: 'acquisition day' },
    ];
    const extra: El[] = [
      { tag: 0x00091002, vr: 'UI', value: sample.studyUid },
      { tag: 0x00091003, vr: 'DA', value: sample.studyDate },
    ];
    const outcome = await run(extra, 'explicit-le', {
      options: ['retainSafePrivate', 'retainLongitudinalModifiedDates'],
      safePrivate,
    });
    const out = readBack(outcome.output);
    expect(out.text([0x00091002])).toBe(out.text([T.StudyInstanceUID]));
    expect(out.text([0x00091002])).not.toBe(sample.studyUid);
    expect(out.text([0x00091003])).toBe(out.text([T.StudyDate]));
    expect(out.text([0x00091003])).not.toBe(sample.studyDate);
  });
});
