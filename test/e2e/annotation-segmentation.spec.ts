/**
 * Labelmap segmentation as the reader does it (issue #9 item 2), with real pointer events on the
 * canvas: paint a segment on three slices and interpolate the slices between, paint a second
 * segment over the first (both survive, on two layers), undo and redo a stroke, and reload the
 * page to find the same voxels (per-slice SHA-256 of what the page holds against what main
 * stored). The interpolation's pipeline comes from the app itself: no request leaves 127.0.0.1.
 */
import { type Page, expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries } from '../fixtures/index.js';
import {
  type AppSession,
  expectImage,
  importPath,
  nextFrames,
  openApp,
  screenshot,
  search,
} from './support/app.js';
import { rpc } from './support/rpc.js';
import { type SliceHash, pageHashes, voxelCounts } from './support/segmentation-probe.js';

test.describe.configure({ mode: 'serial', timeout: 300_000 });

const SLICES = 30;
const SIZE = 256;

let app: AppSession;
let ct: CtSeries;
const outsideRequests: string[] = [];

async function storedHashes(page: Page): Promise<SliceHash[]> {
  const heads = await rpc<Array<{ annotationUid: string }>>(page, 'segmentation.list', {
    seriesInstanceUID: ct.seriesInstanceUID,
  });
  expect(heads).toHaveLength(1);
  return rpc<SliceHash[]>(page, 'segmentation.sliceHashes', { annotationUid: heads[0]!.annotationUid });
}

async function goToSlice(page: Page, index: number): Promise<void> {
  const shown = Number(
    await page.getByTestId('viewport-0').getByTestId('overlay-image').getAttribute('data-index'),
  );
  const key = index > shown ? 'ArrowDown' : 'ArrowUp';
  for (let i = 0; i < Math.abs(index - shown); i += 1) await page.keyboard.press(key);
  await expectImage(page, index, SLICES);
}

/** One brush stroke: press, drag across, release, at fractions of the viewport. */
async function stroke(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const box = (await page.getByTestId('viewport-element-0').boundingBox())!;
  const at = ([fx, fy]: [number, number]) => [box.x + box.width * fx, box.y + box.height * fy] as const;
  const [x0, y0] = at(from);
  const [x1, y1] = at(to);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let step = 1; step <= 8; step += 1)
    await page.mouse.move(x0 + ((x1 - x0) * step) / 8, y0 + ((y1 - y0) * step) / 8);
  await page.mouse.up();
  await nextFrames(page);
}

/** Back in the viewer on the study after a reload (the session restores it, else the worklist opens it). */
async function backInViewer(page: Page): Promise<void> {
  await expect(page.getByTestId('viewer').or(page.getByTestId('worklist'))).toBeVisible({ timeout: 30_000 });
  if (await page.getByTestId('worklist').isVisible()) {
    await search(page, 'seg');
    await page.getByTestId('study-row').first().dblclick();
  }
  await expect(page.getByTestId('viewer')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
}

async function expectSaved(page: Page): Promise<void> {
  await expect(page.getByTestId('seg-save-state')).toHaveAttribute('data-state', 'saved', { timeout: 5_000 });
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'seg' });
  app = await openApp(browser, 'segmentation');
  const origin = new URL(app.host.url).origin;
  app.page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error')
      console.log(`[page ${message.type()}] ${message.text()}`);
  });
  app.page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))
      outsideRequests.push(url);
  });
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
  await search(app.page, 'seg');
  await app.page.getByTestId('study-row').first().dblclick();
  await expect(app.page.getByTestId('viewer')).toBeVisible();
  await expectImage(app.page, 1, SLICES);
});

test.afterAll(async () => {
  await app?.close();
});

