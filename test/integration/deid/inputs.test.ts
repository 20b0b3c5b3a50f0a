/**
 * What goes into a de-identification run is accounted for, one line per file: duplicates and
 * conflicts (same SOP Instance UID), datasets without preamble, named pipes and devices, link
 * loops. filesFound = written + held + failed + skipped + duplicates + conflicts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../support/cli.js';
import { type DeidRunSummary, deidentifyTree, StudyReports } from '../../../main/deid/service.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { buildDicom } from '../../unit/deid/support/build-dicom.js';
import { config, sample, sampleElements, T } from '../../unit/deid/support/sample.js';
import { makeRawDatasets, pydicomReadsAsPart10 } from '../import/raw-fixtures.js';
import { filesUnder } from '../../support/files.js';

let root: string;
let secretFile: string;
beforeAll(() => {
  root = makeTempDir('deid-inputs');
  secretFile = path.join(root, 'project.secret');
  fs.writeFileSync(secretFile, `${'a1'.repeat(32)}\n`);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const projectConfig = config({ pixelCleaner: undefined, ocr: false });

function expectAccountedFor(summary: DeidRunSummary): void {
  expect(
    summary.done + summary.held + summary.failed + summary.skipped + summary.duplicates + summary.conflicts,
  ).toBe(summary.filesFound);
  expect(summary.filesDone).toBe(summary.filesFound);
}

const cli = (args: string[]) =>
  runCliInProcess(['deid', ...args, '--secret-file', secretFile, '--workers', '0']);

describe('inputs that share a SOP Instance UID (item 6)', () => {
  it('a second object with the same UID and other content is a conflict, never written over', async () => {
    const input = path.join(root, 'in-conflict');
    fs.mkdirSync(input);
    const first = buildDicom(sampleElements());
    // Slice Thickness is kept by the profile: it tells the two outputs apart.
    const second = buildDicom(sampleElements({ extra: [{ tag: 0x00180050, vr: 'DS', value: '9.75' }] }));
    fs.writeFileSync(path.join(input, 'a.dcm'), first);
    fs.writeFileSync(path.join(input, 'b.dcm'), second);
    const out = path.join(root, 'out-conflict');
    const reports = new StudyReports();
    const summary = await deidentifyTree({
      inputs: [input],
      outputDir: out,
      config: projectConfig,
      workers: 0,
      reports,
    });
    expect(summary).toMatchObject({ filesFound: 2, done: 1, conflicts: 1, duplicates: 0, failed: 0 });
    expectAccountedFor(summary);
    expect(summary.conflictFiles).toEqual([
      expect.objectContaining({ source: path.join(input, 'b.dcm'), kept: path.join(input, 'a.dcm') }),
    ]);
    // The one output is a's: b did not overwrite it (b alone would be written with its 9.75).
    const written = filesUnder(out);
    expect(written).toHaveLength(1);
    expect(fs.readFileSync(written[0]!).includes(Buffer.from('9.75'))).toBe(false);
    const alone = path.join(root, 'out-conflict-b-alone');
    await deidentifyTree({
      inputs: [path.join(input, 'b.dcm')],
      outputDir: alone,
      config: projectConfig,
      workers: 0,
    });
    expect(fs.readFileSync(filesUnder(alone)[0]!).includes(Buffer.from('9.75'))).toBe(true);
    expect(reports.get(sample.studyUid)?.objects).toMatchObject({ done: 1, conflicts: 1 });
  });

  it('the same file given twice, and an identical copy, are duplicates written once', async () => {
    const input = path.join(root, 'in-duplicate');
    fs.mkdirSync(input);
    const bytes = buildDicom(sampleElements());
    fs.writeFileSync(path.join(input, 'a.dcm'), bytes);
    fs.writeFileSync(path.join(input, 'copy-of-a.dcm'), bytes);
    const out = path.join(root, 'out-duplicate');
    const summary = await deidentifyTree({
      inputs: [input, path.join(input, 'a.dcm')],
      outputDir: out,
      config: projectConfig,
      workers: 0,
    });
    expect(summary).toMatchObject({ filesFound: 3, done: 1, duplicates: 2, conflicts: 0 });
    expectAccountedFor(summary);
    expect(summary.duplicateFiles.map((entry) => path.basename(entry.source)).sort()).toEqual([
      'a.dcm',
      'copy-of-a.dcm',
    ]);
    expect(filesUnder(out)).toHaveLength(1);
  });

  it('the CLI reports duplicates and conflicts in its summary, lists them, and exits 1 on a conflict', async () => {
    const input = path.join(root, 'in-cli-conflict');
    fs.mkdirSync(input);
    fs.writeFileSync(path.join(input, 'a.dcm'), buildDicom(sampleElements()));
    fs.writeFileSync(
      path.join(input, 'b.dcm'),
      buildDicom(sampleElements({ extra: [{ tag: T.StudyDescription, vr: 'LO', value: 'OTHER' }] })),
    );
    fs.copyFileSync(path.join(input, 'a.dcm'), path.join(input, 'c.dcm'));
    const result = await cli([input, path.join(root, 'out-cli-conflict')]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/1 written, .* 1 duplicates .* 1 conflicts .*\(3 of 3 files\)/);
    expect(result.stderr).toMatch(/conflict: .*b\.dcm: .*\(kept: .*a\.dcm\)/);
    expect(result.stderr).toMatch(/duplicate: .*c\.dcm: the same object as .*a\.dcm/);
  });
});

describe('datasets without preamble (item 7)', () => {
  it('reads them (implicit and explicit VR, with or without file meta) and writes proper Part 10 files', async () => {
    const input = path.join(root, 'in-raw');
    const fixtures = makeRawDatasets(input, 'deid-raw');
    fs.writeFileSync(path.join(input, 'notes.txt'), 'scanned on the old console\n');
    const out = path.join(root, 'out-raw');
    const summary = await deidentifyTree({
      inputs: [input],
      outputDir: out,
      config: projectConfig,
      workers: 0,
    });
    expect(summary.failures).toEqual([]);
    expect(summary).toMatchObject({ filesFound: fixtures.length + 1, done: fixtures.length, skipped: 1 });
    expectAccountedFor(summary);
    // The file that is not DICOM has its line with the reason.
    expect(summary.skippedFiles).toEqual([
      expect.objectContaining({
        source: path.join(input, 'notes.txt'),
        message: expect.stringMatching(/not DICOM/),
      }),
    ]);
    const written = filesUnder(out);
    expect(written).toHaveLength(fixtures.length);
    for (const file of written) {
      // pydicom without force: preamble, DICM and a file meta that names the (new) instance.
      const read = pydicomReadsAsPart10(file);
      expect(read.sop).toMatch(/^2\.25\./);
      expect(fs.readFileSync(file).subarray(128, 132).toString('latin1')).toBe('DICM');
    }
  });

  it('reads one given directly', async () => {
    const [fixture] = makeRawDatasets(path.join(root, 'in-raw-direct'), 'deid-raw-direct');
    const summary = await deidentifyTree({
      inputs: [fixture!.path],
      outputDir: path.join(root, 'out-raw-direct'),
      config: projectConfig,
      workers: 0,
    });
    expect(summary).toMatchObject({ filesFound: 1, done: 1, failed: 0 });
  });
});

describe('named pipes, devices and link loops (items 13 and 19)', () => {
  it('lists a named pipe inside a folder as skipped with its reason and goes on', async () => {
    const series = ensureCtSeries({ slices: 2, size: 32, seed: 'deid-fifo' });
    const input = path.join(root, 'in-fifo');
    fs.mkdirSync(input);
    for (const file of series.files) fs.copyFileSync(file, path.join(input, path.basename(file)));
    execFileSync('mkfifo', [path.join(input, 'pipe.dcm')]);
    const summary = await deidentifyTree({
      inputs: [input],
      outputDir: path.join(root, 'out-fifo'),
      config: projectConfig,
      workers: 0,
    });
    expect(summary).toMatchObject({ filesFound: 3, done: 2, skipped: 1 });
    expectAccountedFor(summary);
    expect(summary.skippedFiles).toEqual([
      expect.objectContaining({
        source: path.join(input, 'pipe.dcm'),
        message: expect.stringMatching(/named pipe/),
      }),
    ]);
  });

  it('refuses a named pipe or /dev/zero given directly with a reason each, and the CLI exits 1', async () => {
    const fifo = path.join(root, 'given.fifo');
    execFileSync('mkfifo', [fifo]);
    const result = await cli([fifo, '/dev/zero', path.join(root, 'out-fifo-direct')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/failed: .*given\.fifo: .*named pipe/);
    expect(result.stderr).toMatch(/failed: \/dev\/zero: .*device/);
    expect(result.stdout).toMatch(/0 written, 0 held for review, 2 failed/);
  });

  it('walks a folder with a symbolic link loop and reads each file once', async () => {
    const series = ensureCtSeries({ slices: 2, size: 32, seed: 'deid-loop' });
    const input = path.join(root, 'in-loop');
    fs.mkdirSync(path.join(input, 'sub'), { recursive: true });
    for (const file of series.files) fs.copyFileSync(file, path.join(input, 'sub', path.basename(file)));
    fs.symlinkSync(input, path.join(input, 'sub', 'back-to-top'));
    fs.symlinkSync(path.join(input, 'sub'), path.join(input, 'again'));
    const summary = await deidentifyTree({
      inputs: [input],
      outputDir: path.join(root, 'out-loop'),
      config: projectConfig,
      workers: 0,
    });
    expect(summary).toMatchObject({ filesFound: 2, done: 2, failed: 0 });
    expectAccountedFor(summary);
  });
});
