/**
 * MPR as the stack viewer's reader expects it (issue #8 item 4): each plane has the patient
 * directions on its edges, as the stack viewports do (axial: A top, P bottom, R left, L right;
 * sagittal: H/F top and bottom, A/P left and right; coronal: H/F, R/L), and the stack toolbar's
 * controls either act on the planes (window presets, Reset, Invert) or are disabled with the
 * reason as their tooltip (layout, flip, rotate, cine, annotation and segmentation tools).
 */
import { type Page, expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries } from '../fixtures/index.js';
import { type AppSession, importPath, openApp, screenshot, search } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let ct: CtSeries;
const pageErrors: string[] = [];

async function planeWindow(page: Page, plane: string): Promise<{ width: number; center: number }> {
  const overlay = page.getByTestId(`mpr-${plane}`).getByTestId('mpr-window');
  return {
    width: Number(await overlay.getAttribute('data-width')),
    center: Number(await overlay.getAttribute('data-center')),
  };
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 40, size: 96, seed: 'mpr-toolbar' });
  app = await openApp(browser, 'mpr-toolbar');
  app.page.on('pageerror', (error) => pageErrors.push(error.message));
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
  const { page } = app;
  await search(page, ct.patientId);
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('mpr-toggle').click();
  for (const plane of ['axial', 'sagittal', 'coronal'])
    await expect(page.getByTestId(`mpr-${plane}`)).toHaveAttribute('data-drawn', 'true', { timeout: 60_000 });
});

test.afterAll(async () => {
  await app?.close();
});

test('each MPR plane shows the patient directions on its four edges', async () => {
  const { page } = app;
  const expected: Record<string, Record<string, string>> = {
    axial: { top: 'A', bottom: 'P', left: 'R', right: 'L' },
    sagittal: { top: 'H', bottom: 'F', left: 'A', right: 'P' },
    coronal: { top: 'H', bottom: 'F', left: 'R', right: 'L' },
  };
  for (const [plane, sides] of Object.entries(expected))
    for (const [side, letter] of Object.entries(sides))
      await expect(page.getByTestId(`mpr-${plane}`).getByTestId(`mpr-marker-${side}`)).toHaveText(letter);
  await screenshot(page, 'mpr-orientation-letters');
});

test('window presets, Reset and Invert of the stack toolbar act on the MPR planes', async () => {
  const { page } = app;
  await page.getByTestId('preset-lung').click();
  for (const plane of ['axial', 'sagittal', 'coronal'])
    await expect.poll(() => planeWindow(page, plane)).toEqual({ width: 1500, center: -600 });
  // More windows ▾: an MR preset applies to the planes too.
  await page.getByTestId('window-presets-toggle').click();
  await page.getByTestId('preset-mrT1').click();
  const mrT1 = await planeWindow(page, 'axial');
  expect(mrT1).not.toEqual({ width: 1500, center: -600 });
  await page.getByTestId('window-presets-toggle').click();
  await page.getByTestId('viewer-reset').click();
  await expect.poll(() => planeWindow(page, 'coronal')).not.toEqual(mrT1);
  // Invert: the centre of the axial plane turns from dark to bright or back.
  const centreGrey = () =>
    page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="mpr-element-axial"] canvas')!;
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const context = copy.getContext('2d')!;
      context.drawImage(canvas, 0, 0);
      return context.getImageData(Math.floor(canvas.width / 2), Math.floor(canvas.height / 2), 1, 1).data[0]!;
    });
  const before = await centreGrey();
  await page.getByTestId('viewer-invert').click();
  await expect.poll(centreGrey).toBeCloseTo(255 - before, -1);
});

test('Esc with the More windows popover open closes the popover, not MPR', async () => {
  const { page } = app;
  await page.getByTestId('window-presets-toggle').click();
  await expect(page.getByTestId('window-presets')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('window-presets')).toHaveCount(0);
  await expect(page.getByTestId('mpr')).toBeVisible();
  await expect(page.getByTestId('mpr-toggle')).toHaveAttribute('aria-pressed', 'true');
});

test('stack-only controls are disabled in MPR, each saying why', async () => {
  const { page } = app;
  for (const [testId, reason] of [
    ['layout-2x2', /close MPR to change the layout/],
    ['viewer-flip-h', /keep the patient orientation/],
    ['viewer-rotate-right', /keep the patient orientation/],
    ['cine-toggle', /scroll a plane with the wheel/],
  ] as const) {
    const control = page.getByTestId(testId);
    await expect(control).toBeDisabled();
    await expect(control).toHaveAttribute('title', reason);
  }
  const tools = page.getByTestId('stack-tools');
  if ((await tools.count()) > 0) {
    await expect(tools).toHaveAttribute('title', /close MPR to use them/);
    for (const button of await tools.locator('button').all()) await expect(button).toBeDisabled();
  }
  await screenshot(page, 'mpr-stack-toolbar');
  // Closing MPR gives them back.
  await page.getByTestId('mpr-close').click();
  await expect(page.getByTestId('layout-2x2')).toBeEnabled();
  await expect(page.getByTestId('viewer-flip-h')).toBeEnabled();
  expect(pageErrors).toEqual([]);
});
