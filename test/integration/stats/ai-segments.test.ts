/**
 * The dashboard's AI figures count the segments of an AI SEG as findings (docs/statistics.md
 * "Figures", docs/ai-review.md "AI segmentations"): a device SEG imported by real services, each
 * segment decided by readers through `ai.decide`, then `stats.dashboard` per model and label —
 * findings, accepted, edited, rejected, pending (each reader's newest decision; an undo is pending
 * again), with the reader and model filters.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgreementService } from '../../../main/agreement/service.js';
import { READER_ENV } from '../../../main/annotation/reader.js';
import { StatsService } from '../../../main/stats/service.js';
import type { Services } from '../../../main/services.js';
import type { Dashboard } from '../../../shared/stats.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { openFixtureDb } from '../../fixtures/stats-fixture.js';
import { endReviewTest, writeAiSeg } from '../../support/ai-fixtures.js';
import { importAndWait } from '../../support/import.js';
import { openMachine } from '../../support/sync-project.js';

const scratch = makeTempDir('stats-ai-segments');
const ct = ensureCtSeries({ slices: 4, size: 24, seed: 'stats-ai-segments' });
const dataDir = path.join(scratch, 'data');
const MODEL = 'SegNet-Stats';
const previousReader = process.env[READER_ENV];
const study = ct.studyInstanceUID;
let services: Services;
let segFile: string;

const as = (reader: string) => {
  process.env[READER_ENV] = reader;
};

beforeAll(async () => {
  as('alice');
  const seg = writeAiSeg({
    seriesFiles: ct.files,
    out: path.join(scratch, 'ai', 'AI-SEG.dcm'),
    model: MODEL,
    manufacturer: 'Acme AI',
    modelName: 'SegNet',
    version: '1.0',
    segments: [
      { name: 'Mass A', labelId: 'mass', slices: [1], square: [2, 2, 3] },
      { name: 'Mass B', labelId: 'mass', slices: [2], square: [12, 12, 3], confidence: 0.9 },
      { name: 'Organ', labelId: 'organ', slices: [1, 2], square: [8, 2, 4] },
    ],
  });
  segFile = seg.file;
  services = openMachine(dataDir);
  await importAndWait(services, [ct.dir]);
  const imported = await services.handlers['annotation.importFiles']({ paths: [seg.file] });
  expect(imported.files[0]).toMatchObject({ kind: 'seg', added: 1 });
}, 120_000);

afterAll(() => endReviewTest(services, previousReader, scratch));

const segmentRows = async (filter: Parameters<Services['handlers']['stats.dashboard']>[0] = {}) =>
  ((await services.handlers['stats.dashboard'](filter)) as Dashboard).aiDecisions.filter(
    (r) => r.model === MODEL,
  );

describe('dashboard AI figures with AI SEG segments', () => {
  it("counts each segment of an AI SEG as a finding, with each reader's newest decision on it", async () => {
    expect(await segmentRows()).toEqual([
      { model: MODEL, labelId: 'mass', findings: 2, accepted: 0, edited: 0, rejected: 0, pending: 2 },
      { model: MODEL, labelId: 'organ', findings: 1, accepted: 0, edited: 0, rejected: 0, pending: 1 },
    ]);
    const dashboard = (await services.handlers['stats.dashboard']({})) as Dashboard;
    expect(dashboard.options.models).toContain(MODEL);
    expect(dashboard.totals.aiFindings).toBe(3);

    const findings = (await services.handlers['ai.findings']({ studyInstanceUID: study })).findings;
    const [massA, massB, organ] = findings;
    expect(findings.map((f) => f.segment?.segmentIndex)).toEqual([1, 2, 3]);
    // alice accepts Mass A and rejects the organ; bob rejects Mass A, then changes his mind: edited.
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: massA!.annotationUid,
      decision: 'accepted',
    });
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: organ!.annotationUid,
      decision: 'rejected',
      reasonId: 'wrong-location',
    });
    as('bob');
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: massA!.annotationUid,
      decision: 'rejected',
      reasonId: 'wrong-location',
    });
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: massA!.annotationUid,
      decision: 'edited',
    });
    as('alice');
    expect(massB!.decision).toBeNull();

    expect(await segmentRows()).toEqual([
      { model: MODEL, labelId: 'mass', findings: 2, accepted: 1, edited: 1, rejected: 0, pending: 1 },
      { model: MODEL, labelId: 'organ', findings: 1, accepted: 0, edited: 0, rejected: 1, pending: 0 },
    ]);
    // alice's accept-all takes Mass B (the only one she has not decided); its undo makes it pending again.
    const { batchId, accepted } = await services.handlers['ai.acceptAbove']({
      studyInstanceUID: study,
      minConfidence: 0.8,
    });
    expect(accepted).toBe(1);
    expect((await segmentRows())[0]).toMatchObject({ labelId: 'mass', accepted: 2, pending: 0 });
    await services.handlers['ai.undoBatch']({ studyInstanceUID: study, batchId: batchId! });

    // Filters: one reader's decisions; one label; another model leaves the segments out.
    expect(await segmentRows({ readers: ['bob'] })).toEqual([
      { model: MODEL, labelId: 'mass', findings: 2, accepted: 0, edited: 1, rejected: 0, pending: 1 },
      { model: MODEL, labelId: 'organ', findings: 1, accepted: 0, edited: 0, rejected: 0, pending: 1 },
    ]);
    expect(await segmentRows({ labelIds: ['organ'] })).toEqual([
      { model: MODEL, labelId: 'organ', findings: 1, accepted: 0, edited: 0, rejected: 1, pending: 0 },
    ]);
    expect(await segmentRows({ models: ['another-model'] })).toEqual([]);

    // Re-importing the SEG adds nothing; the kept aggregates (migration 0023) give the reference figures.
    const again = await services.handlers['annotation.importFiles']({ paths: [segFile] });
    expect(again.files[0]).toMatchObject({ kind: 'seg', added: 0 });
    const db = openFixtureDb(dataDir);
    try {
      const agreement = new AgreementService(db, { seriesGrid: () => null });
      const fast = new StatsService(
        db,
        agreement,
        () => 'alice',
        () => 0,
      );
      const reference = new StatsService(
        db,
        agreement,
        () => 'alice',
        () => 0,
        { reference: true },
      );
      for (const filter of [{}, { readers: ['bob'] }, { labelIds: ['mass'] }, { models: [MODEL] }])
        expect(fast.dashboard(filter)).toEqual(reference.dashboard(filter));
    } finally {
      db.close();
    }
  });
});
