/**
 * The project's label schema in the app (#9 item 1), as the reader sees it: Settings → "Label
 * schema…" shows the schema in use (name, version, where it came from) with its labels — colour,
 * kind, code, attributes and which are required — and its questions; a file is loaded by its path
 * or chosen in the browser; an invalid one is refused with the field and the label named and
 * changes nothing; the schema stays after a restart of the host; "use the built-in default" goes
 * back. Annotations made under another schema keep their labels (shown as unknown, never dropped).
 * A cloud project's manifest sets the schema, is shown as such and wins over files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, expect, test } from '@playwright/test';
import { DEFAULT_LABEL_SCHEMA } from '../../shared/default-label-schema.js';
import { SYNC_MANIFEST_FORMAT } from '../../shared/sync-manifest.js';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import { expectImage, importPath, nextFrames, screenshot, search } from './support/app.js';
import { drag, imageFrame, pageAt } from './support/annotate.js';
import { type RunningWebHost, startWebHost } from './support/webhost.js';

test.describe.configure({ mode: 'serial' });

const dir = makeTempDir('e2e-annotation-schema');
const dataDir = path.join(dir, 'data');
let ct: CtSeries;
let host: RunningWebHost;
let context: BrowserContext;
let page: Page;

/** A project's schema: two labels without attributes, one with a required attribute, a question. */
const CHEST = {
  id: 'chest-ct',
  name: 'Chest CT reading',
  version: '4.2',
  labels: [
    {
      id: 'pneumothorax',
      name: { en: 'Pneumothorax', 'zh-CN': '气胸' },
      color: '#aa00ff',
      kind: 'measurement',
      tools: ['Length'],
      finding: { value: '36118008', scheme: 'SCT', meaning: 'Pneumothorax' },
      attributes: [],
    },
    {
      id: 'effusion',
      name: { en: 'Pleural effusion', 'zh-CN': '胸腔积液' },
      color: '#00aaff',
      kind: 'region',
      tools: ['PlanarFreehandROI'],
      attributes: [
        {
          id: 'side',
          name: { en: 'Side', 'zh-CN': '侧别' },
          type: 'choice',
          required: true,
          options: [
            { id: 'left', name: { en: 'Left', 'zh-CN': '左' } },
            { id: 'right', name: { en: 'Right', 'zh-CN': '右' } },
          ],
        },
      ],
    },
  ],
  questions: [
    {
      id: 'urgent',
      level: 'study',
      name: { en: 'Urgent finding', 'zh-CN': '紧急发现' },
      type: 'single',
      required: true,
      options: [
        { id: 'yes', name: { en: 'Yes', 'zh-CN': '是' } },
        { id: 'no', name: { en: 'No', 'zh-CN': '否' } },
      ],
    },
  ],
};

/** Another version of the project's schema that no longer has "pneumothorax". */
const CHEST_V5 = { ...CHEST, version: '5.0', labels: [CHEST.labels[1]!] };

const MANIFEST_SCHEMA = {
  ...CHEST,
  id: 'chest-ct-project',
  name: 'Chest CT (project)',
  version: '7',
};

const files = {
  chest: path.join(dir, 'chest-ct.json'),
  chestV5: path.join(dir, 'chest-ct-v5.json'),
  invalid: path.join(dir, 'broken-schema.json'),
  manifest: path.join(dir, 'project.json'),
};

const source = () => page.getByTestId('label-schema-source');
const labelRows = () => page.getByTestId('label-schema-label');
const rows = () => page.getByTestId('annotation-row');

async function startHost(): Promise<void> {
  host = await startWebHost({ dataDir, env: { RADLABEL_READER: 'dr-schema' } });
  await page.goto(host.url);
  await expect(page.getByTestId('worklist')).toBeVisible();
}

/** Stops the web host and starts it again on the same data folder (an app restart). */
async function restart(): Promise<void> {
  await host.stop();
  await startHost();
}

async function openSchemaSettings(): Promise<void> {
  await page.getByTestId('open-label-schema').click();
  await expect(page.getByTestId('label-schema')).toBeVisible();
  await expect(page.getByTestId('label-schema-active')).toBeVisible();
}

async function closeSchemaSettings(): Promise<void> {
  await page.getByTestId('label-schema-close').click();
  await expect(page.getByTestId('label-schema')).toBeHidden();
}

