/**
 * The labelmap tools other than the brush, and the segment list's controls (issue #9 item 2), with
 * real pointer events on a GPU-rendered viewport: the panel narrows the viewport and the image is
 * fitted again (it was cut off at both sides); rectangle and circle scissors fill the shape
 * dragged (voxel counts against the shape's area in image pixels), the fill tool fills the inside
 * of an outline painted with the brush and nothing outside it; hiding a segment, its opacity and its
 * colour change what the screen shows at a painted spot and are kept after a reload; a locked
 * segment is neither painted over by another segment's brush nor erased.
 */
import { type Page, expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries } from '../fixtures/index.js';
import { type ImageFrame, click, imageFrame, pageAt } from './support/annotate.js';
import {
  type AppSession,
  expectImage,
  importPath,
  nextFrames,
  openApp,
  screenshot,
  search,
} from './support/app.js';
import { type Rgb, shownPixel } from './support/canvas.js';
import { flushSave, voxelCounts } from './support/segmentation-probe.js';

test.describe.configure({ mode: 'serial', timeout: 300_000 });

const SLICES = 6;
const SIZE = 256;

let app: AppSession;
let ct: CtSeries;

/** Painted voxels of `segmentIndex` on the slice shown (slice 1 here). */
async function countOnSlice(page: Page, segmentIndex: number, slice = 1): Promise<number> {
  return (await voxelCounts(page, segmentIndex))[slice - 1] ?? 0;
}

/** The tool on the left button (a click on the tool already chosen would put it down). */
async function chooseTool(page: Page, name: string): Promise<void> {
  const button = page.getByTestId(`seg-tool-${name}`);
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
}

/** A drag between two image pixels; `whileDown` runs before the button comes up. */
async function dragImage(
  page: Page,
  frame: ImageFrame,
  from: [number, number],
  to: [number, number],
  whileDown?: () => Promise<void>,
): Promise<void> {
  const a = pageAt(frame, ...from);
  const b = pageAt(frame, ...to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  for (let step = 1; step <= 8; step += 1)
    await page.mouse.move(a.x + ((b.x - a.x) * step) / 8, a.y + ((b.y - a.y) * step) / 8);
  await nextFrames(page);
  await whileDown?.();
  await page.mouse.up();
  await nextFrames(page);
}

/** What the screen shows at image pixel (x, y) once the viewport has rendered (polled). */
async function shownAt(page: Page, frame: ImageFrame, x: number, y: number): Promise<Rgb> {
  return shownPixel(page, pageAt(frame, x, y));
}

const distance = (a: Rgb, b: Rgb): number => Math.max(...a.map((value, i) => Math.abs(value - b[i]!)));

async function addSegment(page: Page, label: string): Promise<void> {
  await page.getByTestId('seg-add').click();
  await page.getByTestId('label-picker-search').fill(label);
  await page.getByTestId('label-picker-search').press('Enter');
  await expect(page.getByTestId('label-picker')).toBeHidden();
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'segtools' });
  app = await openApp(browser, 'segment-tools');
  const { page } = app;
  // Labelmaps are drawn on GPU viewports only (this machine's WebGL is SwiftShader).
  const url = new URL(page.url());
  url.searchParams.set('rendering', 'gpu');
  await page.goto(url.href);
  await importPath(page, ct.dir);
  await page.getByTestId('import-dismiss').click();
  await search(page, 'segtools');
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expectImage(page, 1, SLICES);
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-rendering', 'gpu');
});

test.afterAll(async () => {
  await app?.close();
});

test('opening the segmentation panel narrows the viewport and the whole image stays in view', async () => {
  const { page } = app;
  const zoom = async (): Promise<number> =>
    Number(/(\d+)%/.exec((await page.getByTestId('overlay-zoom').textContent()) ?? '')?.[1]) / 100;
  const canvas = page.getByTestId('viewport-element-0').locator('canvas').first();
  const wide = (await canvas.boundingBox())!;
  const before = await zoom();
  await page.getByTestId('segmentation-toggle').click();
  await expect(page.getByTestId('seg-add')).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => (await canvas.boundingBox())!.width).toBeLessThan(wide.width - 100);
  const narrow = (await canvas.boundingBox())!;
  // Fitted: the image's 256 columns fill the narrower width (they were cut off at both sides).
  await expect
    .poll(async () => Math.abs((await zoom()) * SIZE - Math.min(narrow.width, narrow.height)))
    .toBeLessThan(3);
  expect(await zoom()).toBeLessThan(before);
  await addSegment(page, 'mass');
  await expect(page.getByTestId('segment-1')).toContainText('Mass');
});

