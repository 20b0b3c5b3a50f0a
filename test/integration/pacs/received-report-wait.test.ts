/**
 * The receive path's wait for main's report (main/pacs/service.ts): a received SR or SEG is
 * answered once the annotation import's report naming it is in and its problems are logged, so
 * the list has the row before the sender learns the object was stored; with no report the sender
 * is answered after the longest wait all the same, and the row is logged when the report comes.
 * The report is played here (the receiver alone, without main's annotation import), so its moment
 * is the test's.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventOf } from '../../../shared/contract.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { type AiSegFixture, writeHostileLesionSeg } from '../../support/ai-fixtures.js';
import { LOCAL_AE, type Workstation, execFileAsync, openWorkstation } from './harness.js';

const WAIT_MS = 1500;
const REPORT_AFTER_MS = 400;

let ws: Workstation;
let studyInstanceUID: string;
let first: AiSegFixture;
let second: AiSegFixture;

beforeAll(async () => {
  const ct = ensureCtSeries({ slices: 4, size: 64, seed: 'pacs-received-problems' });
  studyInstanceUID = ct.studyInstanceUID;
  const dir = makeTempDir('pacs-report-wait');
  first = writeHostileLesionSeg(ct.files, path.join(dir, 'FIRST.dcm'));
  second = writeHostileLesionSeg(ct.files, path.join(dir, 'SECOND.dcm'));
  ws = await openWorkstation(
    { acceptAnyCaller: true },
    {},
    { annotationReports: true, reportWaitMs: WAIT_MS },
  );
});

afterAll(async () => {
  await ws?.close();
});

function report(sopInstanceUID: string, problems: string[]): void {
  const payload: EventOf<'annotation.imported'> = {
    objects: [{ studyInstanceUID, sopInstanceUID, kind: 'seg', added: 0, problems }],
  };
  ws.events.emit('annotation.imported', payload);
}

/** storescu's time to send `file` (it exits 0 only when the object got a success status). */
async function send(file: string): Promise<number> {
  const started = performance.now();
  await execFileAsync('storescu', [
    '-R',
    '-nh',
    '-aet',
    'MODALITY',
    '-aec',
    LOCAL_AE,
    '127.0.0.1',
    String(ws.port),
    file,
  ]);
  return performance.now() - started;
}

describe('a received SR or SEG is answered once its problems are logged', () => {
  it('waits for the report naming it; the row is there when the sender is answered', async () => {
    // main's report comes a while after the object is in the catalog.
    const off = ws.events.subscribe((event) => {
      if (event.name === 'catalog.changed' && event.payload.studyInstanceUIDs.includes(studyInstanceUID))
        setTimeout(() => report(first.sopInstanceUID, ['reason of the first']), REPORT_AFTER_MS);
    });
    const ms = await send(first.file);
    off();
    const listed = await ws.pacs.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 });
    expect(listed.objects.map((object) => [object.sopInstanceUID, object.problems])).toEqual([
      [first.sopInstanceUID, ['reason of the first']],
    ]);
    expect(ms).toBeGreaterThanOrEqual(REPORT_AFTER_MS);
    expect(ms).toBeLessThan(WAIT_MS + 5000);
  });

  it('answers after the longest wait without a report, and logs the row when the report comes', async () => {
    const ms = await send(second.file);
    expect(ms).toBeGreaterThanOrEqual(WAIT_MS);
    expect((await ws.pacs.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 })).total).toBe(1);
    report(second.sopInstanceUID, ['reason of the second']);
    const listed = await ws.pacs.handlers['pacs.receivedProblems']({ offset: 0, limit: 100 });
    expect(
      listed.objects.map((object) => [object.sopInstanceUID, object.callingAeTitle, object.problems]),
    ).toEqual([
      [second.sopInstanceUID, 'MODALITY', ['reason of the second']],
      [first.sopInstanceUID, 'MODALITY', ['reason of the first']],
    ]);
  });
});
