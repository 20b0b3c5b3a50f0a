/**
 * Main loads ECharts (for PNG export) on first use, not when it starts (docs/statistics.md
 * "Speed"): its ES modules cost ~0.8 s CPU at every start. After the first dashboard answer it is
 * loaded and warmed in idle time, so the first export does not pay for it. Checked in a fresh
 * process (charts-child.ts), on services over a real data folder.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/index.js';

const dir = makeTempDir('stats-charts-load');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ECharts in main', () => {
  it('is not loaded at start nor on the dashboard request, but right after its answer; an export then draws', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'charts-child.ts'), path.join(dir, 'data')],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({
      atStart: false,
      withAnswer: false,
      afterAnswer: true,
      png: true,
    });
  }, 300_000);
});
