/**
 * A hostile segmentation sent by a PACS while no import is on screen. A sender (dcmtk's storescu,
 * as a PACS or a modality would) stores a CT series, a good SEG on it and a SEG claiming
 * 2,147,483,647 frames on the app's running receiver. Every object is stored (the sender is told
 * success); the hostile SEG gives no segmentation, and the reader learns why: the worklist shows a
 * notice, which opens the PACS settings listing the object (kind, SOP Instance UID, the sender's
 * AE title) with main's reason; in Chinese too. The list is kept in the catalog: the web host
 * stopped and started again on the same data folder lists it still; the administrator's Clear
 * (confirmed) empties it, for good.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { type Locator, type Page, expect, test } from '@playwright/test';
import type { LabelmapHead } from '../../shared/segmentation.js';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import {
  type AiSegFixture,
  copiesAsNewStudies,
  writeHostileLesionSeg,
  writeLesionSeg,
} from '../support/ai-fixtures.js';
import { freePort } from '../support/orthanc.js';
import { openApp, screenshot } from './support/app.js';
import { rpc } from './support/rpc.js';
import { type RunningWebHost, startWebHost } from './support/webhost.js';

let ct: CtSeries;
let good: AiSegFixture;
let hostile: AiSegFixture;

test.beforeAll(() => {
  ct = ensureCtSeries({ slices: 4, size: 64, seed: 'pacs-received-problems' });
  const folder = makeTempDir('e2e-pacs-received-problems');
  good = writeLesionSeg(ct.files, path.join(folder, 'GOOD-SEG.dcm'));
  hostile = writeHostileLesionSeg(ct.files, path.join(folder, 'HOSTILE-SEG.dcm'));
});

/**
 * Turns the PACS receiver on from its settings (a free port on 127.0.0.1, calling AE MODALITY),
 * and waits until it says it receives; the settings dialog stays open.
 */
async function receiveFromModality(page: Page): Promise<{ port: number; dialog: Locator }> {
  const port = await freePort();
  await page.getByTestId('pacs-settings-open').click();
  const dialog = page.getByTestId('pacs-settings');
  await dialog.getByTestId('pacs-enabled').check();
  await dialog.getByTestId('pacs-port').fill(String(port));
  await dialog.getByTestId('pacs-bind').fill('127.0.0.1');
  await dialog.getByTestId('pacs-callers').fill('MODALITY');
  await dialog.getByTestId('pacs-save').click();
  await expect(dialog.getByTestId('pacs-status')).toHaveText(`Receiving on port ${port}`);
  return { port, dialog };
}

