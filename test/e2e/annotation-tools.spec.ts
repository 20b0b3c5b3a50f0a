/**
 * Measurement tools (#9 items 2, 5 and undo): each of Cornerstone's measurement tools drawn with
 * real pointer events on the generated CT, a label picked by key and by typing, the label's
 * attributes filled, the values checked against the drawn geometry (0.7 mm pixels) and the known
 * pixel values (the disc on slice 1 is HU −24 everywhere), the reading tools still working, undo
 * and redo, and the keys configured in the help sheet.
 */
import { expect, test } from '@playwright/test';
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
import {
  type ImageFrame,
  TEST_SCHEMA,
  click,
  drag,
  drawLoop,
  imageFrame,
  loadSchema,
  mmBetween,
  pageAt,
} from './support/annotate.js';

test.describe.configure({ mode: 'serial' });

let app: AppSession;
let ct: CtSeries;
let frame: ImageFrame;

/** HU of the disc on slice 1 (stored 1000, intercept −1024). */
const DISC_HU = -24;

const rows = () => app.page.getByTestId('annotation-row');
const rowOf = (tool: string) => app.page.locator(`[data-testid="annotation-row"][data-tool="${tool}"]`);

/**
 * The values of the tool's last row, once `key` is among them: Cornerstone works its statistics
 * out on a render after the drawing ends, so a row can be listed before its values are.
 */
async function valuesOf(tool: string, key: string): Promise<Record<string, number>> {
  let values: Record<string, number> = {};
  await expect
    .poll(
      async () => {
        const text = await rowOf(tool).last().getAttribute('data-values');
        values = JSON.parse(text ?? '{}') as Record<string, number>;
        return values[key];
      },
      { message: `${tool}'s ${key}` },
    )
    .toBeDefined();
  return values;
}

/** Picks a label in the open picker by its 1-based key. */
async function pickByKey(key: string): Promise<void> {
  await expect(app.page.getByTestId('label-picker')).toBeVisible();
  await app.page.keyboard.press(key);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 20, size: 512, seed: 'annotate-tools' });
  app = await openApp(browser, 'annotation-tools');
  await loadSchema(app.page, TEST_SCHEMA);
  await importPath(app.page, ct.dir);
  await app.page.getByTestId('import-dismiss').click();
  await search(app.page, 'annotate-tools');
  await app.page.getByTestId('study-row').first().dblclick();
  await expect(app.page.getByTestId('viewer')).toBeVisible();
  await expectImage(app.page, 1, 20);
  await expect(app.page.getByTestId('annotation-panel')).toBeVisible();
  await nextFrames(app.page);
  frame = await imageFrame(app.page, ct.size);
});

test.afterAll(async () => {
  await app?.close();
});

test('a length drawn with the mouse shows the distance between its points within 0.1 mm', async () => {
  const { page } = app;
  await page.keyboard.press('L');
  await expect(page.getByTestId('tool-Length')).toHaveAttribute('aria-pressed', 'true');
  const a = pageAt(frame, 150, 200);
  const b = pageAt(frame, 330, 290);
  await drag(page, a, b);
  // The picker opens where the line ends, with the tool's labels (1–9).
  const picker = page.getByTestId('label-picker');
  await expect(picker).toBeVisible();
  const pickerBox = (await picker.boundingBox())!;
  expect(Math.abs(pickerBox.x - (b.x + 16))).toBeLessThan(40);
  await expect(picker.getByTestId('label-option')).toHaveText([/Lesion/, /Nodule/, /Calcification/]);
  await screenshot(page, 'annotation-label-picker');
  await pickByKey('2');
  await expect(picker).toBeHidden();
  await expect(rowOf('Length')).toHaveCount(1);
  await expect(rowOf('Length')).toHaveAttribute('data-label', 'nodule');
  const { length } = await valuesOf('Length', 'length');
  expect(Math.abs(length! - mmBetween(frame, a, b))).toBeLessThanOrEqual(0.1);
  await expect(rowOf('Length').getByTestId('annotation-value')).toHaveText(
    `${Math.round(length! * 100) / 100} mm`,
  );
});

