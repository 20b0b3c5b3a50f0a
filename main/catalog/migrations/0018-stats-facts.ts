/**
 * Statistics speed (issue #11, stats.dashboard_ms; main/stats/, main/agreement/, docs/statistics.md
 * "Speed").
 *
 * - `annotation_fact`: one small row per annotation version (its seq) with the columns the
 *   dashboard counts by — kind, label, source, author, time, deleted — and what was inside the
 *   version's JSON `data`: whether it is a reader's decision on an AI finding
 *   (`json_extract(data, '$.aiDecision') IS NOT NULL`) and which (`$.aiDecision.decision`).
 *   Versions are immutable, so the row is written once: by the trigger below when the version is
 *   inserted (whoever inserts it: the annotation store, sync, AI), and for the versions already
 *   there by this migration. `head`/`head_deleted` mirror annotation_head (triggers on its inserts
 *   and deletes), so the dashboard reads the live heads from one partial covering index
 *   (`annotation_fact_live`) instead of joining the versions, and never reads the JSON.
 * - `agreement_rating`: what agreement compares of a measurement or classification version (the
 *   measurement's centre and value, the classification's question, item and answer), parsed in
 *   JavaScript by main/agreement/ratings.ts — once per version: here for the versions already
 *   there, then by the agreement service for newer versions (seq above the highest row).
 * - `agreement_study`: each study's part of the project agreement (main/agreement/study-cache.ts:
 *   pair matchings, answers), for the default tolerance; `agreement_study_stamp` is the highest
 *   version seq they cover. A dashboard call summarizes again only the studies with a newer
 *   version (written by the agreement service, not here: the first call after upgrading builds it).
 */
import { fillRatings } from '../../agreement/ratings.js';
import type { Migration } from './migration.js';

export const statsFacts: Migration = {
  version: 18,
  name: 'stats-facts',
  up(db) {
    db.exec(`
      CREATE TABLE annotation_fact (
        seq            INTEGER PRIMARY KEY,
        annotation_uid TEXT NOT NULL,
        study_uid      TEXT NOT NULL,
        kind           TEXT NOT NULL,
        label_id       TEXT,
        source         TEXT NOT NULL,
        author         TEXT NOT NULL,
        deleted        INTEGER NOT NULL,
        created_at     INTEGER NOT NULL,
        is_decision    INTEGER NOT NULL,
        decision       TEXT,
        head           INTEGER NOT NULL DEFAULT 0,
        head_deleted   INTEGER NOT NULL DEFAULT 0
      );
      CREATE TRIGGER annotation_fact_on_insert AFTER INSERT ON annotation_version BEGIN
        INSERT INTO annotation_fact (seq, annotation_uid, study_uid, kind, label_id, source, author, deleted,
                                     created_at, is_decision, decision)
        VALUES (NEW.seq, NEW.annotation_uid, NEW.study_uid, NEW.kind, NEW.label_id, NEW.source, NEW.author,
                NEW.deleted, NEW.created_at,
                CASE WHEN json_valid(NEW.data) THEN json_extract(NEW.data, '$.aiDecision') IS NOT NULL ELSE 0 END,
                CASE WHEN json_valid(NEW.data) THEN json_extract(NEW.data, '$.aiDecision.decision') END);
      END;
      INSERT INTO annotation_fact (seq, annotation_uid, study_uid, kind, label_id, source, author, deleted,
                                   created_at, is_decision, decision)
        SELECT seq, annotation_uid, study_uid, kind, label_id, source, author, deleted, created_at,
               CASE WHEN json_valid(data) THEN json_extract(data, '$.aiDecision') IS NOT NULL ELSE 0 END,
               CASE WHEN json_valid(data) THEN json_extract(data, '$.aiDecision.decision') END
          FROM annotation_version;
      UPDATE annotation_fact SET head = 1, head_deleted = h.deleted
        FROM annotation_head h WHERE h.version_seq = annotation_fact.seq;
      CREATE TRIGGER annotation_fact_head_insert AFTER INSERT ON annotation_head BEGIN
        UPDATE annotation_fact SET head = 1, head_deleted = NEW.deleted WHERE seq = NEW.version_seq;
      END;
      CREATE TRIGGER annotation_fact_head_delete AFTER DELETE ON annotation_head BEGIN
        UPDATE annotation_fact SET head = 0, head_deleted = 0 WHERE seq = OLD.version_seq;
      END;
      CREATE TRIGGER annotation_fact_head_update AFTER UPDATE ON annotation_head BEGIN
        UPDATE annotation_fact SET head = 0, head_deleted = 0 WHERE seq = OLD.version_seq;
        UPDATE annotation_fact SET head = 1, head_deleted = NEW.deleted WHERE seq = NEW.version_seq;
      END;
      -- The live heads (annotation_head rows not deleted), in seq order, with every column the
      -- dashboard counts by: one sequential index scan instead of a join per query.
      CREATE INDEX annotation_fact_live ON annotation_fact(seq, study_uid, kind, label_id, source, author,
        created_at, is_decision) WHERE head = 1 AND head_deleted = 0;
      CREATE INDEX annotation_fact_by_source ON annotation_fact(source, is_decision, annotation_uid, seq, deleted);
      CREATE INDEX annotation_fact_decisions ON annotation_fact(is_decision, annotation_uid, author, seq, decision);
      CREATE INDEX annotation_fact_by_author ON annotation_fact(source, author);
      CREATE INDEX annotation_fact_by_label ON annotation_fact(label_id);
      CREATE INDEX reading_session_times ON reading_session(reader, study_uid, active_ms, updated_at);

      CREATE TABLE agreement_rating (
        seq         INTEGER PRIMARY KEY,
        study_uid   TEXT NOT NULL,
        kind        TEXT NOT NULL,
        label_id    TEXT,
        x           REAL,
        y           REAL,
        z           REAL,
        value       REAL,
        question_id TEXT,
        item        TEXT,
        answer      TEXT
      );
      CREATE INDEX annotation_fact_by_study ON annotation_fact(study_uid, seq);

      CREATE TABLE agreement_study (
        study_uid TEXT PRIMARY KEY,
        payload   TEXT NOT NULL
      );
      CREATE TABLE agreement_study_stamp (
        id  INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL
      );
    `);
    fillRatings(db);
  },
};
