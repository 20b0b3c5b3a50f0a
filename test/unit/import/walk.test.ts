/**
 * The one folder walker of import and de-identification (main/core/walk.ts): sorted, link loops
 * end, only regular files offered for reading, everything else a line with its reason, bounded.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WalkEntry, walkInputs } from '../../../main/core/walk.js';
import { makeTempDir } from '../../fixtures/index.js';

let root: string;
beforeAll(() => {
  root = makeTempDir('walk');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), content);
  }
  return dir;
}

/** Entries as `kind relative-path` lines, for readable expectations. */
function lines(entries: WalkEntry[], dir: string): string[] {
  return entries.map((entry) => `${entry.kind} ${path.relative(dir, entry.path)}`);
}

describe('the folder walker', () => {
  it('lists regular files in sorted order, depth first', async () => {
    const dir = tree('sorted', { 'b/2': 'x', 'a/1': 'x', c: 'x', 'a/0': 'x' });
    expect(lines(await walkInputs([dir]), dir)).toEqual(['file a/0', 'file a/1', 'file b/2', 'file c']);
  });

  it('ends symbolic link loops and reads a folder reached twice once', async () => {
    const dir = tree('loop', { 'sub/one.dcm': 'x' });
    fs.symlinkSync(dir, path.join(dir, 'sub', 'up'));
    fs.symlinkSync(path.join(dir, 'sub'), path.join(dir, 'alias'));
    const entries = await walkInputs([dir, dir]);
    expect(entries.filter((entry) => entry.kind === 'file')).toHaveLength(1);
  });

  it('never offers a named pipe: skipped inside a folder, failed when given directly, with the reason', async () => {
    const dir = tree('fifo', { 'a.dcm': 'x' });
    execFileSync('mkfifo', [path.join(dir, 'DICOMDIR')]);
    execFileSync('mkfifo', [path.join(dir, 'z.pipe')]);
    const inFolder = await walkInputs([dir]);
    expect(lines(inFolder, dir)).toEqual(['skipped DICOMDIR', 'file a.dcm', 'skipped z.pipe']);
    expect(inFolder[0]).toMatchObject({ reason: expect.stringMatching(/named pipe/) });
    const direct = await walkInputs([path.join(dir, 'z.pipe'), '/dev/zero']);
    expect(direct).toEqual([
      expect.objectContaining({
        kind: 'failed',
        explicit: true,
        reason: expect.stringMatching(/named pipe/),
      }),
      expect.objectContaining({ kind: 'failed', path: '/dev/zero', reason: expect.stringMatching(/device/) }),
    ]);
  });

  it('reports the same file reached twice (given twice, through a link, a hard link) as a duplicate of the first', async () => {
    const dir = tree('dupes', { 'a.dcm': 'x' });
    fs.symlinkSync(path.join(dir, 'a.dcm'), path.join(dir, 'b-link.dcm'));
    fs.linkSync(path.join(dir, 'a.dcm'), path.join(dir, 'c-hard.dcm'));
    const entries = await walkInputs([dir, path.join(dir, 'a.dcm')]);
    expect(lines(entries, dir)).toEqual([
      'file a.dcm',
      'duplicate b-link.dcm',
      'duplicate c-hard.dcm',
      'duplicate a.dcm',
    ]);
    expect(entries[1]).toMatchObject({ of: path.join(dir, 'a.dcm') });
  });

  it('lists broken links and missing inputs as failed, and hidden files as skipped when asked', async () => {
    const dir = tree('broken', { '.DS_Store': 'x', 'a.dcm': 'x' });
    fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'b-broken'));
    const entries = await walkInputs([dir, path.join(root, 'does-not-exist')], { skipHidden: true });
    expect(lines(entries, dir)).toEqual([
      'skipped .DS_Store',
      'file a.dcm',
      'failed b-broken',
      'failed ../does-not-exist',
    ]);
    expect(entries[2]).toMatchObject({ reason: expect.stringMatching(/broken link/) });
  });

  it('is bounded in depth and in entries', async () => {
    const dir = tree('deep', { 'a/b/c/d/file': 'x', 'top.dcm': 'x' });
    const shallow = await walkInputs([dir], { limits: { maxDepth: 2 } });
    expect(shallow).toEqual([
      expect.objectContaining({ kind: 'failed', code: 'too-large', path: path.join(dir, 'a', 'b', 'c') }),
      expect.objectContaining({ kind: 'file', path: path.join(dir, 'top.dcm') }),
    ]);
    const few = await walkInputs([dir], { limits: { maxEntries: 1 } });
    expect(few).toEqual([expect.objectContaining({ kind: 'failed', code: 'too-large', path: dir })]);
  });

  it('stops when its signal aborts', async () => {
    const dir = tree('abort', { a: 'x', b: 'x' });
    const controller = new AbortController();
    controller.abort();
    expect(await walkInputs([dir], { signal: controller.signal })).toEqual([]);
  });
});
