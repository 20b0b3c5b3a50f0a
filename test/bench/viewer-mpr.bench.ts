/**
 * MPR in headless Chromium against the web host (issue #8 item 4):
 *
 * - viewer.mpr_first_image_ms: on the generated 300-slice 512² CT, from choosing MPR (the app marks
 *   `radlabel:mpr-open` on the click) to all three planes drawn from the volume
 *   (`radlabel:mpr-drawn`: each plane's first IMAGE_RENDERED once the volume is set on it), in a
 *   fresh browser context each run, MPR chosen as soon as the stack's first image is on screen
 *   (the series is still streaming: the planes fill in as slices arrive). The details give the
 *   time until every slice is in the volume (`radlabel:mpr-loaded`), and both figures when MPR is
 *   chosen after the stack has been prefetched (the usual case: the reader has been scrolling).
 * - viewer.renderer_mb_1000: on a 1000-slice 512² CT (500 MiB of pixels), after scrolling through
 *   every slice in the stack viewer and then opening MPR on it (fully loaded), the resident memory
 *   (RSS, /proc/<pid>/status VmRSS) of the page's renderer process, found through CDP
 *   SystemInfo.getProcessInfo. It includes everything the renderer holds (JS heap, the decoded
 *   images and their ArrayBuffers, the parsed files, the WebGL client side), not the GPU process,
 *   which holds the volume's texture: that and the JS heap (CDP Performance.getMetrics
 *   JSHeapUsedSize) are in the details, with the same after closing MPR.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { ensureCtSeries } from '../fixtures/index.js';
import { stepToLastSlice } from '../support/stack-steps.js';
import { type BenchFigure, type Benchmark, median } from './lib.js';
import { type ViewerBench, VIEWPORT, gotoApp, round, withViewerBench } from './viewer-lib.js';

const RUNS = 3;

async function openStudy(page: Page, url: string, patientId: string): Promise<void> {
  // The app restores the reader's last screen (the data folder keeps it): back to the worklist.
  await gotoApp(page, url);
  if (await page.getByTestId('viewer').isVisible()) await page.getByTestId('viewer-back').click();
  await page.getByTestId('worklist-search').fill(patientId);
  const row = page
    .locator(`[data-testid="study-table"][data-search="${patientId}"] [data-testid="study-row"]`)
    .first();
  await row.waitFor();
  await row.dblclick();
  await page.locator('[data-testid="viewport-0"][data-state="ready"]').waitFor({ timeout: 60_000 });
}

/**
 * Counts the series' files whose requests the browser reports finished, from the main thread or
 * from its frame worker (the worker's fetches are not in the page's resource timing, so Playwright's
 * network events count): one per `/instances/<uid>` request and each UID of an
 * `/instance-batch/<uid>,…` request. Kept in the details only: Chromium reports some batch answers
 * as failed (ERR_ABORTED) after they came in full (a no-store answer streamed and read to its end),
 * so this undercounts what came (220-292 of 300 here, with every slice in the cache).
 */
function countInstanceFetches(page: Page): () => number {
  const fetched = new Set<string>();
  const uidsOf = (url: string): string[] => {
    const path = new URL(url).pathname;
    const single = /\/instances\/([^/]+)$/.exec(path);
    if (single) return [single[1]!];
    const batch = /\/instance-batch\/([^/]+)$/.exec(path);
    return batch ? decodeURIComponent(batch[1]!).split(',') : [];
  };
  page.on('requestfinished', (request) => {
    for (const uid of uidsOf(request.url())) fetched.add(uid);
  });
  return () => fetched.size;
}

/**
 * Waits until the stack's prefetch is done: it marks `radlabel:stack-prefetched` once every image
 * has been asked for and the last load has ended (renderer/src/imaging/scrollPrefetch.ts), with
 * how many of the stack's images the cache then holds; resolves with that number.
 */
