/**
 * Labelmap painting benchmark (#9 item 2), in headless Chromium against the web host on a
 * generated 512² CT series, with GPU rendering (labelmaps need it; `?rendering=gpu`).
 *
 * - annotation.paint_ms: brush strokes drawn with the mouse on one slice; for every pointer event
 *   of a stroke (down, moves, up), the time from the event to the end of the animation frame that
 *   follows it (Cornerstone draws in that frame); the figure is the p95 over all events of 20
 *   strokes (240: until session 22 the move to each stroke's start, no button down, was counted
 *   too, 20 more events, mostly fast ones). Reference: the same drags in reading mode
 *   (window/level), which redraw the image.
 *
 * - annotation.labelmap_mb: renderer memory held for a segmentation of 20 segments on a 512×512×300
 *   series after 200 undoable brush strokes (10 slices × one short stroke per segment, in a grid
 *   apart from each other, as a reader outlines neighbouring structures). Measured after a forced garbage collection with
 *   CDP Runtime.getHeapUsage: the V8 heap plus ArrayBuffer backing stores (labelmap voxels, undo
 *   memos). The figure is after minus before, where "before" is the same page with the series
 *   loaded and every image decoded (all 300 slices visited), no segmentation. The renderer
 *   processes' resident memory (/proc/<pid>/status VmRSS) is kept as details.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { withViewer } from './annotation.bench.js';
import { type Benchmark, percentile } from './lib.js';

const STROKES = 20;
const MOVES = 10;
const round = (value: number): number => Math.round(value * 10) / 10;

interface Drags {
  /** Latency (ms) of every pointer event. */
  latencies: number[];
  /** The type of each of those events (pointerdown, pointermove, pointerup), in the same order. */
  types: string[];
  /** Renders of viewport 0 (Cornerstone's IMAGE_RENDERED) from the first press to the end. */
  renders: number;
  /** Of those, the renders that started while a button was down (inside a stroke). */
  rendersInStrokes: number;
}

/** Latencies (ms) of every pointer event of `STROKES` drags across viewport 0, and its renders. */
async function dragLatencies(page: Page): Promise<Drags> {
  await page.evaluate(() => {
    const target = window as unknown as {
      __paintLatencies: number[];
      __paintTypes: string[];
      __paintRenders: { all: number; inStrokes: number; down: boolean };
    };
    target.__paintLatencies = [];
    target.__paintTypes = [];
    const renders = { all: 0, inStrokes: 0, down: false };
    target.__paintRenders = renders;
    document.addEventListener('pointerdown', () => (renders.down = true), { capture: true });
    document.addEventListener('pointerup', () => (renders.down = false), { capture: true });
    document.addEventListener(
      'CORNERSTONE_IMAGE_RENDERED',
      (event) => {
        if (!(event.target instanceof Element) || !event.target.closest('[data-testid="viewport-element-0"]'))
          return;
        renders.all += 1;
        if (renders.down) renders.inStrokes += 1;
      },
      { capture: true },
    );
    for (const type of ['pointerdown', 'pointermove', 'pointerup'])
      document.addEventListener(
        type,
        (event) => {
          if (
            !(event.target instanceof Element) ||
            !event.target.closest('[data-testid="viewport-element-0"]')
          )
            return;
          // A stroke's events only: the move to a stroke's start, with no button down, is not one.
          if (type === 'pointermove' && (event as PointerEvent).buttons === 0) return;
          const at = event.timeStamp;
          requestAnimationFrame(() =>
            setTimeout(() => {
              target.__paintLatencies.push(performance.now() - at);
              target.__paintTypes.push(type);
            }, 0),
          );
        },
        { capture: true },
      );
  });
  const box = (await page.getByTestId('viewport-element-0').boundingBox())!;
  for (let stroke = 0; stroke < STROKES; stroke += 1) {
    const y = box.y + box.height * (0.3 + (0.4 * stroke) / STROKES);
    await page.mouse.move(box.x + box.width * 0.35, y);
    await page.mouse.down();
    for (let step = 1; step <= MOVES; step += 1)
      await page.mouse.move(box.x + box.width * (0.35 + (0.3 * step) / MOVES), y);
    await page.mouse.up();
    await page.waitForTimeout(50);
  }
  await page.waitForTimeout(300);
  return page.evaluate(() => {
    const target = window as unknown as {
      __paintLatencies: number[];
      __paintTypes: string[];
      __paintRenders: { all: number; inStrokes: number };
    };
    return {
      latencies: target.__paintLatencies,
      types: target.__paintTypes,
      renders: target.__paintRenders.all,
      rendersInStrokes: target.__paintRenders.inStrokes,
    };
  });
}

/** Count, median and p95 of the latencies of each kind of pointer event. */
function byType(drags: Drags): Record<string, { events: number; median: number; p95: number }> {
  const kinds: Record<string, { events: number; median: number; p95: number }> = {};
  for (const type of ['pointerdown', 'pointermove', 'pointerup']) {
    const values = drags.latencies.filter((_, index) => drags.types[index] === type);
    if (values.length === 0) continue;
    kinds[type] = {
      events: values.length,
      median: round(percentile(values, 50)),
      p95: round(percentile(values, 95)),
    };
  }
  return kinds;
}

