/**
 * The local catalog: a SQLite database (better-sqlite3-multiple-ciphers, WAL; encrypted at rest,
 * main/cache/sqlite-cipher.ts) of patients, studies, series and
 * instances. The class exposes an explicit list of operations; nothing outside it writes SQL.
 * better-sqlite3 is synchronous and every query here is indexed and small, so it runs on the main
 * thread; the heavy work of an import (parsing, hashing, copying) happens in workers before it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type {
  InstanceSummary,
  ListStudiesResponse,
  SeriesSummary,
  StudyDetail,
  StudySortField,
  StudySummary,
} from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import { sqliteBinding } from '../core/sqlite.js';
import { registerDatabaseKey, registeredDatabaseKey } from '../cache/cache-key.js';
import { applyDatabaseKey, encryptPlainDatabase } from '../cache/sqlite-cipher.js';
import type { DicomHeader } from '../dicom/header.js';
import { displayPersonName } from '../dicom/person-name.js';
import { migrate, schemaVersion } from './migrate.js';
import { WalCheckpointer, type WalCheckpointerOptions, disableAutoCheckpoint } from './wal-checkpointer.js';
import { compactQuery, nameSortKey, searchable, studySearchText } from './search-keys.js';

/** What the catalog stores about one instance: header fields plus where its bytes are. */
export type InstanceRecord = Omit<DicomHeader, 'kind'> & {
  /** Relative to the store root. */
  filePath: string;
  fileSize: number;
  sha256: string;
};

export type AddOutcome = 'added' | 'duplicate' | 'conflict';

export interface AddInstancesResult {
  outcomes: AddOutcome[];
  /** Studies that gained instances, for `catalog.changed`. */
  changedStudyUIDs: string[];
}

export interface ListStudiesQuery {
  search?: string | undefined;
  sort?: { field: StudySortField; direction: 'asc' | 'desc' } | undefined;
  limit: number;
  offset: number;
}

export interface StoredFile {
  filePath: string;
  fileSize: number;
  transferSyntaxUID: string;
}

export interface CatalogCounts {
  patients: number;
  studies: number;
  series: number;
  instances: number;
}

export interface CatalogOptions {
  logger?: Logger;
  /** The clock for imported_at; tests pin it. */
  now?: () => Date;
  /**
   * better-sqlite3's compiled addon to load instead of the process's (main/core/sqlite.ts): the
   * Electron shell's own build (main/electron/native-binding.ts). Node (CLI, web host, tests) omits it.
   */
  nativeBinding?: string;
  /**
   * The SQLCipher key (32 bytes, hex; main/cache/cache-key.ts). Given: the catalog is encrypted,
   * a plain one is migrated first, and every later connection to this file in this process
   * (openCatalogConnection) is keyed with it. Omitted: a plain catalog stays plain.
   */
  key?: string;
  /**
   * Checkpoint the WAL in a worker thread instead of inside commits (the app: main/services.ts):
   * every connection this thread opens to the catalog from now on turns SQLite's automatic
   * checkpoint off (main/catalog/wal-checkpointer.ts). Omitted (CLI, tests): SQLite's own.
   */
  walCheckpointer?: boolean | WalCheckpointerOptions;
}

/**
 * Opens the catalog's SQLite connection with the settings every query relies on: the key
 * registered for this file (if any), WAL, synchronous=NORMAL, foreign keys enforced, a busy
 * timeout, and no checkpoint inside its commits when a checkpointer runs for the file. Not
 * migrated yet.
 */
