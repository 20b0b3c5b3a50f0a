/**
 * The annotation panel (#9 item 3): the study's measurements grouped by label and series, a click
 * that shows the measurement's image, hide / lock / delete seen on the image, editing label and
 * attributes, the classification questions, everything back after a reload, "mark complete"
 * refused with the list of what is missing and then accepted, and the next / previous study of the
 * worklist without going back to it.
 */
import { expect, test } from '@playwright/test';
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
import {
  type ImageFrame,
  TEST_SCHEMA,
  drag,
  imageFrame,
  loadSchema,
  mmBetween,
  pageAt,
  settle,
} from './support/annotate.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let first: CtSeries;
let second: CtSeries;
let frame: ImageFrame;
/** The patient names in the worklist's order (the order next/previous follows). */
let order: string[] = [];

const LESION_RED = '#e6194b';

const rows = () => app.page.getByTestId('annotation-row');
const row = (uid: string) => app.page.locator(`[data-testid="annotation-row"][data-uid="${uid}"]`);
const patient = () => app.page.getByTestId('viewport-0').getByTestId('overlay-patient');

/** Draws a length and returns its annotation id (read from the picker), picking `key`. */
async function drawLength(from: [number, number], to: [number, number], key: string): Promise<string> {
  const { page } = app;
  await drag(page, pageAt(frame, ...from), pageAt(frame, ...to));
  const picker = page.getByTestId('label-picker');
  await expect(picker).toBeVisible();
  const uid = (await picker.getAttribute('data-uid'))!;
  await page.keyboard.press(key);
  return uid;
}

/** How many SVG shapes of this color the viewport draws (Cornerstone draws annotations in SVG). */
async function shapesOfColor(color: string): Promise<number> {
  return app.page
    .locator(
      `[data-testid="viewport-element-0"] svg [stroke="${color}"], [data-testid="viewport-element-0"] svg [stroke="${color.toUpperCase()}"]`,
    )
    .count();
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  first = ensureCtSeries({ slices: 10, size: 512, seed: 'annotate-panel-a' });
  second = ensureCtSeries({ slices: 10, size: 512, seed: 'annotate-panel-b' });
  app = await openApp(browser, 'annotation-panel');
  await loadSchema(app.page, TEST_SCHEMA);
  await importPath(app.page, first.dir);
  await app.page.getByTestId('import-dismiss').click();
  await importPath(app.page, second.dir);
  await app.page.getByTestId('import-dismiss').click();
  await search(app.page, 'annotate-panel');
  await expect(app.page.getByTestId('study-row')).toHaveCount(2);
  order = await app.page.getByTestId('study-row').locator('[data-column="patientName"]').allInnerTexts();
  await app.page.getByTestId('study-row').first().dblclick();
  await expect(app.page.getByTestId('viewer')).toBeVisible();
  await expectImage(app.page, 1, 10);
  await expect(patient()).toHaveText(order[0]!);
  await nextFrames(app.page);
  frame = await imageFrame(app.page, 512);
});

test.afterAll(async () => {
  await app?.close();
});

let lesion = '';
let nodule = '';
let spare = '';

