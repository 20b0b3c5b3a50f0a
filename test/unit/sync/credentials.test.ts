/**
 * Credentials for the project server (docs/sync.md): from the environment, else a key file that
 * only this user can read (a file others can read is refused, and its secret is never in the
 * message), else the app's keychain; none found is a server-auth error saying where to put one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import crypto from 'node:crypto';
import {
  authorizationHeader,
  readKeyFile,
  resolveCredentials,
  storedSyncSecret,
} from '../../../main/sync/credentials.js';
import { makeTempDir } from '../../fixtures/paths.js';

const dir = makeTempDir('sync-credentials');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function keyFile(name: string, content: string, mode: number): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  fs.chmodSync(file, mode);
  return file;
}

describe('sync credentials', () => {
  it('a 0600 key file is read (its first line)', () => {
    expect(readKeyFile(keyFile('ok.key', 'S3cret-token\nignored\n', 0o600))).toBe('S3cret-token');
    expect(readKeyFile(keyFile('ok400.key', 'x', 0o400))).toBe('x');
  });

  it.skipIf(process.platform === 'win32')(
    'a key file readable by the group or others is refused, without showing the secret',
    () => {
      for (const mode of [0o644, 0o640, 0o604, 0o660]) {
        const file = keyFile(`open-${mode.toString(8)}.key`, 'TOPSECRET', mode);
        let error: unknown;
        try {
          readKeyFile(file);
        } catch (caught) {
          error = caught;
        }
        expect(error).toMatchObject({
          code: ErrorCode.ServerAuth,
          message: expect.stringContaining('chmod 600'),
        });
        expect((error as Error).message).not.toContain('TOPSECRET');
      }
    },
  );

  it('a missing, empty or non-regular key file is refused', () => {
    expect(() => readKeyFile(path.join(dir, 'none.key'))).toThrow(
      expect.objectContaining({ code: ErrorCode.ServerAuth }),
    );
    expect(() => readKeyFile(keyFile('empty.key', '\n', 0o600))).toThrow(
      expect.objectContaining({ code: ErrorCode.ServerAuth }),
    );
    expect(() => readKeyFile(dir)).toThrow(expect.objectContaining({ code: ErrorCode.ServerAuth }));
  });

  it('the environment comes first, then the key file, then the keychain', () => {
    const file = keyFile('bearer.key', 'from-file', 0o600);
    const stored = { read: () => 'from-keychain' };
    expect(
      resolveCredentials(
        { type: 'bearer', keyFile: file },
        { env: { RADLABEL_SYNC_TOKEN: 'from-env' }, stored },
      ),
    ).toEqual({ type: 'bearer', token: 'from-env' });
    expect(
      resolveCredentials({ type: 'bearer', keyFile: 'bearer.key' }, { env: {}, baseDir: dir, stored }),
    ).toEqual({ type: 'bearer', token: 'from-file' });
    expect(resolveCredentials({ type: 'bearer' }, { env: {}, stored })).toEqual({
      type: 'bearer',
      token: 'from-keychain',
    });
    expect(
      resolveCredentials({ type: 'basic', username: 'alice' }, { env: { RADLABEL_SYNC_PASSWORD: 'pw' } }),
    ).toEqual({ type: 'basic', username: 'alice', password: 'pw' });
    expect(
      resolveCredentials(
        { type: 'basic', username: 'alice' },
        { env: { RADLABEL_SYNC_USER: 'bob', RADLABEL_SYNC_PASSWORD: 'pw' } },
      ),
    ).toMatchObject({ username: 'bob' });
    expect(resolveCredentials({ type: 'none' }, { env: {} })).toBeNull();
  });

  it('no secret anywhere is a server-auth error naming where to put one', () => {
    expect(() => resolveCredentials({ type: 'bearer' }, { env: {} })).toThrow(
      expect.objectContaining({
        code: ErrorCode.ServerAuth,
        message: expect.stringContaining('RADLABEL_SYNC_TOKEN'),
      }),
    );
    expect(() => resolveCredentials({ type: 'basic' }, { env: { RADLABEL_SYNC_PASSWORD: 'x' } })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('RADLABEL_SYNC_USER') }),
    );
  });

  it('builds basic and bearer headers and refuses a secret with a line break', () => {
    expect(authorizationHeader({ type: 'basic', username: 'user', password: 'secret' })).toBe(
      `Basic ${Buffer.from('user:secret').toString('base64')}`,
    );
    expect(authorizationHeader({ type: 'bearer', token: 'abc' })).toBe('Bearer abc');
    expect(authorizationHeader(null)).toBeNull();
    expect(() => authorizationHeader({ type: 'bearer', token: 'a\r\nX-Evil: 1' })).toThrow(
      expect.objectContaining({ code: ErrorCode.ServerAuth }),
    );
  });

  it('the app keeps the secret sealed under the keychain-backed key, never in the clear', () => {
    const key = crypto.randomBytes(32);
    const dataDir = path.join(dir, 'data');
    const stored = storedSyncSecret(dataDir, { masterKey: () => key });
    expect(stored.read()).toBeNull();
    stored.write('Kü-s3cret-password');
    expect(stored.read()).toBe('Kü-s3cret-password');
    const file = path.join(dataDir, 'sync', 'credential.sealed');
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('s3cret');
    expect(resolveCredentials({ type: 'basic', username: 'alice' }, { env: {}, stored })).toEqual({
      type: 'basic',
      username: 'alice',
      password: 'Kü-s3cret-password',
    });
    const otherKey = storedSyncSecret(dataDir, { masterKey: () => crypto.randomBytes(32) });
    expect(() => otherKey.read()).toThrow(expect.objectContaining({ code: ErrorCode.KeyUnavailable }));
    stored.clear();
    expect(stored.read()).toBeNull();
  });
});