test('a hostile SEG sent by a PACS: stored, and the PACS settings say why it gave no segmentation', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const app = await openApp(browser, 'pacs-received-problems');
  let restarted: RunningWebHost | null = null;
  try {
    const { page } = app;
    const { port, dialog } = await receiveFromModality(page);
    await expect(dialog.getByTestId('pacs-received-problems')).toHaveCount(0);
    await dialog.getByTestId('pacs-settings-close').click();
    await expect(page.getByTestId('pacs-problems-notice')).toHaveCount(0);

    // The PACS sends; no import is on screen.
    const sent = spawnSync(
      'storescu',
      [
        // Only the presentation contexts of the files sent (storescu's default list has no SEG).
        '-R',
        '-nh',
        '-aet',
        'MODALITY',
        '-aec',
        'RADLABEL',
        '127.0.0.1',
        String(port),
        ...ct.files,
        good.file,
        hostile.file,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(sent.status, sent.stderr).toBe(0);
    await expect(page.getByTestId('import-status')).toHaveCount(0);

    const notice = page.getByTestId('pacs-problems-notice');
    await expect(notice).toHaveText('⚠ 1 object from the PACS has problems', { timeout: 60_000 });
    await notice.click();
    const section = dialog.getByTestId('pacs-received-problems');
    await expect(section).toContainText('Received SR and SEG objects with problems (1)');
    const row = section.getByTestId('pacs-received-problem');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-uid', hostile.sopInstanceUID);
    await expect(row).toHaveAttribute('data-kind', 'seg');
    await expect(row).toContainText(`Segmentation ${hostile.sopInstanceUID}`);
    await expect(row.getByTestId('pacs-received-from')).toContainText('MODALITY');
    await expect(row.getByTestId('pacs-received-reason')).toHaveText(
      'This segmentation has no valid number of frames.',
    );
    await screenshot(page, 'pacs-received-problems');

    // The rest went in: the CT series and the good SEG's segmentation; the hostile SEG is stored.
    const heads = await rpc<LabelmapHead[]>(page, 'segmentation.list', {
      seriesInstanceUID: ct.seriesInstanceUID,
    });
    expect(heads.length).toBeGreaterThanOrEqual(1);
    expect(good.sopInstanceUID).not.toBe(hostile.sopInstanceUID);

    // In Chinese: the same list with its translated headings (main's reason stays as main wrote it).
    await dialog.getByTestId('pacs-settings-close').click();
    await page.getByTestId('language-switch').selectOption('zh-CN');
    await expect(page.getByTestId('pacs-problems-notice')).toHaveText('⚠ 来自 PACS 的 1 个对象有问题');
    await page.getByTestId('pacs-problems-notice').click();
    await expect(page.getByTestId('pacs-received-problems')).toContainText(
      '接收到的有问题的 SR 和 SEG 对象（1）',
    );
    await expect(page.getByTestId('pacs-received-problem')).toContainText(`分割 ${hostile.sopInstanceUID}`);
    // Main keeps the list: a page opened later (here, reloaded) shows it too.
    await page.reload();
    await expect(page.getByTestId('pacs-problems-notice')).toHaveText('⚠ 来自 PACS 的 1 个对象有问题');
    await page.getByTestId('language-switch').selectOption('en');

    // The app closed and started again on the same data folder (the next morning): still listed.
    await app.host.stop();
    restarted = await startWebHost({ dataDir: app.host.dataDir });
    await page.goto(restarted.url);
    await expect(page.getByTestId('worklist')).toBeVisible();
    await expect(page.getByTestId('pacs-problems-notice')).toHaveText(
      '⚠ 1 object from the PACS has problems',
      {
        timeout: 30_000,
      },
    );
    await page.getByTestId('pacs-problems-notice').click();
    const kept = dialog.getByTestId('pacs-received-problem');
    await expect(kept).toHaveCount(1);
    await expect(kept).toHaveAttribute('data-uid', hostile.sopInstanceUID);
    await expect(kept.getByTestId('pacs-received-from')).toContainText('MODALITY');
    await expect(kept.getByTestId('pacs-received-reason')).toHaveText(
      'This segmentation has no valid number of frames.',
    );

    // Clear asks first; Keep keeps the list.
    await dialog.getByTestId('pacs-received-clear').click();
    await expect(dialog.getByTestId('pacs-received-clear-question')).toHaveText(
      'Remove this entry from the list? The object itself stays stored. This cannot be undone.',
    );
    await screenshot(page, 'pacs-received-problems-clear');
    await dialog.getByTestId('pacs-received-clear-cancel').click();
    await expect(dialog.getByTestId('pacs-received-clear-question')).toHaveCount(0);
    await expect(kept).toHaveCount(1);
    // Clear: the list and the worklist's notice go, and stay gone after a reload.
    await dialog.getByTestId('pacs-received-clear').click();
    await dialog.getByTestId('pacs-received-clear-confirm').click();
    await expect(dialog.getByTestId('pacs-received-problems')).toHaveCount(0);
    await screenshot(page, 'pacs-received-problems-cleared');
    await dialog.getByTestId('pacs-settings-close').click();
    await expect(page.getByTestId('pacs-problems-notice')).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId('worklist')).toBeVisible();
    await page.getByTestId('pacs-settings-open').click();
    await expect(dialog.getByTestId('pacs-status')).toHaveText(/Receiving on port/);
    await expect(dialog.getByTestId('pacs-received-problems')).toHaveCount(0);
    await expect(page.getByTestId('pacs-problems-notice')).toHaveCount(0);
  } finally {
    await restarted?.stop();
    await app.close();
  }
});

