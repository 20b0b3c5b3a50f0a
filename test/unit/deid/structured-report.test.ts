import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeidentifier, type DeidConfig } from '../../../main/deid/index.js';
import { buildDicom, type El } from './support/build-dicom.js';
import { readBack, type ReadBack } from './support/read-dicom.js';
import { config, sampleElements, T } from './support/sample.js';

const ContentSequence = 0x0040a730;
const TextValue = 0x0040a160;
const PersonName = 0x0040a123;
const DateTime = 0x0040a120;
const UID = 0x0040a124;

const engines: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const engine of engines) await engine.close();
});

async function deid(input: Uint8Array, overrides: Partial<DeidConfig>): Promise<ReadBack> {
  const engine = createDeidentifier(config(overrides));
  engines.push(engine);
  const outcome = await engine.deidentify(input);
  if (outcome.status !== 'done') throw new Error(outcome.status);
  return readBack(outcome.output);
}

const report: El[] = [
  { tag: T.SOPClassUID, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.88.22' },
  {
    tag: ContentSequence,
    vr: 'SQ',
    value: [
      [
        { tag: 0x0040a040, vr: 'CS', value: 'TEXT' },
        {
          tag: TextValue,
          vr: 'UT',
          value: 'Nodule stable since 2022. Discussed with Jane Doe (PID-778812).',
        },
      ],
      [
        { tag: 0x0040a040, vr: 'CS', value: 'TEXT' },
        { tag: TextValue, vr: 'UT', value: 'Right upper lobe nodule, 6 mm.' },
      ],
      [
        { tag: 0x0040a040, vr: 'CS', value: 'PNAME' },
        { tag: PersonName, vr: 'PN', value: 'HOUSE^GREGORY' },
      ],
      [
        { tag: 0x0040a040, vr: 'CS', value: 'DATETIME' },
        { tag: DateTime, vr: 'DT', value: '20240311101500' },
      ],
      [
        { tag: 0x0040a040, vr: 'CS', value: 'UIDREF' },
        { tag: UID, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.77' },
      ],
    ],
  },
];

describe('structured report content', () => {
  it('keeps its structure with dummy values under the basic profile (Table E.1-1 2024b: D)', async () => {
    const out = await deid(buildDicom(sampleElements({ extra: report })), { options: [] });
    expect(out.text([ContentSequence, 0, TextValue])).toBe('ANONYMIZED');
    expect(out.text([ContentSequence, 1, TextValue])).toBe('ANONYMIZED');
    expect(out.text([ContentSequence, 2, PersonName])).toBe('ANONYMOUS');
    expect(out.text([ContentSequence, 3, DateTime])).toBe('19000101000000');
    expect(out.text([ContentSequence, 4, UID])).toMatch(/^2\.25\./);
  });

  it('is cleaned item by item under Clean Structured Content', async () => {
    const out = await deid(buildDicom(sampleElements({ extra: report })), {
      options: ['cleanStructuredContent', 'retainLongitudinalModifiedDates'],
    });
    expect(out.text([ContentSequence, 0, TextValue])).toBe(
      'Nodule stable since 2022. Discussed with *** (***).',
    );
    expect(out.text([ContentSequence, 1, TextValue])).toBe('Right upper lobe nodule, 6 mm.');
    expect(out.text([ContentSequence, 2, PersonName])).toBe('ANONYMOUS');
    expect(out.text([ContentSequence, 3, DateTime])?.slice(0, 8)).toBe(out.text([T.StudyDate]));
    expect(out.text([ContentSequence, 4, UID])).toMatch(/^2\.25\./);
  });

  it('keeps pydicom’s reference SR readable, with its text and references cleaned', async () => {
    const input = fs.readFileSync('/usr/lib/python3/dist-packages/pydicom/data/test_files/test-SR.dcm');
    const out = await deid(input, { options: ['cleanStructuredContent', 'retainLongitudinalModifiedDates'] });
    expect(out.all(TextValue)).toContain('Sample Text 2');
    expect(out.all(UID).every((uid) => uid.startsWith('2.25.'))).toBe(true);
    expect(out.all(0x0040a121)).not.toContain('20001206');
  });
});
