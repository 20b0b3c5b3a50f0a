/**
 * Labelmap painting benchmark (#9 item 2), in headless Chromium against the web host on a
 * generated 512² CT series, with GPU rendering (labelmaps need it; `?rendering=gpu`).
 *
 * - annotation.paint_ms: brush strokes drawn with the mouse on one slice; for every pointer event
 *   of a stroke (down, moves, up), the time the page takes to draw it: from the moment the page
 *   gets the event (its first listener) to the end of the animation frame that shows it
 *   (Cornerstone and the stroke preview draw in that frame), not counting the time the page sits
 *   idle between a press's listeners and that frame, waiting for the display's next tick. The
 *   figure is the p95 over all events of 20 strokes (240). Reference: the same drags in reading
 *   mode (window/level), which redraw the image.
 *
 *   Until session 23 the figure was the time from the event's timestamp to the end of that frame
 *   (kept in the details as `latency`). That adds the time Chromium holds a move in its input
 *   queue until the next frame (moves are dispatched aligned with animation frames) and the idle
 *   wait for the tick: at 60 Hz up to 16.7 ms that no page can shorten, set by when the driver
 *   sends its next event (Playwright sends it after the previous one is handled, so each move
 *   arrives a few ms after a frame began and waits ~10 ms for the next). Measured on the same
 *   build: latency p50 13.1 ms, of which 10.1 ms in the input queue, and 4 ms of drawing.
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
  /** The time (ms) the page takes to draw every pointer event (see the file's comment). */
  drawn: number[];
  /** Latency (ms) of every pointer event: its timestamp to the end of the frame that shows it. */
  latencies: number[];
  /** Of each latency, the time (ms) the event waited in Chromium's input queue before dispatch. */
  queued: number[];
  /** The type of each of those events (pointerdown, pointermove, pointerup), in the same order. */
  types: string[];
  /** Renders of viewport 0 (Cornerstone's IMAGE_RENDERED) from the first press to the end. */
  renders: number;
  /** Of those, the renders that started while a button was down (inside a stroke). */
  rendersInStrokes: number;
}

/** One pointer event of a stroke, as the page saw it (performance.now() times, ms). */
interface EventRecord {
  type: string;
  /** The event's timestamp: when Chromium got it from the driver. */
  at: number;
  /** When its first listener ran (a capture listener on the document). */
  dispatch: number;
  /** When its last listener ran (a bubble listener on the window, after the compatibility mouse event's). */
  handled?: number;
  /** The start of the animation frame after it (the requestAnimationFrame timestamp). */
  frame?: number;
  /** The end of that frame (a task queued from the frame's requestAnimationFrame callback). */
  end?: number;
}

/**
 * The time the page takes to draw an event: from its dispatch to the end of the frame that shows
 * it, less the idle wait between its listeners and that frame when it was dispatched before the
 * frame began (a press or a pointer up; moves are dispatched inside the frame). Without the end
 * of the listeners (a listener stopped the event), nothing is taken off.
 */
function drawnMs(event: Required<Pick<EventRecord, 'dispatch' | 'frame' | 'end'>> & EventRecord): number {
  if (event.dispatch >= event.frame || event.handled === undefined) return event.end - event.dispatch;
  return Math.min(event.handled, event.frame) - event.dispatch + (event.end - event.frame);
}