test('a long list is paged, the newest first', async ({ browser }) => {
  test.setTimeout(240_000);
  // 105 hostile SEGs, each its own study (new Study, Series and SOP Instance UIDs).
  const folder = makeTempDir('e2e-pacs-received-problems-many');
  const copies = path.join(folder, 'copies');
  copiesAsNewStudies(hostile.file, copies, 105);
  const app = await openApp(browser, 'pacs-received-problems-many');
  try {
    const { page } = app;
    const { port, dialog } = await receiveFromModality(page);
    const sent = spawnSync(
      'storescu',
      ['-R', '-nh', '-aet', 'MODALITY', '-aec', 'RADLABEL', '127.0.0.1', String(port), '+sd', copies],
      { encoding: 'utf8', timeout: 180_000 },
    );
    expect(sent.status, sent.stderr).toBe(0);
    const section = dialog.getByTestId('pacs-received-problems');
    await expect(section).toContainText('Received SR and SEG objects with problems (105)', {
      timeout: 120_000,
    });
    const rows = section.getByTestId('pacs-received-problem');
    await expect(rows).toHaveCount(100);
    await expect(section.getByTestId('pacs-received-range')).toHaveText('1–100 of 105, the newest first');
    await expect(section.getByTestId('pacs-received-newer')).toBeDisabled();
    const newest = await rows.evaluateAll((found) => found.map((row) => row.getAttribute('data-uid')));
    await section.getByTestId('pacs-received-older').click();
    await expect(section.getByTestId('pacs-received-range')).toHaveText('101–105 of 105, the newest first');
    await expect(rows).toHaveCount(5);
    await expect(section.getByTestId('pacs-received-older')).toBeDisabled();
    const oldest = await rows.evaluateAll((found) => found.map((row) => row.getAttribute('data-uid')));
    expect(new Set([...newest, ...oldest]).size).toBe(105);
    await screenshot(page, 'pacs-received-problems-older');
    await section.getByTestId('pacs-received-newer').click();
    await expect(rows).toHaveCount(100);
    await expect(rows.first()).toHaveAttribute('data-uid', newest[0]!);
  } finally {
    await app.close();
  }
});