test('the type-ahead finds a label by its name, and its required attributes are asked for', async () => {
  const { page } = app;
  const a = pageAt(frame, 180, 320);
  const b = pageAt(frame, 300, 340);
  await drag(page, a, b);
  await expect(page.getByTestId('label-picker')).toBeVisible();
  await page.keyboard.type('les');
  await expect(page.getByTestId('label-option')).toHaveText([/Lesion/]);
  await page.keyboard.press('Enter');
  const form = page.getByTestId('label-picker').getByTestId('attribute-form');
  await expect(form).toBeVisible();
  await form.getByTestId('attribute-option-margin-spiculated').click();
  await form.getByTestId('attribute-input-count').fill('40');
  await expect(form.getByRole('alert')).toHaveText('At most 20');
  await form.getByTestId('attribute-input-count').fill('3');
  await form.getByTestId('attribute-input-note').fill('右上叶');
  await screenshot(page, 'annotation-attributes');
  await form.getByTestId('attribute-save').click();
  await expect(page.getByTestId('label-picker')).toBeHidden();
  const row = page.locator('[data-testid="annotation-row"][data-tool="Length"][data-label="lesion"]');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('annotation-incomplete')).toHaveCount(0);
});

test('Esc in the picker keeps the measurement with the preselected (last used) label', async () => {
  const { page } = app;
  await drag(page, pageAt(frame, 120, 120), pageAt(frame, 160, 140));
  await expect(page.getByTestId('label-picker')).toBeVisible();
  // Lesion was picked last with the length tool: it is preselected.
  await expect(page.locator('[data-testid="label-option"][aria-selected="true"]')).toHaveAttribute(
    'data-label-id',
    'lesion',
  );
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('label-picker').getByTestId('attribute-form')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('label-picker')).toBeHidden();
  await expect(
    page.locator('[data-testid="annotation-row"][data-tool="Length"][data-label="lesion"]'),
  ).toHaveCount(2);
  // Its required attributes are still empty: marked in the panel.
  await expect(page.getByTestId('annotation-incomplete')).toHaveCount(1);
});

test('drawing on while the picker asks gives the previous measurement its preselected label', async () => {
  const { page } = app;
  await drag(page, pageAt(frame, 400, 100), pageAt(frame, 440, 110));
  const picker = page.getByTestId('label-picker');
  await expect(picker).toBeVisible();
  const firstUid = await picker.getAttribute('data-uid');
  await drag(page, pageAt(frame, 400, 140), pageAt(frame, 440, 150));
  await expect(picker).not.toHaveAttribute('data-uid', firstUid ?? '');
  await expect(page.locator(`[data-testid="annotation-row"][data-uid="${firstUid}"]`)).toHaveAttribute(
    'data-label',
    'lesion',
  );
  const secondUid = await picker.getAttribute('data-uid');
  await page.keyboard.press('Delete');
  await expect(picker).toBeHidden();
  await expect(page.locator(`[data-testid="annotation-row"][data-uid="${secondUid}"]`)).toHaveCount(0);
  await page
    .locator(`[data-testid="annotation-row"][data-uid="${firstUid}"]`)
    .getByTestId('annotation-delete')
    .click();
});

test('region tools measure area, mean, std dev, min and max in HU', async () => {
  const { page } = app;
  // Inside the disc (centre 256, radius 128) every pixel is HU −24.
  const tools: Array<{ tool: string; key: string; draw: () => Promise<void>; area: number }> = [
    {
      tool: 'RectangleROI',
      key: 'Q',
      draw: () => drag(page, pageAt(frame, 220, 220), pageAt(frame, 280, 260)),
      area: 60 * 40 * 0.49,
    },
    {
      tool: 'EllipticalROI',
      key: 'E',
      // Drawn from the centre out: semi-axes 60 and 40 pixels.
      draw: () => drag(page, pageAt(frame, 200, 230), pageAt(frame, 260, 270)),
      area: Math.PI * 60 * 40 * 0.49,
    },
    {
      tool: 'CircleROI',
      key: 'C',
      // Centre, then a point of the rim: radius 25 pixels.
      draw: () => drag(page, pageAt(frame, 330, 250), pageAt(frame, 355, 250)),
      area: Math.PI * 25 * 25 * 0.49,
    },
    {
      tool: 'PlanarFreehandROI',
      key: 'F',
      draw: () => drawLoop(page, frame, 256, 256, 40),
      area: Math.PI * 40 * 40 * 0.49,
    },
  ];
  for (const { tool, key, draw, area } of tools) {
    await page.keyboard.press(key);
    await expect(page.getByTestId(`tool-${tool}`)).toHaveAttribute('aria-pressed', 'true');
    await draw();
    await pickByKey('3');
    await expect(rowOf(tool)).toHaveCount(1);
    const values = await valuesOf(tool, 'mean');
    expect(values.mean).toBeCloseTo(DISC_HU, 3);
    expect(values.min).toBe(DISC_HU);
    expect(values.max).toBe(DISC_HU);
    expect(values.stdDev).toBeCloseTo(0, 3);
    // Area in mm² (0.7 mm pixels), within what the pixel grid allows.
    expect(Math.abs(values.area! - area) / area, tool).toBeLessThan(0.08);
    await expect(rowOf(tool).getByTestId('annotation-value')).toContainText('HU');
  }
  await screenshot(page, 'annotation-regions');
});

