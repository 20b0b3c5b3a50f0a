/**
 * AI review speed (issue #11, docs/ai-review.md), in Chromium against the built web host:
 *
 * - review.open_200_ms: from double-clicking a study whose device SR holds 200 AI findings (on 50
 *   slices) in the worklist to the AI list showing all 200 and the shown slice's findings drawn;
 *   reference: the same opening's first image.
 * - review.next_finding_ms: from the N key press (its keydown in the page) to the next finding's
 *   slice shown with the finding drawn on it, over 20 presses; median (p95 in the details).
 */
import path from 'node:path';
import type { CtSeries } from '../fixtures/index.js';
import { makeTempDir } from '../fixtures/index.js';
import { writeAiSr } from '../support/ai-fixtures.js';
import { rpc } from '../e2e/support/rpc.js';
import { withViewer } from './annotation.bench.js';
import { type Benchmark, type BenchFigure, median, percentile } from './lib.js';

const FINDINGS = 200;
const SLICES = 50;
const OPEN_RUNS = 3;
const PRESSES = 20;
const round = (value: number) => Math.round(value * 10) / 10;

const review: Benchmark = {
  ids: ['review.open_200_ms', 'review.next_finding_ms'],
  async run(): Promise<BenchFigure[]> {
    return withViewer(
      [
        { slices: SLICES, size: 256, seed: 'bench-review-ai' },
        { slices: 10, size: 256, seed: 'bench-review-other' },
      ],
      async ({ page, series, openStudy, leaveViewer }) => {
        const [study, other] = series as [CtSeries, CtSeries];
        const sr = writeAiSr({
          seriesFiles: study.files,
          out: path.join(makeTempDir('bench-review'), 'AI.dcm'),
          model: 'BenchCAD',
          manufacturer: 'Bench AI',
          modelName: 'BenchNet',
          version: '1.0',
          findings: Array.from({ length: FINDINGS }, (_, i) => ({
            slice: i % SLICES,
            confidence: 0.3 + ((i * 37) % 70) / 100,
            from: [20 + (i % 4) * 50, 40 + Math.floor(i / SLICES) * 40] as [number, number],
            to: [60 + (i % 4) * 50, 60 + Math.floor(i / SLICES) * 40] as [number, number],
          })),
        });
        await rpc(page, 'annotation.importFiles', { paths: [sr.file] });

        const opens: number[] = [];
        const firstImages: number[] = [];
        for (let run = 0; run < OPEN_RUNS; run += 1) {
          await openStudy(other);
          await leaveViewer();
          await page.getByTestId('worklist-search').fill(study.patientId);
          const row = page
            .locator(
              `[data-testid="study-table"][data-search="${study.patientId}"] [data-testid="study-row"]`,
            )
            .first();
          await row.waitFor();
          const waiting = page.evaluate(
            (count) =>
              new Promise<{ imageAt: number; doneAt: number }>((resolve) => {
                let imageAt = 0;
                const started = Date.now();
                const tick = () => {
                  const viewport = document.querySelector('[data-testid="viewport-0"]');
                  if (!imageAt && viewport?.querySelector('[data-testid="overlay-image"][data-total]'))
                    imageAt = Date.now();
                  const rows = document.querySelectorAll('[data-testid="ai-finding"]').length;
                  const drawn = viewport?.querySelectorAll('g[data-annotation-uid]').length ?? 0;
                  if (imageAt && rows >= count && drawn > 0) resolve({ imageAt, doneAt: Date.now() });
                  else if (Date.now() - started > 120_000)
                    resolve({ imageAt: Number.NaN, doneAt: Number.NaN });
                  else requestAnimationFrame(tick);
                };
                requestAnimationFrame(tick);
              }),
            FINDINGS,
          );
          const startedAt = Date.now();
          await row.dblclick();
          const { imageAt, doneAt } = await waiting;
          if (Number.isNaN(doneAt))
            throw new Error('the study did not show its 200 AI findings within 2 minutes');
          opens.push(doneAt - startedAt);
          firstImages.push(imageAt - startedAt);
          if (run < OPEN_RUNS - 1) await leaveViewer();
        }

        // N through the findings: keydown → the next finding's slice shown with it drawn.
        const steps: number[] = [];
        for (let press = 0; press < PRESSES; press += 1) {
          // The key is dispatched in the page (the app's key listener stops the event, so a listener
          // of ours would never see it): timed from the dispatch, as the app's handler gets it.
          await page.waitForTimeout(50);
          const step = await page.evaluate(
            () =>
              new Promise<number>((resolve) => {
                const before = document.querySelector('[data-testid="ai-finding"][data-current="true"]');
                const pressedAt = performance.now();
                const tick = () => {
                  const current = document.querySelector('[data-testid="ai-finding"][data-current="true"]');
                  const uid = current?.getAttribute('data-uid');
                  const drawn =
                    current !== before && uid
                      ? document.querySelector(`[data-testid="viewport-0"] g[data-annotation-uid="${uid}"]`)
                      : null;
                  if (drawn) resolve(performance.now() - pressedAt);
                  else if (performance.now() - pressedAt > 30_000) resolve(Number.NaN);
                  else requestAnimationFrame(tick);
                };
                window.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', code: 'KeyN', bubbles: true }));
                requestAnimationFrame(tick);
              }),
          );
          if (Number.isNaN(step)) throw new Error('the next finding was not drawn within 30 s');
          steps.push(step);
        }
        return [
          {
            id: 'review.open_200_ms',
            value: round(median(opens)),
            unit: 'ms',
            goal: '< 500',
            reference: {
              what: "median time to the same opening's first image, ms",
              value: round(median(firstImages)),
            },
            details: {
              runs: opens.map(round),
              firstImageRuns: firstImages.map(round),
              // What follows the first image (the AI list's rows and the findings drawn), per opening.
              afterFirstImageRuns: opens.map((open, run) => round(open - firstImages[run]!)),
              findings: FINDINGS,
            },
          },
          {
            id: 'review.next_finding_ms',
            value: round(median(steps)),
            unit: 'ms',
            goal: '< 30',
            reference: { what: 'p95 of the same presses, ms', value: round(percentile(steps, 95)) },
            details: { presses: steps.map(round), findings: FINDINGS },
          },
        ];
      },
    );
  },
};

export const benchmarks: Benchmark[] = [review];
