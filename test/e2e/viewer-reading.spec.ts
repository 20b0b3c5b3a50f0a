/**
 * The viewer as a reader uses it (issue #8 items 1, 2 and 5): reading-room stack order and wheel,
 * the overlay (orientation letters, instance, location, thickness, the value under the pointer),
 * flip and rotate, window presets that persist, per-image fit, and data-derived windows.
 *
 * Fixtures: the generated CT (test/fixtures/ct-series.ts: slice k has InstanceNumber k + 1 and
 * lies k × 1.25 mm further towards the feet, right or back; a disc of HU 10·k − 24 on a gradient
 * of HU x − 1024), axial, sagittal and coronal; a series mixing a 3×3 and 100×100 images; and
 * pydicom's rtdose.dcm.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
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
import { brightRun, canvasProfile, mean } from './support/canvas.js';
import { makeMultiFrameStudy } from './support/codecs.js';
import { MIXED_PATIENT, makeMixedSizeStudy, modalityValueFromFile } from './support/reading-fixtures.js';

test.describe.configure({ mode: 'serial' });

const SLICES = 40;
const SIZE = 128;
let app: AppSession;
let axial: CtSeries;
let sagittal: CtSeries;
let coronal: CtSeries;
const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  tempDirs.push(dir);
  return dir;
}

async function openStudy(page: Page, patientId: string): Promise<void> {
  if (await page.getByTestId('viewer').isVisible()) {
    await page.getByTestId('viewer-back').click();
  }
  await search(page, patientId);
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready');
}

async function positionOf(page: Page, slot = 0): Promise<{ instance: number; location: number }> {
  const overlay = page.getByTestId(`viewport-${slot}`).getByTestId('overlay-position');
  return {
    instance: Number(await overlay.getAttribute('data-instance')),
    location: Number(await overlay.getAttribute('data-location')),
  };
}

async function markers(page: Page, slot = 0): Promise<Record<'top' | 'right' | 'bottom' | 'left', string>> {
  const viewport = page.getByTestId(`viewport-${slot}`);
  const text = async (side: string) =>
    (await viewport.getByTestId(`overlay-marker-${side}`).textContent()) ?? '';
  return {
    top: await text('top'),
    right: await text('right'),
    bottom: await text('bottom'),
    left: await text('left'),
  };
}

/** Canvas point (CSS px, page coordinates) over the centre of image pixel (column, row). */
async function pointOverPixel(page: Page, column: number, row: number, size = SIZE, slot = 0) {
  const box = (await page.getByTestId(`viewport-element-${slot}`).boundingBox())!;
  const side = Math.min(box.width, box.height);
  const scale = side / size;
  return {
    x: box.x + (box.width - side) / 2 + (column + 0.5) * scale,
    y: box.y + (box.height - side) / 2 + (row + 0.5) * scale,
  };
}

async function wheel(page: Page, deltaY: number, times: number): Promise<void> {
  const box = (await page.getByTestId('viewport-element-0').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < times; i += 1) await page.mouse.wheel(0, deltaY);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  axial = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'readax' });
  sagittal = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'readsag', orientation: 'sagittal' });
  coronal = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'readcor', orientation: 'coronal' });
  app = await openApp(browser, 'viewer-reading');
  const folder = tempDir('e2e-reading');
  for (const series of [axial, sagittal, coronal])
    fs.cpSync(series.dir, path.join(folder, path.basename(series.dir)), { recursive: true });
  makeMixedSizeStudy(path.join(folder, 'mixed'));
  makeMultiFrameStudy(path.join(folder, 'dose'));
  await importPath(app.page, folder);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

test('item 1: an axial stack opens at the head, and ↓ and the wheel move towards the feet', async () => {
  const { page } = app;
  await openStudy(page, axial.patientId);
  await expectImage(page, 1, SLICES);
  // Image 1 is the top slice (z = 0); the next one lies 1.25 mm towards the feet.
  expect(await positionOf(page)).toEqual({ instance: 1, location: 0 });
  await page.keyboard.press('ArrowDown');
  await expectImage(page, 2, SLICES);
  expect(await positionOf(page)).toEqual({ instance: 2, location: -1.25 });
  // Five wheel notches down (100 px each, as Chromium reports a notch): five slices further down.
  await wheel(page, 100, 5);
  await expectImage(page, 7, SLICES);
  expect(await positionOf(page)).toEqual({ instance: 7, location: -7.5 });
  await wheel(page, -120, 2);
  await expectImage(page, 5, SLICES);
});

