/**
 * The audit log in the interface (#12 item 4, docs/audit.md): an administrator signs in and opens
 * the audit page: the import, the study opened in the viewer and the sign-in are there with the
 * reader, the action filter narrows the list, the integrity check reports an intact chain, and the
 * CSV export downloads the log without the study's planted marker or UIDs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { makeTempDir } from '../fixtures/index.js';
import { plantStudy } from '../integration/cache/planted.js';
import { type AppSession, importPath, openApp, screenshot } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let scratch: string;
let study: ReturnType<typeof plantStudy>;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  scratch = makeTempDir('e2e-audit');
  const source = path.join(scratch, 'studies');
  fs.mkdirSync(source);
  study = plantStudy(source, 'E2EAUDIT', 2, 64);
  app = await openApp(browser, 'audit');
  await importPath(app.page, source);
  await app.page.getByTestId('import-dismiss').click();
  await expect(app.page.getByTestId('study-row')).toHaveCount(1);
  const response = await app.page.request.post(`${app.host.origin}/api/rpc/account.createFirst`, {
    headers: { 'content-type': 'application/json', 'x-radlabel-session': 'e2e-admin-session' },
    data: { username: 'admin', password: 'admin-password', displayName: 'Admin' },
  });
  expect(await response.json()).toMatchObject({ ok: true });
});

test.afterAll(async () => {
  await app?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('the audit page lists, filters, verifies and exports the log without PHI', async () => {
  const { page } = app;
  await page.reload();
  const gate = page.getByRole('dialog', { name: 'Sign in' });
  await gate.getByLabel('User name').fill('admin');
  await gate.getByLabel('Password').fill('admin-password');
  await gate.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('account-bar')).toContainText('Admin');

  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();

  await page.getByTestId('audit-open').click();
  const dialog = page.getByTestId('audit-dialog');
  await expect(dialog).toBeVisible();
  for (const action of ['import', 'view', 'sign-in', 'account'])
    await expect(dialog.locator(`[data-testid="audit-row"][data-action="${action}"]`).first()).toBeVisible();
  await expect(dialog.locator('[data-testid="audit-row"][data-action="view"]').first()).toContainText(
    'admin',
  );
  await screenshot(page, 'audit-page');

  await dialog.getByTestId('audit-action').selectOption('view');
  await expect(dialog.getByTestId('audit-row')).not.toHaveCount(0);
  const actions = await dialog
    .getByTestId('audit-row')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
  expect(new Set(actions)).toEqual(new Set(['view']));

  await dialog.getByTestId('audit-verify').click();
  await expect(dialog.getByTestId('audit-check')).toContainText('Intact');

  await dialog.getByTestId('audit-action').selectOption('');
  const downloading = page.waitForEvent('download');
  await dialog.getByTestId('audit-export').click();
  const download = await downloading;
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  expect(csv.startsWith('seq,time,reader,action,subject_kind,subject,outcome,detail,hash')).toBe(true);
  expect(csv).toContain(',view,study,');
  for (const needle of [
    study.marker,
    study.patientName,
    study.patientId,
    study.studyInstanceUID,
    study.seriesInstanceUID,
  ])
    expect(csv).not.toContain(needle);
});
