/**
 * Main's rules for AI findings and review (issue #11 items 1 and 2, docs/ai-review.md), on real
 * services, a real catalog and a device's SR written with dcmjs (test/support/ai-fixtures.ts):
 * import gives `ai:<model>` findings with model, manufacturer, version and confidence; accept,
 * edit and reject are versions by the reader whose parent is the AI version, kept across a
 * restart; a rejection needs a reason of the schema; a bulk accept above a confidence is undone in
 * one step; the exported SR carries the provenance (reader as observer, the model and the AI
 * object's UID), PredecessorDocumentsSequence for an edit and, once a reviewer verified the study,
 * VERIFIED with the reviewer (dciodvfy: no errors); roles come from the project manifest; blinded
 * projects hide other readers' and the AI's work from annotators in main's answers.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readPart10 } from '../../../main/annotation/dicom/dataset.js';
import { READER_ENV } from '../../../main/annotation/reader.js';
import type { Services } from '../../../main/services.js';
import type { AiFinding } from '../../../shared/ai.js';
import { AppError } from '../../../shared/errors.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import {
  type AiSrFixture,
  endReviewTest,
  exportByCli,
  writeAiSr,
  writeReviewProject,
} from '../../support/ai-fixtures.js';
import { importAndWait } from '../../support/import.js';
import { openMachine } from '../../support/sync-project.js';

const scratch = makeTempDir('ai-review');
const ct = ensureCtSeries({ slices: 6, size: 32, seed: 'ai-review' });
const dataDir = path.join(scratch, 'data');
const MODEL = 'LungNodule-CAD';
const previousReader = process.env[READER_ENV];

function open(): Services {
  return openMachine(dataDir);
}

function as(reader: string): void {
  process.env[READER_ENV] = reader;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
  return 'allowed';
}

const study = ct.studyInstanceUID;
let services: Services;
let ai: AiSrFixture;

beforeAll(async () => {
  ai = writeAiSr({
    seriesFiles: ct.files,
    out: path.join(scratch, 'ai', 'AI-SR.dcm'),
    model: MODEL,
    manufacturer: 'Acme AI',
    modelName: 'NoduleNet',
    version: '2.1.0',
    findings: [
      { slice: 1, confidence: 0.95 },
      { slice: 2, confidence: 0.9 },
      { slice: 3, confidence: 0.6 },
      { slice: 4, confidence: 0.85 },
      { slice: 5, confidence: 0.3 },
    ],
  });
  // The project: alice and bob annotate, rita reviews.
  writeReviewProject(dataDir, { blinded: false, blindAi: false });
  as('alice');
  services = open();
  await importAndWait(services, [ct.dir]);
  const imported = await services.handlers['annotation.importFiles']({ paths: [ai.file] });
  expect(imported.files[0]).toMatchObject({ added: 5 });
}, 120_000);

afterEach(() => as('alice'));

afterAll(() => endReviewTest(services, previousReader, scratch));

const findings = async (): Promise<AiFinding[]> =>
  (await services.handlers['ai.findings']({ studyInstanceUID: study })).findings;

describe('AI findings', () => {
  it('a device SR imports as ai:<model> findings with model, manufacturer, version, confidence and the AI object', async () => {
    const list = await findings();
    expect(list.map((f) => f.annotationUid)).toEqual(ai.annotationUids);
    expect(list.map((f) => f.aiVersion.source)).toEqual(Array(5).fill(`ai:${MODEL}`));
    expect(list[0]!.provenance).toMatchObject({
      model: MODEL,
      manufacturer: 'Acme AI',
      modelName: 'NoduleNet',
      version: '2.1.0',
      confidence: 0.95,
    });
    // The AI object's UIDs are in the AI version (the list sends what the badge shows).
    const history = await services.handlers['annotation.history']({ annotationUid: list[0]!.annotationUid });
    expect(history.find((v) => v.versionId === list[0]!.aiVersion.versionId)!.data['ai']).toMatchObject({
      model: MODEL,
      sopInstanceUID: ai.sopInstanceUID,
      seriesInstanceUID: ai.seriesInstanceUID,
    });
    expect(list.map((f) => f.provenance.confidence)).toEqual([0.95, 0.9, 0.6, 0.85, 0.3]);
    expect(list.every((f) => f.decision === null)).toBe(true);
  });

  it('accept stores a version by the reader whose parent is the AI version, with the provenance kept', async () => {
    const [first] = await findings();
    const { version } = await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: first!.annotationUid,
      decision: 'accepted',
    });
    expect(version).toMatchObject({ source: 'human', author: 'alice', deleted: false });
    expect(version.parentIds).toEqual([first!.aiVersion.versionId]);
    expect(version.data['aiDecision']).toMatchObject({
      decision: 'accepted',
      aiVersionId: first!.aiVersion.versionId,
      source: `ai:${MODEL}`,
    });
    expect(version.data['ai']).toMatchObject({ model: MODEL, sopInstanceUID: ai.sopInstanceUID });
    const history = await services.handlers['annotation.history']({ annotationUid: first!.annotationUid });
    expect(history.map((v) => v.source)).toEqual([`ai:${MODEL}`, 'human']);
  });

  it('reject needs a reason of the schema and stores a deletion with it', async () => {
    const third = (await findings())[2]!;
    expect(
      await refusal(
        services.handlers['ai.decide']({
          studyInstanceUID: study,
          annotationUid: third.annotationUid,
          decision: 'rejected',
        }),
      ),
    ).toBe('invalid-request');
    expect(
      await refusal(
        services.handlers['ai.decide']({
          studyInstanceUID: study,
          annotationUid: third.annotationUid,
          decision: 'rejected',
          reasonId: 'no-such-reason',
        }),
      ),
    ).toBe('invalid-request');
    const reasons = await services.handlers['ai.rejectionReasons']({});
    expect(reasons.map((r) => r.id)).toContain('false-positive');
    expect(reasons.every((r) => r.name.en && r.name['zh-CN'])).toBe(true);
    const { version, finding } = await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: third.annotationUid,
      decision: 'rejected',
      reasonId: 'false-positive',
    });
    expect(version).toMatchObject({ deleted: true, author: 'alice' });
    expect(version.parentIds).toEqual([third.aiVersion.versionId]);
    expect(finding).toMatchObject({ decision: 'rejected', reasonId: 'false-positive' });
    const { heads } = await services.handlers['annotation.list']({ studyInstanceUID: study });
    expect(heads.some((head) => head.annotationUid === third.annotationUid)).toBe(false);
  });

  it('edit stores a version whose parent is the AI finding; a later change by the reader stays an edit', async () => {
    const second = (await findings())[1]!;
    const { version } = await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: second.annotationUid,
      decision: 'edited',
    });
    expect(version.parentIds).toEqual([second.aiVersion.versionId]);
    // The reader drags a handle in the viewer: the renderer saves a version without the mark.
    const moved = structuredClone(version.data) as {
      data: { handles: { points: number[][] } };
      aiDecision?: unknown;
    };
    moved.data.handles.points[1]![0]! += 3;
    delete moved.aiDecision;
    await services.handlers['annotation.save']({
      versions: [
        {
          ...version,
          versionId: crypto.randomUUID(),
          parentIds: [version.versionId],
          data: moved,
          author: undefined,
          createdAt: undefined,
        },
      ],
    });
    expect((await findings())[1]).toMatchObject({ decision: 'edited' });
  });

  it('decisions are kept across a restart of the services', async () => {
    await services.close();
    services = open();
    expect((await findings()).map((f) => f.decision)).toEqual(['accepted', 'edited', 'rejected', null, null]);
  });

  it('accept-all above a confidence is one batch, undone in one step', async () => {
    const { batchId, accepted } = await services.handlers['ai.acceptAbove']({
      studyInstanceUID: study,
      minConfidence: 0.8,
    });
    // 0.95 and 0.9 are decided already; 0.85 is the only undecided one at or above 0.8.
    expect(accepted).toBe(1);
    let answer = await services.handlers['ai.findings']({ studyInstanceUID: study });
    expect(answer.findings.map((f) => f.decision)).toEqual([
      'accepted',
      'edited',
      'rejected',
      'accepted',
      null,
    ]);
    expect(answer.undoableBatch).toEqual({ batchId, count: 1 });
    expect(await services.handlers['ai.undoBatch']({ studyInstanceUID: study, batchId: batchId! })).toEqual({
      undone: 1,
      annotationUids: [ai.annotationUids[3]],
    });
    answer = await services.handlers['ai.findings']({ studyInstanceUID: study });
    expect(answer.findings.map((f) => f.decision)).toEqual(['accepted', 'edited', 'rejected', null, null]);
    expect(answer.undoableBatch).toBeNull();
    expect(answer.reviewed).toBe(false);
    // Decide the rest: the study is AI-reviewed.
    await services.handlers['ai.acceptAbove']({ studyInstanceUID: study, minConfidence: 0.5 });
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: answer.findings[4]!.annotationUid,
      decision: 'rejected',
      reasonId: 'artifact',
    });
    answer = await services.handlers['ai.findings']({ studyInstanceUID: study });
    expect(answer.reviewed).toBe(true);
    const page = await services.handlers['catalog.listStudies']({ limit: 50, offset: 0 });
    expect(page.studies.find((s) => s.studyInstanceUID === study)?.annotation?.ai).toEqual({
      findings: 5,
      decided: 5,
    });
  });
});

describe('review and sign-off', () => {
  it('roles come from the project manifest: an annotator may neither verify nor return', async () => {
    expect(await services.handlers['review.state']({})).toMatchObject({
      role: 'annotator',
      roleFrom: 'project',
    });
    expect(await refusal(services.handlers['review.verify']({ studyInstanceUID: study, comment: '' }))).toBe(
      'forbidden',
    );
    expect(
      await refusal(
        services.handlers['annotation.setStudyStatus']({ studyInstanceUID: study, status: 'verified' }),
      ),
    ).toBe('forbidden');
    expect(
      await refusal(services.handlers['review.return']({ studyInstanceUID: study, comment: 'redo' })),
    ).toBe('forbidden');
  });

  it('a reviewer returns a study with a comment: the annotator sees it and the study is a draft', async () => {
    await services.handlers['annotation.setStudyStatus']({ studyInstanceUID: study, status: 'complete' });
    as('rita');
    const returned = await services.handlers['review.return']({
      studyInstanceUID: study,
      comment: 'Measure the second nodule on its longest axis',
    });
    expect(returned).toMatchObject({ action: 'returned', reviewer: 'rita' });
    as('alice');
    expect((await services.handlers['annotation.studyStatus']({ studyInstanceUID: study })).status).toBe(
      'draft',
    );
    const events = await services.handlers['review.events']({ studyInstanceUID: study });
    expect(events.map((e) => [e.action, e.comment])).toEqual([
      ['returned', 'Measure the second nodule on its longest axis'],
    ]);
  });

  it('export: provenance of accepted findings, the edit names the AI SR as predecessor, verified by the reviewer; dciodvfy clean', async () => {
    as('rita');
    await services.handlers['review.verify']({ studyInstanceUID: study, comment: 'ok' });
    as('alice');
    expect((await services.handlers['annotation.studyStatus']({ studyInstanceUID: study })).status).toBe(
      'verified',
    );
    const exported = await exportByCli({
      services,
      reopen: open,
      dataDir,
      format: 'sr',
      out: path.join(scratch, 'export'),
      study,
    });
    services = exported.services;
    const file = path.join(exported.folder, 'SR.dcm');
    const check = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`.split('\n').filter((line) => line.startsWith('Error'))).toEqual(
      [],
    );
    const sr = readPart10(fs.readFileSync(file));
    expect(sr['VerificationFlag']).toBe('VERIFIED');
    const verifying = (sr['VerifyingObserverSequence'] as Array<Record<string, unknown>>)[0]!;
    expect(personName(verifying['VerifyingObserverName'])).toBe('rita');
    const predecessors = sr['PredecessorDocumentsSequence'] as Array<Record<string, unknown>>;
    const refs = predecessors.flatMap((p) =>
      (p['ReferencedSeriesSequence'] as Array<Record<string, unknown>>).flatMap(
        (s) => s['ReferencedSOPSequence'] as Array<Record<string, unknown>>,
      ),
    );
    expect(refs.map((r) => r['ReferencedSOPInstanceUID'])).toEqual([ai.sopInstanceUID]);
    // Each group: the reader as person observer, the model and the AI object as provenance.
    const text = JSON.stringify(sr);
    expect(text).toContain('ai-source-model');
    expect(text).toContain(ai.sopInstanceUID);
    const groups = groupsOf(sr);
    const accepted = groups.filter((g) => g.decision === 'accepted');
    const edited = groups.filter((g) => g.decision === 'edited');
    expect(accepted.length).toBe(2);
    expect(edited.length).toBe(1);
    for (const group of [...accepted, ...edited]) {
      expect(group.person).toBe('alice');
      expect(group.device).toBe(false);
      expect(group.model).toBe(MODEL);
      expect(group.object).toBe(ai.sopInstanceUID);
    }
    // The AI's own SR keeps its device observer.
    const original = readPart10(fs.readFileSync(ai.file));
    expect(JSON.stringify(original)).toContain('121007');
    expect(groupsOf(original).every((g) => g.device)).toBe(true);
  });
});

describe('blinded mode', () => {
  it("hides other readers' and the AI's work from annotators in main's answers, not from reviewers", async () => {
    // bob draws his own measurement (a copy of an AI finding's geometry, as a new annotation).
    as('bob');
    // The list names the AI version; its drawing is the annotation's (annotation.history).
    const listed = (await findings())[4]!;
    const aiHead = (
      await services.handlers['annotation.history']({ annotationUid: listed.annotationUid })
    ).find((version) => version.versionId === listed.aiVersion.versionId)!;
    await services.handlers['annotation.save']({
      versions: [
        {
          ...aiHead,
          versionId: crypto.randomUUID(),
          annotationUid: crypto.randomUUID(),
          parentIds: [],
          source: 'human',
          author: undefined,
          createdAt: undefined,
          data: {
            metadata: (aiHead.data as { metadata: unknown }).metadata,
            data: (aiHead.data as { data: unknown }).data,
          },
        },
      ],
    });
    // Reopen the study (a draft again) and switch the project to blinded, AI hidden too.
    as('rita');
    await services.handlers['review.return']({ studyInstanceUID: study, comment: 'second round' });
    const manifestFile = path.join(dataDir, 'sync', 'project.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, review: { blinded: true, blindAi: true } }));
    // A newer mtime for sure (the service re-reads the manifest when it changes).
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(manifestFile, later, later);

    const authors = async () =>
      [
        ...new Set(
          (await services.handlers['annotation.list']({ studyInstanceUID: study })).heads.map(
            (h) => h.author,
          ),
        ),
      ].sort();
    as('alice');
    expect(await authors()).toEqual(['alice']);
    expect(await services.handlers['ai.findings']({ studyInstanceUID: study })).toMatchObject({
      findings: [],
      hidden: true,
    });
    expect(
      await refusal(
        services.handlers['ai.decide']({
          studyInstanceUID: study,
          annotationUid: ai.annotationUids[0]!,
          decision: 'accepted',
        }),
      ),
    ).toBe('forbidden');
    const others = await services.handlers['annotation.history']({ annotationUid: ai.annotationUids[0]! });
    expect(others.every((v) => v.author === 'alice')).toBe(true);
    as('bob');
    expect(await authors()).toEqual(['bob']);
    as('rita');
    expect(await authors()).toEqual(['alice', 'bob']);
    // With blindAi off, annotators see the AI's findings but still not each other's work.
    fs.writeFileSync(
      manifestFile,
      JSON.stringify({ ...manifest, review: { blinded: true, blindAi: false } }),
    );
    const later2 = new Date(Date.now() + 10_000);
    fs.utimesSync(manifestFile, later2, later2);
    as('bob');
    expect((await services.handlers['ai.findings']({ studyInstanceUID: study })).findings).toHaveLength(5);
    expect(await authors()).toEqual(['bob']);
    // Once verified, everyone sees everything.
    as('rita');
    await services.handlers['review.verify']({ studyInstanceUID: study, comment: '' });
    as('bob');
    expect(await authors()).toEqual(['alice', 'bob']);
  });
});

interface GroupSummary {
  person: string | null;
  device: boolean;
  model: string | null;
  object: string | null;
  decision: string | null;
}

/** Each measurement group's observer and AI provenance items. */
function groupsOf(sr: Record<string, unknown>): GroupSummary[] {
  const out: GroupSummary[] = [];
  const walk = (item: Record<string, unknown>): void => {
    const concept = (item['ConceptNameCodeSequence'] as Array<Record<string, unknown>> | undefined)?.[0];
    const children = (item['ContentSequence'] as Array<Record<string, unknown>> | undefined) ?? [];
    if (concept?.['CodeValue'] === '125007') {
      const summary: GroupSummary = {
        person: null,
        device: false,
        model: null,
        object: null,
        decision: null,
      };
      for (const child of children) {
        const c = (child['ConceptNameCodeSequence'] as Array<Record<string, unknown>>)[0]!;
        const value = c['CodeValue'];
        if (value === '121008') summary.person = personName(child['PersonName']);
        if (value === '121005')
          summary.device =
            (child['ConceptCodeSequence'] as Array<Record<string, unknown>>)[0]!['CodeValue'] === '121007';
        if (value === 'ai-source-model') summary.model = String(child['TextValue']);
        if (value === 'ai-source-object') summary.object = String(child['UID']);
        if (value === 'ai-decision')
          summary.decision = String(
            (child['ConceptCodeSequence'] as Array<Record<string, unknown>>)[0]!['CodeValue'],
          );
      }
      out.push(summary);
    }
    for (const child of children) walk(child);
  };
  walk(sr);
  return out;
}

/** A PN as dcmjs gives it (a string, or `{ Alphabetic }`, or a list of them). */
function personName(value: unknown): string {
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof first === 'string') return first;
  return String((first as { Alphabetic?: unknown } | undefined)?.Alphabetic ?? '');
}
