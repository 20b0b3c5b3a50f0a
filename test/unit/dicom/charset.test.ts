import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeText,
  encodeText,
  parseSpecificCharacterSet,
  textKindFor,
} from '../../../main/dicom/charset.js';
import { dictionaryVr } from '../../../main/deid/dicom/dictionary.js';
import { parseDicomFile, type DicomElement } from '../../../main/deid/dicom/walker.js';
import { readDicomHeaderFromFile } from '../../../main/dicom/header.js';
import { listPydicomFiles, pydicomCharsetFilesDir } from '../../fixtures/index.js';

const pydicomTextValuesScript = path.resolve(__dirname, '../../fixtures/charset/pydicom-text-values.py');

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

/** Text values of a parsed dataset, keyed like the pydicom script keys them, each item with its own charset. */
function ourTextValues(file: string): Record<string, string> {
  const parsed = parseDicomFile(new Uint8Array(fs.readFileSync(file)));
  const out: Record<string, string> = {};
  const walk = (elements: DicomElement[], prefix: string, inherited: string[]): void => {
    const own = elements.find((element) => element.tag === 0x00080005);
    const terms = own
      ? parseSpecificCharacterSet(
          Buffer.from(parsed.bytes.subarray(own.valueStart, own.valueStart + own.valueLength)).toString(
            'latin1',
          ),
        )
      : inherited;
    for (const element of elements) {
      const key = `${prefix}${element.tag.toString(16).padStart(8, '0')}`;
      if ((element.tag >>> 16) % 2 === 1) continue; // private: pydicom's VR comes from its private dictionary
      if (element.items) {
        element.items.forEach((item, index) => walk(item.elements, `${key}/${index}/`, terms));
        continue;
      }
      const vr =
        element.vr === 'UN' || !/^[A-Z]{2}$/.test(element.vr)
          ? (dictionaryVr(element.tag) ?? 'UN')
          : element.vr;
      if (!['SH', 'LO', 'ST', 'LT', 'UT', 'UC', 'PN'].includes(vr)) continue;
      const bytes = parsed.bytes.subarray(element.valueStart, element.valueStart + element.valueLength);
      const text = decodeText(bytes, terms, textKindFor(vr)).replace(/^ +/, '');
      // pydicom shows a name without its trailing empty component groups.
      out[key] = vr === 'PN' ? text.replace(/=+$/, '') : text;
    }
  };
  walk(parsed.dataset, '', ['']);
  return out;
}

function python(script: string, input: unknown): unknown {
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' }),
  );
}

