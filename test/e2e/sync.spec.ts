/**
 * Sync as the reader sees it (issue #10 items 5 and 6), against a real Orthanc + DICOMweb on
 * loopback: the header indicator opens the sync panel with the research-use notice; loading the
 * project manifest shows the project; a local study is added to the project and "Sync now" takes
 * it through its states to synced, and the de-identified study is in Orthanc (its REST API);
 * with the server gone the panel shows why; a conflict (one annotation edited on two sides) is
 * shown side by side and resolved by keeping both.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { DEFAULT_LABEL_SCHEMA } from '../../shared/default-label-schema.js';
import { SYNC_MANIFEST_FORMAT } from '../../shared/sync-manifest.js';
import { ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import type { AnnotationVersionInput } from '../../shared/annotation.js';
import { lengthVersion } from '../support/annotation-versions.js';
import { type Orthanc, startOrthanc } from '../support/orthanc.js';
import { type AppSession, importPath, openApp, screenshot } from './support/app.js';
import { rpc } from './support/rpc.js';

test.describe.configure({ mode: 'serial' });

const series = ensureCtSeries({ slices: 4, size: 32, seed: 'e2e-sync' });
const second = ensureCtSeries({ slices: 2, size: 32, seed: 'e2e-sync-offline' });
const refused = ensureCtSeries({ slices: 2, size: 32, seed: 'e2e-sync-refused' });
/** What the refusing server says (its own words must reach the panel). */
const REFUSAL = 'Project QA-7 accepts MR studies only';
const dir = makeTempDir('e2e-sync');
let app: AppSession;
let orthanc: Orthanc;
let manifestPath: string;
const saved: Record<string, string | undefined> = {};

async function orthancStudies(): Promise<Array<{ StudyInstanceUID: string; instances: number }>> {
  const ids = (await (await orthanc.rest('/studies')).json()) as string[];
  const studies = [];
  for (const id of ids) {
    const study = (await (await orthanc.rest(`/studies/${id}`)).json()) as {
      MainDicomTags: { StudyInstanceUID: string };
    };
    const instances = (await (await orthanc.rest(`/studies/${id}/instances`)).json()) as unknown[];
    studies.push({ StudyInstanceUID: study.MainDicomTags.StudyInstanceUID, instances: instances.length });
  }
  return studies;
}

test.beforeAll(async ({ browser }) => {
  orthanc = await startOrthanc({}, {}, { dicomWeb: true });
  manifestPath = path.join(dir, 'project.json');
  fs.writeFileSync(
    manifestPath,
    JSON.stringify({
      format: SYNC_MANIFEST_FORMAT,
      projectId: 'E2ESYNC',
      name: 'End-to-end sync',
      server: { url: orthanc.dicomWebUrl, auth: { type: 'basic', username: 'user' } },
      labelSchema: DEFAULT_LABEL_SCHEMA,
      readers: [{ username: 'dr-e2e', role: 'annotator', tasks: [] }],
      deid: { profile: 'research', options: [] },
      sync: { intervalMinutes: 60 },
    }),
  );
  // The web host reads the password and the reader from its environment (docs/sync.md).
  for (const [name, value] of Object.entries({
    RADLABEL_SYNC_PASSWORD: 'secret',
    RADLABEL_READER: 'dr-e2e',
  })) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  app = await openApp(browser, 'sync');
});

