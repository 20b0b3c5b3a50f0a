/**
 * The tag browser's rows against DCMTK's dcmdump for the same files: the same attributes in the
 * same order and nesting, the same VRs and lengths, the same values where dcmdump prints them as
 * text or numbers; text decoded in the character set in force (dataset or item).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BULK_BYTES, MAX_VALUE_CHARS, instanceTagRows } from '../../../main/dicom/tag-tree.js';
import { pydicomCharsetFilesDir, pydicomTestFilesDir } from '../../fixtures/index.js';

interface DumpLine {
  depth: number;
  tag: string;
  vr: string;
  value: string;
  length: number | null;
}

/** dcmdump's lines (UIDs as numbers, long values whole), delimitation items left out. */
function dcmdump(file: string): DumpLine[] {
  const out = execFileSync('dcmdump', ['-q', '-Un', '+L', file], { encoding: 'latin1', maxBuffer: 1 << 28 });
  const lines: DumpLine[] = [];
  for (const line of out.split('\n')) {
    const match = /^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\w\w) (.*?)\s*# *(\S+), *\S+ \S+$/.exec(line);
    if (!match) continue;
    const tag = `(${match[2]!.toUpperCase()},${match[3]!.toUpperCase()})`;
    if (tag === '(FFFE,E00D)' || tag === '(FFFE,E0DD)') continue;
    lines.push({
      depth: match[1]!.length / 2,
      tag,
      vr: match[4]!,
      value: match[5]!,
      length: match[6] === 'u/l' ? null : Number(match[6]),
    });
  }
  return lines;
}

const files = [
  path.join(pydicomTestFilesDir, 'CT_small.dcm'),
  path.join(pydicomTestFilesDir, 'MR_small_implicit.dcm'),
  path.join(pydicomTestFilesDir, 'MR_small_bigendian.dcm'),
  path.join(pydicomTestFilesDir, 'liver_1frame.dcm'),
  path.join(pydicomTestFilesDir, 'rtplan.dcm'),
  path.join(pydicomCharsetFilesDir, 'chrX2.dcm'),
  path.join(pydicomCharsetFilesDir, 'chrSQEncoding.dcm'),
];

const textVrs = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR']);
const integerVrs = new Set(['US', 'SS', 'UL', 'SL']);

describe('tag tree', () => {
  for (const file of files) {
    it(`lists what dcmdump lists, in order and nesting: ${path.basename(file)}`, () => {
      const { rows } = instanceTagRows(fs.readFileSync(file));
      const dump = dcmdump(file);
      expect(rows.map((row) => `${row.depth} ${row.tag}`)).toEqual(
        dump.map((line) => `${line.depth} ${line.tag}`),
      );
      rows.forEach((row, index) => {
        const line = dump[index]!;
        if (row.kind === 'item') expect(line.vr).toBe('na');
        else expect(row.vr).toBe(line.vr);
        if (line.length !== null && row.kind !== 'item') expect(row.length, row.tag).toBe(line.length);
        if (row.kind !== 'element' || row.truncated) return;
        const bracketed = /^\[(.*)\]$/.exec(line.value)?.[1];
        if (textVrs.has(row.vr) && bracketed !== undefined) expect(row.value, row.tag).toBe(bracketed);
        if (textVrs.has(row.vr) && line.value === '(no value available)') expect(row.value).toBe('');
        if (integerVrs.has(row.vr)) expect(row.value, row.tag).toBe(line.value);
        if (row.vr === 'FL' || row.vr === 'FD') {
          const ours = row.value.split('\\').map(Number);
          const theirs = line.value.split('\\').map(Number);
          ours.forEach((value, i) =>
            expect(Math.abs(value - theirs[i]!)).toBeLessThanOrEqual(Math.abs(value) * 1e-6),
          );
        }
        if (row.vr === 'OB' && !row.bulk && row.length > 0) expect(row.value).toBe(line.value);
      });
    });
  }

  it('nests rows under their parents: items under their sequence, attributes under their item', () => {
    const { rows } = instanceTagRows(fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm')));
    const sequence = rows.findIndex((row) => row.keyword === 'OtherPatientIDsSequence');
    expect(rows[sequence]).toMatchObject({ kind: 'sequence', items: 2, depth: 0, parent: null });
    const items = rows.filter((row) => row.parent === sequence);
    expect(items.map((row) => row.kind)).toEqual(['item', 'item']);
    const second = rows.indexOf(items[1]!);
    expect(rows.filter((row) => row.parent === second).map((row) => [row.keyword, row.value])).toEqual([
      ['PatientID', '1234ABCD'],
      ['TypeOfPatientID', 'TEXT'],
    ]);
  });

  it('names the Private Creator of every private data element', () => {
    const { rows } = instanceTagRows(fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm')));
    const creator = rows.find((row) => row.tag === '(0019,0010)');
    expect(creator).toMatchObject({ keyword: 'PrivateCreator', value: 'GEMS_ACQU_01' });
    const element = rows.find((row) => row.tag === '(0019,1002)');
    expect(element).toMatchObject({ creator: 'GEMS_ACQU_01', keyword: '', vr: 'SL', value: '912' });
    const everyPrivate = rows.filter((row) => /^\([0-9A-F]{3}[13579BDF],(?!00)/.test(row.tag));
    expect(everyPrivate.length).toBeGreaterThan(50);
    for (const row of everyPrivate) expect(row.creator, row.tag).toMatch(/^GEMS_/);
  });

  it('decodes text in the character set in force: GB18030 dataset, ISO 2022 item in a UTF-8 dataset', () => {
    const gb = instanceTagRows(fs.readFileSync(path.join(pydicomCharsetFilesDir, 'chrX2.dcm')));
    expect(gb.characterSet).toBe('GB18030');
    expect(gb.rows.find((row) => row.keyword === 'PatientName')?.value).toBe('Wang^XiaoDong=王^小东=');
    const sq = instanceTagRows(fs.readFileSync(path.join(pydicomCharsetFilesDir, 'chrSQEncoding.dcm')));
    const name = sq.rows.find((row) => row.keyword === 'PatientName' && row.depth === 2);
    expect(name?.value).toBe('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう');
    expect(sq.rows.find((row) => row.keyword === 'RequestingPhysician')?.value).toBe('Doctor^Who^^MD');
  });

  it('is bounded: pixel data and binary values over 1 KiB by their size only, long values cut with their length', () => {
    const { rows } = instanceTagRows(fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm')));
    const pixels = rows.find((row) => row.tag === '(7FE0,0010)');
    expect(pixels).toMatchObject({ bulk: true, value: '', length: 128 * 128 * 2 });
    for (const row of rows) {
      expect(row.value.length).toBeLessThanOrEqual(MAX_VALUE_CHARS);
      if (row.vr.startsWith('O') && row.length > BULK_BYTES) expect(row.bulk).toBe(true);
    }
    const liver = instanceTagRows(fs.readFileSync(path.join(pydicomTestFilesDir, 'liver_1frame.dcm')));
    const long = liver.rows.filter((row) => row.truncated);
    for (const row of long) expect(row.value).toHaveLength(MAX_VALUE_CHARS);
  });
});
