/**
 * Export targets that could hang the app (#7 item 12): kernel file systems, where Node's recursive
 * mkdir loops forever, a marker file that is a named pipe, a disk that stops answering, and a
 * Cancel while the export waits on something that never ends.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeidProgressEvent } from '../../../shared/contract.js';
import { EventBus } from '../../../main/core/events.js';
import { silentLogger } from '../../../main/core/logger.js';
import { LatestStudyReports, StudyExportJobs } from '../../../main/deid-app/export-jobs.js';
import * as outputFolder from '../../../main/deid-app/output-folder.js';
import { ensureCtSeries, makeTempDir, repoRoot } from '../../fixtures/index.js';
import { config } from '../../unit/deid/support/sample.js';

/**
 * Runs prepareExportFolder in a separate process with a deadline: a call that hangs (at full CPU,
 * deaf to SIGTERM) must not hang the test run. Resolves with the typed error, or 'hung'.
 */
function prepareInChildProcess(
  outputDir: string,
  dataDir: string,
): { code: string; message: string } | 'hung' | 'ok' {
  const script = `
    const { prepareExportFolder } = await import(${JSON.stringify(path.join(repoRoot, 'main/deid-app/output-folder.ts'))});
    try {
      await prepareExportFolder(${JSON.stringify(outputDir)}, ${JSON.stringify(dataDir)});
      console.log(JSON.stringify('ok'));
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message }));
    }
    process.exit(0);
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    timeout: 8000,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
  });
  if (result.error || result.status !== 0) return 'hung';
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as { code: string; message: string } | 'ok';
}

describe('export folders that could hang the app', () => {
  let dataDir: string;
  let outRoot: string;
  beforeAll(() => {
    dataDir = makeTempDir('export-target-data');
    outRoot = makeTempDir('export-target-out');
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outRoot, { recursive: true, force: true });
  });

  it('refuses /proc, /sys and /dev at once with a typed error, instead of looping forever', () => {
    for (const target of ['/proc/sys/new', '/proc/self/new/deeper', '/sys/new', '/dev/new']) {
      const started = Date.now();
      const outcome = prepareInChildProcess(target, dataDir);
      expect(outcome, target).not.toBe('hung');
      expect(outcome, target).toMatchObject({
        code: 'invalid-request',
        message: expect.stringMatching(/system folder/),
      });
      expect(Date.now() - started, target).toBeLessThan(8000);
    }
  });

  it('refuses a folder made by an earlier export whose marker is a named pipe, without blocking on it', () => {
    const target = path.join(outRoot, 'fifo-marker');
    fs.mkdirSync(target);
    execFileSync('mkfifo', [path.join(target, outputFolder.EXPORT_MARKER_FILE)]);
    const outcome = prepareInChildProcess(target, dataDir);
    expect(outcome).not.toBe('hung');
    expect(outcome).toMatchObject({ code: 'invalid-request' });
  });

  it('makes a new folder several levels deep, one level at a time, with the marker', async () => {
    const target = path.join(outRoot, 'a', 'b', 'c');
    expect(await outputFolder.prepareExportFolder(target, dataDir)).toBe(target);
    expect(fs.readFileSync(path.join(target, outputFolder.EXPORT_MARKER_FILE), 'utf8')).toMatch(/RadLabel/);
    // Made by an earlier export: accepted again.
    expect(await outputFolder.prepareExportFolder(target, dataDir)).toBe(target);
  });

  it('refuses a path under a file with a typed error', async () => {
    const file = path.join(outRoot, 'plain-file');
    fs.writeFileSync(file, 'x');
    await expect(outputFolder.prepareExportFolder(path.join(file, 'sub'), dataDir)).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/is a file/),
    });
  });

  it('bounds every file-system wait by a time limit and by Cancel', async () => {
    const never = new Promise<never>(() => undefined);
    const started = Date.now();
    await expect(outputFolder.bounded(never, 100)).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/did not answer/),
    });
    expect(Date.now() - started).toBeLessThan(1000);
    const controller = new AbortController();
    const waiting = outputFolder.bounded(never, 60_000, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
  });
});

/** Runs deidentifyTree in a separate process with a deadline; resolves with what it said, or 'hung'. */
function exportInChildProcess(
  inputs: string[],
  outputDir: string,
): { failed?: string; done?: number; failures?: string[] } | 'hung' {
  const script = `
    const { deidentifyTree } = await import(${JSON.stringify(path.join(repoRoot, 'main/deid/service.ts'))});
    const { config } = await import(${JSON.stringify(path.join(repoRoot, 'test/unit/deid/support/sample.ts'))});
    try {
      const summary = await deidentifyTree({ inputs: ${JSON.stringify(inputs)}, outputDir: ${JSON.stringify(outputDir)}, config: config(), workers: 0 });
      console.log(JSON.stringify({ done: summary.done, failures: summary.failures.map((f) => f.message) }));
    } catch (error) {
      console.log(JSON.stringify({ failed: error.message }));
    }
    process.exit(0);
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    timeout: 15_000,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
  });
  if (result.error || result.status !== 0) return 'hung';
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as {
    failed?: string;
    done?: number;
    failures?: string[];
  };
}