describe('character sets: one decoder, as pydicom decodes', () => {
  it('decodes every text value of every pydicom charset sample (sequences included) as pydicom does', () => {
    const files = listPydicomFiles(pydicomCharsetFilesDir);
    const reference = JSON.parse(
      execFileSync('/usr/bin/python3', [pydicomTextValuesScript, ...files], { encoding: 'utf8' }),
    ) as Record<string, Record<string, string>>;
    let compared = 0;
    for (const file of files) {
      const theirs = reference[file] ?? {};
      expect(ourTextValues(file), path.basename(file)).toEqual(theirs);
      compared += Object.keys(theirs).length;
    }
    expect(compared).toBeGreaterThan(100);
  });

  // Text in each character set (and ISO 2022 combination), encoded by pydicom and by us: each
  // side decodes the other's bytes to the same text.
  // pydicom 2.3 neither writes nor reads the escape sequence of ISO 2022 IR 58 (ESC $ ) A) that
  // PS3.5 Annex K shows; for those samples our own round trip is checked (and the Annex K example
  // above).
  const samples: Array<{ text: string; terms: string[]; kind: 'pn' | 'text' | 'single' }> = [
    { text: 'Buc^Jérôme', terms: ['ISO_IR 100'], kind: 'pn' },
    { text: 'Dvořák^Antonín', terms: ['ISO_IR 101'], kind: 'pn' },
    { text: 'Διονυσιος', terms: ['ISO_IR 126'], kind: 'pn' },
    { text: 'Люксембург', terms: ['ISO_IR 144'], kind: 'pn' },
    { text: 'قباني^لنزار', terms: ['ISO_IR 127'], kind: 'pn' },
    { text: 'שרון^דבורה', terms: ['ISO_IR 138'], kind: 'pn' },
    { text: 'Çağlar^Şükrü', terms: ['ISO_IR 148'], kind: 'pn' },
    { text: 'ภาษาไทย', terms: ['ISO_IR 166'], kind: 'text' },
    { text: 'Wang^XiaoDong=王^小东', terms: ['GB18030'], kind: 'pn' },
    { text: '胸部CT平扫 *** 右肺上叶结节', terms: ['GBK'], kind: 'text' },
    { text: 'Wang^XiaoDong=王^小东=', terms: ['', 'ISO 2022 IR 58'], kind: 'pn' },
    { text: '胸部 CT\\平扫 ***', terms: ['', 'ISO 2022 IR 58'], kind: 'text' },
    { text: 'Hong^Gildong=洪^吉洞=홍^길동', terms: ['', 'ISO 2022 IR 149'], kind: 'pn' },
    { text: 'Yamada^Tarou=山田^太郎=やまだ^たろう', terms: ['', 'ISO 2022 IR 87'], kind: 'pn' },
    { text: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう', terms: ['ISO 2022 IR 13', 'ISO 2022 IR 87'], kind: 'pn' },
    { text: 'Müller^Jürgen=山田^太郎', terms: ['ISO_IR 192'], kind: 'pn' },
    { text: 'Jérôme\r\nçà', terms: ['', 'ISO 2022 IR 100'], kind: 'single' },
  ];

  it('decodes what pydicom encodes, and pydicom decodes what we encode, in every character set', () => {
    const script = [
      'import json, sys',
      'from pydicom.charset import convert_encodings, encode_string, decode_bytes',
      'from pydicom.valuerep import PersonName',
      'out = []',
      'for s in json.load(sys.stdin):',
      '    enc = convert_encodings(s["terms"])',
      '    if s["kind"] == "pn":',
      '        theirs = PersonName.from_named_components if False else None',
      '        groups = s["text"].split("=")',
      '        parts = [b"^".join(encode_string(c, enc) for c in g.split("^")) for g in groups]',
      '        encoded = b"=".join(parts)',
      '        ours = PersonName(bytes.fromhex(s["ours"]), encodings=enc)',
      '        decoded = str(ours)',
      '    else:',
      '        encoded = encode_string(s["text"], enc)',
      '        delims = {0x0d, 0x0a, 0x09, 0x0c} | ({0x5c} if s["kind"] == "text" else set())',
      '        decoded = decode_bytes(bytes.fromhex(s["ours"]), enc, delims)',
      '    out.append({"theirs": encoded.hex(), "decoded": decoded})',
      'print(json.dumps(out, ensure_ascii=False))',
    ].join('\n');
    const ours = samples.map((sample) => {
      const encoded = encodeText(sample.text, sample.terms, sample.kind);
      expect(encoded, `${sample.terms.join('\\')}: ${sample.text}`).not.toBeNull();
      return Buffer.from(encoded ?? new Uint8Array()).toString('hex');
    });
    const results = python(
      script,
      samples.map((sample, index) => ({ ...sample, ours: ours[index] })),
    ) as Array<{ theirs: string; decoded: string }>;
    results.forEach((result, index) => {
      const sample = samples[index]!;
      const label = `${sample.terms.join('\\')}: ${sample.text}`;
      if (sample.terms.includes('ISO 2022 IR 58')) {
        const ourBytes = Buffer.from(ours[index] ?? '', 'hex');
        expect(ourBytes.includes(Buffer.from('\x1b$)A', 'latin1')), label).toBe(true);
        expect(decodeText(ourBytes, sample.terms, sample.kind), label).toBe(sample.text);
        return;
      }
      expect(decodeText(Buffer.from(result.theirs, 'hex'), sample.terms, sample.kind), label).toBe(
        sample.text.replace(/=$/, ''),
      );
      expect(result.decoded.replace(/=+$/, ''), label).toBe(sample.text.replace(/=$/, ''));
    });
  });

  it('reads ISO_IR 203 as Latin-9 (ISO 8859-15: € at A4, Œ at BC), as Python’s iso8859_15 codec does', () => {
    const bytes = Uint8Array.from([
      0x50, 0x72, 0x69, 0x78, 0x20, 0xa4, 0x20, 0xbc, 0xbd, 0xa6, 0xa8, 0xb4, 0xb8, 0xbe,
    ]);
    const reference = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `import sys; print(bytes.fromhex(sys.argv[1]).decode("iso8859_15"), end="")`,
        Buffer.from(bytes).toString('hex'),
      ],
      { encoding: 'utf8' },
    );
    expect(reference).toBe('Prix € ŒœŠšŽžŸ');
    expect(decodeText(bytes, ['ISO_IR 203'])).toBe(reference);
    // …and as a G1 set reached by ISO 2022 escape ESC - b.
    expect(decodeText(Uint8Array.from([0x1b, 0x2d, 0x62, 0xa4]), ['', 'ISO 2022 IR 203'])).toBe('€');
  });

  it('resets ISO 2022 state at CR, LF, TAB and FF in any text, at \\ only between values, at ^ and = in names', () => {
    const esc = [0x1b, 0x24, 0x29, 0x41]; // GB 2312 into G1
    const han = [0xd0, 0xd8]; // 胸
    const terms = ['', 'ISO 2022 IR 58'];
    // After a delimiter the initial set is back: high bytes without a new escape are not GB 2312.
    for (const [delimiter, kind] of [
      [0x0a, 'single'],
      [0x0d, 'text'],
      [0x09, 'text'],
      [0x0c, 'single'],
      [0x5c, 'text'],
      [0x5e, 'pn'],
      [0x3d, 'pn'],
    ] as const) {
      const value = Uint8Array.from([...esc, ...han, delimiter, ...han]);
      const decoded = decodeText(value, terms, kind);
      expect(decoded.startsWith('胸'), `${delimiter} in ${kind}`).toBe(true);
      expect(decoded.endsWith('胸'), `${delimiter} in ${kind}`).toBe(false);
    }
    // In LT, ST and UT the backslash is an ordinary character: the designation stays.
    expect(decodeText(Uint8Array.from([...esc, ...han, 0x5c, ...han]), terms, 'single')).toBe('胸\\胸');
  });
});