test('angle, Cobb angle, bidirectional, arrow with text and probe are drawn and labelled', async () => {
  const { page } = app;
  // Angle: a drag for the first arm, a click for the third point: a right angle.
  await page.keyboard.press('A');
  await drag(page, pageAt(frame, 100, 400), pageAt(frame, 100, 460));
  await click(page, pageAt(frame, 160, 460));
  await pickByKey('1');
  await page.keyboard.press('Escape');
  await expect(rowOf('Angle')).toHaveCount(1);
  expect((await valuesOf('Angle', 'angle')).angle).toBeCloseTo(90, 0);

  // Cobb angle: two lines, 45° apart.
  await page.keyboard.press('Shift+A');
  await expect(page.getByTestId('tool-CobbAngle')).toHaveAttribute('aria-pressed', 'true');
  await drag(page, pageAt(frame, 360, 60), pageAt(frame, 460, 60));
  await drag(page, pageAt(frame, 360, 120), pageAt(frame, 460, 220));
  // The Cobb angle's labels: Lesion and Calcification (the schema allows no other for it).
  await expect(page.getByTestId('label-option')).toHaveCount(2);
  await pickByKey('2');
  await expect(rowOf('CobbAngle')).toHaveAttribute('data-label', 'calcification');
  expect((await valuesOf('CobbAngle', 'angle')).angle).toBeCloseTo(45, 0);

  // Bidirectional: the long axis drawn, the short one made by Cornerstone.
  await page.keyboard.press('X');
  const a = pageAt(frame, 60, 60);
  const b = pageAt(frame, 160, 60);
  await drag(page, a, b);
  await pickByKey('2');
  await expect(rowOf('Bidirectional')).toHaveCount(1);
  expect(
    Math.abs((await valuesOf('Bidirectional', 'length')).length! - mmBetween(frame, a, b)),
  ).toBeLessThanOrEqual(0.1);

  // Arrow: its text asked in the page, then its label.
  await page.keyboard.press('N');
  await drag(page, pageAt(frame, 420, 420), pageAt(frame, 470, 470));
  await expect(page.getByTestId('arrow-text')).toBeVisible();
  await page.getByTestId('arrow-text-input').fill('肝囊肿 cyst');
  await page.keyboard.press('Enter');
  await pickByKey('1');
  await expect(rowOf('ArrowAnnotate').getByTestId('annotation-value')).toHaveText('“肝囊肿 cyst”');

  // Probe: the value under the click, in HU.
  await page.keyboard.press('P');
  await click(page, pageAt(frame, 256, 150));
  await pickByKey('1');
  await expect(rowOf('Probe')).toHaveCount(1);
  expect((await valuesOf('Probe', 'value')).value).toBe(DISC_HU);
  await screenshot(page, 'annotation-all-tools');
});

test('with a measurement tool chosen, Ctrl + drag still sets the window, the wheel still scrolls', async () => {
  const { page } = app;
  await page.keyboard.press('L');
  const overlay = page.getByTestId('viewport-0').getByTestId('overlay-window');
  const before = await overlay.getAttribute('data-width');
  const count = await rows().count();
  await page.keyboard.down('Control');
  await drag(page, pageAt(frame, 40, 480), pageAt(frame, 140, 500));
  await page.keyboard.up('Control');
  await expect(overlay).not.toHaveAttribute('data-width', before ?? '');
  // No measurement was drawn by it.
  await expect(page.getByTestId('label-picker')).toBeHidden();
  await expect(rows()).toHaveCount(count);
  await page.mouse.move(frame.cx, frame.cy);
  await page.mouse.wheel(0, 120);
  await expectImage(page, 2, 20);
  await page.mouse.wheel(0, -120);
  await expectImage(page, 1, 20);
  // W goes back to reading: left drag is window/level again.
  await page.keyboard.press('W');
  await expect(page.getByTestId('tool-WindowLevel')).toHaveAttribute('aria-pressed', 'true');
});

