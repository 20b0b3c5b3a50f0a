/**
 * The app as a user meets it: a fresh data folder, the web host, a Chromium page opened on the
 * host's link, and the few UI steps every spec needs (import a path, find a study, open it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page, expect } from '@playwright/test';
import { makeTempDir, repoRoot } from '../../fixtures/index.js';
import { type RunningWebHost, startWebHost } from './webhost.js';

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

export interface AppSession {
  page: Page;
  host: RunningWebHost;
  /** Console reports of anything the Content Security Policy blocked (should stay empty). */
  cspViolations: string[];
  close(): Promise<void>;
}

export async function openApp(browser: Browser, name: string): Promise<AppSession> {
  const dataDir = makeTempDir(`e2e-${name}`);
  const host = await startWebHost({ dataDir });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('worklist')).toBeVisible();
  } catch (error) {
    await context.close();
    await host.stop();
    throw error;
  }
  return {
    page,
    host,
    cspViolations,
    async close() {
      await context.close();
      await host.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Imports a file or folder through the "path on this computer" field and waits for the end. */
export async function importPath(page: Page, target: string): Promise<void> {
  await page.getByTestId('import-button').click();
  await page.getByTestId('import-path').fill(target);
  await page.getByTestId('import-path-submit').click();
  await expect(page.getByTestId('import-phase')).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
}

export async function search(page: Page, text: string): Promise<void> {
  await page.getByTestId('worklist-search').fill(text);
  // The search is debounced and answered by main; wait for the list that answers this one.
  await expect(page.getByTestId('study-table')).toHaveAttribute('data-search', text.trim());
  await expect(page.getByTestId('study-table')).toHaveAttribute('aria-busy', 'false');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

/** Waits until viewport `slot` shows image `index` (1-based) of `total`. */
export async function expectImage(page: Page, index: number, total: number, slot = 0): Promise<void> {
  const overlay = page.getByTestId(`viewport-${slot}`).getByTestId('overlay-image');
  await expect(overlay).toHaveAttribute('data-index', String(index));
  await expect(overlay).toHaveAttribute('data-total', String(total));
}

/**
 * Imports `dir`, finds its study in the worklist by `text` and opens it: waits for the first of its
 * `total` images and the frames after it.
 */
export async function importAndOpen(page: Page, dir: string, text: string, total: number): Promise<void> {
  await importPath(page, dir);
  await page.getByTestId('import-dismiss').click();
  await search(page, text);
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expectImage(page, 1, total);
  await nextFrames(page);
}

/** Lets Cornerstone draw the frame that follows the last state change. */
export async function nextFrames(page: Page, frames = 3): Promise<void> {
  await page.evaluate(
    (count) =>
      new Promise<void>((resolve) => {
        let left = count;
        const tick = () => (--left <= 0 ? resolve() : requestAnimationFrame(tick));
        requestAnimationFrame(tick);
      }),
    frames,
  );
}
