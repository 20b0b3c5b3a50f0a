import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createDeidentifier,
  type DeidConfig,
  type DeidOutcome,
  type PreviewRow,
} from '../../../main/deid/index.js';
import { parseDicomFile, type DicomElement } from '../../../main/deid/dicom/walker.js';
import { buildDicom, type El } from './support/build-dicom.js';
import { readBack } from './support/read-dicom.js';
import { config, sampleElements, T } from './support/sample.js';

const charsetDir = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';
const engines: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const engine of engines) await engine.close();
});

async function deid(
  input: Uint8Array,
  overrides: Partial<DeidConfig> = {},
): Promise<Extract<DeidOutcome, { status: 'done' }>> {
  const engine = createDeidentifier(config(overrides));
  engines.push(engine);
  const outcome = await engine.deidentify(input);
  if (outcome.status !== 'done') throw new Error(JSON.stringify(outcome).slice(0, 200));
  return outcome;
}

/** tag path → value bytes, over the whole dataset. */
function values(file: Uint8Array): Map<string, string> {
  const parsed = parseDicomFile(file);
  const map = new Map<string, string>();
  const walk = (elements: DicomElement[], prefix: string): void => {
    for (const el of elements) {
      const key = `${prefix}${el.tag.toString(16)}`;
      if (el.items) el.items.forEach((item, i) => walk(item.elements, `${key}/${i}/`));
      else
        map.set(
          key,
          Buffer.from(parsed.bytes.subarray(el.valueStart, el.valueStart + el.valueLength)).toString('hex'),
        );
    }
  };
  walk(parsed.dataset, '');
  return map;
}

async function deidWithTrace(input: Uint8Array): Promise<{ output: Uint8Array; trace: PreviewRow[] }> {
  const trace: PreviewRow[] = [];
  const engine = createDeidentifier(
    config({
      options: ['retainLongitudinalFullDates', 'retainUIDs', 'cleanDescriptors'],
      unlistedText: 'clean',
    }),
  );
  engines.push(engine);
  const outcome = await engine.deidentify(input, { trace });
  if (outcome.status !== 'done') throw new Error(outcome.status);
  return { output: outcome.output, trace };
}

/** The element at a `values()` key. */
function elementAt(file: Uint8Array, key: string): DicomElement {
  const parts = key.split('/');
  let elements = parseDicomFile(file).dataset;
  for (let i = 0; i < parts.length - 1; i += 2) {
    const sequence = elements.find((el) => el.tag.toString(16) === parts[i]);
    elements = sequence?.items?.[Number(parts[i + 1])]?.elements ?? [];
  }
  const found = elements.find((el) => el.tag.toString(16) === parts.at(-1));
  if (!found) throw new Error(`no element at ${key}`);
  return found;
}

/**
 * Compares every value the trace says was kept (K, U on a non-UID, C (kept), K (standard UID))
 * with the input's bytes at the same path. A tag counts when every row for it says kept (a tag
 * kept in one item and cleaned in another is left out).
 */
function keptValueMismatches(
  input: Uint8Array,
  output: Uint8Array,
  trace: PreviewRow[],
): { compared: number; keptRows: number; mismatches: string[]; keys: string[] } {
  const keptAction = (row: PreviewRow): boolean =>
    ['K', 'C (kept)', 'K (standard UID)'].includes(row.action) || (row.action === 'U' && row.vr !== 'UI');
  const rowsByTag = new Map<string, PreviewRow[]>();
  for (const row of trace) {
    if (row.vr === 'SQ') continue;
    const tag = Number.parseInt(row.tag.replace(/[(),]/g, ''), 16).toString(16);
    rowsByTag.set(tag, [...(rowsByTag.get(tag) ?? []), row]);
  }
  const keptTags = new Set([...rowsByTag].filter(([, rows]) => rows.every(keptAction)).map(([tag]) => tag));
  const keptRows = [...keptTags].reduce((sum, tag) => sum + (rowsByTag.get(tag)?.length ?? 0), 0);
  const before = values(input);
  const mismatches: string[] = [];
  const keys: string[] = [];
  for (const [key, value] of values(output)) {
    if (!keptTags.has(key.split('/').at(-1)!)) continue;
    keys.push(key);
    if (before.get(key) !== value) mismatches.push(key);
  }
  return { compared: keys.length, keptRows, mismatches, keys };
}

const gb18030Description = Buffer.from('d0d8b2bf435420c6bdc9a8', 'hex'); // 胸部CT 平扫 in GB18030
const gb18030Name = Buffer.from('5a68616e675e53616e3dd5c55ec8fd', 'hex'); // Zhang^San=张^三

