/**
 * A catalog larger than one page: the worklist shows the first 500 studies, says so, and "Show
 * more" appends the rest in the same order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import { type AppSession, importPath, openApp, screenshot } from './support/app.js';

const STUDIES = 512;

let app: AppSession;
let source: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  source = makeTempDir('e2e-paging');
  for (let i = 0; i < STUDIES; i++) {
    const series = ensureCtSeries({ slices: 1, size: 32, seed: `paging-${i}` });
    fs.copyFileSync(series.files[0]!, path.join(source, `study-${i}.dcm`));
  }
  app = await openApp(browser, 'paging');
  await importPath(app.page, source);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  if (source) fs.rmSync(source, { recursive: true, force: true });
});

test('the worklist pages through more studies than fit one request', async () => {
  const { page } = app;
  const rows = page.getByTestId('study-row');
  await expect(page.getByTestId('study-count')).toContainText(String(STUDIES));
  await expect(rows).toHaveCount(500);
  const more = page.getByTestId('worklist-more');
  await expect(more).toHaveText(`Show ${STUDIES - 500} more`);
  await screenshot(page, 'worklist-paging');
  await more.click();
  await expect(rows).toHaveCount(STUDIES);
  await expect(more).toBeHidden();
  const ids = await rows.evaluateAll((elements) => elements.map((element) => element.textContent));
  expect(new Set(ids).size).toBe(STUDIES);
});
