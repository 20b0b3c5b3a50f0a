/**
 * Full names are found however they are typed: Hanzi with or without the caret and spaces, pinyin
 * with or without tones and spaces, Latin with or without diacritics; Chinese names sort by pinyin.
 * Also for a catalog created at version 2 (before the name keys) and upgraded.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../main/catalog/catalog.js';
import { migrate } from '../../../main/catalog/migrate.js';
import type { PersonName } from '../../../main/dicom/person-name.js';
import { makeTempDir } from '../../fixtures/index.js';
import { instanceRecord } from './records.js';

const dir = makeTempDir('name-search');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshFile = () => path.join(dir, `catalog-${(counter += 1)}.sqlite`);

const patients: Array<{ uid: string; name: PersonName; id: string }> = [
  { uid: '1.1', name: { alphabetic: '王^小东', ideographic: '', phonetic: '' }, id: 'GB1' },
  { uid: '1.2', name: { alphabetic: 'Li^Lei', ideographic: '李^雷', phonetic: '' }, id: 'CN2' },
  { uid: '1.3', name: { alphabetic: 'Ångström^Zoë', ideographic: '', phonetic: '' }, id: 'SE3' },
  { uid: '1.4', name: { alphabetic: 'Zhang^Wei', ideographic: '', phonetic: '' }, id: 'CN4' },
  { uid: '1.5', name: { alphabetic: '陈^静', ideographic: '', phonetic: '' }, id: 'CN5' },
  { uid: '1.6', name: { alphabetic: 'Baker^Anne', ideographic: '', phonetic: '' }, id: 'UK6' },
];

function record(patient: (typeof patients)[number]) {
  return instanceRecord({
    sopInstanceUID: `${patient.uid}.1.1`,
    studyInstanceUID: patient.uid,
    seriesInstanceUID: `${patient.uid}.1`,
    patientName: patient.name,
    patientId: patient.id,
    studyDescription: 'CT chest',
  });
}

const found = (catalog: Catalog, search: string): string[] =>
  catalog
    .listStudies({ limit: 50, offset: 0, search, sort: { field: 'patientName', direction: 'asc' } })
    .studies.map((study) => study.studyInstanceUID);

const searches: Array<[string, string[]]> = [
  ['王小东', ['1.1']],
  ['王 小东', ['1.1']],
  ['王^小东', ['1.1']],
  ['王', ['1.1']],
  ['小东', ['1.1']],
  ['wangxiaodong', ['1.1']],
  ['Wang Xiaodong', ['1.1']],
  ['wáng xiǎo dōng', ['1.1']],
  ['wang2 xiao3 dong1', ['1.1']],
  ['李雷', ['1.2']],
  ['李 雷', ['1.2']],
  ['lilei', ['1.2']],
  ['Li Lei', ['1.2']],
  ['li^lei', ['1.2']],
  ['lǐ léi', ['1.2']],
  ['li3lei2', ['1.2']],
  ['陈静', ['1.5']],
  ['chenjing', ['1.5']],
  ['zhangwei', ['1.4']],
  ['Zhang Wei', ['1.4']],
  ['zoe angstrom', ['1.3']],
  ['ÅNGSTRÖMZOË', ['1.3']],
  ['angstromzoe', ['1.3']],
  ['anne baker', ['1.6']],
  ['bakeranne', ['1.6']],
];

function expectSearches(catalog: Catalog): void {
  for (const [search, uids] of searches) expect(found(catalog, search), search).toEqual(uids);
  // Still literal, still narrow: nothing that is not in a name or field matches.
  expect(found(catalog, 'wangli')).toEqual([]);
  expect(found(catalog, 'q7')).toEqual([]);
  expect(found(catalog, 'xiaodongwang')).toEqual([]);
}

describe('worklist search by full name', () => {
  it('finds Chinese full names in Hanzi and pinyin and Latin names without diacritics', () => {
    const catalog = Catalog.open(freshFile());
    catalog.addInstances(patients.map(record));
    expectSearches(catalog);
    catalog.close();
  });

  it('sorts Chinese names by pinyin among Latin names', () => {
    const catalog = Catalog.open(freshFile());
    catalog.addInstances(patients.map(record));
    // angstrom, baker, chen, li, wang, zhang
    expect(found(catalog, '')).toEqual(['1.3', '1.6', '1.5', '1.2', '1.1', '1.4']);
    catalog.close();
  });

  it('a catalog created at version 2 finds and sorts the same after its upgrade', () => {
    const file = freshFile();
    const db = new Database(file);
    migrate(db, { target: 2 });
    // Rows as version 2 wrote them: search_text lower-cased, separators as spaces, nothing else.
    patients.forEach((patient, i) => {
      const groups = [patient.name.alphabetic, patient.name.ideographic].filter(Boolean).join(' ');
      db.prepare(
        `INSERT INTO patient (id, patient_key, patient_id, name_alphabetic, name_ideographic, name_phonetic, birth_date, sex)
           VALUES (?, ?, ?, ?, ?, '', '', '')`,
      ).run(i + 1, `k${i}`, patient.id, patient.name.alphabetic, patient.name.ideographic);
      db.prepare(
        `INSERT INTO study (study_uid, patient_ref, patient_name, patient_id, study_date, study_time, study_description,
                            accession_number, imported_at, search_text)
           VALUES (?, ?, ?, ?, '20240101', '', 'CT chest', '', '2024-01-01T00:00:00Z', ?)`,
      ).run(
        patient.uid,
        i + 1,
        patient.name.alphabetic,
        patient.id,
        `${groups} ${patient.id} ct chest`.toLowerCase().replace(/[\^=\s]+/g, ' '),
      );
    });
    expect(
      db.prepare('SELECT count(*) AS n FROM study_search WHERE study_search MATCH \'"王小东"\'').get(),
    ).toEqual({
      n: 0,
    });
    db.close();
    const catalog = Catalog.open(file);
    expectSearches(catalog);
    expect(found(catalog, '')).toEqual(['1.3', '1.6', '1.5', '1.2', '1.1', '1.4']);
    catalog.close();
  });
});
