/**
 * viewer.restore_ms: from reloading the page to the same slice drawn again, on the generated
 * 200-slice 512² CT, in headless Chromium against the web host. The reader has the study open at
 * slice 120 under a chosen window; the page is reloaded; the figure is the time from the reload
 * request to Cornerstone's IMAGE_RENDERED for image 120 in viewport 1 (median of several reloads).
 *
 * Reference, same run: the same reload's time until the app's code is loaded and evaluated (the
 * app's `radlabel:app-start` mark; DOMContentLoaded where a build has no such mark), i.e. what
 * loading the app costs (the small entry has asked for the saved place meanwhile). Details: a
 * "restart" (a new browser profile on the same data folder: no HTTP cache, no localStorage, the
 * place read from main's copy).
 */
import type { Page } from 'playwright-core';
import { ensureCtSeries } from '../fixtures/index.js';
import { type Benchmark, type BenchFigure, median } from './lib.js';
import { type ViewerBench, gotoApp, importThroughUi, round, withViewerBench } from './viewer-lib.js';

const RUNS = 7;
/** 1-based image the reader left the study at. */
const TARGET = 120;

/**
 * In every page: Date.now() when viewport 1 draws image TARGET after setting it (any
 * STACK_NEW_IMAGE for that index, then the next IMAGE_RENDERED), and when the DOM was loaded.
 */
const PROBE = `
(() => {
  const target = ${TARGET - 1};
  window.addEventListener('DOMContentLoaded', () => { window.__domAt = Date.now(); });
  const attach = (element) => {
    let wanted = false;
    element.addEventListener('CORNERSTONE_STACK_NEW_IMAGE', (event) => {
      wanted = event.detail && event.detail.imageIdIndex === target;
    });
    element.addEventListener('CORNERSTONE_IMAGE_RENDERED', () => {
      if (wanted && window.__restoredAt === undefined) window.__restoredAt = Date.now();
    });
  };
  const observer = new MutationObserver(() => {
    const element = document.querySelector('[data-testid="viewport-element-0"]');
    if (!element || element.__probed) return;
    element.__probed = true;
    attach(element);
  });
  document.addEventListener('DOMContentLoaded', () =>
    observer.observe(document.body, { childList: true, subtree: true }),
  );
})();
`;

async function restoredAfter(page: Page, startedAt: number): Promise<{ restoreMs: number; domMs: number }> {
  const handle = await page.waitForFunction(
    () => {
      const probe = window as unknown as { __restoredAt?: number; __domAt?: number };
      const appStart = performance.getEntriesByName('radlabel:app-start')[0];
      const loadedAt = appStart ? performance.timeOrigin + appStart.startTime : probe.__domAt;
      return probe.__restoredAt !== undefined && loadedAt !== undefined
        ? { restoredAt: probe.__restoredAt, domAt: loadedAt }
        : null;
    },
    undefined,
    { timeout: 30_000, polling: 10 },
  );
  const { restoredAt, domAt } = (await handle.jsonValue()) as { restoredAt: number; domAt: number };
  return { restoreMs: restoredAt - startedAt, domMs: domAt - startedAt };
}

async function measure(bench: ViewerBench): Promise<BenchFigure[]> {
  const series = ensureCtSeries({ slices: 200, size: 512 });
  const context = await bench.newContext(PROBE);
  const page = await context.newPage();
  await gotoApp(page, bench.url);
  await importThroughUi(page, series.dir);
  await page.getByTestId('import-dismiss').click();
  await page.getByTestId('worklist-search').fill('Synthetic');
  const row = page
    .locator('[data-testid="study-table"][data-search="Synthetic"] [data-testid="study-row"]')
    .first();
  await row.dblclick();
  await page.locator('[data-testid="viewport-0"] [data-testid="overlay-image"][data-index="1"]').waitFor();
  await page.getByTestId('viewport-0').click();
  await page.keyboard.press('End');
  for (let index = 200; index > TARGET; index -= 1) await page.keyboard.press('ArrowUp');
  await page
    .locator(`[data-testid="viewport-0"] [data-testid="overlay-image"][data-index="${TARGET}"]`)
    .waitFor();
  await page.getByTestId('preset-abdomen').click();
  // The session is saved within half a second of a change.
  await page.waitForTimeout(1500);

  const reloads: { restoreMs: number; domMs: number }[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const startedAt = Date.now();
    await page.reload({ waitUntil: 'commit' });
    reloads.push(await restoredAfter(page, startedAt));
    await page
      .locator(`[data-testid="viewport-0"] [data-testid="overlay-image"][data-index="${TARGET}"]`)
      .waitFor();
    await page.waitForTimeout(300);
  }
  const width = await page
    .locator('[data-testid="viewport-0"] [data-testid="overlay-window"]')
    .getAttribute('data-width');
  await context.close();

  const restarts: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const fresh = await bench.newContext(PROBE);
    const freshPage = await fresh.newPage();
    const startedAt = Date.now();
    await freshPage.goto(bench.url, { waitUntil: 'commit' });
    restarts.push((await restoredAfter(freshPage, startedAt)).restoreMs);
    await fresh.close();
  }

  return [
    {
      id: 'viewer.restore_ms',
      value: round(median(reloads.map((r) => r.restoreMs))),
      unit: 'ms',
      goal: '< 1000',
      reference: {
        what: "same reload: time until the app's code is loaded and evaluated (its radlabel:app-start mark)",
        value: round(median(reloads.map((r) => r.domMs))),
      },
      details: {
        series: `${series.slices} × ${series.size}² CT, image ${TARGET}, window W ${width}`,
        runs: RUNS,
        all: reloads.map((r) => round(r.restoreMs)),
        restartNewProfileMs: restarts.map((ms) => round(ms)),
      },
    },
  ];
}

export const benchmarks: Benchmark[] = [
  { ids: ['viewer.restore_ms'], run: () => withViewerBench('bench-restore', measure) },
];
