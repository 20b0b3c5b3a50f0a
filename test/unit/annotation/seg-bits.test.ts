/**
 * BINARY SEG bit packing on images whose pixel count is not a multiple of 8 (frames then start in
 * the middle of a byte, PS3.5 8.1.1): written and read back voxel for voxel, overlaps kept, through
 * both the fast header reader (seg-parse.ts) and dcmjs.
 */
import { describe, expect, it } from 'vitest';
import { readPart10 } from '../../../main/annotation/dicom/dataset.js';
import type { SeriesGeometry } from '../../../main/annotation/dicom/geometry.js';
import { parseSegmentationFile } from '../../../main/annotation/dicom/seg-parse.js';
import { readSegmentation } from '../../../main/annotation/dicom/seg-read.js';
import { writeSegmentation } from '../../../main/annotation/dicom/seg-write.js';

const W = 5;
const H = 3;
const geometry: SeriesGeometry = {
  studyInstanceUID: '1.2.3',
  seriesInstanceUID: '1.2.3.4',
  frameOfReferenceUID: '1.2.3.5',
  modality: 'CT',
  rows: H,
  columns: W,
  pixelSpacing: [0.5, 0.5],
  rowCosines: [1, 0, 0],
  columnCosines: [0, 1, 0],
  normal: [0, 0, 1],
  slices: [0, 1, 2].map((k) => ({
    sopInstanceUID: `1.2.3.4.${k + 1}`,
    sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
    instanceNumber: k + 1,
    position: [0, 0, k * 2] as [number, number, number],
    offset: k * 2,
  })),
  attributes: { PatientName: 'Test^Bits', PatientID: 'B1' },
};

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
    const bytes = writeSegmentation({
      labelmap: {
        layers: [layer0, layer1],
        segments: [
          { segmentIndex: 1, name: 'a', color: '#ff0000', layer: 0, labelValue: 1 },
          { segmentIndex: 2, name: 'b', color: '#00ff00', layer: 1, labelValue: 2 },
        ],
        width: W,
        height: H,
      },
      geometry,
      source: 'human',
      author: 'test',
      softwareVersion: 'test',
    });
    for (const dataset of [parseSegmentationFile(bytes), readPart10(bytes)]) {
      const back = readSegmentation(dataset, { seriesGeometry: () => geometry });
      expect(back.labelmap.layers).toHaveLength(2);
      for (const [index, expected] of [layer0, layer1].entries())
        for (const [sop, voxels] of expected)
          expect(Array.from(back.labelmap.layers[index]!.get(sop)!)).toEqual(Array.from(voxels));
    }
  });
});
