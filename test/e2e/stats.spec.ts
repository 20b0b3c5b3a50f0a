/**
 * The statistics dashboard in Chromium (#11 item 4, docs/statistics.md) on the fixture project:
 * 1,000 studies, 3 readers, 2 AI models (and one study with two readers' labelmaps on a real
 * series). The figures shown equal counts made here with plain SQL on the catalog; the reader and
 * date filters change them; a CSV export holds the figure's numbers under the research-use line;
 * a PNG export (drawn by main) decodes at its size and is not blank; zh-CN titles; screenshots.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type BrowserContext, type Page, expect, test } from '@playwright/test';
import type Database from 'better-sqlite3-multiple-ciphers';
import { makeTempDir } from '../fixtures/index.js';
import { openFixtureDb, writeStatsFixture } from '../fixtures/stats-fixture.js';
import { screenshotDir } from './support/app.js';
import { type RunningWebHost, startWebHost } from './support/webhost.js';

test.describe.configure({ mode: 'serial' });

let scratch: string;
let host: RunningWebHost;
let context: BrowserContext;
let page: Page;
let db: Database.Database;

const count = (sql: string, ...params: unknown[]): number =>
  (db.prepare(sql).get(...params) as { n: number | null }).n ?? 0;

/** The body rows of a figure's data table, as text cells. */
async function tableRows(figureId: string): Promise<string[][]> {
  const table = page.getByTestId(`table-${figureId}`);
  return table
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent ?? '')),
    );
}

async function shot(name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  // The screen scrolls inside the app: a tall window shows every figure at once.
  await page.setViewportSize({ width: 1440, height: 2300 });
  await page.waitForTimeout(300); // charts follow the resize on the next frames
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  await page.setViewportSize({ width: 1440, height: 900 });
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(600_000);
  scratch = makeTempDir('e2e-stats');
  const dataDir = path.join(scratch, 'data');
  await writeStatsFixture(dataDir, { studies: 1000, segmentStudies: 1 });
  host = await startWebHost({ dataDir, timeoutMs: 120_000 });
  db = openFixtureDb(dataDir);
  context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(host.url);
  await expect(page.getByTestId('worklist')).toBeVisible({ timeout: 60_000 });
});

