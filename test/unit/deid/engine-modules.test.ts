/**
 * The engine's modules (main/deid/engine/), each on its own: what the decision module resolves,
 * what provenance writes, how the file meta is framed, which private elements a block keeps, and
 * what the settings imply. The whole engine is covered by the other deid tests.
 */
import { describe, expect, it } from 'vitest';
import { buildDicom, type El } from './support/build-dicom.js';
import { readBack } from './support/read-dicom.js';
import { config, sampleElements, T } from './support/sample.js';
import { createDeidentifier, type DeidConfig } from '../../../main/deid/index.js';
import { parseDicomFile, type DicomElement } from '../../../main/deid/dicom/walker.js';
import { ChunkWriter } from '../../../main/deid/dicom/writer.js';
import { createObjectContext, type ObjectContext } from '../../../main/deid/engine/context.js';
import { decide } from '../../../main/deid/engine/decision.js';
import { part10Chunks } from '../../../main/deid/engine/file-meta.js';
import { headerIdentity } from '../../../main/deid/engine/identifying.js';
import { privateBlocks } from '../../../main/deid/engine/private-blocks.js';
import {
  clinicalTrialType1,
  IMPLEMENTATION_CLASS_UID,
  methodCodeList,
  provenanceAttributes,
} from '../../../main/deid/engine/provenance.js';
import { engineSettings } from '../../../main/deid/engine/settings.js';
import { topLevel } from '../../../main/deid/engine/values.js';
import * as engineFile from '../../../main/deid/engine.js';

function contextFor(elements: El[], overrides: Partial<DeidConfig> = {}): ObjectContext {
  const settings = engineSettings(config(overrides), async () => undefined);
  const parsed = parseDicomFile(buildDicom(elements));
  const original = topLevel(parsed);
  return createObjectContext(
    settings,
    parsed,
    original,
    headerIdentity(parsed, original, settings.pseudonyms),
  );
}

function element(context: ObjectContext, tag: number): DicomElement {
  const found = context.original.get(tag);
  if (!found) throw new Error(`no ${tag.toString(16)}`);
  return found;
}

const text = (value: Uint8Array): string =>
  Buffer.from(value)
    .toString('latin1')
    .replace(/[\0 ]+$/, '');

describe('engine/decision: the action of one public attribute', () => {
  it('resolves a tag as Table E.1-1 says, with the chosen options', () => {
    const basic = contextFor(sampleElements(), { options: [] });
    expect(decide(basic, element(basic, T.PatientAddress), 'LO').action).toBe('X');
    expect(decide(basic, element(basic, T.AccessionNumber), 'SH').action).toBe('Z');
    expect(decide(basic, element(basic, T.StudyInstanceUID), 'UI').action).toBe('U');
    expect(decide(basic, element(basic, T.DeviceSerialNumber), 'LO').action).toBe('D');
    const device = contextFor(sampleElements(), { options: ['retainDeviceIdentity'] });
    expect(decide(device, element(device, T.DeviceSerialNumber), 'LO').action).toBe('K');
  });

  it('lets a project override win over the table', () => {
    const context = contextFor(sampleElements(), { overrides: { '(0010,1040)': 'K' } });
    expect(decide(context, element(context, T.PatientAddress), 'LO')).toMatchObject({
      action: 'K',
      why: 'override',
    });
  });

  it('removes what neither the table nor the keep-list names under the research profile, and keeps the keep-list', () => {
    const extra: El[] = [
      { tag: 0x00189999, vr: 'DS', value: '1.5' }, // named by nobody
      { tag: 0x00280030, vr: 'DS', value: '0.7\\0.7' }, // PixelSpacing: on the keep-list
    ];
    const context = contextFor(sampleElements({ extra }), { profile: 'research' });
    expect(decide(context, element(context, 0x00189999), 'DS').action).toBe('X');
    expect(decide(context, element(context, 0x00280030), 'DS').action).toBe('K');
    const basic = contextFor(sampleElements({ extra }));
    expect(decide(basic, element(basic, 0x00189999), 'DS').action).toBe('K');
  });

  it('removes overlays whatever the options, and turns kept text into a dummy inside a dummy sequence', () => {
    const context = contextFor(sampleElements());
    expect(decide(context, element(context, T.OverlayData), 'OW').action).toBe('X');
    context.insideDummy = 1;
    expect(decide(context, element(context, T.Manufacturer), 'LO').action).toBe('D');
  });
});

