/**
 * What the viewer benchmarks (viewer*.bench.ts) share: Debian's Chromium against the built app's
 * web host on a data folder of its own, fresh browser contexts with the page-side helpers, opening
 * the app and importing a series through the UI. `npm run build` first (or RADLABEL_WEBHOST_ENTRY
 * for a copy of the build, see test/e2e/support/webhost.ts).
 */
import fs from 'node:fs';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { makeTempDir } from '../fixtures/index.js';
import { startWebHost } from '../e2e/support/webhost.js';

export const CHROMIUM = '/usr/lib/chromium/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** The window of every viewer benchmark (as in the e2e tests). */
export const VIEWPORT = { width: 1440, height: 900 };
/**
 * The runner loads the bench files through tsx, whose esbuild transform wraps named functions in
 * `__name(...)`; functions passed to page.evaluate then need that helper in the page too.
 */
export const TSX_NAME_HELPER = 'globalThis.__name = (target) => target;';

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

export interface ViewerBench {
  browser: Browser;
  /** The web host's link with its token. */
  url: string;
  /** A fresh context (empty HTTP cache and storage) with the tsx helper and `initScript`, if any. */
  newContext(initScript?: string): Promise<BrowserContext>;
  /** Imports a folder through the UI, in a context of its own, and waits until it is done. */
  importSeries(dir: string): Promise<void>;
}

/** Runs `body` with a browser and a web host on a temporary data folder; both end afterwards. */
export async function withViewerBench<T>(name: string, body: (bench: ViewerBench) => Promise<T>): Promise<T> {
  const dataDir = makeTempDir(name);
  const host = await startWebHost({ dataDir });
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const newContext = async (initScript?: string): Promise<BrowserContext> => {
        const context = await browser.newContext({ viewport: VIEWPORT });
        await context.addInitScript({ content: `${TSX_NAME_HELPER}\n${initScript ?? ''}` });
        return context;
      };
      const importSeries = async (dir: string): Promise<void> => {
        const context = await newContext();
        try {
          const page = await context.newPage();
          await gotoApp(page, host.url);
          await importThroughUi(page, dir);
        } finally {
          await context.close();
        }
      };
      return await body({ browser, url: host.url, newContext, importSeries });
    } finally {
      await browser.close();
    }
  } finally {
    await host.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Opens the app; other work on this machine may be rewriting build/ at that moment (the page then
 * fails to start), so a page that shows neither screen is reloaded, up to three times.
 */
export async function gotoApp(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    await page.goto(url);
    try {
      await page
        .locator('[data-testid="worklist"], [data-testid="viewer"]')
        .first()
        .waitFor({ timeout: 30_000 });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** Imports a folder through the import dialog of an open app page and waits until it is done. */
export async function importThroughUi(page: Page, dir: string): Promise<void> {
  await page.getByTestId('import-button').click();
  await page.getByTestId('import-path').fill(dir);
  await page.getByTestId('import-path-submit').click();
  await page.locator('[data-testid="import-phase"][data-phase="done"]').waitFor({ timeout: 600_000 });
}
