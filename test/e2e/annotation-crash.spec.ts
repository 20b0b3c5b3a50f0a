/**
 * Never lose work (#9 item 4), with real drawing: the page draws measurements (Length) and brush
 * strokes with the mouse in a loop while the web host is killed with SIGKILL at a random moment
 * (bounded, from a seed: RADLABEL_CRASH_SEED, printed, replays a failure; every other trial the
 * kill lands 0-30 ms after a save request left the page, so in the save's own window). The host is started
 * again on the same data folder, the page is loaded anew (a new port and token), and everything the
 * page had been told was saved is there:
 *
 * - "Acknowledged" is main's answer to the save request, as the page received it (watched with
 *   page.on('response')): `annotation.save` answers after its commit, `segmentation.saveSlices`
 *   likewise; the toolbar's "Saved" follows those answers. Both are checked: every request
 *   answered ok, and every moment the indicators said "Saved" (what the page held then).
 * - After the restart: each acknowledged measurement is in its history and shown on the image with
 *   the acknowledged handles (within 0.01 mm); every labelled voxel of each acknowledged labelmap
 *   slice is in the stored labelmap with its value, the page shows exactly the stored labelmap
 *   (per-slice SHA-256), and no slice has fewer voxels than when the panel last said "Saved".
 * - `PRAGMA integrity_check` is ok after each kill.
 *
 * Trials: RADLABEL_CRASH_TRIALS (3 here; `npm run test:soak` runs 50). The integration form
 * (test/integration/annotation/crash.test.ts) kills the host under faster writers from Node.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { type Browser, type Page, type Response, expect, test } from '@playwright/test';
import { AnnotationStore } from '../../main/annotation/store.js';
import { CATALOG_FILE_NAME } from '../../main/services.js';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import { seededRandom } from '../support/random.js';
import { openTestServices } from '../support/services.js';
import { expectImage, importPath, nextFrames, search } from './support/app.js';
import { rpc } from './support/rpc.js';
import { type SliceHash, pageHashes } from './support/segmentation-probe.js';
import { type RunningWebHost, startWebHost } from './support/webhost.js';

const TRIALS = Number(process.env['RADLABEL_CRASH_TRIALS'] ?? 3);
const SEED = Number(process.env['RADLABEL_CRASH_SEED'] ?? Date.now() % 2 ** 31);
/** The kill comes this long after the drawing starts (uniform between the two). */
const KILL_AFTER_MS: [number, number] = [1_500, 9_000];
/** The page's save requests, whose answers acknowledge. */
const SAVE_URL = /\/api\/rpc\/(annotation\.save|segmentation\.saveSlices)$/;
/** At most this many drawings per trial (the kill ends the loop long before, on a normal machine). */
const MAX_DRAWINGS = 60;
const SLICES = 8;
const SIZE = 256;

test.describe.configure({ mode: 'serial', timeout: Math.max(300_000, TRIALS * 90_000) });

let ct: CtSeries;
let dataDir: string;
let host: RunningWebHost | null = null;

interface Version {
  versionId: string;
  annotationUid: string;
  deleted?: boolean;
  data: { data?: { handles?: { points?: number[][] } } };
}

interface Shown {
  annotationUID: string;
  toolName: string;
  points: number[][];
}

interface SliceChunk {
  layer: number;
  sopInstanceUID: string;
  frame: number;
  data: string;
}

/** What the page was told was saved, over all trials. */
const acknowledged = {
  /** Measurement versions by annotation, in the order their answers came. */
  versions: new Map<string, Version[]>(),
  /** The newest acknowledged chunk of each labelmap slice (`layer/sop/frame`). */
  slices: new Map<string, SliceChunk>(),
  /** Voxels of segment 1 per slice when the segmentation panel last said "Saved". */
  savedVoxels: [] as number[],
  /** Measurements shown when the toolbar last said "Saved". */
  savedShown: [] as Shown[],
};

const sliceKey = (slice: { layer: number; sopInstanceUID: string; frame: number }): string =>
  `${slice.layer}/${slice.sopInstanceUID}/${slice.frame}`;