test.afterAll(async () => {
  db?.close();
  await context?.close();
  await host?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('the dashboard shows the project as the catalog counts it', async () => {
  test.setTimeout(180_000);
  await page.getByTestId('nav-stats').click();
  await expect(page.getByTestId('stats-screen')).toBeVisible();
  await expect(page.getByTestId('total-studies')).toHaveText(
    String(count('SELECT count(*) AS n FROM study')),
    {
      timeout: 60_000,
    },
  );
  await expect(page.getByTestId('stats-notice')).toHaveText('Research use only — not for diagnosis');
  const latest = (state: string) =>
    count(
      `SELECT count(*) AS n FROM study_annotation_status s
        WHERE s.seq = (SELECT max(seq) FROM study_annotation_status t WHERE t.study_uid = s.study_uid) AND s.status = ?`,
      state,
    );
  const states = Object.fromEntries(
    (await tableRows('studies-by-state')).map(([state, n]) => [state, Number(n)]),
  );
  expect(states['Complete']).toBe(latest('complete'));
  expect(states['Verified']).toBe(latest('verified'));
  expect(Object.values(states).reduce((s: number, n) => s + Number(n), 0)).toBe(
    count('SELECT count(*) AS n FROM study'),
  );
  // The chart draws the same numbers (SVG text of the bar labels, drawn once its bars are).
  await expect(page.getByTestId('chart-studies-by-state').locator('svg')).toContainText(
    String(latest('complete')),
  );

  const progress = await tableRows('progress-by-reader');
  expect(progress.map((row) => row[0])).toEqual(['reader-a', 'reader-b', 'reader-c']);
  for (const [reader, , complete] of progress)
    expect(Number(complete), reader).toBe(
      count(
        `SELECT count(*) AS n FROM study_annotation_status s WHERE s.reader = ? AND s.status = 'complete'
            AND s.seq = (SELECT max(seq) FROM study_annotation_status t WHERE t.study_uid = s.study_uid AND t.reader = s.reader)`,
        reader,
      ),
    );
  const ai = await tableRows('ai-decisions');
  expect(ai.reduce((s, row) => s + Number(row[2]), 0)).toBe(
    count(`SELECT count(DISTINCT annotation_uid) AS n FROM annotation_version WHERE source LIKE 'ai:%'`),
  );
  expect(ai.reduce((s, row) => s + Number(row[3]), 0)).toBe(
    count(
      `SELECT count(*) AS n FROM annotation_version WHERE json_extract(data, '$.aiDecision.decision') = 'accepted'`,
    ),
  );
  for (const id of ['annotations-by-label', 'label-distribution', 'reading-time', 'agreement'])
    await expect(page.getByTestId(`chart-${id}`).locator('svg')).toBeVisible();
  const agreement = await tableRows('agreement');
  const ab = agreement.find((row) => row[0] === 'reader-a' && row[1] === 'reader-b')!;
  expect(Number(ab[5])).toBeCloseTo(14 / 16, 3); // mean Dice of the two labelmaps
  await shot('stats-dashboard');
});

test('filters by reader and date change the figures', async () => {
  test.setTimeout(180_000);
  const before = Number(await page.getByTestId('total-annotations').textContent());
  // One filter change asks main for the dashboard once (docs/statistics.md "Speed").
  const asked: string[] = [];
  const onRequest = (request: { url(): string }) => {
    if (request.url().endsWith('/api/rpc/stats.dashboard')) asked.push(request.url());
  };
  page.on('request', onRequest);
  await page.getByTestId('stats-filter-reader').selectOption('reader-b');
  await expect(page.getByTestId('stats-status')).toHaveText('', { timeout: 60_000 });
  await expect
    .poll(async () => (await tableRows('progress-by-reader')).map((r) => r[0]))
    .toEqual(['reader-b']);
  page.off('request', onRequest);
  expect(asked).toHaveLength(1);
  await expect.poll(async () => (await tableRows('reading-time')).map((r) => r[0])).toEqual(['reader-b']);
  await page.getByTestId('stats-clear').click();
  await expect(page.getByTestId('total-annotations')).toHaveText(String(before), { timeout: 60_000 });

  // The last 30 days of the fixture (it spans the 60 days before 2026-11-30).
  await page.getByTestId('stats-filter-from').fill('2026-10-31');
  await page.getByTestId('stats-filter-to').fill('2026-11-30');
  const from = new Date(2026, 9, 31).getTime();
  const to = new Date(2026, 11, 1).getTime() - 1;
  const heads = count(
    `SELECT count(*) AS n FROM annotation_head h JOIN annotation_version v ON v.seq = h.version_seq
      WHERE h.deleted = 0 AND v.label_id IS NOT NULL AND v.created_at >= ? AND v.created_at <= ?`,
    from,
    to,
  );
  const segments = count(
    `SELECT count(*) AS n FROM labelmap_version v, json_each(v.segments) s
      WHERE v.deleted = 0 AND v.created_at >= ? AND v.created_at <= ?
        AND NOT EXISTS (SELECT 1 FROM labelmap_version c WHERE c.parent_id = v.version_id)`,
    from,
    to,
  );
  await expect(page.getByTestId('total-annotations')).toHaveText(String(heads + segments), {
    timeout: 60_000,
  });
  expect(heads + segments).toBeLessThan(before);
  await shot('stats-dashboard-filtered');
  await page.getByTestId('stats-clear').click();
  await expect(page.getByTestId('total-annotations')).toHaveText(String(before), { timeout: 60_000 });
});

test('CSV and PNG exports: the numbers, the research-use line, an image that decodes', async () => {
  test.setTimeout(180_000);
  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('export-csv-studies-by-state').click();
  const csvFile = path.join(scratch, 'states.csv');
  await (await csvDownload).saveAs(csvFile);
  const lines = fs
    .readFileSync(csvFile, 'utf8')
    .replace(/^\ufeff/, '')
    .split('\r\n');
  expect(lines[0]).toBe('# Research use only — not for diagnosis');
  expect(lines[1]).toBe('State,Studies');
  const shown = await tableRows('studies-by-state');
  expect(lines.slice(2, 2 + shown.length)).toEqual(shown.map((row) => row.join(',')));

  const pngDownload = page.waitForEvent('download', { timeout: 120_000 });
  await page.getByTestId('export-png-ai-decisions').click();
  const pngFile = path.join(scratch, 'ai-decisions.png');
  await (await pngDownload).saveAs(pngFile);
  const info = JSON.parse(
    execFileSync('/usr/bin/python3', [
      '-c',
      'import sys, json; from PIL import Image; im = Image.open(sys.argv[1]).convert("RGB"); print(json.dumps({"size": im.size, "colors": len(im.getcolors(1 << 20) or [])}))',
      pngFile,
    ]).toString(),
  ) as { size: [number, number]; colors: number };
  expect(info.size[0]).toBe(1000);
  expect(info.size[1]).toBeGreaterThanOrEqual(520);
  expect(info.colors).toBeGreaterThan(8);
  fs.mkdirSync(screenshotDir, { recursive: true });
  fs.copyFileSync(pngFile, path.join(screenshotDir, 'stats-export-ai-decisions.png'));
});

test('zh-CN: titles, axes and legends in Chinese', async () => {
  test.setTimeout(180_000);
  await page.getByTestId('language-switch').selectOption('zh-CN');
  await expect(page.getByTestId('stats-screen').locator('h1')).toHaveText('项目统计');
  await expect(page.getByTestId('stats-notice')).toHaveText('仅供科研使用，不可用于临床诊断');
  await expect(page.getByTestId('chart-studies-by-state').locator('svg')).toContainText('各状态的检查数');
  await expect(page.getByTestId('chart-ai-decisions').locator('svg')).toContainText('接受');
  await shot('stats-dashboard-zh-CN');
  await page.getByTestId('language-switch').selectOption('en');
});
