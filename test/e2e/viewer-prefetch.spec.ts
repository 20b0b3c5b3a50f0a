/**
 * The stack's prefetch brings the whole series (renderer/src/imaging/scrollPrefetch.ts, its files
 * in `/instance-batch/` requests read by the frame worker): on a 300-slice 512² CT opened and left
 * alone, the prefetch says it is done with every slice in the cache, and stepping through all 300
 * then asks the host for nothing. Counting finished network requests instead undercounts: Chromium
 * reports some batch answers as aborted after they came in full (see the MPR bench).
 */
import { expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries } from '../fixtures/index.js';
import { stepToLastSlice } from '../support/stack-steps.js';
import { type AppSession, expectImage, importAndOpen, openApp } from './support/app.js';

let app: AppSession;
let ct: CtSeries;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 300, size: 512, seed: 'prefetch' });
  app = await openApp(browser, 'viewer-prefetch');
});

test.afterAll(async () => {
  await app?.close();
});

test('a 300-slice series left open is prefetched whole: stepping through every slice then fetches nothing', async () => {
  test.setTimeout(300_000);
  const { page } = app;
  const fileRequests: string[] = [];
  page.on('request', (request) => {
    if (/\/(instances|instance-batch)\//.test(new URL(request.url()).pathname))
      fileRequests.push(request.url());
  });
  await importAndOpen(page, ct.dir, ct.patientId, ct.slices);

  const done = await page.waitForFunction(
    () => {
      const mark = performance.getEntriesByName('radlabel:stack-prefetched').at(-1) as
        PerformanceMark | undefined;
      return mark ? (mark.detail as { total: number; cached: number }) : null;
    },
    undefined,
    { timeout: 180_000, polling: 250 },
  );
  expect(await done.jsonValue()).toEqual({ total: 300, cached: 300 });
  expect(fileRequests.length).toBeGreaterThan(0);

  const before = fileRequests.length;
  // One ArrowDown per drawn slice, each step waiting for its image to be drawn.
  const { steps } = await stepToLastSlice(page);
  expect(steps).toBe(299);
  await expectImage(page, 300, 300);
  expect(fileRequests.slice(before)).toEqual([]);
});