/** Records main's ok answers to the page's save requests (called for every response). */
async function recordAcknowledgement(response: Response): Promise<void> {
  const method = SAVE_URL.exec(response.url())?.[1];
  if (!method) return;
  let reply: { ok?: boolean };
  try {
    reply = (await response.json()) as { ok?: boolean };
  } catch {
    return; // The answer did not arrive whole: not acknowledged.
  }
  if (reply.ok !== true) return;
  const request = response.request().postDataJSON() as { versions?: Version[]; slices?: SliceChunk[] };
  if (method === 'annotation.save') {
    for (const version of request.versions ?? [])
      acknowledged.versions.set(version.annotationUid, [
        ...(acknowledged.versions.get(version.annotationUid) ?? []),
        version,
      ]);
  } else {
    for (const slice of request.slices ?? []) acknowledged.slices.set(sliceKey(slice), slice);
  }
}

/**
 * What the indicators say, with what the page holds at that moment, read while no input is sent
 * (after a stroke's end has run): kept only when both said "Saved" before and after the read.
 */
async function recordSavedMoment(page: Page): Promise<void> {
  const moment = await page.evaluate(async () => {
    const frames = () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))),
      );
    const states = () => ({
      annotation: document.querySelector('[data-testid="annotation-save-state"]')?.getAttribute('data-state'),
      segmentation: document.querySelector('[data-testid="seg-save-state"]')?.getAttribute('data-state'),
    });
    await frames();
    const before = states();
    const probe = window as unknown as {
      __radlabelAnnotations: { shown(): Shown[] };
      radlabelSegmentation: { voxelCounts(segment: number): number[] };
    };
    const shown = probe.__radlabelAnnotations.shown();
    const voxels = probe.radlabelSegmentation.voxelCounts(1);
    await frames();
    const after = states();
    return { before, after, shown, voxels };
  });
  if (moment.before.annotation === 'saved' && moment.after.annotation === 'saved')
    acknowledged.savedShown = moment.shown;
  if (moment.before.segmentation === 'saved' && moment.after.segmentation === 'saved')
    acknowledged.savedVoxels = moment.voxels;
}

/** `PRAGMA integrity_check` on the catalog as the app opens it (services first: migrations, key). */
async function integrityCheck(): Promise<string> {
  const services = openTestServices(dataDir);
  const store = new AnnotationStore(path.join(dataDir, CATALOG_FILE_NAME), { reader: () => 'crash-e2e' });
  try {
    return store.integrityCheck();
  } finally {
    store.close();
    await services.close();
  }
}

/** A new page on the running host, with GPU rendering (labelmaps are drawn on GPU viewports only). */
async function openPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  const url = new URL(host!.url);
  url.searchParams.set('rendering', 'gpu');
  await page.goto(url.href);
  // The app opens the worklist, or the viewer where the reader left it (the session is restored).
  await expect(page.getByTestId('worklist').or(page.getByTestId('viewer'))).toBeVisible({ timeout: 30_000 });
  return page;
}

/** The study in the viewer with the segmentation panel open and segment 1 ready to paint. */
async function openStudy(page: Page): Promise<void> {
  if (await page.getByTestId('worklist').isVisible()) {
    await search(page, ct.patientId);
    await page.getByTestId('study-row').first().dblclick();
  }
  await expect(page.getByTestId('viewer')).toBeVisible();
  // The first image, or the one the reader was on (a restored session keeps the slice).
  await expect(page.getByTestId('viewport-0').getByTestId('overlay-image')).toHaveAttribute(
    'data-total',
    String(SLICES),
  );
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-rendering', 'gpu');
  if (!(await page.getByTestId('segmentation-panel').isVisible()))
    await page.getByTestId('segmentation-toggle').click();
  await expect(page.getByTestId('seg-add')).toBeVisible({ timeout: 60_000 });
}

async function ensureSegment(page: Page): Promise<void> {
  if (acknowledged.slices.size > 0)
    await expect(page.getByTestId('segment-1')).toBeVisible({ timeout: 60_000 });
  if (!(await page.getByTestId('segment-1').isVisible())) {
    await page.getByTestId('seg-add').click();
    await page.getByTestId('label-picker-search').fill('mass');
    await page.getByTestId('label-picker-search').press('Enter');
    await expect(page.getByTestId('label-picker')).toBeHidden();
  }
  await expect(page.getByTestId('segment-1')).toContainText('Mass');
}

