/**
 * The set-up the SEG reader and writer unit tests share: a small axial CT series geometry with no
 * files behind it, and a BINARY SEG written on it as RadLabel exports a reader's labelmap.
 */
import type { SeriesGeometry } from '../../main/annotation/dicom/geometry.js';
import type { LabelmapLike } from '../../main/annotation/dicom/model.js';
import { writeSegmentation } from '../../main/annotation/dicom/seg-write.js';

export interface TestGeometryOptions {
  rows: number;
  columns: number;
  slices: number;
  patientName: string;
  patientId: string;
}

/**
 * An axial CT series of `slices` slices 2 mm apart, `rows`×`columns` pixels of 0.5 mm: study 1.2.3,
 * series 1.2.3.4, frame of reference 1.2.3.5, slice k's SOP Instance UID 1.2.3.4.<k + 1>.
 */
export function testSeriesGeometry({
  rows,
  columns,
  slices,
  patientName,
  patientId,
}: TestGeometryOptions): SeriesGeometry {
  return {
    studyInstanceUID: '1.2.3',
    seriesInstanceUID: '1.2.3.4',
    frameOfReferenceUID: '1.2.3.5',
    modality: 'CT',
    rows,
    columns,
    pixelSpacing: [0.5, 0.5],
    rowCosines: [1, 0, 0],
    columnCosines: [0, 1, 0],
    normal: [0, 0, 1],
    slices: Array.from({ length: slices }, (_, k) => ({
      sopInstanceUID: `1.2.3.4.${k + 1}`,
      sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
      instanceNumber: k + 1,
      position: [0, 0, k * 2] as [number, number, number],
      offset: k * 2,
    })),
    attributes: { PatientName: patientName, PatientID: patientId },
  };
}

/**
 * A BINARY SEG of `layers` (per layer, SOP Instance UID → label values of that image) and
 * `segments` on `geometry`, written by a human author 'test'.
 */
export function testSegBytes(
  geometry: SeriesGeometry,
  layers: LabelmapLike['layers'],
  segments: LabelmapLike['segments'],
): Uint8Array {
  return writeSegmentation({
    labelmap: { layers, segments, width: geometry.columns, height: geometry.rows },
    geometry,
    source: 'human',
    author: 'test',
    softwareVersion: 'test',
  });
}
