/**
 * Tests of the Electron shell itself (Playwright `_electron`). They need Electron's binary, which
 * cannot be downloaded on every machine (ELECTRON_SKIP_BINARY_DOWNLOAD=1); there they skip and
 * say why. Everything the shell serves is also covered through the web host.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '../..');

/**
 * The installed Electron executable, or null. Reads the package's path.txt and dist/ directly:
 * `require('electron')` would try to download a missing binary from the internet.
 */
function electronBinary(): string | null {
  if (process.env['ELECTRON_OVERRIDE_DIST_PATH'])
    return path.join(process.env['ELECTRON_OVERRIDE_DIST_PATH'], 'electron');
  try {
    const packageDir = path.dirname(require.resolve('electron/package.json'));
    const relative = fs.readFileSync(path.join(packageDir, 'path.txt'), 'utf8').trim();
    const executable = path.join(packageDir, 'dist', relative);
    return fs.existsSync(executable) ? executable : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const SKIP_REASON =
  'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1 on this machine): the Electron shell tests are skipped. ' +
  'Run `npm install electron` with internet access to run them; everything the shell serves is also tested through the web host.';
if (binary === null) console.warn(`[electron] ${SKIP_REASON}`);

test.describe('Electron shell', () => {
  test.skip(binary === null, SKIP_REASON);

  let app: ElectronApplication;
  let dataDir: string;

  test.beforeAll(async () => {
    // As `npm start` does: better-sqlite3 built for Electron's ABI (build/native/), loaded by the shell.
    const native = spawnSync(process.execPath, ['--import', 'tsx', 'main/electron/native-build.ts'], {
      cwd: root,
      stdio: 'inherit',
    });
    expect(native.status).toBe(0);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-electron-'));
    app = await electron.launch({
      executablePath: binary!,
      args: [path.join(root, 'build/main/electron/main.js'), '--data-dir', dataDir, '--no-sandbox'],
      cwd: root,
    });
  });

  test.afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the window is sandboxed, isolated and has no Node', async () => {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const web = BrowserWindow.getAllWindows()[0]!.webContents;
      const p = (
        web as unknown as { getLastWebPreferences(): Record<string, unknown> }
      ).getLastWebPreferences();
      return {
        contextIsolation: p['contextIsolation'],
        sandbox: p['sandbox'],
        nodeIntegration: p['nodeIntegration'],
      };
    });
    expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(page.url()).toMatch(/^app:\/\/renderer\//);
  });

  test('the user data folder is the one given by --data-dir', async () => {
    expect(await app.evaluate(({ app: electronApp }) => electronApp.getPath('userData'))).toBe(dataDir);
  });

  test('IPC rejects unknown methods and malformed payloads with typed errors', async () => {
    const page = await app.firstWindow();
    const unknown = await page.evaluate(() =>
      (
        globalThis as unknown as { radlabel: { invoke(m: string, p: unknown): Promise<unknown> } }
      ).radlabel.invoke('fs.readFile', {}),
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const malformed = await page.evaluate(() =>
      (
        globalThis as unknown as { radlabel: { invoke(m: string, p: unknown): Promise<unknown> } }
      ).radlabel.invoke('catalog.getStudy', { studyInstanceUID: '../../etc/passwd' }),
    );
    expect(malformed).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const info = await page.evaluate(() =>
      (
        globalThis as unknown as { radlabel: { invoke(m: string, p: unknown): Promise<unknown> } }
      ).radlabel.invoke('app.info', {}),
    );
    expect(info).toMatchObject({ ok: true, value: { host: 'electron', researchUseOnly: true } });
  });

  test('navigation away from the app and new windows are blocked', async () => {
    const page = await app.firstWindow();
    const before = page.url();
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    await page.evaluate(() => window.open('app://renderer/index.html'));
    await page.waitForTimeout(500);
    expect(app.windows()).toHaveLength(1);
  });

  test('permission requests are denied', async () => {
    const page = await app.firstWindow();
    const state = await page.evaluate(async () => {
      try {
        await navigator.mediaDevices.getUserMedia({ video: true });
        return 'granted';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(state).not.toBe('granted');
  });
});
