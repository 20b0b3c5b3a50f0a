/**
 * The de-identification screens a reader works with (issue #8 item 8): the preview explains its
 * action codes and shows code sequence items as one row each; an image held for burned-in text
 * is reviewed on its own screen — the reader sees it, drags a region over the text, previews the
 * mask, releases it, and the written file is black there; the next study from the same device and
 * image size is then exported without being held.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Locator, expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import {
  HELD_ULTRASOUND_SIZE,
  heldUltrasoundFile,
  pixelsInRect,
  writeUltrasoundCopy,
} from '../fixtures/held-ultrasound.js';
import { type AppSession, expectImage, importPath, openApp, screenshot, search } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let ct: CtSeries;
let exportRoot: string;
let copies: string;

/** The element's box once the dialog's opening animation has settled (two reads a frame apart agree). */
async function stableBox(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  let last = await locator.boundingBox();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    await locator.page().waitForTimeout(50);
    const next = await locator.boundingBox();
    if (last && next && JSON.stringify(last) === JSON.stringify(next)) return next;
    last = next;
  }
  throw new Error('the element kept moving');
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 6, size: 128, seed: 'deid-review-e2e' });
  exportRoot = makeTempDir('e2e-deid-review-export');
  copies = makeTempDir('e2e-deid-review-copies');
  writeUltrasoundCopy(path.join(copies, 'second.dcm'), 'Second^Scan');
  app = await openApp(browser, 'deid-review');
  for (const target of [ct.dir, heldUltrasoundFile, path.join(copies, 'second.dcm')]) {
    await importPath(app.page, target);
    await app.page.getByTestId('import-dismiss').click();
  }
});