async function shown(page: Page): Promise<Shown[]> {
  return page.evaluate(() =>
    (window as unknown as { __radlabelAnnotations: { shown(): Shown[] } }).__radlabelAnnotations.shown(),
  );
}

/** A point of the viewport at fractions of its box. */
async function at(page: Page, fx: number, fy: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('viewport-element-0').boundingBox())!;
  return { x: box.x + box.width * fx, y: box.y + box.height * fy };
}

/**
 * Places for Lengths that never touch another drawing (a press on a measurement's line, handle or
 * text would move it instead of drawing a new one): short lines in bands above and below the
 * middle of the viewport, where the brush strokes are, each place used once per slice.
 */
const LENGTH_PLACES = [0.12, 0.2, 0.28, 0.72, 0.8, 0.88].flatMap((fy) =>
  [0.08, 0.3, 0.52].map((fx) => [fx, fy] as const),
);
const usedPlaces = new Map<number, Set<number>>();

async function shownSlice(page: Page): Promise<number> {
  return Number(await page.getByTestId('viewport-0').getByTestId('overlay-image').getAttribute('data-index'));
}

/**
 * A Length drawn with the mouse at a free place of the slice shown; the label picker that opens is
 * closed with Esc (label kept). Answers false when the slice has no free place left.
 */
async function drawLength(page: Page): Promise<boolean> {
  const slice = await shownSlice(page);
  const used = usedPlaces.get(slice) ?? new Set<number>();
  const place = LENGTH_PLACES.findIndex((_, index) => !used.has(index));
  if (place < 0) return false;
  used.add(place);
  usedPlaces.set(slice, used);
  if ((await page.getByTestId('tool-Length').getAttribute('aria-pressed')) !== 'true')
    await page.getByTestId('tool-Length').click();
  const [fx, fy] = LENGTH_PLACES[place]!;
  const from = await at(page, fx, fy);
  const to = await at(page, fx + 0.1, fy + 0.02);
  const before = (await shown(page)).length;
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
  await expect.poll(async () => (await shown(page)).length).toBe(before + 1);
  const picker = page.getByTestId('label-picker');
  await expect(picker).toBeVisible();
  await page.keyboard.press('Escape');
  // The label's attributes are asked next: "Later" leaves them for later (this spec is about saving).
  const later = page.getByTestId('attribute-skip');
  const stage = async () =>
    (await picker.isVisible())
      ? picker.getAttribute('data-stage', { timeout: 1_000 }).then(
          (value) => value ?? 'open',
          () => 'closed',
        )
      : 'closed';
  await expect
    .poll(async () => {
      const now = await stage();
      if (now === 'attributes') await later.click({ timeout: 1_000 }).catch(() => undefined);
      return now;
    })
    .toBe('closed');
  return true;
}

/** One brush stroke of segment 1, on the slice shown. */
async function brushStroke(page: Page, random: () => number): Promise<void> {
  // The button toggles: pressed only when it is not (a measurement tool chosen since unpresses it).
  if ((await page.getByTestId('seg-tool-Brush').getAttribute('aria-pressed')) !== 'true')
    await page.getByTestId('seg-tool-Brush').click();
  await expect(page.getByTestId('seg-tool-Brush')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('tool-Length')).toHaveAttribute('aria-pressed', 'false');
  // In the middle band of the viewport, away from the Lengths (see LENGTH_PLACES).
  const from = await at(page, 0.25 + random() * 0.5, 0.4 + random() * 0.2);
  const to = await at(page, 0.25 + random() * 0.5, 0.4 + random() * 0.2);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let step = 1; step <= 8; step += 1)
    await page.mouse.move(from.x + ((to.x - from.x) * step) / 8, from.y + ((to.y - from.y) * step) / 8);
  await page.mouse.up();
  await nextFrames(page);
}

/** Another slice of the series (up or down, within it). */
async function changeSlice(page: Page, random: () => number): Promise<void> {
  const index = await shownSlice(page);
  const down = index === 1 || (index < SLICES && random() < 0.5);
  await page.keyboard.press(down ? 'ArrowDown' : 'ArrowUp');
  await expectImage(page, down ? index + 1 : index - 1, SLICES);
}

