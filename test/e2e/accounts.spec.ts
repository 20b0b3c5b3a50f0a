/**
 * Shared workstations in the interface (#12 item 5, docs/accounts.md): once an administrator
 * account exists, the page asks to sign in; after the configured idle time without input the
 * session locks (the screen behind it is kept) and the password unlocks it; a second browser signs
 * in as another reader on its own. Accounts and settings are made through the contract, as the
 * administrator would.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type APIRequestContext, expect, test } from '@playwright/test';
import { makeTempDir } from '../fixtures/index.js';
import { plantStudy } from '../integration/cache/planted.js';
import { type AppSession, importPath, openApp, screenshot } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let scratch: string;

async function rpc(
  request: APIRequestContext,
  origin: string,
  session: string,
  method: string,
  data: unknown,
) {
  const response = await request.post(`${origin}/api/rpc/${method}`, {
    headers: { 'content-type': 'application/json', 'x-radlabel-session': session },
    data,
  });
  const body = (await response.json()) as { ok: boolean; error?: { code: string } };
  expect(body, method).toMatchObject({ ok: true });
  return body;
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  scratch = makeTempDir('e2e-accounts');
  const source = path.join(scratch, 'studies');
  fs.mkdirSync(source);
  plantStudy(source, 'E2EACCOUNT', 2, 64);
  app = await openApp(browser, 'accounts');
  await importPath(app.page, source);
  await app.page.getByTestId('import-dismiss').click();
  await expect(app.page.getByTestId('study-row')).toHaveCount(1);
  const { request } = app.page;
  const origin = app.host.origin;
  await rpc(request, origin, 'e2e-admin-session', 'account.createFirst', {
    username: 'admin',
    password: 'admin-password',
  });
  await rpc(request, origin, 'e2e-admin-session', 'account.create', {
    username: 'alice',
    password: 'alice-password',
    displayName: 'Alice',
  });
  await rpc(request, origin, 'e2e-admin-session', 'account.create', {
    username: 'bob',
    password: 'bob-password',
    displayName: 'Bob',
  });
  await rpc(request, origin, 'e2e-admin-session', 'account.saveSettings', {
    idleLockSeconds: 3,
    blinded: true,
  });
});

test.afterAll(async () => {
  await app?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('the page asks to sign in, refuses a wrong password, then shows the worklist', async () => {
  const { page } = app;
  await page.reload();
  const gate = page.getByRole('dialog', { name: 'Sign in' });
  await expect(gate).toBeVisible();
  await screenshot(page, 'accounts-sign-in');
  await gate.getByLabel('User name').fill('alice');
  await gate.getByLabel('Password').fill('wrong-password');
  await gate.getByRole('button', { name: 'Sign in' }).click();
  await expect(gate.getByRole('alert')).toContainText('not right');
  await gate.getByLabel('Password').fill('alice-password');
  await gate.getByRole('button', { name: 'Sign in' }).click();
  await expect(gate).toHaveCount(0);
  await expect(page.getByTestId('account-bar')).toContainText('Alice');
  await expect(page.getByTestId('study-row')).toHaveCount(1);
});

test('the session locks after the idle time, keeps the screen, and unlocks with the password', async () => {
  const { page } = app;
  await page.getByTestId('study-row').first().click();
  const lock = page.getByRole('dialog', { name: 'Session locked' });
  // No input for the configured 3 s.
  await expect(lock).toBeVisible({ timeout: 10_000 });
  await screenshot(page, 'accounts-locked');
  await lock.getByLabel('Password').fill('alice-password');
  await lock.getByRole('button', { name: 'Unlock' }).click();
  await expect(lock).toHaveCount(0);
  await expect(page.getByTestId('study-row')).toHaveCount(1);
  await expect(page.getByTestId('account-bar')).toContainText('Alice');
});

test('a second browser signs in as another reader on its own', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(app.host.url);
    const gate = page.getByRole('dialog', { name: 'Sign in' });
    await expect(gate).toBeVisible();
    await gate.getByLabel('User name').fill('bob');
    await gate.getByLabel('Password').fill('bob-password');
    await gate.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('account-bar')).toContainText('Bob');
    await page.getByTestId('account-bar').getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('dialog', { name: 'Sign in' })).toBeVisible();
    // The first browser is still Alice's (signed in, or locked for her after the idle time).
    await expect(app.page.getByText(/Alice/).first()).toBeVisible();
  } finally {
    await context.close();
  }
});
