import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, GENESIS_HASH, chainHash } from '../../../main/audit/audit-log.js';
import { Catalog } from '../../../main/catalog/catalog.js';
import { makeTempDir } from '../../fixtures/index.js';

const dir = makeTempDir('audit-log');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const masterKey = () => new Uint8Array(32).fill(7);

function freshLog(): { file: string; log: AuditLog } {
  const file = path.join(dir, `catalog-${(counter += 1)}.sqlite`);
  Catalog.open(file).close();
  return { file, log: new AuditLog(file, { masterKey, reader: () => 'reader-a' }) };
}

function fill(log: AuditLog, n: number): void {
  for (let i = 0; i < n; i += 1)
    log.record({
      action: 'view',
      subjectKind: 'study',
      subject: `1.2.826.0.1.${i}`,
      detail: { instances: i },
    });
}

/** A raw handle that drops the append-only triggers, as someone editing the file by hand would. */
function tamper(file: string, sql: string): void {
  const raw = new Database(file);
  raw.exec('DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete;');
  raw.exec(sql);
  raw.close();
}

describe('audit log hash chain', () => {
  it('chains each entry to the previous one from the genesis hash', () => {
    const { log } = freshLog();
    fill(log, 3);
    const rows = [...log.iterate()];
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3]);
    expect(log.verify()).toEqual({ ok: true, checked: 3 });
    expect(rows[0]!.hash).not.toBe(GENESIS_HASH);
    expect(chainHash(GENESIS_HASH, 'x')).toMatch(/^[0-9a-f]{64}$/);
    log.close();
  });

  it('stores studies by a keyed pseudonym, never the UID in clear', () => {
    const { file, log } = freshLog();
    log.record({ action: 'import', subjectKind: 'study', subject: '1.2.826.0.1.3680043.99.1' });
    const raw = new Database(file, { readonly: true });
    const dump = JSON.stringify(raw.prepare('SELECT * FROM audit_log').all());
    raw.close();
    expect(dump).not.toContain('1.2.826.0.1.3680043.99.1');
    expect(log.list().entries[0]!.subject).toBe(log.pseudonym('study', '1.2.826.0.1.3680043.99.1'));
    // Another installation (another master key) gives another pseudonym.
    const other = new AuditLog(file, { masterKey: () => new Uint8Array(32).fill(8), reader: () => 'r' });
    expect(other.pseudonym('study', '1.2.826.0.1.3680043.99.1')).not.toBe(
      log.pseudonym('study', '1.2.826.0.1.3680043.99.1'),
    );
    other.close();
    log.close();
  });

  it('refuses UPDATE and DELETE through SQLite triggers', () => {
    const { file, log } = freshLog();
    fill(log, 2);
    const raw = new Database(file);
    expect(() => raw.exec("UPDATE audit_log SET reader = 'someone' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => raw.exec('DELETE FROM audit_log WHERE seq = 1')).toThrow(/append-only/);
    raw.close();
    expect(log.verify().ok).toBe(true);
    log.close();
  });

  it('reports the first edited entry when the triggers were dropped and a row changed', () => {
    const { file, log } = freshLog();
    fill(log, 5);
    tamper(file, "UPDATE audit_log SET reader = 'someone-else' WHERE seq = 3");
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 3, checked: 2 });
    log.close();
  });

  it('reports a deleted entry in the middle', () => {
    const { file, log } = freshLog();
    fill(log, 5);
    tamper(file, 'DELETE FROM audit_log WHERE seq = 2');
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    log.close();
  });

  it('reports a row whose hash was recomputed but whose successor still names the old one', () => {
    const { file, log } = freshLog();
    fill(log, 4);
    const row = [...log.iterate()][1]!;
    const forged = chainHash('f'.repeat(64), 'forged');
    tamper(file, `UPDATE audit_log SET hash = '${forged}' WHERE seq = ${row.seq}`);
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    log.close();
  });

  it('reports entries removed from the end', () => {
    const { file, log } = freshLog();
    fill(log, 4);
    tamper(file, 'DELETE FROM audit_log WHERE seq >= 3');
    expect(log.verify()).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    log.close();
  });

  it('filters by action, reader and time and exports CSV oldest first', () => {
    let now = 1_000;
    const file = path.join(dir, `catalog-${(counter += 1)}.sqlite`);
    Catalog.open(file).close();
    const log = new AuditLog(file, { masterKey, reader: () => 'reader-a', now: () => (now += 1000) });
    log.record({ action: 'import', subjectKind: 'job', subject: 'job-1', detail: { added: 3 } });
    log.record({ action: 'view', subjectKind: 'study', subject: '1.2.3', reader: 'reader-b' });
    log.record({ action: 'delete', subjectKind: 'study', subject: '1.2.3', detail: { files: 2 } });
    expect(log.list({ action: 'view' }).entries.map((row) => row.reader)).toEqual(['reader-b']);
    expect(log.list({ reader: 'reader-a' }).total).toBe(2);
    expect(log.list({ from: 3000 }).entries.map((row) => row.seq)).toEqual([3, 2]);
    expect(log.list({ subject: '1.2.3' }).total).toBe(2);
    const csv = log.csv().trim().split('\r\n');
    expect(csv[0]).toBe('seq,time,reader,action,subject_kind,subject,outcome,detail,hash');
    expect(csv).toHaveLength(4);
    expect(csv[1]).toMatch(
      /^1,1970-01-01T00:00:02.000Z,reader-a,import,job,job-1,ok,"{""added"":3}",[0-9a-f]{64}$/,
    );
    log.close();
  });
});
