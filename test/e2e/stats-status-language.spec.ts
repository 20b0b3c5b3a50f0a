/**
 * The statistics screen's status line follows the language (#11 statistics, i18n): "Saved <file>"
 * after a PNG export reads in Chinese once the reader switches to 简体中文, and back. It used to be
 * kept as the English words of the moment of the export.
 */
import { expect, test } from '@playwright/test';
import { ensureCtSeries } from '../fixtures/index.js';
import { type AppSession, importPath, openApp } from './support/app.js';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

let app: AppSession;

test.beforeAll(async ({ browser }) => {
  const ct = ensureCtSeries({ slices: 2, size: 32, seed: 'stats-status-language' });
  app = await openApp(browser, 'stats-status-language');
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
});

test('"Saved …png" after a PNG export is said in the language chosen afterwards', async () => {
  const { page } = app;
  await page.getByTestId('nav-stats').click();
  await expect(page.getByTestId('stats-screen')).toBeVisible();
  await expect(page.getByTestId('total-studies')).toHaveText('1', { timeout: 60_000 });
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await page.getByTestId('export-png-studies-by-state').click();
  const file = (await download).suggestedFilename();
  expect(file).toMatch(/^radlabel-studies-by-state-.*\.png$/);
  const status = page.getByTestId('stats-status');
  await expect(status).toHaveText(`Saved ${file}`);
  await page.getByTestId('language-switch').selectOption('zh-CN');
  await expect(page.getByTestId('stats-screen').locator('h1')).toHaveText('项目统计');
  await expect(status).toHaveText(`已保存 ${file}`);
  await page.getByTestId('language-switch').selectOption('en');
  await expect(status).toHaveText(`Saved ${file}`);
});
