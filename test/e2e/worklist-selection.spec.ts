/**
 * The worklist (issue #8 item 9): several studies chosen with the mouse and keyboard and exported
 * together, the study menu (right-click, Shift+F10) and its actions, every column reachable at
 * 1280×720, and Chinese names in pinyin order in the zh-CN interface.
 * Studies: one-slice generated CTs renamed with pydicom (UTF-8, ideographic names only, so the
 * order by code point and the order by pinyin differ).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import { type AppSession, importPath, openApp, screenshot, search } from './support/app.js';

test.describe.configure({ mode: 'serial' });

/** Patient names and IDs; pinyin: an na, brown, li lei, wang xiao dong, zhang wei, zhao min. */
const PATIENTS = [
  { name: '张伟', id: 'SEL-ZW' },
  { name: 'Brown^Bob', id: 'SEL-BB' },
  { name: '李雷', id: 'SEL-LL' },
  { name: '王小东', id: 'SEL-WXD' },
  { name: '赵敏', id: 'SEL-ZM' },
  { name: '安娜', id: 'SEL-AN' },
];
const BY_PINYIN = ['安娜', 'Brown Bob', '李雷', '王小东', '张伟', '赵敏'];

let app: AppSession;
let scratch: string;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  scratch = makeTempDir('e2e-worklist-selection');
  const source = path.join(scratch, 'studies');
  fs.mkdirSync(source);
  const renames = PATIENTS.map((patient, i) => {
    const series = ensureCtSeries({ slices: 1, size: 32, seed: `selection-${i}` });
    return [series.files[0]!, path.join(source, `${patient.id}.dcm`), patient.name, patient.id];
  });
  execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      `import json, sys, pydicom
for src, dst, name, pid in json.loads(sys.argv[1]):
    ds = pydicom.dcmread(src)
    ds.SpecificCharacterSet = 'ISO_IR 192'
    ds.PatientName = name
    ds.PatientID = pid
    ds.AccessionNumber = 'ACC-' + pid
    ds.StudyDescription = 'CT thorax abdomen pelvis with contrast, arterial and portal venous phases'
    ds.save_as(dst)`,
      JSON.stringify(renames),
    ],
    { stdio: 'inherit' },
  );
  app = await openApp(browser, 'worklist-selection');
  await app.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await importPath(app.page, source);
  await app.page.getByTestId('import-dismiss').click();
  await search(app.page, 'SEL-');
  await expect(app.page.getByTestId('study-row')).toHaveCount(PATIENTS.length);
});

