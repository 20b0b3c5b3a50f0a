/**
 * Never losing one's place (issue #8 item 7): a reload brings back the worklist search and
 * selection, the open study, the layout, each viewport's series, slice and window; a new browser
 * profile on the same data folder (an app restart with its origin storage wiped) too, from the
 * copy main keeps. Focus never traps the keyboard, and Esc closes panels instead of leaving.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { UiSession } from '../../shared/ui-session.js';
import { type AppSession, importPath, nextFrames, openApp, screenshot, search } from './support/app.js';
import { canvasProfile, expectedGrey, mean } from './support/canvas.js';
import { ctStudy, uidOf, writeLayoutStudies } from './support/layout-studies.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let studiesDir: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  studiesDir = writeLayoutStudies([ctStudy]);
  app = await openApp(browser, 'restore');
  await importPath(app.page, studiesDir);
  await app.page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await app?.close();
  fs.rmSync(studiesDir, { recursive: true, force: true });
});

const overlay = (slot: number, id: string) => app.page.getByTestId(`viewport-${slot}`).getByTestId(id);

/**
 * The place main keeps for the reader (ui-session.json in the data folder, written whole and
 * renamed), null while there is none. The page sends it at most every 400 ms once it changes.
 */
function savedSession(): UiSession | null {
  const file = path.join(app.host.dataDir, 'ui-session.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as UiSession) : null;
}

/** The disc's grey level on the centre row of slot 0 (the image is fitted and centred). */
async function discGrey(slot: number): Promise<number> {
  const profile = await canvasProfile(app.page, slot);
  const middle = Math.floor(profile.width / 2);
  return mean(profile.row.slice(middle - 3, middle + 4));
}

test('the worklist search and the selected study come back after a reload', async () => {
  const { page } = app;
  await search(page, 'LAY-0001');
  await page.getByTestId('study-row').first().click();
  await expect(page.getByTestId('study-row').first()).toHaveAttribute('data-focused', 'true');
  // Main has the place too (the page's own copy is written as it is left).
  await expect.poll(() => savedSession()?.worklist.search).toBe('LAY-0001');
  await page.reload();
  await expect(page.getByTestId('worklist-search')).toHaveValue('LAY-0001');
  await expect(page.getByTestId('study-table')).toHaveAttribute('data-search', 'LAY-0001');
  await expect(page.getByTestId('study-row').first()).toHaveAttribute('data-focused', 'true');
});

test('a reload restores the open study, layout, series per viewport, slice and window', async () => {
  const { page } = app;
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewport-grid')).toHaveAttribute('data-layout', '1x2');
  // Coronal into viewport 2, slice 17 of the thin axial series in viewport 1, a narrow window.
  await page
    .getByTestId('viewer')
    .getByTestId('series-card')
    .filter({ hasText: 'Coronal' })
    .dragTo(page.getByTestId('viewport-drop-1'));
  await expect(overlay(1, 'overlay-series')).toHaveText('Coronal');
  await page.getByTestId('viewport-1').click();
  await page.keyboard.press('End');
  await expect(overlay(1, 'overlay-image')).toHaveAttribute('data-index', '30');
  await page.getByTestId('viewport-0').click();
  await page.keyboard.press('Home');
  await expect(overlay(0, 'overlay-image')).toHaveAttribute('data-index', '1');
  for (let i = 0; i < 16; i += 1) await page.keyboard.press('ArrowDown');
  await expect(overlay(0, 'overlay-image')).toHaveAttribute('data-index', '17');
  await page.getByTestId('preset-abdomen').click();
  await expect(overlay(0, 'overlay-window')).toHaveAttribute('data-width', '400');
  // Main has this place before the reload (the next test opens a new profile, which has only
  // main's copy): slice 17 of the axial series in viewport 1, the coronal series in viewport 2.
  const coronal = ctStudy.series.find((series) => series.description === 'Coronal')!;
  await expect
    .poll(() => {
      const viewports = savedSession()?.viewer?.viewports;
      return { sop: viewports?.[0]?.sopInstanceUID, series: viewports?.[1]?.seriesInstanceUID };
    })
    .toEqual({ sop: uidOf.sop(ctStudy, ctStudy.series[1]!, 16), series: uidOf.series(ctStudy, coronal) });

  await page.reload();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expect(page.getByTestId('viewport-grid')).toHaveAttribute('data-layout', '1x2');
  await expect(overlay(0, 'overlay-series')).toHaveText('Axial 2.5 mm');
  await expect(overlay(0, 'overlay-image')).toHaveAttribute('data-index', '17');
  await expect(overlay(0, 'overlay-window')).toHaveAttribute('data-width', '400');
  await expect(overlay(0, 'overlay-window')).toHaveAttribute('data-center', '40');
  await expect(overlay(1, 'overlay-series')).toHaveText('Coronal');
  await expect(overlay(1, 'overlay-image')).toHaveAttribute('data-index', '30');
  await nextFrames(page, 5);
  // What is drawn is slice 17 under W 400 / L 40: the disc (1000) white, the rest (116) grey.
  expect(await discGrey(0)).toBeGreaterThanOrEqual(250);
  const profile = await canvasProfile(page, 0);
  // Image column 112 of 128 (outside the disc): the image is fitted, min(width, height) wide.
  const x = Math.round(profile.width / 2 + 0.375 * Math.min(profile.width, profile.height));
  const edge = mean(profile.row.slice(x - 2, x + 3));
  expect(Math.abs(edge - expectedGrey(116, 400, 40))).toBeLessThanOrEqual(5);
  await screenshot(page, 'viewer-restored');
});

test('a new browser profile on the same data folder (an app restart) restores it from main', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(app.host.url);
    await expect(page.getByTestId('viewer')).toBeVisible();
    await expect(page.getByTestId('viewport-0').getByTestId('overlay-image')).toHaveAttribute(
      'data-index',
      '17',
    );
    await expect(page.getByTestId('viewport-1').getByTestId('overlay-series')).toHaveText('Coronal');
    const saved = JSON.parse(fs.readFileSync(`${app.host.dataDir}/ui-session.json`, 'utf8')) as {
      viewer: { viewports: { sopInstanceUID: string }[] };
    };
    expect(saved.viewer.viewports[0]!.sopInstanceUID).toBe(uidOf.sop(ctStudy, ctStudy.series[1]!, 16));
  } finally {
    await context.close();
  }
});

