/**
 * De-identification as a radiologist meets it: the preview beside the image shows the original
 * name before and the pseudonym after; "De-identify & export" writes the study to a folder and
 * reports what was done, and an ultrasound image that may carry burned-in text is held, with why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries, makeTempDir, pydicomTestFilesDir } from '../fixtures/index.js';
import { type AppSession, expectImage, importPath, openApp, screenshot, search } from './support/app.js';

test.describe.configure({ mode: 'serial' });

/** pydicom's ultrasound image (patient "Anonymized"): held for review without a region rule or OCR. */
const ultrasoundFile = path.join(pydicomTestFilesDir, 'ExplVR_BigEnd.dcm');

let app: AppSession;
let ct: CtSeries;
let exportRoot: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 24, size: 256, seed: 'deid-e2e' });
  exportRoot = makeTempDir('e2e-deid-export');
  app = await openApp(browser, 'deid');
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
  await importPath(app.page, ultrasoundFile);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  if (exportRoot) fs.rmSync(exportRoot, { recursive: true, force: true });
});

test('the viewer’s De-id preview shows the patient’s name before and the pseudonym after', async () => {
  const { page } = app;
  await search(page, 'deid-e2e');
  await page.getByTestId('study-row').first().dblclick();
  await expectImage(page, 1, 24);
  await page.keyboard.press('d');
  const preview = page.getByTestId('deid-preview');
  await expect(preview).toBeVisible();
  const nameRow = preview.locator('[data-testid="deid-preview-row"][data-keyword="PatientName"]');
  await expect(nameRow.getByTestId('deid-preview-before')).toHaveText(ct.patientName);
  const pseudonym = (await nameRow.getByTestId('deid-preview-after').textContent()) ?? '';
  expect(pseudonym).toMatch(/^LOCAL/);
  const idRow = preview.locator('[data-testid="deid-preview-row"][data-keyword="PatientID"]');
  await expect(idRow.getByTestId('deid-preview-before')).toHaveText(ct.patientId);
  await expect(idRow.getByTestId('deid-preview-after')).toHaveText(pseudonym);
  await expect(preview).toContainText('Pixels are checked at export');
  await screenshot(page, 'deid-preview');

  await page.keyboard.press('d');
  await expect(preview).toBeHidden();
  await page.getByTestId('viewer-back').click();
});

test('exporting the CT study writes every image de-identified and reports what was done', async () => {
  const { page } = app;
  await search(page, 'deid-e2e');
  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  await expect(dialog.getByTestId('deid-summary-project')).toHaveText('LOCAL');
  const outputDir = path.join(exportRoot, 'ct');
  await dialog.getByTestId('deid-output-dir').fill(outputDir);
  await dialog.getByTestId('deid-export-start').click();
  await expect(dialog.getByTestId('deid-export-status')).toHaveAttribute('data-stage', 'finished', {
    timeout: 120_000,
  });
  await expect(dialog.getByTestId('deid-report-done')).toContainText('24');
  await expect(dialog.getByTestId('deid-report-held')).toContainText('0');
  const studyUid = (await dialog.getByTestId('deid-report-study-uid').textContent()) ?? '';

  const written = fs
    .readdirSync(path.join(outputDir, studyUid), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.dcm'));
  expect(written).toHaveLength(24);
  const sample = fs.readFileSync(path.join(outputDir, studyUid, written[0]!));
  expect(sample.includes(Buffer.from(ct.patientName))).toBe(false);
  expect(sample.includes(Buffer.from(ct.studyInstanceUID))).toBe(false);
  await dialog.getByTestId('deid-export-close').click();
});

test('exporting the ultrasound study holds its image for review and says why', async () => {
  const { page } = app;
  await search(page, 'Anonymized');
  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  // The folder of the CT export: made by an export, so another export may add to it.
  await dialog.getByTestId('deid-output-dir').fill(path.join(exportRoot, 'ct'));
  await dialog.getByTestId('deid-export-start').click();
  await expect(dialog.getByTestId('deid-export-status')).toHaveAttribute('data-stage', 'finished', {
    timeout: 120_000,
  });
  await expect(dialog.getByTestId('deid-report-held')).toContainText('1');
  await expect(dialog.getByTestId('deid-held-reasons')).toContainText('ultrasound');
  await expect(dialog.getByTestId('deid-held-reasons')).toContainText('OCR is off');
  await screenshot(page, 'deid-report');
  await dialog.getByTestId('deid-export-close').click();
});

test('a folder holding other files is refused with a message that says what to do', async () => {
  const { page } = app;
  const occupied = path.join(exportRoot, 'occupied');
  fs.mkdirSync(occupied, { recursive: true });
  fs.writeFileSync(path.join(occupied, 'notes.txt'), 'not an export');
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  await dialog.getByTestId('deid-output-dir').fill(occupied);
  await dialog.getByTestId('deid-export-start').click();
  await expect(dialog.getByTestId('deid-export-status')).toContainText('already contains other files');
  expect(fs.readdirSync(occupied)).toEqual(['notes.txt']);
  await dialog.getByTestId('deid-export-close').click();
});

test('the settings dialog saves a project ID and options, and the export dialog shows them', async () => {
  const { page } = app;
  await page.getByTestId('open-deid-settings').click();
  const settings = page.getByTestId('deid-settings-dialog');
  await expect(settings.getByTestId('deid-profile-research')).toBeChecked();
  await settings.getByTestId('deid-project-id').fill('LUNG-01');
  await settings.getByTestId('deid-option-retainSafePrivate').check();
  await settings.getByTestId('deid-trial-sponsorName').fill('Example Hospital');
  await screenshot(page, 'deid-settings');
  await settings.getByTestId('deid-settings-save').click();
  await expect(settings).toBeHidden();

  await search(page, 'deid-e2e');
  await page.getByTestId('study-row').first().click();
  await page.getByTestId('deid-export-open').click();
  const dialog = page.getByTestId('deid-export-dialog');
  await expect(dialog.getByTestId('deid-summary-project')).toHaveText('LUNG-01');
  await expect(dialog.getByTestId('deid-settings-summary')).toContainText('Retain safe private attributes');
  await dialog.getByTestId('deid-export-close').click();
});