test.afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await app?.close();
  await orthanc?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the sync panel: notice, load the manifest, add a study, sync now, states to synced, the study in Orthanc', async () => {
  const { page } = app;
  await importPath(page, series.dir);
  const indicator = page.getByTestId('sync-indicator');
  await expect(indicator).toHaveAttribute('data-state', 'not-configured');
  await indicator.click();
  const panel = page.getByTestId('sync-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('sync-notice')).toContainText('Research use only');
  await expect(panel.getByTestId('sync-no-project')).toBeVisible();
  const row = panel.locator(`[data-testid="sync-study-row"][data-study="${series.studyInstanceUID}"]`);
  await expect(row).toHaveAttribute('data-state', 'local');
  await expect(row.getByTestId('sync-study-state')).toHaveText('Local only');

  await panel.getByTestId('sync-manifest-input').fill(manifestPath);
  await panel.getByTestId('sync-load').click();
  await expect(panel.getByTestId('sync-project-id')).toHaveText('E2ESYNC');
  await expect(panel.getByTestId('sync-last')).toHaveText('never');

  await row.getByTestId('sync-choose').check();
  await panel.getByTestId('sync-add').click();
  await expect(panel.getByTestId('sync-message')).toContainText('1 studies queued');
  const upRow = panel.locator(
    `[data-testid="sync-study-row"][data-study="${series.studyInstanceUID}"]:not([data-state="local"])`,
  );
  await expect(upRow).toHaveAttribute('data-state', /queued|uploading|synced/);
  await panel.getByTestId('sync-now').click();
  await expect(upRow).toHaveAttribute('data-state', 'synced', { timeout: 120_000 });
  await expect(upRow.getByTestId('sync-study-state')).toHaveText('Synced');
  await expect(panel.getByTestId('sync-last')).not.toHaveText('never', { timeout: 30_000 });
  await expect(panel.getByTestId('sync-progress')).toBeVisible();
  await screenshot(page, 'sync-panel');

  // What reached the project: one study, every instance, under another (de-identified) UID.
  const studies = await orthancStudies();
  expect(studies).toHaveLength(1);
  expect(studies[0]!.instances).toBe(series.files.length);
  expect(studies[0]!.StudyInstanceUID).not.toBe(series.studyInstanceUID);
  await expect(upRow).toHaveAttribute('data-remote-study', studies[0]!.StudyInstanceUID);
  await page.keyboard.press('Escape');
  await expect(indicator).toHaveAttribute('data-state', 'idle');
});

test('a conflict (one annotation edited on two sides) is shown side by side and resolved by keeping both', async () => {
  const { page } = app;
  const annotationUid = crypto.randomUUID();
  const [base, mine, theirs] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const version = (versionId: string, parentIds: string[], extra: Partial<AnnotationVersionInput>) =>
    lengthVersion({ studyInstanceUID: series.studyInstanceUID, annotationUid, versionId, parentIds }, extra);
  await rpc(page, 'annotation.save', { versions: [version(base, [], {})] });
  const edits = [
    version(mine, [base], {
      attributes: { comment: 'mine' },
      data: {
        data: {
          handles: {
            points: [
              [0, 0, 0],
              [12, 4, 0],
            ],
          },
        },
      },
    }),
    // The other reader's edit of the same version, as a pull stores it.
    version(theirs, [base], {
      author: 'dr-other',
      labelId: 'nodule',
      attributes: { comment: 'theirs' },
      data: {
        data: {
          handles: {
            points: [
              [0, 2, 0],
              [8, 9, 0],
            ],
          },
        },
      },
    }),
  ];
  for (const edit of edits) await rpc(page, 'annotation.save', { versions: [edit] });

  const indicator = page.getByTestId('sync-indicator');
  await expect(indicator).toHaveAttribute('data-state', 'conflict', { timeout: 30_000 });
  await indicator.click();
  const panel = page.getByTestId('sync-panel');
  const upRow = panel.locator(
    `[data-testid="sync-study-row"][data-study="${series.studyInstanceUID}"]:not([data-state="local"])`,
  );
  await expect(upRow).toHaveAttribute('data-state', 'conflict');
  await expect(upRow.getByTestId('sync-study-state')).toHaveText('Conflict');
  await panel.getByTestId('sync-conflict-open').click();
  const view = panel.getByTestId('conflict-view');
  const heads = view.getByTestId('conflict-head');
  await expect(heads).toHaveCount(2);
  await expect(heads.nth(0).getByTestId('conflict-author')).toContainText('dr-e2e');
  await expect(heads.nth(1).getByTestId('conflict-author')).toContainText('dr-other');
  await expect(heads.nth(0).getByTestId('conflict-label')).toHaveText('lesion');
  await expect(heads.nth(1).getByTestId('conflict-label')).toHaveText('nodule');
  await expect(heads.nth(1).getByTestId('conflict-attr-comment')).toHaveText('theirs');
  // Both shapes drawn together, each in its own style.
  await expect(view.getByTestId('conflict-shape')).toHaveCount(2);
  await screenshot(page, 'sync-conflict');

  await view.getByTestId('conflict-keep-both').click();
  await expect(panel.getByTestId('sync-message')).toHaveText('Conflict resolved.');
  await expect(panel.getByTestId('conflict-view')).toHaveCount(0);
  await expect(upRow).toHaveAttribute('data-state', 'synced');
  const list = await rpc<{ heads: Array<{ labelId: string; author: string }>; conflicts: unknown[] }>(
    page,
    'annotation.list',
    { studyInstanceUID: series.studyInstanceUID },
  );
  expect(list.conflicts).toEqual([]);
  expect(list.heads.map((head) => head.labelId).sort()).toEqual(['lesion', 'nodule']);
  await page.keyboard.press('Escape');
});

