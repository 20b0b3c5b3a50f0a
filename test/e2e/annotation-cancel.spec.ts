/**
 * Esc cancels a measurement being drawn (#9, annotation tools), as the reader sees it: a Length
 * after its first click and a freehand outline in the middle of its stroke leave nothing — not on
 * the image, not in the panel, no label picker, no version in the catalog, nothing after a reload —
 * and the next measurement's undo is its own. Esc with nothing being drawn still closes the panel
 * opened last, and the `?` sheet lists the key.
 */
import { type Page, expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries } from '../fixtures/index.js';
import {
  type AppSession,
  expectImage,
  importAndOpen,
  nextFrames,
  openApp,
  screenshot,
} from './support/app.js';
import { type ImageFrame, click, drag, imageFrame, pageAt, settle } from './support/annotate.js';
import { rpc } from './support/rpc.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let ct: CtSeries;
let frame: ImageFrame;

interface Shown {
  annotationUID: string;
  toolName: string;
}

async function shown(page: Page): Promise<Shown[]> {
  return page.evaluate(() => {
    const probe = (window as unknown as { __radlabelAnnotations?: { shown(): Shown[] } })
      .__radlabelAnnotations;
    return probe ? probe.shown().map(({ annotationUID, toolName }) => ({ annotationUID, toolName })) : [];
  });
}

/** What main holds for the study: its current annotations. */
async function storedHeads(page: Page): Promise<{ annotationUid: string }[]> {
  const list = await rpc<{ heads: { annotationUid: string }[] }>(page, 'annotation.list', {
    studyInstanceUID: ct.studyInstanceUID,
  });
  return list.heads;
}

/** Versions main ever stored for an annotation (none for a cancelled drawing). */
async function history(page: Page, annotationUid: string): Promise<unknown[]> {
  return rpc<unknown[]>(page, 'annotation.history', { annotationUid });
}

const rows = () => app.page.getByTestId('annotation-row');
const svgShapes = (page: Page) => page.locator('[data-testid="viewport-element-0"] g[data-annotation-uid]');

async function reopen(page: Page): Promise<void> {
  await page.reload();
  await expectImage(page, 1, 10);
  await nextFrames(page);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 10, size: 512, seed: 'annotation-cancel' });
  app = await openApp(browser, 'annotation-cancel');
  await importAndOpen(app.page, ct.dir, ct.patientId, 10);
  frame = await imageFrame(app.page, 512);
});

test.afterAll(async () => {
  await app?.close();
});

let kept = '';

test('Esc after the first click of a Length cancels it: nothing on the image, in the panel or in the catalog, and the next drawing undoes on its own', async () => {
  const { page } = app;
  await page.getByTestId('tool-Length').click();
  // First click, then the pointer moves on: the second handle follows it.
  await click(page, pageAt(frame, 150, 200));
  await page.mouse.move(pageAt(frame, 330, 290).x, pageAt(frame, 330, 290).y, { steps: 6 });
  await settle(page);
  await expect.poll(async () => (await shown(page)).length).toBe(1);
  const cancelled = (await shown(page))[0]!.annotationUID;

  await page.keyboard.press('Escape');
  await expect.poll(async () => (await shown(page)).length).toBe(0);
  await expect(svgShapes(page)).toHaveCount(0);
  await expect(rows()).toHaveCount(0);
  await expect(page.getByTestId('label-picker')).toBeHidden();
  // The viewer stays open (Esc never leaves it).
  await expect(page.getByTestId('viewer')).toBeVisible();
  // The pointer moving on draws nothing more.
  await page.mouse.move(pageAt(frame, 360, 320).x, pageAt(frame, 360, 320).y, { steps: 4 });
  await settle(page);
  expect(await shown(page)).toHaveLength(0);
  expect(await history(page, cancelled)).toEqual([]);
  expect(await storedHeads(page)).toEqual([]);
  await screenshot(page, 'annotation-cancel-length');

  // A measurement drawn next is saved as usual, and Ctrl+Z undoes that one (the cancelled
  // drawing left no undo step behind).
  await drag(page, pageAt(frame, 100, 100), pageAt(frame, 220, 140));
  await expect(page.getByTestId('label-picker')).toBeVisible();
  // Esc in the picker keeps the preselected label; its attributes are left for later.
  await page.keyboard.press('Escape');
  const later = page.getByTestId('attribute-skip');
  if (await later.isVisible().catch(() => false)) await later.click();
  await expect(page.getByTestId('label-picker')).toBeHidden();
  await expect(rows()).toHaveCount(1);
  kept = (await shown(page))[0]!.annotationUID;
  expect(kept).not.toBe(cancelled);
  // Two steps back: the label given in the picker, then the drawing itself.
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await shown(page)).length).toBe(0);
  await page.keyboard.press('Control+Shift+z');
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await shown(page)).map((a) => a.annotationUID)).toEqual([kept]);
  await expect(rows().first()).not.toHaveAttribute('data-label', '');
  await expect(page.getByTestId('annotation-save-state')).toHaveAttribute('data-state', 'saved', {
    timeout: 10_000,
  });
  await expect.poll(async () => (await storedHeads(page)).map((h) => h.annotationUid)).toEqual([kept]);

  await reopen(page);
  await expect.poll(async () => (await shown(page)).map((a) => a.annotationUID)).toEqual([kept]);
  await expect(rows()).toHaveCount(1);
  expect(await history(page, cancelled)).toEqual([]);
});

test('Esc in the middle of a freehand stroke cancels the outline: no contour is closed and saved', async () => {
  const { page } = app;
  await page.getByTestId('tool-PlanarFreehandROI').click();
  const points = Array.from({ length: 24 }, (_, i) => {
    const angle = (i / 40) * 2 * Math.PI;
    return pageAt(frame, 300 + 50 * Math.cos(angle), 300 + 50 * Math.sin(angle));
  });
  await page.mouse.move(points[0]!.x, points[0]!.y);
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(point.x, point.y, { steps: 2 });
  await settle(page);
  await expect.poll(async () => (await shown(page)).length).toBe(2);
  const cancelled = (await shown(page)).find((a) => a.annotationUID !== kept)!.annotationUID;

  await page.keyboard.press('Escape');
  await page.mouse.up();
  await settle(page);
  await expect.poll(async () => (await shown(page)).map((a) => a.annotationUID)).toEqual([kept]);
  await expect(svgShapes(page)).toHaveCount(1);
  await expect(rows()).toHaveCount(1);
  await expect(page.getByTestId('label-picker')).toBeHidden();
  expect(await history(page, cancelled)).toEqual([]);
  await screenshot(page, 'annotation-cancel-freehand');

  await reopen(page);
  await expect.poll(async () => (await shown(page)).map((a) => a.annotationUID)).toEqual([kept]);
  expect(await history(page, cancelled)).toEqual([]);
  expect((await storedHeads(page)).map((h) => h.annotationUid)).toEqual([kept]);
});

test('Esc with nothing being drawn closes the panel opened last, and the ? sheet lists both meanings', async () => {
  const { page } = app;
  await page.keyboard.press('t');
  await expect(page.getByTestId('tag-browser')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('tag-browser')).toBeHidden();
  await expect(page.getByTestId('viewer')).toBeVisible();
  expect((await shown(page)).map((a) => a.annotationUID)).toEqual([kept]);

  await page.keyboard.press('?');
  const help = page.getByTestId('help-overlay');
  await expect(help).toBeVisible();
  await expect(help).toContainText('Cancel the measurement being drawn');
  await expect(help).toContainText('Close the panel opened last');
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});