function decoded(data: string): Uint8Array {
  return data === ''
    ? new Uint8Array(SIZE * SIZE)
    : new Uint8Array(zlib.inflateSync(Buffer.from(data, 'base64')));
}

/** Everything acknowledged before is stored and shown on this new page. */
async function expectAcknowledgedShown(page: Page, when: string): Promise<void> {
  // Measurements: every acknowledged version is in its history; each annotation is shown with the
  // handles of its newest acknowledged version.
  for (const [uid, versions] of acknowledged.versions) {
    const history = await rpc<Array<{ versionId: string }>>(page, 'annotation.history', {
      annotationUid: uid,
    });
    const stored = new Set(history.map((version) => version.versionId));
    expect(
      versions.map((version) => version.versionId).filter((id) => !stored.has(id)),
      `${uid}: acknowledged versions missing ${when}`,
    ).toEqual([]);
  }
  const expected = [...acknowledged.versions.values()].map((versions) => versions.at(-1)!);
  await expect
    .poll(
      async () => {
        const uids = new Set((await shown(page)).map((annotation) => annotation.annotationUID));
        return expected.filter((version) => !version.deleted && !uids.has(version.annotationUid)).length;
      },
      { message: `acknowledged measurements shown ${when}`, timeout: 30_000 },
    )
    .toBe(0);
  const now = await shown(page);
  for (const version of expected) {
    if (version.deleted) continue;
    const annotation = now.find((item) => item.annotationUID === version.annotationUid)!;
    const points = version.data.data?.handles?.points ?? [];
    expect(annotation.points.length, `${version.annotationUid} ${when}`).toBe(points.length);
    points.forEach((point, i) =>
      point.forEach((value, axis) =>
        expect(
          Math.abs(annotation.points[i]![axis]! - value),
          `${version.annotationUid} ${when}`,
        ).toBeLessThan(0.01),
      ),
    );
  }
  // What the toolbar said was saved is a part of what was acknowledged.
  for (const annotation of acknowledged.savedShown)
    expect(
      acknowledged.versions.has(annotation.annotationUID),
      `shown as saved: ${annotation.annotationUID}`,
    ).toBe(true);

  // Labelmaps: the stored labelmap holds every voxel of every acknowledged slice; the page shows it.
  if (acknowledged.slices.size === 0) return;
  const heads = await rpc<Array<{ annotationUid: string }>>(page, 'segmentation.list', {
    seriesInstanceUID: ct.seriesInstanceUID,
  });
  expect(heads, `one segmentation ${when}`).toHaveLength(1);
  const stored = await rpc<{ slices: SliceChunk[] }>(page, 'segmentation.load', {
    annotationUid: heads[0]!.annotationUid,
  });
  const storedByKey = new Map(stored.slices.map((slice) => [sliceKey(slice), decoded(slice.data)]));
  for (const [key, slice] of acknowledged.slices) {
    const want = decoded(slice.data);
    const have = storedByKey.get(key) ?? new Uint8Array(SIZE * SIZE);
    let missing = 0;
    for (let i = 0; i < want.length; i += 1) if (want[i] !== 0 && have[i] !== want[i]) missing += 1;
    expect(missing, `voxels of acknowledged slice ${key} missing ${when}`).toBe(0);
  }
  const storedHashes = await rpc<SliceHash[]>(page, 'segmentation.sliceHashes', {
    annotationUid: heads[0]!.annotationUid,
  });
  await expect
    .poll(() => pageHashes(page), { message: `the page shows the stored labelmap ${when}`, timeout: 30_000 })
    .toEqual(storedHashes);
  const counts = await page.evaluate(() =>
    (
      window as unknown as { radlabelSegmentation: { voxelCounts(segment: number): number[] } }
    ).radlabelSegmentation.voxelCounts(1),
  );
  acknowledged.savedVoxels.forEach((count, slice) =>
    expect(
      counts[slice] ?? 0,
      `slice ${slice + 1}: voxels when "Saved" was shown ${when}`,
    ).toBeGreaterThanOrEqual(count),
  );
}

test.beforeAll(async ({ browser }) => {
  ct = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'crash' });
  dataDir = makeTempDir('e2e-annotation-crash');
  host = await startWebHost({ dataDir });
  const page = await openPage(browser);
  await importPath(page, ct.dir);
  await page.getByTestId('import-dismiss').click();
  await page.context().close();
});

