/**
 * NIfTI export reads every pixel format a stored series may have (#9 item 7,
 * main/annotation/export/nifti.ts `readSeriesVoxels`): the same CT series compressed by dcmtk
 * (JPEG lossless, JPEG-LS, RLE) gives the same voxels as the uncompressed one; 8-bit, 32-bit,
 * float, signed and unsigned samples with their rescale give the right values, as nibabel
 * (Debian's /usr/bin/python3) reads them from the written .nii.gz; a series that cannot be
 * written (RGB) is refused with a reason.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSeriesGeometry } from '../../../main/annotation/dicom/geometry.js';
import { readSeriesVoxels } from '../../../main/annotation/export/nifti.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { writeSeriesNifti } from '../../support/nifti.js';

const PYTHON = '/usr/bin/python3';
const scratch = makeTempDir('nifti-pixels');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const ct = ensureCtSeries({ slices: 3, size: 32, seed: 'nifti-pixels' });

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
}

/** The series' real values (stored * slope + intercept), slice after slice. */
async function realValues(files: string[]): Promise<Float64Array> {
  const voxels = await readSeriesVoxels(readSeriesGeometry(files));
  return Float64Array.from(voxels.data, (v) => v * voxels.slope + voxels.intercept);
}

/** Writes the series as .nii.gz and returns nibabel's get_fdata() (x fastest) and the dtype. */
async function throughNibabel(
  files: string[],
  name: string,
): Promise<{ values: Float64Array; dtype: string }> {
  const geometry = readSeriesGeometry(files);
  const file = path.join(scratch, `${name}.nii.gz`);
  await writeSeriesNifti(geometry, file);
  const out = path.join(scratch, `${name}.f64`);
  const result = spawnSync(
    PYTHON,
    [
      '-c',
      'import nibabel as nib,sys; i=nib.load(sys.argv[1]); i.get_fdata().astype("<f8").tofile(sys.argv[2], ""); print(i.get_data_dtype())',
      file,
      out,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  // nibabel's array is (x, y, z) in C order; tofile writes it z fastest: reorder to x fastest.
  const [nx, ny, nz] = [geometry.columns, geometry.rows, geometry.slices.length];
  const cOrder = new Float64Array(new Uint8Array(fs.readFileSync(out)).buffer);
  const values = new Float64Array(nx * ny * nz);
  for (let x = 0; x < nx; x++)
    for (let y = 0; y < ny; y++)
      for (let z = 0; z < nz; z++) values[z * nx * ny + y * nx + x] = cOrder[(x * ny + y) * nz + z]!;
  return { values, dtype: result.stdout.trim() };
}

function compressed(tool: string, args: string[], name: string): string[] {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  return ct.files.map((file, i) => {
    const out = path.join(dir, `${i}.dcm`);
    run(tool, [...args, file, out]);
    return out;
  });
}

/** A small series written with pydicom: given sample format, values and rescale. */
function pydicomSeries(
  name: string,
  options: {
    bits: number;
    signed: boolean;
    float?: boolean;
    slope: number;
    intercept: number;
    rgb?: boolean;
  },
): string[] {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  const script = `
import sys, json, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
o = json.loads(sys.argv[2]); out = sys.argv[1]
study, series, frame = generate_uid(), generate_uid(), generate_uid()
for k in range(3):
    meta = FileMetaDataset(); meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.4'; meta.MediaStorageSOPInstanceUID = generate_uid()
    d = Dataset(); d.file_meta = meta
    d.SOPClassUID = meta.MediaStorageSOPClassUID; d.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    d.StudyInstanceUID = study; d.SeriesInstanceUID = series; d.FrameOfReferenceUID = frame
    d.Modality = 'MR'; d.PatientName = 'Pixel^Test'; d.PatientID = 'PX1'; d.InstanceNumber = k + 1
    d.Rows = 8; d.Columns = 6; d.PixelSpacing = [0.5, 0.5]; d.SliceThickness = 2
    d.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]; d.ImagePositionPatient = [0, 0, 2 * k]
    d.SamplesPerPixel = 3 if o.get('rgb') else 1
    d.PhotometricInterpretation = 'RGB' if o.get('rgb') else 'MONOCHROME2'
    if o.get('rgb'): d.PlanarConfiguration = 0
    d.RescaleSlope = o['slope']; d.RescaleIntercept = o['intercept']
    base = np.arange(48).reshape(8, 6) * {8: 1, 16: 500, 32: 100000}[o['bits']] + k
    if o.get('float'):
        d.BitsAllocated = 32
        d.FloatPixelData = (base.astype('<f4') / 7 - 3).tobytes()
    else:
        d.BitsAllocated = o['bits']; d.BitsStored = o['bits']; d.HighBit = o['bits'] - 1
        d.PixelRepresentation = 1 if o['signed'] else 0
        kind = ('<i' if o['signed'] else '<u') + str(o['bits'] // 8)
        values = base - (20 if o['signed'] else 0)
        if o.get('rgb'): values = np.repeat(values[:, :, None], 3, axis=2)
        d.PixelData = values.astype(kind).tobytes()
    d.is_little_endian = True; d.is_implicit_VR = False
    d.save_as(f'{out}/{k}.dcm', write_like_original=False)
`;
  const result = spawnSync(PYTHON, ['-c', script, dir, JSON.stringify(options)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return [0, 1, 2].map((k) => path.join(dir, `${k}.dcm`));
}

/** What the pydicom series above holds, as real values. */
function expectedReal(options: {
  bits: number;
  signed: boolean;
  float?: boolean;
  slope: number;
  intercept: number;
}): Float64Array {
  const values = new Float64Array(3 * 48);
  for (let k = 0; k < 3; k++)
    for (let i = 0; i < 48; i++) {
      const base = i * (options.bits === 8 ? 1 : options.bits === 16 ? 500 : 100_000) + k;
      values[k * 48 + i] = options.float
        ? Math.fround(Math.fround(base) / 7 - 3) * options.slope + options.intercept
        : (base - (options.signed ? 20 : 0)) * options.slope + options.intercept;
    }
  return values;
}

function expectClose(actual: Float64Array, expected: Float64Array, tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('NIfTI export of compressed series (decoded as de-identification decodes them)', () => {
  let reference: Float64Array;
  it('the uncompressed CT reads back through nibabel as its Hounsfield units', async () => {
    reference = await realValues(ct.files);
    const { values } = await throughNibabel(ct.files, 'ct');
    expectClose(values, reference);
  });

  for (const [name, tool, args] of [
    ['JPEG lossless', 'dcmcjpeg', ['+e1']],
    ['JPEG-LS lossless', 'dcmcjpls', []],
    ['RLE lossless', 'dcmcrle', []],
  ] as const) {
    it(`${name} (${tool}) gives exactly the uncompressed voxels`, async () => {
      const files = compressed(tool, [...args], tool);
      const { values } = await throughNibabel(files, tool);
      expectClose(values, reference);
    }, 60_000);
  }
});

describe('NIfTI export of other sample formats', () => {
  for (const [name, options, dtype] of [
    ['8-bit unsigned', { bits: 8, signed: false, slope: 1, intercept: 0 }, 'uint8'],
    ['16-bit unsigned with rescale', { bits: 16, signed: false, slope: 0.5, intercept: -100 }, 'uint16'],
    ['16-bit signed', { bits: 16, signed: true, slope: 1, intercept: -1024 }, 'int16'],
    ['32-bit signed', { bits: 32, signed: true, slope: 2, intercept: 5 }, 'int32'],
    ['32-bit unsigned (as float32)', { bits: 32, signed: false, slope: 1, intercept: 0 }, 'float32'],
    ['float (Float Pixel Data)', { bits: 32, signed: false, float: true, slope: 1, intercept: 0 }, 'float32'],
  ] as const) {
    it(`${name}: nibabel reads the rescaled values (${dtype})`, async () => {
      const files = pydicomSeries(name.replace(/\W+/g, '-'), options);
      const { values, dtype: written } = await throughNibabel(files, name.replace(/\W+/g, '-'));
      expect(written).toBe(dtype);
      expectClose(values, expectedReal(options), 1e-3);
    }, 60_000);
  }

  it('8-bit JPEG baseline (lossy) decodes close to the original', async () => {
    const files = pydicomSeries('jpeg8-source', { bits: 8, signed: false, slope: 1, intercept: 0 });
    const dir = path.join(scratch, 'jpeg8');
    fs.mkdirSync(dir, { recursive: true });
    const jpeg = files.map((file, i) => {
      const out = path.join(dir, `${i}.dcm`);
      run('dcmcjpeg', ['+eb', '+q', '100', file, out]);
      return out;
    });
    const { values } = await throughNibabel(jpeg, 'jpeg8');
    expectClose(values, expectedReal({ bits: 8, signed: false, slope: 1, intercept: 0 }), 4);
  }, 60_000);

  it('a series that cannot be written (RGB) is refused with the reason', async () => {
    const files = pydicomSeries('rgb', { bits: 8, signed: false, slope: 1, intercept: 0, rgb: true });
    await expect(readSeriesVoxels(readSeriesGeometry(files))).rejects.toThrow(/colour images/);
  });
});
