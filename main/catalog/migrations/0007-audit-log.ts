/**
 * Audit log (issue #12 item 4, main/audit/, docs/audit.md): who did what to which subject and when.
 * Append-only: triggers refuse UPDATE and DELETE, and every row holds `hash` = SHA-256 of the
 * previous row's hash and its own canonical content, so an edited or removed row breaks the chain
 * (`audit.verify`). Subjects are pseudonymous (`subject`: a keyed hash or an internal id), never a
 * name, patient ID or UID in clear. Deliberately no `study_uid` column: deleting a study
 * (main/cache/delete.ts) clears the tables that have one, and the audit log must outlive it.
 */
import type { Migration } from './migration.js';

export const auditLog: Migration = {
  version: 7,
  name: 'audit-log',
  up(db) {
    db.exec(`
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        reader TEXT NOT NULL,
        action TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_log_by_time ON audit_log(at);
      CREATE INDEX audit_log_by_action ON audit_log(action, seq);
      CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
      END;
      CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
      END;
    `);
  },
};
