/**
 * Importing what a CD or a research share really holds (pydicom's reference files, character-set
 * samples, broken and non-DICOM files), reading names in their own scripts, and the Chinese UI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  type BrokenFile,
  ensureCtSeries,
  listPydicomFiles,
  makeBrokenFiles,
  makeTempDir,
  pydicomCharsetFilesDir,
  pydicomTestFilesDir,
} from '../fixtures/index.js';
import { type AppSession, importPath, openApp, screenshot, search } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let mixedDir: string;
let broken: BrokenFile[];

test.beforeAll(async ({ browser }) => {
  // One folder as found on a research share: reference files, charsets, and files that must fail.
  mixedDir = makeTempDir('e2e-mixed');
  for (const file of [
    ...listPydicomFiles(pydicomTestFilesDir),
    ...listPydicomFiles(pydicomCharsetFilesDir),
  ]) {
    const prefix = path.dirname(file) === pydicomCharsetFilesDir ? 'charset-' : '';
    fs.copyFileSync(file, path.join(mixedDir, prefix + path.basename(file)));
  }
  broken = makeBrokenFiles(path.join(mixedDir, 'broken'));
  app = await openApp(browser, 'import');
});

test.afterAll(async () => {
  await app?.close();
  fs.rmSync(mixedDir, { recursive: true, force: true });
});

test('importing a folder lists every broken or non-DICOM file with its reason', async () => {
  const { page } = app;
  await importPath(page, mixedDir);
  const errors = page.getByTestId('import-errors');
  await expect(errors).toBeVisible();
  for (const file of broken) {
    const row = errors.getByTestId('import-error-row').filter({ hasText: path.basename(file.path) });
    await expect(row, path.basename(file.path)).toHaveCount(1);
    await expect(row).toHaveAttribute('data-code', file.expectedCode);
  }
  await expect(errors.getByTestId('import-error-row').filter({ hasText: 'notes.txt' })).toContainText(
    'This file is not DICOM',
  );
  await screenshot(page, 'import-errors');
  await page.getByTestId('import-dismiss').click();
  await expect(page.getByTestId('import-status')).toHaveCount(0);
});

test('a GB18030-encoded patient name is shown in Chinese characters', async () => {
  const { page } = app;
  await search(page, 'XiaoDong');
  const names = page.getByTestId('study-row').locator('[data-column="patientName"]');
  // chrX2.dcm (GB18030, simplified) and chrX1.dcm (UTF-8, traditional).
  await expect(names.filter({ hasText: '王小东 (Wang XiaoDong)' })).toHaveCount(1);
  await expect(names.filter({ hasText: '王小東 (Wang XiaoDong)' })).toHaveCount(1);
});

test('names in other scripts keep their characters', async () => {
  const { page } = app;
  for (const [query, shown] of [
    ['Buc', 'Buc Jérôme'],
    ['Yamada', '山田太郎 (Yamada Tarou)'],
    ['Hong', '洪吉洞 (Hong Gildong)'],
  ] as const) {
    await search(page, query);
    await expect(
      page.getByTestId('study-row').locator('[data-column="patientName"]').filter({ hasText: shown }).first(),
    ).toBeVisible();
  }
});

test('columns sort on the server, both ways', async () => {
  const { page } = app;
  await search(page, '');
  const images = async () =>
    (await page.getByTestId('study-row').locator('[data-column="numberOfInstances"]').allTextContents()).map(
      Number,
    );
  await page.getByTestId('sort-numberOfInstances').click();
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText('Images');
  await expect.poll(images).toEqual([...(await images())].sort((a, b) => a - b));
  await page.getByTestId('sort-numberOfInstances').click();
  await expect(page.locator('th[aria-sort="descending"]')).toContainText('Images');
  await expect.poll(async () => (await images())[0]).toBe(Math.max(...(await images())));
  const counts = await images();
  expect(counts).toEqual([...counts].sort((a, b) => b - a));
  await page.getByTestId('sort-studyDate').click();
  await page.getByTestId('sort-studyDate').click();
});

test('the keyboard walks the list and Enter opens the selected study', async () => {
  const { page } = app;
  await search(page, 'XiaoDong');
  await page.getByTestId('worklist-search').blur();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('[data-testid="study-row"][aria-selected="true"]')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(page.getByTestId('overlay-patient')).toContainText('Wang XiaoDong');
  // Backspace leaves the viewer (Esc only closes its panels).
  await page.keyboard.press('Backspace');
});

test('a study without images (a structured report) opens with a message instead of a broken viewport', async () => {
  const { page } = app;
  await search(page, 'OFFIS Structured Reporting Test');
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'no-images');
  await expect(page.getByTestId('viewport-0')).toContainText('no images to show');
  await page.keyboard.press('Backspace');
  await expect(page.getByTestId('worklist')).toBeVisible();
});

test('files chosen in the file picker are uploaded and imported', async () => {
  const { page } = app;
  const upload = ensureCtSeries({ slices: 3, size: 64, seed: 'upload' });
  await page.getByTestId('import-button').click();
  await page.getByTestId('import-file-input').setInputFiles(upload.files);
  await expect(page.getByTestId('import-phase')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('import-counts')).toContainText('3 added');
  await search(page, 'upload');
  await expect(page.getByTestId('study-row')).toHaveCount(1);
});

test('files dropped on the window are imported', async () => {
  const { page } = app;
  const dropped = ensureCtSeries({ slices: 2, size: 32, seed: 'dropped' });
  const files = dropped.files.map((file) => ({
    name: path.basename(file),
    base64: fs.readFileSync(file).toString('base64'),
  }));
  const transfer = await page.evaluateHandle((list) => {
    const data = new DataTransfer();
    for (const { name, base64 } of list) {
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      data.items.add(new File([bytes], name, { type: 'application/dicom' }));
    }
    return data;
  }, files);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: transfer });
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
  await expect(page.getByTestId('drop-zone')).toHaveCount(0);
  await expect(page.getByTestId('import-phase')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('import-counts')).toContainText('2 added');
  await page.getByTestId('import-dismiss').click();
});

test('a running import shows its progress and stops when cancelled', async () => {
  const { page } = app;
  // Many small files: long enough an import to cancel half-way.
  const many = ensureCtSeries({ slices: 1500, size: 64, seed: 'cancel' });
  await page.getByTestId('import-button').click();
  await page.getByTestId('import-path').fill(many.dir);
  await page.getByTestId('import-path-submit').click();
  await expect(page.getByTestId('import-progress')).toBeVisible();
  await expect(page.getByTestId('import-cancel')).toBeEnabled();
  await screenshot(page, 'import-progress');
  await page.getByTestId('import-cancel').click();
  await expect(page.getByTestId('import-phase')).toHaveAttribute('data-phase', 'cancelled', {
    timeout: 60_000,
  });
  const counts = await page.getByTestId('import-counts').textContent();
  const added = Number(/(\d+) added/.exec(counts ?? '')?.[1]);
  expect(added).toBeLessThan(1500);
  await page.getByTestId('import-dismiss').click();
});

test('switching to 简体中文 translates the interface and shows dates the Chinese way', async () => {
  const { page } = app;
  await search(page, 'upload');
  await page.getByTestId('language-switch').selectOption('zh-CN');
  await expect(page.getByTestId('nav-worklist')).toHaveText('工作列表');
  await expect(page.getByTestId('research-banner')).toHaveText('仅供科研使用 — 不得用于诊断');
  await expect(page.getByTestId('study-row').locator('[data-column="studyDate"]')).toHaveText('2024/01/15');
  await expect(page.getByTestId('study-row').locator('[data-column="patientSex"]')).toHaveText('其他');
  await expect(page.getByTestId('study-count')).toHaveText('1 个检查');
  await search(page, '');
  await page.getByTestId('study-row').filter({ hasText: '王小东' }).click();
  await screenshot(page, 'zh-CN');
  // The choice survives a reload.
  await page.reload();
  await expect(page.getByTestId('nav-worklist')).toHaveText('工作列表');
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toContainText('窗宽窗位预设');
  await screenshot(page, 'help-zh-CN');
  await page.keyboard.press('Escape');
  await page.getByTestId('language-switch').selectOption('en');
  await expect(page.getByTestId('nav-worklist')).toHaveText('Worklist');
});

test('the About dialog states research use only and where the data lives', async () => {
  const { page } = app;
  await page.getByTestId('open-about').click();
  const dialog = page.getByTestId('about-dialog');
  await expect(dialog).toContainText('must not be used for diagnosis');
  await expect(dialog).toContainText(app.host.dataDir);
  await expect(dialog.getByTestId('about-version')).toContainText('RadLabel 0.1.0');
  await screenshot(page, 'about');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
});