test('item 1: a light trackpad swipe adds up its small deltas, one slice per notch', async () => {
  const { page } = app;
  await page.keyboard.press('Home');
  await expectImage(page, 1, SLICES);
  // 30 deltas of 10 px (a light two-finger swipe): 300 px, three notches' worth, not 30 slices.
  await wheel(page, 10, 30);
  await expectImage(page, 4, SLICES);
  await nextFrames(page, 10);
  await expectImage(page, 4, SLICES);
  // Back up with 12 deltas of −10 px: one slice (a change of direction starts a new sum; the
  // remaining 20 px wait for more).
  await wheel(page, -10, 12);
  await expectImage(page, 3, SLICES);
});

test('item 1: the stack direction setting runs the stack from the feet instead, and back', async () => {
  const { page } = app;
  await page.getByTestId('overlay-settings-toggle').click();
  await page.getByTestId('stack-direction-reversed').check();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('overlay-settings')).toBeHidden();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expectImage(page, 1, SLICES);
  await expect.poll(async () => (await positionOf(page)).instance).toBe(SLICES);
  await page.keyboard.press('ArrowDown');
  await expect.poll(async () => (await positionOf(page)).instance).toBe(SLICES - 1);
  await page.getByTestId('overlay-settings-toggle').click();
  await page.getByTestId('stack-direction-reading').check();
  await page.getByTestId('overlay-settings-toggle').click();
  await expect.poll(async () => (await positionOf(page)).instance).toBe(1);
});

test('item 1: sagittal stacks run right to left and coronal ones front to back', async () => {
  const { page } = app;
  // Sagittal slice k lies at x = k × 1.25 (towards the patient's left), coronal at y = k × 1.25
  // (towards the back): instance k + 1 must be image k + 1.
  for (const series of [sagittal, coronal]) {
    await openStudy(page, series.patientId);
    await expectImage(page, 1, SLICES);
    expect(await positionOf(page)).toEqual({ instance: 1, location: 0 });
    await page.keyboard.press('ArrowDown');
    await expectImage(page, 2, SLICES);
    expect(await positionOf(page)).toEqual({ instance: 2, location: 1.25 });
    await page.keyboard.press('End');
    await expectImage(page, SLICES, SLICES);
    expect(await positionOf(page)).toMatchObject({ instance: SLICES });
  }
});

test('item 2: orientation letters on all four sides for axial, sagittal and coronal images', async () => {
  const { page } = app;
  await openStudy(page, axial.patientId);
  expect(await markers(page)).toEqual({ top: 'A', right: 'L', bottom: 'P', left: 'R' });
  await screenshot(page, 'reading-axial');
  await openStudy(page, sagittal.patientId);
  expect(await markers(page)).toEqual({ top: 'H', right: 'P', bottom: 'F', left: 'A' });
  await screenshot(page, 'reading-sagittal');
  await openStudy(page, coronal.patientId);
  expect(await markers(page)).toEqual({ top: 'H', right: 'L', bottom: 'F', left: 'R' });
});

test('item 2: the overlay shows instance, slice location, thickness, window and zoom', async () => {
  const { page } = app;
  await openStudy(page, axial.patientId);
  await page.keyboard.press('ArrowDown');
  const viewport = page.getByTestId('viewport-0');
  await expect(viewport.getByTestId('overlay-position')).toHaveText('Inst: 2 · Loc: -1.25 mm');
  await expect(viewport.getByTestId('overlay-thickness')).toHaveText('Thk: 1.25 mm');
  await expect(viewport.getByTestId('overlay-window')).toHaveText('W: 400 L: 40');
  await expect(viewport.getByTestId('overlay-zoom')).toHaveText(/Zoom: \d+%/);
});