const paintMs: Benchmark = {
  ids: ['annotation.paint_ms'],
  async run() {
    return withViewer(
      [{ slices: 30, size: 512, seed: 'paint' }],
      async ({ page, browser, series, openStudy }) => {
        const url = new URL(page.url());
        url.searchParams.set('rendering', 'gpu');
        await page.goto(url.href);
        await page.getByTestId('worklist').waitFor();
        await openStudy(series[0]!);
        const readingDrags = await dragLatencies(page);
        const reading = readingDrags.latencies;
        await page.reload();
        // The session brings the viewer back; else it is opened again from the worklist.
        await page.getByTestId('viewer').or(page.getByTestId('worklist')).waitFor();
        if (await page.getByTestId('worklist').isVisible()) await openStudy(series[0]!);
        await page.locator('[data-testid="viewport-0"][data-state="ready"]').waitFor();
        await page.getByTestId('segmentation-toggle').click();
        await page.getByTestId('seg-add').waitFor({ timeout: 120_000 });
        await page.getByTestId('seg-add').click();
        await page.locator('[data-testid="label-option"][data-label-id="mass"]').click();
        await page.locator('[data-testid="seg-tool-Brush"][aria-pressed="true"]').waitFor();
        // RADLABEL_BENCH_TRACE=<file.json>: a Chromium trace of the painting (page, GPU process).
        const traceFile = process.env['RADLABEL_BENCH_TRACE'];
        if (traceFile)
          await browser.startTracing(page, {
            path: traceFile,
            categories: [
              'devtools.timeline',
              'disabled-by-default-devtools.timeline',
              'gpu',
              'toplevel',
              'v8',
            ],
          });
        // RADLABEL_BENCH_PROFILE=<file.cpuprofile>: the page's CPU profile of the painting.
        const profileFile = process.env['RADLABEL_BENCH_PROFILE'];
        const cdp = profileFile ? await page.context().newCDPSession(page) : null;
        if (cdp) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
          await cdp.send('Profiler.start');
        }
        const paintingDrags = await dragLatencies(page);
        const painting = paintingDrags.latencies;
        if (traceFile) await browser.stopTracing();
        if (cdp && profileFile) {
          const { profile } = await cdp.send('Profiler.stop');
          fs.writeFileSync(profileFile, JSON.stringify(profile));
          await cdp.detach();
        }
        return [
          {
            id: 'annotation.paint_ms',
            value: round(percentile(painting, 95)),
            unit: 'ms',
            goal: '< 16',
            reference: {
              what: 'p95 per pointer event of the same drags in reading mode (window/level), ms',
              value: round(percentile(reading, 95)),
            },
            details: {
              events: painting.length,
              median: round(percentile(painting, 50)),
              readingMedian: round(percentile(reading, 50)),
              // What painting adds to a plain render of the image (the reading drags' renders).
              p95MinusReadingP95: round(percentile(painting, 95) - percentile(reading, 95)),
              medianMinusReadingMedian: round(percentile(painting, 50) - percentile(reading, 50)),
              // Viewport renders (WebGL frames) during the 20 painting strokes, and inside them.
              // Per kind of event (a press, the moves, the pointer up): count, median, p95, ms.
              byType: byType(paintingDrags),
              renders: paintingDrags.renders,
              rendersInStrokes: paintingDrags.rendersInStrokes,
              readingRenders: readingDrags.renders,
              rendering: 'gpu',
              image: '512x512',
            },
          },
        ];
      },
    );
  },
};

/** Heap + ArrayBuffer bytes of the page after a forced GC, and the renderers' resident bytes. */
async function memoryNow(
  page: Page,
  browser: Browser,
): Promise<{ heap: number; buffers: number; rss: number }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.enable');
    for (let i = 0; i < 3; i += 1) await cdp.send('HeapProfiler.collectGarbage');
    await page.waitForTimeout(500);
    await cdp.send('HeapProfiler.collectGarbage');
    const usage = (await cdp.send('Runtime.getHeapUsage')) as {
      usedSize: number;
      backingStorageSize?: number;
    };
    const browserCdp = await browser.newBrowserCDPSession();
    let rss = 0;
    try {
      const info = (await browserCdp.send('SystemInfo.getProcessInfo')) as {
        processInfo: Array<{ type: string; id: number }>;
      };
      for (const process of info.processInfo) {
        if (process.type !== 'renderer') continue;
        try {
          const status = fs.readFileSync(`/proc/${process.id}/status`, 'utf8');
          rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
        } catch {
          // The process ended.
        }
      }
    } finally {
      await browserCdp.detach();
    }
    return { heap: usage.usedSize, buffers: usage.backingStorageSize ?? 0, rss };
  } finally {
    await cdp.detach();
  }
}

const SEGMENTS = 20;
const STROKE_SLICES = 10;
const SERIES_SLICES = 300;
const MB = 2 ** 20;