test('with the server gone, a study waiting to go up stays unsent and the panel says why', async () => {
  const { page } = app;
  await importPath(page, second.dir);
  await orthanc.stop();
  await page.getByTestId('sync-indicator').click();
  const panel = page.getByTestId('sync-panel');
  const row = panel.locator(`[data-testid="sync-study-row"][data-study="${second.studyInstanceUID}"]`);
  await expect(row).toHaveAttribute('data-state', 'local');
  await row.getByTestId('sync-choose').check();
  await panel.getByTestId('sync-add').click();
  await panel.getByTestId('sync-now').click();
  await expect(panel.getByTestId('sync-last-error')).toBeVisible({ timeout: 120_000 });
  await expect(panel.getByTestId('sync-last-error')).not.toBeEmpty();
  await expect(
    panel.locator(`[data-testid="sync-study-row"][data-study="${second.studyInstanceUID}"]`),
  ).not.toHaveAttribute('data-state', 'synced');
  await screenshot(page, 'sync-offline');
  await page.keyboard.press('Escape');
});

/**
 * A DICOMweb server on loopback that refuses every object it is sent (HTTP 400 with its reason in
 * words) and knows no studies: the engine fails each instance with the server's words.
 */
async function startRefusingServer(): Promise<{ url: string; stores: () => number; close(): Promise<void> }> {
  let stores = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.method === 'POST') {
        stores++;
        response.writeHead(400, { 'content-type': 'text/plain' }).end(REFUSAL);
      } else response.writeHead(200, { 'content-type': 'application/dicom+json' }).end('[]');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dicom-web`,
    stores: () => stores,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('a study whose objects the server refuses shows "failed" with the server’s reason', async () => {
  const { page } = app;
  const server = await startRefusingServer();
  try {
    const refusingManifest = path.join(dir, 'refusing.json');
    fs.writeFileSync(
      refusingManifest,
      JSON.stringify({
        format: SYNC_MANIFEST_FORMAT,
        projectId: 'E2EREFUSED',
        name: 'A project that refuses',
        server: { url: server.url, auth: { type: 'basic', username: 'user' } },
        labelSchema: DEFAULT_LABEL_SCHEMA,
        readers: [{ username: 'dr-e2e', role: 'annotator', tasks: [] }],
        deid: { profile: 'research', options: [] },
        sync: { intervalMinutes: 60 },
      }),
    );
    await importPath(page, refused.dir);
    await page.getByTestId('sync-indicator').click();
    const panel = page.getByTestId('sync-panel');
    await panel.getByTestId('sync-manifest-input').fill(refusingManifest);
    await panel.getByTestId('sync-load').click();
    await expect(panel.getByTestId('sync-project-id')).toHaveText('E2EREFUSED');
    const local = panel.locator(`[data-testid="sync-study-row"][data-study="${refused.studyInstanceUID}"]`);
    await expect(local).toHaveAttribute('data-state', 'local');
    await local.getByTestId('sync-choose').check();
    await panel.getByTestId('sync-add').click();
    await panel.getByTestId('sync-now').click();
    const row = panel.locator(
      `[data-testid="sync-study-row"][data-study="${refused.studyInstanceUID}"]:not([data-state="local"])`,
    );
    await expect(row).toHaveAttribute('data-state', 'failed', { timeout: 120_000 });
    const state = row.getByTestId('sync-study-state');
    await expect(state).toContainText('Failed');
    await expect(state).toContainText(REFUSAL);
    // Each object was offered (one request each once the batch was refused), none stored.
    expect(server.stores()).toBeGreaterThanOrEqual(refused.files.length);
    await expect(page.getByTestId('sync-indicator')).toHaveAttribute('data-state', 'failed');
    await screenshot(page, 'sync-refused');
    await page.keyboard.press('Escape');
  } finally {
    await server.close();
  }
});