test('item 2: the value under the pointer is the file’s HU at that pixel', async () => {
  const { page } = app;
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expectImage(page, 3, SLICES);
  const file = axial.files[2]!;
  // Inside the disc, on the gradient left and right of it, and near a corner.
  for (const [column, row] of [
    [64, 64],
    [70, 50],
    [5, 64],
    [120, 30],
    [0, 0],
  ] as const) {
    const point = await pointOverPixel(page, column, row);
    await page.mouse.move(point.x, point.y);
    const pixel = page.getByTestId('overlay-pixel');
    await expect(pixel).toHaveAttribute('data-pixel-column', String(column));
    await expect(pixel).toHaveAttribute('data-pixel-row', String(row));
    const expected = modalityValueFromFile(file, column, row);
    await expect(pixel).toHaveAttribute('data-value', String(expected));
    await expect(pixel).toHaveAttribute('data-units', 'HU');
    await expect(pixel).toContainText(`${expected} HU`);
  }
  // Scrolling under a still pointer reads the new slice.
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('overlay-pixel')).toHaveAttribute(
    'data-value',
    String(modalityValueFromFile(axial.files[3]!, 0, 0)),
  );
  await screenshot(page, 'reading-pixel-value');
  // Off the image (the black band beside the square image), no value.
  const box = (await page.getByTestId('viewport-element-0').boundingBox())!;
  await page.mouse.move(box.x + 4, box.y + box.height / 2);
  await expect(page.getByTestId('overlay-pixel')).toHaveCount(0);
});

test('item 5: flip and rotate move the pixels and the orientation letters with them', async () => {
  const { page } = app;
  await page.mouse.move(0, 0);
  await page.keyboard.press('1'); // lung window: the gradient shows
  await nextFrames(page);
  const before = await canvasProfile(page);
  const side = Math.min(before.width, before.height);
  const x0 = Math.round((before.width - side) / 2);
  const y0 = Math.round((before.height - side) / 2);
  const rowOfImage = (profile: typeof before) => profile.row.slice(x0, x0 + side);
  const columnOfImage = (profile: typeof before) => profile.column.slice(y0, y0 + side);
  const meanDifference = (a: number[], b: number[]) =>
    mean(a.slice(3, -3).map((value, i) => Math.abs(value - b[i + 3]!)));
  // Not symmetric: the gradient runs dark to bright from left to right.
  expect(mean(rowOfImage(before).slice(0, 20))).toBeLessThan(mean(rowOfImage(before).slice(-20)) - 20);

  await page.keyboard.press('h');
  await nextFrames(page);
  const flipped = await canvasProfile(page);
  expect(meanDifference(rowOfImage(flipped), [...rowOfImage(before)].reverse())).toBeLessThan(3);
  expect(await markers(page)).toEqual({ top: 'A', right: 'R', bottom: 'P', left: 'L' });
  await page.getByTestId('viewer-flip-h').click();
  await nextFrames(page);
  expect(meanDifference(rowOfImage(await canvasProfile(page)), rowOfImage(before))).toBeLessThan(3);

  // A quarter turn clockwise: the row read left to right becomes the column read top to bottom.
  await page.keyboard.press(']');
  await nextFrames(page);
  const rotated = await canvasProfile(page);
  expect(meanDifference(columnOfImage(rotated), rowOfImage(before))).toBeLessThan(3);
  expect(await markers(page)).toEqual({ top: 'R', right: 'A', bottom: 'L', left: 'P' });
  await screenshot(page, 'reading-rotated');

  await page.keyboard.press('[');
  await nextFrames(page);
  expect(await markers(page)).toEqual({ top: 'A', right: 'L', bottom: 'P', left: 'R' });
  await page.keyboard.press('v');
  await nextFrames(page);
  const flippedV = await canvasProfile(page);
  expect(meanDifference(columnOfImage(flippedV), [...columnOfImage(before)].reverse())).toBeLessThan(3);
  expect(await markers(page)).toEqual({ top: 'P', right: 'L', bottom: 'A', left: 'R' });
  await page.keyboard.press('r');
});

