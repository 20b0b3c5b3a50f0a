/**
 * Every input of an import is accounted for, one line per file: datasets without preamble are
 * imported (and stored as Part 10 files), named pipes and devices are never opened (listed with
 * their reason), two different files with one SOP Instance UID are a conflict.
 * filesFound = added + duplicates + failed + skipped.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../shared/contract.js';
import { runCliInProcess } from '../../support/cli.js';
import { ensureCtSeries, makeTempDir, pydicomTestFilesDir, writeZip } from '../../fixtures/index.js';
import { type Harness, codesByName, openHarness } from './harness.js';
import { dcmdumpSopInstanceUID, makeRawDatasets, pydicomReadsAsPart10 } from './raw-fixtures.js';
import { readStoredFileSync } from '../../../main/cache/store-cipher.js';

/** The plain bytes of a stored file in a temp file, for pydicom (the store may be encrypted, docs/cache.md). */
function plainCopy(storedPath: string): string {
  const copy = path.join(os.tmpdir(), `radlabel-plain-${path.basename(storedPath)}`);
  fs.writeFileSync(copy, readStoredFileSync(storedPath));
  return copy;
}

let scratch: string;
let harness: Harness | undefined;
const watchdogs: ChildProcess[] = [];
beforeAll(() => {
  scratch = makeTempDir('import-inputs');
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(() => {
  for (const child of watchdogs) if (child.exitCode === null && child.pid) process.kill(child.pid);
  fs.rmSync(scratch, { recursive: true, force: true });
});

function expectAccountedFor(progress: ImportProgress): void {
  expect(progress.added + progress.duplicates + progress.failed + progress.skipped).toBe(progress.filesFound);
  expect(progress.filesDone).toBe(progress.filesFound);
}

/**
 * Opens each FIFO for writing after `seconds`, so a reader stuck on it gets end-of-file: without
 * this, an import that opens a pipe would hang the test run instead of failing it.
 */
function releasePipesAfter(seconds: number, fifos: string[]): void {
  const script = `sleep ${seconds}; for f in "$@"; do timeout 2 sh -c ': > "$1"' _ "$f"; done`;
  const child = spawn('sh', ['-c', script, '_', ...fifos], { stdio: 'ignore' });
  watchdogs.push(child);
}

async function importCli(
  args: string[],
  dataDir: string,
): Promise<{ status: number; out: string; err: string }> {
  const { status, stdout, stderr } = await runCliInProcess(['import', ...args, '--data-dir', dataDir]);
  return { status, out: stdout, err: stderr };
}

describe('datasets without preamble (item 7)', () => {
  it('imports them from a folder (dcmtk and pydicom, implicit and explicit VR) and stores Part 10 files', async () => {
    const dir = path.join(scratch, 'raw');
    const fixtures = makeRawDatasets(dir);
    // dcmdump reads the fixtures dcmtk and pydicom wrote as they are: they are DICOM.
    for (const fixture of fixtures.filter((f) => f.dcmdumpReads))
      expect(dcmdumpSopInstanceUID(fixture.path), fixture.how).toBe(fixture.sopInstanceUID);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'scanned on the old console\n');
    // Group 0008 and a VR, but a length beyond the file: not DICOM, with a reason.
    fs.writeFileSync(
      path.join(dir, 'looks-like.bin'),
      Buffer.from([0x08, 0x00, 0x05, 0x00, 0x43, 0x53, 0xff, 0x7f, 0, 0]),
    );
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([dir]);
    expect(progress).toMatchObject({
      phase: 'done',
      filesFound: fixtures.length + 2,
      added: fixtures.length,
      failed: 2,
    });
    expectAccountedFor(progress);
    expect(codesByName(errors)).toEqual({ 'notes.txt': 'not-dicom', 'looks-like.bin': 'not-dicom' });
    expect(errors.every((error) => error.message.length > 20)).toBe(true);
    for (const fixture of fixtures) {
      const stored = harness.services.instanceFile(fixture.sopInstanceUID);
      expect(stored, fixture.how).not.toBeNull();
      // pydicom without force reads the stored file as Part 10, with a file meta naming the instance.
      expect(pydicomReadsAsPart10(plainCopy(stored!.path)).sop, fixture.how).toBe(fixture.sopInstanceUID);
    }
  });

  it('imports one given directly, and re-importing it adds nothing', async () => {
    const [fixture] = makeRawDatasets(path.join(scratch, 'raw-direct'), 'raw-direct');
    harness = openHarness();
    expect((await harness.importPaths([fixture!.path])).progress).toMatchObject({ added: 1, failed: 0 });
    expect((await harness.importPaths([fixture!.path])).progress).toMatchObject({ added: 0, duplicates: 1 });
  });

  it('stores one found in a zip archive as a Part 10 file', async () => {
    const fixtures = makeRawDatasets(path.join(scratch, 'raw-zip'), 'raw-zip');
    const archive = path.join(scratch, 'raw.zip');
    writeZip(
      archive,
      fixtures.map((fixture) => ({ name: `study/${fixture.name}`, data: fs.readFileSync(fixture.path) })),
    );
    harness = openHarness();
    const { progress } = await harness.importPaths([archive]);
    expect(progress).toMatchObject({ added: fixtures.length, failed: 0 });
    for (const fixture of fixtures) {
      const stored = harness.services.instanceFile(fixture.sopInstanceUID);
      expect(pydicomReadsAsPart10(plainCopy(stored!.path)).sop, fixture.how).toBe(fixture.sopInstanceUID);
    }
  });
});

describe('named pipes and devices (item 13)', () => {
  it('lists named pipes in a folder (any name, DICOMDIR too) as skipped and imports the rest; the next import runs', async () => {
    const series = ensureCtSeries({ slices: 3, size: 32, seed: 'import-fifo' });
    const dir = path.join(scratch, 'fifo');
    fs.mkdirSync(path.join(dir, 'media'), { recursive: true });
    fs.copyFileSync(series.files[0]!, path.join(dir, 'IM1.dcm'));
    fs.copyFileSync(series.files[1]!, path.join(dir, 'media', 'IM2.dcm'));
    const fifos = [path.join(dir, 'pipe.dcm'), path.join(dir, 'media', 'DICOMDIR')];
    for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
    releasePipesAfter(8, fifos);
    harness = openHarness();
    const started = Date.now();
    const { progress } = await harness.importPaths([dir]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(progress).toMatchObject({ phase: 'done', added: 2, failed: 0, skipped: 2, filesFound: 4 });
    expectAccountedFor(progress);
    const skipped = harness.services.importSkipped(progress.jobId);
    expect(skipped.map((entry) => [path.basename(entry.path), entry.message])).toEqual([
      ['DICOMDIR', expect.stringMatching(/named pipe/)],
      ['pipe.dcm', expect.stringMatching(/named pipe/)],
    ]);
    // The worker pool is free: the next import runs to the end.
    fs.copyFileSync(series.files[2]!, path.join(scratch, 'after-fifo.dcm'));
    expect((await harness.importPaths([path.join(scratch, 'after-fifo.dcm')])).progress).toMatchObject({
      phase: 'done',
      added: 1,
    });
  }, 30_000);

  it('refuses a named pipe or /dev/zero given as the path, each with a reason, and the CLI exits 1', async () => {
    const fifo = path.join(scratch, 'given.fifo');
    execFileSync('mkfifo', [fifo]);
    releasePipesAfter(8, [fifo]);
    const { status, out, err } = await importCli([fifo, '/dev/zero'], path.join(scratch, 'cli-data'));
    expect(status).toBe(1);
    expect(err).toMatch(/given\.fifo: .*named pipe.*\[not-dicom\]/);
    expect(err).toMatch(/\/dev\/zero: .*device.*\[not-dicom\]/);
    expect(out).toMatch(/0 added, 0 already present, 2 failed, 0 skipped \(2 of 2 files\)/);
  }, 30_000);
});

describe('two files with one SOP Instance UID (item 6)', () => {
  it('keeps the first and reports the second as a conflict; the same file twice is a duplicate', async () => {
    // pydicom's MR_small and MR_small_RLE share a SOP Instance UID with other bytes.
    const dir = path.join(scratch, 'conflict');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(pydicomTestFilesDir, 'MR_small.dcm'), path.join(dir, 'a.dcm'));
    fs.copyFileSync(path.join(pydicomTestFilesDir, 'MR_small_RLE.dcm'), path.join(dir, 'b.dcm'));
    harness = openHarness();
    const { progress, errors } = await harness.importPaths([dir, path.join(dir, 'a.dcm')]);
    expect(progress).toMatchObject({ filesFound: 3, added: 1, duplicates: 1, failed: 1 });
    expectAccountedFor(progress);
    expect(errors).toEqual([
      expect.objectContaining({
        path: path.join(dir, 'b.dcm'),
        code: 'conflict',
        message: expect.stringMatching(/same SOP Instance UID/),
      }),
    ]);
    expect(harness.storeContents().files).toHaveLength(1);
  });
});