test('rectangle scissors fill the rectangle dragged, circle scissors the circle', async () => {
  const { page } = app;
  const frame = await imageFrame(page, SIZE);
  await chooseTool(page, 'RectangleScissor');
  // Corners on voxel centres: 61 × 41 voxels inside.
  await dragImage(page, frame, [40, 40], [100, 80]);
  await expect.poll(() => countOnSlice(page, 1)).toBeGreaterThan(0);
  const rectangle = await countOnSlice(page, 1);
  expect(rectangle, 'voxels of a 61 × 41 rectangle').toBeGreaterThanOrEqual(61 * 41 - 2 * (61 + 41));
  expect(rectangle).toBeLessThanOrEqual(61 * 41 + 2 * (61 + 41));

  await chooseTool(page, 'CircleScissor');
  // Centre to rim: a circle of radius 20 voxels, apart from the rectangle.
  await dragImage(page, frame, [170, 170], [190, 170]);
  await expect.poll(() => countOnSlice(page, 1)).toBeGreaterThan(rectangle);
  const circle = (await countOnSlice(page, 1)) - rectangle;
  const area = Math.PI * 20 * 20;
  expect(circle, `voxels of a circle of radius 20 (${Math.round(area)})`).toBeGreaterThan(area * 0.85);
  expect(circle).toBeLessThan(area * 1.15);
  await flushSave(page);
  await screenshot(page, 'segment-tools-scissors');
});

test('the fill tool fills the inside of an outline painted with the brush, nothing outside it', async () => {
  const { page } = app;
  const frame = await imageFrame(page, SIZE);
  await page.keyboard.press('ArrowDown');
  await expectImage(page, 2, SLICES);
  await chooseTool(page, 'Brush');
  await page.getByTestId('seg-brush-size').fill('3');
  // A closed ring of radius 40 voxels around (128, 128), drawn as one stroke.
  const points = Array.from({ length: 49 }, (_, i) => {
    const angle = (i / 48) * 2 * Math.PI;
    return pageAt(frame, 128 + 40 * Math.cos(angle), 128 + 40 * Math.sin(angle));
  });
  await page.mouse.move(points[0]!.x, points[0]!.y);
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(point.x, point.y, { steps: 2 });
  await nextFrames(page);
  await page.mouse.up();
  await expect.poll(() => countOnSlice(page, 1, 2)).toBeGreaterThan(0);
  const ring = await countOnSlice(page, 1, 2);
  expect(ring, 'a ring, not a disc').toBeLessThan(Math.PI * 40 * 40 * 0.8);

  await chooseTool(page, 'PaintFill');
  await click(page, pageAt(frame, 128, 128));
  await expect.poll(() => countOnSlice(page, 1, 2)).toBeGreaterThan(ring);
  const filled = await countOnSlice(page, 1, 2);
  // The inside of the ring is filled (at least the disc of radius 30)…
  expect(filled - ring).toBeGreaterThan(Math.PI * 30 * 30);
  // …and nothing outside it: the whole slice would be 65,536 voxels.
  expect(filled).toBeLessThan(Math.PI * 50 * 50);
  await flushSave(page);
  await screenshot(page, 'segment-tools-fill');
  await page.keyboard.press('ArrowUp');
  await expectImage(page, 1, SLICES);
});

test('hide, opacity and colour change what the screen shows, and are kept after a reload', async () => {
  const { page } = app;
  const frame = await imageFrame(page, SIZE);
  // Inside the rectangle painted by the first test, and a spot of the same background (air) outside it.
  const inside = (): Promise<Rgb> => shownAt(page, frame, 70, 60);
  const outside = await shownAt(page, frame, 20, 60);
  const painted = await inside();

  await page.getByTestId('segment-visible-1').click();
  await expect(page.getByTestId('segment-visible-1')).toHaveAttribute('aria-pressed', 'true');
  // Hidden: the painted spot shows the image as the unpainted spot does (air, outside the phantom).
  await expect.poll(async () => distance(await inside(), outside)).toBeLessThanOrEqual(6);
  await page.getByTestId('segment-visible-1').click();
  await expect.poll(async () => distance(await inside(), painted)).toBeLessThanOrEqual(6);

  await page.getByTestId('segment-opacity-1').fill('100');
  // Opaque: the spot moves away from the image's grey, towards the segment colour.
  await expect
    .poll(async () => distance(await inside(), outside))
    .toBeGreaterThan(distance(painted, outside) + 20);

  await page.getByTestId('segment-1').locator('input[type="color"]').fill('#00ff00');
  await expect
    .poll(async () => {
      const [r, g, b] = await inside();
      return g > 200 && r < 60 && b < 60;
    })
    .toBe(true);
  const green = await inside();
  await screenshot(page, 'segment-tools-green-opaque');
  await flushSave(page);

  await page.reload();
  await expect(page.getByTestId('viewer').or(page.getByTestId('worklist'))).toBeVisible({ timeout: 30_000 });
  if (await page.getByTestId('worklist').isVisible()) {
    await search(page, 'segtools');
    await page.getByTestId('study-row').first().dblclick();
  }
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  if (!(await page.getByTestId('segmentation-panel').isVisible()))
    await page.getByTestId('segmentation-toggle').click();
  await expect(page.getByTestId('segment-1')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('segment-1').locator('input[type="color"]')).toHaveValue('#00ff00');
  await expect(page.getByTestId('segment-opacity-1')).toHaveValue('100');
  const again = await imageFrame(page, SIZE);
  await expect.poll(async () => distance(await shownAt(page, again, 70, 60), green)).toBeLessThanOrEqual(8);
});

