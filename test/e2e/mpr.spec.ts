/**
 * MPR (issue #8 item 4), checked by what the three planes draw. The generated CT
 * (test/fixtures/ct-series.ts) has a known value at every voxel: HU 10·s − 24 inside the disc of
 * radius size/4 centred in each slice s (0-based, head to feet), HU x − 1024 elsewhere (x the
 * column). So the coronal plane through image row y shows, on each slice's line, the disc's chord
 * at that row (width 2·⌊√(r² − (y − c)²)⌋ + 1) on the gradient; a MIP slab through the centre
 * row widens a chord taken off-centre to the full diameter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries, expectedStoredPixel, makeTempDir } from '../fixtures/index.js';
import { type AppSession, importPath, nextFrames, openApp, screenshot, search } from './support/app.js';
import { brightRun, expectedGrey } from './support/canvas.js';

test.describe.configure({ mode: 'serial' });

const SLICES = 64;
const SIZE = 128;
const RADIUS = SIZE / 4;
const CENTRE = SIZE / 2;
let app: AppSession;
let ct: CtSeries;
let gapDir: string;

type Plane = 'axial' | 'sagittal' | 'coronal';

/** HU of voxel (column x, row y) of slice s of the generated series. */
const huAt = (x: number, y: number, s: number) => expectedStoredPixel(x, y, s, SIZE) - 1024;
/**
 * The series' slice at volume index k: Cornerstone orders the volume along the slice normal
 * (row × column direction, +z: towards the head), so k = 0 is the last slice (the feet).
 */
const sliceOfK = (k: number) => SLICES - 1 - k;

interface Probe {
  value: number;
  i: number;
  j: number;
  k: number;
}

/** Moves the pointer to (x, y) of a plane (CSS pixels from its top-left) and reads the value shown there. */
async function probeAt(page: Page, plane: Plane, x: number, y: number): Promise<Probe | null> {
  const pane = page.getByTestId(`mpr-${plane}`);
  const box = (await pane.boundingBox())!;
  await page.mouse.move(box.x + x, box.y + y);
  const probe = pane.getByTestId('mpr-probe');
  try {
    await expect(probe).toBeVisible({ timeout: 2_000 });
  } catch {
    return null;
  }
  const attribute = async (name: string) => Number(await probe.getAttribute(`data-${name}`));
  return {
    value: await attribute('value'),
    i: await attribute('i'),
    j: await attribute('j'),
    k: await attribute('k'),
  };
}

/** Red channel of the plane's canvas along a row (CSS pixel y). */
async function canvasRow(page: Page, plane: Plane, y: number): Promise<number[]> {
  return page.evaluate(
    ({ testId, row }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${testId}"] canvas`)!;
      const data = canvas.getContext('2d')!.getImageData(0, row, canvas.width, 1).data;
      return Array.from({ length: canvas.width }, (_, i) => data[i * 4]!);
    },
    { testId: `mpr-element-${plane}`, row: Math.round(y) },
  );
}

async function canvasAt(page: Page, plane: Plane, x: number, y: number): Promise<number> {
  const row = await canvasRow(page, plane, y);
  return row[Math.round(x)]!;
}

async function planeSize(page: Page, plane: Plane): Promise<{ width: number; height: number }> {
  const box = (await page.getByTestId(`mpr-element-${plane}`).boundingBox())!;
  return { width: box.width, height: box.height };
}

async function mprWindow(page: Page): Promise<{ width: number; center: number }> {
  const overlay = page.getByTestId('mpr-coronal').getByTestId('mpr-window');
  return {
    width: Number(await overlay.getAttribute('data-width')),
    center: Number(await overlay.getAttribute('data-center')),
  };
}

async function openStudyOf(page: Page, patientId: string): Promise<void> {
  if (await page.getByTestId('viewer').isVisible()) await page.getByTestId('viewer-back').click();
  await search(page, patientId);
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready');
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'mpr' });
  // The same kind of series with two slices missing: a gap, so no uniform volume.
  const gap = ensureCtSeries({ slices: 20, size: 64, seed: 'mpr-gap' });
  gapDir = makeTempDir('mpr-gap');
  gap.files
    .filter((_, k) => k !== 8 && k !== 9)
    .forEach((file) => fs.copyFileSync(file, path.join(gapDir, path.basename(file))));
  app = await openApp(browser, 'mpr');
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
  await importPath(app.page, gapDir);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  if (gapDir) fs.rmSync(gapDir, { recursive: true, force: true });
});

