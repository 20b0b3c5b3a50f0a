/**
 * NIfTI geometry of unusual series (#9 item 7): series written with pydicom in orientations and
 * layouts other than the fixture's axial stack, exported as .nii.gz the way the export writes them
 * (readSeriesGeometry → volumeProblem → rasAffine → encodeNifti), then read back by nibabel
 * (Debian's /usr/bin/python3) and checked against the DICOM geometry computed independently in
 * Python: every stored image must sit at voxel (0, 0, k) of the affine (its ImagePositionPatient,
 * LPS → RAS), its pixels at [:, :, k] (column, row), and the column/row axes along
 * ImageOrientationPatient scaled by PixelSpacing. Series that are no regular volume (uneven or
 * missing slices, gantry tilt, phases at the same position, mixed orientations or sizes) are
 * refused with their reason, never written wrong.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSeriesGeometry } from '../../../main/annotation/dicom/geometry.js';
import { rasAffine, volumeProblem } from '../../../main/annotation/export/nifti.js';
import { makeTempDir } from '../../fixtures/index.js';
import { writeSeriesNifti } from '../../support/nifti.js';

const PYTHON = '/usr/bin/python3';
const scratch = makeTempDir('export-geometry');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface SliceSpec {
  ipp: number[];
  iop?: number[];
  rows?: number;
  columns?: number;
}
interface SeriesSpec {
  iop: number[];
  spacing: [number, number];
  rows: number;
  columns: number;
  slices: SliceSpec[];
  thickness?: number;
}

/** Writes the series with pydicom (files in the order given, instance numbers 1…n). */
function series(name: string, spec: SeriesSpec): string[] {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  const script = `
import sys, json, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
o = json.loads(sys.argv[2]); out = sys.argv[1]
study, series, frame = generate_uid(), generate_uid(), generate_uid()
for k, s in enumerate(o['slices']):
    meta = FileMetaDataset(); meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.4'; meta.MediaStorageSOPInstanceUID = generate_uid()
    d = Dataset(); d.file_meta = meta
    d.SOPClassUID = meta.MediaStorageSOPClassUID; d.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    d.StudyInstanceUID = study; d.SeriesInstanceUID = series; d.FrameOfReferenceUID = frame
    d.Modality = 'MR'; d.PatientName = 'Geometry^Test'; d.PatientID = 'GEO1'; d.InstanceNumber = k + 1
    rows, cols = s.get('rows', o['rows']), s.get('columns', o['columns'])
    d.Rows = rows; d.Columns = cols; d.PixelSpacing = o['spacing']
    if 'thickness' in o: d.SliceThickness = o['thickness']
    d.ImageOrientationPatient = s.get('iop', o['iop']); d.ImagePositionPatient = s['ipp']
    d.SamplesPerPixel = 1; d.PhotometricInterpretation = 'MONOCHROME2'
    d.BitsAllocated = 16; d.BitsStored = 16; d.HighBit = 15; d.PixelRepresentation = 0
    d.RescaleSlope = 1; d.RescaleIntercept = 0
    d.PixelData = (np.arange(rows * cols).reshape(rows, cols) * 3 + 1000 * k).astype('<u2').tobytes()
    d.save_as(f'{out}/{k:03d}.dcm', write_like_original=False)
`;
  const result = spawnSync(PYTHON, ['-c', script, dir, JSON.stringify(spec)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return spec.slices.map((_, k) => path.join(dir, `${String(k).padStart(3, '0')}.dcm`));
}

/**
 * Writes the NIfTI as the export does and checks it in Python against the DICOM files: returns
 * the worst position error (mm), the worst axis error, and whether every image's pixels are its
 * slice of the volume.
 */
async function checkAgainstDicom(files: string[], name: string): Promise<Record<string, unknown>> {
  const geometry = readSeriesGeometry(files);
  expect(volumeProblem(geometry)).toBeNull();
  const file = path.join(scratch, `${name}.nii.gz`);
  await writeSeriesNifti(geometry, file);
  const script = `
import sys, json, numpy as np, nibabel as nib, pydicom
img = nib.load(sys.argv[1]); a = img.affine; data = np.asarray(img.dataobj)
flip = np.diag([-1, -1, 1])
worst_pos = worst_axis = 0.0; pixels = True; ks = []
for f in sys.argv[2:]:
    d = pydicom.dcmread(f)
    iop = np.array(d.ImageOrientationPatient, float); row, col = iop[:3], iop[3:]
    dr, dc = (float(v) for v in d.PixelSpacing)
    ras = flip @ np.array(d.ImagePositionPatient, float)
    ijk = np.linalg.solve(a[:3, :3], ras - a[:3, 3])
    k = int(round(ijk[2])); ks.append(k)
    worst_pos = max(worst_pos, float(np.abs(ijk - [0, 0, k]).max()))
    worst_axis = max(worst_axis, float(np.abs(a[:3, 0] - flip @ row * dc).max()), float(np.abs(a[:3, 1] - flip @ col * dr).max()))
    if not (0 <= k < data.shape[2]) or not np.array_equal(data[:, :, k], d.pixel_array.T): pixels = False
print(json.dumps({'pos': worst_pos, 'axis': worst_axis, 'pixels': pixels, 'ks': sorted(ks), 'shape': list(data.shape),
  'sform_qform': bool(np.allclose(img.get_sform(), img.get_qform(), atol=1e-4)), 'dbg': [img.get_sform().round(4).tolist(), img.get_qform().round(4).tolist()], 'zoom': [float(z) for z in img.header.get_zooms()]}))
`;
  const result = spawnSync(PYTHON, ['-c', script, file, ...files], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  const report = JSON.parse(result.stdout) as Record<string, unknown>;
  expect(report['pos']).toBeLessThan(1e-3);
  expect(report['axis']).toBeLessThan(1e-4);
  expect(report['pixels']).toBe(true);
  expect(report['ks']).toEqual(files.map((_, k) => k));
  expect(report['sform_qform'], JSON.stringify(report['dbg'])).toBe(true);
  return report;
}

const axial = [1, 0, 0, 0, 1, 0];
const stack = (n: number, origin: number[], step: number[]) =>
  Array.from({ length: n }, (_, k) => ({ ipp: origin.map((v, a) => v + k * step[a]!) }));

/** A unit rotation of the axial frame: 30° about z then 20° about x (oblique). */
function oblique(): { iop: number[]; normal: number[] } {
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  const cx = Math.cos(Math.PI / 9);
  const sx = Math.sin(Math.PI / 9);
  const rotate = (v: number[]) => {
    const z = [c * v[0]! - s * v[1]!, s * v[0]! + c * v[1]!, v[2]!];
    return [z[0]!, cx * z[1]! - sx * z[2]!, sx * z[1]! + cx * z[2]!];
  };
  const row = rotate([1, 0, 0]);
  const col = rotate([0, 1, 0]);
  const normal = [
    row[1]! * col[2]! - row[2]! * col[1]!,
    row[2]! * col[0]! - row[0]! * col[2]!,
    row[0]! * col[1]! - row[1]! * col[0]!,
  ];
  return { iop: [...row, ...col].map((v) => Number(v.toFixed(8))), normal };
}

describe('NIfTI of unusual geometry: the affine nibabel reads places every DICOM image where it is', () => {
  it('axial, files and instance numbers in descending position (head to feet)', async () => {
    const files = series('descending', {
      iop: axial,
      spacing: [0.7, 0.7],
      rows: 8,
      columns: 8,
      slices: stack(5, [-20, -30, 100], [0, 0, -2.5]),
    });
    // Ascending along the normal: the last file written is NIfTI slice 0.
    await checkAgainstDicom([...files].reverse(), 'descending');
  });

  it('sagittal and coronal series, non-square pixels and rows ≠ columns', async () => {
    await checkAgainstDicom(
      series('sagittal', {
        iop: [0, 1, 0, 0, 0, -1],
        spacing: [0.8, 0.5],
        rows: 6,
        columns: 10,
        slices: stack(4, [12, -40, 60], [3.3, 0, 0]),
      }),
      'sagittal',
    );
    await checkAgainstDicom(
      series('coronal', {
        iop: [1, 0, 0, 0, 0, -1],
        spacing: [1.2, 0.6],
        rows: 9,
        columns: 7,
        slices: stack(3, [-5, 20, 40], [0, -4, 0]),
      }),
      'coronal',
    );
  });

  it('an oblique series with an odd, negative step along the normal', async () => {
    const { iop, normal } = oblique();
    const files = series('oblique', {
      iop,
      spacing: [0.9, 1.1],
      rows: 7,
      columns: 5,
      slices: stack(
        4,
        [10.5, -3.25, 7],
        normal.map((v) => -1.37 * v),
      ),
    });
    await checkAgainstDicom([...files].reverse(), 'oblique');
  });

  it('a single slice takes its depth from SliceThickness', async () => {
    const files = series('single', {
      iop: axial,
      spacing: [0.5, 0.5],
      rows: 4,
      columns: 4,
      thickness: 3,
      slices: [{ ipp: [0, 0, 10] }],
    });
    const report = await checkAgainstDicom(files, 'single');
    expect((report['zoom'] as number[])[2]).toBeCloseTo(3, 5);
  });
});

describe('series that are no regular volume are refused with their reason', () => {
  const base = { iop: axial, spacing: [1, 1] as [number, number], rows: 4, columns: 4 };
  const cases: Array<[string, SliceSpec[], RegExp]> = [
    [
      'uneven spacing (a missing slice)',
      [{ ipp: [0, 0, 0] }, { ipp: [0, 0, 2] }, { ipp: [0, 0, 6] }, { ipp: [0, 0, 8] }],
      /not equally spaced/,
    ],
    ['gantry tilt', stack(4, [0, 0, 0], [0, 0.9, 2.5]), /gantry tilt/],
    [
      'two phases at the same positions',
      [...stack(3, [0, 0, 0], [0, 0, 2]), ...stack(3, [0, 0, 0], [0, 0, 2])],
      /not equally spaced|same position/,
    ],
    [
      'a localizer in the series',
      [...stack(3, [0, 0, 0], [0, 0, 2]), { ipp: [0, 0, 6], iop: [0, 1, 0, 0, 0, -1] }],
      /different orientations/,
    ],
    ['images of different sizes', [...stack(2, [0, 0, 0], [0, 0, 2]), { ipp: [0, 0, 4], rows: 6 }], /sizes/],
  ];
  for (const [name, slices, reason] of cases)
    it(name, () => {
      const geometry = readSeriesGeometry(series(name.replace(/\W+/g, '-'), { ...base, slices }));
      expect(volumeProblem(geometry)).toMatch(reason);
      expect(() => rasAffine(geometry)).toThrow(reason);
    });
});
