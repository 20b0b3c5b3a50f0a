/**
 * PACS received problems (main/pacs/received-log.ts, docs/pacs.md): SR and SEG objects a sender
 * stored here that did not become annotations as they are, kept across restarts for the IT
 * administrator (the PACS settings list them). A bounded log: the newest 20,000 rows (one per
 * object, its latest reception), the oldest dropped in the transaction that inserts. What the list
 * shows and no more: the object's kind and UIDs, the sender's AE title, when, main's reasons (a JSON
 * array of strings); no patient name or ID. Deleting a study (a reader's delete, the retention
 * purge) forgets its rows, as it forgets the study's other traces.
 */
import type { Migration } from './migration.js';

export const pacsReceivedProblems: Migration = {
  version: 25,
  name: 'pacs-received-problems',
  up(db) {
    db.exec(`
      CREATE TABLE pacs_received_problem (
        id               INTEGER PRIMARY KEY,
        received_at      TEXT NOT NULL,
        calling_ae_title TEXT NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('sr', 'seg', 'other')),
        study_uid        TEXT NOT NULL,
        sop_instance_uid TEXT NOT NULL UNIQUE,
        problems         TEXT NOT NULL
      ) STRICT;
      CREATE INDEX pacs_received_problem_study ON pacs_received_problem (study_uid);
      CREATE TRIGGER pacs_received_problem_study_deleted AFTER DELETE ON study BEGIN
        DELETE FROM pacs_received_problem WHERE study_uid = OLD.study_uid;
      END;
    `);
  },
};
