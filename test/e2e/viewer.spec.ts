/**
 * The viewer, checked by what it draws: the generated 200-slice CT series has a known pattern
 * (test/fixtures/ct-series.ts): a disc of stored value 1000 + 10·k (HU 10·k − 24) on slice k,
 * radius size/4, on a left-to-right gradient of HU x − 1024. The canvas must show exactly that
 * under the window the overlay reports.
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
import { type CanvasProfile, brightRun, canvasProfile, expectedGrey, mean } from './support/canvas.js';
import { makeCodecStudies, makeMultiFrameStudy } from './support/codecs.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let ct: CtSeries;
const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  tempDirs.push(dir);
  return dir;
}

/** HU of the disc on 0-based slice k. */
const discHu = (k: number) => 1000 + 10 * k - 1024;
/** Grey levels may differ by interpolation and rounding, never by more. */
const GREY_TOLERANCE = 5;

async function windowOf(slot = 0): Promise<{ width: number; center: number }> {
  const overlay = app.page.getByTestId(`viewport-${slot}`).getByTestId('overlay-window');
  return {
    width: Number(await overlay.getAttribute('data-width')),
    center: Number(await overlay.getAttribute('data-center')),
  };
}

/** The disc on the centre row: its width in canvas pixels and its grey level in the middle. */
async function discOnCanvas(threshold: number) {
  const profile = await canvasProfile(app.page);
  const run = brightRun(profile.row, threshold);
  const middle = profile.row.slice(
    run.start + Math.floor(run.length / 4),
    run.start + Math.floor((3 * run.length) / 4),
  );
  const scale = Math.min(profile.width, profile.height) / ct.size;
  return { profile, run, grey: mean(middle), scale };
}

/** Grey on the centre row at image column x (the image is fitted and centred in the canvas). */
function greyAtImageColumn(profile: { width: number; row: number[] }, scale: number, x: number): number {
  const canvasX = Math.round(profile.width / 2 + (x + 0.5 - ct.size / 2) * scale);
  return mean(profile.row.slice(canvasX - 1, canvasX + 2));
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 200, size: 512 });
  app = await openApp(browser, 'viewer');
  await importPath(app.page, ct.dir);
});

