import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AccountStore,
  LOCKOUT_AFTER,
  LOCKOUT_BASE_MS,
  SCRYPT_PARAMS,
  hashPassword,
} from '../../../main/account/accounts.js';
import { SessionRegistry, runInSession } from '../../../main/account/sessions.js';
import { Catalog } from '../../../main/catalog/catalog.js';
import { makeTempDir } from '../../fixtures/index.js';

const dir = makeTempDir('accounts');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function fresh(now?: () => number): { file: string; store: AccountStore } {
  const file = path.join(dir, `catalog-${(counter += 1)}.sqlite`);
  Catalog.open(file).close();
  return { file, store: new AccountStore(file, now ? { now } : {}) };
}

// scrypt at N=2^15 takes ~0.1–0.5 s per hash on a busy machine.
describe('local reader accounts', { timeout: 60_000 }, () => {
  it('hashes with scrypt N=2^15, r=8, p=1 and a per-user 16-byte salt; never stores the password', async () => {
    expect(SCRYPT_PARAMS).toMatchObject({ N: 2 ** 15, r: 8, p: 1 });
    const { file, store } = fresh();
    await store.create({ username: 'admin', password: 'same-password' });
    await store.create({ username: 'reader1', password: 'same-password' });
    const raw = new Database(file, { readonly: true });
    const rows = raw
      .prepare<[], { password_hash: string; password_salt: string; kdf: string; role: string }>(
        'SELECT password_hash, password_salt, kdf, role FROM reader_account ORDER BY id',
      )
      .all();
    raw.close();
    expect(rows.map((row) => row.role)).toEqual(['admin', 'reader']);
    expect(JSON.parse(rows[0]!.kdf)).toEqual({ alg: 'scrypt', N: 32768, r: 8, p: 1, keylen: 32 });
    expect(rows[0]!.password_salt).toMatch(/^[0-9a-f]{32}$/);
    expect(rows[0]!.password_salt).not.toBe(rows[1]!.password_salt);
    expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
    expect(JSON.stringify(rows)).not.toContain('same-password');
    // The stored hash is scrypt's output for that salt.
    const expected = crypto.scryptSync('same-password', Buffer.from(rows[0]!.password_salt, 'hex'), 32, {
      N: 32768,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    expect(rows[0]!.password_hash).toBe(expected.toString('hex'));
    expect((await hashPassword('x', Buffer.alloc(16))).length).toBe(32);
    store.close();
  });

  it('signs in with the right password only; the user name is case-insensitive', async () => {
    const { store } = fresh();
    await store.create({ username: 'Alice', password: 'alice-password' });
    expect(await store.verify('alice', 'alice-password')).toMatchObject({
      ok: true,
      account: { readerId: 'alice' },
    });
    expect(await store.verify('alice', 'alice-passwort')).toEqual({ ok: false, reason: 'invalid' });
    expect(await store.verify('nobody', 'alice-password')).toEqual({ ok: false, reason: 'invalid' });
    store.close();
  });

  it(`locks an account after ${LOCKOUT_AFTER} failures, backs off, and forgets failures after a success`, async () => {
    let now = 1_000_000;
    const { store } = fresh(() => now);
    await store.create({ username: 'bob', password: 'bob-password' });
    for (let i = 1; i < LOCKOUT_AFTER; i += 1) expect((await store.verify('bob', 'wrong')).ok).toBe(false);
    expect(await store.verify('bob', 'wrong')).toEqual({
      ok: false,
      reason: 'locked',
      retryAfterMs: LOCKOUT_BASE_MS,
    });
    // Even the right password is refused while locked.
    expect(await store.verify('bob', 'bob-password')).toMatchObject({ ok: false, reason: 'locked' });
    now += LOCKOUT_BASE_MS + 1;
    // One more failure doubles the wait.
    expect(await store.verify('bob', 'wrong')).toEqual({
      ok: false,
      reason: 'locked',
      retryAfterMs: 2 * LOCKOUT_BASE_MS,
    });
    now += 2 * LOCKOUT_BASE_MS + 1;
    expect((await store.verify('bob', 'bob-password')).ok).toBe(true);
    expect(await store.verify('bob', 'wrong')).toEqual({ ok: false, reason: 'invalid' });
    store.close();
  });

  it('refuses short passwords and duplicate user names', async () => {
    const { store } = fresh();
    await expect(store.create({ username: 'carol', password: 'short' })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await store.create({ username: 'carol', password: 'long-enough' });
    await expect(store.create({ username: 'CAROL', password: 'long-enough' })).rejects.toMatchObject({
      code: 'conflict',
    });
    store.close();
  });
});

describe('client sessions', () => {
  it('locks a session idle longer than the configured time, per session', () => {
    let now = 0;
    const registry = new SessionRegistry({ now: () => now, idleLockSeconds: () => 60 });
    const account = {
      readerId: 'a',
      username: 'a',
      displayName: 'A',
      role: 'reader' as const,
      kind: 'local' as const,
      disabled: false,
      createdAt: 0,
      lastSignInAt: null,
      lockedUntil: 0,
      mustChangePassword: false,
    };
    runInSession('one', () => registry.signIn(account));
    runInSession('two', () => registry.signIn({ ...account, readerId: 'b' }));
    now = 30_000;
    runInSession('two', () => registry.touch());
    now = 61_000;
    expect(runInSession('one', () => registry.get()?.locked)).toBe(true);
    expect(runInSession('two', () => registry.get()?.locked)).toBe(false);
    expect(runInSession('two', () => registry.readerId())).toBe('b');
    expect(registry.readerId('three')).toBeNull();
  });
});
