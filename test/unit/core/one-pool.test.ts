/**
 * One worker pool (issue 7, item 19): worker threads are started in one place only, with one
 * tsx trampoline and one set of time limits, and both the importer and de-identification use it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const main = path.resolve('main');
const files = sources(main).map((file) => ({
  file: path.relative(main, file).split(path.sep).join('/'),
  text: fs.readFileSync(file, 'utf8'),
}));

describe('one worker pool', () => {
  it('starts worker threads, and the tsx trampoline, only in main/core/worker-pool.ts', () => {
    expect(files.filter(({ text }) => /new Worker\(/.test(text)).map(({ file }) => file)).toEqual([
      'core/worker-pool.ts',
    ]);
    expect(files.filter(({ text }) => text.includes('tsx/package.json')).map(({ file }) => file)).toEqual([
      'core/worker-pool.ts',
    ]);
  });

  it('is the pool of the importer and of de-identification, and serves both workers', () => {
    const uses = (file: string, pattern: RegExp) =>
      pattern.test(files.find((entry) => entry.file === file)!.text);
    expect(uses('import/importer.ts', /from '\.\.\/core\/worker-pool\.js'/)).toBe(true);
    expect(uses('deid/pool.ts', /from '\.\.\/core\/worker-pool\.js'/)).toBe(true);
    expect(uses('import/import-worker.ts', /serveRequests/)).toBe(true);
    expect(uses('deid/worker.ts', /serveRequests/)).toBe(true);
  });
});
