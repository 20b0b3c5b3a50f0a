/**
 * PACS from the worklist, against Orthanc as the hospital PACS on loopback: the settings page
 * turns receiving on and tests the connection to a node (C-ECHO); the query panel finds a study
 * (C-FIND) and retrieves it (C-MOVE) with progress, and the study appears in the worklist.
 */
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { ensureCtSeries } from '../fixtures/index.js';
import { type Orthanc, freePort, startOrthanc } from '../support/orthanc.js';
import { type AppSession, openApp, screenshot } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let orthanc: Orthanc;
let scpPort: number;
const series = ensureCtSeries({ slices: 6, size: 64, seed: 'e2e-pacs' });

test.beforeAll(async ({ browser }) => {
  scpPort = await freePort();
  orthanc = await startOrthanc({ radlabel: ['RADLABEL', '127.0.0.1', scpPort] });
  for (const file of series.files) {
    const response = await orthanc.rest('/instances', { method: 'POST', body: fs.readFileSync(file) });
    expect(response.ok).toBe(true);
  }
  app = await openApp(browser, 'pacs');
});

test.afterAll(async () => {
  await app?.close();
  await orthanc?.stop();
});

test('PACS settings: receiving turned on, a node added, test connection succeeds', async () => {
  const { page } = app;
  await page.getByTestId('pacs-settings-open').click();
  const dialog = page.getByTestId('pacs-settings');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('pacs-enabled').check();
  await dialog.getByTestId('pacs-ae-title').fill('RADLABEL');
  await dialog.getByTestId('pacs-port').fill(String(scpPort));
  await dialog.getByTestId('pacs-bind').fill('127.0.0.1');
  await dialog.getByTestId('pacs-save').click();
  await expect(dialog.getByTestId('pacs-status')).toHaveText(`Receiving on port ${scpPort}`);

  await dialog.getByTestId('pacs-node-name').fill('Hospital PACS');
  await dialog.getByTestId('pacs-node-ae').fill('ORTHANC');
  await dialog.getByTestId('pacs-node-host').fill('127.0.0.1');
  await dialog.getByTestId('pacs-node-port').fill(String(orthanc.dicomPort));
  await dialog.getByTestId('pacs-node-save').click();
  const node = dialog.getByTestId('pacs-node');
  await expect(node).toHaveCount(1);
  await node.getByTestId('pacs-test').click();
  await expect(node.getByTestId('pacs-echo-result')).toContainText('Connected');
  await screenshot(page, 'pacs-settings');
  await dialog.getByTestId('pacs-settings-close').click();
  await expect(dialog).toHaveCount(0);
});

test('Query PACS from the worklist: find by patient ID, retrieve with progress, the study appears', async () => {
  const { page } = app;
  await page.getByTestId('pacs-query-open').click();
  const dialog = page.getByTestId('pacs-query');
  await dialog.getByTestId('pacs-query-patientId').fill(series.patientId);
  await dialog.getByTestId('pacs-search').click();
  const result = dialog.locator(`[data-testid="pacs-result"][data-study-uid="${series.studyInstanceUID}"]`);
  await expect(result).toBeVisible();
  await expect(dialog.getByTestId('pacs-result-count')).toContainText('1 study found');
  await dialog.getByTestId('pacs-retrieve').click();
  await expect(dialog.getByTestId('pacs-progress')).toHaveAttribute('data-phase', 'done', {
    timeout: 60_000,
  });
  await expect(dialog.getByTestId('pacs-progress')).toContainText('Retrieved 6 images');
  await screenshot(page, 'pacs-query');
  await page.keyboard.press('Escape');
  await expect(
    page.locator(`[data-testid="study-row"][data-study-uid="${series.studyInstanceUID}"]`),
  ).toBeVisible();
});