describe('engine/provenance: what every output says about its de-identification', () => {
  it('writes PatientIdentityRemoved YES, the method, its codes, the clinical trial subject and the temporal state', () => {
    const options = new Set(['retainLongitudinalModifiedDates', 'cleanDescriptors'] as const);
    const codes = methodCodeList(options, false);
    expect(codes.map((code) => code.codeValue)).toEqual(['113100', '113105', '113107']);
    const written = provenanceAttributes(config(), options, 'LUNG01-ABCDEFGHJK', codes);
    const value = (tag: number): string => {
      const out = written.get(tag);
      if (out?.kind !== 'value') throw new Error(`no value for ${tag.toString(16)}`);
      return text(out.value);
    };
    expect(value(T.PatientIdentityRemoved)).toBe('YES');
    expect(value(T.DeidentificationMethod)).toMatch(/^RadLabel .* PS3\.15 E\.1-1$/);
    expect(value(T.PatientName)).toBe('LUNG01-ABCDEFGHJK');
    expect(value(T.PatientID)).toBe('LUNG01-ABCDEFGHJK');
    expect(value(T.ClinicalTrialSubjectID)).toBe('LUNG01-ABCDEFGHJK');
    expect(value(T.ClinicalTrialSponsorName)).toBe('RadLabel Research');
    expect(value(T.ClinicalTrialProtocolID)).toBe('LUNG-2026');
    expect(value(T.LongitudinalTemporalInformationModified)).toBe('MODIFIED');
    const sequence = written.get(T.DeidentificationMethodCodeSequence);
    expect(sequence?.kind === 'sequence' && sequence.items.length).toBe(3);
  });

  it('adds Clean Pixel Data (113101) only when pixels were masked', () => {
    expect(methodCodeList(new Set(['cleanPixelData']), false).map((c) => c.codeValue)).toEqual(['113100']);
    expect(methodCodeList(new Set(['cleanPixelData']), true).map((c) => c.codeValue)).toEqual([
      '113100',
      '113101',
    ]);
  });
});

describe('engine/provenance: the Clinical Trial Subject module without a sponsor or protocol', () => {
  it('never writes an empty Type 1 sponsor or protocol ID: defaults derive from the project ID', async () => {
    const engine = createDeidentifier(
      config({ projectId: 'LUNG01', clinicalTrial: { sponsorName: '', protocolId: ' ' } }),
    );
    try {
      const outcome = await engine.deidentify(buildDicom(sampleElements()));
      if (outcome.status !== 'done') throw new Error(outcome.status);
      const out = readBack(outcome.output);
      expect(out.text([T.ClinicalTrialSponsorName])).toBe('RadLabel research project LUNG01');
      expect(out.text([T.ClinicalTrialProtocolID])).toBe('LUNG01');
    } finally {
      await engine.close();
    }
  });

  it("uses the project's own sponsor and protocol when it gives them", () => {
    expect(
      clinicalTrialType1({ projectId: 'P', clinicalTrial: { sponsorName: 'Acme', protocolId: 'X-1' } }),
    ).toEqual({ sponsorName: 'Acme', protocolId: 'X-1' });
  });
});

describe('engine/file-meta: the Part 10 framing', () => {
  it('writes a zeroed preamble, DICM, and a file meta group with our implementation and the given UIDs', () => {
    const source = new Uint8Array(0);
    const body = new ChunkWriter(source, { explicitVr: true, littleEndian: true });
    body.element({ kind: 'value', tag: T.Modality, vr: 'CS', value: Buffer.from('CT') });
    const { chunks, length } = part10Chunks(
      source,
      {
        sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
        sopInstanceUID: '2.25.1234',
        transferSyntaxUID: '1.2.840.10008.1.2.1',
      },
      body,
    );
    const file = Buffer.concat(chunks);
    expect(file.length).toBe(length);
    expect(file.subarray(0, 128).every((byte) => byte === 0)).toBe(true);
    expect(file.subarray(128, 132).toString('latin1')).toBe('DICM');
    const out = readBack(file);
    expect(out.meta(0x00020003)).toBe('2.25.1234');
    expect(out.meta(0x00020012)).toBe(IMPLEMENTATION_CLASS_UID);
    expect(out.text([T.Modality])).toBe('CT');
  });
});

describe('engine/private-blocks: which private elements a dataset keeps', () => {
  it('keeps a safe element and its creator under Retain Safe Private, and nothing else', () => {
    const context = contextFor(
      sampleElements({
        extra: [
          { tag: 0x00190010, vr: 'LO', value: 'GEMS_ACQU_01' },
          { tag: 0x00191023, vr: 'DS', value: '39.37' },
        ],
      }),
    );
    const blocks = privateBlocks(context, context.original.size ? [...context.original.values()] : []);
    expect(blocks.keeps(element(context, 0x00191023))).toBe(true);
    expect(blocks.keeps(element(context, 0x00190010))).toBe(true);
    expect(blocks.keeps(element(context, 0x00091001))).toBe(false);
    expect(blocks.keeps(element(context, 0x00090010))).toBe(false);
    const without = contextFor(sampleElements(), { options: [] });
    expect(privateBlocks(without, [...without.original.values()]).keeps(element(without, 0x0019100c))).toBe(
      false,
    );
  });
});

describe('engine/settings', () => {
  it('adds the research defaults and removes unlisted attributes under the research profile only', () => {
    const research = engineSettings(config({ profile: 'research', options: [] }), async () => undefined);
    expect(research.options.has('cleanDescriptors')).toBe(true);
    expect(research.options.has('retainLongitudinalModifiedDates')).toBe(true);
    expect(research.removeUnlisted).toBe(true);
    const basic = engineSettings(config({ options: [] }), async () => undefined);
    expect(basic.options.size).toBe(0);
    expect(basic.removeUnlisted).toBe(false);
  });

  it('keeps the names main/deid/engine.ts always exported', () => {
    expect(Object.keys(engineFile).sort()).toEqual(
      [
        'IMPLEMENTATION_CLASS_UID',
        'IMPLEMENTATION_VERSION_NAME',
        'deidentifyObject',
        'deidentifyObjectChunks',
        'engineSettings',
        'textValue',
      ].sort(),
    );
  });
});
