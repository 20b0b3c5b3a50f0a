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
import { parseSegmentationFile } from '../../../main/annotation/dicom/seg-parse.js';
import { readSegmentation } from '../../../main/annotation/dicom/seg-read.js';
import { makeTempDir } from '../../fixtures/index.js';
import { testSegBytes, testSeriesGeometry } from '../../support/seg-fixtures.js';

const W = 16;
const H = 8;
const geometry = testSeriesGeometry({
  rows: H,
  columns: W,
  slices: 4,
  patientName: 'Test^Parse',
  patientId: 'P1',
});

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
  const bytes = testSegBytes(
    geometry,
    [layer0, layer1],
    [
      { segmentIndex: 1, name: 'a', color: '#ff0000', layer: 0, labelValue: 1 },
      { segmentIndex: 2, name: 'b', color: '#00ff00', layer: 1, labelValue: 2 },
      { segmentIndex: 3, name: 'c', color: '#0000ff', layer: 0, labelValue: 3 },
    ],
  );
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
