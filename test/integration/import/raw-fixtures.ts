/**
 * DICOM objects that are not Part 10 files, made by the tools that write them in the wild: dcmtk's
 * `dcmconv -F` (dataset only, implicit or explicit VR) and pydicom's `save_as(write_like_original=True)`
 * with no preamble (file meta without the preamble, or the dataset alone). Each is one slice of a
 * generated CT series, so every fixture has its own SOP Instance UID.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureCtSeries } from '../../fixtures/index.js';

export interface RawFixture {
  name: string;
  path: string;
  sopInstanceUID: string;
  /** How it was written. */
  how: string;
  /** dcmdump reads it as it is (it does not read "DICM" without the preamble). */
  dcmdumpReads: boolean;
}

const PYTHON = '/usr/bin/python3';

const PYDICOM_WRITE = `
import sys, pydicom
source, target, mode = sys.argv[1:4]
ds = pydicom.dcmread(source)
ds.preamble = None
if mode == 'dataset':
    del ds.file_meta
    ds.is_implicit_VR = True
    ds.is_little_endian = True
ds.save_as(target, write_like_original=True)
`;

/** Writes the raw fixtures into `dir` (created) and returns them in name order. */
export function makeRawDatasets(dir: string, seed = 'raw-datasets'): RawFixture[] {
  fs.mkdirSync(dir, { recursive: true });
  const series = ensureCtSeries({ slices: 5, size: 32, seed });
  const fixtures: RawFixture[] = [];
  const add = (index: number, name: string, how: string, write: (source: string, target: string) => void) => {
    const target = path.join(dir, name);
    write(series.files[index]!, target);
    fixtures.push({
      name,
      path: target,
      sopInstanceUID: series.sopInstanceUIDs[index]!,
      how,
      dcmdumpReads: index !== 4,
    });
  };
  add(0, 'a-dcmtk-implicit.raw', 'dcmconv -F +ti', (source, target) =>
    execFileSync('dcmconv', ['-F', '+ti', source, target]),
  );
  add(1, 'b-dcmtk-explicit.raw', 'dcmconv -F +te', (source, target) =>
    execFileSync('dcmconv', ['-F', '+te', source, target]),
  );
  add(2, 'c-pydicom-meta-no-preamble.dcm', 'pydicom, preamble None', (source, target) =>
    execFileSync(PYTHON, ['-c', PYDICOM_WRITE, source, target, 'meta']),
  );
  add(3, 'd-pydicom-dataset.dcm', 'pydicom, preamble None, no file meta', (source, target) =>
    execFileSync(PYTHON, ['-c', PYDICOM_WRITE, source, target, 'dataset']),
  );
  add(4, 'e-dicm-no-preamble.dcm', 'first 128 bytes cut', (source, target) =>
    fs.writeFileSync(target, fs.readFileSync(source).subarray(128)),
  );
  return fixtures;
}

/** What dcmdump says the file is (it reads raw datasets too); throws when it cannot read it. */
export function dcmdumpSopInstanceUID(file: string): string {
  const out = execFileSync('dcmdump', ['+P', '0008,0018', file], { encoding: 'utf8' });
  return /\[([0-9.]+)\]/.exec(out)?.[1] ?? '';
}

/** pydicom reads the file as a Part 10 file (no force): preamble, DICM and file meta present. */
export function pydicomReadsAsPart10(file: string): { sop: string; transferSyntax: string } {
  const out = execFileSync(
    PYTHON,
    [
      '-c',
      'import sys, pydicom; d = pydicom.dcmread(sys.argv[1]); print(d.SOPInstanceUID); print(d.file_meta.TransferSyntaxUID); print(d.file_meta.MediaStorageSOPInstanceUID)',
      file,
    ],
    { encoding: 'utf8' },
  ).split('\n');
  if (out[0] !== out[2]) throw new Error(`file meta names ${out[2]} for ${out[0]}`);
  return { sop: out[0]!, transferSyntax: out[1]! };
}
