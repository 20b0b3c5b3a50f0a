import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog, openCatalogConnection } from '../../../main/catalog/catalog.js';
import { latestVersion, migrate, schemaVersion } from '../../../main/catalog/migrate.js';
import { type Migration, migrations } from '../../../main/catalog/migrations/index.js';
import { makeTempDir } from '../../fixtures/index.js';

const dir = makeTempDir('migrations');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshFile = () => path.join(dir, `catalog-${(counter += 1)}.sqlite`);

function schemaOf(db: Database.Database): string[] {
  return db
    .prepare<[], { sql: string }>('SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name')
    .all()
    .map((row) => row.sql);
}

describe('catalog migrations', () => {
  // Numbers are assigned per area ahead of time, so one may land before a lower one (a gap until it does).
  it('numbers migrations in strictly increasing order, starting at 1', () => {
    const versions = migrations.map((migration) => migration.version);
    expect(versions[0]).toBe(1);
    for (let index = 1; index < versions.length; index += 1)
      expect(versions[index]).toBeGreaterThan(versions[index - 1]!);
  });

  it('brings an empty file to the latest version', () => {
    const catalog = Catalog.open(freshFile());
    expect(catalog.schemaVersion).toBe(latestVersion());
    expect(catalog.counts()).toEqual({ patients: 0, studies: 0, series: 0, instances: 0 });
    catalog.close();
  });

  for (const from of [0, ...migrations.slice(0, -1).map((migration) => migration.version)]) {
    it(`upgrades a version ${from} database to the same schema as a fresh one`, () => {
      const reference = new Database(freshFile());
      migrate(reference);
      const old = new Database(freshFile());
      migrate(old, { target: from });
      expect(schemaVersion(old)).toBe(from);
      migrate(old);
      expect(schemaVersion(old)).toBe(latestVersion());
      expect(schemaOf(old)).toEqual(schemaOf(reference));
      reference.close();
      old.close();
    });
  }

  it('indexes the studies of a version 1 catalog for search when it upgrades to version 2', () => {
    const file = freshFile();
    const db = new Database(file);
    migrate(db, { target: 1 });
    db.exec(`
      INSERT INTO patient (id, patient_key, patient_id, name_alphabetic, name_ideographic, name_phonetic, birth_date, sex)
        VALUES (1, 'k', 'P1', 'Doe^Jane', '', '', '', '');
      INSERT INTO study (study_uid, patient_ref, patient_name, patient_id, study_date, study_time, study_description,
                         accession_number, imported_at, search_text)
        VALUES ('1.2.3', 1, 'Doe^Jane', 'P1', '20240101', '', 'CT chest', 'A1', '2024-01-01T00:00:00Z', 'doe jane p1 a1 ct chest');
    `);
    db.close();
    const catalog = Catalog.open(file);
    expect(
      catalog.listStudies({ limit: 10, offset: 0, search: 'chest' }).studies.map((s) => s.studyInstanceUID),
    ).toEqual(['1.2.3']);
    catalog.close();
  });

  it('does nothing on a database that is already current', () => {
    const db = new Database(freshFile());
    migrate(db);
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('refuses a database written by a newer RadLabel, without touching it', () => {
    const file = freshFile();
    const db = new Database(file);
    db.pragma(`user_version = ${latestVersion() + 1}`);
    db.close();
    expect(() => Catalog.open(file)).toThrow(/newer version of RadLabel/);
    const after = new Database(file);
    expect(schemaVersion(after)).toBe(latestVersion() + 1);
    after.close();
  });

  it('leaves the previous version intact when a migration fails halfway', () => {
    const failing: Migration = {
      version: latestVersion() + 1,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (id INTEGER)');
        throw new Error('disk on fire');
      },
    };
    const db = new Database(freshFile());
    migrate(db);
    expect(() => migrate(db, { migrations: [...migrations, failing] })).toThrow('disk on fire');
    expect(schemaVersion(db)).toBe(latestVersion());
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({
      n: 0,
    });
    db.close();
  });

  it('lets two connections migrate one catalog at once: one does the work, the other finds it done', () => {
    const file = freshFile();
    const first = new Database(file);
    const second = new Database(file);
    second.pragma('busy_timeout = 5000');
    // The worst interleaving: `second` has read version 0, then `first` migrates everything, then
    // `second` goes through its (now stale) list of pending migrations.
    class AfterOtherConnection extends Array<Migration> {
      override [Symbol.iterator]() {
        migrate(first);
        return super[Symbol.iterator]();
      }
    }
    const interleaved = AfterOtherConnection.from(migrations) as Migration[];
    expect(migrate(second, { migrations: interleaved })).toEqual([]);
    expect(schemaVersion(second)).toBe(latestVersion());
    first.close();
    second.close();
  });

  it('opens the catalog in WAL mode with foreign keys enforced', () => {
    const file = freshFile();
    Catalog.open(file).close();
    const db = openCatalogConnection(file);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // A study that names a patient who does not exist is refused, not stored.
      const orphan = db.prepare(
        `INSERT INTO study (study_uid, patient_ref, patient_name, patient_id, study_date, study_time,
                           study_description, accession_number, imported_at, search_text)
         VALUES ('1.2.3', 999, '', '', '', '', '', '', '', '')`,
      );
      expect(() => orphan.run()).toThrow(/FOREIGN KEY constraint failed/);
      expect(db.prepare('SELECT count(*) AS n FROM study').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
