/**
 * The audit log (issue #12 item 4, docs/audit.md): who imported, viewed, annotated, de-identified,
 * exported, synced, received, deleted what and when. Rows live in the catalog (`audit_log`,
 * migration 0007), append-only: triggers refuse UPDATE and DELETE, and each row's `hash` is
 * SHA-256(previous row's hash + "\n" + this row's canonical content), so a row edited or removed
 * with the triggers dropped breaks the chain and `verify()` names the first broken link.
 *
 * Subjects are pseudonymous: `pseudonym(kind, value)` is an HMAC-SHA-256 of the value under a key
 * derived from the installation's master key, cut to 16 bytes (32 hex digits). The same study gets
 * the same pseudonym on this installation (so its history can be followed) and nobody without the
 * key can tell which study it is. Details are counts and codes, never names, IDs or UIDs.
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3-multiple-ciphers';
import { AuditActionName } from '../../shared/audit.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { openCatalogConnection } from '../catalog/catalog.js';

/** The actions the log records: one list, the contract's (shared/audit.ts). */
export const AUDIT_ACTIONS = AuditActionName.options;
export type AuditAction = AuditActionName;

export const AUDIT_SUBJECT_KINDS = ['study', 'patient', 'job', 'reader', 'installation'] as const;
export type AuditSubjectKind = (typeof AUDIT_SUBJECT_KINDS)[number];

export type AuditOutcome = 'ok' | 'refused' | 'failed';

/** Counts, flags and codes only: nothing that names or identifies a patient. */
export type AuditDetail = Readonly<Record<string, number | boolean | string>>;

export interface AuditEvent {
  action: AuditAction;
  subjectKind: AuditSubjectKind;
  /**
   * The subject in clear (a Study Instance UID, a job id, a reader id); stored only as its
   * pseudonym for 'study' and 'patient', as is for the others (job ids and reader ids identify no
   * patient).
   */
  subject: string;
  outcome?: AuditOutcome;
  detail?: AuditDetail;
  /** Who did it; defaults to the signed-in reader. */
  reader?: string;
}

export interface AuditRow {
  seq: number;
  /** Milliseconds since the epoch. */
  at: number;
  reader: string;
  action: AuditAction;
  subjectKind: AuditSubjectKind;
  subject: string;
  outcome: AuditOutcome;
  detail: AuditDetail;
  hash: string;
}

