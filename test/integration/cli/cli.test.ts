import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudySummary } from '../../../shared/contract.js';
import {
  ensureCtSeries,
  makeBrokenFiles,
  makeTempDir,
  pydicomTestFilesDir,
  repoRoot,
} from '../../fixtures/index.js';
import { buildCli, builtCli } from '../../support/built-cli.js';

const cli = builtCli;
const scratch = makeTempDir('cli');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  expect(buildCli()).toBe(true);
});

function radlabel(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], HOME: scratch, ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dataDirs = 0;
const freshDataDir = () => path.join(scratch, `data-${(dataDirs += 1)}`);

describe('radlabel CLI', () => {
  it('prints the version from package.json', () => {
    const version = (
      JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
    ).version;
    expect(radlabel(['--version'])).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists its commands with --help, and exits 2 without a command or with an unknown one', () => {
    const help = radlabel(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/import\s+Import DICOM/);
    expect(help.stdout).toMatch(/ls\s+List the studies/);
    expect(radlabel([]).status).toBe(2);
    const unknown = radlabel(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('exits 2 on a usage error and shows the command usage', () => {
    const result = radlabel(['import', '--data-dir', freshDataDir()]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: radlabel import');
    expect(radlabel(['ls', '--colour']).status).toBe(2);
  });

  it('imports the 200-slice series and lists it with ls --json', () => {
    const series = ensureCtSeries({ slices: 200, size: 512 });
    const dataDir = freshDataDir();
    const imported = radlabel(['import', series.dir, '--data-dir', dataDir]);
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/200 added, 0 already present, 0 failed/);

    const listed = radlabel(['ls', '--json', '--data-dir', dataDir]);
    expect(listed.status).toBe(0);
    const studies = z.array(StudySummary).parse(JSON.parse(listed.stdout));
    expect(studies).toHaveLength(1);
    expect(studies[0]).toMatchObject({
      studyInstanceUID: series.studyInstanceUID,
      patientName: series.patientName,
      modalities: ['CT'],
      numberOfSeries: 1,
      numberOfInstances: 200,
    });
  });

  it('re-importing adds nothing and still exits 0', () => {
    const series = ensureCtSeries({ slices: 10, size: 64, seed: 'cli-reimport' });
    const dataDir = freshDataDir();
    radlabel(['import', series.dir, '--data-dir', dataDir]);
    const again = radlabel(['import', series.dir, '--data-dir', dataDir]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/0 added, 10 already present, 0 failed/);
  });

  it('lists every failed file with its reason and exits 1, having imported the rest', () => {
    const dir = path.join(scratch, 'broken');
    const broken = makeBrokenFiles(dir);
    fs.copyFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm'), path.join(dir, 'good.dcm'));
    const dataDir = freshDataDir();
    const result = radlabel(['import', dir, '--data-dir', dataDir]);
    expect(result.status).toBe(1);
    for (const file of broken) expect(result.stderr).toContain(`${file.path}: `);
    expect(result.stderr).toContain('[truncated]');
    expect(result.stdout).toMatch(new RegExp(`1 added, 0 already present, ${broken.length} failed`));
    expect(JSON.parse(radlabel(['ls', '--json', '--data-dir', dataDir]).stdout)).toHaveLength(1);
  });

  it('uses RADLABEL_DATA_DIR when --data-dir is absent, and prints a table without --json', () => {
    const dataDir = freshDataDir();
    const env = { RADLABEL_DATA_DIR: dataDir };
    expect(radlabel(['import', path.join(pydicomTestFilesDir, 'CT_small.dcm')], env).status).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'catalog.sqlite'))).toBe(true);
    const table = radlabel(['ls'], env);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^Date\s+Patient\s+ID\s+Modality/);
    expect(table.stdout).toContain('CompressedSamples^CT1');
    expect(table.stdout).toContain('1 study');
  });

  it('keeps its log next to the catalog, without patient data', () => {
    const dataDir = freshDataDir();
    radlabel(['import', path.join(pydicomTestFilesDir, 'CT_small.dcm'), '--data-dir', dataDir]);
    const log = fs.readFileSync(path.join(dataDir, 'logs', 'app.log'), 'utf8');
    expect(log).toContain('import finished');
    for (const phi of ['CompressedSamples', '1CT1', pydicomTestFilesDir, '20040119'])
      expect(log).not.toContain(phi);
  });

  it('Ctrl-C cancels an import, exits 130 and keeps exactly what was committed', async () => {
    const series = ensureCtSeries({ slices: 200, size: 512 });
    const dataDir = freshDataDir();
    const child = spawn(process.execPath, [cli, 'import', series.dir, '--data-dir', dataDir], {
      env: { PATH: process.env['PATH'], HOME: scratch },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('importing:') && !child.killed) child.kill('SIGINT');
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(status).toBe(130);
    const added = Number(/(\d+) added/.exec(stdout.split('\n').filter(Boolean).at(-1)!)![1]);
    expect(stdout).toContain('Import cancelled');
    const studies = JSON.parse(radlabel(['ls', '--json', '--data-dir', dataDir]).stdout) as Array<{
      numberOfInstances: number;
    }>;
    expect(studies.reduce((sum, study) => sum + study.numberOfInstances, 0)).toBe(added);
    expect(fs.readdirSync(path.join(dataDir, 'store', 'tmp'))).toEqual([]);
  });

  it('runs as an executable with its shebang', () => {
    const firstLine = fs.readFileSync(cli, 'utf8').split('\n')[0];
    expect(firstLine).toBe('#!/usr/bin/env node');
    fs.chmodSync(cli, 0o755);
    expect(execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
