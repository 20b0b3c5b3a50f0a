/**
 * Full names are found however they are typed (main/catalog/search-keys.ts): each study's
 * search_text is rebuilt with diacritics folded and the patient's name keys appended (the name
 * without separators, and the pinyin of Hanzi), which the trigram index of migration 2 picks up
 * through its update trigger. `patient_name_sort` holds the key the worklist sorts names by
 * (Hanzi as pinyin), with its index.
 */
import type { PersonName } from '../../dicom/person-name.js';
import { nameSortKey, studySearchText } from '../search-keys.js';
import type { Migration } from './migration.js';

interface Row {
  id: number;
  patient_id: string;
  accession_number: string;
  study_description: string;
  name_alphabetic: string;
  name_ideographic: string;
  name_phonetic: string;
}

export const nameSearchKeys: Migration = {
  version: 3,
  name: 'name-search-keys',
  up(db) {
    db.exec(`
      ALTER TABLE study ADD COLUMN patient_name_sort TEXT NOT NULL DEFAULT '';
      CREATE INDEX study_by_patient_name_sort ON study(patient_name_sort, patient_name, id);
    `);
    const update = db.prepare<{ id: number; searchText: string; sort: string }>(
      'UPDATE study SET search_text = @searchText, patient_name_sort = @sort WHERE id = @id',
    );
    const rows = db
      .prepare<[], Row>(
        `SELECT study.id, study.patient_id, study.accession_number, study.study_description,
                patient.name_alphabetic, patient.name_ideographic, patient.name_phonetic
           FROM study JOIN patient ON patient.id = study.patient_ref`,
      )
      .all();
    for (const row of rows) {
      const name: PersonName = {
        alphabetic: row.name_alphabetic,
        ideographic: row.name_ideographic,
        phonetic: row.name_phonetic,
      };
      update.run({
        id: row.id,
        searchText: studySearchText(name, {
          patientId: row.patient_id,
          accessionNumber: row.accession_number,
          studyDescription: row.study_description,
        }),
        sort: nameSortKey(name),
      });
    }
  },
};
