/**
 * Worklist search through an index instead of a scan: an FTS5 trigram index over
 * study.search_text finds any substring of three characters or more (case-insensitively, in any
 * script), so searching stays fast with hundreds of thousands of studies. Triggers keep it in step
 * with `study`; shorter search words are still matched by scanning (see Catalog.listStudies).
 */
import type { Migration } from './migration.js';

export const studySearch: Migration = {
  version: 2,
  name: 'study-search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE study_search USING fts5(
        search_text, content = 'study', content_rowid = 'id', tokenize = 'trigram'
      );
      INSERT INTO study_search(study_search) VALUES ('rebuild');

      CREATE TRIGGER study_search_after_insert AFTER INSERT ON study BEGIN
        INSERT INTO study_search(rowid, search_text) VALUES (new.id, new.search_text);
      END;
      CREATE TRIGGER study_search_after_delete AFTER DELETE ON study BEGIN
        INSERT INTO study_search(study_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      END;
      CREATE TRIGGER study_search_after_update AFTER UPDATE OF search_text ON study BEGIN
        INSERT INTO study_search(study_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        INSERT INTO study_search(rowid, search_text) VALUES (new.id, new.search_text);
      END;
    `);
  },
};
