/**
 * What the reader sees of a CPU-rendered image is what Cornerstone drew (issue #8, cold scroll):
 * the image is shown at its natural size and scaled by the compositor (imaging/displayCanvas.ts),
 * while Cornerstone's own canvas, kept for everything that reads it, is not painted. Compared here:
 * the screen's pixels over the viewport (a screenshot, overlay text and slider hidden) against
 * Cornerstone's canvas read back, fitted, flipped and rotated, zoomed in and panned, zoomed out,
 * scrolled, and in a smaller 2×2 pane. A misplaced image (a pixel off) or a different filter would
 * leave a ring of large differences along the disc's edge.
 */
import { type Page, expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries } from '../fixtures/index.js';
import {
  type AppSession,
  expectImage,
  importPath,
  nextFrames,
  openApp,
  screenshot,
  search,
} from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let series: CtSeries;
const SLICES = 40;
const SIZE = 128;

interface Comparison {
  /** Mean absolute difference of the red channel (0–255) over the viewport's inside. */
  mean: number;
  /** Share of pixels differing by more than 32 grey levels. */
  farShare: number;
  /** How much of the compared area is image rather than background (so the view had something). */
  brightShare: number;
}

/** Screen pixels of viewport `slot` against Cornerstone's canvas, a margin of 4 px left out. */
async function screenAgainstCanvas(page: Page, slot = 0): Promise<Comparison> {
  await nextFrames(page);
  const box = (await page.getByTestId(`viewport-element-${slot}`).boundingBox())!;
  const shot = await page.screenshot({
    clip: {
      x: Math.round(box.x),
      y: Math.round(box.y),
      width: Math.floor(box.width),
      height: Math.floor(box.height),
    },
  });
  return page.evaluate(
    async ({ png, slotIndex }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${png}`;
      await image.decode();
      const screen = document.createElement('canvas');
      screen.width = image.width;
      screen.height = image.height;
      const screenContext = screen.getContext('2d')!;
      screenContext.drawImage(image, 0, 0);
      const shown = screenContext.getImageData(0, 0, image.width, image.height).data;
      const canvas = document.querySelector<HTMLCanvasElement>(
        `[data-testid="viewport-element-${slotIndex}"] canvas.cornerstone-canvas`,
      )!;
      const drawn = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const width = Math.min(image.width, canvas.width);
      const height = Math.min(image.height, canvas.height);
      let sum = 0;
      let far = 0;
      let bright = 0;
      let count = 0;
      for (let y = 4; y < height - 4; y += 1) {
        for (let x = 4; x < width - 4; x += 1) {
          const a = shown[(y * image.width + x) * 4]!;
          const b = drawn[(y * canvas.width + x) * 4]!;
          const difference = Math.abs(a - b);
          sum += difference;
          if (difference > 32) far += 1;
          if (b > 16) bright += 1;
          count += 1;
        }
      }
      return { mean: sum / count, farShare: far / count, brightShare: bright / count };
    },
    { png: shot.toString('base64'), slotIndex: slot },
  );
}

function expectSame(comparison: Comparison): void {
  expect(comparison.brightShare).toBeGreaterThan(0.05);
  expect(comparison.mean).toBeLessThan(1);
  expect(comparison.farShare).toBeLessThan(0.001);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  series = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'display' });
  app = await openApp(browser, 'viewer-display');
  await importPath(app.page, series.dir);
  await app.page.getByTestId('import-dismiss').click();
  await search(app.page, series.patientId);
  await app.page.getByTestId('study-row').first().dblclick();
  await expect(app.page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready');
  await expectImage(app.page, 1, SLICES);
  // Only the image layer is compared: the overlay's text, the slider and the active pane's frame
  // are hidden for the screenshots (they are drawn over the image).
  await app.page.addStyleTag({
    content:
      '.viewport-overlay, .image-slider { visibility: hidden !important; } .viewport-pane--active::after { display: none !important; }',
  });
});

test.afterAll(async () => {
  await app?.close();
});

test('the image on screen is the image Cornerstone drew, fitted, flipped and rotated', async () => {
  const { page } = app;
  await page.keyboard.press('1'); // lung window: the gradient around the disc shows
  await page.keyboard.press('ArrowDown');
  await expectImage(page, 2, SLICES);
  const viewport = page.getByTestId('viewport-0');
  if ((await viewport.getAttribute('data-rendering')) === 'cpu') {
    // The CPU path shows the image through the display canvas; Cornerstone's canvas is not painted.
    const element = page.getByTestId('viewport-element-0');
    await expect(element.locator('canvas.radlabel-display-canvas')).toHaveCount(1);
    expect(
      await element
        .locator('canvas.cornerstone-canvas')
        .evaluate((canvas) => getComputedStyle(canvas).visibility),
    ).toBe('hidden');
  }
  expectSame(await screenAgainstCanvas(page));
  await page.keyboard.press('h');
  await page.keyboard.press(']');
  expectSame(await screenAgainstCanvas(page));
  await page.keyboard.press('v');
  await page.keyboard.press(']');
  expectSame(await screenAgainstCanvas(page));
  await screenshot(page, 'display-flipped-rotated');
});

test('zoomed in and panned, zoomed out, and scrolled, it stays the image Cornerstone drew', async () => {
  const { page } = app;
  await page.keyboard.press('r');
  await page.keyboard.press('1');
  const box = (await page.getByTestId('viewport-element-0').boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down({ button: 'right' });
  for (let step = 1; step <= 10; step += 1) await page.mouse.move(x, y + step * 15);
  await page.mouse.up({ button: 'right' });
  await page.mouse.move(x, y);
  await page.mouse.down({ button: 'middle' });
  for (let step = 1; step <= 10; step += 1) await page.mouse.move(x - step * 7, y - step * 3);
  await page.mouse.up({ button: 'middle' });
  expectSame(await screenAgainstCanvas(page));
  await screenshot(page, 'display-zoomed');

  // R also resets the window: the lung window again, so the gradient around the disc shows.
  await page.keyboard.press('r');
  await page.keyboard.press('1');
  const zoomOf = async () =>
    Number(/(\d+)%/.exec((await page.getByTestId('overlay-zoom').textContent()) ?? '')?.[1]);
  // The readout writes the reset zoom on the frame after it.
  await nextFrames(page);
  const fitted = await zoomOf();
  await page.mouse.move(x, y);
  await page.mouse.down({ button: 'right' });
  for (let step = 1; step <= 5; step += 1) await page.mouse.move(x, y - step * 10);
  await page.mouse.up({ button: 'right' });
  await expect.poll(zoomOf).toBeLessThan(fitted);
  expectSame(await screenAgainstCanvas(page));

  for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowDown');
  await expectImage(page, 7, SLICES);
  expectSame(await screenAgainstCanvas(page));
});

test('in a smaller pane of a 2×2 layout, the image on screen is the image Cornerstone drew', async () => {
  const { page } = app;
  await page.keyboard.press('r');
  await page.getByTestId('layout-2x2').click();
  await page.getByTestId('viewport-1').click();
  await page.getByTestId('viewer').getByTestId('series-card').first().click();
  await expectImage(page, 1, SLICES, 1);
  expectSame(await screenAgainstCanvas(page, 0));
  expectSame(await screenAgainstCanvas(page, 1));
  await screenshot(page, 'display-2x2');
});