export interface AuditFilter {
  action?: AuditAction | undefined;
  reader?: string | undefined;
  /** Milliseconds since the epoch, inclusive. */
  from?: number | undefined;
  /** Milliseconds since the epoch, exclusive. */
  to?: number | undefined;
  /** A study's pseudonym (or a study UID in clear, turned into its pseudonym). */
  subject?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export type AuditVerification =
  { ok: true; checked: number } | { ok: false; checked: number; firstBrokenSeq: number; reason: string };

export const GENESIS_HASH = '0'.repeat(64);

interface StoredRow {
  seq: number;
  at: number;
  reader: string;
  action: string;
  subject_kind: string;
  subject: string;
  outcome: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The bytes a row's hash covers, in a fixed order; `detail` is stored already canonical. */
export function canonicalContent(row: Omit<StoredRow, 'hash' | 'prev_hash'>): string {
  return JSON.stringify([
    row.seq,
    row.at,
    row.reader,
    row.action,
    row.subject_kind,
    row.subject,
    row.outcome,
    row.detail,
  ]);
}

export function chainHash(prevHash: string, canonical: string): string {
  return crypto.createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

function canonicalDetail(detail: AuditDetail | undefined): string {
  const entries = Object.entries(detail ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

/** The key pseudonyms are made with: HKDF-SHA-256 of the installation's master key. */
export function auditPseudonymKey(masterKey: Uint8Array): Buffer {
  return Buffer.from(
    crypto.hkdfSync('sha256', masterKey, Buffer.from('radlabel-audit'), Buffer.from('subject-pseudonym'), 32),
  );
}

export class AuditLog {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private key: Buffer | null = null;

  constructor(
    catalogFileOrDb: string | Database.Database,
    private readonly options: {
      /** The installation's master key (KeyProvider.masterKey), read on first use. */
      masterKey: () => Uint8Array;
      /** The signed-in reader (main/account). */
      reader: () => string;
      now?: () => number;
    },
  ) {
    if (typeof catalogFileOrDb === 'string') {
      this.db = openCatalogConnection(catalogFileOrDb);
      this.ownsDb = true;
    } else {
      this.db = catalogFileOrDb;
      this.ownsDb = false;
    }
  }

  #append: ReturnType<AuditLog['prepareAppend']> | null = null;

  /** The append transaction and its statements, prepared once (every save is audited). */
  private appendStatements(): ReturnType<AuditLog['prepareAppend']> {
    this.#append ??= this.prepareAppend();
    return this.#append;
  }

  private prepareAppend() {
    const lastRow = this.db.prepare<[], { seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    const lastUsed = this.db.prepare<[], { seq: number }>(
      "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
    );
    const insert = this.db.prepare(
      `INSERT INTO audit_log (seq, at, reader, action, subject_kind, subject, outcome, detail, prev_hash, hash)
       VALUES (@seq, @at, @reader, @action, @subject_kind, @subject, @outcome, @detail, @prev_hash, @hash)`,
    );
    const append = this.db.transaction((base: Omit<StoredRow, 'seq' | 'prev_hash' | 'hash'>): StoredRow => {
      const last = lastRow.get();
      // AUTOINCREMENT remembers the largest seq ever used: a removed last row cannot be reused.
      const used = lastUsed.get()?.seq ?? 0;
      const seq = Math.max(last?.seq ?? 0, used) + 1;
      const row = { seq, ...base };
      const prev_hash = last?.hash ?? GENESIS_HASH;
      const hash = chainHash(prev_hash, canonicalContent(row));
      insert.run({ ...row, prev_hash, hash });
      return { ...row, prev_hash, hash };
    });
    return { append };
  }

  /** A stable, keyed, one-way id for a study or patient on this installation. */
  pseudonym(kind: AuditSubjectKind, value: string): string {
    this.key ??= auditPseudonymKey(this.options.masterKey());
    return crypto.createHmac('sha256', this.key).update(`${kind}\u001f${value}`).digest('hex').slice(0, 32);
  }

  private subjectOf(kind: AuditSubjectKind, value: string): string {
    return kind === 'study' || kind === 'patient' ? this.pseudonym(kind, value) : value.slice(0, 128);
  }

  /** Appends one entry; the chain is extended inside one IMMEDIATE transaction (safe across connections). */
  record(event: AuditEvent): AuditRow {
    const reader = (event.reader ?? this.options.reader()).slice(0, 128);
    const base = {
      at: (this.options.now ?? Date.now)(),
      reader,
      action: event.action,
      subject_kind: event.subjectKind,
      subject: this.subjectOf(event.subjectKind, event.subject),
      outcome: event.outcome ?? 'ok',
      detail: canonicalDetail(event.detail),
    };
    const statements = this.appendStatements();
    try {
      return toRow(statements.append.immediate(base));
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'The audit log could not be written (check the data folder).', {
        cause: error,
      });
    }
  }

  /** Entries newest first, filtered. */
  list(filter: AuditFilter = {}): { total: number; entries: AuditRow[] } {
    const { where, params } = this.where(filter);
    const total = this.db
      .prepare<Record<string, unknown>, { n: number }>(`SELECT count(*) AS n FROM audit_log ${where}`)
      .get(params)!.n;
    const rows = this.db
      .prepare<Record<string, unknown>, StoredRow>(
        `SELECT * FROM audit_log ${where} ORDER BY seq DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit: filter.limit ?? 200, offset: filter.offset ?? 0 });
    return { total, entries: rows.map(toRow) };
  }

  /** Every matching entry, oldest first. */
  *iterate(filter: AuditFilter = {}): Generator<AuditRow> {
    const { where, params } = this.where(filter);
    const statement = this.db.prepare<Record<string, unknown>, StoredRow>(
      `SELECT * FROM audit_log ${where} ORDER BY seq`,
    );
    for (const row of statement.iterate(params)) yield toRow(row);
  }

  /** The log as CSV (RFC 4180), oldest first, with the chain hash of each row. */
  csv(filter: AuditFilter = {}): string {
    const lines = ['seq,time,reader,action,subject_kind,subject,outcome,detail,hash'];
    for (const row of this.iterate({ ...filter, limit: undefined, offset: undefined })) {
      lines.push(
        [
          String(row.seq),
          new Date(row.at).toISOString(),
          row.reader,
          row.action,
          row.subjectKind,
          row.subject,
          row.outcome,
          JSON.stringify(row.detail),
          row.hash,
        ]
          .map(csvField)
          .join(','),
      );
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  /**
   * Walks the chain from the first row: each row's seq follows the previous one, its prev_hash is
   * the previous row's hash, and its hash is recomputed from its content. The first row that fails
   * is reported; rows removed at the end show as a gap to the highest seq SQLite handed out.
   */
  verify(): AuditVerification {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let checked = 0;
    for (const row of this.db.prepare<[], StoredRow>('SELECT * FROM audit_log ORDER BY seq').iterate()) {
      if (row.seq !== expectedSeq)
        return {
          ok: false,
          checked,
          firstBrokenSeq: expectedSeq,
          reason: `entry ${expectedSeq} is missing (the next entry is ${row.seq})`,
        };
      if (row.prev_hash !== prevHash)
        return {
          ok: false,
          checked,
          firstBrokenSeq: row.seq,
          reason: `entry ${row.seq} does not follow entry ${row.seq - 1}`,
        };
      if (chainHash(prevHash, canonicalContent(row)) !== row.hash)
        return {
          ok: false,
          checked,
          firstBrokenSeq: row.seq,
          reason: `entry ${row.seq} was changed after it was written`,
        };
      prevHash = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    const used =
      this.db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").get()
        ?.seq ?? 0;
    if (used >= expectedSeq)
      return {
        ok: false,
        checked,
        firstBrokenSeq: expectedSeq,
        reason: `entries ${expectedSeq} to ${used} were removed from the end`,
      };
    return { ok: true, checked };
  }

  private where(filter: AuditFilter): { where: string; params: Record<string, unknown> } {
    const clauses: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.action) {
      clauses.push('action = @action');
      params.action = filter.action;
    }
    if (filter.reader) {
      clauses.push('reader = @reader');
      params.reader = filter.reader;
    }
    if (filter.from !== undefined) {
      clauses.push('at >= @from');
      params.from = filter.from;
    }
    if (filter.to !== undefined) {
      clauses.push('at < @to');
      params.to = filter.to;
    }
    if (filter.subject) {
      const subject = filter.subject.trim();
      // A UID typed in clear is looked up by its pseudonym; a pseudonym as is.
      const asStudy = /^[0-9.]+$/.test(subject) ? this.pseudonym('study', subject) : subject;
      clauses.push('subject = @subject');
      params.subject = asStudy;
    }
    return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  close(): void {
    if (this.ownsDb) this.db.close();
  }
}

function toRow(row: StoredRow): AuditRow {
  return {
    seq: row.seq,
    at: row.at,
    reader: row.reader,
    action: row.action as AuditAction,
    subjectKind: row.subject_kind as AuditSubjectKind,
    subject: row.subject,
    outcome: row.outcome as AuditOutcome,
    detail: JSON.parse(row.detail) as AuditDetail,
    hash: row.hash,
  };
}

function csvField(value: string): string {
  // A leading =, +, - or @ would be a formula in a spreadsheet: quote it with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
