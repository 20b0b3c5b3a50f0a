import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeidentifier, type DeidConfig, type PreviewRow } from '../../../main/deid/index.js';
import {
  cleanFreeText,
  cleanTextValue,
  decodeText,
  encodeText,
  fold,
  identifyingValues,
  type CleanOptions,
  type IdentifyingValues,
} from '../../../main/deid/text.js';
import { isChineseResidentId } from '../../../main/deid/clean/patterns.js';
import { vocabularySize } from '../../../main/deid/clean/vocabulary.js';
import { buildDicom } from './support/build-dicom.js';
import { readBack } from './support/read-dicom.js';
import { config, sampleElements, T } from './support/sample.js';

const corpusDir = path.resolve(__dirname, '../../fixtures/deid-text');

/** The header the corpus lines are written against (names, IDs, dates, address, institution). */
const header: IdentifyingValues = identifyingValues({
  names: ['Ångström^Zoë', 'Smith-Jones^Mary', 'Zhang^Wei=张^伟', 'Okafor^Chidi'],
  ids: ['PID884422', 'ACC20210917'],
  dates: ['19800101', '20210917'],
  other: ['12 Kangaroo Road, Springfield', '+61 2 9876 5432'],
  institutions: ['Wombat General Hospital', '北京协和医院'],
});

interface Line {
  input: string;
  planted: string[];
  /** The text outside the planted identifiers. */
  clinical: string;
}

