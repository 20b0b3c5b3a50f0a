/**
 * The protected cache in the interface (#12 items 2 and 3): "Delete study" from the worklist's
 * menu asks first and then leaves nothing of the study in the data folder (checked by scanning
 * every file for its UIDs and a marker planted in its names), the other study stays viewable;
 * "Cache & backup" writes a backup to the chosen folder and refuses to restore a damaged one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { makeTempDir } from '../fixtures/index.js';
import { plantStudy, scanFolder } from '../integration/cache/planted.js';
import { type AppSession, importPath, openApp, screenshot } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let scratch: string;
const studies: ReturnType<typeof plantStudy>[] = [];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  scratch = makeTempDir('e2e-cache');
  const source = path.join(scratch, 'studies');
  fs.mkdirSync(source);
  studies.push(plantStudy(source, 'E2EGONE', 2, 64), plantStudy(source, 'E2EKEPT', 2, 64));
  app = await openApp(browser, 'cache');
  await importPath(app.page, source);
  await app.page.getByTestId('import-dismiss').click();
  await expect(app.page.getByTestId('study-row')).toHaveCount(2);
});

test.afterAll(async () => {
  await app?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('delete study asks first, then leaves nothing of it in the data folder; the other study stays', async () => {
  const { page } = app;
  const [gone, kept] = studies;
  const row = page.locator(`[data-testid="study-row"][data-study-uid="${gone!.studyInstanceUID}"]`);
  await row.click({ button: 'right' });
  await page.getByTestId('study-menu-delete-study').click();
  const dialog = page.getByTestId('delete-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('delete-what')).toContainText(gone!.marker);
  await screenshot(page, 'cache-delete-confirm');
  // Cancel keeps it.
  await dialog.getByTestId('delete-cancel').click();
  await expect(page.getByTestId('study-row')).toHaveCount(2);

  await row.click({ button: 'right' });
  await page.getByTestId('study-menu-delete-study').click();
  await page.getByTestId('delete-confirm').click();
  await expect(page.getByTestId('delete-dialog')).toHaveCount(0);
  await expect(page.getByTestId('study-row')).toHaveCount(1);
  await expect(page.getByTestId('study-row')).toHaveAttribute('data-study-uid', kept!.studyInstanceUID);

  const needles = [gone!.marker, gone!.studyInstanceUID, gone!.seriesInstanceUID, ...gone!.sopInstanceUIDs];
  expect(scanFolder(app.host.dataDir, needles)).toEqual([]);
  // The kept study's images are still served (decrypted) to the viewer's route.
  const response = await page.request.get(`${app.host.origin}/instances/${kept!.sopInstanceUIDs[0]}`);
  expect(response.status()).toBe(200);
  expect(Buffer.from(await response.body()).equals(fs.readFileSync(path.join(kept!.dir, '0.dcm')))).toBe(
    true,
  );
});

test('Cache & backup writes a backup to the chosen folder and refuses a damaged one', async () => {
  const { page } = app;
  const folder = path.join(scratch, 'backups');
  await page.getByTestId('open-cache-settings').click();
  const dialog = page.getByTestId('cache-settings');
  await expect(dialog.getByTestId('cache-encrypted-state')).toHaveText(
    'The catalog on this workstation is encrypted.',
  );
  await dialog.getByTestId('backup-folder').fill(folder);
  await dialog.getByTestId('cache-settings-save').click();
  await expect(dialog.getByTestId('cache-message')).toHaveText('Saved.');
  await dialog.getByTestId('backup-now').click();
  await expect(dialog.getByTestId('cache-message')).toContainText('Backup written:');
  const [backup] = fs.readdirSync(folder).filter((name) => name.startsWith('radlabel-backup-'));
  expect(backup).toBeDefined();
  await screenshot(page, 'cache-settings');

  const catalog = path.join(folder, backup!, 'catalog.sqlite');
  const bytes = fs.readFileSync(catalog);
  bytes[bytes.length - 10]! ^= 0xff;
  fs.writeFileSync(catalog, bytes);
  await dialog.getByTestId('restore-path').fill(path.join(folder, backup!));
  await dialog.getByTestId('restore-start').click();
  await expect(dialog.getByTestId('cache-error')).toContainText('damaged or incomplete');
  expect(fs.existsSync(path.join(app.host.dataDir, 'restore-pending'))).toBe(false);
});
