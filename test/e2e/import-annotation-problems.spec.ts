/**
 * A hostile segmentation among the files a reader imports (issue #9, the developers' guide: bad
 * input gets a clear error for that item and the rest goes on). A CT series, a good SEG on it and
 * a SEG claiming 2,147,483,647 frames (which once looped forever in main) are imported from one
 * folder through the app. The CT and the good SEG go in (the good SEG becomes a segmentation); the
 * import's status names the hostile SEG with main's reason, in English and in Chinese.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { LabelmapHead } from '../../shared/segmentation.js';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import { type AiSegFixture, writeHostileLesionSeg, writeLesionSeg } from '../support/ai-fixtures.js';
import { importPath, openApp, screenshot } from './support/app.js';
import { rpc } from './support/rpc.js';

let ct: CtSeries;
let good: AiSegFixture;
let hostile: AiSegFixture;
let folder: string;

test.beforeAll(() => {
  ct = ensureCtSeries({ slices: 4, size: 64, seed: 'import-annotation-problems' });
  const scratch = makeTempDir('e2e-import-annotation-problems');
  folder = path.join(scratch, 'dropped');
  good = writeLesionSeg(ct.files, path.join(folder, 'seg', 'GOOD-SEG.dcm'));
  hostile = writeHostileLesionSeg(ct.files, path.join(folder, 'seg', 'HOSTILE-SEG.dcm'));
  for (const file of ct.files) fs.copyFileSync(file, path.join(folder, path.basename(file)));
});

test('a hostile SEG among good files: the rest is imported, the status names it with its reason', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const app = await openApp(browser, 'import-annotation-problems');
  try {
    const { page } = app;
    await importPath(page, folder);
    const row = page.getByTestId('import-annotation-problem');
    await expect(row).toHaveCount(1, { timeout: 60_000 });
    await expect(row).toHaveAttribute('data-uid', hostile.sopInstanceUID);
    await expect(row).toHaveAttribute('data-kind', 'seg');
    await expect(row.getByTestId('import-annotation-reason')).toHaveText(
      'This segmentation has no valid number of frames.',
    );
    await expect(page.getByTestId('import-annotation-problems')).toContainText(
      'SR and SEG objects with problems (1)',
    );
    await screenshot(page, 'import-annotation-problems');
    // The rest went in: the CT series and the good SEG's segmentation.
    const heads = await rpc<LabelmapHead[]>(page, 'segmentation.list', {
      seriesInstanceUID: ct.seriesInstanceUID,
    });
    expect(heads.length).toBeGreaterThanOrEqual(1);
    expect(good.sopInstanceUID).not.toBe(hostile.sopInstanceUID);
  } finally {
    await app.close();
  }
});