describe('text in other character sets', () => {
  it.each(fs.readdirSync(charsetDir).filter((name) => name.endsWith('.dcm')))(
    '%s: every kept value is byte-identical',
    async (name) => {
      const input = fs.readFileSync(path.join(charsetDir, name));
      const { output, trace } = await deidWithTrace(input);
      const check = keptValueMismatches(input, output, trace);
      expect(check.mismatches).toEqual([]);
      // Every kept value was found in the output and compared, not just one of them.
      expect(check.compared).toBe(check.keptRows);
      expect(check.compared).toBeGreaterThan(0);
      const before = values(input);
      const after = values(output);
      expect(after.get('80005')).toBe(before.get('80005')); // SpecificCharacterSet untouched
      // Identity is gone in every character set.
      expect(after.get('100010')).not.toBe(before.get('100010'));
    },
  );

  it('the byte-identity check catches a single altered kept value (the old check, one equal value, did not)', async () => {
    const input = fs.readFileSync(path.join(charsetDir, 'chrFrenMulti.dcm'));
    const { output, trace } = await deidWithTrace(input);
    const kept = keptValueMismatches(input, output, trace);
    // Alter the last kept value of the output by one byte.
    const key = kept.keys.filter((candidate) => elementAt(output, candidate).valueLength > 0).at(-1)!;
    const element = elementAt(output, key);
    const tampered = Uint8Array.from(output);
    tampered[element.valueStart] = tampered[element.valueStart]! ^ 0x01;
    expect(keptValueMismatches(input, tampered, trace).mismatches).toEqual([key]);
    // The check before this one only required some kept value to be equal.
    const before = values(input);
    const equal = [...values(tampered)].filter(([k, v]) => k !== '80005' && before.get(k) === v).length;
    expect(equal).toBeGreaterThan(0);
  });

  it('keeps a GB18030 descriptor byte-exact while replacing the Chinese patient name', async () => {
    const elements: El[] = sampleElements({
      extra: [
        { tag: T.SpecificCharacterSet, vr: 'CS', value: 'GB18030' },
        { tag: T.PatientName, vr: 'PN', value: gb18030Name },
        { tag: T.StudyDescription, vr: 'LO', value: gb18030Description },
      ],
    });
    const out = readBack((await deid(buildDicom(elements))).output);
    expect(
      out.bytes([T.StudyDescription])?.subarray(0, gb18030Description.length).equals(gb18030Description),
    ).toBe(true);
    expect(out.text([T.SpecificCharacterSet])).toBe('GB18030');
    expect(out.text([T.PatientName])).toMatch(/^LUNG01-/);
  });

  it('finds a Hanzi name and its pinyin inside descriptors and cleans them', async () => {
    const hanziInText = Buffer.concat([Buffer.from('CT '), Buffer.from('d5c5c8fd', 'hex')]); // CT 张三
    const elements = sampleElements({
      extra: [
        { tag: T.SpecificCharacterSet, vr: 'CS', value: 'GB18030' },
        { tag: T.PatientName, vr: 'PN', value: Buffer.from('d5c55ec8fd', 'hex') }, // 张^三, no alphabetic group
        { tag: T.StudyDescription, vr: 'LO', value: hanziInText },
        { tag: T.SeriesDescription, vr: 'LO', value: 'AXIAL zhang san' },
      ],
    });
    const outcome = await deid(buildDicom(elements));
    const out = readBack(outcome.output);
    // The Hanzi name goes and the rest stays, written back in GB18030.
    expect(out.text([T.StudyDescription])).toBe('CT ***');
    expect(out.text([T.SeriesDescription])).toBe('AXIAL ***');
  });

  it('keeps an ISO 2022 IR 58 descriptor byte-exact, escapes included', async () => {
    const iso2022 = Buffer.concat([
      Buffer.from('1b242941', 'hex'),
      Buffer.from('d0d8b2bf', 'hex'),
      Buffer.from('1b2842', 'hex'),
      Buffer.from(' CT'),
    ]); // 胸部 CT
    const elements = sampleElements({
      extra: [
        { tag: T.SpecificCharacterSet, vr: 'CS', value: '\\ISO 2022 IR 58' },
        { tag: T.StudyDescription, vr: 'LO', value: iso2022 },
      ],
    });
    const out = readBack((await deid(buildDicom(elements))).output);
    expect(out.bytes([T.StudyDescription])?.subarray(0, iso2022.length).equals(iso2022)).toBe(true);
  });

  it('warns about GBK bytes labelled ISO_IR 100 and still finds the name in them', async () => {
    const elements = sampleElements({
      extra: [
        { tag: T.SpecificCharacterSet, vr: 'CS', value: 'ISO_IR 100' },
        { tag: T.PatientName, vr: 'PN', value: Buffer.from('d5c5c8fd', 'hex') }, // 张三 in GBK, mislabelled
        {
          tag: T.StudyDescription,
          vr: 'LO',
          value: Buffer.concat([Buffer.from('d5c5c8fd', 'hex'), Buffer.from(' CT')]),
        },
      ],
    });
    const outcome = await deid(buildDicom(elements));
    expect(outcome.report.warnings.map((warning) => warning.code)).toContain('charset-mislabelled-gbk');
    // Cleaned and written back in the bytes' real encoding (GBK), as the rest of the dataset is.
    expect(readBack(outcome.output).text([T.StudyDescription])).toBe('*** CT');
  });
});
