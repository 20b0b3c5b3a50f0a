/**
 * A de-identified export is still a study a radiologist can read: imported back into RadLabel it
 * appears under its pseudonym only, and the viewer draws exactly the pixels of the original.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import {
  type AppSession,
  expectImage,
  importPath,
  nextFrames,
  openApp,
  screenshot,
  search,
} from './support/app.js';
import { type CanvasProfile, canvasProfile } from './support/canvas.js';

let app: AppSession;
let ct: CtSeries;
let exportRoot: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 12, size: 256, seed: 'deid-roundtrip' });
  exportRoot = makeTempDir('e2e-deid-roundtrip');
  app = await openApp(browser, 'deid-roundtrip');
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  if (exportRoot) fs.rmSync(exportRoot, { recursive: true, force: true });
});

async function profileOfSlice(index: number): Promise<CanvasProfile> {
  const { page } = app;
  await expectImage(page, 1, 12);
  for (let i = 1; i < index; i++) await page.keyboard.press('ArrowDown');
  await expectImage(page, index, 12);
  await nextFrames(page);
  return canvasProfile(page);
}

test('a de-identified export opens in the viewer under its pseudonym with the original pixels', async () => {
  const { page } = app;
  await search(page, 'deid-roundtrip');
  await page.getByTestId('study-row').first().dblclick();
  const original = await profileOfSlice(7);
  await page.getByTestId('viewer-back').click();

  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  const outputDir = path.join(exportRoot, 'out');
  await dialog.getByTestId('deid-output-dir').fill(outputDir);
  await dialog.getByTestId('deid-export-start').click();
  await expect(dialog.getByTestId('deid-export-status')).toHaveAttribute('data-stage', 'finished', {
    timeout: 120_000,
  });
  await expect(dialog.getByTestId('deid-report-done')).toContainText('12');
  await dialog.getByTestId('deid-export-close').click();

  await importPath(page, outputDir);
  await page.getByTestId('import-dismiss').click();
  await search(page, 'LOCAL-');
  const rows = page.getByTestId('study-row');
  await expect(rows).toHaveCount(1);
  // Neither the name (shown as "Synthetic CT deid-roundtrip") nor the id (SYN-12-256-deid-roundtrip).
  await expect(rows.first()).not.toContainText('deid-roundtrip');
  await expect(rows.first()).not.toContainText('Synthetic');
  await rows.first().dblclick();
  const roundTripped = await profileOfSlice(7);
  await screenshot(page, 'deid-roundtrip-viewer');

  expect(roundTripped.width).toBe(original.width);
  expect(roundTripped.height).toBe(original.height);
  expect(roundTripped.row).toEqual(original.row);
  expect(roundTripped.column).toEqual(original.column);
});
