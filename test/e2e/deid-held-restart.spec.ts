/**
 * The review of held images (issue #8 item 8) as the reader meets it: the image held for a
 * burned-in label shows yellow boxes where OCR read text (read on first review: OCR masking is
 * off by default), the proposed region can be resized by its handles and nudged with the arrow
 * keys, and after the app (web host) restarts on the same data folder the study's last export is
 * offered for review again with the same image, boxes and decision.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page, expect, test } from '@playwright/test';
import { makeTempDir } from '../fixtures/index.js';
import { HELD_TEXT_SIZE, overlaps, writeHeldTextImage, type HeldTextImage } from '../fixtures/held-text.js';
import { importPath, screenshot, search } from './support/app.js';
import { type RunningWebHost, startWebHost } from './support/webhost.js';

test.describe.configure({ mode: 'serial' });

let dataDir: string;
let exportRoot: string;
let copies: string;
let image: HeldTextImage;
let host: RunningWebHost | null = null;
let context: BrowserContext | null = null;
let page: Page;
const pageErrors: string[] = [];

async function open(browser: Browser): Promise<void> {
  host = await startWebHost({ dataDir });
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(host.url);
  await expect(page.getByTestId('worklist')).toBeVisible();
}

async function shut(): Promise<void> {
  await context?.close();
  await host?.stop();
  context = null;
  host = null;
}

type Rect = { x: number; y: number; width: number; height: number };

async function rectOf(locator: Locator): Promise<Rect> {
  const read = async (name: string) => Number(await locator.getAttribute(name));
  return { x: await read('x'), y: await read('y'), width: await read('width'), height: await read('height') };
}

async function regionOf(locator: Locator): Promise<Rect> {
  const read = async (name: string) => Number(await locator.getAttribute(`data-${name}`));
  return { x: await read('x'), y: await read('y'), width: await read('width'), height: await read('height') };
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  dataDir = makeTempDir('e2e-held-restart');
  exportRoot = makeTempDir('e2e-held-restart-export');
  copies = makeTempDir('e2e-held-restart-copies');
  image = writeHeldTextImage(path.join(copies, 'label.dcm'), 'Label^Burned');
  await open(browser);
  await importPath(page, copies);
  await page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await shut();
  for (const dir of [dataDir, exportRoot, copies]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the held image shows the boxes where OCR read its burned-in label; regions resize by handle and arrow keys', async () => {
  await search(page, 'Label');
  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  await dialog.getByTestId('deid-output-dir').fill(path.join(exportRoot, 'label'));
  await dialog.getByTestId('deid-export-start').click();
  await expect(dialog.getByTestId('deid-export-status')).toHaveAttribute('data-stage', 'finished', {
    timeout: 120_000,
  });
  await expect(dialog.getByTestId('deid-report-held')).toContainText('1');
  await dialog.getByTestId('deid-review-open').click();
  const review = page.getByTestId('deid-held-review');
  await expect(review.getByTestId('held-review-ocr-status')).toHaveAttribute('data-state', 'done', {
    timeout: 60_000,
  });
  const boxes = review.getByTestId('held-review-ocr-box');
  expect(await boxes.count()).toBeGreaterThan(0);
  const found = await Promise.all((await boxes.all()).map(rectOf));
  expect(found.some((box) => overlaps(box, image.box))).toBe(true);
  // The proposal is the boxes: one region per box, until the reader changes it.
  const regions = review.getByTestId('held-review-region');
  await expect(regions).toHaveCount(found.length);
  await screenshot(page, 'deid-held-ocr-boxes');

  // Select the first region: its eight handles appear.
  const overlay = review.getByTestId('held-review-overlay');
  const frame = (await overlay.boundingBox())!;
  const toScreen = (x: number, y: number) =>
    [
      frame.x + (x / HELD_TEXT_SIZE.columns) * frame.width,
      frame.y + (y / HELD_TEXT_SIZE.rows) * frame.height,
    ] as const;
  const first = regions.first();
  const before = await regionOf(first);
  await page.mouse.click(...toScreen(before.x + before.width / 2, before.y + before.height / 2));
  await expect(first).toHaveAttribute('data-active', 'true');
  await expect(review.getByTestId('held-review-handle')).toHaveCount(8);

  // Drag the bottom-right handle 10 image pixels right and 6 down.
  const corner = toScreen(before.x + before.width, before.y + before.height);
  await page.mouse.move(...corner);
  await page.mouse.down();
  await page.mouse.move(...toScreen(before.x + before.width + 5, before.y + before.height + 3), { steps: 3 });
  await page.mouse.move(...toScreen(before.x + before.width + 10, before.y + before.height + 6), {
    steps: 3,
  });
  await page.mouse.up();
  const resized = await regionOf(first);
  expect(resized).toMatchObject({ x: before.x, y: before.y });
  expect(Math.abs(resized.width - (before.width + 10))).toBeLessThanOrEqual(1);
  expect(Math.abs(resized.height - (before.height + 6))).toBeLessThanOrEqual(1);

  // The left edge's handle moves the left side only.
  await page.mouse.move(...toScreen(resized.x, resized.y + resized.height / 2));
  await page.mouse.down();
  await page.mouse.move(...toScreen(resized.x - 8, resized.y + resized.height / 2 + 20), { steps: 4 });
  await page.mouse.up();
  const widened = await regionOf(first);
  expect(Math.abs(widened.x - (resized.x - 8))).toBeLessThanOrEqual(1);
  expect(widened.y).toBe(resized.y);
  expect(widened.height).toBe(resized.height);
  expect(widened.x + widened.width).toBe(resized.x + resized.width);

  // Arrow keys: move by one pixel, Shift by ten, Alt resizes.
  await page.keyboard.press('ArrowUp');
  await expect(first).toHaveAttribute('data-y', String(widened.y - 1));
  await page.keyboard.press('Shift+ArrowRight');
  await expect(first).toHaveAttribute('data-x', String(widened.x + 10));
  await page.keyboard.press('Alt+ArrowRight');
  await expect(first).toHaveAttribute('data-width', String(widened.width + 1));
  await screenshot(page, 'deid-held-handles');

  await review.getByTestId('held-review-exclude').click();
  await expect(review.getByTestId('held-review-outcome')).toHaveAttribute('data-kind', 'excluded');
  await review.getByTestId('held-review-close').click();
  await dialog.getByTestId('deid-export-close').click();
});

test('after a restart the last export is offered for review with the same image, boxes and decision', async ({
  browser,
}) => {
  const boxesBefore = 1;
  await shut();
  await open(browser);
  await search(page, 'Label');
  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  await expect(dialog.getByTestId('deid-last-held')).toContainText('held 1 image');
  await dialog.getByTestId('deid-review-last').click();
  const review = page.getByTestId('deid-held-review');
  await expect(review.getByTestId('held-review-item')).toHaveCount(1);
  await expect(review.getByTestId('held-review-item')).toHaveAttribute('data-status', 'excluded');
  // The boxes were kept: shown at once, not read again.
  await expect(review.getByTestId('held-review-ocr-status')).toHaveAttribute('data-state', 'done');
  expect(await review.getByTestId('held-review-ocr-box').count()).toBeGreaterThanOrEqual(boxesBefore);
  await expect(review.getByTestId('held-review-release')).toBeDisabled();
  await screenshot(page, 'deid-held-after-restart');
  expect(pageErrors).toEqual([]);
});
