/**
 * BINARY SEG bit packing on images whose pixel count is not a multiple of 8 (frames then start in
 * the middle of a byte, PS3.5 8.1.1): written and read back voxel for voxel, overlaps kept, through
 * both the fast header reader (seg-parse.ts) and dcmjs.
 */
import { describe, expect, it } from 'vitest';
import { readPart10 } from '../../../main/annotation/dicom/dataset.js';
import { parseSegmentationFile } from '../../../main/annotation/dicom/seg-parse.js';
import { readSegmentation } from '../../../main/annotation/dicom/seg-read.js';
import { testSegBytes, testSeriesGeometry } from '../../support/seg-fixtures.js';

const W = 5;
const H = 3;
const geometry = testSeriesGeometry({
  rows: H,
  columns: W,
  slices: 3,
  patientName: 'Test^Bits',
  patientId: 'B1',
});

describe('BINARY SEG bit packing', () => {
  it('15-pixel frames (not byte aligned) read back identical, with two overlapping segments on two layers', () => {
    const layer0 = new Map<string, Uint8Array>();
    const layer1 = new Map<string, Uint8Array>();
    geometry.slices.forEach((slice, k) => {
      layer0.set(
        slice.sopInstanceUID,
        Uint8Array.from({ length: W * H }, (_, i) => ((i + k) % 3 === 0 ? 1 : 0)),
      );
      layer1.set(
        slice.sopInstanceUID,
        Uint8Array.from({ length: W * H }, (_, i) => ((i + k) % 2 === 0 ? 2 : 0)),
      );
    });
    const bytes = testSegBytes(
      geometry,
      [layer0, layer1],
      [
        { segmentIndex: 1, name: 'a', color: '#ff0000', layer: 0, labelValue: 1 },
        { segmentIndex: 2, name: 'b', color: '#00ff00', layer: 1, labelValue: 2 },
      ],
    );
    for (const dataset of [parseSegmentationFile(bytes), readPart10(bytes)]) {
      const back = readSegmentation(dataset, { seriesGeometry: () => geometry });
      expect(back.labelmap.layers).toHaveLength(2);
      for (const [index, expected] of [layer0, layer1].entries())
        for (const [sop, voxels] of expected)
          expect(Array.from(back.labelmap.layers[index]!.get(sop)!)).toEqual(Array.from(voxels));
    }
  });
});