test('a segment painted on slices 10, 15 and 20 is interpolated on the slices between', async () => {
  const { page } = app;
  await page.getByTestId('segmentation-toggle').click();
  // This machine has no hardware GPU, so the viewer renders on the CPU; segmentation asks to
  // reload with GPU rendering (Cornerstone draws labelmaps on GPU viewports only).
  await expect(page.getByTestId('seg-use-gpu')).toBeVisible();
  await screenshot(page, 'segmentation-needs-gpu');
  await page.getByTestId('seg-use-gpu').click();
  await backInViewer(page);
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-rendering', 'gpu');
  await expect(page.getByTestId('seg-add')).toBeVisible({ timeout: 60_000 });
  // The label comes from the measurement tools' picker: type to filter, Enter adds the segment.
  await page.getByTestId('seg-add').click();
  await expect(page.getByTestId('label-picker')).toHaveAttribute('data-tool', 'segment');
  await page.getByTestId('label-picker-search').fill('mass');
  await page.getByTestId('label-picker-search').press('Enter');
  await expect(page.getByTestId('label-picker')).toBeHidden();
  await expect(page.getByTestId('segment-1')).toContainText('Mass');
  await expect(page.getByTestId('seg-tool-Brush')).toHaveAttribute('aria-pressed', 'true');

  for (const slice of [10, 15, 20]) {
    await goToSlice(page, slice);
    await stroke(page, [0.4, 0.45], [0.6, 0.55]);
  }
  await expectSaved(page);
  const painted = await voxelCounts(page, 1);
  expect(painted.map((count, index) => (count > 0 ? index + 1 : 0)).filter(Boolean)).toEqual([10, 15, 20]);
  await goToSlice(page, 15);
  await screenshot(page, 'segmentation-painted');

  await page.getByTestId('seg-interpolate').click();
  await expect(page.getByTestId('seg-interpolation')).toHaveAttribute('data-phase', 'done', {
    timeout: 30_000,
  });
  const interpolated = await voxelCounts(page, 1);
  for (let slice = 10; slice <= 20; slice += 1)
    expect(interpolated[slice - 1], `slice ${slice}`).toBeGreaterThan(0);
  expect(interpolated[8]).toBe(0);
  expect(interpolated[20]).toBe(0);
  // What was painted by hand is kept as it was.
  for (const slice of [10, 15, 20]) expect(interpolated[slice - 1]).toBe(painted[slice - 1]);
  await goToSlice(page, 12);
  await expectSaved(page);
  await screenshot(page, 'segmentation-interpolated');
  // The stored voxels are the page's.
  expect(await storedHashes(page)).toEqual(await pageHashes(page));
});

test('a second segment painted over the first keeps both, on separate layers', async () => {
  const { page } = app;
  await goToSlice(page, 15);
  const before = await voxelCounts(page, 1);
  await page.getByTestId('seg-add').click();
  await page
    .getByTestId('label-picker')
    .locator('[data-testid="label-option"][data-label-id="organ"]')
    .click();
  await expect(page.getByTestId('segment-2')).toContainText('Organ');
  await stroke(page, [0.5, 0.3], [0.5, 0.7]);
  await expectSaved(page);
  const second = await voxelCounts(page, 2);
  expect(second[14]).toBeGreaterThan(0);
  // Segment 1 lost nothing where segment 2 crosses it.
  expect(await voxelCounts(page, 1)).toEqual(before);
  await expect(page.getByTestId('segment-2')).toHaveAttribute('data-layer', '1');
  await expect(page.getByTestId('segment-1')).toHaveAttribute('data-layer', '0');
  await screenshot(page, 'segmentation-overlap');
});

test('undo takes the last stroke back and redo puts it again; both are saved', async () => {
  const { page } = app;
  await goToSlice(page, 15);
  const before = await voxelCounts(page, 2);
  await stroke(page, [0.3, 0.2], [0.7, 0.2]);
  const after = await voxelCounts(page, 2);
  expect(after[14]).toBeGreaterThan(before[14]!);
  await page.getByTestId('seg-undo').click();
  await expect.poll(async () => (await voxelCounts(page, 2))[14]).toBe(before[14]);
  await expectSaved(page);
  expect(await storedHashes(page)).toEqual(await pageHashes(page));
  await page.getByTestId('seg-redo').click();
  await expect.poll(async () => (await voxelCounts(page, 2))[14]).toBe(after[14]);
  await expectSaved(page);
  expect(await storedHashes(page)).toEqual(await pageHashes(page));
});

test('after a reload the page holds exactly the stored voxels, both segments with their layers', async () => {
  const { page } = app;
  const stored = await storedHashes(page);
  expect(new Set(stored.map((hash) => hash.layer))).toEqual(new Set([0, 1]));
  await page.reload();
  await backInViewer(page);
  // The reload keeps the page's address (GPU rendering, segmentation panel open).
  await expect(page.getByTestId('segmentation-panel')).toBeVisible();
  await expect(page.getByTestId('segment-2')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('segment-1')).toContainText('Mass');
  await expect(page.getByTestId('segment-2')).toHaveAttribute('data-layer', '1');
  // The panel can list the segments before their voxels are in the page: read until they are.
  await expect.poll(() => pageHashes(page)).toEqual(stored);
  await goToSlice(page, 15);
  await screenshot(page, 'segmentation-reloaded');
});

test('nothing was requested from outside 127.0.0.1 (the interpolation pipeline is the app’s own)', () => {
  expect(outsideRequests).toEqual([]);
  expect(app.cspViolations).toEqual([]);
});