test.afterAll(async () => {
  await app?.close();
  for (const dir of [exportRoot, copies]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the preview explains its action codes and groups code sequence items into one row', async () => {
  const { page } = app;
  await search(page, 'deid-review-e2e');
  await page.getByTestId('study-row').first().dblclick();
  await expectImage(page, 1, 6);
  await page.keyboard.press('d');
  const preview = page.getByTestId('deid-preview');
  await expect(preview.getByTestId('deid-preview-table')).toBeVisible();

  const legend = preview.getByTestId('deid-preview-legend');
  await legend.locator('summary').click();
  for (const [code, meaning] of [
    ['X', 'Removed'],
    ['Z', 'Emptied'],
    ['D', 'Dummy'],
    ['U', 'UID replaced'],
    ['K', 'Kept'],
    ['C', 'Cleaned'],
    ['(set)', 'written over the original value'],
    ['(added)', 'the original had no such attribute'],
    ['(standard UID)', 'not identifying'],
  ] as const)
    await expect(legend.locator(`[data-testid="deid-legend-item"][data-code="${code}"]`)).toContainText(
      meaning,
    );

  // The pseudonym's action says what it is on hover; the full value is the cell's title.
  const nameRow = preview.locator('[data-testid="deid-preview-row"][data-keyword="PatientName"]');
  await expect(nameRow.getByTestId('deid-preview-action')).toHaveAttribute(
    'title',
    /^D \(set\) — Dummy.*written over/,
  );
  await expect(nameRow.getByTestId('deid-preview-before')).toHaveAttribute('title', ct.patientName);

  // DeidentificationMethodCodeSequence: its items are "code" rows with their meaning.
  const codes = preview.getByTestId('deid-preview-code');
  expect(await codes.count()).toBeGreaterThan(0);
  const basic = codes.filter({ hasText: '113100' });
  await expect(basic.getByTestId('deid-preview-after')).toHaveText(
    /^\(113100, DCM\) "Basic Application Confidentiality Profile"$/,
  );
  await expect(preview.locator('[data-testid="deid-preview-row"][data-keyword="CodeMeaning"]')).toHaveCount(
    0,
  );
  await basic.getByTestId('deid-preview-code-toggle').click();
  await expect(preview.locator('[data-testid="deid-preview-row"][data-keyword="CodeValue"]')).toHaveCount(1);
  await expect(preview.locator('[data-testid="deid-preview-row"][data-keyword="CodeMeaning"]')).toHaveCount(
    1,
  );
  await screenshot(page, 'deid-preview-legend');
  await page.keyboard.press('d');
  await page.getByTestId('viewer-back').click();
});

test('a held ultrasound image is reviewed: the reader draws a region over the text, previews, releases; the written file is black there', async () => {
  const { page } = app;
  await search(page, 'Anonymized');
  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  const outputDir = path.join(exportRoot, 'us');
  await dialog.getByTestId('deid-output-dir').fill(outputDir);
  await dialog.getByTestId('deid-export-start').click();
  await expect(dialog.getByTestId('deid-export-status')).toHaveAttribute('data-stage', 'finished', {
    timeout: 120_000,
  });
  await expect(dialog.getByTestId('deid-report-held')).toContainText('1');

  await dialog.getByTestId('deid-review-open').click();
  const review = page.getByTestId('deid-held-review');
  await expect(review).toBeVisible();
  await expect(review.getByTestId('held-review-item')).toHaveCount(1);
  await expect(review.getByTestId('held-review-item')).toHaveAttribute('data-status', 'held');
  await expect(review.getByTestId('held-review-device')).toContainText('G.E. Medical Systems LOGIQ 700');
  await expect(review.getByTestId('held-review-device')).toContainText('80×60');
  await expect(review.getByTestId('held-review-reasons')).toContainText('ultrasound');
  await expect(review.getByTestId('held-review-reasons')).toContainText('OCR is off');
  // The image is drawn by Cornerstone, and the overlay lies over it in image pixels.
  await expect(review.getByTestId('held-review-image').locator('canvas')).toBeVisible();
  const overlay = review.getByTestId('held-review-overlay');
  await expect(overlay).toHaveAttribute('data-columns', String(HELD_ULTRASOUND_SIZE.columns));
  const box = await stableBox(overlay);
  expect(box.width / box.height).toBeCloseTo(80 / 60, 1);
  await screenshot(page, 'deid-held-review');

  // Drag over the top 12 rows, across the whole width, from just above the image to past its right
  // edge (clamped to the image).
  const at = (x: number, y: number) => [box.x + (x / 80) * box.width, box.y + (y / 60) * box.height] as const;
  await page.mouse.move(...at(0.3, -1));
  await page.mouse.down();
  await page.mouse.move(...at(40, 6), { steps: 4 });
  await page.mouse.move(...at(85, 11.8), { steps: 4 });
  await page.mouse.up();
  const region = review.getByTestId('held-review-region');
  await expect(region).toHaveCount(1);
  await expect(region).toHaveAttribute('data-x', '0');
  await expect(region).toHaveAttribute('data-y', '0');
  await expect(region).toHaveAttribute('data-width', '80');
  await expect(region).toHaveAttribute('data-height', '12');

  await review.getByTestId('held-review-preview').click();
  await expect(review.getByTestId('held-review-preview')).toHaveAttribute('aria-pressed', 'true');
  await expect(region).toHaveClass(/held-review__region--masked/);
  await screenshot(page, 'deid-held-review-preview');

  await review.getByTestId('held-review-release').click();
  await expect(review.getByTestId('held-review-outcome')).toHaveAttribute('data-kind', 'released', {
    timeout: 60_000,
  });
  await expect(review.getByTestId('held-review-item')).toHaveAttribute('data-status', 'released');
  await screenshot(page, 'deid-held-review-released');
  await review.getByTestId('held-review-close').click();
  await expect(review).toBeHidden();
  await expect(dialog.getByTestId('deid-report-done')).toContainText('1');
  await expect(dialog.getByTestId('deid-report-held')).toContainText('0');

  const written = fs
    .readdirSync(outputDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.dcm'));
  expect(written).toHaveLength(1);
  const pixels = pixelsInRect(path.join(outputDir, written[0]!), { x: 0, y: 0, width: 80, height: 12 });
  expect(pixels).toMatchObject({ insideMin: 0, insideMax: 0 });
  expect(pixels.outsideMax).toBeGreaterThan(0);
  await dialog.getByTestId('deid-export-close').click();
});

test('the next study from the same device and image size is exported masked, not held', async () => {
  const { page } = app;
  await search(page, 'Second');
  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  const outputDir = path.join(exportRoot, 'second');
  await dialog.getByTestId('deid-output-dir').fill(outputDir);
  await dialog.getByTestId('deid-export-start').click();
  await expect(dialog.getByTestId('deid-export-status')).toHaveAttribute('data-stage', 'finished', {
    timeout: 120_000,
  });
  await expect(dialog.getByTestId('deid-report-done')).toContainText('1');
  await expect(dialog.getByTestId('deid-report-held')).toContainText('0');
  await expect(dialog.getByTestId('deid-review-open')).toHaveCount(0);
  const written = fs
    .readdirSync(outputDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.dcm'));
  expect(
    pixelsInRect(path.join(outputDir, written[0]!), { x: 0, y: 0, width: 80, height: 12 }),
  ).toMatchObject({
    insideMax: 0,
  });
  await dialog.getByTestId('deid-export-close').click();
});

test('the review screen in Chinese', async () => {
  const { page } = app;
  await page.getByTestId('language-switch').selectOption('zh-CN');
  await search(page, 'deid-review-e2e');
  await page.getByTestId('study-row').first().dblclick();
  // The viewer's keys work once it shows the study's image.
  await expectImage(page, 1, 6);
  await page.keyboard.press('d');
  await expect(page.getByTestId('deid-preview').getByTestId('deid-preview-table')).toBeVisible();
  const legend = page.getByTestId('deid-preview-legend');
  await legend.locator('summary').click();
  await expect(legend).toContainText('操作代码说明');
  await expect(legend.locator('[data-testid="deid-legend-item"][data-code="X"]')).toContainText('删除');
  await screenshot(page, 'deid-preview-legend-zh-CN');
});
