/**
 * Several viewports working together (issue #8 item 3): hanging protocols per modality, a
 * thumbnail dragged onto a viewport, linked scrolling within a frame of reference, reference lines,
 * click-to-locate, and a prior study of the same patient opened beside the current one.
 * Studies: test/e2e/support/layout-studies.ts (positions known per slice).
 */
import fs from 'node:fs';
import { type Page, expect, test } from '@playwright/test';
import { type AppSession, importPath, nextFrames, openApp, screenshot, search } from './support/app.js';
import { ctStudy, type SeriesSpec, writeLayoutStudies } from './support/layout-studies.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let studiesDir: string;

const seriesOf = (key: string): SeriesSpec => ctStudy.series.find((series) => series.key === key)!;
/** Position along the axial normal (z) of 0-based slice `index` of an axial series. */
const zOf = (series: SeriesSpec, index: number) => series.position(index)[2]!;

async function imageIndex(page: Page, slot: number): Promise<number> {
  const overlay = page.getByTestId(`viewport-${slot}`).getByTestId('overlay-image');
  return Number(await overlay.getAttribute('data-index')) - 1;
}

async function openStudyOf(page: Page, patient: string): Promise<void> {
  await page
    .getByTestId('viewer-back')
    .click({ trial: false })
    .catch(() => undefined);
  await expect(page.getByTestId('worklist')).toBeVisible();
  await search(page, patient);
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
}

/** Coloured pixels in the most coloured row of a viewport as shown on screen (canvas and SVG over it). */
async function colouredRow(page: Page, slot: number): Promise<number> {
  const png = await page.getByTestId(`viewport-element-${slot}`).screenshot();
  return page.evaluate(async (base64) => {
    // Decoded from bytes (the page's Content-Security-Policy rightly refuses data: URLs).
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const blob = new Blob([bytes], { type: 'image/png' });
    const bitmap = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    // Green or yellow pixels (the annotation colours; grey images and the blue active frame are
    // neither) in the most coloured row: a line across the image, not the orientation letters.
    let longest = 0;
    for (let y = 0; y < bitmap.height; y += 1) {
      let count = 0;
      for (let x = 0; x < bitmap.width; x += 1) {
        const i = 4 * (y * bitmap.width + x);
        if (data[i + 1]! > 180 && data[i + 2]! < 120) count += 1;
      }
      longest = Math.max(longest, count);
    }
    return longest;
  }, png.toString('base64'));
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  studiesDir = writeLayoutStudies();
  app = await openApp(browser, 'viewer-layout');
  await importPath(app.page, studiesDir);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  fs.rmSync(studiesDir, { recursive: true, force: true });
});

test('a CT study opens 1×2 with its two largest axial series (the scout and coronal wait)', async () => {
  const { page } = app;
  await search(page, 'LAY-0001');
  await page.getByTestId('study-row').filter({ hasText: '03/01/2024' }).dblclick();
  await expect(page.getByTestId('viewport-grid')).toHaveAttribute('data-layout', '1x2');
  await expect(page.getByTestId('viewport-0').getByTestId('overlay-series')).toHaveText('Axial 2.5 mm');
  await expect(page.getByTestId('viewport-1').getByTestId('overlay-series')).toHaveText('Axial 5 mm');
});

test('scrolling one axial series moves the other to the same position, within half its slice thickness', async () => {
  const { page } = app;
  const thin = seriesOf('ax25');
  const thick = seriesOf('ax5');
  await page.getByTestId('viewport-0').click();
  let expected = 0;
  for (const steps of [7, 13, 19]) {
    for (let i = 0; i < steps; i += 1) await page.keyboard.press('ArrowDown');
    expected = Math.min(thin.slices - 1, expected + steps);
    await expect.poll(() => imageIndex(page, 0)).toBe(expected);
    await expect
      .poll(async () => Math.abs(zOf(thick, await imageIndex(page, 1)) - zOf(thin, expected)))
      .toBeLessThanOrEqual(thick.thickness / 2);
  }
  // And back the other way, led by the thick series.
  await page.getByTestId('viewport-1').click();
  await page.keyboard.press('Home');
  await expect.poll(() => imageIndex(page, 0)).toBeLessThanOrEqual(1);
  // Unlinked, the other viewport stays where it is.
  await page.getByTestId('link-scrolling').click();
  await page.getByTestId('viewport-1').click();
  await page.keyboard.press('End');
  await expect.poll(() => imageIndex(page, 1)).toBe(thick.slices - 1);
  await nextFrames(page, 10);
  expect(await imageIndex(page, 0)).toBeLessThanOrEqual(1);
  await page.getByTestId('link-scrolling').click();
});

