/**
 * Labelmap painting benchmark (#9 item 2), in headless Chromium against the web host on a
 * generated 512² CT series, with GPU rendering (labelmaps need it; `?rendering=gpu`).
 *
 * - annotation.paint_ms: brush strokes drawn with the mouse on one slice; for every pointer event
 *   of a stroke (down, moves, up), the time from the event to the end of the animation frame that
 *   follows it (Cornerstone draws in that frame); the figure is the p95 over all events of 20
 *   strokes. Reference: the same drags in reading mode (window/level), which redraw the image.
 *
 * annotation.labelmap_mb (20 segments × 300 slices after 200 strokes) is not written yet.
 */
import type { Page } from 'playwright-core';
import { withViewer } from './annotation.bench.js';
import { type Benchmark, percentile } from './lib.js';

const STROKES = 20;
const MOVES = 10;
const round = (value: number): number => Math.round(value * 10) / 10;

/** Latencies (ms) of every pointer event of `STROKES` drags across viewport 0. */
async function dragLatencies(page: Page): Promise<number[]> {
  await page.evaluate(() => {
    const target = window as unknown as { __paintLatencies: number[] };
    target.__paintLatencies = [];
    for (const type of ['pointerdown', 'pointermove', 'pointerup'])
      document.addEventListener(
        type,
        (event) => {
          if (
            !(event.target instanceof Element) ||
            !event.target.closest('[data-testid="viewport-element-0"]')
          )
            return;
          const at = event.timeStamp;
          requestAnimationFrame(() =>
            setTimeout(() => target.__paintLatencies.push(performance.now() - at), 0),
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
  return page.evaluate(() => (window as unknown as { __paintLatencies: number[] }).__paintLatencies);
}

const paintMs: Benchmark = {
  ids: ['annotation.paint_ms'],
  async run() {
    return withViewer([{ slices: 30, size: 512, seed: 'paint' }], async ({ page, series, openStudy }) => {
      const url = new URL(page.url());
      url.searchParams.set('rendering', 'gpu');
      await page.goto(url.href);
      await page.getByTestId('worklist').waitFor();
      await openStudy(series[0]!);
      const reading = await dragLatencies(page);
      await page.reload();
      // The session brings the viewer back; else it is opened again from the worklist.
      await page.getByTestId('viewer').or(page.getByTestId('worklist')).waitFor();
      if (await page.getByTestId('worklist').isVisible()) await openStudy(series[0]!);
      await page.locator('[data-testid="viewport-0"][data-state="ready"]').waitFor();
      await page.getByTestId('segmentation-toggle').click();
      await page.getByTestId('seg-add').waitFor({ timeout: 120_000 });
      await page.getByTestId('seg-label').selectOption('mass');
      await page.getByTestId('seg-add').click();
      await page.locator('[data-testid="seg-tool-Brush"][aria-pressed="true"]').waitFor();
      const painting = await dragLatencies(page);
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
            rendering: 'gpu',
            image: '512x512',
          },
        },
      ];
    });
  },
};

export const benchmarks: Benchmark[] = [paintMs];
