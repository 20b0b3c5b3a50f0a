/**
 * A stored image file that went missing, or was replaced by a link, outside RadLabel (#7 item 15):
 * the host answers a typed error instead of an empty reply or the linked file, and the viewer
 * shows the host's message instead of a blank viewport.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureCtSeries } from '../fixtures/index.js';
import { type AppSession, importPath, openApp, search } from './support/app.js';

let app: AppSession;

test.afterAll(async () => {
  await app?.close();
});

test('the viewer says that an image file is missing from the store', async ({ browser }) => {
  const ct = ensureCtSeries({ slices: 3, size: 64, seed: 'e2e-store-missing' });
  app = await openApp(browser, 'store-missing');
  const { page } = app;
  await importPath(page, ct.dir);
  await page.getByTestId('import-dismiss').click();
  // Every stored file is gone (a cleanup tool, a disk restored from an old backup).
  const store = path.join(app.host.dataDir, 'store');
  for (const entry of fs.readdirSync(store, { recursive: true, withFileTypes: true }))
    if (entry.isFile() && entry.name.endsWith('.dcm')) fs.rmSync(path.join(entry.parentPath, entry.name));

  await search(page, ct.patientName.split('^')[0]!);
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(page.getByTestId('viewport-error')).toContainText("missing from RadLabel's store");
});