test('measurements are grouped by label and series, and a click shows the measurement’s image', async () => {
  const { page } = app;
  await page.keyboard.press('L');
  lesion = await drawLength([150, 200], [330, 290], '1');
  // Lesion asks for its attributes: later.
  await page.getByTestId('label-picker').getByTestId('attribute-skip').click();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expectImage(page, 5, 10);
  nodule = await drawLength([100, 100], [200, 100], '2');
  spare = await drawLength([300, 400], [380, 420], '2');
  await expect(rows()).toHaveCount(3);

  const groups = page.getByTestId('annotation-group');
  await expect(groups).toHaveCount(2);
  await expect(groups.nth(0)).toHaveAttribute('data-label', 'lesion');
  await expect(groups.nth(1)).toHaveAttribute('data-label', 'nodule');
  await expect(groups.nth(1).getByTestId('annotation-row')).toHaveCount(2);
  await expect(groups.nth(0).locator('.annotation-group__series-title')).toHaveText('#2 Axial 1.25 mm');
  await expect(row(lesion)).toContainText('Im 1');
  await expect(row(nodule)).toContainText('Im 5');
  // The lesion lacks its required attributes: marked.
  await expect(row(lesion).getByTestId('annotation-incomplete')).toHaveCount(1);

  await row(lesion).getByTestId('annotation-jump').click();
  await expectImage(page, 1, 10);
  await expect(row(lesion)).toHaveClass(/annotation-row--selected/);
  await row(nodule).getByTestId('annotation-jump').click();
  await expectImage(page, 5, 10);
  await screenshot(page, 'annotation-panel');
});

test('hide, lock and delete act on what the image shows', async () => {
  const { page } = app;
  await row(lesion).getByTestId('annotation-jump').click();
  await expectImage(page, 1, 10);
  await settle(page);
  expect(await shapesOfColor(LESION_RED)).toBeGreaterThan(0);
  await row(lesion).getByTestId('annotation-hide').click();
  await expect(row(lesion)).toHaveAttribute('data-hidden', 'true');
  await expect.poll(() => shapesOfColor(LESION_RED)).toBe(0);
  await row(lesion).getByTestId('annotation-hide').click();
  await expect.poll(() => shapesOfColor(LESION_RED)).toBeGreaterThan(0);

  // Locked: dragging its end point leaves the length as it was.
  const before = JSON.parse((await row(lesion).getAttribute('data-values'))!) as { length: number };
  await row(lesion).getByTestId('annotation-lock').click();
  await expect(row(lesion)).toHaveAttribute('data-locked', 'true');
  await page.keyboard.press('W');
  await drag(page, pageAt(frame, 330, 290), pageAt(frame, 380, 330));
  await page.waitForTimeout(300);
  const after = JSON.parse((await row(lesion).getAttribute('data-values'))!) as { length: number };
  expect(after.length).toBeCloseTo(before.length, 6);
  expect(before.length).toBeCloseTo(mmBetween(frame, pageAt(frame, 150, 200), pageAt(frame, 330, 290)), 1);

  await row(spare).getByTestId('annotation-delete').click();
  await expect(rows()).toHaveCount(2);
});

test('mark complete is refused by main while anything required is missing, with the list of what', async () => {
  const { page } = app;
  // Main decides: its answer to setStudyStatus is the refusal `incomplete`, and the panel lists
  // what main found missing (annotation.completeness), in the reader's language.
  const answer = page.waitForResponse((response) =>
    response.url().endsWith('/api/rpc/annotation.setStudyStatus'),
  );
  await page.getByTestId('mark-complete').click();
  const refusal = await answer;
  expect(refusal.status()).toBe(409);
  expect(((await refusal.json()) as { error: { code: string; message: string } }).error).toMatchObject({
    code: 'incomplete',
    message: expect.stringContaining('“Margin” of a Lesion'),
  });
  const refused = page.getByTestId('complete-refused');
  await expect(refused).toBeVisible();
  await expect(refused.locator('li')).toHaveText([
    'Margin of a Lesion',
    'Count of a Lesion',
    'an answer to “Image quality”',
  ]);
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'draft');
  await screenshot(page, 'annotation-complete-refused');

  // Edit the lesion's attributes in the panel, answer the question: accepted (by key).
  await row(lesion).getByTestId('annotation-jump').click();
  const edit = row(lesion).getByTestId('annotation-edit');
  await edit.getByTestId('attribute-option-margin-smooth').click();
  await edit.getByTestId('attribute-input-count').fill('2');
  await edit.getByTestId('attribute-save').click();
  await expect(row(lesion).getByTestId('annotation-incomplete')).toHaveCount(0);
  // Relabel the nodule through the panel's label list and back.
  await row(nodule).getByTestId('annotation-jump').click();
  await row(nodule).getByTestId('annotation-label-select').selectOption('calcification');
  await expect(row(nodule)).toHaveAttribute('data-label', 'calcification');
  await page.getByTestId('question-option-quality-good').check();
  await page.getByTestId('question-option-artifacts-motion').check();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'complete');
  await expect(page.getByTestId('complete-refused')).toHaveCount(0);
  await expect(page.getByTestId('annotation-save-state')).toHaveAttribute('data-state', 'saved');
});

