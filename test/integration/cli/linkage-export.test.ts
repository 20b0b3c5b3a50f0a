/** `radlabel linkage-export`: re-identification data leaves the table only by an explicit admin action. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../support/cli.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';

const CONFIRMATION = 'I am exporting re-identification data';

const cli = runCliInProcess;

let root: string;
let dataDir: string;
let keyFile: string;
let series: ReturnType<typeof ensureCtSeries>;

beforeAll(async () => {
  root = makeTempDir('linkage-export');
  dataDir = path.join(root, 'data');
  keyFile = path.join(root, 'linkage.key');
  const secretFile = path.join(root, 'project.secret');
  fs.writeFileSync(secretFile, `${'5e'.repeat(32)}\n`);
  series = ensureCtSeries({ slices: 2, size: 32, seed: 'linkage-export' });
  const run = await cli([
    'deid',
    series.dir,
    path.join(root, 'out'),
    '--secret-file',
    secretFile,
    '--project-id',
    'LNK',
    '--linkage-key-file',
    keyFile,
    '--data-dir',
    dataDir,
    '--workers',
    '0',
  ]);
  expect(run.status, run.stderr).toBe(0);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** `radlabel linkage-export --out <out>` on the test's data folder: typed confirmation and the project's key unless told. */
const linkageExport = (out: string, { confirm = true, key = keyFile } = {}) =>
  cli([
    'linkage-export',
    '--out',
    out,
    ...(confirm ? ['--confirm', CONFIRMATION] : []),
    '--linkage-key-file',
    key,
    '--data-dir',
    dataDir,
  ]);

describe('radlabel linkage-export', () => {
  it('refuses without the typed confirmation and writes nothing', async () => {
    const out = path.join(root, 'refused.csv');
    const result = await linkageExport(out, { confirm: false });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('re-identifies patients');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('exports originals and pseudonyms to a file only its owner can read', async () => {
    const out = path.join(root, 'linkage.csv');
    const result = await linkageExport(out);
    expect(result.status, result.stderr).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const csv = fs.readFileSync(out, 'utf8');
    expect(csv.split('\n')[0]).toBe('kind,original,pseudonym,date_offset_days,project');
    expect(csv).toContain(series.studyInstanceUID);
    expect(csv).toMatch(/^patient,[^,\n]*SYN-2-32-linkage-export,LNK-[A-Z0-9]+,-?\d*,LNK$/m);
    expect(fs.readFileSync(path.join(dataDir, 'logs', 'app.log'), 'utf8')).not.toContain('SYN-2-32');
  });

  it('never overwrites an earlier export', async () => {
    const out = path.join(root, 'linkage.csv');
    const before = fs.readFileSync(out);
    const result = await linkageExport(out);
    expect(result.status).toBe(2);
    expect(fs.readFileSync(out).equals(before)).toBe(true);
  });

  it('cannot be opened with another key', async () => {
    const otherKey = path.join(root, 'other.key');
    fs.writeFileSync(otherKey, `${'77'.repeat(32)}\n`);
    const result = await linkageExport(path.join(root, 'other.csv'), { key: otherKey });
    expect(result.status).not.toBe(0);
    expect(fs.existsSync(path.join(root, 'other.csv'))).toBe(false);
  });
});
