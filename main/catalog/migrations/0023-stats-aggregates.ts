/**
 * The dashboard's aggregates kept by triggers (issue #11, stats.dashboard_ms; main/stats/service.ts,
 * docs/statistics.md "Speed"). Until now every dashboard call counted the live heads, the AI
 * findings and decisions and the reading sessions again (tens of thousands of index entries per
 * figure for 10,000 studies). These tables hold the counts themselves, so a dashboard without a date
 * filter reads a few hundred rows:
 *
 * - `stats_head_group`: live heads (annotation_fact.head = 1, head_deleted = 0) per label, kind,
 *   source, author and decision flag (annotations by label and rater, label distribution);
 * - `stats_label_study` / `stats_label`: live heads per label and study / studies per label;
 * - `stats_study`: per study its live heads, status rows and latest status (studies per state,
 *   drafts); `stats_reader_study`: the same per study and reader, heads of source `human` by that
 *   author (progress by reader);
 * - `stats_reading`: per reader and study, the sessions and their active time (reading time);
 * - `stats_ai_finding`: per AI finding (an annotation with an `ai:<model>` version that is not a
 *   decision) its model and label (from its newest such version) and how many readers' latest
 *   decisions accept, edit or reject it; `stats_ai_total`: their sums per model and label;
 * - `stats_option`: the filter options (readers, labels, models) with how many rows name them.
 *
 * Triggers keep them, each change costing a few index lookups whatever the size of the study:
 *
 * - counts move by one: a fact becoming live or not (its study, its reader's study when its source is
 *   `human`, its label's study, its head group), a status row appended or removed, a per-key row
 *   inserted or deleted (studies per label, AI totals, options). A row goes when its counts reach 0.
 *   A study's deletion (main/cache/delete.ts, every table with a `study_uid` column, in any order)
 *   removes each base row once, so each count goes back down once: the per-study tables name the
 *   study `study` so that only these triggers remove their rows;
 * - a few per-key rows are computed again from their base rows when one of them changes, the base
 *   rows being few and indexed: a study's latest status after a status row is removed, a reader's
 *   time on a study (its sessions), an AI finding (its versions and decisions).
 *
 * The migration back-fills every table from the rows already there before it creates the triggers.
 */
import type { Migration } from './migration.js';

const LIVE = (row: 'NEW' | 'OLD') => `${row}.head = 1 AND ${row}.head_deleted = 0`;
const AI = (row: string) => `${row}.source >= 'ai:' AND ${row}.source < 'ai;'`;

/**
 * A fact became live (NEW) or stopped being live (OLD): its study's, its reader's (source `human`)
 * and its label's counts move by one. O(1) per change whatever the study's size.
 */
const liveOn = `
  INSERT INTO stats_study (study, live, statuses) VALUES (NEW.study_uid, 1, 0)
    ON CONFLICT (study) DO UPDATE SET live = live + 1;
  INSERT INTO stats_reader_study (study, reader, human_live, statuses)
    SELECT NEW.study_uid, NEW.author, 1, 0 WHERE NEW.source = 'human'
    ON CONFLICT (study, reader) DO UPDATE SET human_live = human_live + 1;
  INSERT INTO stats_label_study (label, study, n)
    SELECT NEW.label_id, NEW.study_uid, 1 WHERE NEW.label_id IS NOT NULL
    ON CONFLICT (label, study) DO UPDATE SET n = n + 1;`;
const liveOff = `
  UPDATE stats_study SET live = live - 1 WHERE study = OLD.study_uid;
  DELETE FROM stats_study WHERE study = OLD.study_uid AND live <= 0 AND statuses <= 0;
  UPDATE stats_reader_study SET human_live = human_live - 1
   WHERE OLD.source = 'human' AND study = OLD.study_uid AND reader = OLD.author;
  DELETE FROM stats_reader_study
   WHERE study = OLD.study_uid AND reader = OLD.author AND human_live <= 0 AND statuses <= 0;
  UPDATE stats_label_study SET n = n - 1 WHERE label = OLD.label_id AND study = OLD.study_uid;
  DELETE FROM stats_label_study WHERE label = OLD.label_id AND study = OLD.study_uid AND n <= 0;`;