test('after a reload every measurement, label, attribute, flag, answer and the status are back', async () => {
  const { page } = app;
  await page.reload();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(rows()).toHaveCount(2);
  await expect(row(lesion)).toHaveAttribute('data-label', 'lesion');
  await expect(row(lesion)).toHaveAttribute('data-locked', 'true');
  await expect(row(lesion).getByTestId('annotation-incomplete')).toHaveCount(0);
  await expect(row(nodule)).toHaveAttribute('data-label', 'calcification');
  await expect(page.getByTestId('question-option-quality-good')).toBeChecked();
  await expect(page.getByTestId('question-option-artifacts-motion')).toBeChecked();
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'complete');
  await row(lesion).getByTestId('annotation-jump').click();
  const edit = row(lesion).getByTestId('annotation-edit');
  await expect(edit.getByTestId('attribute-option-margin-smooth')).toHaveAttribute('aria-checked', 'true');
  await expect(edit.getByTestId('attribute-input-count')).toHaveValue('2');
});

test('next and previous study follow the worklist without going back to it', async () => {
  const { page } = app;
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+ArrowDown');
  await expect(patient()).toHaveText(order[1]!);
  await expect(rows()).toHaveCount(0);
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'none');
  // The last study of the list: it says so and stays.
  await page.getByTestId('next-study').click();
  await expect(page.getByTestId('study-list-end')).toBeVisible();
  await expect(patient()).toHaveText(order[1]!);
  await page.getByTestId('previous-study').click();
  await expect(patient()).toHaveText(order[0]!);
  await expect(rows()).toHaveCount(2);
  // The worklist shows the first study complete.
  await page.keyboard.press('Backspace');
  await expect(page.getByTestId('worklist')).toBeVisible();
  const statusCell = page
    .getByTestId('study-row')
    .filter({ hasText: order[0]! })
    .locator('[data-column="annotation"]');
  await expect(statusCell).toHaveAttribute('data-status', 'complete');
});

test('the panel, the tools and the picker speak Chinese when the interface does', async () => {
  const { page } = app;
  await page.getByTestId('language-switch').selectOption('zh-CN');
  await page.getByTestId('study-row').filter({ hasText: order[0]! }).dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(page.getByTestId('study-status')).toHaveText('已完成');
  await expect(page.getByTestId('reopen-study')).toHaveText('重新打开');
  await expect(page.getByTestId('tool-Length')).toHaveAttribute('title', '长度 (L)');
  await expect(page.getByTestId('annotation-group').first()).toContainText('病灶');
  await page.keyboard.press('L');
  await drag(page, pageAt(frame, 100, 450), pageAt(frame, 200, 470));
  await expect(page.getByTestId('label-option').first()).toContainText('病灶');
  await page.keyboard.type('结');
  await expect(page.getByTestId('label-option')).toHaveText([/结节/]);
  await screenshot(page, 'annotation-panel-zh');
  // A measurement drawn after the study was marked complete: the panel says what is missing now.
  await expect(page.getByTestId('complete-now-missing')).toContainText('缺少 1 项');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-testid="annotation-group"][data-label="nodule"]')).toContainText('结节');
  await expect(page.getByTestId('complete-now-missing')).toHaveCount(0);
  await page.getByTestId('language-switch').selectOption('en');
});
