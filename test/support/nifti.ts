/** NIfTI files for tests, written as the NIfTI export writes a series' image. */
import fs from 'node:fs';
import type { SeriesGeometry } from '../../main/annotation/dicom/geometry.js';
import { encodeNifti, rasAffine, readSeriesVoxels } from '../../main/annotation/export/nifti.js';

export type SeriesVoxels = Awaited<ReturnType<typeof readSeriesVoxels>>;

/**
 * Writes the series' image to `file` (.nii.gz) as the export does: its stored voxels with their
 * rescale slope and intercept, in the RAS affine of its geometry. Returns the voxels read.
 */
export async function writeSeriesNifti(geometry: SeriesGeometry, file: string): Promise<SeriesVoxels> {
  const voxels = await readSeriesVoxels(geometry);
  const dims: [number, number, number] = [geometry.columns, geometry.rows, geometry.slices.length];
  fs.writeFileSync(
    file,
    encodeNifti(voxels.data, dims, rasAffine(geometry), { slope: voxels.slope, intercept: voxels.intercept }),
  );
  return voxels;
}