function corpus(name: string): Line[] {
  return fs
    .readFileSync(path.join(corpusDir, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => ({
      input: line.replace(/[⟦⟧]/g, ''),
      planted: [...line.matchAll(/⟦([^⟧]+)⟧/g)].map((match) => match[1]!),
      clinical: line.replace(/⟦[^⟧]+⟧/g, ' '),
    }));
}

/** Latin words and numbers (lower case, folded) and single Hanzi: what "a clinical token" counts. */
function tokens(text: string): string[] {
  return (fold(text).match(/\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu) ?? []).map((token) =>
    token.toLowerCase(),
  );
}

/** Does any part of a planted identifier survive in the output? */
function leaked(planted: string, output: string): string | null {
  const out = fold(output);
  const plant = fold(planted);
  if (out.includes(plant)) return plant;
  const compactOut = out.replace(/[^\p{L}\p{N}]/gu, '');
  const digits = plant.replace(/\D/g, '');
  if (digits.length >= 5 && compactOut.includes(digits)) return digits;
  for (const word of plant.split(/[^\p{L}\p{N}]+/u)) {
    const han = [...word].filter((char) => /\p{Script=Han}/u.test(char));
    for (let i = 0; i + 1 < han.length; i += 1)
      if (out.includes(han[i]! + han[i + 1]!)) return han[i]! + han[i + 1]!;
    if (han.length === 1 && word.length === 1 && out.includes(word)) return word;
    if (/^\p{L}{3,}$/u.test(word) && new RegExp(`(?<![\\p{L}])${word}(?![\\p{L}])`, 'u').test(out))
      return word;
  }
  return null;
}

function measure(lines: Line[], options: CleanOptions = {}) {
  let clinical = 0;
  let survived = 0;
  const leaks: string[] = [];
  for (const line of lines) {
    const { text, replacements } = cleanFreeText(line.input, header, options);
    for (const planted of line.planted) {
      const found = leaked(planted, text);
      if (found) leaks.push(`${line.input} → ${text} (${found})`);
      // What is replaced is described by kind and position only, never by its text.
      expect(JSON.stringify(replacements)).not.toContain(planted);
    }
    const left = new Map<string, number>();
    for (const token of tokens(text)) left.set(token, (left.get(token) ?? 0) + 1);
    for (const token of tokens(line.clinical)) {
      clinical += 1;
      const count = left.get(token) ?? 0;
      if (count > 0) {
        survived += 1;
        left.set(token, count - 1);
      }
    }
  }
  return { leaks, clinical, survived, rate: survived / clinical };
}

describe('free-text cleaner: realistic corpus', () => {
  const english = corpus('corpus-en.txt');
  const chinese = corpus('corpus-zh.txt');

  it('has a corpus of 100+ English and 50+ Chinese lines, with identifiers planted in many of them', () => {
    expect(english.length).toBeGreaterThanOrEqual(100);
    expect(chinese.length).toBeGreaterThanOrEqual(50);
    expect(english.filter((line) => line.planted.length > 0).length).toBeGreaterThanOrEqual(50);
    expect(chinese.filter((line) => line.planted.length > 0).length).toBeGreaterThanOrEqual(25);
  });

  it('lets no planted identifier survive in English text, and keeps at least 90% of clinical tokens', () => {
    const result = measure(english);
    console.info(
      `en: ${result.survived}/${result.clinical} clinical tokens kept (${(result.rate * 100).toFixed(1)}%)`,
    );
    expect(result.leaks).toEqual([]);
    expect(result.rate).toBeGreaterThanOrEqual(0.9);
  });

  it('lets no planted identifier survive in Chinese text, and keeps at least 90% of clinical characters', () => {
    const result = measure(chinese);
    console.info(
      `zh: ${result.survived}/${result.clinical} clinical characters kept (${(result.rate * 100).toFixed(1)}%)`,
    );
    expect(result.leaks).toEqual([]);
    expect(result.rate).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps the vocabulary as data: a few thousand English and Chinese terms', () => {
    const size = vocabularySize();
    expect(size.english).toBeGreaterThan(2000);
    expect(size.chinese).toBeGreaterThan(800);
  });
});

describe('free-text cleaner: what it replaces', () => {
  const clean = (text: string, options: CleanOptions = {}) => cleanFreeText(text, header, options);
  const kinds = (text: string, options: CleanOptions = {}) =>
    clean(text, options).replacements.map((r) => r.kind);

  it('replaces a name after a title or a relation, wherever it comes from', () => {
    expect(clean('Dr Echidna requested CT chest').text).toBe('Dr *** requested CT chest');
    expect(clean('mother Wallaby present').text).toBe('mother *** present');
    expect(kinds('discussed with Dr. Johnson')).toEqual(['name']);
  });

  it('finds every part of the header names: hyphenated, unaccented, transliterated, pinyin, initials, one typo', () => {
    expect(clean('JONES follow-up').text).toBe('*** follow-up');
    expect(clean('ANGSTROM ZOE MRI brain').text).toBe('*** MRI brain');
    expect(clean('Angstroem, Zoe').text).toBe('***, ***');
    expect(clean('Z.A. seen').text).toBe('***. seen');
    expect(clean('Z. A. seen').text).toBe('***. seen');
    expect(clean('seen by M S J').text).toBe('seen by ***');
    expect(clean('Type A lesion').text).toBe('Type A lesion');
    expect(clean('zhang wei chest pain').text).toBe('*** chest pain');
    expect(clean('Angstrem CT').text).toBe('*** CT'); // one edit away
    expect(clean('Okafor').replacements[0]?.kind).toBe('name');
  });

  it('finds IDs with separators, without letters, and digits of the header phone number', () => {
    expect(clean('old id PID 884422').text).toBe('old id ***');
    expect(clean('p-i-d 884422 merged').text).toBe('*** merged');
    expect(clean('see ACC-20210917').text).toBe('see ***');
    // Letter+digit record numbers that are not in the header; clinical letter+digit terms stay.
    expect(clean('marker MRK0012 placed').text).toBe('marker *** placed');
    expect(clean('DWI b1000 TR2000 T2W L4').replacements).toEqual([]);
    expect(clean('call 02 9876 5432').text).toBe('call ***');
  });

  it('recognises an 18-digit resident ID by its ISO 7064 MOD 11-2 check digit', () => {
    expect(isChineseResidentId('11010519491231002X')).toBe(true);
    expect(isChineseResidentId('110105194912310021')).toBe(false);
    expect(kinds('ID 11010519491231002X')).toEqual(['national-id']);
    // A number with a wrong check digit still goes, as a long number.
    expect(clean('ID 110105194912310021').text).toBe('ID ***');
  });

  it('replaces dates in any common format, times, phones, e-mails, URLs and addresses', () => {
    for (const [text, kind] of [
      ['scan Mar 15 2021', 'date'],
      ['2021年9月17日', 'date'],
      ['17/09/2021', 'date'],
      ['15th of March', 'date'],
      ['at 14:30', 'time'],
      ['13812345678', 'phone'],
      ['+1 617 555 0199', 'phone'],
      ['(010) 6529-5000', 'phone'],
      ['a.b@example.org', 'email'],
      ['https://pacs.example.org/x', 'url'],
      ['42 Wallaby Street', 'address'],
      ['北京市朝阳区建国路88号', 'address'],
    ] as const)
      expect(kinds(text), text).toContain(kind);
    // "may" is a verb, not a month.
    expect(clean('lesion 2 may represent a cyst').text).toBe('lesion 2 may represent a cyst');
  });

  it('remaps UIDs written in text through the caller’s remapper, and removes them without one', () => {
    const uid = '1.2.840.113619.2.55.3.604688119.969.1268071029.320';
    expect(clean(`ref ${uid} prior`, { remapUid: () => '2.25.1234' }).text).toBe('ref 2.25.1234 prior');
    expect(clean(`ref ${uid} prior`).text).toBe('ref *** prior');
    // A UID the remapper keeps (Retain UIDs, a standard UID) is no replacement.
    expect(clean(`ref ${uid}`, { remapUid: (kept) => kept }).replacements).toEqual([]);
  });

  it('segments Chinese and replaces unknown Hanzi runs (a name not in the header), keeping clinical words', () => {
    expect(clean('王建国 右肺上叶结节 约5mm').text).toBe('*** 右肺上叶结节 约5mm');
    expect(clean('周杰医生申请头颅MRI').text).toBe('***医生申请头颅MRI');
    expect(clean('张伟复查').text).toBe('***复查');
  });

  it('keeps unknown words when the project chooses so, and still removes every identifier', () => {
    const keep: CleanOptions = { unknownWords: 'keep' };
    expect(clean('Wibble protocol, Dr Echidna, 13812345678', keep).text).toBe('Wibble protocol, Dr ***, ***');
    expect(clean('transfer from Wombat General', keep).text).toBe('transfer from ***');
    expect(clean('患者王建国 胸部CT', keep).text).toBe('患者*** 胸部CT');
    expect(clean('Wibble protocol').text).toBe('*** protocol');
  });

  it('leaves clinical text as it is (the caller then copies the original bytes)', () => {
    expect(
      clean('Nodule in right upper lobe, 6 mm, stable since prior exam. BI-RADS 2.').replacements,
    ).toEqual([]);
    expect(clean('t1_mprage_sag_p2_iso').replacements).toEqual([]);
    expect(clean('CT ABD/PELVIS W CONTRAST 5mm').replacements).toEqual([]);
  });
});

describe('free-text cleaner: untrusted input', () => {
  it('cleans long and pathological values in linear time (no pattern backtracks over the whole value)', () => {
    const long = (unit: string, length = 50_000) => unit.repeat(Math.ceil(length / unit.length));
    for (const value of [
      long('a') + '@',
      long('1'),
      '+1' + long(' 2', 20_000),
      long('王肺'),
      long('nodule Zoe right lobe 5mm '),
      long('1.'),
      long('Dr. A. B. C. '),
      'tel ' + long('1 '),
      '12 ' + long('Abc '),
    ]) {
      const started = performance.now();
      cleanFreeText(value, header);
      expect(performance.now() - started, value.slice(0, 12)).toBeLessThan(3000);
    }
  });
});

describe('free-text cleaning in the engine', () => {
  const engines: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const engine of engines) await engine.close();
  });
  async function run(description: string, overrides: Partial<DeidConfig> = {}) {
    const engine = createDeidentifier(config(overrides));
    engines.push(engine);
    const trace: PreviewRow[] = [];
    const outcome = await engine.deidentify(buildDicom(sampleElements({ studyDescription: description })), {
      trace,
    });
    if (outcome.status !== 'done') throw new Error(outcome.status);
    const row = trace.find((candidate) => candidate.tag === '(0008,1030)');
    return { text: readBack(outcome.output).text([T.StudyDescription]), row, report: outcome.report };
  }

  it('cleans a descriptor of names, phones and dates the header does not hold, and says so in the trace without the values', async () => {
    const { text, row, report } = await run(
      'Dr Echidna requested CT chest, call 13812345678, scan Mar 15 2021',
    );
    expect(text).toBe('Dr *** requested CT chest, call ***, scan ***');
    expect(row?.action).toBe('C (cleaned: 1 name, 1 phone number, 1 date)');
    expect(row?.after).toBe(text);
    expect(row?.action).not.toMatch(/Echidna|1381|2021/);
    expect(report.actions.cleaned).toBeGreaterThan(0);
  });

  it('keeps the institution under Retain Institution Identity, in its attribute and in free text', async () => {
    const description = 'transfer from St Elsewhere, Dr Echidna';
    const options: DeidConfig['options'] = ['cleanDescriptors', 'retainInstitutionIdentity'];
    const engine = createDeidentifier(config({ options }));
    engines.push(engine);
    const outcome = await engine.deidentify(buildDicom(sampleElements({ studyDescription: description })));
    if (outcome.status !== 'done') throw new Error(outcome.status);
    const out = readBack(outcome.output);
    expect(out.text([T.InstitutionName])).toBe('St Elsewhere Hospital');
    expect(out.text([T.StudyDescription])).toBe('transfer from St Elsewhere, Dr ***');
    // Without the option the institution's words go.
    expect((await run(description)).text).toBe('transfer from St ***, Dr ***');
  });

  it('keeps unknown words under unknownWords: keep, still removing the name', async () => {
    const { text } = await run('Dr Echidna requested Wibble protocol', { unknownWords: 'keep' });
    expect(text).toBe('Dr *** requested Wibble protocol');
  });
});

