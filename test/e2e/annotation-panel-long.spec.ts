/**
 * A study with many measurements (#9, annotation.open_500_ms): the panel draws the first rows of
 * its list when the study opens and the rest as the reader scrolls to them, so opening a study of
 * hundreds of measurements does not lay out hundreds of rows nobody sees yet. Every measurement is
 * still there: on the image at once, in the panel's count, and in the list once scrolled to.
 */
import { expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries } from '../fixtures/index.js';
import { type AppSession, importAndOpen, openApp, search } from './support/app.js';
import { TEST_SCHEMA, drag, imageFrame, loadSchema, pageAt } from './support/annotate.js';
import { storeCopiesOfFirst } from './support/rpc.js';

test.describe.configure({ mode: 'serial' });

/** What the panel draws at first, and adds per scroll to the end (AnnotationPanel.tsx). */
const ROWS_FIRST = 40;
const ROWS_MORE = 100;
const COUNT = 170;

let app: AppSession;
let series: CtSeries;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  series = ensureCtSeries({ slices: 10, size: 512, seed: 'annotate-panel-long' });
  app = await openApp(browser, 'annotation-panel-long');
  await loadSchema(app.page, TEST_SCHEMA);
  await importAndOpen(app.page, series.dir, 'annotate-panel-long', 10);
});

test.afterAll(async () => {
  await app?.close();
});

test('a study of many measurements opens with the first rows drawn and the rest as the list scrolls', async () => {
  test.setTimeout(240_000);
  const { page } = app;
  const frame = await imageFrame(page, 512);
  // One measurement drawn and labelled, then stored again as COUNT - 1 others beside it.
  await page.getByTestId('tool-Length').click();
  await drag(page, pageAt(frame, 150, 150), pageAt(frame, 350, 220));
  await expect(page.getByTestId('label-picker')).toBeVisible();
  await page.keyboard.press('Escape');
  const later = page.getByTestId('attribute-skip');
  if (await later.isVisible().catch(() => false)) await later.click();
  await expect(page.getByTestId('label-picker')).toBeHidden();
  await expect(page.locator('[data-testid="annotation-save-state"][data-state="saved"]')).toBeVisible({
    timeout: 30_000,
  });
  const stored = await storeCopiesOfFirst(page, series.studyInstanceUID, COUNT, {
    columns: 20,
    step: 3,
    originColumn: 10,
    originRow: 4,
  });
  expect(stored).toBe(COUNT);

  // Reopened: every measurement is on the image; the panel counts them all and draws the first rows.
  await page.reload();
  await expect(page.getByTestId('viewer').or(page.getByTestId('worklist'))).toBeVisible({ timeout: 60_000 });
  if (await page.getByTestId('worklist').isVisible()) {
    await search(page, 'annotate-panel-long');
    await page.getByTestId('study-row').first().dblclick();
  }
  await expect(page.locator('[data-testid="viewport-0"] g[data-annotation-uid]')).toHaveCount(COUNT, {
    timeout: 120_000,
  });
  const list = page.getByTestId('annotation-list');
  await expect(list.locator('h4')).toHaveText(`${COUNT} measurements`);
  const rows = list.getByTestId('annotation-row');
  await expect(rows).toHaveCount(ROWS_FIRST);
  const more = list.getByTestId('annotation-list-more');
  await expect(more).toHaveAttribute('data-hidden-rows', String(COUNT - ROWS_FIRST));
  await expect(more).toHaveText(`Show ${COUNT - ROWS_FIRST} more measurements`);

  // Scrolled to the end of the list: the next rows are drawn; scrolled there again, the rest.
  await more.scrollIntoViewIfNeeded();
  await expect(rows).toHaveCount(ROWS_FIRST + ROWS_MORE);
  await expect(more).toHaveAttribute('data-hidden-rows', String(COUNT - ROWS_FIRST - ROWS_MORE));
  await more.scrollIntoViewIfNeeded();
  await expect(rows).toHaveCount(COUNT);
  await expect(more).toHaveCount(0);
  // Each row is a different measurement.
  const uids = await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-uid')));
  expect(new Set(uids).size).toBe(COUNT);
});