test('item 5: MR presets and a saved preset apply; saved presets and overlay fields survive a reload', async () => {
  const { page } = app;
  const window = page.getByTestId('viewport-0').getByTestId('overlay-window');
  await page.getByTestId('window-presets-toggle').click();
  await page.getByTestId('preset-mrT1').click();
  await expect(window).toHaveAttribute('data-width', '600');
  await expect(window).toHaveAttribute('data-center', '300');
  await page.keyboard.press('3'); // bone: W 1800 L 400
  await expect(window).toHaveAttribute('data-width', '1800');
  await page.getByTestId('preset-name').fill('My bone');
  await page.getByTestId('preset-save').click();
  await expect(page.getByTestId('user-preset')).toHaveAttribute('data-name', 'My bone');
  await page.keyboard.press('Escape');
  await page.getByTestId('overlay-settings-toggle').click();
  await page.getByTestId('overlay-field-zoom').uncheck();
  await page.getByTestId('overlay-settings-toggle').click();
  await expect(page.getByTestId('overlay-zoom')).toBeHidden();

  await page.reload();
  await expect(page.getByTestId('worklist').or(page.getByTestId('viewer'))).toBeVisible();
  await openStudy(page, axial.patientId);
  await expect(page.getByTestId('overlay-zoom')).toBeHidden();
  await page.keyboard.press('1');
  await expect(window).toHaveAttribute('data-width', '1500');
  await page.getByTestId('window-presets-toggle').click();
  await page.getByTestId('user-preset').filter({ hasText: 'My bone' }).click();
  await expect(window).toHaveAttribute('data-width', '1800');
  await expect(window).toHaveAttribute('data-center', '400');
  await page.getByTestId('window-presets-toggle').click();
  await page.getByTestId('overlay-settings-toggle').click();
  await page.getByTestId('overlay-field-zoom').check();
  await page.getByTestId('overlay-settings-toggle').click();
  await expect(page.getByTestId('overlay-zoom')).toBeVisible();
});

test('item 5: each image of a series with mixed sizes is fitted to the viewport', async () => {
  const { page } = app;
  await openStudy(page, 'MIXED-1');
  await expect(page.getByTestId('overlay-patient')).toHaveText(MIXED_PATIENT.replace('^', ' '));
  await expectImage(page, 1, 4);
  await page.keyboard.press('ArrowDown');
  await expectImage(page, 2, 4);
  await nextFrames(page);
  const profile = await canvasProfile(page);
  const side = Math.min(profile.width, profile.height);
  // The bright square spans image columns 10…89 of 100: 80 % of the fitted width, centred.
  const run = brightRun(profile.row, 128);
  expect(Math.abs(run.length - 0.8 * side)).toBeLessThanOrEqual(3);
  expect(Math.abs(run.start + run.length / 2 - profile.width / 2)).toBeLessThanOrEqual(2);
  await screenshot(page, 'reading-mixed-sizes');
  // Back on the 3×3 image it is fitted again: its bright centre pixel (smoothed by linear
  // interpolation) spans about a third of the side, not the 3 canvas pixels the 100×100 scale gives.
  await page.keyboard.press('ArrowUp');
  await expectImage(page, 1, 4);
  await nextFrames(page);
  const smallProfile = await canvasProfile(page);
  const small = brightRun(smallProfile.row, 128);
  expect(small.length).toBeGreaterThan(side / 5);
  expect(small.length).toBeLessThan((2 * side) / 3);
  // Centred, give or take the smoothing.
  expect(Math.abs(small.start + small.length / 2 - smallProfile.width / 2)).toBeLessThanOrEqual(side / 40);
});

test('item 5: RT Dose opens at a window derived from its data, not black', async () => {
  const { page } = app;
  await openStudy(page, 'MultiFrame');
  await expectImage(page, 1, 15);
  const window = page.getByTestId('viewport-0').getByTestId('overlay-window');
  // rtdose.dcm has no window; its doses in frame 1 run 0.795 to 1.254 Gy (DoseGridScaling 1e-6).
  // The window spans exactly that under the DICOM linear function: W = max − min + 1,
  // L = (min + max + 1) / 2.
  // The first image's readout can be written before its window is set: read it until it is.
  await expect
    .poll(async () => Number(await window.getAttribute('data-width')))
    .toBeCloseTo(1.254 - 0.795 + 1, 2);
  await expect
    .poll(async () => Number(await window.getAttribute('data-center')))
    .toBeCloseTo((0.795 + 1.254 + 1) / 2, 2);
  await nextFrames(page);
  const profile = await canvasProfile(page);
  const side = Math.min(profile.width, profile.height);
  const y0 = Math.round((profile.height - side) / 2);
  // The dose falls off from top to bottom of this grid: the column shows it, from white to black.
  const column = profile.column.slice(y0 + 2, y0 + side - 2);
  expect(mean(column)).toBeGreaterThan(20);
  expect(Math.max(...column) - Math.min(...column)).toBeGreaterThan(200);
  expect(mean(column.slice(0, 20))).toBeGreaterThan(mean(column.slice(-20)));
  // The value under the pointer is the dose the file holds at that voxel.
  const file = path.join(tempDirs[0]!, 'dose', 'rtdose-15-frames.dcm');
  const point = await pointOverPixel(page, 4, 6, 10);
  await page.mouse.move(point.x, point.y);
  const pixel = page.getByTestId('overlay-pixel');
  await expect(pixel).toHaveAttribute('data-pixel-column', '4');
  const shown = Number((await pixel.getAttribute('data-value'))!);
  expect(shown).toBeCloseTo(modalityValueFromFile(file, 4, 6, 0), 5);
  await screenshot(page, 'reading-rtdose');
});