test('MPR streams the volume with progress and draws the three planes', async () => {
  const { page } = app;
  await openStudyOf(page, ct.patientId);
  const toggle = page.getByTestId('mpr-toggle');
  await expect(toggle).toBeEnabled();
  // Every percentage the progress shows, in order.
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { __mprPercents: number[] }).__mprPercents = seen;
    new MutationObserver(() => {
      const progress = document.querySelector('[data-testid="mpr-progress"]');
      const percent = progress ? Number(progress.getAttribute('data-percent')) : null;
      if (percent !== null && seen.at(-1) !== percent) seen.push(percent);
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-percent'],
    });
  });
  await toggle.click();
  await expect(page.getByTestId('mpr')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  for (const plane of ['axial', 'sagittal', 'coronal'] as const) {
    await expect(page.getByTestId(`mpr-${plane}`)).toHaveAttribute('data-drawn', 'true');
  }
  const percents = await page.evaluate(
    () => (window as unknown as { __mprPercents: number[] }).__mprPercents,
  );
  expect(percents.length).toBeGreaterThan(0);
  expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  await expect(page.getByTestId('mpr-progress')).toHaveCount(0);
  await expect(page.getByTestId('mpr-axial').getByTestId('mpr-slice')).toHaveAttribute(
    'data-count',
    String(SLICES),
  );
  await nextFrames(page);
  await screenshot(page, 'mpr');
});

test('the coronal plane shows the series’ values: read back from the volume and drawn under the window', async () => {
  const { page } = app;
  // Lung window: the gradient (HU −1024…−897) is dark grey and the disc (HU ≥ −24) nearly white.
  await page.getByTestId('mpr-preset-lung').click();
  await expect(page.getByTestId('mpr-coronal').getByTestId('mpr-window')).toHaveAttribute(
    'data-width',
    '1500',
  );
  const window = await mprWindow(page);
  const { width, height } = await planeSize(page, 'coronal');
  let inside = 0;
  let outside = 0;
  for (let fy = 0.2; fy <= 0.8; fy += 0.15) {
    for (let fx = 0.1; fx <= 0.9; fx += 0.1) {
      const x = Math.round(width * fx);
      const y = Math.round(height * fy);
      const probe = await probeAt(page, 'coronal', x, y);
      if (!probe) continue;
      // The coronal plane through the volume's centre: image row j, all columns i, slices k.
      expect(probe.j).toBe(CENTRE);
      const expected = huAt(probe.i, probe.j, sliceOfK(probe.k));
      expect(probe.value).toBe(expected);
      const disc = Math.abs(probe.i - CENTRE) <= RADIUS;
      if (disc) inside += 1;
      else outside += 1;
      // Away from the disc's edge the drawn grey is the value's grey under the window (linear
      // interpolation between slices moves it by at most half a slice: 5 HU).
      if (Math.abs(Math.abs(probe.i - CENTRE) - RADIUS) < 3) continue;
      const grey = await canvasAt(page, 'coronal', x, y);
      expect(Math.abs(grey - expectedGrey(expected, window.width, window.center))).toBeLessThanOrEqual(4);
    }
  }
  expect(inside).toBeGreaterThan(5);
  expect(outside).toBeGreaterThan(5);
});

/** Width in voxels of the disc's chord on image row y. */
const chordWidth = (y: number) => 2 * Math.floor(Math.sqrt(RADIUS * RADIUS - (y - CENTRE) ** 2)) + 1;

/** Canvas pixels per voxel column along a plane's horizontal axis, from two probes on its middle row. */
async function columnsScale(page: Page, plane: Plane): Promise<{ scale: number; row: number }> {
  const { width, height } = await planeSize(page, plane);
  const row = Math.round(height / 2);
  const left = (await probeAt(page, plane, Math.round(width * 0.3), row))!;
  const right = (await probeAt(page, plane, Math.round(width * 0.7), row))!;
  return { scale: (Math.round(width * 0.7) - Math.round(width * 0.3)) / (right.i - left.i), row };
}

/** The disc's chord on the coronal canvas' middle row, in voxel columns. */
async function coronalChord(page: Page): Promise<number> {
  await nextFrames(page);
  const { scale, row } = await columnsScale(page, 'coronal');
  await page.mouse.move(0, 0);
  // Lung window: the disc is near white, the gradient dark grey.
  return brightRun(await canvasRow(page, 'coronal', row), 180).length / scale;
}