test.afterAll(async () => {
  await app?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const rows = (page: Page) => page.getByTestId('study-row');
const names = (page: Page) => rows(page).locator('[data-column="patientName"]');
const chosen = (page: Page) => page.locator('[data-testid="study-row"][aria-selected="true"]');
const modifier = process.platform === 'darwin' ? 'Meta' : 'Control';

test('zh-CN: the patient-name column sorts Chinese names by pinyin among Latin ones', async () => {
  const { page } = app;
  await page.getByTestId('language-switch').selectOption('zh-CN');
  await expect(page.getByTestId('sort-patientName')).toContainText('姓名');
  await page.getByTestId('sort-patientName').click();
  await expect(page.getByTestId('study-table')).toHaveAttribute('data-sort', 'patientName:asc');
  await expect(names(page)).toHaveText(BY_PINYIN);
  await screenshot(page, 'worklist-zh-CN-pinyin-sort');
  await page.getByTestId('sort-patientName').click();
  await expect(page.getByTestId('study-table')).toHaveAttribute('data-sort', 'patientName:desc');
  await expect(names(page)).toHaveText([...BY_PINYIN].reverse());
  await page.getByTestId('sort-patientName').click();
  await page.getByTestId('language-switch').selectOption('en');
  await expect(names(page)).toHaveText(BY_PINYIN);
});

test('click, Ctrl+click, Shift+click, Shift+↓ and Ctrl+A choose studies', async () => {
  const { page } = app;
  await rows(page).nth(0).click();
  await expect(chosen(page)).toHaveCount(1);
  await rows(page)
    .nth(2)
    .click({ modifiers: [modifier] });
  await expect(chosen(page)).toHaveCount(2);
  await expect(page.getByTestId('selection-count')).toHaveText('2 studies selected');
  // Shift+click: the range from the last clicked study.
  await rows(page)
    .nth(4)
    .click({ modifiers: ['Shift'] });
  await expect(chosen(page).locator('[data-column="patientName"]')).toHaveText(BY_PINYIN.slice(2, 5));
  // Ctrl+click takes one out again.
  await rows(page)
    .nth(3)
    .click({ modifiers: [modifier] });
  await expect(chosen(page).locator('[data-column="patientName"]')).toHaveText([
    BY_PINYIN[2]!,
    BY_PINYIN[4]!,
  ]);
  await page.keyboard.press(`${modifier}+a`);
  await expect(chosen(page)).toHaveCount(PATIENTS.length);
  await screenshot(page, 'worklist-multi-select');
  await rows(page).nth(1).click();
  await expect(chosen(page)).toHaveCount(1);
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(chosen(page).locator('[data-column="patientName"]')).toHaveText(BY_PINYIN.slice(1, 4));
  await page.getByTestId('selection-clear').click();
  await expect(chosen(page)).toHaveCount(1);
});

test('two chosen studies are de-identified and exported together: both are written', async () => {
  const { page } = app;
  await rows(page).nth(0).click();
  await rows(page)
    .nth(3)
    .click({ modifiers: [modifier] });
  const exportButton = page.getByTestId('deid-export-open');
  await expect(exportButton).toHaveText('De-identify & export 2 studies…');
  await exportButton.click();
  const dialog = page.getByTestId('deid-export-many');
  await expect(dialog.getByTestId('deid-export-many-study')).toHaveCount(2);
  await expect(dialog.getByTestId('deid-export-many-study')).toContainText([BY_PINYIN[0]!, BY_PINYIN[3]!]);
  const outputDir = path.join(scratch, 'export-two');
  await dialog.getByTestId('deid-export-many-dir').fill(outputDir);
  await dialog.getByTestId('deid-export-many-start').click();
  await expect(dialog.getByTestId('deid-export-many-status')).toBeVisible({ timeout: 120_000 });
  await expect(dialog.locator('[data-testid="deid-export-many-study"][data-state="done"]')).toHaveCount(2);
  await expect(dialog.getByTestId('deid-export-many-line').first()).toContainText(
    '1 written · 0 held · 0 failed',
  );
  await screenshot(page, 'worklist-export-two');
  await dialog.getByTestId('deid-export-many-close').click();

  // Two study folders (pseudonymous UIDs), one de-identified image in each, neither name inside.
  const studies = fs.readdirSync(outputDir).filter((name) => /^[0-9.]+$/.test(name));
  expect(studies).toHaveLength(2);
  for (const study of studies) {
    const files = fs
      .readdirSync(path.join(outputDir, study), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.dcm'));
    expect(files).toHaveLength(1);
    const bytes = fs.readFileSync(path.join(outputDir, study, files[0]!));
    for (const { name } of PATIENTS)
      expect(bytes.includes(Buffer.from(name.split('^')[0]!, 'utf8'))).toBe(false);
  }
});

test('the study menu opens on right-click and Shift+F10, and its actions work', async () => {
  const { page } = app;
  const target = rows(page).nth(2);
  const uid = (await target.getAttribute('data-study-uid'))!;
  await target.click({ button: 'right' });
  const menu = page.getByTestId('study-menu');
  await expect(menu).toBeVisible();
  await expect(chosen(page)).toHaveCount(1);
  await expect(menu.getByRole('menuitem')).toHaveText([
    'Open in viewer',
    'De-identify & export…',
    'Show all studies of this patient',
    'Copy Study Instance UID',
    'Copy patient ID',
    'Copy accession number',
    'Select all shown',
    'Delete study from this workstation…',
    'Delete all studies of this patient…',
  ]);
  await screenshot(page, 'worklist-study-menu');
  await menu.getByTestId('study-menu-copy-study-uid').click();
  await expect(menu).toBeHidden();
  await expect(page.getByTestId('worklist-toast')).toContainText(uid);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(uid);

  // Keyboard: Shift+F10 on the focused study, arrows to an item, Enter.
  await page.keyboard.press('Shift+F10');
  await expect(menu).toBeVisible();
  await expect(menu.getByTestId('study-menu-open')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByTestId('study-menu-patient-studies')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('worklist-search')).toHaveValue('SEL-LL');
  await expect(page.getByTestId('study-table')).toHaveAttribute('data-search', 'SEL-LL');
  await expect(names(page)).toHaveText(['李雷']);

  // Esc closes the menu without acting; the context-menu key opens it as well.
  await page.keyboard.press('ContextMenu');
  await expect(menu).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(page.getByTestId('worklist')).toBeVisible();

  // Export from the menu opens the export dialog for the chosen study; Open opens the viewer.
  await rows(page).first().click({ button: 'right' });
  await menu.getByTestId('study-menu-export').click();
  await expect(page.getByTestId('deid-export-dialog')).toBeVisible();
  await page.getByTestId('deid-export-close').click();
  await rows(page).first().click({ button: 'right' });
  await menu.getByTestId('study-menu-open').click();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await page.getByTestId('viewer-back').click();
  await search(page, 'SEL-');
});

test('at 1280×720 every column can be reached and the patient name stays in view', async () => {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 720 });
  await rows(page).first().click();
  const pane = page.locator('.worklist__table');
  const paneBox = (await pane.boundingBox())!;
  // The page itself never scrolls sideways; the table does, inside its pane.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  const headers = page.locator('.study-table th[data-column]');
  const columns = await headers.evaluateAll((cells) =>
    cells.map((cell) => cell.getAttribute('data-column')!),
  );
  expect(columns).toHaveLength(10); // the nine header columns and the annotation status
  for (const column of columns) {
    const header = page.locator(`.study-table th[data-column="${column}"]`);
    await header.scrollIntoViewIfNeeded();
    const box = (await header.boundingBox())!;
    expect(box.x, column).toBeGreaterThanOrEqual(paneBox.x - 1);
    expect(box.x + box.width, column).toBeLessThanOrEqual(paneBox.x + paneBox.width + 1);
    const cell = rows(page).first().locator(`[data-column="${column}"]`);
    const cellBox = (await cell.boundingBox())!;
    expect(cellBox.x + cellBox.width, column).toBeLessThanOrEqual(paneBox.x + paneBox.width + 1);
  }
  // A long description ends in an ellipsis inside its column; the whole text is on hover.
  await expect(rows(page).first().locator('[data-column="studyDescription"]')).toHaveAttribute(
    'title',
    'CT thorax abdomen pelvis with contrast, arterial and portal venous phases',
  );
  // Scrolled to the last column, the name is still there, left in the pane.
  const name = rows(page).first().locator('[data-column="patientName"]');
  const nameBox = (await name.boundingBox())!;
  expect(nameBox.x).toBeGreaterThanOrEqual(paneBox.x - 1);
  expect(nameBox.x).toBeLessThan(paneBox.x + 4);
  await expect(name).toHaveText(BY_PINYIN[0]!);
  await screenshot(page, 'worklist-1280');
  await pane.evaluate((element) => element.scrollTo({ left: 0 }));
  await screenshot(page, 'worklist-1280-left');
});