async function openStudy(): Promise<void> {
  await search(page, ct.patientId);
  await page.getByTestId('study-row').first().dblclick();
  await expect(page.getByTestId('viewer')).toBeVisible();
  await expectImage(page, 1, 10);
  await nextFrames(page);
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  test.setTimeout(300_000);
  ct = ensureCtSeries({ slices: 10, size: 512, seed: 'annotation-schema' });
  fs.writeFileSync(files.chest, JSON.stringify(CHEST, null, 2));
  fs.writeFileSync(files.chestV5, JSON.stringify(CHEST_V5, null, 2));
  const broken = structuredClone(CHEST);
  broken.labels[1]!.color = 'orange';
  fs.writeFileSync(files.invalid, JSON.stringify(broken, null, 2));
  fs.writeFileSync(
    files.manifest,
    JSON.stringify({
      format: SYNC_MANIFEST_FORMAT,
      projectId: 'SCHEMAE2E',
      name: 'Schema project',
      // Nothing listens there: the project is set up, its passes find the server offline.
      server: { url: 'http://127.0.0.1:9/dicom-web', auth: { type: 'none' } },
      labelSchema: MANIFEST_SCHEMA,
      readers: [{ username: 'dr-schema', role: 'annotator', tasks: [] }],
      deid: { profile: 'research', options: [] },
      sync: { intervalMinutes: 60 },
    }),
  );
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await startHost();
  await importPath(page, ct.dir);
  await page.getByTestId('import-dismiss').click();
});

test.afterAll(async () => {
  await context?.close();
  await host?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('Settings → Label schema shows the built-in schema: labels with colours, kinds, codes and attributes, and the questions', async () => {
  await openSchemaSettings();
  await expect(page.getByTestId('label-schema-active')).toHaveAttribute('data-origin', 'built-in');
  await expect(source()).toHaveText('Built-in default');
  await expect(page.getByTestId('label-schema-name')).toHaveText(DEFAULT_LABEL_SCHEMA.name);
  await expect(page.getByTestId('label-schema-version')).toHaveText(DEFAULT_LABEL_SCHEMA.version);
  await expect(labelRows()).toHaveCount(DEFAULT_LABEL_SCHEMA.labels.length);
  for (const label of DEFAULT_LABEL_SCHEMA.labels) {
    const row = page.locator(`[data-testid="label-schema-label"][data-label="${label.id}"]`);
    await expect(row).toHaveAttribute('data-color', label.color.toLowerCase());
    await expect(row).toContainText(label.name.en);
    if (label.finding) await expect(row).toContainText(label.finding.value);
  }
  await expect(page.getByTestId('label-schema-question')).toHaveCount(DEFAULT_LABEL_SCHEMA.questions.length);
  // Nothing to go back to.
  await expect(page.getByTestId('label-schema-default')).toBeDisabled();
  await screenshot(page, 'label-schema-default');
});

test('an invalid schema file is refused with the field and the label named, and the schema in use stays', async () => {
  await page.getByTestId('label-schema-path').fill(files.invalid);
  await page.getByTestId('label-schema-path-submit').click();
  const error = page.getByTestId('label-schema-error');
  await expect(error).toContainText('labels[1].color: a color is written #rrggbb (label "effusion")');
  await expect(source()).toHaveText('Built-in default');
  // The same file chosen in the browser: the same answer.
  await page.getByTestId('label-schema-file').setInputFiles(files.invalid);
  await expect(error).toContainText('labels[1].color: a color is written #rrggbb (label "effusion")');
  await expect(page.getByTestId('label-schema-active')).toHaveAttribute('data-origin', 'built-in');
  await screenshot(page, 'label-schema-invalid');
});

test('a schema file chosen in the browser is shown with its labels, required attributes and questions, and is kept after a restart', async () => {
  await page.getByTestId('label-schema-file').setInputFiles(files.chest);
  await expect(page.getByTestId('label-schema-message')).toHaveText('Loaded “Chest CT reading” 4.2.');
  await expect(page.getByTestId('label-schema-error')).toHaveCount(0);
  await expect(page.getByTestId('label-schema-active')).toHaveAttribute('data-origin', 'file');
  await expect(source()).toHaveText('File: chest-ct.json');
  await expect(page.getByTestId('label-schema-name')).toHaveText('Chest CT reading');
  await expect(page.getByTestId('label-schema-version')).toHaveText('4.2');
  await expect(labelRows()).toHaveCount(2);
  const pneumothorax = page.locator('[data-testid="label-schema-label"][data-label="pneumothorax"]');
  await expect(pneumothorax).toHaveAttribute('data-color', '#aa00ff');
  await expect(pneumothorax.getByTestId('label-schema-kind')).toHaveText('Measurement');
  await expect(pneumothorax).toContainText('SCT 36118008 “Pneumothorax”');
  const effusion = page.locator('[data-testid="label-schema-label"][data-label="effusion"]');
  await expect(effusion.getByTestId('label-schema-kind')).toHaveText('Region');
  const side = effusion.locator('[data-testid="label-schema-attribute"][data-attribute="side"]');
  await expect(side).toHaveAttribute('data-required', 'true');
  await expect(side).toContainText('Side (choice: Left / Right) — required');
  const urgent = page.locator('[data-testid="label-schema-question"][data-question="urgent"]');
  await expect(urgent).toHaveAttribute('data-required', 'true');
  await expect(urgent).toContainText('Urgent finding');
  await expect(urgent).toContainText('Yes / No');
  await screenshot(page, 'label-schema-file');
  await closeSchemaSettings();

  await restart();
  await openSchemaSettings();
  await expect(page.getByTestId('label-schema-active')).toHaveAttribute('data-origin', 'file');
  await expect(source()).toHaveText('File: chest-ct.json');
  await expect(page.getByTestId('label-schema-version')).toHaveText('4.2');
  await closeSchemaSettings();
});

test('annotations made under another schema keep their labels: switch the schema, reopen the study, the annotation is still listed with its label', async () => {
  await openStudy();
  await page.getByTestId('tool-Length').click();
  const frame = await imageFrame(page, 512);
  await drag(page, pageAt(frame, 150, 200), pageAt(frame, 330, 290));
  const picker = page.getByTestId('label-picker');
  await expect(picker).toBeVisible();
  await expect(picker).toContainText('Pneumothorax');
  await page.keyboard.press('1');
  await expect(picker).toBeHidden();
  await expect(rows()).toHaveCount(1);
  await expect(rows().first()).toHaveAttribute('data-label', 'pneumothorax');
  await expect(page.getByTestId('annotation-save-state')).toHaveAttribute('data-state', 'saved', {
    timeout: 10_000,
  });
  await page.getByTestId('viewer-back').click();

  // The project's next version of the schema no longer has the label.
  await openSchemaSettings();
  await page.getByTestId('label-schema-path').fill(files.chestV5);
  await page.getByTestId('label-schema-path-submit').click();
  await expect(page.getByTestId('label-schema-version')).toHaveText('5.0');
  await expect(source()).toHaveText(`File: ${files.chestV5}`);
  await closeSchemaSettings();

  await openStudy();
  await expect(rows()).toHaveCount(1);
  await expect(rows().first()).toHaveAttribute('data-label', 'pneumothorax');
  const group = page.locator('[data-testid="annotation-group"][data-label="pneumothorax"]');
  await expect(group).toContainText('Unknown label “pneumothorax” (not in the schema in use)');
  await screenshot(page, 'label-schema-unknown-label');
  // Still so after a reload, and main keeps the stored label.
  await page.reload();
  await expectImage(page, 1, 10);
  await expect(rows()).toHaveCount(1);
  await expect(rows().first()).toHaveAttribute('data-label', 'pneumothorax');
  const listed = await page.evaluate(
    async (studyInstanceUID) =>
      (await fetch('/api/rpc/annotation.list', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ studyInstanceUID }),
      }).then((response) => response.json())) as { ok: boolean; value: { heads: { labelId?: string }[] } },
    ct.studyInstanceUID,
  );
  expect(listed.ok).toBe(true);
  expect(listed.value.heads.map((head) => head.labelId)).toEqual(['pneumothorax']);
  await page.getByTestId('viewer-back').click();
});