async function waitForPrefetch(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      const mark = performance.getEntriesByName('radlabel:stack-prefetched').at(-1) as
        PerformanceMark | undefined;
      return mark ? (mark.detail as { cached: number }).cached : null;
    },
    undefined,
    { timeout: 300_000, polling: 250 },
  );
  return (await handle.jsonValue()) as number;
}

interface MprTiming {
  drawnMs: number;
  loadedMs: number;
  /** Volume created (first, middle and last slices read), then set on the three viewports. */
  createdMs: number;
  setMs: number;
  /** Warm runs: the series' images in the cache when the prefetch was done, before MPR was chosen. */
  prefetched?: number;
  /** Warm runs: the series' files in requests the browser reported finished by then. */
  finishedRequests?: number;
}

async function openMpr(page: Page): Promise<MprTiming> {
  await page.evaluate(() => performance.setResourceTimingBufferSize(100_000));
  await page.getByTestId('mpr-toggle').click();
  await page.locator('[data-testid="mpr"][data-state="ready"]').waitFor({ timeout: 600_000 });
  return page.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(name).at(-1)!.startTime;
    const open = at('radlabel:mpr-open');
    return {
      drawnMs: at('radlabel:mpr-drawn') - open,
      loadedMs: at('radlabel:mpr-loaded') - open,
      createdMs: at('radlabel:mpr-volume-created') - open,
      setMs: at('radlabel:mpr-volume-set') - open,
    };
  });
}

async function mprRun(bench: ViewerBench, patientId: string, warm: boolean): Promise<MprTiming> {
  const context = await bench.newContext();
  try {
    const page = await context.newPage();
    const fetched = countInstanceFetches(page);
    await openStudy(page, bench.url, patientId);
    await page.evaluate(() => performance.setResourceTimingBufferSize(100_000));
    let prefetched: number | undefined;
    let finishedRequests: number | undefined;
    if (warm) {
      prefetched = await waitForPrefetch(page);
      finishedRequests = fetched();
      await page.waitForTimeout(500);
    }
    return { ...(await openMpr(page)), prefetched, finishedRequests };
  } finally {
    await context.close();
  }
}

async function measureFirstImage(bench: ViewerBench): Promise<BenchFigure[]> {
  const series = ensureCtSeries({ slices: 300, size: 512, seed: 'mpr-bench' });
  await bench.importSeries(series.dir);
  const cold: MprTiming[] = [];
  const warm: MprTiming[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    cold.push(await mprRun(bench, series.patientId, false));
    warm.push(await mprRun(bench, series.patientId, true));
  }
  return [
    {
      id: 'viewer.mpr_first_image_ms',
      value: round(median(cold.map((r) => r.drawnMs))),
      unit: 'ms',
      goal: '< 1500',
      reference: {
        what: 'the same after the stack was prefetched (ms)',
        value: round(median(warm.map((r) => r.drawnMs))),
      },
      details: {
        series: `${series.slices} × ${series.size}² CT, ${round(series.totalBytes / 2 ** 20)} MiB, uncompressed`,
        runs: RUNS,
        coldDrawnMs: cold.map((r) => round(r.drawnMs)),
        warmPrefetchedFiles: warm.map((r) => r.prefetched),
        warmFilesInFinishedRequests: warm.map((r) => r.finishedRequests),
        coldAllSlicesLoadedMs: cold.map((r) => round(r.loadedMs)),
        warmDrawnMs: warm.map((r) => round(r.drawnMs)),
        warmAllSlicesLoadedMs: warm.map((r) => round(r.loadedMs)),
        coldVolumeCreatedMs: cold.map((r) => round(r.createdMs)),
        coldVolumeSetMs: cold.map((r) => round(r.setMs)),
        warmVolumeCreatedMs: warm.map((r) => round(r.createdMs)),
        warmVolumeSetMs: warm.map((r) => round(r.setMs)),
        loadAverage: os.loadavg().map((value) => round(value, 2)),
        viewport: `${VIEWPORT.width}×${VIEWPORT.height} window; MPR renders with WebGL (SwiftShader here)`,
      },
    },
  ];
}

