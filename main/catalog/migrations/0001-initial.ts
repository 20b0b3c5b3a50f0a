/**
 * The imaging hierarchy: patient → study → series → instance, keyed by DICOM UIDs.
 *
 * Study and series rows carry denormalised counts, modalities and the patient's display name so
 * the worklist is one indexed scan of `study` however many instances there are. `search_text` is
 * the lower-cased concatenation of everything the worklist search matches.
 *
 * Project, task, annotation, outbox, sync_state, audit and deid_map arrive with the features that
 * use them, each in its own later migration, rather than as speculative columns now.
 */
import type { Migration } from './migration.js';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE patient (
        id                INTEGER PRIMARY KEY,
        -- PatientID and the name groups together: the same PatientID from two sites may name two people.
        patient_key       TEXT NOT NULL UNIQUE,
        patient_id        TEXT NOT NULL,
        name_alphabetic   TEXT NOT NULL,
        name_ideographic  TEXT NOT NULL,
        name_phonetic     TEXT NOT NULL,
        birth_date        TEXT NOT NULL,
        sex               TEXT NOT NULL
      ) STRICT;

      CREATE TABLE study (
        id                   INTEGER PRIMARY KEY,
        study_uid            TEXT NOT NULL UNIQUE,
        patient_ref          INTEGER NOT NULL REFERENCES patient(id),
        patient_name         TEXT NOT NULL,
        patient_id           TEXT NOT NULL,
        study_date           TEXT NOT NULL,
        study_time           TEXT NOT NULL,
        study_description    TEXT NOT NULL,
        accession_number     TEXT NOT NULL,
        -- Distinct modalities of the series, sorted, backslash-separated (DICOM's multi-value form).
        modalities           TEXT NOT NULL DEFAULT '',
        number_of_series     INTEGER NOT NULL DEFAULT 0,
        number_of_instances  INTEGER NOT NULL DEFAULT 0,
        imported_at          TEXT NOT NULL,
        search_text          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX study_by_patient ON study(patient_ref);
      CREATE INDEX study_by_date ON study(study_date, study_time, id);
      CREATE INDEX study_by_patient_name ON study(patient_name, id);
      CREATE INDEX study_by_patient_id ON study(patient_id, id);
      CREATE INDEX study_by_description ON study(study_description, id);
      CREATE INDEX study_by_modalities ON study(modalities, id);
      CREATE INDEX study_by_instances ON study(number_of_instances, id);
      CREATE INDEX study_by_imported_at ON study(imported_at, id);

      CREATE TABLE series (
        id                   INTEGER PRIMARY KEY,
        series_uid           TEXT NOT NULL UNIQUE,
        study_ref            INTEGER NOT NULL REFERENCES study(id),
        series_number        INTEGER,
        modality             TEXT NOT NULL,
        series_description   TEXT NOT NULL,
        body_part_examined   TEXT NOT NULL,
        number_of_instances  INTEGER NOT NULL DEFAULT 0,
        imported_at          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX series_by_study ON series(study_ref, series_number);

      CREATE TABLE instance (
        id                   INTEGER PRIMARY KEY,
        sop_uid              TEXT NOT NULL UNIQUE,
        series_ref           INTEGER NOT NULL REFERENCES series(id),
        sop_class_uid        TEXT NOT NULL,
        instance_number      INTEGER,
        number_of_frames     INTEGER NOT NULL,
        rows                 INTEGER,
        columns              INTEGER,
        -- Position along the slice normal (mm), for display order; see main/dicom/geometry.ts.
        slice_position       REAL,
        transfer_syntax_uid  TEXT NOT NULL,
        -- Relative to <dataDir>/store; content-addressed (<sha256[0:2]>/<sha256>.dcm).
        file_path            TEXT NOT NULL,
        file_size            INTEGER NOT NULL,
        sha256               TEXT NOT NULL,
        imported_at          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX instance_display_order ON instance(series_ref, slice_position, instance_number);
      CREATE INDEX instance_by_file ON instance(file_path);
    `);
  },
};
