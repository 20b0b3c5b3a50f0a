/**
 * The preview trace is the engine's own account of what it writes: every attribute it walks,
 * and every attribute it sets, adds or replaces itself, so the preview shows what leaves the
 * machine without reading the output back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createDeidentifier, type DeidOutcome, type PreviewRow } from '../../../main/deid/index.js';
import { keywordOf, tagKey } from '../../../main/deid/dicom/dictionary.js';
import type { PixelCleaner } from '../../../main/deid/pixels/types.js';
import { buildDicom, type El } from './support/build-dicom.js';
import { readBack } from './support/read-dicom.js';
import { config, sampleElements, sample, T } from './support/sample.js';

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

async function traced(
  elements: El[],
  pixelCleaner?: PixelCleaner,
): Promise<{ rows: PreviewRow[]; outcome: Extract<DeidOutcome, { status: 'done' }> }> {
  const engine = createDeidentifier(config(pixelCleaner ? { pixelCleaner } : {}));
  const rows: PreviewRow[] = [];
  try {
    const outcome = await engine.deidentify(buildDicom(elements), { trace: rows });
    if (outcome.status !== 'done') throw new Error(`expected done, got ${outcome.status}`);
    return { rows, outcome };
  } finally {
    await engine.close();
  }
}

function topLevelRow(rows: PreviewRow[], tag: number): PreviewRow | undefined {
  return rows.find((row) => row.depth === 0 && row.tag === tagKey(tag));
}

describe('the preview trace of a sample object', () => {
  let rows: PreviewRow[];
  let pseudonym: string;
  let output: Uint8Array;

  beforeAll(async () => {
    const result = await traced(sampleElements());
    rows = result.rows;
    pseudonym = result.outcome.report.patientPseudonym;
    output = result.outcome.output;
  });

  it('shows the patient’s name and ID before, and the pseudonym after', () => {
    expect(topLevelRow(rows, T.PatientName)).toMatchObject({
      keyword: 'PatientName',
      vr: 'PN',
      before: sample.patientName,
      after: pseudonym,
      action: 'D (set)',
    });
    expect(topLevelRow(rows, T.PatientID)).toMatchObject({
      before: sample.patientId,
      after: pseudonym,
      action: 'D (set)',
    });
  });

  it('lists the provenance attributes as added', () => {
    const added = (tag: number) => ({ ...topLevelRow(rows, tag) }) as Partial<PreviewRow>;
    expect(added(T.PatientIdentityRemoved)).toMatchObject({ before: '', after: 'YES', action: 'D (added)' });
    expect(added(T.DeidentificationMethod)).toMatchObject({ before: '', action: 'D (added)' });
    expect(added(T.DeidentificationMethod).after).toMatch(/PS3\.15/);
    expect(added(T.ClinicalTrialSponsorName)).toMatchObject({
      after: 'RadLabel Research',
      action: 'D (added)',
    });
    expect(added(T.ClinicalTrialProtocolID)).toMatchObject({ after: 'LUNG-2026', action: 'D (added)' });
    expect(added(T.ClinicalTrialSubjectID)).toMatchObject({ after: pseudonym, action: 'D (added)' });
    expect(added(T.LongitudinalTemporalInformationModified)).toMatchObject({
      after: 'MODIFIED',
      action: 'D (added)',
    });
  });

  it('lists the method code sequence with its codes as nested rows', () => {
    const index = rows.findIndex(
      (row) => row.depth === 0 && row.tag === tagKey(T.DeidentificationMethodCodeSequence),
    );
    const sequence = rows[index]!;
    expect(sequence).toMatchObject({ vr: 'SQ', before: '', action: 'D (added)' });
    const codeCount = Number(/^(\d+) item\(s\)$/.exec(sequence.after)?.[1]);
    const end = rows.findIndex((row, i) => i > index && row.depth === 0);
    const nested = rows.slice(index + 1, end);
    expect(nested.filter((row) => row.keyword === 'CodeValue')).toHaveLength(codeCount);
    expect(nested.map((row) => row.after)).toContain('113100'); // Basic Application Confidentiality Profile
  });

  it('shows the SOP Class UID as kept, with its value', () => {
    expect(topLevelRow(rows, T.SOPClassUID)).toMatchObject({
      before: CT_IMAGE_STORAGE,
      after: CT_IMAGE_STORAGE,
      action: 'K (standard UID)',
    });
    const referenced = rows.filter((row) => row.keyword === 'ReferencedSOPClassUID');
    expect(referenced.length).toBeGreaterThan(0);
    for (const row of referenced)
      expect(row).toMatchObject({ after: CT_IMAGE_STORAGE, action: 'K (standard UID)' });
  });

  it('shows remapped UIDs with their new value', () => {
    const study = topLevelRow(rows, T.StudyInstanceUID)!;
    expect(study.before).toBe(sample.studyUid);
    expect(study.after).toMatch(/^2\.25\.\d+$/);
    expect(readBack(output).text([T.StudyInstanceUID])).toBe(study.after);
  });

  it('has a row, in tag order, for every top-level attribute of the output, with the value written', () => {
    const out = readBack(output);
    const topLevel = rows.filter((row) => row.depth === 0);
    expect(topLevel.map((row) => row.tag)).toEqual(topLevel.map((row) => row.tag).sort());
    for (const element of out.parsed.dataset) {
      const row = topLevel.findLast((candidate) => candidate.tag === tagKey(element.tag));
      expect(row, keywordOf(element.tag)).toBeDefined();
      if (['CS', 'DA', 'LO', 'PN', 'SH', 'UI'].includes(row!.vr))
        expect(row!.after, keywordOf(element.tag)).toBe(out.text([element.tag]));
    }
  });
});

describe('attributes the engine sets over an original value', () => {
  it('shows the original before the value set', async () => {
    const { rows } = await traced(
      sampleElements({ extra: [{ tag: T.PatientIdentityRemoved, vr: 'CS', value: 'NO' }] }),
    );
    expect(topLevelRow(rows, T.PatientIdentityRemoved)).toMatchObject({
      before: 'NO',
      after: 'YES',
      action: 'D (set)',
    });
  });
});

describe('the trace of masked pixels', () => {
  const masking: PixelCleaner = {
    clean: async (context) => ({
      action: 'masked',
      reasons: ['region rule: test'],
      regions: [{ frame: 0, x: 0, y: 0, width: 2, height: 1, source: 'rule' }],
      pixelData: new Uint8Array(context.pixelData.kind === 'native' ? context.pixelData.bytes.length : 0),
    }),
  };
  let rows: PreviewRow[];
  beforeAll(async () => {
    rows = (await traced(sampleElements(), masking)).rows;
  });

  it('adds BurnedInAnnotation NO', () => {
    expect(topLevelRow(rows, T.BurnedInAnnotation)).toMatchObject({ after: 'NO', action: 'D (added)' });
  });

  it('shows the pixel data as masked', () => {
    expect(topLevelRow(rows, T.PixelData)).toMatchObject({
      before: '<32 bytes>',
      after: '<32 bytes>',
      action: 'C (pixels masked)',
    });
  });
});