test('"Use the built-in default" goes back to the built-in schema', async () => {
  await openSchemaSettings();
  await page.getByTestId('label-schema-default').click();
  await expect(page.getByTestId('label-schema-message')).toHaveText('The built-in default schema is in use.');
  await expect(source()).toHaveText('Built-in default');
  await expect(labelRows()).toHaveCount(DEFAULT_LABEL_SCHEMA.labels.length);
  await closeSchemaSettings();
});

test('a cloud project’s manifest sets the schema, which is shown as the project’s and wins over files, also after a restart', async () => {
  await page.getByTestId('sync-indicator').click();
  const panel = page.getByTestId('sync-panel');
  await expect(panel).toBeVisible();
  await panel.getByTestId('sync-manifest-input').fill(files.manifest);
  await panel.getByTestId('sync-load').click();
  await expect(panel.getByTestId('sync-project-id')).toHaveText('SCHEMAE2E');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();

  await openSchemaSettings();
  await expect(page.getByTestId('label-schema-active')).toHaveAttribute('data-origin', 'manifest');
  await expect(source()).toHaveText('Cloud project manifest: Schema project (SCHEMAE2E)');
  await expect(page.getByTestId('label-schema-name')).toHaveText('Chest CT (project)');
  await expect(page.getByTestId('label-schema-version')).toHaveText('7');
  await expect(page.getByTestId('label-schema-manifest-wins')).toBeVisible();
  await expect(page.getByTestId('label-schema-path')).toBeDisabled();
  await expect(page.getByTestId('label-schema-choose')).toBeDisabled();
  await expect(page.getByTestId('label-schema-default')).toBeDisabled();
  await screenshot(page, 'label-schema-manifest');
  // Main refuses a file too (not only the disabled controls).
  const refused = await page.evaluate(async (json) => {
    const response = await fetch('/api/rpc/schema.load', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json, name: 'chest-ct.json' }),
    });
    return (await response.json()) as { ok: boolean; error?: { code: string; message: string } };
  }, JSON.stringify(CHEST));
  expect(refused.ok).toBe(false);
  expect(refused.error?.code).toBe('conflict');
  expect(refused.error?.message).toContain('cloud project “Schema project”');
  await closeSchemaSettings();

  await restart();
  await openSchemaSettings();
  await expect(page.getByTestId('label-schema-active')).toHaveAttribute('data-origin', 'manifest');
  await expect(page.getByTestId('label-schema-version')).toHaveText('7');
  await closeSchemaSettings();
});
