/**
 * The audit trail of AI decisions and reviews (issue #11, docs/ai-review.md "Audit"): every accept,
 * edit, reject, bulk accept and undo of an AI finding (SR measurement or SEG segment) and every
 * return and verification is an audit entry (main/audit, migration 0007) with who, when and which
 * finding — annotation ids only: the study is pseudonymised, no comment text, no patient data.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_ENV } from '../../../main/annotation/reader.js';
import type { Services } from '../../../main/services.js';
import type { AuditEntry } from '../../../shared/audit.js';
import { AppError } from '../../../shared/errors.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import {
  type AiSegFixture,
  type AiSrFixture,
  writeAiSeg,
  writeAiSr,
  writeReviewProject,
  endReviewTest,
} from '../../support/ai-fixtures.js';
import { importAndWait } from '../../support/import.js';
import { openMachine } from '../../support/sync-project.js';

const scratch = makeTempDir('ai-audit');
const ct = ensureCtSeries({ slices: 6, size: 32, seed: 'ai-audit' });
const dataDir = path.join(scratch, 'data');
const previousReader = process.env[READER_ENV];
const study = ct.studyInstanceUID;
const COMMENT = 'Please redo the nodule of Mr Example on slice 3';
let services: Services;
let sr: AiSrFixture;
let seg: AiSegFixture;

beforeAll(async () => {
  sr = writeAiSr({
    seriesFiles: ct.files,
    out: path.join(scratch, 'ai', 'AI-SR.dcm'),
    model: 'NoduleCAD',
    manufacturer: 'Acme AI',
    modelName: 'NoduleNet',
    version: '1.0',
    findings: [
      { slice: 1, confidence: 0.95 },
      { slice: 2, confidence: 0.9 },
      { slice: 3, confidence: 0.4 },
    ],
  });
  seg = writeAiSeg({
    seriesFiles: ct.files,
    out: path.join(scratch, 'ai', 'AI-SEG.dcm'),
    model: 'OrganSeg',
    manufacturer: 'Acme AI',
    modelName: 'SegNet',
    version: '2.0',
    segments: [{ name: 'Organ', labelId: 'organ', slices: [2], square: [4, 4, 5], confidence: 0.7 }],
  });
  writeReviewProject(dataDir, { blinded: false, blindAi: false }, [
    { username: 'alice', role: 'annotator', tasks: [] },
    { username: 'rita', role: 'reviewer', tasks: [] },
  ]);
  process.env[READER_ENV] = 'alice';
  services = openMachine(dataDir);
  await importAndWait(services, [ct.dir]);
  await services.handlers['annotation.importFiles']({ paths: [sr.file, seg.file] });
}, 120_000);

afterAll(() => endReviewTest(services, previousReader, scratch));

async function entries(action: 'ai-decision' | 'review'): Promise<AuditEntry[]> {
  const { entries: list } = await services.handlers['audit.list']({ action, limit: 100, offset: 0 });
  return [...list].reverse(); // oldest first
}

describe('audit trail of AI decisions and reviews', () => {
  it('every accept, edit, reject, bulk accept and undo is an entry with who, when and which finding; returns and verifications too, without the comment', async () => {
    const before = Date.now();
    const findings = (await services.handlers['ai.findings']({ studyInstanceUID: study })).findings;
    const [first, second, third, segment] = findings;
    expect(segment!.segment).toBeTruthy();
    const decide = (annotationUid: string, decision: 'accepted' | 'edited' | 'rejected', reasonId?: string) =>
      services.handlers['ai.decide']({
        studyInstanceUID: study,
        annotationUid,
        decision,
        ...(reasonId ? { reasonId } : {}),
      });
    await decide(first!.annotationUid, 'accepted');
    await decide(second!.annotationUid, 'edited');
    await decide(third!.annotationUid, 'rejected', 'artifact');
    await decide(segment!.annotationUid, 'rejected', 'wrong-label');
    // A refused decision (no reason) is an entry too, with the refusal's code.
    await expect(decide(third!.annotationUid, 'rejected')).rejects.toBeInstanceOf(AppError);
    const { batchId, annotationUids } = await services.handlers['ai.acceptAbove']({
      studyInstanceUID: study,
      minConfidence: 0.0,
    });
    expect(annotationUids).toEqual([]); // everything with a confidence is decided already
    await decide(segment!.annotationUid, 'accepted');
    expect(batchId).toBeNull();

    const ai = await entries('ai-decision');
    expect(ai.map((e) => [e.outcome, e.detail['decision'], e.detail['finding'], e.detail['reason']])).toEqual(
      [
        ['ok', 'accepted', first!.annotationUid, undefined],
        ['ok', 'edited', second!.annotationUid, undefined],
        ['ok', 'rejected', third!.annotationUid, 'artifact'],
        ['ok', 'rejected', segment!.annotationUid, 'wrong-label'],
        ['refused', undefined, undefined, undefined],
        ['ok', 'accepted-above', undefined, undefined],
        ['ok', 'accepted', segment!.annotationUid, undefined],
      ],
    );
    expect(ai.every((e) => e.reader === 'alice' && e.at >= before && e.at <= Date.now())).toBe(true);
    expect(ai.map((e) => e.detail['kind'])).toEqual([
      'measurement',
      'measurement',
      'measurement',
      'segment',
      undefined,
      undefined,
      'segment',
    ]);
    expect(ai[4]!.detail['code']).toBe('invalid-request');
    // The study is pseudonymised, as in every audit entry.
    expect(ai.every((e) => e.subjectKind === 'study' && e.subject !== study)).toBe(true);
  });

  it('a bulk accept names its findings and its batch; its undo too', async () => {
    process.env[READER_ENV] = 'rita';
    try {
      const { batchId, annotationUids } = await services.handlers['ai.acceptAbove']({
        studyInstanceUID: study,
        minConfidence: 0.85,
      });
      expect(annotationUids).toHaveLength(2);
      const { annotationUids: undone } = await services.handlers['ai.undoBatch']({
        studyInstanceUID: study,
        batchId: batchId!,
      });
      expect([...undone].sort()).toEqual([...annotationUids].sort());
      const ai = (await entries('ai-decision')).slice(-2);
      expect(ai.map((e) => [e.reader, e.detail['decision'], e.detail['batch']])).toEqual([
        ['rita', 'accepted-above', batchId],
        ['rita', 'undone', batchId],
      ]);
      expect(String(ai[0]!.detail['findings']).split(' ').sort()).toEqual([...annotationUids].sort());
      expect(String(ai[1]!.detail['findings']).split(' ').sort()).toEqual([...annotationUids].sort());
    } finally {
      process.env[READER_ENV] = 'alice';
    }
  });

  it('returns and verifications are entries of the reviewer; an annotator refused is one too; no comment text is kept', async () => {
    await expect(
      services.handlers['review.verify']({ studyInstanceUID: study, comment: '' }),
    ).rejects.toBeInstanceOf(AppError);
    process.env[READER_ENV] = 'rita';
    try {
      await services.handlers['review.return']({ studyInstanceUID: study, comment: COMMENT });
      await services.handlers['review.verify']({ studyInstanceUID: study, comment: 'fine' });
    } finally {
      process.env[READER_ENV] = 'alice';
    }
    const review = await entries('review');
    expect(review.map((e) => [e.reader, e.outcome, e.detail['review']])).toEqual([
      ['alice', 'refused', undefined],
      ['rita', 'ok', 'returned'],
      ['rita', 'ok', 'verified'],
    ]);
    expect(review[0]!.detail['code']).toBe('forbidden');
    expect(review[1]!.detail['commentChars']).toBe(COMMENT.length);
    const csv = await services.handlers['audit.exportCsv']({});
    expect(csv.csv).not.toContain('Mr Example');
    expect(csv.csv).not.toContain(study);
    expect((await services.handlers['audit.verify']({})).ok).toBe(true);
  });
});
