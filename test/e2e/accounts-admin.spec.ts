/**
 * The Accounts screen as an IT administrator and a reader meet it (#12 item 5, docs/accounts.md):
 * the first administrator is made on first run (`account.createFirst`, as before); the administrator
 * signs in, opens Accounts from the keyboard, creates a reader with an initial password (the rule
 * shown live), signs out; the reader signs in, must choose their own password first, has no
 * Accounts screen; the administrator disables the reader, and the reader's sign-in is refused with
 * a clear message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { makeTempDir } from '../fixtures/index.js';
import { plantStudy } from '../integration/cache/planted.js';
import { type AppSession, importPath, openApp, screenshot } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let scratch: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  scratch = makeTempDir('e2e-accounts-admin');
  const source = path.join(scratch, 'studies');
  fs.mkdirSync(source);
  plantStudy(source, 'E2EACCADMIN', 2, 64);
  app = await openApp(browser, 'accounts-admin');
  await importPath(app.page, source);
  await app.page.getByTestId('import-dismiss').click();
  await expect(app.page.getByTestId('study-row')).toHaveCount(1);
});

test.afterAll(async () => {
  await app?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

async function signIn(page: Page, username: string, password: string) {
  const gate = page.getByRole('dialog', { name: 'Sign in' });
  await expect(gate).toBeVisible({ timeout: 20_000 });
  await gate.getByLabel('User name').fill(username);
  await gate.getByLabel('Password').fill(password);
  await gate.getByRole('button', { name: 'Sign in' }).click();
  return gate;
}

async function signOut(page: Page) {
  await page.getByTestId('account-bar').getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('dialog', { name: 'Sign in' })).toBeVisible();
}

test('first run: the workstation is open until the administrator account is created', async () => {
  const { page } = app;
  const origin = app.host.origin;
  const state = await page.request.post(`${origin}/api/rpc/account.state`, {
    headers: { 'content-type': 'application/json', 'x-radlabel-session': 'e2e-first-run' },
    data: {},
  });
  expect(await state.json()).toMatchObject({ ok: true, value: { firstRun: true, required: false } });
  await expect(page.getByTestId('account-bar')).toHaveCount(0);
  const created = await page.request.post(`${origin}/api/rpc/account.createFirst`, {
    headers: { 'content-type': 'application/json', 'x-radlabel-session': 'e2e-first-run' },
    data: { username: 'admin', password: 'admin-password', displayName: 'IT Admin' },
  });
  expect(await created.json()).toMatchObject({
    ok: true,
    value: { firstRun: false, required: true, signedIn: true, reader: { role: 'admin' } },
  });
  await page.reload();
  await expect(page.getByRole('dialog', { name: 'Sign in' })).toBeVisible({ timeout: 20_000 });
});

test('the administrator creates a reader on the Accounts screen, reached by keyboard', async () => {
  const { page } = app;
  const gate = await signIn(page, 'admin', 'admin-password');
  await expect(gate).toHaveCount(0);
  const accountsButton = page.getByTestId('accounts-open');
  await accountsButton.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('accounts-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('account-row')).toHaveCount(1);

  const create = dialog.getByTestId('account-create');
  await create.getByLabel('User name').fill('carol');
  await create.getByLabel('Full name').fill('Dr Carol');
  await create.getByLabel('Initial password').fill('passwords');
  await expect(create).toContainText('Mix at least two kinds');
  await expect(create.getByRole('button', { name: 'Create' })).toBeDisabled();
  await create.getByLabel('Initial password').fill('carol-initial-1');
  await expect(create).toContainText('The password meets the rule.');
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByTestId('accounts-notice')).toContainText('Account Dr Carol created.');
  const row = dialog.locator('[data-testid="account-row"][data-username="carol"]');
  await expect(row).toContainText('Reader');
  await expect(row).toContainText('never');
  await expect(row.getByTestId('account-status')).toHaveText('Must change password');
  await screenshot(page, 'accounts-admin-screen');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  await signOut(page);
});

test('the reader signs in, must choose a password first, and has no Accounts screen', async () => {
  const { page } = app;
  await signIn(page, 'carol', 'carol-initial-1');
  const change = page.getByRole('dialog', { name: 'Change your password' });
  await expect(change).toBeVisible();
  await change.getByLabel('Current password').fill('carol-initial-1');
  await change.getByLabel('New password', { exact: true }).fill('carol-own-pass-2');
  await change.getByLabel('New password again').fill('carol-own-pass-2');
  await screenshot(page, 'accounts-change-password');
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(change).toHaveCount(0);
  await expect(page.getByTestId('account-bar')).toContainText('Dr Carol');
  await expect(page.getByTestId('study-row')).toHaveCount(1);
  await expect(page.getByTestId('accounts-open')).toHaveCount(0);
  await expect(page.getByTestId('audit-open')).toHaveCount(0);
  await signOut(page);
  // The new password is the one that works now.
  const gate = await signIn(page, 'carol', 'carol-initial-1');
  await expect(gate.getByRole('alert')).toContainText('not right');
  await gate.getByLabel('Password').fill('carol-own-pass-2');
  await gate.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('account-bar')).toContainText('Dr Carol');
  await signOut(page);
});

test('the administrator disables the reader; the reader is refused with a clear message', async () => {
  const { page } = app;
  await signIn(page, 'admin', 'admin-password');
  await page.getByTestId('accounts-open').click();
  const dialog = page.getByTestId('accounts-dialog');
  const row = dialog.locator('[data-testid="account-row"][data-username="carol"]');
  await expect(row.getByTestId('account-status')).toHaveText('Active');
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row.getByTestId('account-status')).toHaveText('Disabled');
  await expect(row.getByRole('button', { name: 'Enable' })).toBeVisible();
  // The last administrator keeps the role: main refuses, the screen says why.
  const self = dialog.locator('[data-testid="account-row"][data-username="admin"]');
  await self.getByRole('button', { name: 'Make reader' }).click();
  await expect(dialog.getByRole('alert')).toContainText('last administrator');
  await screenshot(page, 'accounts-admin-disabled');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await signOut(page);

  const gate = await signIn(page, 'carol', 'carol-own-pass-2');
  await expect(gate.getByRole('alert')).toContainText('This account is disabled; ask an administrator.');
  await screenshot(page, 'accounts-disabled-refused');
});
