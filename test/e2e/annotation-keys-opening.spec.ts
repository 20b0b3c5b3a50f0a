/**
 * Keys pressed while a study opens (#9, keys; docs/annotation-tools.md "Keys while a study
 * opens"): the reader double-clicks a study and types at once, before the first image is drawn
 * and before the annotation panel's body (mounted after it) is there. No key is lost: the tool
 * key chooses the tool, the arrows scroll from the first image, ? opens the help sheet, Ctrl+Enter
 * marks the study complete, and with the AI list open N / A review the findings instead of
 * choosing the Arrow / Angle tools. The same after a reload that restores the viewer.
 *
 * The keys are pressed right after the double-click and each check waits for the state it needs
 * (never for the mount): on a fast machine the keys may land after the first image, under load
 * long before it; both must pass. How many keys the page kept while opening is noted in the test's
 * annotations (a replayed key reaches the window as an untrusted event).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Page, type Route, expect, test } from '@playwright/test';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import { type AiSrFixture, writeAiSr } from '../support/ai-fixtures.js';
import { type AppSession, expectImage, importPath, openApp, search } from './support/app.js';
import { rpc } from './support/rpc.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let ct: CtSeries;
let aiCt: CtSeries;
let ai: AiSrFixture;
let scratch: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 12, size: 256, seed: 'keys-opening' });
  aiCt = ensureCtSeries({ slices: 6, size: 128, seed: 'keys-opening-ai' });
  scratch = makeTempDir('e2e-keys-opening');
  ai = writeAiSr({
    seriesFiles: aiCt.files,
    out: path.join(scratch, 'ai-sr', 'AI.dcm'),
    model: 'ChestCAD',
    manufacturer: 'Acme Imaging AI',
    modelName: 'LungCAD',
    version: '3.2.1',
    findings: [
      { slice: 1, confidence: 0.97, from: [30, 40], to: [70, 40] },
      { slice: 3, confidence: 0.91, from: [30, 60], to: [80, 60] },
      { slice: 4, confidence: 0.62, from: [40, 50], to: [90, 70] },
    ],
  });
  app = await openApp(browser, 'annotation-keys-opening');
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
  await importPath(app.page, aiCt.dir);
  await app.page.getByTestId('import-dismiss').click();
  await rpc(app.page, 'annotation.importFiles', { paths: [ai.file] });
  // Counts the keys the page hands on after keeping them: untrusted keydowns, seen at the window
  // before any of the app's listeners.
  await app.page.addInitScript(() => {
    const page = window as unknown as { __replayedKeys: number };
    page.__replayedKeys = 0;
    window.addEventListener(
      'keydown',
      (event) => {
        if (!event.isTrusted) page.__replayedKeys += 1;
      },
      { capture: true },
    );
  });
  await app.page.reload();
  await expect(app.page.getByTestId('worklist')).toBeVisible();
});

test.afterAll(async () => {
  await app?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

async function replayedKeys(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __replayedKeys: number }).__replayedKeys);
}

/**
 * Holds the page's image requests until the returned function is called: the keys are then
 * pressed before the first image on any machine (routing also keeps them from the HTTP cache).
 */
async function holdImages(page: Page): Promise<() => Promise<void>> {
  let letGo = () => {};
  const held = new Promise<void>((resolve) => (letGo = resolve));
  const route = async (request: Route) => {
    await held;
    await request.continue().catch(() => undefined);
  };
  await page.route('**/instances/**', route);
  return async () => {
    letGo();
    await page.unroute('**/instances/**', route);
  };
}

/**
 * On a freshly loaded worklist (no image in the page's memory), finds the study and double-clicks
 * it; then types `keys` at once, while its images are held back.
 */
async function openAndType(page: Page, patientId: string, keys: string[]): Promise<void> {
  if (await page.getByTestId('viewer').isVisible()) await page.getByTestId('viewer-back').click();
  await expect(page.getByTestId('worklist')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('worklist')).toBeVisible();
  await search(page, patientId);
  const before = await replayedKeys(page);
  const letGo = await holdImages(page);
  await page.getByTestId('study-row').first().dblclick();
  for (const key of keys) await page.keyboard.press(key);
  await letGo();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(page.getByTestId('study-status')).toBeAttached({ timeout: 30_000 });
  test.info().annotations.push({
    type: 'keys kept while opening',
    description: `${(await replayedKeys(page)) - before} of ${keys.length}`,
  });
}

test('a tool key and the arrows pressed right after the double-click act once the image is there', async () => {
  const { page } = app;
  await openAndType(page, ct.patientId, ['l', 'ArrowDown', 'ArrowDown']);
  await expect(page.getByTestId('tool-Length')).toHaveAttribute('aria-pressed', 'true');
  // Scrolled from the first image: two images on.
  await expectImage(page, 3, 12);
  await page.keyboard.press('w');
  await expect(page.getByTestId('tool-Length')).toHaveAttribute('aria-pressed', 'false');
});

test('? pressed right after the double-click opens the help sheet', async () => {
  const { page } = app;
  await openAndType(page, ct.patientId, ['?']);
  await expect(page.getByTestId('help-overlay')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);
});

test('Ctrl+Enter pressed right after the double-click marks the study complete', async () => {
  const { page } = app;
  await openAndType(page, ct.patientId, ['Control+Enter']);
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'complete');
  // Main kept it: the worklist shows it too.
  await page.getByTestId('viewer-back').click();
  await search(page, ct.patientId);
  await expect(page.getByTestId('study-row').first().locator('[data-column="annotation"]')).toHaveAttribute(
    'data-status',
    'complete',
  );
});

test('with the AI list open, N and A pressed right after the double-click review the findings, not the tools', async () => {
  const { page } = app;
  await openAndType(page, aiCt.patientId, ['n', 'a']);
  const findings = page.getByTestId('ai-findings').getByTestId('ai-finding');
  await expect(findings).toHaveCount(3, { timeout: 30_000 });
  // N moved to the second finding, A accepted it (and moved on to the third).
  await expect(findings.nth(1)).toHaveAttribute('data-decision', 'accepted');
  await expect(findings.nth(0)).not.toHaveAttribute('data-decision', 'accepted');
  await expect(findings.nth(2)).toHaveAttribute('data-current', 'true');
  await expect(page.getByTestId('tool-ArrowAnnotate')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('tool-Angle')).toHaveAttribute('aria-pressed', 'false');
});

test('keys pressed as a reload restores the viewer act on it', async () => {
  const { page } = app;
  await openAndType(page, ct.patientId, []);
  const overlay = page.getByTestId('viewport-0').getByTestId('overlay-image');
  await expect(overlay).toHaveAttribute('data-total', '12');
  const index = Number(await overlay.getAttribute('data-index'));
  const letGo = await holdImages(page);
  await page.reload();
  // The app's code runs (its viewer is there); the first image and the panel are not yet.
  await expect(page.getByTestId('viewer')).toBeVisible();
  await page.keyboard.press('l');
  await page.keyboard.press('ArrowDown');
  await letGo();
  await expect(page.getByTestId('tool-Length')).toHaveAttribute('aria-pressed', 'true');
  await expectImage(page, index + 1, 12);
  await page.keyboard.press('w');
});
