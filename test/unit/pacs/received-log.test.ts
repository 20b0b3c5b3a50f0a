/**
 * The PACS received problems' log in the catalog (main/pacs/received-log.ts, migration 0025): it
 * outlives closing and reopening on the same catalog file, holds one row per object, keeps the
 * newest MAX_PACS_RECEIVED_PROBLEM_LOG (the oldest dropped with the insert), pages the newest
 * first, clears, forgets a deleted study's rows, and a process killed at any instant loses no row
 * it had logged.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Catalog, openCatalogConnection } from '../../../main/catalog/catalog.js';
import { ReceivedProblemLog } from '../../../main/pacs/received-log.js';
import {
  MAX_PACS_RECEIVED_PROBLEM_LOG,
  MAX_PACS_RECEIVED_PROBLEMS,
  type PacsReceivedProblem,
} from '../../../shared/pacs.js';
import { makeTempDir } from '../../fixtures/index.js';
import { instanceRecord } from '../catalog/records.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function catalogFile(): string {
  const file = path.join(makeTempDir('pacs-received-log'), 'catalog.sqlite');
  Catalog.open(file).close();
  return file;
}

function problem(index: number, overrides: Partial<PacsReceivedProblem> = {}): PacsReceivedProblem {
  return {
    studyInstanceUID: '1.2.3',
    sopInstanceUID: `2.25.${index}`,
    kind: index % 2 === 0 ? 'seg' : 'sr',
    callingAeTitle: 'MODALITY',
    receivedAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
    problems: [`reason ${index}`],
    ...overrides,
  };
}

describe('ReceivedProblemLog', () => {
  it('lists what it logged after closing and reopening on the same catalog, the newest first', () => {
    const file = catalogFile();
    const log = new ReceivedProblemLog(file);
    expect(log.add([problem(1), problem(2)])).toBe(2);
    expect(log.add([problem(3, { problems: ['a', 'b «引号»'] })])).toBe(1);
    const before = log.list();
    log.close();
    const reopened = new ReceivedProblemLog(file);
    expect(reopened.list()).toEqual(before);
    expect(before).toEqual({
      objects: [problem(3, { problems: ['a', 'b «引号»'] }), problem(2), problem(1)],
      total: 3,
      offset: 0,
    });
    reopened.close();
  });

  it('keeps one row per object: its latest reception, as the newest', () => {
    const log = new ReceivedProblemLog(null);
    log.add([problem(1), problem(2)]);
    expect(log.has('2.25.1', problem(1).receivedAt)).toBe(true);
    // The same reception reported again (a later import of the study): nothing changes.
    expect(log.add([problem(1, { problems: ['again'] })])).toBe(0);
    expect(log.list().objects.map((o) => o.problems)).toEqual([['reason 2'], ['reason 1']]);
    // Sent again later: the new reception replaces the old one, at the top.
    const later = problem(1, { receivedAt: '2026-02-01T00:00:00.000Z', callingAeTitle: 'PACS2' });
    expect(log.add([later])).toBe(1);
    expect(log.list()).toEqual({ objects: [later, problem(2)], total: 2, offset: 0 });
    expect(log.has('2.25.1', problem(1).receivedAt)).toBe(false);
    log.close();
  });

  it(`holds at most ${MAX_PACS_RECEIVED_PROBLEM_LOG.toLocaleString('en')} rows, the oldest dropped`, () => {
    const log = new ReceivedProblemLog(null);
    const all = Array.from({ length: MAX_PACS_RECEIVED_PROBLEM_LOG + 250 }, (_, index) => problem(index));
    for (let start = 0; start < all.length; start += 1000) log.add(all.slice(start, start + 1000));
    const first = log.list();
    expect(first.total).toBe(MAX_PACS_RECEIVED_PROBLEM_LOG);
    expect(first.objects).toHaveLength(MAX_PACS_RECEIVED_PROBLEMS);
    expect(first.objects[0]).toEqual(all.at(-1));
    // The last page ends with the oldest kept: the 251st logged.
    const last = log.list(MAX_PACS_RECEIVED_PROBLEM_LOG - 10);
    expect(last.objects).toHaveLength(10);
    expect(last.objects.at(-1)).toEqual(all[250]);
    expect(log.has(all[249]!.sopInstanceUID, all[249]!.receivedAt)).toBe(false);
    log.close();
  });

  it('drops the oldest in the transaction that inserts (a small cap)', () => {
    const log = new ReceivedProblemLog(null, 3);
    log.add([problem(1), problem(2)]);
    log.add([problem(3), problem(4), problem(5)]);
    expect(log.list().objects.map((o) => o.sopInstanceUID)).toEqual(['2.25.5', '2.25.4', '2.25.3']);
    expect(log.list().total).toBe(3);
    log.close();
  });

  it('pages the newest first', () => {
    const log = new ReceivedProblemLog(null);
    log.add(Array.from({ length: 250 }, (_, index) => problem(index)));
    const pages = [0, 100, 200].map((offset) => log.list(offset));
    expect(pages.map((page) => [page.offset, page.objects.length, page.total])).toEqual([
      [0, 100, 250],
      [100, 100, 250],
      [200, 50, 250],
    ]);
    expect(pages[1]!.objects[0]!.sopInstanceUID).toBe('2.25.149');
    expect(log.list(0, 5).objects.map((o) => o.sopInstanceUID)).toEqual([
      '2.25.249',
      '2.25.248',
      '2.25.247',
      '2.25.246',
      '2.25.245',
    ]);
    log.close();
  });

  it('clears, for good', () => {
    const file = catalogFile();
    const log = new ReceivedProblemLog(file);
    log.add([problem(1), problem(2)]);
    expect(log.clear()).toBe(2);
    expect(log.list()).toEqual({ objects: [], total: 0, offset: 0 });
    expect(log.clear()).toBe(0);
    log.close();
    const reopened = new ReceivedProblemLog(file);
    expect(reopened.list().total).toBe(0);
    // Logging goes on after a clear.
    reopened.add([problem(3)]);
    expect(reopened.list().objects).toEqual([problem(3)]);
    reopened.close();
  });

  it('forgets the rows of a study deleted from the catalog', () => {
    const file = catalogFile();
    const catalog = Catalog.open(file);
    catalog.addInstances([instanceRecord({ sopInstanceUID: '1.2.3.1.1' })]);
    catalog.close();
    const log = new ReceivedProblemLog(file);
    log.add([problem(1), problem(2, { studyInstanceUID: '1.2.4' })]);
    const db = openCatalogConnection(file);
    db.pragma('foreign_keys = OFF');
    db.prepare('DELETE FROM study WHERE study_uid = ?').run('1.2.3');
    db.close();
    expect(log.list().objects.map((o) => o.sopInstanceUID)).toEqual(['2.25.2']);
    log.close();
  });

  it('loses no row it had logged when the process is killed at any instant', async () => {
    const file = catalogFile();
    const writer = fileURLToPath(new URL('./received-log-crash-writer.ts', import.meta.url));
    const logged: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, file, String(round)], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buffered = '';
      const committed: string[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('logged ')) committed.push(line.slice(7));
      });
      await new Promise<void>((resolve, reject) => {
        const ready = () => (buffered.includes('ready') || committed.length > 0 ? resolve() : undefined);
        child.stdout.on('data', ready);
        child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
      // 'close': the exit and every line the writer wrote before it.
      const closed = new Promise((resolve) => child.on('close', resolve));
      child.kill('SIGKILL');
      await closed;
      expect(committed.length).toBeGreaterThan(0);
      logged.push(...committed);
      const log = new ReceivedProblemLog(file, 500);
      const { total } = log.list();
      const kept: string[] = [];
      for (let offset = 0; offset < total; offset += MAX_PACS_RECEIVED_PROBLEMS)
        for (const object of log.list(offset).objects) {
          expect(object.problems).toEqual(['This segmentation has no valid number of frames.']);
          kept.push(object.sopInstanceUID);
        }
      log.close();
      // Every row the writer had logged (and said so) is there, within the cap's newest; at most one
      // more, logged (whole) after its last line.
      expect(total).toBeLessThanOrEqual(500);
      const newest = logged.slice(-499);
      const extra = kept.filter((uid) => !logged.includes(uid));
      expect(extra.length).toBeLessThanOrEqual(1);
      expect(kept.slice(extra.length, extra.length + newest.length)).toEqual(newest.reverse());
    }
  }, 60_000);
});