test('Esc closes the de-identification preview and stays in the viewer; Backspace leaves', async () => {
  const { page } = app;
  await page.getByTestId('deid-preview-toggle').click();
  await expect(page.getByTestId('deid-preview')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('deid-preview')).toHaveCount(0);
  await expect(page.getByTestId('viewer')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('viewer')).toBeVisible();
  await page.keyboard.press('Backspace');
  await expect(page.getByTestId('worklist')).toBeVisible();
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await page.keyboard.press('Alt+ArrowLeft');
  await expect(page.getByTestId('worklist')).toBeVisible();
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
});

test('after ticking a checkbox in a panel, the viewer’s shortcuts still work', async () => {
  const { page } = app;
  await page.getByTestId('viewport-0').click();
  await page.keyboard.press('Home');
  await expect(overlay(0, 'overlay-image')).toHaveAttribute('data-index', '1');
  await page.getByTestId('deid-preview-toggle').click();
  await page.getByTestId('deid-preview-changed-only').click();
  await expect(page.getByTestId('deid-preview-changed-only')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(overlay(0, 'overlay-image')).toHaveAttribute('data-index', '3');
  await page.keyboard.press('3');
  await expect(overlay(0, 'overlay-window')).toHaveAttribute('data-width', '1800');
  // The link checkbox in the series panel too.
  await page.getByTestId('link-scrolling').click();
  await page.keyboard.press('ArrowDown');
  await expect(overlay(0, 'overlay-image')).toHaveAttribute('data-index', '4');
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toBeVisible();
  await screenshot(page, 'help-viewer-keys');
  await page.keyboard.press('Escape');
  await page.getByTestId('link-scrolling').click();
});
