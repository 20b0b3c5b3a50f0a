/**
 * Moving between studies (issue #8 items 2, 3): switching studies back and forth — CT with its
 * prior beside it, MR 2×2, DX — while scrolling raises no page error (Cornerstone's
 * getViewReference on a viewport whose images were being replaced used to throw "Cannot read
 * properties of undefined (reading '0')"), and the overlay's zoom is screen pixels per image
 * pixel (100 %: one CSS pixel per image pixel).
 * Studies: test/e2e/support/layout-studies.ts.
 */
import fs from 'node:fs';
import { type Page, expect, test } from '@playwright/test';
import { type AppSession, importPath, nextFrames, openApp, screenshot, search } from './support/app.js';
import { writeLayoutStudies } from './support/layout-studies.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let studiesDir: string;
const pageErrors: string[] = [];

async function openStudy(page: Page, patientId: string, date?: string): Promise<void> {
  if (await page.getByTestId('viewer').isVisible()) await page.getByTestId('viewer-back').click();
  await expect(page.getByTestId('worklist')).toBeVisible();
  await search(page, patientId);
  const rows = page.getByTestId('study-row');
  await (date ? rows.filter({ hasText: date }) : rows).first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready');
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  studiesDir = writeLayoutStudies();
  app = await openApp(browser, 'viewer-switching');
  app.page.on('pageerror', (error) => pageErrors.push(`${error.message}\n${error.stack ?? ''}`));
  await importPath(app.page, studiesDir);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  fs.rmSync(studiesDir, { recursive: true, force: true });
});

test('switching studies back and forth, with a prior beside and while scrolling, raises no page error', async () => {
  const { page } = app;
  for (let round = 0; round < 3; round += 1) {
    await openStudy(page, 'LAY-0001', '03/01/2024');
    await page.getByTestId('viewport-0').click();
    await page.getByTestId('compare-prior').click();
    await page.getByTestId('prior-study').first().click();
    await expect(page.getByTestId('viewport-1')).toHaveAttribute('data-state', 'ready');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await openStudy(page, 'LAY-0002');
    await page.getByTestId('viewport-0').click();
    await page.keyboard.press('ArrowDown');
    await openStudy(page, 'LAY-0003');
    await openStudy(page, 'LAY-0001', '03/01/2023');
    await page.keyboard.press('End');
    await nextFrames(page, 5);
  }
  await nextFrames(page, 10);
  expect(pageErrors).toEqual([]);
});

test('the zoom on the overlay is screen pixels per image pixel', async () => {
  const { page } = app;
  await openStudy(page, 'LAY-0002');
  const viewport = page.getByTestId('viewport-0');
  await expect(viewport.getByTestId('overlay-zoom')).toBeVisible();
  // The layout studies' images are 128 × 128 at 1 mm.
  const columns = 128;
  const rows = 128;
  // The readout follows the canvas's last size on the frame after it: both are read together
  // until they agree (the first image can be drawn before the grid has its final size).
  await expect(async () => {
    // The fitted image's width on screen, from Cornerstone's own transform, against its columns.
    const expected = await page.evaluate(() => {
      const element = document.querySelector('[data-testid="viewport-0"] canvas') as HTMLCanvasElement;
      return { width: element.clientWidth, height: element.clientHeight };
    });
    const text = (await viewport.getByTestId('overlay-zoom').textContent()) ?? '';
    const zoom = Number(/(\d+(?:\.\d+)?)%/.exec(text)?.[1]);
    // A fitted image fills the canvas along its limiting side.
    const fitted = Math.min(expected.width / columns, expected.height / rows) * 100;
    expect(Math.abs(zoom - fitted)).toBeLessThanOrEqual(Math.max(1, fitted * 0.02));
  }).toPass({ timeout: 15_000 });
  await screenshot(page, 'viewer-zoom-readout');
});
