/**
 * The DICOM tag browser (issue #8 item 6), as a reader uses it: key T in the viewer, every
 * attribute of the current image, sequences opened in place, private attributes with their
 * creator, search by keyword, tag or value, values decoded in the image's character set.
 * Files: pydicom's CT_small.dcm (GE private blocks, OtherPatientIDsSequence) and chrX2.dcm
 * (GB18030, Wang^XiaoDong=王^小东=).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Locator, type Page, expect, test } from '@playwright/test';
import { makeTempDir, pydicomCharsetFilesDir, pydicomTestFilesDir } from '../fixtures/index.js';
import { type AppSession, importPath, openApp, screenshot, search } from './support/app.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let dir: string;

test.beforeAll(async ({ browser }) => {
  dir = makeTempDir('e2e-tags');
  fs.copyFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm'), path.join(dir, 'CT_small.dcm'));
  fs.copyFileSync(path.join(pydicomCharsetFilesDir, 'chrX2.dcm'), path.join(dir, 'chrX2.dcm'));
  // 2,500 referenced images in one sequence: 7,500 rows under one sequence, 7,773 in all.
  execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      `import sys, pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
ds = pydicom.dcmread(sys.argv[1])
ds.PatientID = 'TAGS5000'
ds.StudyInstanceUID = '1.2.826.0.1.3680043.8.498.5000.1'
ds.SeriesInstanceUID = '1.2.826.0.1.3680043.8.498.5000.2'
ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = '1.2.826.0.1.3680043.8.498.5000.3'
items = []
for i in range(2500):
    item = Dataset()
    item.ReferencedSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
    item.ReferencedSOPInstanceUID = '1.2.826.0.1.3680043.8.498.5000.9.%d' % i
    items.append(item)
ds.ReferencedImageSequence = Sequence(items)
ds.save_as(sys.argv[2])`,
      path.join(pydicomTestFilesDir, 'CT_small.dcm'),
      path.join(dir, 'many-tags.dcm'),
    ],
    { stdio: 'inherit' },
  );
  app = await openApp(browser, 'tags');
  await importPath(app.page, dir);
});

test.afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function openStudyOf(page: Page, query: string): Promise<void> {
  await search(page, query);
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
}

const row = (page: Page, tag: string): Locator => page.locator(`[data-testid="tag-row"][data-tag="${tag}"]`);

/** Scrolls the list (rows are drawn only where visible) until the row of `tag` is drawn. */
async function scrollTo(page: Page, tag: string): Promise<Locator> {
  const list = page.getByTestId('tag-rows');
  // The list is virtualised: a row found by one scroll step can be replaced by a re-render before
  // it is brought into view ("not attached to the DOM"); then the search starts again.
  await expect(async () => {
    await list.evaluate((element) => element.scrollTo({ top: 0 }));
    for (let step = 0; step < 200 && (await row(page, tag).count()) === 0; step += 1)
      await list.evaluate((element) => element.scrollBy({ top: element.clientHeight / 2 }));
    await row(page, tag).scrollIntoViewIfNeeded({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  return row(page, tag);
}

test('T opens every attribute of the current image; private attributes show their creator', async () => {
  const { page } = app;
  await openStudyOf(page, '1CT1');
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready');
  await page.keyboard.press('t');
  const browser = page.getByTestId('tag-browser');
  await expect(browser).toBeVisible();
  await expect(page.getByTestId('tag-counts')).toContainText('ISO_IR 100');
  // File meta first, then the dataset.
  await expect(page.getByTestId('tag-row').first()).toHaveAttribute('data-tag', '(0002,0000)');

  const creatorRow = await scrollTo(page, '(0019,0010)');
  await expect(creatorRow).toContainText('PrivateCreator');
  await expect(creatorRow.getByTestId('tag-value')).toHaveText('GEMS_ACQU_01');
  // A private data element: its tag, its creator and its value in one row, as dcmdump shows 912.
  const privateRow = await scrollTo(page, '(0019,1002)');
  await screenshot(page, 'tags-ct-private');
  await expect(privateRow).toContainText('(0019,1002)');
  await expect(privateRow.getByTestId('tag-creator')).toHaveText('GEMS_ACQU_01');
  await expect(privateRow.getByTestId('tag-value')).toHaveText('912');
  // Pixel data by its size only.
  await page.getByTestId('tag-search').fill('7fe0,0010');
  await expect(row(page, '(7FE0,0010)').getByTestId('tag-value')).toHaveText('<32,768 bytes>');
  await page.getByTestId('tag-search').fill('');
});

test('a nested sequence opens in place: items and their attributes', async () => {
  const { page } = app;
  const sequence = await scrollTo(page, '(0010,1002)');
  await expect(sequence).toContainText('OtherPatientIDsSequence');
  await expect(sequence).toContainText('2 items');
  await expect(sequence).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('[data-testid="tag-row"][data-depth="2"]')).toHaveCount(0);
  await sequence.click();
  await expect(sequence).toHaveAttribute('aria-expanded', 'true');
  const inner = page.locator('[data-testid="tag-row"][data-depth="2"]');
  await expect(page.locator('[data-testid="tag-row"][data-kind="item"]')).toHaveText([/Item 1/, /Item 2/]);
  await expect(inner.getByTestId('tag-value')).toHaveText(['ABCD1234', 'TEXT', '1234ABCD', 'TEXT']);
  await screenshot(page, 'tags-sequence-open');
  await sequence.click();
  await expect(inner).toHaveCount(0);
});

test('search by keyword, by tag and by value; a match inside a sequence opens its parents', async () => {
  const { page } = app;
  const field = page.getByTestId('tag-search');
  const matches = page.locator('[data-testid="tag-row"][data-match="true"]');

  await field.fill('OtherPatientIDs');
  await expect(matches).toHaveCount(1);
  await expect(matches).toHaveAttribute('data-tag', '(0010,1002)');

  // Tag, written as people write it: with or without parentheses and comma.
  for (const spelling of ['(0010,0022)', '0010,0022', '00100022']) {
    await field.fill(spelling);
    await expect(matches).toHaveCount(2);
    await expect(matches.getByTestId('tag-value')).toHaveText(['TEXT', 'TEXT']);
  }

  // A value that exists only inside the sequence: the match is shown under its item and sequence.
  await field.fill('1234ABCD');
  await expect(matches).toHaveCount(1);
  await expect(matches).toHaveAttribute('data-depth', '2');
  await expect(page.getByTestId('tag-row')).toHaveCount(3);
  await expect(page.getByTestId('tag-row').nth(0)).toHaveAttribute('data-tag', '(0010,1002)');
  await expect(page.getByTestId('tag-row').nth(1)).toHaveAttribute('data-kind', 'item');
  await expect(page.getByTestId('tag-counts')).toHaveText('1 attribute matches');
  await screenshot(page, 'tags-search-value');

  // The creator is searchable too.
  await field.fill('GEMS_ACQU_01');
  expect(await matches.count()).toBeGreaterThan(10);

  // Esc in the field clears it, Esc again closes the browser; the viewer stays.
  await field.fill('x');
  await field.press('Escape');
  await expect(field).toHaveValue('');
  await field.press('Escape');
  await expect(page.getByTestId('tag-browser')).toHaveCount(0);
  await expect(page.getByTestId('viewer')).toBeVisible();
  // T again, and Esc from the viewer closes it as well.
  await page.keyboard.press('t');
  await expect(page.getByTestId('tag-browser')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('tag-browser')).toHaveCount(0);
  await expect(page.getByTestId('viewer')).toBeVisible();
});

test('values are decoded in the image character set: GB18030 王^小东', async () => {
  const { page } = app;
  await page.getByTestId('viewer-back').click();
  await expect(page.getByTestId('worklist')).toBeVisible();
  await openStudyOf(page, 'X2EXAMPLE');
  await page.getByTestId('tag-browser-toggle').click();
  await expect(page.getByTestId('tag-counts')).toContainText('GB18030');
  const name = row(page, '(0010,0010)');
  await expect(name).toContainText('PatientName');
  await expect(name.getByTestId('tag-value')).toHaveText('Wang^XiaoDong=王^小东=');
  await page.getByTestId('tag-search').fill('小东');
  await expect(page.locator('[data-testid="tag-row"][data-match="true"]')).toHaveAttribute(
    'data-tag',
    '(0010,0010)',
  );
  await screenshot(page, 'tags-gb18030');
});

test('thousands of attributes open, scroll and filter at once (rows drawn only where visible)', async () => {
  const { page } = app;
  if ((await page.getByTestId('tag-browser').count()) > 0)
    await page.getByTestId('tag-browser-close').click();
  if ((await page.getByTestId('viewer').count()) > 0) await page.getByTestId('viewer-back').click();
  await openStudyOf(page, 'TAGS5000');
  await expect(page.getByTestId('viewport-0')).toHaveAttribute('data-state', 'ready');
  const opened = Date.now();
  await page.keyboard.press('t');
  await expect(page.getByTestId('tag-counts')).toContainText('7773 attributes', { timeout: 5000 });
  const openMs = Date.now() - opened;
  const sequence = await scrollTo(page, '(0008,1140)');
  await expect(sequence).toContainText('2500 items');
  // Opened, the sequence adds 7,500 rows; only the visible ones are in the page.
  const toggled = Date.now();
  await sequence.click();
  await expect(sequence).toHaveAttribute('aria-expanded', 'true');
  const toggleMs = Date.now() - toggled;
  expect(await page.getByTestId('tag-rows').evaluate((element) => element.scrollHeight)).toBeGreaterThan(
    7700 * 24,
  );
  expect(await page.getByTestId('tag-row').count()).toBeLessThan(120);
  const filtered = Date.now();
  await page.getByTestId('tag-search').fill('5000.9.2499');
  await expect(page.locator('[data-testid="tag-row"][data-match="true"]')).toHaveCount(1);
  const filterMs = Date.now() - filtered;
  console.log(
    `tag browser, 7,773 rows: open ${openMs} ms, sequence of 2,500 items opened ${toggleMs} ms, filter ${filterMs} ms`,
  );
  expect(openMs).toBeLessThan(3000);
  expect(toggleMs).toBeLessThan(1000);
  expect(filterMs).toBeLessThan(1000);
  await screenshot(page, 'tags-many');
});
