/**
 * The statistics page in a blinded project that hides the AI, in Chromium (#11 items 2 and 4,
 * docs/ai-review.md "Blinded mode"): alice (annotator) sees only her own figures — the reader
 * filter offers only her, one reader, no AI findings, progress only hers; rita (reviewer) sees both
 * readers and the AI's findings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page, expect, test } from '@playwright/test';
import { readSeriesGeometry } from '../../main/annotation/dicom/geometry.js';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import { readerLength, writeAiSr, writeReviewProject } from '../support/ai-fixtures.js';
import { importPath, screenshot } from './support/app.js';
import { rpc } from './support/rpc.js';
import { openReaderSession } from './support/ai-fixtures.js';

test.describe.configure({ mode: 'serial' });

let ct: CtSeries;
let scratch: string;
let dataDir: string;

test.beforeAll(() => {
  ct = ensureCtSeries({ slices: 4, size: 64, seed: 'review-dashboard-e2e' });
  scratch = makeTempDir('e2e-review-dashboard');
  dataDir = path.join(scratch, 'data');
  writeReviewProject(dataDir, { blinded: true, blindAi: true });
});

test.afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

async function session(browser: Browser, reader: string, run: (page: Page) => Promise<void>): Promise<void> {
  const opened = await openReaderSession(browser, { dataDir, reader });
  try {
    await run(opened.page);
  } finally {
    await opened.close();
  }
}

function lengths(author: string, count: number): unknown[] {
  const geometry = readSeriesGeometry(ct.files);
  const slice = geometry.slices[1]!;
  return Array.from({ length: count }, (_, i) =>
    readerLength(geometry, slice, [4, 8 + i], [40, 8 + i], author),
  );
}

async function openStats(page: Page): Promise<void> {
  await page.getByTestId('nav-stats').click();
  await expect(page.getByTestId('stats-screen')).toBeVisible();
  await expect(page.getByTestId('total-studies')).toHaveText('1', { timeout: 60_000 });
}

test('in a blinded project an annotator sees only their own statistics and none of the AI; the reviewer sees everyone', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const ai = writeAiSr({
    seriesFiles: ct.files,
    out: path.join(scratch, 'ai', 'AI.dcm'),
    model: 'StatsCAD',
    manufacturer: 'Acme AI',
    modelName: 'Stats',
    version: '1',
    findings: [
      { slice: 1, confidence: 0.9 },
      { slice: 2, confidence: 0.7 },
    ],
  });
  await session(browser, 'rita', async (page) => {
    await importPath(page, ct.dir);
    await page.getByTestId('import-dismiss').click();
    await rpc(page, 'annotation.importFiles', { paths: [ai.file] });
    await rpc(page, 'annotation.save', { versions: [...lengths('alice', 2), ...lengths('bob', 3)] });
    await openStats(page);
    await expect(page.getByTestId('total-ai-findings')).toHaveText('2');
    const options = await page.getByTestId('stats-filter-reader').locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['alice', 'bob']));
  });
  await session(browser, 'alice', async (page) => {
    await openStats(page);
    await expect(page.getByTestId('total-readers')).toHaveText('1');
    await expect(page.getByTestId('total-ai-findings')).toHaveText('0');
    const options = await page.getByTestId('stats-filter-reader').locator('option').allTextContents();
    expect(options.slice(1)).toEqual(['alice']);
    const progress = await page
      .getByTestId('table-progress-by-reader')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.querySelector('td')?.textContent ?? ''));
    expect(progress).toEqual(['alice']);
    await expect(page.getByTestId('table-ai-decisions').locator('tbody tr')).toHaveCount(0);
    await screenshot(page, 'review-dashboard-blinded');
  });
});