test('a thumbnail dragged onto viewport 2 shows its series there', async () => {
  const { page } = app;
  const coronal = page.getByTestId('viewer').getByTestId('series-card').filter({ hasText: 'Coronal' });
  await coronal.dragTo(page.getByTestId('viewport-drop-1'));
  await expect(page.getByTestId('viewport-1').getByTestId('overlay-series')).toHaveText('Coronal');
  await expect(page.getByTestId('viewport-1')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('viewport-0').getByTestId('overlay-series')).toHaveText('Axial 2.5 mm');
});

test('the active coronal viewport’s plane is drawn as a reference line across the axial one', async () => {
  const { page } = app;
  await page.getByTestId('viewport-0').click();
  await nextFrames(page, 5);
  // The axial viewport is the source: nothing drawn on itself.
  expect(await colouredRow(page, 0)).toBeLessThan(30);
  await page.getByTestId('viewport-1').click();
  await expect.poll(() => colouredRow(page, 0), { timeout: 10_000 }).toBeGreaterThan(200);
  // The coronal is the source now: no line on itself.
  expect(await colouredRow(page, 1)).toBeLessThan(30);
  await screenshot(page, 'viewer-reference-lines');
});

test('Shift+click on the coronal image moves the axial viewport to the clicked height', async () => {
  const { page } = app;
  const thin = seriesOf('ax25');
  const box = (await page.getByTestId('viewport-element-1').boundingBox())!;
  // The coronal image spans z = 10 (top) … −118 (bottom), fitted to the viewport's height.
  const size = Math.min(box.width, box.height);
  const top = box.y + (box.height - size) / 2;
  const wantedZ = -60;
  const y = top + ((10 - wantedZ) / 128) * size;
  await page.keyboard.down('Shift');
  await page.mouse.click(box.x + box.width / 2, y);
  await page.keyboard.up('Shift');
  await expect
    .poll(async () => Math.abs(zOf(thin, await imageIndex(page, 0)) - wantedZ))
    .toBeLessThanOrEqual(thin.thickness);
  await screenshot(page, 'viewer-locate');
});

test('compare prior lists the patient’s other study and opens it beside the current one', async () => {
  const { page } = app;
  await page.getByTestId('viewport-0').click();
  await page.getByTestId('compare-prior').click();
  const priors = page.getByTestId('prior-study');
  await expect(priors).toHaveCount(1);
  await expect(priors).toContainText('03/01/2023');
  await priors.click();
  await expect(page.getByTestId('viewport-grid')).toHaveAttribute('data-layout', '1x2');
  await expect(page.getByTestId('viewport-0').getByTestId('overlay-study-date')).toHaveText('03/01/2024');
  await expect(page.getByTestId('viewport-1').getByTestId('overlay-study-date')).toHaveText('03/01/2023');
  await expect(page.getByTestId('viewport-1').getByTestId('overlay-series')).toHaveText('Axial 2.5 mm');
  await expect(page.getByTestId('viewport-1')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('prior-series').getByTestId('series-card')).toHaveCount(1);
  // Another frame of reference: scrolling the current study leaves the prior alone.
  await page.getByTestId('viewport-0').click();
  await page.keyboard.press('End');
  await nextFrames(page, 10);
  expect(await imageIndex(page, 1)).toBe(0);
  await screenshot(page, 'viewer-compare-prior');
});

test('an MR study opens 2×2 with its first four series by series number', async () => {
  const { page } = app;
  await openStudyOf(page, 'LAY-0002');
  await expect(page.getByTestId('viewport-grid')).toHaveAttribute('data-layout', '2x2');
  for (const slot of [0, 1, 2, 3])
    await expect(page.getByTestId(`viewport-${slot}`).getByTestId('overlay-series')).toHaveText(
      `MR series ${slot + 1}`,
    );
  await screenshot(page, 'viewer-mr-2x2');
});

test('a DX study shows one image per viewport', async () => {
  const { page } = app;
  await openStudyOf(page, 'LAY-0003');
  await expect(page.getByTestId('viewport-grid')).toHaveAttribute('data-layout', '1x2');
  await expect(page.getByTestId('viewport-0').getByTestId('overlay-image')).toHaveAttribute(
    'data-index',
    '1',
  );
  await expect(page.getByTestId('viewport-1').getByTestId('overlay-image')).toHaveAttribute(
    'data-index',
    '2',
  );
});

test('a layout the reader picks is remembered for the modality', async () => {
  const { page } = app;
  await openStudyOf(page, 'LAY-0002');
  await page.getByTestId('layout-1x2').click();
  await openStudyOf(page, 'LAY-0002');
  await expect(page.getByTestId('viewport-grid')).toHaveAttribute('data-layout', '1x2');
  await expect(page.getByTestId('viewport-1').getByTestId('overlay-series')).toHaveText('MR series 2');
  // Other modalities keep their protocol.
  await openStudyOf(page, 'LAY-0003');
  await expect(page.getByTestId('viewport-grid')).toHaveAttribute('data-layout', '1x2');
  await page.reload();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await openStudyOf(page, 'LAY-0002');
  await expect(page.getByTestId('viewport-grid')).toHaveAttribute('data-layout', '1x2');
});