/** A status row was appended: one more, and the latest when it is the newest (status rows are append-only). */
const statusAdded = `
  INSERT INTO stats_study (study, live, statuses, status, status_seq) VALUES (NEW.study_uid, 0, 1, NEW.status, NEW.seq)
    ON CONFLICT (study) DO UPDATE SET statuses = statuses + 1,
      status = CASE WHEN status_seq IS NULL OR excluded.status_seq > status_seq THEN excluded.status ELSE status END,
      status_seq = max(coalesce(status_seq, excluded.status_seq), excluded.status_seq);
  INSERT INTO stats_reader_study (study, reader, human_live, statuses, status, status_seq)
    VALUES (NEW.study_uid, NEW.reader, 0, 1, NEW.status, NEW.seq)
    ON CONFLICT (study, reader) DO UPDATE SET statuses = statuses + 1,
      status = CASE WHEN status_seq IS NULL OR excluded.status_seq > status_seq THEN excluded.status ELSE status END,
      status_seq = max(coalesce(status_seq, excluded.status_seq), excluded.status_seq);`;
/** A status row was removed (only a study's deletion does): one fewer, the latest read again. */
const statusRemoved = `
  UPDATE stats_study SET statuses = statuses - 1,
    (status, status_seq) = (SELECT status, seq FROM study_annotation_status
                             WHERE study_uid = OLD.study_uid ORDER BY seq DESC LIMIT 1)
   WHERE study = OLD.study_uid;
  DELETE FROM stats_study WHERE study = OLD.study_uid AND live <= 0 AND statuses <= 0;
  UPDATE stats_reader_study SET statuses = statuses - 1,
    (status, status_seq) = (SELECT status, seq FROM study_annotation_status
                             WHERE study_uid = OLD.study_uid AND reader = OLD.reader ORDER BY seq DESC LIMIT 1)
   WHERE study = OLD.study_uid AND reader = OLD.reader;
  DELETE FROM stats_reader_study
   WHERE study = OLD.study_uid AND reader = OLD.reader AND human_live <= 0 AND statuses <= 0;`;

/** Recomputes stats_reading for a reader and study. */
const refreshReading = (reader: string, study: string) => `
  DELETE FROM stats_reading WHERE reader = ${reader} AND study_uid = ${study};
  INSERT INTO stats_reading (reader, study_uid, sessions, ms)
    SELECT ${reader}, ${study}, count(*), sum(active_ms) FROM reading_session
     WHERE reader = ${reader} AND study_uid = ${study}
    HAVING count(*) > 0;`;

/** Recomputes stats_ai_finding for an annotation: its newest AI proposal, each reader's latest decision. */
const refreshFinding = (uid: string) => `
  DELETE FROM stats_ai_finding WHERE annotation_uid = ${uid};
  INSERT INTO stats_ai_finding (annotation_uid, model, label, no_label, accepted, edited, rejected)
    SELECT f.annotation_uid, substr(f.source, 4), coalesce(f.label_id, ''), f.label_id IS NULL,
           d.accepted, d.edited, d.rejected
      FROM annotation_fact f,
           (SELECT coalesce(sum(decision = 'accepted'), 0) AS accepted,
                   coalesce(sum(decision = 'edited'), 0) AS edited,
                   coalesce(sum(decision = 'rejected'), 0) AS rejected
              FROM (SELECT max(seq) AS seq, decision FROM annotation_fact INDEXED BY annotation_fact_decisions
                     WHERE is_decision = 1 AND annotation_uid = ${uid} GROUP BY author)) d
     WHERE f.seq = (SELECT max(seq) FROM annotation_fact INDEXED BY stats_fact_by_annotation
                     WHERE annotation_uid = ${uid} AND is_decision = 0 AND ${AI('annotation_fact')});`;

const optionUp = (kind: string, value: string, when: string) => `
  INSERT INTO stats_option (kind, value, n) SELECT '${kind}', ${value}, 1 WHERE ${when}
    ON CONFLICT (kind, value) DO UPDATE SET n = n + 1;`;
const optionDown = (kind: string, value: string, when: string) => `
  UPDATE stats_option SET n = n - 1 WHERE kind = '${kind}' AND value = ${value} AND (${when});
  DELETE FROM stats_option WHERE kind = '${kind}' AND value = ${value} AND n <= 0;`;

const HEAD_KEY = (row: string) =>
  `coalesce(${row}.label_id, ''), ${row}.label_id IS NULL, ${row}.kind, ${row}.source, ${row}.author, ${row}.is_decision`;
const HEAD_MATCH = (row: string) =>
  `label = coalesce(${row}.label_id, '') AND no_label = (${row}.label_id IS NULL) AND kind = ${row}.kind
   AND source = ${row}.source AND author = ${row}.author AND is_decision = ${row}.is_decision`;

const headUp = `
  INSERT INTO stats_head_group (label, no_label, kind, source, author, is_decision, n)
    SELECT ${HEAD_KEY('NEW')}, 1 WHERE true
    ON CONFLICT (label, no_label, kind, source, author, is_decision) DO UPDATE SET n = n + 1;`;