test('item 2: in a 2×2 layout at 1280×720 no two overlay texts overlap', async () => {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 720 });
  await openStudy(page, axial.patientId);
  await page.getByTestId('layout-2x2').click();
  for (const slot of [1, 2, 3]) {
    await page.getByTestId(`viewport-${slot}`).click();
    await page.getByTestId('viewer').getByTestId('series-card').first().click();
    await expectImage(page, 1, SLICES, slot);
  }
  const point = await pointOverPixel(page, 64, 64, SIZE, 3);
  await page.mouse.move(point.x, point.y);
  await expect(page.getByTestId('viewport-3').getByTestId('overlay-pixel')).toBeVisible();
  await nextFrames(page);
  for (const slot of [0, 1, 2, 3]) {
    const boxes = await page.getByTestId(`viewport-${slot}`).evaluate((pane) => {
      const paneBox = pane.getBoundingClientRect();
      const slider = pane.querySelector('.image-slider')?.getBoundingClientRect();
      const all = (root: Element, selector: string) =>
        Array.from(root.querySelectorAll(selector)) as HTMLElement[];
      const items = all(pane, '[data-overlay-box]')
        .flatMap((box) =>
          box.dataset['overlayBox']!.startsWith('marker') ? [box] : all(box, ':scope > div'),
        )
        .filter((item) => item.offsetParent !== null && (item.textContent ?? '').trim() !== '')
        .map((item) => {
          // The text itself, not the block it sits in.
          const range = document.createRange();
          range.selectNodeContents(item);
          // Horizontally the text's extent; vertically its line box (glyph boxes of adjacent
          // lines may touch by design).
          const r = range.getBoundingClientRect();
          const line = item.getBoundingClientRect();
          return {
            name: item.dataset['testid'] ?? item.textContent ?? '',
            left: r.left,
            top: line.top,
            right: r.right,
            bottom: line.bottom,
          };
        });
      if (slider)
        items.push({
          name: 'slider',
          left: slider.left,
          top: slider.top,
          right: slider.right,
          bottom: slider.bottom,
        });
      return {
        pane: { left: paneBox.left, top: paneBox.top, right: paneBox.right, bottom: paneBox.bottom },
        items,
      };
    });
    expect(boxes.items.length).toBeGreaterThanOrEqual(11);
    for (const item of boxes.items) {
      expect(item.left, item.name).toBeGreaterThanOrEqual(boxes.pane.left - 0.5);
      expect(item.right, item.name).toBeLessThanOrEqual(boxes.pane.right + 0.5);
      expect(item.top, item.name).toBeGreaterThanOrEqual(boxes.pane.top - 0.5);
      expect(item.bottom, item.name).toBeLessThanOrEqual(boxes.pane.bottom + 0.5);
    }
    for (let i = 0; i < boxes.items.length; i += 1) {
      for (let j = i + 1; j < boxes.items.length; j += 1) {
        const a = boxes.items[i]!;
        const b = boxes.items[j]!;
        const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        expect(overlap, `${a.name} overlaps ${b.name} in viewport ${slot}`).toBe(false);
      }
    }
  }
  await screenshot(page, 'reading-2x2-1280x720');
  await page.getByTestId('layout-1x1').click();
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('nothing the reading tools did was blocked by the Content Security Policy', () => {
  expect(app.cspViolations).toEqual([]);
});