test('with reader accounts, a reader sees the PACS settings read-only; the administrator clears', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const app = await openApp(browser, 'pacs-received-problems-roles');
  try {
    const { page } = app;
    // Set up before there are accounts (the workstation's one user is its administrator).
    const { port, dialog } = await receiveFromModality(page);
    await dialog.getByTestId('pacs-settings-close').click();
    const sent = spawnSync(
      'storescu',
      [
        '-R',
        '-nh',
        '-aet',
        'MODALITY',
        '-aec',
        'RADLABEL',
        '127.0.0.1',
        String(port),
        ...ct.files,
        hostile.file,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(sent.status, sent.stderr).toBe(0);
    await expect(page.getByTestId('pacs-problems-notice')).toHaveText(
      '⚠ 1 object from the PACS has problems',
      {
        timeout: 60_000,
      },
    );

    // Accounts on: the administrator and a reader.
    const account = async (method: string, data: unknown) => {
      const response = await page.request.post(`${app.host.origin}/api/rpc/${method}`, {
        headers: { 'content-type': 'application/json', 'x-radlabel-session': 'e2e-admin-session' },
        data,
      });
      expect(await response.json(), method).toMatchObject({ ok: true });
    };
    await account('account.createFirst', {
      username: 'admin',
      password: 'admin-password',
      displayName: 'IT Admin',
    });
    await account('account.create', { username: 'alice', password: 'alice-password', displayName: 'Alice' });
    const signIn = async (username: string, password: string) => {
      const gate = page.getByRole('dialog', { name: 'Sign in' });
      await expect(gate).toBeVisible({ timeout: 20_000 });
      await gate.getByLabel('User name').fill(username);
      await gate.getByLabel('Password').fill(password);
      await gate.getByRole('button', { name: 'Sign in' }).click();
      await expect(gate).toHaveCount(0);
    };
    await page.reload();
    await signIn('alice', 'alice-password');

    // The reader: everything shown, nothing changeable, and told why.
    await page.getByTestId('pacs-problems-notice').click();
    await expect(dialog.getByTestId('pacs-read-only')).toHaveText(
      'Read-only: only an administrator can change these settings and the PACS nodes, turn receiving on or off, or clear the list of received objects with problems.',
    );
    await expect(dialog.getByTestId('pacs-status')).toHaveText(`Receiving on port ${port}`);
    await expect(dialog.getByTestId('pacs-enabled')).toBeChecked();
    await expect(dialog.getByTestId('pacs-enabled')).toBeDisabled();
    await expect(dialog.getByTestId('pacs-port')).toHaveValue(String(port));
    await expect(dialog.getByTestId('pacs-port')).toBeDisabled();
    await expect(dialog.getByTestId('pacs-callers')).toHaveValue('MODALITY');
    await expect(dialog.getByTestId('pacs-callers')).toBeDisabled();
    await expect(dialog.getByTestId('pacs-save')).toHaveCount(0);
    await expect(dialog.getByTestId('pacs-node-save')).toHaveCount(0);
    const row = dialog.getByTestId('pacs-received-problem');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-uid', hostile.sopInstanceUID);
    await expect(dialog.getByTestId('pacs-received-clear')).toHaveCount(0);
    await expect(dialog.getByTestId('pacs-received-admin-clears')).toHaveText(
      'An administrator can clear this list.',
    );
    await screenshot(page, 'pacs-settings-reader');
    // Main refuses the reader too, whatever a page shows (the reader signed in on a session of its own).
    const asAlice = async (method: string, data: unknown) => {
      const response = await page.request.post(`${app.host.origin}/api/rpc/${method}`, {
        headers: { 'content-type': 'application/json', 'x-radlabel-session': 'e2e-alice-session' },
        data,
      });
      return (await response.json()) as { ok: boolean; error?: { code: string; message: string } };
    };
    expect(await asAlice('account.signIn', { username: 'alice', password: 'alice-password' })).toMatchObject({
      ok: true,
    });
    expect(await asAlice('pacs.clearReceivedProblems', {})).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'forbidden',
        message: 'Only an administrator can clear the list of received objects with problems.',
      }),
    });
    expect(
      await asAlice('pacs.saveSettings', {
        enabled: false,
        aeTitle: 'RADLABEL',
        port,
        bindAddress: '127.0.0.1',
        allowedCallers: [],
        acceptAnyCaller: true,
      }),
    ).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'forbidden',
        message: 'Only an administrator can change the PACS settings.',
      }),
    });
    // In Chinese.
    await dialog.getByTestId('pacs-settings-close').click();
    await page.getByTestId('language-switch').selectOption('zh-CN');
    await page.getByTestId('pacs-problems-notice').click();
    await expect(dialog.getByTestId('pacs-read-only')).toHaveText(
      '只读：只有管理员可以更改这些设置和 PACS 节点、开启或关闭接收，或清空接收到的有问题对象列表。',
    );
    await expect(dialog.getByTestId('pacs-received-admin-clears')).toHaveText('管理员可以清空此列表。');
    await dialog.getByTestId('pacs-settings-close').click();
    await page.getByTestId('language-switch').selectOption('en');

    // The administrator: the settings as before, and Clear.
    await page.getByTestId('account-bar').getByRole('button', { name: 'Sign out' }).click();
    await signIn('admin', 'admin-password');
    await page.getByTestId('pacs-problems-notice').click();
    await expect(dialog.getByTestId('pacs-read-only')).toHaveCount(0);
    await expect(dialog.getByTestId('pacs-enabled')).toBeEnabled();
    await expect(dialog.getByTestId('pacs-save')).toBeVisible();
    await expect(dialog.getByTestId('pacs-status')).toHaveText(`Receiving on port ${port}`);
    await expect(dialog.getByTestId('pacs-received-admin-clears')).toHaveCount(0);
    await dialog.getByTestId('pacs-received-clear').click();
    await dialog.getByTestId('pacs-received-clear-confirm').click();
    await expect(dialog.getByTestId('pacs-received-problems')).toHaveCount(0);
    await screenshot(page, 'pacs-settings-admin-cleared');
    await dialog.getByTestId('pacs-settings-close').click();
    await expect(page.getByTestId('pacs-problems-notice')).toHaveCount(0);
  } finally {
    await app.close();
  }
});
