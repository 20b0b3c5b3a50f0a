/**
 * SR and SEG objects as other tools write them (test/integration/annotation/fixtures/
 * foreign-objects.py, pydicom in highdicom's structure): sr-highdicom.dcm, seg-fractional.dcm and
 * seg-labelmap.dcm, over a series.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { SeriesGeometry } from '../../main/annotation/dicom/geometry.js';
import { CT_IMAGE_STORAGE } from '../fixtures/ct-series.js';
import { repoRoot } from '../fixtures/index.js';

export interface ForeignObjectsSpec {
  study: string;
  series: string;
  frameOfReference: string;
  sopClass: string;
  slices: ReadonlyArray<{ sop: string; position: readonly number[] }>;
  rows: number;
  columns: number;
  spacing: readonly number[];
}

/** The spec for a generated CT series whose geometry readSeriesGeometry gave. */
export function foreignSpecOf(
  ct: { studyInstanceUID: string; seriesInstanceUID: string },
  geometry: SeriesGeometry,
): ForeignObjectsSpec {
  return {
    study: ct.studyInstanceUID,
    series: ct.seriesInstanceUID,
    frameOfReference: geometry.frameOfReferenceUID,
    sopClass: CT_IMAGE_STORAGE,
    slices: geometry.slices.map((s) => ({ sop: s.sopInstanceUID, position: s.position })),
    rows: geometry.rows,
    columns: geometry.columns,
    spacing: geometry.pixelSpacing,
  };
}

/** Writes the three objects into `out` (which must exist); throws with pydicom's message if it fails. */
export function writeForeignObjects(out: string, spec: ForeignObjectsSpec): void {
  const result = spawnSync(
    '/usr/bin/python3',
    [
      path.join(repoRoot, 'test/integration/annotation/fixtures/foreign-objects.py'),
      out,
      JSON.stringify(spec),
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`foreign-objects.py failed: ${result.stderr}`);
}