test('undo and redo: a drawing, a deletion and a label change (Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y)', async () => {
  const { page } = app;
  const count = await rows().count();
  await page.keyboard.press('L');
  await drag(page, pageAt(frame, 60, 300), pageAt(frame, 100, 330));
  await expect(page.getByTestId('label-picker')).toBeVisible();
  const uid = await page.getByTestId('label-picker').getAttribute('data-uid');
  const row = page.locator(`[data-testid="annotation-row"][data-uid="${uid}"]`);
  await pickByKey('3');
  await expect(row).toHaveAttribute('data-label', 'calcification');
  await expect(rows()).toHaveCount(count + 1);
  // Undo the label, then the drawing; redo both (Ctrl+Shift+Z, then Ctrl+Y).
  await page.keyboard.press('Control+z');
  await expect(row).toHaveAttribute('data-label', '');
  await page.keyboard.press('Control+z');
  await expect(rows()).toHaveCount(count);
  await page.keyboard.press('Control+Shift+Z');
  await expect(row).toHaveCount(1);
  await page.keyboard.press('Control+y');
  await expect(row).toHaveAttribute('data-label', 'calcification');
  // Hide and lock from the panel, undone too.
  await row.getByTestId('annotation-hide').click();
  await expect(row).toHaveAttribute('data-hidden', 'true');
  await page.keyboard.press('Control+z');
  await expect(row).toHaveAttribute('data-hidden', 'false');
  // Delete from the panel; undo brings it back with its label.
  await row.getByTestId('annotation-delete').click();
  await expect(rows()).toHaveCount(count);
  await page.keyboard.press('Control+z');
  await expect(row).toHaveAttribute('data-label', 'calcification');
  await expect(page.getByTestId('annotation-save-state')).toHaveAttribute('data-state', 'saved');
  await page.keyboard.press('W');
});

test('keys are configured in the help sheet: a conflict is refused, a free key works and is kept', async () => {
  const { page } = app;
  await page.keyboard.press('?');
  const sheet = page.getByTestId('help-overlay');
  await expect(sheet).toBeVisible();
  const lengthRow = sheet.locator('[data-testid="shortcut-row"][data-action="tool.Length"]');
  await expect(lengthRow.getByTestId('shortcut-keys')).toHaveText('L');
  // Every annotation action is listed with its key.
  await expect(sheet.locator('[data-testid="shortcut-row"][data-action="edit.undo"]')).toContainText(
    'Ctrl+Z',
  );
  await expect(sheet.locator('[data-testid="shortcut-row"][data-action="study.next"]')).toContainText(
    'Ctrl+↓',
  );
  await expect(sheet.locator('[data-testid="shortcut-row"][data-action="label.lesion"]')).toBeVisible();
  await lengthRow.getByTestId('shortcut-change').click();
  await page.keyboard.press('r');
  await expect(lengthRow.getByTestId('shortcut-message')).toHaveText('R is one of the viewer’s own keys');
  await lengthRow.getByTestId('shortcut-change').click();
  await page.keyboard.press('a');
  await expect(lengthRow.getByTestId('shortcut-message')).toHaveText('A is already used for: Tool: Angle');
  await lengthRow.getByTestId('shortcut-change').click();
  await page.keyboard.press('k');
  await expect(lengthRow.getByTestId('shortcut-keys')).toHaveText('K');
  // A key for a label: relabels the selected measurement.
  const nodule = sheet.locator('[data-testid="shortcut-row"][data-action="label.nodule"]');
  await nodule.getByTestId('shortcut-change').click();
  await page.keyboard.press('Alt+2');
  await expect(nodule.getByTestId('shortcut-keys')).toHaveText('Alt+2');
  await screenshot(page, 'annotation-shortcuts');
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();

  await page.keyboard.press('k');
  await expect(page.getByTestId('tool-Length')).toHaveAttribute('aria-pressed', 'true');
  await page.reload();
  await expect(page.getByTestId('viewer')).toBeVisible();
  // Pressed while the viewer is restored, before its first image: kept until it can act on them.
  await page.keyboard.press('W');
  await page.keyboard.press('k');
  await expect(page.getByTestId('tool-Length')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('W');
});
