import fs from 'node:fs';
import dicomParser from 'dicom-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeidentifier } from '../../../main/deid/index.js';
import { ErrorCode } from '../../../shared/errors.js';
import { buildDicom, syntaxUid, type El, type Syntax } from './support/build-dicom.js';
import { readBack } from './support/read-dicom.js';
import { config, sample, sampleElements, T } from './support/sample.js';

const engine = createDeidentifier(config());
afterAll(() => engine.close());

describe('transfer syntaxes', () => {
  it.each<Syntax>(['explicit-le', 'implicit-le', 'explicit-be', 'deflated'])(
    '%s is rewritten in the same syntax with the same result',
    async (syntax) => {
      const reference = await engine.deidentify(buildDicom(sampleElements(), 'explicit-le'));
      const outcome = await engine.deidentify(buildDicom(sampleElements(), syntax));
      if (outcome.status !== 'done' || reference.status !== 'done') throw new Error('not done');
      const out = readBack(outcome.output);
      const ref = readBack(reference.output);
      expect(out.meta(0x00020010)).toBe(syntaxUid[syntax]);
      for (const tag of [T.PatientID, T.SOPInstanceUID, T.StudyDate, T.AccessionNumber])
        expect(out.text([tag])).toBe(ref.text([tag]));
      expect(out.text([T.ReferencedImageSequence, 0, T.ReferencedSOPInstanceUID])).toBe(
        ref.text([T.ReferencedImageSequence, 0, T.ReferencedSOPInstanceUID]),
      );
      expect(out.element([T.PatientAddress])).toBeUndefined();
    },
  );

  it('copies pixel data untouched', async () => {
    const pixels = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 7) & 0xff));
    const outcome = await engine.deidentify(
      buildDicom(sampleElements({ extra: [{ tag: T.PixelData, vr: 'OW', value: pixels }] })),
    );
    if (outcome.status !== 'done') throw new Error(outcome.status);
    expect(readBack(outcome.output).bytes([T.PixelData])?.equals(pixels)).toBe(true);
  });

  it('reads pydicom reference files in every syntax it ships', async () => {
    const dir = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
    for (const name of [
      'CT_small.dcm',
      'MR_small_implicit.dcm',
      'MR_small_bigendian.dcm',
      'image_dfl.dcm',
      'JPEG2000.dcm',
      'test-SR.dcm',
      'rtplan.dcm',
      'nested_priv_SQ.dcm',
      'priv_SQ.dcm',
    ]) {
      const input = fs.readFileSync(`${dir}/${name}`);
      const outcome = await engine.deidentify(input);
      expect(outcome.status, name).toBe('done');
    }
  });
});

describe('a file meta without a transfer syntax', () => {
  it.each<Syntax>(['explicit-le', 'implicit-le'])(
    'is read as %s from its first element and written with the syntax stated',
    async (syntax) => {
      const input = buildDicom(sampleElements(), syntax);
      const uid = Buffer.from(syntaxUid[syntax]);
      const at = input.indexOf(Buffer.concat([Buffer.from([0x02, 0x00, 0x10, 0x00])]));
      // Blank out (0002,0010) by renaming it to a private-looking meta tag the reader ignores.
      input.writeUInt16LE(0x0011, at + 2);
      expect(input.indexOf(uid)).toBeGreaterThan(0);
      const outcome = await engine.deidentify(input);
      if (outcome.status !== 'done') throw new Error(JSON.stringify(outcome));
      const out = readBack(outcome.output);
      expect(out.meta(0x00020010)).toBe(syntaxUid[syntax]);
      expect(out.text([T.PatientID])).toMatch(/^LUNG01-/);
    },
  );
});

describe('untrusted input', () => {
  const failure = async (input: Uint8Array): Promise<string> => {
    const outcome = await engine.deidentify(input);
    return outcome.status === 'failed' ? outcome.error.code : outcome.status;
  };

  it('refuses a file without the DICM prefix', async () => {
    expect(await failure(Buffer.from('not a dicom file at all'.repeat(20)))).toBe(ErrorCode.NotDicom);
  });

  it('refuses a truncated file', async () => {
    const whole = buildDicom(sampleElements());
    expect(await failure(whole.subarray(0, whole.length - 10))).toBe(ErrorCode.Truncated);
  });

  it('refuses absurd nesting without exhausting the stack', async () => {
    let nested: El = { tag: T.ReferencedImageSequence, vr: 'SQ', value: [[]] };
    for (let i = 0; i < 200; i += 1) nested = { tag: T.ReferencedImageSequence, vr: 'SQ', value: [[nested]] };
    expect(await failure(buildDicom([...sampleElements(), nested]))).toBe(ErrorCode.Malformed);
  });

  it('refuses a length that points past the end of a sequence item', async () => {
    const input = buildDicom(sampleElements());
    const at = input.indexOf(Buffer.from(sample.referencedUid));
    input.writeUInt16LE(0x7000, at - 2); // the UI value's 16-bit length
    expect([ErrorCode.Truncated, ErrorCode.Malformed]).toContain(await failure(input));
  });
});

describe('outputs the viewer can open', () => {
  it('are parsed by dicom-parser (the viewer’s parser) with their pixel data found', async () => {
    const dir = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
    for (const name of [
      'CT_small.dcm',
      'MR_small_implicit.dcm',
      'MR_small_bigendian.dcm',
      'JPEG2000.dcm',
      'MR_small_RLE.dcm',
    ]) {
      const outcome = await engine.deidentify(fs.readFileSync(`${dir}/${name}`));
      if (outcome.status !== 'done') throw new Error(`${name}: ${outcome.status}`);
      const dataSet = dicomParser.parseDicom(outcome.output);
      expect(dataSet.elements['x7fe00010'], name).toBeDefined();
      expect(dataSet.string('x00100020'), name).toMatch(/^LUNG01-/);
    }
  });
});
