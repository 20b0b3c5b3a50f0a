/**
 * The statistics dashboard respects roles and blinded mode (issue #11 items 2 and 4,
 * docs/ai-review.md "Blinded mode"): in a blinded project that hides the AI, an annotator's
 * dashboard holds only their own figures (reader filter forced to them, no agreement with other
 * readers) and nothing of the AI's; agreement between readers is refused to them; a reviewer sees
 * every reader and the AI.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeriesGeometry } from '../../../main/annotation/dicom/geometry.js';
import { READER_ENV } from '../../../main/annotation/reader.js';
import type { Services } from '../../../main/services.js';
import { AppError } from '../../../shared/errors.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { readerLength, writeAiSr, writeReviewProject, endReviewTest } from '../../support/ai-fixtures.js';
import { importAndWait } from '../../support/import.js';
import { openMachine } from '../../support/sync-project.js';

const scratch = makeTempDir('review-dashboard');
const ct = ensureCtSeries({ slices: 4, size: 32, seed: 'review-dashboard' });
const dataDir = path.join(scratch, 'data');
const previousReader = process.env[READER_ENV];
const MODEL = 'DashCAD';
let services: Services;

function as(reader: string): void {
  process.env[READER_ENV] = reader;
}

async function measure(reader: string, count: number): Promise<void> {
  as(reader);
  const geometry = readSeriesGeometry(ct.files);
  const slice = geometry.slices[1]!;
  await services.handlers['annotation.save']({
    versions: Array.from({ length: count }, (_, i) => readerLength(geometry, slice, [2, 4 + i], [20, 4 + i])),
  });
}

beforeAll(async () => {
  const ai = writeAiSr({
    seriesFiles: ct.files,
    out: path.join(scratch, 'ai', 'AI.dcm'),
    model: MODEL,
    manufacturer: 'Acme AI',
    modelName: 'Dash',
    version: '1',
    findings: [
      { slice: 1, confidence: 0.9 },
      { slice: 2, confidence: 0.8 },
    ],
  });
  writeReviewProject(dataDir, { blinded: true, blindAi: true });
  as('rita');
  services = openMachine(dataDir);
  await importAndWait(services, [ct.dir]);
  await services.handlers['annotation.importFiles']({ paths: [ai.file] });
  await measure('alice', 2);
  await measure('bob', 3);
}, 120_000);

afterAll(() => endReviewTest(services, previousReader, scratch));

describe('the dashboard in a blinded project', () => {
  it("an annotator's dashboard holds only their own figures and nothing of the AI's; a reviewer's holds everyone", async () => {
    as('alice');
    const mine = await services.handlers['stats.dashboard']({});
    expect(mine.options.readers).toEqual(['alice']);
    expect(mine.options.models).toEqual([]);
    expect(mine.totals).toMatchObject({ readers: 1, aiFindings: 0 });
    expect(mine.progressByReader.map((row) => row.reader)).toEqual(['alice']);
    expect(mine.annotationsByLabel.every((row) => row.reader === 'alice')).toBe(true);
    expect(mine.annotationsByLabel.reduce((n, row) => n + row.annotations, 0)).toBe(2);
    expect(mine.aiDecisions).toEqual([]);
    // The label distribution counts alice's two measurements, not bob's three nor the AI's two.
    expect(mine.labelDistribution.map((row) => [row.labelId, row.annotations])).toEqual([['lesion', 2]]);
    expect(mine.agreement).toEqual({ pairs: [], fleiss: [] });
    // Asking for bob's figures changes nothing.
    const asked = await services.handlers['stats.dashboard']({ readers: ['bob'] });
    expect(asked.progressByReader.map((row) => row.reader)).toEqual(['alice']);
    // Agreement with the other readers is for reviewers.
    for (const call of [
      () => services.handlers['agreement.project']({ toleranceMm: 5 }),
      () => services.handlers['agreement.study']({ studyInstanceUID: ct.studyInstanceUID, toleranceMm: 5 }),
    ]) {
      let code = 'allowed';
      try {
        await call();
      } catch (error) {
        code = error instanceof AppError ? error.code : String(error);
      }
      expect(code).toBe('forbidden');
    }

    as('rita');
    const all = await services.handlers['stats.dashboard']({});
    expect(all.options.readers).toEqual(expect.arrayContaining(['alice', 'bob']));
    expect(all.options.models).toContain(MODEL);
    expect(all.totals.aiFindings).toBe(2);
    expect(all.progressByReader.map((row) => row.reader).sort()).toEqual(
      expect.arrayContaining(['alice', 'bob']),
    );
  });
});
