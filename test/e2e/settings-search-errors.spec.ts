/**
 * What a new user found (issue #7, items 8, 16, 17), checked the way they met it: a Chinese full
 * name typed into the search, the de-identification settings with options that exclude each other
 * and a project ID in the wrong format, and errors that say what to do (a path that does not
 * exist, a path below a file, an uploaded file that is not DICOM, an export folder that cannot be
 * made, then retried).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries, makeTempDir, pydicomCharsetFilesDir } from '../fixtures/index.js';
import { type AppSession, importPath, openApp, screenshot, search } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let ct: CtSeries;
let scratch: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  scratch = makeTempDir('e2e-settings-search-errors');
  // chrX2.dcm: Wang^XiaoDong=王^小东 in GB18030; chrX1.dcm: the traditional 王^小東 in UTF-8.
  const charsets = path.join(scratch, 'charsets');
  fs.mkdirSync(charsets);
  for (const name of ['chrX1.dcm', 'chrX2.dcm'])
    fs.copyFileSync(path.join(pydicomCharsetFilesDir, name), path.join(charsets, name));
  ct = ensureCtSeries({ slices: 4, size: 64, seed: 'settings-search-errors' });
  app = await openApp(browser, 'settings-search-errors');
  await importPath(app.page, charsets);
  await app.page.getByTestId('import-dismiss').click();
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const names = (page: Page) => page.getByTestId('study-row').locator('[data-column="patientName"]');

test('a Chinese full name finds its study, in Hanzi and in pinyin, with or without spaces', async () => {
  const { page } = app;
  for (const query of ['王小东', '王 小东', '王^小东']) {
    await search(page, query);
    await expect(names(page), query).toHaveCount(1);
    await expect(names(page).first()).toContainText('王小东');
  }
  await screenshot(page, 'search-chinese-full-name');
  // The pinyin of both spellings (simplified and traditional) is the same.
  for (const query of ['wangxiaodong', 'Wang Xiaodong', 'wáng xiǎo dōng']) {
    await search(page, query);
    await expect(names(page), query).toHaveCount(2);
  }
  await search(page, '');
});

test('the research profile shows the options it applies, and conflicting date options are refused', async () => {
  const { page } = app;
  await page.getByTestId('open-deid-settings').click();
  const settings = page.getByTestId('deid-settings-dialog');
  await expect(settings.getByTestId('deid-profile-research')).toBeChecked();
  for (const option of [
    'retainLongitudinalModifiedDates',
    'retainPatientCharacteristics',
    'retainDeviceIdentity',
    'cleanDescriptors',
    'cleanStructuredContent',
    'cleanGraphics',
    'cleanPixelData',
  ]) {
    await expect(settings.getByTestId(`deid-option-${option}`), option).toBeChecked();
    await expect(settings.getByTestId(`deid-option-${option}`), option).toBeDisabled();
  }
  await expect(settings.getByTestId('deid-option-retainSafePrivate')).not.toBeChecked();
  await expect(settings.getByTestId('deid-option-retainSafePrivate')).toBeEnabled();

  await settings.getByTestId('deid-option-retainLongitudinalFullDates').check();
  await expect(settings.getByTestId('deid-option-conflict')).toContainText(
    'The research profile already shifts dates per patient',
  );
  await expect(settings.getByTestId('deid-settings-save')).toBeDisabled();
  await screenshot(page, 'deid-settings-research-conflict');

  await settings.getByTestId('deid-profile-basic').check();
  await expect(settings.getByTestId('deid-option-conflict')).toHaveCount(0);
  await expect(settings.getByTestId('deid-option-cleanPixelData')).not.toBeChecked();
  await settings.getByTestId('deid-option-retainLongitudinalModifiedDates').check();
  await expect(settings.getByTestId('deid-option-conflict')).toContainText('exclude each other');
  await expect(settings.getByTestId('deid-settings-save')).toBeDisabled();
  await screenshot(page, 'deid-settings-basic-conflict');
  await settings.getByTestId('deid-option-retainLongitudinalFullDates').uncheck();
  await expect(settings.getByTestId('deid-option-conflict')).toHaveCount(0);
  await expect(settings.getByTestId('deid-settings-save')).toBeEnabled();
  await settings.getByTestId('deid-settings-cancel').click();
});

test('an invalid project ID is explained in words, in English and in Chinese', async () => {
  const { page } = app;
  await page.getByTestId('open-deid-settings').click();
  const settings = page.getByTestId('deid-settings-dialog');
  await expect(settings.getByTestId('deid-project-id-hint')).toContainText('Latin letters');
  await settings.getByTestId('deid-project-id').fill('LUNG STUDY');
  await expect(settings.getByTestId('deid-project-id-error')).toContainText(
    'Latin letters (A–Z, a–z), digits, hyphens (-) and underscores (_) only',
  );
  await expect(settings.getByTestId('deid-settings-save')).toBeDisabled();
  await screenshot(page, 'deid-settings-project-id');
  await page.getByTestId('language-switch').selectOption('zh-CN');
  await expect(settings.getByTestId('deid-project-id-error')).toContainText('只能包含英文字母');
  await screenshot(page, 'deid-settings-project-id-zh-CN');
  await page.getByTestId('language-switch').selectOption('en');
  await settings.getByTestId('deid-project-id').fill('LUNG_STUDY-2');
  await expect(settings.getByTestId('deid-project-id-error')).toHaveCount(0);
  await expect(settings.getByTestId('deid-settings-save')).toBeEnabled();
  await settings.getByTestId('deid-settings-cancel').click();
});

async function importFailing(page: Page, target: string): Promise<void> {
  await page.getByTestId('import-button').click();
  await page.getByTestId('import-path').fill(target);
  await page.getByTestId('import-path-submit').click();
  await expect(page.getByTestId('import-errors')).toBeVisible({ timeout: 60_000 });
}

test('importing a path that does not exist, or a path below a file, says so', async () => {
  const { page } = app;
  const missing = path.join(scratch, 'no-such-folder');
  await importFailing(page, missing);
  const row = page.getByTestId('import-error-row');
  await expect(row).toHaveAttribute('data-code', 'path-not-found');
  await expect(row).toContainText(missing);
  await expect(row.getByTestId('import-error-reason')).toHaveText(/does not exist/);
  await expect(row).not.toContainText('no longer in the catalog');
  await screenshot(page, 'import-path-not-found');
  await page.getByTestId('import-dismiss').click();

  const file = path.join(scratch, 'a-file.txt');
  fs.writeFileSync(file, 'not a folder');
  await importFailing(page, path.join(file, 'scans'));
  await expect(row).toHaveAttribute('data-code', 'not-a-folder');
  await expect(row.getByTestId('import-error-reason')).toHaveText(/below a file/);
  await expect(row).not.toContainText('unexpected');
  await page.getByTestId('import-dismiss').click();
});

test('an uploaded file that is not DICOM is named by its own name, with the reason once', async () => {
  const { page } = app;
  const notes = path.join(scratch, 'ward-notes.txt');
  fs.writeFileSync(notes, 'A note left on the CD, not an image.\n');
  await page.getByTestId('import-button').click();
  await page.getByTestId('import-file-input').setInputFiles([notes, ct.files[0]!]);
  await expect(page.getByTestId('import-errors')).toBeVisible({ timeout: 60_000 });
  const row = page.getByTestId('import-error-row');
  await expect(row).toHaveCount(1);
  await expect(row.locator('.import-errors__path')).toHaveText('ward-notes.txt');
  await expect(row).not.toContainText('staging');
  const text = (await row.textContent()) ?? '';
  expect(text.match(/not DICOM/gi) ?? [], text).toHaveLength(1);
  await screenshot(page, 'import-upload-error');
  await page.getByTestId('import-dismiss').click();
});

test('after an export folder is refused, the path can be corrected and the export retried', async () => {
  const { page } = app;
  await search(page, 'settings-search-errors');
  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  const file = path.join(scratch, 'export-here.txt');
  fs.writeFileSync(file, 'a file, not a folder');
  await dialog.getByTestId('deid-output-dir').fill(path.join(file, 'export'));
  await dialog.getByTestId('deid-export-start').click();
  await expect(dialog.getByTestId('deid-export-status')).toHaveAttribute('data-stage', 'finished');
  await expect(dialog.getByTestId('deid-export-status')).toContainText('not a folder');
  await expect(dialog.getByTestId('deid-export-status')).not.toContainText('unexpected');
  await expect(dialog.getByTestId('deid-output-dir')).toBeEditable();
  await expect(dialog.getByTestId('deid-export-retry')).toBeVisible();
  await screenshot(page, 'deid-export-retry');

  const good = path.join(scratch, 'export-ok');
  await dialog.getByTestId('deid-output-dir').fill(good);
  await dialog.getByTestId('deid-export-retry').click();
  await expect(dialog.getByTestId('deid-report-done')).toContainText(String(ct.files.length), {
    timeout: 120_000,
  });
  await expect(dialog.getByTestId('deid-export-retry')).toHaveCount(0);
  expect(fs.readdirSync(good).some((name) => name.startsWith('2.25.'))).toBe(true);
  await dialog.getByTestId('deid-export-close').click();
});
