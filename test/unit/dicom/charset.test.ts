import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeText, parseSpecificCharacterSet } from '../../../main/dicom/charset.js';
import { readDicomHeaderFromFile } from '../../../main/dicom/header.js';
import { listPydicomFiles, pydicomCharsetFilesDir } from '../../fixtures/index.js';

/** PatientName of every pydicom charset sample, as pydicom 2.3 decodes it (groups joined by '='). */
const expectedPatientNames: Record<string, string> = {
  'chrArab.dcm': 'قباني^لنزار',
  'chrFren.dcm': 'Buc^Jérôme',
  'chrFrenMulti.dcm': 'Buc^Jérôme',
  'chrGerm.dcm': 'Äneas^Rüdiger',
  'chrGreek.dcm': 'Διονυσιος',
  'chrH31.dcm': 'Yamada^Tarou=山田^太郎=やまだ^たろう',
  'chrH32.dcm': 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
  'chrHbrw.dcm': 'שרון^דבורה',
  'chrI2.dcm': 'Hong^Gildong=洪^吉洞=홍^길동',
  'chrJapMulti.dcm': 'やまだ^たろう',
  'chrJapMultiExplicitIR6.dcm': 'やまだ^たろう',
  'chrKoreanMulti.dcm': '김희중',
  'chrRuss.dcm': 'Люкceмбypг',
  'chrX1.dcm': 'Wang^XiaoDong=王^小東',
  'chrX2.dcm': 'Wang^XiaoDong=王^小东',
};

/** Samples that have no top-level PatientName (their names are inside sequences) and no SOP UID. */
const samplesWithoutTopLevelName = ['chrSQEncoding.dcm', 'chrSQEncoding1.dcm'];

function joinedGroups(file: string): string {
  const { patientName } = readDicomHeaderFromFile(file);
  return [patientName.alphabetic, patientName.ideographic, patientName.phonetic].join('=').replace(/=+$/, '');
}

describe('character sets: pydicom charset samples', () => {
  const files = listPydicomFiles(pydicomCharsetFilesDir);

  it('covers every sample in the folder', () => {
    expect(files.map((file) => path.basename(file)).sort()).toEqual(
      [...Object.keys(expectedPatientNames), ...samplesWithoutTopLevelName].sort(),
    );
  });

  for (const [name, expected] of Object.entries(expectedPatientNames)) {
    it(`decodes the patient name of ${name}`, () => {
      expect(joinedGroups(path.join(pydicomCharsetFilesDir, name))).toBe(expected);
    });
  }

  it('agrees with pydicom itself on every sample', () => {
    const script = [
      'import pydicom, sys, json',
      'out = {}',
      'for f in sys.argv[1:]:',
      '    d = pydicom.dcmread(f)',
      '    if "PatientName" in d: out[f] = str(d.PatientName)',
      'print(json.dumps(out, ensure_ascii=False))',
    ].join('\n');
    const reference = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' }),
    ) as Record<string, string>;
    const ours = Object.fromEntries(Object.keys(reference).map((file) => [file, joinedGroups(file)]));
    expect(ours).toEqual(reference);
  });
});

describe('character sets: encodings without a pydicom sample', () => {
  const bytes = (...parts: Array<string | number[]>) =>
    Uint8Array.from(
      parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part, 'latin1')] : part)),
    );

  it('decodes GBK, including characters outside GB 2312', () => {
    const value = bytes('Wang^XiaoDong=', [0xcd, 0xf5], '^', [0xd0, 0xa1, 0x96, 0x7c]);
    expect(decodeText(value, ['GBK'], 'pn')).toBe('Wang^XiaoDong=王^小東');
  });

  it('decodes ISO 2022 IR 58 (GB 2312) with the escape repeated after each delimiter, as PS3.5 Annex K shows', () => {
    const esc = [0x1b, 0x24, 0x29, 0x41];
    const value = bytes('Zhang^XiaoDong=', esc, [0xd5, 0xc5], '^', esc, [0xd0, 0xa1, 0xb6, 0xab], '=');
    expect(decodeText(value, ['', 'ISO 2022 IR 58'], 'pn')).toBe('Zhang^XiaoDong=张^小东=');
  });

  it('decodes ISO_IR 13 half-width katakana', () => {
    const value = bytes([0xd4, 0xcf, 0xc0, 0xde], '^', [0xc0, 0xdb, 0xb3]);
    expect(decodeText(value, ['ISO_IR 13'], 'pn')).toBe('ﾔﾏﾀﾞ^ﾀﾛｳ');
  });

  it('decodes JIS X 0212 (ISO 2022 IR 159) supplementary kanji', () => {
    const value = bytes('Yamada=', [0x1b, 0x24, 0x28, 0x44, 0x30, 0x21], [0x1b, 0x28, 0x42]);
    expect(decodeText(value, ['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'], 'pn')).toBe('Yamada=丂');
  });

  it('resets to the initial character set at each delimiter', () => {
    // ESC - A designates Latin-1 as G1 for the first component only; the second is back to ASCII-only.
    const value = bytes([0x1b, 0x2d, 0x41], 'J', [0xe9], '^X', [0xe9]);
    expect(decodeText(value, ['', 'ISO 2022 IR 100'], 'pn')).toBe('Jé^Xé');
    expect(decodeText(value, ['', 'ISO 2022 IR 6'], 'pn')).toBe('Jé^X\u00e9');
  });

  it('treats an absent SpecificCharacterSet as the default repertoire', () => {
    expect(parseSpecificCharacterSet(undefined)).toEqual(['']);
    expect(decodeText(bytes('Doe^John '), parseSpecificCharacterSet(undefined), 'pn')).toBe('Doe^John');
  });

  it('decodes UTF-8 (ISO_IR 192) in any script', () => {
    expect(decodeText(Buffer.from('Müller^Jürgen=山田^太郎', 'utf8'), ['ISO_IR 192'], 'pn')).toBe(
      'Müller^Jürgen=山田^太郎',
    );
  });
});