test('a locked segment is neither painted over by another segment nor erased', async () => {
  const { page } = app;
  const frame = await imageFrame(page, SIZE);
  const locked = await countOnSlice(page, 1);
  await page.getByTestId('segment-lock-1').click();
  await expect(page.getByTestId('segment-lock-1')).toHaveAttribute('aria-pressed', 'true');

  await addSegment(page, 'organ');
  await expect(page.getByTestId('segment-2')).toBeVisible();
  await chooseTool(page, 'Brush');
  const inMass = (): Promise<Rgb> => shownAt(page, frame, 70, 60);
  const massShown = await inMass();
  // Across the locked rectangle (rows 40–80) and beyond it; while the button is down the stroke
  // is drawn around the locked segment, not over it.
  await dragImage(page, frame, [20, 60], [140, 60], async () =>
    expect(distance(await inMass(), massShown), 'Mass on screen while painting over it').toBeLessThanOrEqual(
      4,
    ),
  );
  await expect.poll(() => countOnSlice(page, 2)).toBeGreaterThan(0);
  expect(await countOnSlice(page, 1), 'the locked segment keeps every voxel').toBe(locked);

  await page.getByTestId('segment-1').locator('.segment-row__name').click();
  await expect(page.getByTestId('segment-1')).toHaveClass(/segment-row--active/);
  const organ = await countOnSlice(page, 2);
  await chooseTool(page, 'Eraser');
  await dragImage(page, frame, [40, 50], [100, 50]);
  await flushSave(page);
  expect(await countOnSlice(page, 1), 'the eraser leaves a locked segment').toBe(locked);
  // Mass is the active segment: Organ, under the brush at the drag's start, is not erased either.
  expect(await countOnSlice(page, 2), 'the eraser leaves the segment that is not active').toBe(organ);
  await screenshot(page, 'segment-tools-locked');
});

test('the eraser takes the active segment only: a neighbour on the same layer under the brush stays', async () => {
  const { page } = app;
  const frame = await imageFrame(page, SIZE);
  // Mass (unlocked now) and Organ are both on layer 1; Organ's stroke runs beside Mass's rectangle.
  await page.getByTestId('segment-lock-1').click();
  await expect(page.getByTestId('segment-lock-1')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('segment-1')).toHaveAttribute('data-layer', '0');
  await expect(page.getByTestId('segment-2')).toHaveAttribute('data-layer', '0');
  await page.getByTestId('segment-2').locator('.segment-row__name').click();
  await expect(page.getByTestId('segment-2')).toHaveClass(/segment-row--active/);
  const mass = await countOnSlice(page, 1);
  const organ = await countOnSlice(page, 2);
  await chooseTool(page, 'Eraser');
  // Across Organ's stroke (row 60, columns 20–40 and 100–140) and through Mass's rectangle.
  const inMass = (): Promise<Rgb> => shownAt(page, frame, 70, 62);
  const massShown = await inMass();
  await dragImage(page, frame, [25, 62], [130, 62], async () =>
    // While the button is down the preview leaves Mass as it was.
    expect(distance(await inMass(), massShown), 'Mass on screen while erasing').toBeLessThanOrEqual(4),
  );
  await expect.poll(() => countOnSlice(page, 2)).toBeLessThan(organ);
  await flushSave(page);
  expect(await countOnSlice(page, 1), 'Mass keeps every voxel').toBe(mass);
  // After the render at the pause too.
  await page.waitForTimeout(800);
  await expect.poll(async () => distance(await inMass(), massShown)).toBeLessThanOrEqual(4);
  await screenshot(page, 'segment-tools-eraser-active-only');
});
