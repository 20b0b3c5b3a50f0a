/**
 * The received problems' log in the catalog (migration 0025, `pacs_received_problem`): SR and SEG
 * objects a sender stored here that did not become annotations as they are, so the PACS settings
 * still list them after a restart. One row per object (its latest reception), the newest
 * MAX_PACS_RECEIVED_PROBLEM_LOG kept: the oldest are dropped in the transaction that inserts.
 * Its own connection to the catalog file, like the settings store; without a file (tests) an
 * in-memory database with the same schema.
 *
 * Cheap for the receiver: a write is one transaction per annotation import report that brings new
 * rows (WAL, synchronous=NORMAL: no fsync at commit), never per image; a report repeating rows
 * already logged (each later import of the study reports its SR/SEG objects again) is answered by
 * an indexed look-up and writes nothing.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import {
  MAX_PACS_RECEIVED_PROBLEM_LOG,
  MAX_PACS_RECEIVED_PROBLEMS,
  type PacsReceivedProblem,
  type PacsReceivedProblems,
} from '../../shared/pacs.js';
import { openCatalogConnection } from '../catalog/catalog.js';
import { migrate } from '../catalog/migrate.js';

interface Row {
  received_at: string;
  calling_ae_title: string;
  kind: PacsReceivedProblem['kind'];
  study_uid: string;
  sop_instance_uid: string;
  problems: string;
}

export class ReceivedProblemLog {
  readonly #db: Database.Database;
  readonly #cap: number;
  readonly #logged: Database.Statement<[string, string], { id: number }>;
  readonly #forgetOlder: Database.Statement<[string, string]>;
  readonly #insert: Database.Statement<Row>;
  readonly #trim: Database.Statement<[number]>;
  readonly #page: Database.Statement<[number, number], Row>;
  readonly #count: Database.Statement<[], { n: number }>;

  constructor(catalogFile: string | null, cap = MAX_PACS_RECEIVED_PROBLEM_LOG) {
    this.#db = openCatalogConnection(catalogFile ?? ':memory:');
    if (!catalogFile) migrate(this.#db);
    this.#cap = cap;
    this.#logged = this.#db.prepare(
      'SELECT id FROM pacs_received_problem WHERE sop_instance_uid = ? AND received_at = ?',
    );
    this.#forgetOlder = this.#db.prepare(
      'DELETE FROM pacs_received_problem WHERE sop_instance_uid = ? AND received_at <> ?',
    );
    this.#insert = this.#db.prepare(
      `INSERT OR IGNORE INTO pacs_received_problem
         (received_at, calling_ae_title, kind, study_uid, sop_instance_uid, problems)
       VALUES (@received_at, @calling_ae_title, @kind, @study_uid, @sop_instance_uid, @problems)`,
    );
    // Everything at or below the cap-th newest id's predecessor: the oldest rows beyond the cap.
    this.#trim = this.#db.prepare(
      `DELETE FROM pacs_received_problem WHERE id <=
         (SELECT id FROM pacs_received_problem ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
    this.#page = this.#db.prepare(
      `SELECT received_at, calling_ae_title, kind, study_uid, sop_instance_uid, problems
         FROM pacs_received_problem ORDER BY id DESC LIMIT ? OFFSET ?`,
    );
    this.#count = this.#db.prepare('SELECT count(*) AS n FROM pacs_received_problem');
  }

  /** Whether this reception of the object is already logged. */
  has(sopInstanceUID: string, receivedAt: string): boolean {
    return this.#logged.get(sopInstanceUID, receivedAt) !== undefined;
  }

  /**
   * Logs the objects (oldest first, so the last is the newest), each replacing an earlier
   * reception of the same object, and drops the oldest beyond the cap: one transaction, so a crash
   * leaves the log as it was before or after, never half of it. Returns the rows added.
   */
  add(objects: readonly PacsReceivedProblem[]): number {
    if (objects.length === 0) return 0;
    return this.#db.transaction(() => {
      let added = 0;
      for (const object of objects) {
        this.#forgetOlder.run(object.sopInstanceUID, object.receivedAt);
        added += this.#insert.run({
          received_at: object.receivedAt,
          calling_ae_title: object.callingAeTitle,
          kind: object.kind,
          study_uid: object.studyInstanceUID,
          sop_instance_uid: object.sopInstanceUID,
          problems: JSON.stringify(object.problems),
        }).changes;
      }
      this.#trim.run(this.#cap);
      return added;
    })();
  }

  /** A page of the log, the newest first, and how many rows it holds. */
  list(offset = 0, limit = MAX_PACS_RECEIVED_PROBLEMS): PacsReceivedProblems {
    const rows = this.#page.all(Math.min(limit, MAX_PACS_RECEIVED_PROBLEMS), offset);
    return { objects: rows.map(problemOf), total: this.#count.get()?.n ?? 0, offset };
  }

  /** Empties the log; returns how many rows it held. */
  clear(): number {
    return this.#db.prepare('DELETE FROM pacs_received_problem').run().changes;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function problemOf(row: Row): PacsReceivedProblem {
  let problems: unknown;
  try {
    problems = JSON.parse(row.problems);
  } catch {
    problems = [];
  }
  return {
    studyInstanceUID: row.study_uid,
    sopInstanceUID: row.sop_instance_uid,
    kind: row.kind,
    callingAeTitle: row.calling_ae_title,
    receivedAt: row.received_at,
    problems: Array.isArray(problems) ? problems.filter((p): p is string => typeof p === 'string') : [],
  };
}