test.afterAll(async () => {
  await host?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test(`measurements and brush strokes drawn while the host is SIGKILLed ${TRIALS} times are all there after each restart`, async ({
  browser,
}) => {
  console.log(`annotation-crash: seed ${SEED} (RADLABEL_CRASH_SEED=${SEED} replays the kill moments)`);
  const random = seededRandom(SEED);
  const perTrial: string[] = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const started = Date.now();
    host ??= await startWebHost({ dataDir });
    const page = await openPage(browser);
    const pending: Array<Promise<void>> = [];
    page.on('response', (response) => pending.push(recordAcknowledgement(response)));
    await openStudy(page);
    await expectAcknowledgedShown(page, `before trial ${trial}`);
    await ensureSegment(page);

    // Draw until the host is killed at a random moment.
    const killAfter = KILL_AFTER_MS[0] + random() * (KILL_AFTER_MS[1] - KILL_AFTER_MS[0]);
    // Odd trials aim at the save itself: the kill comes 0-30 ms after the first save request sent
    // once `killAfter` has passed (main parsing it, in its transaction, committing or answering);
    // even trials kill at whatever moment `killAfter` falls on.
    const atSave = trial % 2 === 1;
    const afterSaveMs = random() * 30;
    const running = host;
    const exited = new Promise<void>((resolve) => running.process.once('exit', () => resolve()));
    let inFlight = 0;
    let armed = false;
    let savesInFlightAtKill = 0;
    const timers: NodeJS.Timeout[] = [];
    const killNow = () => {
      if (running.process.exitCode !== null || running.process.signalCode !== null) return;
      savesInFlightAtKill = inFlight;
      running.process.kill('SIGKILL');
    };
    page.on('request', (request) => {
      if (!SAVE_URL.test(request.url())) return;
      inFlight += 1;
      if (armed) {
        armed = false;
        timers.push(setTimeout(killNow, afterSaveMs));
      }
    });
    const done = (request: { url(): string }) => {
      if (SAVE_URL.test(request.url())) inFlight -= 1;
    };
    page.on('requestfinished', done);
    page.on('requestfailed', done);
    timers.push(
      setTimeout(() => {
        if (!atSave) return killNow();
        armed = true;
        // No save within 3 s (the loop drew nothing that saves): killed anyway.
        timers.push(setTimeout(killNow, 3_000));
      }, killAfter),
    );
    let drawings = 0;
    let lengths = 0;
    try {
      while (
        running.process.exitCode === null &&
        running.process.signalCode === null &&
        drawings < MAX_DRAWINGS
      ) {
        const choice = random();
        if (choice < 0.4 && (await drawLength(page))) lengths += 1;
        else if (choice < 0.8) await brushStroke(page, random);
        else await changeSlice(page, random);
        drawings += 1;
        await recordSavedMoment(page);
      }
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }
    if (running.process.exitCode === null && running.process.signalCode === null)
      running.process.kill('SIGKILL');
    await exited;
    host = null;
    await Promise.all(pending);
    await page.context().close();
    expect(await integrityCheck(), `trial ${trial}: integrity_check`).toBe('ok');
    perTrial.push(
      `trial ${trial}: killed ${atSave ? `${Math.round(afterSaveMs)} ms after a save request past ` : 'after '}${Math.round(killAfter)} ms, ${drawings} drawings (${lengths} Lengths), ${savesInFlightAtKill} saves in flight, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    console.log(perTrial.at(-1));
  }
  // Once more after the last kill.
  host = await startWebHost({ dataDir });
  const page = await openPage(browser);
  await openStudy(page);
  await expectAcknowledgedShown(page, 'after the last trial');
  await page.context().close();
  console.log(
    `annotation-crash: ${TRIALS} kills; acknowledged ${acknowledged.versions.size} measurements and ${acknowledged.slices.size} labelmap slices, all there`,
  );
  expect(acknowledged.versions.size, 'measurements acknowledged over the trials').toBeGreaterThan(0);
  expect(acknowledged.slices.size, 'labelmap slices acknowledged over the trials').toBeGreaterThan(0);
});
