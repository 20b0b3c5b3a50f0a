/**
 * The reviewer's side-by-side view in Chromium (#11 item 2, docs/ai-review.md "Review"): two
 * readers measured the same study; the reviewer (the workstation's one user, an administrator)
 * opens "Side by side" from the keyboard: one viewport per reader on the same series and slice,
 * each labelled with its reader and drawing only that reader's measurements; scrolling one moves
 * the other (linked); "Overlay" goes back to one viewport with both readers drawn.
 */
import { type Page, expect, test } from '@playwright/test';
import { readSeriesGeometry } from '../../main/annotation/dicom/geometry.js';
import { type CtSeries, ensureCtSeries } from '../fixtures/index.js';
import { readerLength } from '../support/ai-fixtures.js';
import { openStudyOf } from './support/ai-fixtures.js';
import { importPath, openApp, screenshot } from './support/app.js';
import { rpc } from './support/rpc.js';

let ct: CtSeries;

test.beforeAll(() => {
  ct = ensureCtSeries({ slices: 6, size: 128, seed: 'review-side-by-side' });
});

/** A Length by `author` on every slice (whichever slice the viewer opens on has one of each). */
function measurements(author: string, row: number): { uids: string[]; versions: unknown[] } {
  const geometry = readSeriesGeometry(ct.files);
  const uids: string[] = [];
  const versions = geometry.slices.map((slice) => {
    const version = readerLength(geometry, slice, [20, row], [100, row], author);
    uids.push(version.annotationUid);
    return version;
  });
  return { uids, versions };
}

/** How many of `uids` viewport `slot` draws (Cornerstone's SVG lines carry `<uid>-line`). */
async function drawn(page: Page, slot: number, uids: readonly string[]): Promise<number> {
  return page
    .getByTestId(`viewport-${slot}`)
    .evaluate(
      (element, ids) => ids.filter((id) => element.querySelector(`[data-id="${id}-line"]`)).length,
      [...uids],
    );
}

test('a reviewer sees each reader side by side, labelled, on the same slice with linked scrolling; Overlay goes back', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const app = await openApp(browser, 'review-side-by-side');
  try {
    const { page } = app;
    await importPath(page, ct.dir);
    await page.getByTestId('import-dismiss').click();
    const alice = measurements('alice', 40);
    const bob = measurements('bob', 80);
    await rpc(page, 'annotation.save', { versions: [...alice.versions, ...bob.versions] });
    await openStudyOf(page, ct.patientId, 6);
    // Overlaid: one viewport, both readers drawn.
    await expect.poll(() => drawn(page, 0, alice.uids), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => drawn(page, 0, bob.uids), { timeout: 30_000 }).toBe(1);
    await expect(page.getByTestId('review-overlay')).toHaveAttribute('aria-pressed', 'true');

    // Side by side, from the keyboard.
    await page.getByTestId('review-side-by-side').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('review-side-by-side')).toHaveAttribute('aria-pressed', 'true');
    const labels = page.getByTestId('review-sbs-label');
    await expect(labels).toHaveCount(2, { timeout: 30_000 });
    await expect(page.getByTestId('viewport-0').getByTestId('review-sbs-label')).toHaveText('alice');
    await expect(page.getByTestId('viewport-1').getByTestId('review-sbs-label')).toHaveText('bob');
    const index = (slot: number) => page.getByTestId(`viewport-${slot}`).getByTestId('overlay-image');
    await expect(index(1)).toHaveAttribute('data-total', '6', { timeout: 60_000 });
    // Both show the same slice: read together until they agree (each writes it once drawn).
    await expect(async () => {
      const left = await index(0).getAttribute('data-index');
      expect(left).not.toBeNull();
      expect(await index(1).getAttribute('data-index')).toBe(left);
    }).toPass({ timeout: 15_000 });
    // Each viewport draws its reader's measurement only.
    await expect.poll(() => drawn(page, 0, alice.uids), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => drawn(page, 1, bob.uids), { timeout: 30_000 }).toBe(1);
    expect(await drawn(page, 0, bob.uids)).toBe(0);
    expect(await drawn(page, 1, alice.uids)).toBe(0);
    await screenshot(page, 'review-side-by-side');

    // Scrolling the left one moves the right one to the same slice.
    const start = await index(0).getAttribute('data-index');
    await page.getByTestId('viewport-0').hover();
    await page.mouse.wheel(0, 120);
    await expect(index(0)).not.toHaveAttribute('data-index', start ?? '');
    const moved = await index(0).getAttribute('data-index');
    await expect(index(1)).toHaveAttribute('data-index', moved ?? '');
    await expect.poll(() => drawn(page, 1, bob.uids), { timeout: 30_000 }).toBe(1);
    expect(await drawn(page, 1, alice.uids)).toBe(0);

    // Overlay: back to one viewport with both readers.
    await page.getByTestId('review-overlay').focus();
    await page.keyboard.press('Enter');
    await expect(labels).toHaveCount(0);
    await expect(page.getByTestId('viewport-1')).toHaveCount(0);
    await expect.poll(() => drawn(page, 0, alice.uids), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => drawn(page, 0, bob.uids), { timeout: 30_000 }).toBe(1);
  } finally {
    await app.close();
  }
});