export function openCatalogConnection(
  file: string,
  options: { nativeBinding?: string; key?: string } = {},
): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, sqliteBinding(options.nativeBinding));
  } catch (error) {
    throw new AppError(
      ErrorCode.Io,
      'The local catalog could not be opened (check the data folder permissions).',
      {
        cause: error,
      },
    );
  }
  try {
    const key = options.key ?? registeredDatabaseKey(file);
    if (key) applyDatabaseKey(db, key);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    disableAutoCheckpoint(db, file);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

const SORT_COLUMNS: Record<StudySortField, string> = {
  // Hanzi by pinyin among Latin names, diacritics folded (search-keys.ts); the display name breaks ties.
  patientName: 'study.patient_name_sort %DIR%, study.patient_name',
  patientId: 'study.patient_id',
  studyDate: 'study.study_date %DIR%, study.study_time',
  studyDescription: 'study.study_description',
  modalities: 'study.modalities',
  numberOfInstances: 'study.number_of_instances',
  importedAt: 'study.imported_at',
};

const STUDY_COLUMNS = `
  study.study_uid, study.patient_name, study.patient_id, patient.birth_date, patient.sex,
  study.study_date, study.study_time, study.study_description, study.accession_number,
  study.modalities, study.number_of_series, study.number_of_instances, study.imported_at`;

interface StudyRow {
  study_uid: string;
  patient_name: string;
  patient_id: string;
  birth_date: string;
  sex: string;
  study_date: string;
  study_time: string;
  study_description: string;
  accession_number: string;
  modalities: string;
  number_of_series: number;
  number_of_instances: number;
  imported_at: string;
}

/** Display order of instances; the reference implementation is compareForDisplay in dicom/geometry.ts. */
const DISPLAY_ORDER = `slice_position IS NULL, slice_position, instance_number IS NULL, instance_number, sop_uid`;

export class Catalog {
  /** The database file, for read-only views (CatalogReader) in import workers. */
  readonly file: string;
  readonly #db: Database.Database;
  #checkpointer: WalCheckpointer | null = null;
  readonly #now: () => Date;
  readonly #statements;

  private constructor(file: string, db: Database.Database, options: CatalogOptions) {
    this.file = file;
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
    this.#statements = {
      instanceBySop: db.prepare<[string], { sha256: string; file_path: string }>(
        'SELECT sha256, file_path FROM instance WHERE sop_uid = ?',
      ),
      insertPatient: db.prepare(
        `INSERT INTO patient (patient_key, patient_id, name_alphabetic, name_ideographic, name_phonetic, birth_date, sex)
         VALUES (@key, @patientId, @alphabetic, @ideographic, @phonetic, @birthDate, @sex)
         ON CONFLICT(patient_key) DO NOTHING`,
      ),
      patientByKey: db.prepare<[string], { id: number }>('SELECT id FROM patient WHERE patient_key = ?'),
      studyById: db.prepare<[number], { study_uid: string; modalities: string }>(
        'SELECT study_uid, modalities FROM study WHERE id = ?',
      ),
      studyByUid: db.prepare<[string], { id: number; modalities: string }>(
        'SELECT id, modalities FROM study WHERE study_uid = ?',
      ),
      insertStudy: db.prepare(
        `INSERT INTO study (study_uid, patient_ref, patient_name, patient_id, study_date, study_time, study_description,
                            accession_number, imported_at, search_text, patient_name_sort)
         VALUES (@uid, @patientRef, @patientName, @patientId, @studyDate, @studyTime, @description, @accession, @importedAt, @searchText, @nameSort)`,
      ),
      seriesByUid: db.prepare<[string], { id: number; study_ref: number }>(
        'SELECT id, study_ref FROM series WHERE series_uid = ?',
      ),
      insertSeries: db.prepare(
        `INSERT INTO series (series_uid, study_ref, series_number, modality, series_description, body_part_examined, imported_at)
         VALUES (@uid, @studyRef, @seriesNumber, @modality, @description, @bodyPart, @importedAt)`,
      ),
      insertInstance: db.prepare(
        `INSERT INTO instance (sop_uid, series_ref, sop_class_uid, instance_number, number_of_frames, rows, columns,
                               slice_position, transfer_syntax_uid, file_path, file_size, sha256, imported_at)
         VALUES (@sop, @seriesRef, @sopClass, @instanceNumber, @frames, @rows, @columns, @slicePosition, @transferSyntax,
                 @filePath, @fileSize, @sha256, @importedAt)`,
      ),
      addSeriesInstances: db.prepare(
        'UPDATE series SET number_of_instances = number_of_instances + ? WHERE id = ?',
      ),
      addStudyCounts: db.prepare(
        `UPDATE study SET number_of_instances = number_of_instances + @instances,
                          number_of_series = number_of_series + @series,
                          modalities = @modalities
         WHERE id = @id`,
      ),
      studyModalities: db.prepare<[number], { modality: string }>(
        "SELECT DISTINCT modality FROM series WHERE study_ref = ? AND modality <> '' ORDER BY modality",
      ),
      fileReferenced: db.prepare<[string], { one: number }>(
        'SELECT 1 AS one FROM instance WHERE file_path = ? LIMIT 1',
      ),
      studyDetail: db.prepare<[string], StudyRow & { id: number }>(
        `SELECT study.id, ${STUDY_COLUMNS} FROM study JOIN patient ON patient.id = study.patient_ref WHERE study.study_uid = ?`,
      ),
      seriesOfStudy: db.prepare<
        [string],
        {
          id: number;
          series_uid: string;
          series_number: number | null;
          modality: string;
          series_description: string;
          body_part_examined: string;
          number_of_instances: number;
        }
      >(
        `SELECT series.id, series.series_uid, series.series_number, series.modality, series.series_description,
                series.body_part_examined, series.number_of_instances
         FROM series WHERE series.study_ref = (SELECT id FROM study WHERE study_uid = ?)
         ORDER BY series.series_number IS NULL, series.series_number, series.series_uid`,
      ),
      /** The instance at a display-order position (the thumbnail is the middle one). */
      instanceAtPosition: db.prepare<[number, number], { sop_uid: string }>(
        `SELECT sop_uid FROM instance WHERE series_ref = ? ORDER BY ${DISPLAY_ORDER} LIMIT 1 OFFSET ?`,
      ),
      seriesId: db.prepare<[string], { id: number }>('SELECT id FROM series WHERE series_uid = ?'),
      instancesOfSeries: db.prepare<
        [number],
        {
          sop_uid: string;
          sop_class_uid: string;
          instance_number: number | null;
          number_of_frames: number;
          rows: number | null;
          columns: number | null;
          transfer_syntax_uid: string;
          slice_position: number | null;
        }
      >(
        `SELECT sop_uid, sop_class_uid, instance_number, number_of_frames, rows, columns, transfer_syntax_uid, slice_position
         FROM instance WHERE series_ref = ? ORDER BY ${DISPLAY_ORDER}`,
      ),
      storedFile: db.prepare<[string], { file_path: string; file_size: number; transfer_syntax_uid: string }>(
        'SELECT file_path, file_size, transfer_syntax_uid FROM instance WHERE sop_uid = ?',
      ),
      counts: db.prepare<[], CatalogCounts>(
        `SELECT (SELECT count(*) FROM patient) AS patients, (SELECT count(*) FROM study) AS studies,
                (SELECT count(*) FROM series) AS series, (SELECT count(*) FROM instance) AS instances`,
      ),
    };
  }

  /** Opens (creating if needed) and migrates the catalog at `file`. */
  static open(file: string, options: CatalogOptions = {}): Catalog {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (options.key) {
      if (
        encryptPlainDatabase(
          file,
          options.key,
          options.nativeBinding ? { nativeBinding: options.nativeBinding } : {},
        )
      )
        options.logger?.info({}, 'catalog encrypted (one-time migration of a plain catalog)');
      registerDatabaseKey(file, options.key);
    }
    const db = openCatalogConnection(
      file,
      options.nativeBinding ? { nativeBinding: options.nativeBinding } : {},
    );
    try {
      migrate(db, options.logger ? { logger: options.logger } : {});
      const catalog = new Catalog(file, db, options);
      if (options.walCheckpointer) {
        const logger = options.logger;
        const given = options.walCheckpointer === true ? {} : options.walCheckpointer;
        const onError = (error: Error): void => {
          logger?.warn(
            { err: error.message },
            'WAL checkpointer stopped; SQLite checkpoints in commits again',
          );
          given.onError?.(error);
        };
        try {
          catalog.#checkpointer = new WalCheckpointer(file, registeredDatabaseKey(file), {
            ...given,
            onError,
          });
          disableAutoCheckpoint(db, file);
        } catch (error) {
          onError(error as Error);
        }
      }
      return catalog;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** The catalog's SQLCipher key (hex) when it is encrypted, for read-only views in workers. */
  get key(): string | undefined {
    return registeredDatabaseKey(this.file);
  }

  get schemaVersion(): number {
    return schemaVersion(this.#db);
  }

  /**
   * Closes the checkpointer's connection first (waiting for a checkpoint running), then the
   * catalog's: the last connection to close copies the WAL into the file and removes it.
   */
  close(): void {
    this.#checkpointer?.close();
    if (this.#db.open) this.#db.close();
  }

  /** SHA-256 of the stored instances among `sopInstanceUIDs` (those not in the catalog are absent). */
  findInstanceHashes(sopInstanceUIDs: readonly string[]): Map<string, string> {
    const found = new Map<string, string>();
    for (const sop of sopInstanceUIDs) {
      const row = this.#statements.instanceBySop.get(sop);
      if (row) found.set(sop, row.sha256);
    }
    return found;
  }

  /**
   * Adds instances in one transaction. An instance whose SOP Instance UID is already stored is a
   * duplicate when its content hash matches and a conflict otherwise; either way the stored one is kept.
   */
  addInstances(records: readonly InstanceRecord[]): AddInstancesResult {
    const importedAt = this.#now().toISOString();
    const s = this.#statements;
    return this.#db.transaction((): AddInstancesResult => {
      const outcomes: AddOutcome[] = [];
      const seriesIncrements = new Map<number, number>();
      const studyIncrements = new Map<
        number,
        { uid: string; instances: number; series: number; newModality: boolean }
      >();
      for (const record of records) {
        const existing = s.instanceBySop.get(record.sopInstanceUID);
        if (existing) {
          outcomes.push(existing.sha256 === record.sha256 ? 'duplicate' : 'conflict');
          continue;
        }
        let series = s.seriesByUid.get(record.seriesInstanceUID);
        let studyRef: number;
        let newSeries = false;
        if (series) {
          // A series belongs to the study it was first filed under, even if a later (broken) file
          // names another StudyInstanceUID: the hierarchy and its counts stay consistent.
          studyRef = series.study_ref;
        } else {
          studyRef = this.#studyFor(record, importedAt);
          const info = s.insertSeries.run({
            uid: record.seriesInstanceUID,
            studyRef,
            seriesNumber: record.seriesNumber,
            modality: record.modality,
            description: record.seriesDescription,
            bodyPart: record.bodyPartExamined,
            importedAt,
          });
          series = { id: Number(info.lastInsertRowid), study_ref: studyRef };
          newSeries = true;
        }
        s.insertInstance.run({
          sop: record.sopInstanceUID,
          seriesRef: series.id,
          sopClass: record.sopClassUID,
          instanceNumber: record.instanceNumber,
          frames: record.numberOfFrames,
          rows: record.rows,
          columns: record.columns,
          slicePosition: record.slicePosition,
          transferSyntax: record.transferSyntaxUID,
          filePath: record.filePath,
          fileSize: record.fileSize,
          sha256: record.sha256,
          importedAt,
        });
        outcomes.push('added');
        seriesIncrements.set(series.id, (seriesIncrements.get(series.id) ?? 0) + 1);
        const study = studyIncrements.get(studyRef) ?? {
          uid: '',
          instances: 0,
          series: 0,
          newModality: false,
        };
        study.instances += 1;
        if (newSeries) {
          study.series += 1;
          study.newModality = true;
        }
        studyIncrements.set(studyRef, study);
      }
      for (const [seriesId, count] of seriesIncrements) s.addSeriesInstances.run(count, seriesId);
      const changedStudyUIDs: string[] = [];
      for (const [studyId, increment] of studyIncrements) {
        const row = s.studyById.get(studyId)!;
        const modalities = increment.newModality
          ? s.studyModalities
              .all(studyId)
              .map((m) => m.modality)
              .join('\\')
          : row.modalities;
        s.addStudyCounts.run({
          id: studyId,
          instances: increment.instances,
          series: increment.series,
          modalities,
        });
        changedStudyUIDs.push(row.study_uid);
      }
      return { outcomes, changedStudyUIDs };
    })();
  }

  #studyFor(record: InstanceRecord, importedAt: string): number {
    const s = this.#statements;
    const study = s.studyByUid.get(record.studyInstanceUID);
    if (study) return study.id;
    const name = record.patientName;
    const key = [record.patientId, name.alphabetic, name.ideographic, name.phonetic].join('\u001f');
    s.insertPatient.run({
      key,
      patientId: record.patientId,
      alphabetic: name.alphabetic,
      ideographic: name.ideographic,
      phonetic: name.phonetic,
      birthDate: record.patientBirthDate,
      sex: record.patientSex,
    });
    const patientRef = s.patientByKey.get(key)!.id;
    const searchText = studySearchText(name, record);
    const info = s.insertStudy.run({
      uid: record.studyInstanceUID,
      patientRef,
      patientName: displayPersonName(name),
      patientId: record.patientId,
      studyDate: record.studyDate,
      studyTime: record.studyTime,
      description: record.studyDescription,
      accession: record.accessionNumber,
      importedAt,
      searchText,
      nameSort: nameSortKey(name),
    });
    return Number(info.lastInsertRowid);
  }

  /**
   * The worklist: one page of studies, filtered by free text, sorted; `total` counts all matches.
   * A study matches when every word of the search occurs (in any order, diacritics folded), so
   * "doe jane" finds "Doe^Jane", or when the whole search without separators (and tone digits) is
   * part of a name key (search-keys.ts), so "王小东", "李雷", "lilei" and "Li3 Lei2" find 王^小东 and
   * 李^雷. Terms of three characters or more go through the trigram index; shorter ones are scanned.
   */
  listStudies(query: ListStudiesQuery): ListStudiesResponse {
    const words = searchable(query.search ?? '')
      .split(' ')
      .filter(Boolean)
      .slice(0, MAX_SEARCH_WORDS);
    const whole = words.length > 0 ? compactQuery(query.search ?? '') : '';
    const useWhole = whole !== '' && !(words.length === 1 && words[0] === whole);
    const params: Record<string, string> = {};
    const ftsTerm = (term: string): string => `"${term.replace(/"/g, '""')}"`;
    const indexedTerm = (term: string): boolean => [...term].length >= 3;
    const inIndex = (name: string): string =>
      `study.id IN (SELECT rowid FROM study_search WHERE study_search MATCH @${name})`;
    let where = '';
    if (words.length > 0) {
      const indexed = words.filter(indexedTerm);
      const scanned = words.filter((word) => !indexedTerm(word));
      if (useWhole && scanned.length === 0 && indexedTerm(whole)) {
        // One index query: (every word) OR (the whole name).
        params['match'] = `(${indexed.map(ftsTerm).join(' AND ')}) OR ${ftsTerm(whole)}`;
        where = `WHERE ${inIndex('match')}`;
      } else {
        const byWords = [
          ...(indexed.length > 0 ? [inIndex('match')] : []),
          ...scanned.map((_, i) => `instr(study.search_text, @w${i}) > 0`),
        ].join(' AND ');
        if (indexed.length > 0) params['match'] = indexed.map(ftsTerm).join(' AND ');
        scanned.forEach((word, i) => (params[`w${i}`] = word));
        if (useWhole) {
          params['whole'] = indexedTerm(whole) ? ftsTerm(whole) : whole;
          const byWhole = indexedTerm(whole) ? inIndex('whole') : 'instr(study.search_text, @whole) > 0';
          where = `WHERE (${byWords}) OR ${byWhole}`;
        } else where = `WHERE ${byWords}`;
      }
    }
    const wordParams = params;
    const sort = query.sort ?? { field: 'studyDate', direction: 'desc' };
    const direction = sort.direction === 'asc' ? 'ASC' : 'DESC';
    const order = `${SORT_COLUMNS[sort.field].replace('%DIR%', direction)} ${direction}, study.id ${direction}`;
    const rows = this.#db
      .prepare<Record<string, string | number>, StudyRow>(
        `SELECT ${STUDY_COLUMNS} FROM study JOIN patient ON patient.id = study.patient_ref
         ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...wordParams, limit: query.limit, offset: query.offset });
    const total = this.#db
      .prepare<Record<string, string>, { n: number }>(`SELECT count(*) AS n FROM study ${where}`)
      .get(wordParams)!.n;
    return { total, studies: rows.map(toStudySummary) };
  }

  getStudy(studyInstanceUID: string): StudyDetail | null {
    const row = this.#statements.studyDetail.get(studyInstanceUID);
    if (!row) return null;
    const series: SeriesSummary[] = this.#statements.seriesOfStudy.all(studyInstanceUID).map((s) => ({
      seriesInstanceUID: s.series_uid,
      studyInstanceUID,
      seriesNumber: s.series_number,
      modality: s.modality,
      seriesDescription: s.series_description,
      bodyPartExamined: s.body_part_examined,
      numberOfInstances: s.number_of_instances,
      thumbnailSopInstanceUID:
        this.#statements.instanceAtPosition.get(s.id, Math.floor(Math.max(0, s.number_of_instances - 1) / 2))
          ?.sop_uid ?? null,
    }));
    return { study: toStudySummary(row), series };
  }

  /** Instances of a series in display order, or null when the series is unknown. */
  listInstances(seriesInstanceUID: string): InstanceSummary[] | null {
    const series = this.#statements.seriesId.get(seriesInstanceUID);
    if (!series) return null;
    return this.#statements.instancesOfSeries.all(series.id).map((i) => ({
      sopInstanceUID: i.sop_uid,
      sopClassUID: i.sop_class_uid,
      seriesInstanceUID,
      instanceNumber: i.instance_number,
      numberOfFrames: i.number_of_frames,
      rows: i.rows,
      columns: i.columns,
      transferSyntaxUID: i.transfer_syntax_uid,
      sliceLocation: i.slice_position,
    }));
  }

  storedFile(sopInstanceUID: string): StoredFile | null {
    const row = this.#statements.storedFile.get(sopInstanceUID);
    return row
      ? { filePath: row.file_path, fileSize: row.file_size, transferSyntaxUID: row.transfer_syntax_uid }
      : null;
  }

  /** Whether any instance row points at `filePath` (relative to the store); used by store recovery. */
  isFileReferenced(filePath: string): boolean {
    return this.#statements.fileReferenced.get(filePath) !== undefined;
  }

  counts(): CatalogCounts {
    return this.#statements.counts.get()!;
  }
}

const MAX_SEARCH_WORDS = 8;

function toStudySummary(row: StudyRow): StudySummary {
  return {
    studyInstanceUID: row.study_uid,
    patientId: row.patient_id,
    patientName: row.patient_name,
    patientBirthDate: row.birth_date,
    patientSex: row.sex,
    studyDate: row.study_date,
    studyTime: row.study_time,
    studyDescription: row.study_description,
    accessionNumber: row.accession_number,
    modalities: row.modalities ? row.modalities.split('\\') : [],
    numberOfSeries: row.number_of_series,
    numberOfInstances: row.number_of_instances,
    importedAt: row.imported_at,
  };
}