test('a click with the crosshairs moves the other planes to the clicked point', async () => {
  const { page } = app;
  const { width, height } = await planeSize(page, 'axial');
  // A point of the axial plane 24 rows below the centre row and 10 columns right of the centre.
  const centre = (await probeAt(page, 'axial', Math.round(width / 2), Math.round(height / 2)))!;
  const below = (await probeAt(page, 'axial', Math.round(width / 2), Math.round(height / 2) + 100))!;
  const rowsPerPixel = (below.j - centre.j) / 100;
  const target = {
    x: Math.round(width / 2 + 10 / rowsPerPixel),
    y: Math.round(height / 2 + (CENTRE + 24 - centre.j) / rowsPerPixel),
  };
  const clicked = (await probeAt(page, 'axial', target.x, target.y))!;
  expect(Math.abs(clicked.j - (CENTRE + 24))).toBeLessThanOrEqual(1);
  const before = await page.getByTestId('mpr-coronal').getByTestId('mpr-slice').getAttribute('data-index');
  const box = (await page.getByTestId('mpr-axial').boundingBox())!;
  await page.mouse.click(box.x + target.x, box.y + target.y);
  await expect(page.getByTestId('mpr-coronal').getByTestId('mpr-slice')).not.toHaveAttribute(
    'data-index',
    before ?? '',
  );
  // The coronal plane now runs through the clicked row, the sagittal through the clicked column.
  const coronalSize = await planeSize(page, 'coronal');
  const onCoronal = (await probeAt(page, 'coronal', coronalSize.width / 2, coronalSize.height / 2))!;
  expect(onCoronal.j).toBe(clicked.j);
  const sagittalSize = await planeSize(page, 'sagittal');
  const onSagittal = (await probeAt(page, 'sagittal', sagittalSize.width / 2, sagittalSize.height / 2))!;
  expect(onSagittal.i).toBe(clicked.i);
  // And it draws that row's chord of the disc.
  expect(Math.abs((await coronalChord(page)) - chordWidth(clicked.j))).toBeLessThanOrEqual(1.5);
  await screenshot(page, 'mpr-crosshairs');
});

test('a MIP slab shows the maximum over the slab: the off-centre chord widens to the diameter', async () => {
  const { page } = app;
  const row = Number(
    await page.getByTestId('mpr-coronal').getByTestId('mpr-slice').getAttribute('data-index'),
  );
  const thin = await coronalChord(page);
  // 40 mm = ±28 rows around the plane: the slab reaches the centre row, where the chord is widest.
  await page.getByTestId('mpr-slab-choice').selectOption('40');
  await expect(page.getByTestId('mpr-coronal').getByTestId('mpr-slab-readout')).toHaveText('MIP 40 mm');
  const mip = await coronalChord(page);
  expect(Math.abs(mip - chordWidth(CENTRE))).toBeLessThanOrEqual(1.5);
  expect(mip - thin).toBeGreaterThan(15);
  // The plane itself did not move.
  await expect(page.getByTestId('mpr-coronal').getByTestId('mpr-slice')).toHaveAttribute(
    'data-index',
    String(row),
  );
  await screenshot(page, 'mpr-mip');
  await page.getByTestId('mpr-slab-choice').selectOption('0');
  expect(Math.abs((await coronalChord(page)) - thin)).toBeLessThanOrEqual(1);
});

test('Esc leaves MPR for the stack viewer, still in the study', async () => {
  const { page } = app;
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('mpr')).toHaveCount(0);
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('mpr-toggle')).toHaveAttribute('aria-pressed', 'false');
});

test('the MPR button is disabled, with the reason, for a series with a gap between slices', async () => {
  const { page } = app;
  await openStudyOf(page, 'SYN-20-64-mpr-gap');
  const toggle = page.getByTestId('mpr-toggle');
  await expect(toggle).toHaveAttribute('data-available', 'false');
  await expect(toggle).toBeDisabled();
  await expect(toggle).toHaveAttribute('data-reason', 'spacing');
  await expect(toggle).toHaveAttribute('title', /not evenly spaced/);
  await page.keyboard.press('m');
  await expect(page.getByTestId('mpr')).toHaveCount(0);
  await screenshot(page, 'mpr-unavailable');
});