/** Every pointer event of `STROKES` drags across viewport 0: drawing time, latency; its renders. */
async function dragLatencies(page: Page): Promise<Drags> {
  await page.evaluate(() => {
    const target = window as unknown as {
      __paintEvents: EventRecord[];
      __paintRenders: { all: number; inStrokes: number; down: boolean };
    };
    target.__paintEvents = [];
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
    let last: EventRecord | undefined;
    for (const type of ['pointerdown', 'pointermove', 'pointerup']) {
      document.addEventListener(
        type,
        (event) => {
          last = undefined;
          if (
            !(event.target instanceof Element) ||
            !event.target.closest('[data-testid="viewport-element-0"]')
          )
            return;
          // A stroke's events only: the move to a stroke's start, with no button down, is not one.
          if (type === 'pointermove' && (event as PointerEvent).buttons === 0) return;
          const record: EventRecord = { type, at: event.timeStamp, dispatch: performance.now() };
          last = record;
          target.__paintEvents.push(record);
          requestAnimationFrame((frame) => {
            record.frame = frame;
            setTimeout(() => (record.end = performance.now()), 0);
          });
        },
        { capture: true },
      );
    }
    // The listeners' end: the window's bubble listeners run last, the compatibility mouse event
    // (mousedown after pointerdown…, in the same task) after the pointer event's.
    for (const type of ['pointerdown', 'pointermove', 'pointerup', 'mousedown', 'mousemove', 'mouseup'])
      window.addEventListener(type, () => {
        if (last) last.handled = performance.now();
      });
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
  const { events, renders } = await page.evaluate(() => {
    const target = window as unknown as {
      __paintEvents: EventRecord[];
      __paintRenders: { all: number; inStrokes: number };
    };
    return { events: target.__paintEvents, renders: target.__paintRenders };
  });
  const done = events.filter(
    (event): event is Required<Pick<EventRecord, 'dispatch' | 'frame' | 'end'>> & EventRecord =>
      event.frame !== undefined && event.end !== undefined,
  );
  if (done.length !== events.length)
    throw new Error(`${events.length - done.length} of ${events.length} events had no frame after them`);
  return {
    drawn: done.map(drawnMs),
    latencies: done.map((event) => event.end - event.at),
    queued: done.map((event) => event.dispatch - event.at),
    types: done.map((event) => event.type),
    renders: renders.all,
    rendersInStrokes: renders.inStrokes,
  };
}

/** Count, median and p95 of `values` (one per event of `drags`) for each kind of pointer event. */
function byType(
  drags: Drags,
  values: number[],
): Record<string, { events: number; median: number; p95: number }> {
  const kinds: Record<string, { events: number; median: number; p95: number }> = {};
  for (const type of ['pointerdown', 'pointermove', 'pointerup']) {
    const ofType = values.filter((_, index) => drags.types[index] === type);
    if (ofType.length === 0) continue;
    kinds[type] = {
      events: ofType.length,
      median: round(percentile(ofType, 50)),
      p95: round(percentile(ofType, 95)),
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
        const reading = readingDrags.drawn;
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
        // The main thread's work for the whole strokes, between them too (CDP Performance).
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        const taskSeconds = async (): Promise<number> =>
          (await cdp.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'TaskDuration')
            ?.value ?? Number.NaN;
        const tasksBefore = await taskSeconds();
        if (profileFile) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
          await cdp.send('Profiler.start');
        }
        const paintingDrags = await dragLatencies(page);
        const painting = paintingDrags.drawn;
        if (traceFile) await browser.stopTracing();
        const tasksAfter = await taskSeconds();
        if (profileFile) {
          const { profile } = await cdp.send('Profiler.stop');
          fs.writeFileSync(profileFile, JSON.stringify(profile));
        }
        await cdp.detach();
        return [
          {
            id: 'annotation.paint_ms',
            value: round(percentile(painting, 95)),
            unit: 'ms',
            goal: '< 16',
            reference: {
              what: 'p95 per pointer event of the same drags in reading mode (window/level): time the page takes to draw it, ms',
              value: round(percentile(reading, 95)),
            },
            details: {
              events: painting.length,
              median: round(percentile(painting, 50)),
              readingMedian: round(percentile(reading, 50)),
              // Per kind of event (a press, the moves, the pointer up): count, median, p95, ms.
              byType: byType(paintingDrags, painting),
              // The event's timestamp to the end of the frame that shows it (the figure until
              // session 23), and of that the wait in Chromium's input queue before dispatch.
              latency: {
                p95: round(percentile(paintingDrags.latencies, 95)),
                median: round(percentile(paintingDrags.latencies, 50)),
                byType: byType(paintingDrags, paintingDrags.latencies),
                queuedMedian: round(percentile(paintingDrags.queued, 50)),
                queuedP95: round(percentile(paintingDrags.queued, 95)),
                readingP95: round(percentile(readingDrags.latencies, 95)),
              },
              // The page's main thread busy (all its tasks) per stroke, from the first press to
              // 300 ms after the last pointer up: the drawing, the strokes' ends in Cornerstone,
              // undo memos, saves; the idle time is not in it.
              mainThreadMsPerStroke: round(((tasksAfter - tasksBefore) * 1000) / STROKES),
              // Viewport renders (WebGL frames) during the 20 painting strokes, and inside them.
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