describe('folders inside an export folder', () => {
  it('a study folder of an earlier export replaced by a link into /proc ends the export with an error instead of hanging', () => {
    const series = ensureCtSeries({ slices: 1, size: 32, seed: 'export-target-link' });
    const outputDir = makeTempDir('export-target-link');
    expect(exportInChildProcess(series.files, outputDir)).toEqual({ done: 1, failures: [] });
    const [study] = fs.readdirSync(outputDir).filter((name) => !name.startsWith('.'));
    fs.rmSync(path.join(outputDir, study!), { recursive: true });
    fs.symlinkSync('/proc/sys', path.join(outputDir, study!));
    const outcome = exportInChildProcess(series.files, outputDir);
    expect(outcome).not.toBe('hung');
    // The run ends and the object is reported as not written (or the run fails as a whole).
    const said =
      outcome === 'hung' ? [] : [outcome.failed ?? '', ...(outcome.failures ?? [])].filter(Boolean);
    expect(said, JSON.stringify(outcome)).toHaveLength(1);
    fs.rmSync(outputDir, { recursive: true, force: true });
  });

  it('an output folder under /proc given to the command line fails at once instead of looping', () => {
    const series = ensureCtSeries({ slices: 1, size: 32, seed: 'export-target-link' });
    const outcome = exportInChildProcess(series.files, '/proc/sys/new');
    expect(outcome).not.toBe('hung');
    expect(outcome).toMatchObject({ failed: expect.stringMatching(/could not be created/) });
  });
});

describe('Cancel of an export', () => {
  it('ends the job within a second, whatever the export waits on', { timeout: 20_000 }, async () => {
    const series = ensureCtSeries({ slices: 2, size: 32, seed: 'export-target-cancel' });
    const outputDir = makeTempDir('export-target-cancel');
    const events = new EventBus();
    const jobs = new StudyExportJobs({
      events,
      logger: silentLogger(),
      reports: new LatestStudyReports(),
      workers: 0,
    });
    let waiting = false;
    // A step that never returns (an OCR engine or a disk that stopped answering).
    const stuck = {
      clean: () => {
        waiting = true;
        return new Promise<never>(() => undefined);
      },
    };
    const finished = new Promise<DeidProgressEvent>((resolve) =>
      events.subscribe((event) => {
        if (event.name === 'deid.progress' && event.payload.finished) resolve(event.payload);
      }),
    );
    const jobId = jobs.start({
      studyInstanceUID: series.studyInstanceUID,
      files: fs.readdirSync(series.dir).map((name) => path.join(series.dir, name)),
      outputDir,
      config: config({ pixelCleaner: stuck }),
    });
    const deadline = Date.now() + 10_000;
    while (!waiting && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(waiting).toBe(true);

    const cancelledAt = Date.now();
    expect(jobs.cancel(jobId)).toBe(true);
    const outcome = await Promise.race([
      finished,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 5000)),
    ]);
    expect(outcome).not.toBe('still running');
    expect(Date.now() - cancelledAt).toBeLessThan(1000);
    expect(outcome).toMatchObject({ jobId, finished: true, cancelled: true, done: 0 });
    await jobs.close();
    fs.rmSync(outputDir, { recursive: true, force: true });
  });
});