const labelmapMb: Benchmark = {
  ids: ['annotation.labelmap_mb'],
  async run() {
    return withViewer(
      [{ slices: SERIES_SLICES, size: 512, seed: 'labelmap-mb' }],
      async ({ page, series, openStudy, browser }) => {
        const url = new URL(page.url());
        url.searchParams.set('rendering', 'gpu');
        await page.goto(url.href);
        await page.getByTestId('worklist').waitFor();
        await openStudy(series[0]!);
        await page.locator('[data-testid="viewport-0"][data-state="ready"]').waitFor();
        const image = page.getByTestId('viewport-0').getByTestId('overlay-image');
        // Every image decoded and cached: the series' own memory is in the baseline.
        await page.getByTestId('viewport-element-0').click({ position: { x: 5, y: 5 } });
        for (let index = 1; index < SERIES_SLICES; index += 1) await page.keyboard.press('ArrowDown');
        await page.waitForFunction(
          (total) =>
            document
              .querySelector('[data-testid="viewport-0"] [data-testid="overlay-image"]')
              ?.getAttribute('data-index') === String(total),
          SERIES_SLICES,
          { timeout: 300_000 },
        );
        await page.keyboard.press('Home');
        await page.waitForTimeout(2000);
        const before = await memoryNow(page, browser);

        await page.getByTestId('segmentation-toggle').click();
        await page.getByTestId('seg-add').waitFor({ timeout: 300_000 });
        for (let segment = 0; segment < SEGMENTS; segment += 1) {
          await page.getByTestId('seg-add').click();
          const options = page.getByTestId('label-picker').getByTestId('label-option');
          await options.nth(segment % (await options.count())).click();
          await page.getByTestId(`segment-${segment + 1}`).waitFor();
        }
        await page.locator('[data-testid="seg-tool-Brush"][aria-pressed="true"]').waitFor();
        const box = (await page.getByTestId('viewport-element-0').boundingBox())!;
        let strokes = 0;
        for (let group = 0; group < STROKE_SLICES; group += 1) {
          const slice = group * (SERIES_SLICES / STROKE_SLICES) + 15;
          const shown = Number(await image.getAttribute('data-index'));
          for (let step = shown; step < slice; step += 1) await page.keyboard.press('ArrowDown');
          await page.waitForFunction(
            (index) =>
              document
                .querySelector('[data-testid="viewport-0"] [data-testid="overlay-image"]')
                ?.getAttribute('data-index') === String(index),
            slice,
          );
          for (let segment = 1; segment <= SEGMENTS; segment += 1) {
            await page.getByTestId(`segment-${segment}`).locator('.segment-row__name').click();
            // A 4 × 5 grid of short strokes, apart: neighbouring structures, no overlap.
            const x = 0.12 + 0.2 * ((segment - 1) % 4);
            const y = box.y + box.height * (0.15 + 0.16 * Math.floor((segment - 1) / 4));
            await page.mouse.move(box.x + box.width * x, y);
            await page.mouse.down();
            for (let move = 1; move <= 4; move += 1)
              await page.mouse.move(box.x + box.width * (x + (0.1 * move) / 4), y);
            await page.mouse.up();
            strokes += 1;
          }
        }
        await page.waitForTimeout(1000);
        await page.evaluate(() =>
          (
            window as unknown as { radlabelSegmentation: { flushSave(): Promise<void> } }
          ).radlabelSegmentation.flushSave(),
        );
        const layers = await page
          .locator('[data-testid="segment-list"] [data-layer]')
          .evaluateAll((rows) => new Set(rows.map((row) => row.getAttribute('data-layer'))).size);
        const painted = await page.evaluate((count) => {
          const probe = (window as unknown as { radlabelSegmentation: { voxelCounts(i: number): number[] } })
            .radlabelSegmentation;
          let voxels = 0;
          for (let segment = 1; segment <= count; segment += 1)
            for (const value of probe.voxelCounts(segment)) voxels += value;
          return voxels;
        }, SEGMENTS);
        const after = await memoryNow(page, browser);
        const held = (after.heap + after.buffers - before.heap - before.buffers) / MB;
        return [
          {
            id: 'annotation.labelmap_mb',
            value: round(held),
            unit: 'MB',
            goal: '< 200',
            reference: {
              what: 'one 512×512×300 labelmap layer of 8-bit voxels, MB',
              value: round((512 * 512 * SERIES_SLICES) / MB),
            },
            details: {
              strokes,
              segments: SEGMENTS,
              layers,
              paintedVoxels: painted,
              heapBeforeMb: round(before.heap / MB),
              buffersBeforeMb: round(before.buffers / MB),
              heapAfterMb: round(after.heap / MB),
              buffersAfterMb: round(after.buffers / MB),
              rendererRssBeforeMb: round(before.rss / MB),
              rendererRssAfterMb: round(after.rss / MB),
              rendererRssDeltaMb: round((after.rss - before.rss) / MB),
              rendering: 'gpu',
            },
          },
        ];
      },
    );
  },
};

export const benchmarks: Benchmark[] = [paintMs, labelmapMb];