const headDown = `
  UPDATE stats_head_group SET n = n - 1 WHERE ${HEAD_MATCH('OLD')};
  DELETE FROM stats_head_group WHERE ${HEAD_MATCH('OLD')} AND n <= 0;`;

/** The tables migration 0023 keeps (tests compare them with a fresh back-fill). */
export const STATS_AGGREGATE_TABLES = [
  'stats_head_group',
  'stats_label_study',
  'stats_label',
  'stats_study',
  'stats_reader_study',
  'stats_reading',
  'stats_ai_finding',
  'stats_ai_total',
  'stats_option',
] as const;

/** Fills the (empty) tables from the rows already there, as the migration does before its triggers exist. */
export const STATS_AGGREGATES_BACKFILL = `
      INSERT INTO stats_head_group (label, no_label, kind, source, author, is_decision, n)
        SELECT coalesce(label_id, ''), label_id IS NULL, kind, source, author, is_decision, count(*)
          FROM annotation_fact WHERE head = 1 AND head_deleted = 0
         GROUP BY 1, 2, 3, 4, 5, 6;
      INSERT INTO stats_label_study (label, study, n)
        SELECT label_id, study_uid, count(*) FROM annotation_fact
         WHERE head = 1 AND head_deleted = 0 AND label_id IS NOT NULL GROUP BY label_id, study_uid;
      INSERT INTO stats_label (label, studies) SELECT label, count(*) FROM stats_label_study GROUP BY label;
      INSERT INTO stats_study (study, live, statuses, status, status_seq)
        SELECT study_uid, sum(live), sum(statuses), max(status), max(status_seq) FROM (
          SELECT study_uid, count(*) AS live, 0 AS statuses, NULL AS status, NULL AS status_seq
            FROM annotation_fact WHERE head = 1 AND head_deleted = 0 GROUP BY study_uid
          UNION ALL
          SELECT study_uid, 0, count(*), status, max(seq) FROM study_annotation_status GROUP BY study_uid)
         GROUP BY study_uid;
      INSERT INTO stats_reader_study (study, reader, human_live, statuses, status, status_seq)
        SELECT study_uid, reader, sum(live), sum(statuses), max(status), max(status_seq) FROM (
          SELECT study_uid, author AS reader, count(*) AS live, 0 AS statuses, NULL AS status, NULL AS status_seq
            FROM annotation_fact WHERE head = 1 AND head_deleted = 0 AND source = 'human'
           GROUP BY study_uid, author
          UNION ALL
          SELECT study_uid, reader, 0, count(*), status, max(seq) FROM study_annotation_status
           GROUP BY study_uid, reader)
         GROUP BY study_uid, reader;
      INSERT INTO stats_reading (reader, study_uid, sessions, ms)
        SELECT reader, study_uid, count(*), sum(active_ms) FROM reading_session GROUP BY reader, study_uid;
      INSERT INTO stats_ai_finding (annotation_uid, model, label, no_label, accepted, edited, rejected)
        SELECT f.annotation_uid, substr(f.source, 4), coalesce(f.label_id, ''), f.label_id IS NULL,
               coalesce(d.accepted, 0), coalesce(d.edited, 0), coalesce(d.rejected, 0)
          FROM annotation_fact f
          LEFT JOIN (SELECT uid, sum(decision = 'accepted') AS accepted, sum(decision = 'edited') AS edited,
                            sum(decision = 'rejected') AS rejected
                       FROM (SELECT annotation_uid AS uid, max(seq) AS seq, decision FROM annotation_fact
                              WHERE is_decision = 1 GROUP BY annotation_uid, author)
                      GROUP BY uid) d ON d.uid = f.annotation_uid
         WHERE f.seq IN (SELECT max(seq) FROM annotation_fact
                          WHERE ${AI('annotation_fact')} AND is_decision = 0 GROUP BY annotation_uid);
      INSERT INTO stats_ai_total (model, label, no_label, findings, accepted, edited, rejected, pending)
        SELECT model, label, no_label, count(*), sum(accepted), sum(edited), sum(rejected),
               sum(accepted + edited + rejected = 0)
          FROM stats_ai_finding GROUP BY model, label, no_label;
      INSERT INTO stats_option (kind, value, n)
        SELECT 'author', author, count(*) FROM annotation_fact WHERE source = 'human' GROUP BY author
        UNION ALL
        SELECT 'label', label_id, count(*) FROM annotation_fact WHERE label_id IS NOT NULL GROUP BY label_id
        UNION ALL
        SELECT 'model', substr(source, 4), count(*) FROM annotation_fact WHERE ${AI('annotation_fact')}
         GROUP BY substr(source, 4)
        UNION ALL
        SELECT 'status', reader, count(*) FROM study_annotation_status GROUP BY reader
        UNION ALL
        SELECT 'reading', reader, count(*) FROM stats_reading GROUP BY reader;
`;

