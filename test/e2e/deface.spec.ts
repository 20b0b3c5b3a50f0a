/**
 * Defacing as a radiologist meets it: with Clean Recognizable Visual Features on, a thin-slice
 * head CT is held at export for its face; "Deface…" shows the sagittal, axial and coronal planes
 * with the proposed cut, the reader drags it, applies, and the export writes every slice with
 * the face set to air, the brain unchanged and 113102 in the method codes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { makeTempDir } from '../fixtures/index.js';
import { checkDefaced, dicomFilesUnder } from '../fixtures/deface-check.js';
import { ensureHeadPhantom, type HeadPhantom } from '../fixtures/head-phantom.js';
import { type AppSession, importPath, openApp, screenshot, search } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let phantom: HeadPhantom;
let exportRoot: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  phantom = ensureHeadPhantom('deface-e2e');
  exportRoot = makeTempDir('e2e-deface-export');
  app = await openApp(browser, 'deface');
  await importPath(app.page, phantom.dir);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  if (exportRoot) fs.rmSync(exportRoot, { recursive: true, force: true });
});

async function openExport(page: Page): Promise<Locator> {
  await search(page, 'deface-e2e');
  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  return page.getByTestId('deid-export-dialog');
}

async function runExport(dialog: Locator, outputDir: string): Promise<void> {
  await dialog.getByTestId('deid-output-dir').fill(outputDir);
  await dialog.getByTestId('deid-export-start').click();
  await expect(dialog.getByTestId('deid-export-status')).toHaveAttribute('data-stage', 'finished', {
    timeout: 120_000,
  });
}

test('with the option on, the head CT is listed as face-bearing and held at export for its face', async () => {
  const { page } = app;
  await page.getByTestId('open-deid-settings').click();
  const settings = page.getByTestId('deid-settings-dialog');
  await settings.getByTestId('deid-option-cleanRecognizableVisualFeatures').check();
  await settings.getByTestId('deid-settings-save').click();
  await expect(settings).toBeHidden();

  const dialog = await openExport(page);
  const row = dialog.getByTestId('deface-series');
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await expect(row.getByTestId('deface-series-status')).toHaveText('held until defaced');
  await runExport(dialog, path.join(exportRoot, 'held'));
  await expect(dialog.getByTestId('deid-report-held')).toContainText('96');
  await expect(dialog).toContainText('may show the face');
  await screenshot(page, 'deface-held');
  await dialog.getByTestId('deid-export-close').click();
});

test('the deface view shows the three planes with the cut; dragging adjusts it; Apply; the export is defaced', async () => {
  const { page } = app;
  const dialog = await openExport(page);
  await dialog.getByTestId('deface-open').click();
  const screen = page.getByTestId('deface-screen');
  await expect(screen).toBeVisible();
  const planes = screen.getByTestId('deface-planes');
  // Main reads the 96 slices and finds the skin surface: planes, or an error that says why not.
  await expect(planes.or(screen.locator('.error-text'))).toBeVisible({ timeout: 60_000 });
  await expect(screen.locator('.error-text')).toHaveCount(0);
  await expect(planes).toBeVisible();
  for (const name of ['sagittal', 'axial', 'coronal'])
    await expect(screen.getByTestId(`deface-line-${name}`)).toBeAttached();
  await expect(screen.getByTestId('deface-plane-sagittal').locator('canvas')).toBeVisible();
  await screenshot(page, 'deface-view');
  const proposed = {
    superior: (await planes.getAttribute('data-superior'))!,
    inferior: (await planes.getAttribute('data-inferior'))!,
  };

  // The inferior handle 12 px backwards (to the right on the sagittal plane: posterior).
  const handle = (await screen.getByTestId('deface-handle-inferior').boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + handle.width / 2 + 6, handle.y + handle.height / 2, { steps: 3 });
  await page.mouse.move(handle.x + handle.width / 2 + 12, handle.y + handle.height / 2, { steps: 3 });
  await page.mouse.up();
  // The first moves change the plane already; it follows the last one on a later render.
  await expect
    .poll(async () => Number((await planes.getAttribute('data-inferior'))!.split(',')[1]))
    .toBeGreaterThan(Number(proposed.inferior.split(',')[1]) + 3);
  expect(await planes.getAttribute('data-superior')).toBe(proposed.superior);

  // The axial line 2 px forwards: both points move.
  const line = (await screen.getByTestId('deface-line-axial').boundingBox())!;
  await page.mouse.move(line.x + line.width / 2, line.y + line.height / 2);
  await page.mouse.down();
  await page.mouse.move(line.x + line.width / 2, line.y + line.height / 2 - 2, { steps: 2 });
  await page.mouse.up();
  await expect(planes).not.toHaveAttribute('data-superior', proposed.superior);
  await screenshot(page, 'deface-view-adjusted');
  const accepted = {
    superior: (await planes.getAttribute('data-superior'))!.split(',').map(Number),
    inferior: (await planes.getAttribute('data-inferior'))!.split(',').map(Number),
  };
  await screen.getByTestId('deface-apply').click();
  await expect(screen).toBeHidden();
  await expect(dialog.getByTestId('deface-series-status')).toHaveText('defaced at export');

  const outputDir = path.join(exportRoot, 'defaced');
  await runExport(dialog, outputDir);
  await expect(dialog.getByTestId('deid-report-done')).toContainText('96');
  await expect(dialog.getByTestId('deid-report-held')).toContainText('0');
  await screenshot(page, 'deface-exported');

  // The written files: the face is air, in front of the accepted cut everything is air, the brain unchanged.
  const [, ys, zs] = accepted.superior as [number, number, number];
  const [, yi, zi] = accepted.inferior as [number, number, number];
  const cutY = (z: number): number => ys + ((z - zs) * (yi - ys)) / (zi - zs);
  const written = dicomFilesUnder(outputDir);
  expect(written).toHaveLength(96);
  const verdict = checkDefaced(written, phantom, cutY);
  expect(verdict.problems).toEqual([]);
  expect(verdict.faceVoxels).toBeGreaterThan(1000);
});
