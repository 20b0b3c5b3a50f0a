/**
 * Opening a study (issue #8, `viewer.first_image_ms`): the viewer's tools are set up while the
 * worklist waits or, at the latest, with the viewports, so a tool key pressed in the very moment
 * the first image is drawn (from the page, inside Cornerstone's first IMAGE_RENDERED) is not lost:
 * the tool is chosen and the next drag draws with it. Both ways into the viewer: a double-click in
 * the worklist and a reload that restores the open study.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
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
import { TEST_SCHEMA, drag, imageFrame, loadSchema, pageAt } from './support/annotate.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let ct: CtSeries;

/**
 * In the page, from now on (and after a reload, via sessionStorage): when viewport 0 draws its
 * first image, `key` is pressed on the focused element inside that same event, before anything
 * else runs. `window.__keyPressedAt` says it happened.
 */
const KEY_ON_FIRST_IMAGE = `
  (() => {
    const key = sessionStorage.getItem('e2e.keyOnFirstImage');
    if (!key) return;
    sessionStorage.removeItem('e2e.keyOnFirstImage');
    const attach = (element) => {
      let imageSet = false;
      element.addEventListener('CORNERSTONE_STACK_NEW_IMAGE', () => (imageSet = true));
      const onRendered = () => {
        if (!imageSet) return;
        element.removeEventListener('CORNERSTONE_IMAGE_RENDERED', onRendered);
        const target = document.activeElement ?? document.body;
        const init = { key, code: 'Key' + key.toUpperCase(), bubbles: true, cancelable: true };
        target.dispatchEvent(new KeyboardEvent('keydown', init));
        target.dispatchEvent(new KeyboardEvent('keyup', init));
        window.__keyPressedAt = performance.now();
      };
      element.addEventListener('CORNERSTONE_IMAGE_RENDERED', onRendered);
    };
    const observer = new MutationObserver(() => {
      const element = document.querySelector('[data-testid="viewport-element-0"]');
      if (!element) return;
      observer.disconnect();
      attach(element);
    });
    observer.observe(document, { childList: true, subtree: true });
  })();
`;

async function armKeyOnFirstImage(page: Page, key: string): Promise<void> {
  await page.evaluate((value) => sessionStorage.setItem('e2e.keyOnFirstImage', value), key);
}

async function runKeyProbe(page: Page): Promise<void> {
  await page.evaluate(KEY_ON_FIRST_IMAGE);
}

async function keyWasPressed(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(() => typeof (window as { __keyPressedAt?: number }).__keyPressedAt === 'number'),
    )
    .toBe(true);
}

/**
 * A drag on the image (image pixels, away from earlier measurements: a drag starting on one moves
 * its handle) draws a length: the label picker opens for it; Esc twice keeps it.
 */
async function expectLengthDrawn(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  await expect(page.getByTestId('tool-Length')).toHaveAttribute('aria-pressed', 'true');
  await nextFrames(page);
  const frame = await imageFrame(page, ct.size);
  await drag(page, pageAt(frame, ...from), pageAt(frame, ...to));
  await expect(page.getByTestId('label-picker')).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('label-picker')).toBeHidden();
}

/** Back to reading: window/level on the left button. */
async function backToReading(page: Page): Promise<void> {
  await page.getByTestId('tool-WindowLevel').click();
  await expect(page.getByTestId('tool-WindowLevel')).toHaveAttribute('aria-pressed', 'true');
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 20, size: 512, seed: 'viewer-first-image' });
  app = await openApp(browser, 'viewer-first-image');
  await app.page.addInitScript({ content: KEY_ON_FIRST_IMAGE });
  await loadSchema(app.page, TEST_SCHEMA);
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
  await search(app.page, 'viewer-first-image');
});

test.afterAll(async () => {
  await app?.close();
});

test('a tool key pressed as the first image is drawn after a double-click chooses the tool', async () => {
  const { page } = app;
  await armKeyOnFirstImage(page, 'l');
  await runKeyProbe(page);
  await page.getByTestId('study-row').first().dblclick();
  await keyWasPressed(page);
  await expectImage(page, 1, 20);
  await expectLengthDrawn(page, [150, 200], [330, 290]);
  await screenshot(page, 'viewer-first-image-tool-key');
  await backToReading(page);
});

test('a tool key pressed as the first image is drawn after a reload chooses the tool', async () => {
  const { page } = app;
  await armKeyOnFirstImage(page, 'l');
  await page.reload();
  await keyWasPressed(page);
  await expectImage(page, 1, 20);
  await expectLengthDrawn(page, [140, 340], [320, 400]);
  await screenshot(page, 'viewer-first-image-tool-key-reload');
  await backToReading(page);
});