export const statsAggregates: Migration = {
  version: 23,
  name: 'stats-aggregates',
  up(db) {
    db.exec(`
      CREATE TABLE stats_head_group (
        label       TEXT NOT NULL,
        no_label    INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        source      TEXT NOT NULL,
        author      TEXT NOT NULL,
        is_decision INTEGER NOT NULL,
        n           INTEGER NOT NULL,
        PRIMARY KEY (label, no_label, kind, source, author, is_decision)
      ) WITHOUT ROWID;
      CREATE TABLE stats_label_study (
        label TEXT NOT NULL,
        study TEXT NOT NULL,
        n     INTEGER NOT NULL,
        PRIMARY KEY (label, study)
      ) WITHOUT ROWID;
      CREATE TABLE stats_label (
        label   TEXT PRIMARY KEY,
        studies INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE stats_study (
        study      TEXT PRIMARY KEY,
        live       INTEGER NOT NULL,
        statuses   INTEGER NOT NULL,
        status     TEXT,
        status_seq INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX stats_study_drafts ON stats_study(study) WHERE live > 0 AND statuses = 0;
      CREATE INDEX stats_study_states ON stats_study(status, study) WHERE statuses > 0;
      CREATE TABLE stats_reader_study (
        study      TEXT NOT NULL,
        reader     TEXT NOT NULL,
        human_live INTEGER NOT NULL,
        statuses   INTEGER NOT NULL,
        status     TEXT,
        status_seq INTEGER,
        PRIMARY KEY (study, reader)
      ) WITHOUT ROWID;
      CREATE INDEX stats_reader_study_drafts ON stats_reader_study(reader) WHERE human_live > 0 AND statuses = 0;
      CREATE INDEX stats_reader_study_states ON stats_reader_study(reader, status) WHERE statuses > 0;
      CREATE TABLE stats_reading (
        reader    TEXT NOT NULL,
        study_uid TEXT NOT NULL,
        sessions  INTEGER NOT NULL,
        ms        INTEGER NOT NULL,
        PRIMARY KEY (reader, study_uid)
      ) WITHOUT ROWID;
      CREATE INDEX stats_reading_by_time ON stats_reading(reader, ms);
      CREATE TABLE stats_ai_finding (
        annotation_uid TEXT PRIMARY KEY,
        model          TEXT NOT NULL,
        label          TEXT NOT NULL,
        no_label       INTEGER NOT NULL,
        accepted       INTEGER NOT NULL,
        edited         INTEGER NOT NULL,
        rejected       INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE stats_ai_total (
        model    TEXT NOT NULL,
        label    TEXT NOT NULL,
        no_label INTEGER NOT NULL,
        findings INTEGER NOT NULL,
        accepted INTEGER NOT NULL,
        edited   INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        pending  INTEGER NOT NULL,
        PRIMARY KEY (model, label, no_label)
      ) WITHOUT ROWID;
      CREATE TABLE stats_option (
        kind  TEXT NOT NULL,
        value TEXT NOT NULL,
        n     INTEGER NOT NULL,
        PRIMARY KEY (kind, value)
      ) WITHOUT ROWID;
      CREATE INDEX stats_fact_by_annotation ON annotation_fact(annotation_uid, is_decision, source, seq);

      ${STATS_AGGREGATES_BACKFILL}

      -- Facts: live transitions (head flags), new and removed versions.
      CREATE TRIGGER stats_fact_live_on AFTER UPDATE OF head, head_deleted ON annotation_fact
        WHEN ${LIVE('NEW')} AND NOT (${LIVE('OLD')}) BEGIN
        ${headUp}
        ${liveOn}
      END;
      CREATE TRIGGER stats_fact_live_off AFTER UPDATE OF head, head_deleted ON annotation_fact
        WHEN ${LIVE('OLD')} AND NOT (${LIVE('NEW')}) BEGIN
        ${headDown}
        ${liveOff}
      END;
      CREATE TRIGGER stats_fact_insert_live AFTER INSERT ON annotation_fact WHEN ${LIVE('NEW')} BEGIN
        ${headUp}
        ${liveOn}
      END;
      CREATE TRIGGER stats_fact_delete_live AFTER DELETE ON annotation_fact WHEN ${LIVE('OLD')} BEGIN
        ${headDown}
        ${liveOff}
      END;
      CREATE TRIGGER stats_fact_insert_ai AFTER INSERT ON annotation_fact
        WHEN NEW.is_decision = 1 OR (${AI('NEW')}) BEGIN
        ${refreshFinding('NEW.annotation_uid')}
      END;
      CREATE TRIGGER stats_fact_delete_ai AFTER DELETE ON annotation_fact
        WHEN OLD.is_decision = 1 OR (${AI('OLD')}) BEGIN
        ${refreshFinding('OLD.annotation_uid')}
      END;
      CREATE TRIGGER stats_fact_insert_option AFTER INSERT ON annotation_fact BEGIN
        ${optionUp('author', 'NEW.author', `NEW.source = 'human'`)}
        ${optionUp('label', 'NEW.label_id', 'NEW.label_id IS NOT NULL')}
        ${optionUp('model', 'substr(NEW.source, 4)', AI('NEW'))}
      END;
      CREATE TRIGGER stats_fact_delete_option AFTER DELETE ON annotation_fact BEGIN
        ${optionDown('author', 'OLD.author', `OLD.source = 'human'`)}
        ${optionDown('label', 'OLD.label_id', 'OLD.label_id IS NOT NULL')}
        ${optionDown('model', 'substr(OLD.source, 4)', AI('OLD'))}
      END;

      -- Status rows (append-only; a study's deletion removes them).
      CREATE TRIGGER stats_status_insert AFTER INSERT ON study_annotation_status BEGIN
        ${statusAdded}
        ${optionUp('status', 'NEW.reader', 'true')}
      END;
      CREATE TRIGGER stats_status_delete AFTER DELETE ON study_annotation_status BEGIN
        ${statusRemoved}
        ${optionDown('status', 'OLD.reader', 'true')}
      END;

      -- Reading sessions.
      CREATE TRIGGER stats_reading_insert AFTER INSERT ON reading_session BEGIN
        ${refreshReading('NEW.reader', 'NEW.study_uid')}
      END;
      CREATE TRIGGER stats_reading_update AFTER UPDATE ON reading_session BEGIN
        ${refreshReading('OLD.reader', 'OLD.study_uid')}
        ${refreshReading('NEW.reader', 'NEW.study_uid')}
      END;
      CREATE TRIGGER stats_reading_delete AFTER DELETE ON reading_session BEGIN
        ${refreshReading('OLD.reader', 'OLD.study_uid')}
      END;
      CREATE TRIGGER stats_reading_row_insert AFTER INSERT ON stats_reading BEGIN
        ${optionUp('reading', 'NEW.reader', 'true')}
      END;
      CREATE TRIGGER stats_reading_row_delete AFTER DELETE ON stats_reading BEGIN
        ${optionDown('reading', 'OLD.reader', 'true')}
      END;

      -- Totals from the per-key rows.
      CREATE TRIGGER stats_label_study_insert AFTER INSERT ON stats_label_study BEGIN
        INSERT INTO stats_label (label, studies) VALUES (NEW.label, 1)
          ON CONFLICT (label) DO UPDATE SET studies = studies + 1;
      END;
      CREATE TRIGGER stats_label_study_delete AFTER DELETE ON stats_label_study BEGIN
        UPDATE stats_label SET studies = studies - 1 WHERE label = OLD.label;
        DELETE FROM stats_label WHERE label = OLD.label AND studies <= 0;
      END;
      CREATE TRIGGER stats_ai_finding_insert AFTER INSERT ON stats_ai_finding BEGIN
        INSERT INTO stats_ai_total (model, label, no_label, findings, accepted, edited, rejected, pending)
          VALUES (NEW.model, NEW.label, NEW.no_label, 1, NEW.accepted, NEW.edited, NEW.rejected,
                  NEW.accepted + NEW.edited + NEW.rejected = 0)
          ON CONFLICT (model, label, no_label) DO UPDATE SET findings = findings + 1,
            accepted = accepted + excluded.accepted, edited = edited + excluded.edited,
            rejected = rejected + excluded.rejected, pending = pending + excluded.pending;
      END;
      CREATE TRIGGER stats_ai_finding_delete AFTER DELETE ON stats_ai_finding BEGIN
        UPDATE stats_ai_total SET findings = findings - 1, accepted = accepted - OLD.accepted,
               edited = edited - OLD.edited, rejected = rejected - OLD.rejected,
               pending = pending - (OLD.accepted + OLD.edited + OLD.rejected = 0)
         WHERE model = OLD.model AND label = OLD.label AND no_label = OLD.no_label;
        DELETE FROM stats_ai_total
         WHERE model = OLD.model AND label = OLD.label AND no_label = OLD.no_label AND findings <= 0;
      END;
    `);
  },
};