interface MemorySample {
  rendererMb: number;
  gpuMb: number | null;
  jsHeapMb: number;
  renderers: number;
}

function rssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function sampleMemory(browser: Browser, page: Page): Promise<MemorySample> {
  const session = await page.context().newCDPSession(page);
  await session.send('HeapProfiler.collectGarbage');
  await session.send('Performance.enable');
  const { metrics } = (await session.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  const jsHeap = metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
  const browserSession = await browser.newBrowserCDPSession();
  const { processInfo } = (await browserSession.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number }[];
  };
  await browserSession.detach();
  await session.detach();
  const renderers = processInfo.filter((info) => info.type === 'renderer').map((info) => rssMb(info.id) ?? 0);
  const gpu = processInfo.filter((info) => info.type === 'GPU').map((info) => rssMb(info.id) ?? 0);
  return {
    // One page is open: the largest renderer is its process (others are spare or utility pages).
    rendererMb: Math.max(...renderers),
    gpuMb: gpu.length > 0 ? gpu.reduce((a, b) => a + b, 0) : null,
    jsHeapMb: jsHeap / 2 ** 20,
    renderers: renderers.length,
  };
}

async function measureMemory(bench: ViewerBench): Promise<BenchFigure[]> {
  const { browser, url } = bench;
  const series = ensureCtSeries({ slices: 1000, size: 512, seed: 'mpr-memory' });
  await bench.importSeries(series.dir);
  const context = await bench.newContext();
  try {
    const page = await context.newPage();
    await openStudy(page, url, series.patientId);
    const scrollMs = (await stepToLastSlice(page)).ms;
    const afterScroll = await sampleMemory(browser, page);
    const timing = await openMpr(page);
    await page.waitForTimeout(1000);
    const withMpr = await sampleMemory(browser, page);
    await page.getByTestId('mpr-close').click();
    await page.locator('[data-testid="viewport-0"][data-state="ready"]').waitFor();
    await page.waitForTimeout(1000);
    const afterClose = await sampleMemory(browser, page);
    const mb = (sample: MemorySample) => ({
      rendererRssMb: round(sample.rendererMb),
      gpuProcessRssMb: sample.gpuMb === null ? null : round(sample.gpuMb),
      jsHeapUsedMb: round(sample.jsHeapMb),
    });
    return [
      {
        id: 'viewer.renderer_mb_1000',
        value: round(withMpr.rendererMb),
        unit: 'MB (MiB)',
        goal: '< 1500',
        reference: {
          what: 'pixel data of the series, 16-bit (MiB)',
          value: round((series.slices * series.size ** 2 * 2) / 2 ** 20),
        },
        details: {
          series: `${series.slices} × ${series.size}² CT, ${round(series.totalBytes / 2 ** 20)} MiB on disk`,
          measured:
            'VmRSS of the page renderer process (CDP SystemInfo.getProcessInfo → /proc); JS heap from CDP Performance.getMetrics after a forced GC',
          afterScrolling: mb(afterScroll),
          withMprOpen: mb(withMpr),
          afterClosingMpr: mb(afterClose),
          scrollSeconds: round(scrollMs / 1000),
          mprAllSlicesLoadedMs: round(timing.loadedMs),
          rendererProcesses: withMpr.renderers,
          loadAverage: os.loadavg().map((value) => round(value, 2)),
        },
      },
    ];
  } finally {
    await context.close();
  }
}

export const benchmarks: Benchmark[] = [
  { ids: ['viewer.mpr_first_image_ms'], run: () => withViewerBench('bench-mpr', measureFirstImage) },
  { ids: ['viewer.renderer_mb_1000'], run: () => withViewerBench('bench-mpr', measureMemory) },
];