test.afterAll(async () => {
  await app?.close();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

test('the imported CT study is found by searching for its patient', async () => {
  const { page } = app;
  await page.getByTestId('import-dismiss').click();
  await search(page, 'Synthetic');
  const row = page.getByTestId('study-row').filter({ hasText: 'Synthetic CT' });
  await expect(row).toHaveCount(1);
  await expect(row.locator('[data-column="studyDate"]')).toHaveText('01/15/2024');
  await expect(row.locator('[data-column="numberOfInstances"]')).toHaveText('200');
  await expect(row.locator('[data-column="numberOfSeries"]')).toHaveText('1');
  await row.click();
  await expect(page.getByTestId('series-card')).toHaveCount(1);
  await expect(page.getByTestId('series-card')).toContainText('Axial 1.25 mm');
  await screenshot(page, 'worklist');
});

test('opening the study shows slice 1: the disc at the file’s window, black around it', async () => {
  const { page } = app;
  await page.getByTestId('study-row').filter({ hasText: 'Synthetic CT' }).dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expectImage(page, 1, 200);
  await expect(page.getByTestId('overlay-patient')).toHaveText('Synthetic CT');
  await expect(page.getByTestId('overlay-series')).toHaveText('Axial 1.25 mm');
  await expect.poll(windowOf).toEqual({ width: 400, center: 40 });
  await nextFrames(page);

  const { profile, run, grey, scale } = await discOnCanvas(20);
  // Disc diameter on the centre row: image columns 128…384 (257 pixels), scaled to fit.
  expect(Math.abs(run.length - 257 * scale)).toBeLessThanOrEqual(3);
  expect(Math.abs(run.start + run.length / 2 - profile.width / 2)).toBeLessThanOrEqual(2);
  expect(Math.abs(grey - expectedGrey(discHu(0), 400, 40))).toBeLessThanOrEqual(GREY_TOLERANCE);
  // Outside the disc the gradient (HU ≤ −513) is below the window: black.
  expect(greyAtImageColumn(profile, scale, 64)).toBeLessThanOrEqual(1);
  expect(greyAtImageColumn(profile, scale, 448)).toBeLessThanOrEqual(1);
});

test('keys and the wheel move to slice 100 of 200, and the disc shows slice 100’s value', async () => {
  const { page } = app;
  for (let i = 0; i < 9; i += 1) await page.keyboard.press('PageDown');
  await expectImage(page, 91, 200);
  for (let i = 0; i < 10; i += 1) await page.keyboard.press('ArrowDown');
  await expectImage(page, 101, 200);
  const viewport = page.getByTestId('viewport-0');
  const box = (await viewport.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -120);
  await expectImage(page, 100, 200);

  // Bone window (key 3): W 1800 / L 400 keeps slice 100's disc (HU 966) below white.
  await page.keyboard.press('3');
  await expect(viewport.getByTestId('overlay-window')).toHaveAttribute('data-width', '1800');
  await nextFrames(page);
  const { run, grey, scale } = await discOnCanvas(20);
  expect(Math.abs(run.length - 257 * scale)).toBeLessThanOrEqual(3);
  expect(Math.abs(grey - expectedGrey(discHu(99), 1800, 400))).toBeLessThanOrEqual(GREY_TOLERANCE);
});

test('the lung window shows the gradient around the disc, darker on the left', async () => {
  const { page } = app;
  await page.keyboard.press('1');
  const viewport = page.getByTestId('viewport-0');
  await expect(viewport.getByTestId('overlay-window')).toHaveAttribute('data-width', '1500');
  await nextFrames(page);
  const { width, center } = await windowOf();
  const { profile, scale } = await discOnCanvas(250);
  for (const x of [32, 96, 416, 480]) {
    expect(
      Math.abs(greyAtImageColumn(profile, scale, x) - expectedGrey(x - 1024, width, center)),
    ).toBeLessThanOrEqual(GREY_TOLERANCE);
  }
  await screenshot(page, 'viewer');
});

test('dragging with the left button changes the window, and the disc follows it', async () => {
  const { page } = app;
  await page.keyboard.press('3');
  await expect(page.getByTestId('overlay-window')).toHaveAttribute('data-width', '1800');
  const box = (await page.getByTestId('viewport-element-0').boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  // Right widens the window, down raises the level (Cornerstone's WindowLevelTool).
  for (let step = 1; step <= 10; step += 1) await page.mouse.move(x + step * 8, y + step * 8);
  await page.mouse.up();
  await nextFrames(page);
  const after = await windowOf();
  expect(after.width).toBeGreaterThan(1800);
  expect(after.center).toBeGreaterThan(400);
  const { grey } = await discOnCanvas(20);
  expect(Math.abs(grey - expectedGrey(discHu(99), after.width, after.center))).toBeLessThanOrEqual(
    GREY_TOLERANCE,
  );
  expect(grey).toBeLessThan(expectedGrey(discHu(99), 1800, 400));
});

test('R resets the view to the file’s window, I inverts it', async () => {
  const { page } = app;
  await page.keyboard.press('r');
  await expect(page.getByTestId('overlay-window')).toHaveAttribute('data-width', '400');
  await expectImage(page, 100, 200);
  await page.keyboard.press('i');
  await nextFrames(page);
  // Inverted, the saturated disc is black and the sub-window background white.
  const { profile, scale } = await discOnCanvas(250);
  expect(greyAtImageColumn(profile, scale, 256)).toBeLessThanOrEqual(1);
  expect(greyAtImageColumn(profile, scale, 64)).toBeGreaterThanOrEqual(254);
  await page.keyboard.press('i');
});

test('right-drag zooms and middle-drag pans the image, R puts it back', async () => {
  const { page } = app;
  const zoomOf = async () =>
    Number(/(\d+)%/.exec((await page.getByTestId('overlay-zoom').textContent()) ?? '')?.[1]);
  const before = await discOnCanvas(20);
  const zoomBefore = await zoomOf();
  const box = (await page.getByTestId('viewport-element-0').boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;

  await page.mouse.move(x, y);
  await page.mouse.down({ button: 'right' });
  for (let step = 1; step <= 10; step += 1) await page.mouse.move(x, y + step * 10);
  await page.mouse.up({ button: 'right' });
  await nextFrames(page);
  const zoomAfter = await zoomOf();
  expect(zoomAfter).toBeGreaterThan(zoomBefore);
  const zoomed = await discOnCanvas(20);
  // The disc grows by the ratio the overlay reports.
  expect(zoomed.run.length / before.run.length).toBeCloseTo(zoomAfter / zoomBefore, 1);

  await page.mouse.move(x, y);
  await page.mouse.down({ button: 'middle' });
  for (let step = 1; step <= 10; step += 1) await page.mouse.move(x - step * 6, y);
  await page.mouse.up({ button: 'middle' });
  await nextFrames(page);
  const panned = await discOnCanvas(20);
  const centreOf = (disc: typeof zoomed) => disc.run.start + disc.run.length / 2;
  expect(Math.abs(centreOf(panned) - (centreOf(zoomed) - 60))).toBeLessThanOrEqual(3);

  await page.keyboard.press('r');
  await nextFrames(page);
  const reset = await discOnCanvas(20);
  expect(Math.abs(reset.run.length - before.run.length)).toBeLessThanOrEqual(1);
  expect(Math.abs(centreOf(reset) - centreOf(before))).toBeLessThanOrEqual(1);
});

test('the 2×2 layout shows four viewports; a clicked series goes to the active one', async () => {
  const { page } = app;
  await page.getByTestId('layout-2x2').click();
  await expect(page.locator('[data-testid^="viewport-"][data-state]')).toHaveCount(4);
  await expect(page.getByTestId('viewport-1')).toHaveAttribute('data-state', 'empty');
  for (const slot of [1, 2, 3]) {
    await page.getByTestId(`viewport-${slot}`).click();
    await page.getByTestId('viewer').getByTestId('series-card').first().click();
    await expectImage(page, 1, 200, slot);
  }
  await page.getByTestId('viewport-3').click();
  await page.keyboard.press('End');
  await expectImage(page, 200, 200, 3);
  await expectImage(page, 100, 200, 0);
  await screenshot(page, 'viewer-2x2');
  await page.getByTestId('layout-1x1').click();
  await expect(page.locator('[data-testid^="viewport-"][data-state]')).toHaveCount(1);
});

test('Space plays the stack as cine and stops it again', async () => {
  const { page } = app;
  await page.keyboard.press('Home');
  await expectImage(page, 1, 200);
  await page.keyboard.press(' ');
  await expect(page.getByTestId('cine-toggle')).toHaveAttribute('aria-pressed', 'true');
  const overlay = page.getByTestId('viewport-0').getByTestId('overlay-image');
  await expect.poll(async () => Number(await overlay.getAttribute('data-index'))).toBeGreaterThan(5);
  await page.keyboard.press(' ');
  await expect(page.getByTestId('cine-toggle')).toHaveAttribute('aria-pressed', 'false');
  // An image asked for before the stop may still be drawn (and its index written a frame later):
  // the stack stops once two reads 300 ms apart agree (at 20 fps it moves 6 images in that time),
  // and stays there.
  let stoppedAt: string | null = null;
  await expect
    .poll(
      async () => {
        const shown = await overlay.getAttribute('data-index');
        const stopped = shown === stoppedAt;
        stoppedAt = shown;
        return stopped;
      },
      { intervals: [300], message: 'the stack stops' },
    )
    .toBe(true);
  await page.waitForTimeout(300);
  await expect(overlay).toHaveAttribute('data-index', stoppedAt!);
});

test('Backspace goes back to the worklist (Esc only closes panels)', async () => {
  const { page } = app;
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('viewer')).toBeVisible();
  await page.keyboard.press('Backspace');
  await expect(page.getByTestId('worklist')).toBeVisible();
});

test('each lossless codec shows exactly the pixels of the uncompressed original', async () => {
  const { page } = app;
  const studies = makeCodecStudies(tempDir('e2e-codecs'));
  await importPath(page, path.dirname(studies[0]!.file));
  await expect(page.getByTestId('import-counts')).toContainText(`${studies.length} added`);

  const profiles = new Map<string, CanvasProfile>();
  for (const study of studies) {
    await search(page, study.codec);
    await page.getByTestId('study-row').first().dblclick();
    await expectImage(page, 1, 1);
    await expect(page.getByTestId('overlay-patient')).toHaveText(study.patientName.replace('^', ' '));
    await nextFrames(page);
    profiles.set(study.codec, await canvasProfile(page));
    await page.keyboard.press('Backspace');
  }
  const reference = profiles.get('Uncompressed')!;
  // Not a blank image: CT_small has anatomy, so the centre row varies.
  expect(Math.max(...reference.row) - Math.min(...reference.row)).toBeGreaterThan(100);
  for (const [codec, profile] of profiles) {
    const worst = Math.max(
      ...profile.row.map((value, i) => Math.abs(value - reference.row[i]!)),
      ...profile.column.map((value, i) => Math.abs(value - reference.column[i]!)),
    );
    expect(worst, codec).toBeLessThanOrEqual(1);
  }
});

test('a multi-frame object is a stack of its frames', async () => {
  const { page } = app;
  const study = makeMultiFrameStudy(tempDir('e2e-multiframe'));
  await importPath(page, study.file);
  await search(page, 'MultiFrame');
  await page.getByTestId('study-row').first().dblclick();
  // Each frame is one image of the stack (frame numbers are 1-based in the image ids).
  await expectImage(page, 1, study.frames);
  await page.keyboard.press('ArrowDown');
  await expectImage(page, 2, study.frames);
  await page.keyboard.press('End');
  await expectImage(page, study.frames, study.frames);
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready');
  await page.keyboard.press('Backspace');
});

test('nothing the viewer did was blocked by the Content Security Policy', () => {
  expect(app.cspViolations).toEqual([]);
});