describe('cleaned values written back', () => {
  it('keeps each value within its VR’s maximum length when a placeholder or remapped UID is longer', () => {
    const uid = '1.2.3.4.5';
    const cleaned = cleanTextValue(Buffer.from(`CT ref ${uid} Li`), 'SH', ['ISO_IR 100'], header, {
      remapUid: () => '2.25.123456789012345678901234567890',
    });
    expect(cleaned.status).toBe('cleaned');
    if (cleaned.status !== 'cleaned') return;
    expect(cleaned.text.length).toBeLessThanOrEqual(16);
    expect(cleaned.text.startsWith('CT ref 2.25.')).toBe(true);
  });

  it('writes a cleaned value back in the dataset’s own character set (GB18030, ISO 2022 IR 58, UTF-8)', () => {
    const text = '王建国 右肺上叶结节';
    for (const terms of [['GB18030'], ['', 'ISO 2022 IR 58'], ['ISO_IR 192']]) {
      const bytes = encodeText(text, terms);
      expect(bytes, terms.join('\\')).not.toBeNull();
      const cleaned = cleanTextValue(bytes!, 'LO', terms, header);
      expect(cleaned.status).toBe('cleaned');
      if (cleaned.status !== 'cleaned') continue;
      expect(decodeText(cleaned.bytes, terms)).toBe('*** 右肺上叶结节');
    }
  });

  it('empties a cleaned value its character set cannot hold', () => {
    // Half-width katakana under ISO_IR 13 (Shift_JIS without code extensions): no encoder here.
    const bytes = Uint8Array.from([0xd4, 0xcf, 0xc0, 0xde, ...Buffer.from(' CT 13812345678')]);
    const cleaned = cleanTextValue(bytes, 'LO', ['ISO_IR 13'], header, { unknownWords: 'keep' });
    expect(cleaned.status).toBe('emptied');
    expect(cleaned.text).toBe('');
  });
});
