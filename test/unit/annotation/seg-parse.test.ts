/**
 * The SEG header reader's own walk of the Per-frame Functional Groups (seg-parse.ts) reads the same
 * frames and pixels as dcmjs's full parse, whatever the encoding: the file RadLabel writes, and the
 * same file rewritten by dcmtk's dcmconv with explicit lengths, and in implicit VR with undefined
 * lengths (where no VR says which element is a sequence).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPart10 } from '../../../main/annotation/dicom/dataset.js';
import type { SeriesGeometry } from '../../../main/annotation/dicom/geometry.js';
import { parseSegmentationFile } from '../../../main/annotation/dicom/seg-parse.js';
import { readSegmentation } from '../../../main/annotation/dicom/seg-read.js';
import { writeSegmentation } from '../../../main/annotation/dicom/seg-write.js';
import { makeTempDir } from '../../fixtures/index.js';

const W = 16;
const H = 8;
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
  slices: [0, 1, 2, 3].map((k) => ({
    sopInstanceUID: `1.2.3.4.${k + 1}`,
    sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
    instanceNumber: k + 1,
    position: [0, 0, k * 2] as [number, number, number],
    offset: k * 2,
  })),
  attributes: { PatientName: 'Test^Parse', PatientID: 'P1' },
};

const dir = makeTempDir('seg-parse');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function segFile(): Buffer {
  const layer0 = new Map<string, Uint8Array>();
  const layer1 = new Map<string, Uint8Array>();
  geometry.slices.forEach((slice, k) => {
    layer0.set(
      slice.sopInstanceUID,
      Uint8Array.from({ length: W * H }, (_, i) => (i % 7 === k ? 1 : (i + k) % 5 === 0 ? 3 : 0)),
    );
    if (k > 0)
      layer1.set(
        slice.sopInstanceUID,
        Uint8Array.from({ length: W * H }, (_, i) => (i % 7 === k ? 2 : 0)),
      );
  });
  const bytes = writeSegmentation({
    labelmap: {
      layers: [layer0, layer1],
      segments: [
        { segmentIndex: 1, name: 'a', color: '#ff0000', layer: 0, labelValue: 1 },
        { segmentIndex: 2, name: 'b', color: '#00ff00', layer: 1, labelValue: 2 },
        { segmentIndex: 3, name: 'c', color: '#0000ff', layer: 0, labelValue: 3 },
      ],
      width: W,
      height: H,
    },
    geometry,
    source: 'human',
    author: 'test',
    softwareVersion: 'test',
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function rewritten(bytes: Buffer, name: string, args: string[]): Buffer {
  const input = path.join(dir, 'in.dcm');
  const output = path.join(dir, name);
  fs.writeFileSync(input, bytes);
  execFileSync('dcmconv', [...args, input, output]);
  return fs.readFileSync(output);
}

const asArrays = (result: ReturnType<typeof readSegmentation>) =>
  result.labelmap.layers.map((layer) =>
    Object.fromEntries([...layer].map(([sop, voxels]) => [sop, Array.from(voxels)])),
  );

describe('SEG header reader', () => {
  const written = segFile();
  const variants: Array<[string, Buffer]> = [
    ['as RadLabel writes it', written],
    ['with explicit lengths (dcmconv +e)', rewritten(written, 'explicit.dcm', ['+te', '+e'])],
    [
      'in implicit VR with undefined lengths (dcmconv +ti -e)',
      rewritten(written, 'implicit.dcm', ['+ti', '-e']),
    ],
  ];
  for (const [what, bytes] of variants) {
    it(`reads every frame's source, position and segment and the same voxels as dcmjs, ${what}`, () => {
      const fast = parseSegmentationFile(bytes);
      const full = readPart10(bytes);
      const frames = fast['PerFrameFunctionalGroupsSequence'] as Array<Record<string, unknown>>;
      expect(frames).toHaveLength(Number(full['NumberOfFrames']));
      frames.forEach((frame, f) => {
        const reference = (full['PerFrameFunctionalGroupsSequence'] as Array<Record<string, unknown>>)[f]!;
        const sourceOf = (item: Record<string, unknown>) =>
          (
            (item['DerivationImageSequence'] as Array<Record<string, unknown>>)[0]![
              'SourceImageSequence'
            ] as Array<Record<string, unknown>>
          )[0]!['ReferencedSOPInstanceUID'];
        expect(sourceOf(frame)).toBe(sourceOf(reference));
        const segmentOf = (item: Record<string, unknown>) =>
          Number(
            (item['SegmentIdentificationSequence'] as Array<Record<string, unknown>>)[0]![
              'ReferencedSegmentNumber'
            ],
          );
        expect(segmentOf(frame)).toBe(segmentOf(reference));
        const position = (frame['PlanePositionSequence'] as Array<Record<string, unknown>>)[0]![
          'ImagePositionPatient'
        ];
        expect(String(position).split('\\').map(Number)).toEqual(
          (
            (reference['PlanePositionSequence'] as Array<Record<string, unknown>>)[0]![
              'ImagePositionPatient'
            ] as number[]
          ).map(Number),
        );
      });
      const back = readSegmentation(fast, { seriesGeometry: () => geometry });
      expect(asArrays(back)).toEqual(asArrays(readSegmentation(full, { seriesGeometry: () => geometry })));
      expect(back.labelmap.layers).toHaveLength(2);
    });
  }
});
