/**
 * Hostile backup manifests (#12 item 6): a backup folder chosen for restore is input like any
 * other. Whatever its manifest.json holds, verifyBackup answers the backup is damaged (an AppError
 * an IT administrator can read), never a TypeError, within bounded time, and reads nothing outside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MANIFEST_NAME, verifyBackup } from '../../../main/backup/backup.js';
import { AppError } from '../../../shared/errors.js';
import { makeTempDir } from '../../fixtures/index.js';

const FORMAT = 'radlabel-backup/1';
const scratch = makeTempDir('manifest-fuzz');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const hostile: Record<string, string> = {
  'not JSON': '{"format":',
  'JSON null': 'null',
  'a number': '42',
  'deeply nested': '['.repeat(1_000_000) + ']'.repeat(1_000_000),
  'parts of null': JSON.stringify({ format: FORMAT, parts: [null] }),
  'parts of numbers': JSON.stringify({ format: FORMAT, parts: [1, 'x', true] }),
  'a part climbing out': JSON.stringify({
    format: FORMAT,
    parts: [{ path: '../../etc/passwd', bytes: 1, sha256: 'x' }],
  }),
  'an absolute part': JSON.stringify({
    format: FORMAT,
    parts: [{ path: '/etc/passwd', bytes: 1, sha256: 'x' }],
  }),
  'a part with a non-string path': JSON.stringify({
    format: FORMAT,
    parts: [{ path: { toString: 1 }, bytes: 1 }],
  }),
  'a prototype key':
    '{"format":"radlabel-backup/1","parts":[{"path":"__proto__","bytes":1}],"__proto__":{"x":1}}',
  '200,000 missing parts': JSON.stringify({
    format: FORMAT,
    parts: Array.from({ length: 200_000 }, (_, i) => ({ path: `part-${i}`, bytes: 1, sha256: 'x' })),
  }),
};

describe('hostile backup manifests', () => {
  for (const [name, text] of Object.entries(hostile)) {
    it(`${name}: the backup is damaged, not a crash`, async () => {
      const dir = path.join(scratch, name.replace(/\W+/g, '-'));
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, MANIFEST_NAME), text);
      const started = performance.now();
      const error = await verifyBackup(dir).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(/^This backup is damaged or incomplete/);
      expect(performance.now() - started).toBeLessThan(10_000);
    });
  }
});
