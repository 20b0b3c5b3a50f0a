/**
 * Small CT series written with pydicom (Debian's /usr/bin/python3) whose geometry a test chooses,
 * down to leaving PixelSpacing or SliceThickness out: for the export's notes on assumed and
 * refused geometry (test/integration/annotation/export-failures.test.ts, e2e annotation-export).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface GeometrySeriesSpec {
  /** PixelSpacing; null leaves it out. */
  spacing: number[] | null;
  /** SliceThickness; null leaves it out. */
  thickness: number | null;
  /** ImagePositionPatient of each slice (axial orientation). */
  ipps: number[][];
  studyInstanceUID: string;
  patientName?: string;
  patientId?: string;
}

export interface GeometrySeries {
  dir: string;
  files: string[];
  seriesInstanceUID: string;
}

const SCRIPT = `
import sys, json, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
o = json.loads(sys.argv[2]); out = sys.argv[1]
series, frame = generate_uid(), generate_uid()
for k, ipp in enumerate(o['ipps']):
    meta = FileMetaDataset(); meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'; meta.MediaStorageSOPInstanceUID = generate_uid()
    d = Dataset(); d.file_meta = meta
    d.SOPClassUID = meta.MediaStorageSOPClassUID; d.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    d.StudyInstanceUID = o['studyInstanceUID']; d.SeriesInstanceUID = series; d.FrameOfReferenceUID = frame
    d.Modality = 'CT'; d.PatientName = o.get('patientName', 'Geometry^Notes'); d.PatientID = o.get('patientId', 'GEONOTES')
    d.InstanceNumber = k + 1; d.StudyDate = '20240102'
    d.Rows = 8; d.Columns = 8
    if o['spacing'] is not None: d.PixelSpacing = o['spacing']
    if o['thickness'] is not None: d.SliceThickness = o['thickness']
    d.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]; d.ImagePositionPatient = ipp
    d.SamplesPerPixel = 1; d.PhotometricInterpretation = 'MONOCHROME2'
    d.BitsAllocated = 16; d.BitsStored = 16; d.HighBit = 15; d.PixelRepresentation = 1
    d.RescaleSlope = 1; d.RescaleIntercept = -1024
    d.PixelData = (np.arange(64).reshape(8, 8) * 7 + 100 * k).astype('<i2').tobytes()
    d.save_as(f'{out}/{k:03d}.dcm', write_like_original=False)
print(series)
`;

/** Writes the series (8 × 8 pixels, files 000.dcm…) into `dir`. */
export function writeGeometrySeries(dir: string, spec: GeometrySeriesSpec): GeometrySeries {
  fs.mkdirSync(dir, { recursive: true });
  const result = spawnSync('/usr/bin/python3', ['-c', SCRIPT, dir, JSON.stringify(spec)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return {
    dir,
    files: spec.ipps.map((_, k) => path.join(dir, `${String(k).padStart(3, '0')}.dcm`)),
    seriesInstanceUID: result.stdout.trim(),
  };
}

/** Positions of `n` slices, `step` (mm, x y z) apart from the origin. */
export function stackOf(n: number, step: readonly number[]): number[][] {
  return Array.from({ length: n }, (_, k) => step.map((v) => v * k));
}
