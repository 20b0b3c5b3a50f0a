/**
 * The AI / review specs' shared steps in Chromium (docs/ai-review.md): a reader's session on a
 * review project's data folder (the web host as that reader, the page back on the worklist), a
 * study opened until its images are counted, the annotation export run from the worklist's dialog,
 * and what the screen shows at a voxel (the viewport as a screenshot, read in the page).
 * The project itself is written by `writeReviewProject` (test/support/ai-fixtures.ts).
 */
import path from 'node:path';
import { type Browser, type Page, expect } from '@playwright/test';
import { search } from './app.js';
import { type RunningWebHost, startWebHost } from './webhost.js';

export interface ReaderSession {
  page: Page;
  host: RunningWebHost;
  close(): Promise<void>;
}

/**
 * The app as `reader` (the web host's RADLABEL_READER, no accounts) on `dataDir`, on the worklist
 * (the app reopens where the last reader was, the viewer for some). `query` is added to the link
 * (e.g. `rendering=gpu`).
 */
export async function openReaderSession(
  browser: Browser,
  options: { dataDir: string; reader: string; query?: string },
): Promise<ReaderSession> {
  const host = await startWebHost({ dataDir: options.dataDir, env: { RADLABEL_READER: options.reader } });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const close = async () => {
    await context.close();
    await host.stop();
  };
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
    await page.goto(options.query ? `${host.url}&${options.query}` : host.url);
    await expect(page.getByTestId('nav-worklist')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('nav-worklist').click();
    await expect(page.getByTestId('worklist')).toBeVisible();
    return { page, host, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Finds the patient's study in the worklist and opens it until the viewer counts `slices` images. */
export async function openStudyOf(page: Page, patientId: string, slices: number): Promise<void> {
  await search(page, patientId);
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewport-0').getByTestId('overlay-image')).toHaveAttribute(
    'data-total',
    String(slices),
    { timeout: 60_000 },
  );
}

/**
 * Exports the annotations from the worklist's export dialog in `format` into `folder` and waits
 * for the end; returns the study's export folder.
 */
export async function exportFromDialog(
  page: Page,
  options: { format: 'sr' | 'seg'; folder: string; studyInstanceUID: string },
): Promise<string> {
  await page.getByTestId('nav-worklist').click();
  await page.getByTestId('annotation-export-open').click();
  const dialog = page.getByTestId('annotation-export-dialog');
  await dialog.getByTestId('annotation-export-format').selectOption(options.format);
  await dialog.getByTestId('annotation-export-dir').fill(options.folder);
  await dialog.getByTestId('annotation-export-start').click();
  await expect(dialog.getByTestId('annotation-export-status')).toHaveAttribute('data-finished', 'true', {
    timeout: 60_000,
  });
  await dialog.getByTestId('annotation-export-close').click();
  return path.join(options.folder, options.studyInstanceUID);
}

/** The AI segment overlay's probe (renderer/src/ai/segmentOverlay.ts). */
interface AiSegmentProbe {
  pointOf(slot: number, column: number, row: number): [number, number] | null;
  drawnIn(slot: number): number[];
}

/**
 * The slot's image index once it shows the slice at `location` (its SliceLocation, mm): a finding
 * is current at once, its slice is shown once loaded, and the overlay writes the position and the
 * index together on the frame after.
 */
export async function imageIndexAt(page: Page, location: number, slot = 0): Promise<string> {
  const viewport = page.getByTestId(`viewport-${slot}`);
  await expect(viewport.getByTestId('overlay-position')).toHaveAttribute('data-location', String(location));
  return (await viewport.getByTestId('overlay-image').getAttribute('data-index')) ?? '';
}

/** The segment numbers the AI overlay draws over the slot's current image. */
export async function aiSegmentsDrawn(page: Page, slot = 0): Promise<number[]> {
  return page.evaluate(
    (index) =>
      (window as unknown as { radlabelAiSegments: AiSegmentProbe }).radlabelAiSegments.drawnIn(index),
    slot,
  );
}

/**
 * What the screen shows at the centre of voxel (column, row) of the slot's current image: the
 * viewport as a screenshot (image, overlays and SVG together), decoded in the page; mean RGB of
 * the 3×3 pixels there.
 */
export async function screenRgbAt(
  page: Page,
  voxel: { column: number; row: number },
  slot = 0,
): Promise<[number, number, number]> {
  const point = await page.evaluate(
    ({ index, column, row }) =>
      (window as unknown as { radlabelAiSegments: AiSegmentProbe }).radlabelAiSegments.pointOf(
        index,
        column,
        row,
      ),
    { index: slot, column: voxel.column, row: voxel.row },
  );
  if (!point) throw new Error(`viewport ${slot} shows no image`);
  const png = await page.getByTestId(`viewport-element-${slot}`).screenshot();
  return page.evaluate(
    async ({ base64, x, y }) => {
      // Decoded from bytes (the page's Content-Security-Policy rightly refuses data: URLs).
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      const data = context.getImageData(Math.round(x) - 1, Math.round(y) - 1, 3, 3).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < 9; i++) for (let c = 0; c < 3; c++) sum[c]! += data[i * 4 + c]!;
      return sum.map((value) => Math.round(value / 9)) as [number, number, number];
    },
    { base64: png.toString('base64'), x: point[0], y: point[1] },
  );
}

/** How far a pixel is from grey (the CT images are grey): the largest channel difference. */
export function chroma([r, g, b]: [number, number, number]): number {
  return Math.max(r, g, b) - Math.min(r, g, b);
}
