/**
 * The bounds of the SR and SEG readers (#9; the fuzz is test/integration/fuzz/annotation-fuzz.test.ts):
 * a SEG's declared size is checked against the bytes present before anything is allocated, segment
 * numbers and frame counts are checked once, the raw structure of a Part 10 file is walked without
 * recursion before dcmjs reads it, and an SR's content tree is bounded in depth and size; each ends
 * in a typed error with a clear message.
 */
import { describe, expect, it } from 'vitest';
import { checkPart10Structure, readPart10 } from '../../../main/annotation/dicom/dataset.js';
import type { Dataset } from '../../../main/annotation/dicom/dataset.js';
import type { SeriesGeometry } from '../../../main/annotation/dicom/geometry.js';
import { parseSegmentationFile } from '../../../main/annotation/dicom/seg-parse.js';
import { readSegmentation } from '../../../main/annotation/dicom/seg-read.js';
import {
  MAX_CONTENT_DEPTH,
  MAX_CONTENT_ITEMS,
  checkContentTree,
  readMeasurementSR,
} from '../../../main/annotation/dicom/sr-read.js';
import { writeMeasurementSR } from '../../../main/annotation/dicom/sr-write.js';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { testSegBytes, testSeriesGeometry } from '../../support/seg-fixtures.js';

const W = 16;
const H = 8;
const geometry = testSeriesGeometry({
  rows: H,
  columns: W,
  slices: 3,
  patientName: 'Test^Bounds',
  patientId: 'P1',
});

/** A BINARY SEG: segment 1 on slices 0 and 1, segment 2 on slice 2. */
function segBytes(): Uint8Array {
  const layer = new Map<string, Uint8Array>();
  geometry.slices.forEach((slice, k) =>
    layer.set(
      slice.sopInstanceUID,
      Uint8Array.from({ length: W * H }, (_, i) => (i % 5 === k ? (k === 2 ? 2 : 1) : 0)),
    ),
  );
  return testSegBytes(
    geometry,
    [layer],
    [
      { segmentIndex: 1, name: 'a', color: '#ff0000', layer: 0, labelValue: 1 },
      { segmentIndex: 2, name: 'b', color: '#00ff00', layer: 0, labelValue: 2 },
    ],
  );
}

/** An SR of one Length measurement on slice 2 by `author` (also its reader), labelled `label` when given. */
function lengthSr(author: string, label?: string): Uint8Array {
  return writeMeasurementSR({
    versions: [
      {
        versionId: '0f8f2a52-2a47-4a36-9b7a-0d8b1c1f0c01',
        annotationUid: '0f8f2a52-2a47-4a36-9b7a-0d8b1c1f0c02',
        parentIds: [],
        studyInstanceUID: '1.2.3',
        seriesInstanceUID: '1.2.3.4',
        sopInstanceUID: '1.2.3.4.2',
        kind: 'measurement',
        tool: 'Length',
        attributes: {},
        source: 'human',
        author,
        status: 'complete',
        deleted: false,
        createdAt: 0,
        data: {
          metadata: { toolName: 'Length' },
          data: {
            handles: {
              points: [
                [1, 1, 2],
                [5, 3, 2],
              ],
            },
            ...(label === undefined ? {} : { label }),
            cachedStats: { x: { length: 4.5, unit: 'mm' } },
          },
        },
      },
    ],
    geometry: () => geometry,
    reader: author,
    softwareVersion: 'test',
  });
}

const parsed = (): Dataset => parseSegmentationFile(segBytes());
const read = (dataset: Dataset, g: SeriesGeometry = geometry) =>
  readSegmentation(dataset, { seriesGeometry: () => g });

/** The AppError `run` throws (fails the test when it throws something else or nothing). */
function appError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('no error');
}

describe('SEG bounds', () => {
  it('a SEG declaring 65535×65535×100000 is refused before anything is allocated', () => {
    const dataset = { ...parsed(), Rows: 65535, Columns: 65535, NumberOfFrames: '100000' };
    const huge = { ...geometry, rows: 65535, columns: 65535 };
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const error = appError(() => read(dataset, huge));
    expect(error.code).toBe(ErrorCode.Malformed);
    expect(error.message).toMatch(/pixel data is shorter than its 100000 frames of 65535×65535 need/);
    expect(performance.now() - started).toBeLessThan(500);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 2 ** 20);
  });

  it.each([
    ['0', /number of frames/],
    ['-1', /number of frames/],
    ['abc', /number of frames/],
    ['2147483647', /number of frames/],
  ])('NumberOfFrames %s is refused', (frames, message) => {
    expect(appError(() => read({ ...parsed(), NumberOfFrames: frames })).message).toMatch(message);
  });

  it('Rows or Columns missing or zero are refused', () => {
    expect(appError(() => read({ ...parsed(), Rows: 0 })).message).toMatch(/image size/);
    expect(appError(() => read({ ...parsed(), Columns: undefined })).message).toMatch(/image size/);
  });

  it('BitsAllocated must fit the type (BINARY 1)', () => {
    expect(appError(() => read({ ...parsed(), BitsAllocated: 8 })).message).toBe(
      'A BINARY segmentation has 1 bits per pixel, this one declares 8.',
    );
  });

  it('pixel data shorter than the frames is refused; longer reads the same voxels', () => {
    const dataset = parsed();
    const pixels = dataset['PixelData'] as Uint8Array;
    expect(
      appError(() => read({ ...dataset, PixelData: pixels.subarray(0, pixels.length - 1) })).message,
    ).toMatch(/shorter/);
    expect(appError(() => read({ ...dataset, PixelData: undefined })).message).toBe(
      'This segmentation has no pixel data.',
    );
    const longer = new Uint8Array(pixels.length + 64).fill(0xff);
    longer.set(pixels);
    const a = read(dataset).labelmap.layers.map((l) => [...l].map(([k, v]) => [k, Array.from(v)]));
    const b = read({ ...dataset, PixelData: longer }).labelmap.layers.map((l) =>
      [...l].map(([k, v]) => [k, Array.from(v)]),
    );
    expect(b).toEqual(a);
  });

  it('segment numbers 0, above 65535 or twice are refused', () => {
    const dataset = parsed();
    const segments = dataset['SegmentSequence'] as Dataset[];
    const withNumbers = (a: unknown, b: unknown) => ({
      ...dataset,
      SegmentSequence: [
        { ...segments[0], SegmentNumber: a },
        { ...segments[1], SegmentNumber: b },
      ],
    });
    expect(appError(() => read(withNumbers(0, 2))).message).toMatch(/number is missing or not valid/);
    expect(appError(() => read(withNumbers(1, 70000))).message).toMatch(/number is missing or not valid/);
    expect(appError(() => read(withNumbers(1, 1))).message).toBe(
      'This segmentation describes segment 1 twice.',
    );
  });

  it('a frame naming segment 0 is refused; a segment the sequence does not describe keeps its voxels', () => {
    const dataset = parsed();
    const frames = dataset['PerFrameFunctionalGroupsSequence'] as Dataset[];
    const renumbered = (n: number) =>
      frames.map((f, i) =>
        i === frames.length - 1
          ? { ...f, SegmentIdentificationSequence: [{ ReferencedSegmentNumber: n }] }
          : f,
      );
    expect(
      appError(() => read({ ...dataset, PerFrameFunctionalGroupsSequence: renumbered(0) })).message,
    ).toMatch(/names a segment number that is not valid/);
    const result = read({ ...dataset, PerFrameFunctionalGroupsSequence: renumbered(7) });
    expect(result.labelmap.segments.find((s) => s.segmentIndex === 7)).toMatchObject({
      name: 'Segment 7',
      layer: 0,
      labelValue: 7,
    });
    const slice2 = result.labelmap.layers[0]!.get(geometry.slices[2]!.sopInstanceUID)!;
    expect(slice2[2]).toBe(7);
  });

  it('per-frame functional groups that do not match the frame count are refused', () => {
    const dataset = parsed();
    const frames = dataset['PerFrameFunctionalGroupsSequence'] as Dataset[];
    expect(
      appError(() => read({ ...dataset, PerFrameFunctionalGroupsSequence: frames.slice(0, 1) })).message,
    ).toMatch(/declares 3 frames but describes 1/);
  });

  it('frames that cannot be placed on any image are refused, not imported empty', () => {
    const dataset = parsed();
    const frames = (dataset['PerFrameFunctionalGroupsSequence'] as Dataset[]).map((f) => ({
      SegmentIdentificationSequence: f['SegmentIdentificationSequence'],
      PlanePositionSequence: [{ ImagePositionPatient: 'NaN\\1\\1e308' }],
    }));
    expect(appError(() => read({ ...dataset, PerFrameFunctionalGroupsSequence: frames })).message).toMatch(
      /None of the frames/,
    );
  });

  it('functional groups nested deeper than a frame needs fall back to the full parse (no recursion overflow)', () => {
    const bytes = Buffer.from(segBytes());
    // Nest 20,000 undefined-length sequences into the first frame item, right after its item header.
    const perFrame = bytes.indexOf(Buffer.from([0x00, 0x52, 0x30, 0x92, 0x53, 0x51]));
    const open = Buffer.from([
      0x09, 0x00, 0x10, 0x10, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff,
      0xff, 0xff,
    ]);
    const at = perFrame + 12 + 8;
    const hostile = Buffer.concat([bytes.subarray(0, at), ...Array(20_000).fill(open), bytes.subarray(at)]);
    expect(() => parseSegmentationFile(hostile)).toThrow(AppError);
  });
});

describe('Part 10 structure walk (before dcmjs)', () => {
  const sr = () => Buffer.from(lengthSr('读片者', '肺结节'));

  it('passes what RadLabel writes', () => {
    expect(() => checkPart10Structure(sr())).not.toThrow();
    expect(() => checkPart10Structure(segBytes())).not.toThrow();
  });

  it('an element claiming more bytes than the file holds is refused (dcmjs aborted the process)', () => {
    // GraphicData's FL turned into UN: its first value becomes a 4-byte length.
    const file = sr();
    const tag = Buffer.from([0x70, 0x00, 0x22, 0x00, 0x46, 0x4c]);
    const at = file.indexOf(tag);
    expect(at).toBeGreaterThan(0);
    file.write('UN', at + 4, 'latin1');
    file.writeUInt32LE(0x0a160000, at + 8);
    const error = appError(() => readPart10(file));
    expect(error.code).toBe(ErrorCode.Malformed);
    expect(error.message).toBe(
      'This DICOM file is damaged and cannot be read (an element runs past its end).',
    );
  });

  it('sequences nested thousands deep are refused at once', () => {
    const file = sr();
    const at = file.indexOf(Buffer.from([0x40, 0x00, 0x30, 0xa7, 0x53, 0x51, 0, 0])) + 12;
    const open = Buffer.from([
      0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff, 0x40, 0x00, 0x30, 0xa7, 0x53, 0x51, 0, 0, 0xff, 0xff,
      0xff, 0xff,
    ]);
    const deep = Buffer.concat([file.subarray(0, at), ...Array(5000).fill(open), file.subarray(at)]);
    const started = performance.now();
    expect(appError(() => readPart10(deep)).message).toMatch(/nest more than 64 deep/);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('a few padding bytes after the last element are ignored', () => {
    expect(() => checkPart10Structure(Buffer.concat([sr(), Buffer.from([0, 0, 0])]))).not.toThrow();
  });

  it('a file cut inside a sequence is refused', () => {
    const file = sr();
    expect(appError(() => readPart10(file.subarray(0, Math.floor(file.length * 0.6)))).code).toBe(
      ErrorCode.Malformed,
    );
  });
});

describe('SR bounds', () => {
  const chain = (depth: number): Dataset => {
    let item: Dataset = { ValueType: 'TEXT', TextValue: 'x' };
    for (let i = 0; i < depth; i++) item = { ValueType: 'CONTAINER', ContentSequence: [item] };
    return item;
  };

  it(`content deeper than ${MAX_CONTENT_DEPTH} levels is refused without recursion`, () => {
    expect(() => checkContentTree(chain(MAX_CONTENT_DEPTH - 1))).not.toThrow();
    expect(appError(() => checkContentTree(chain(100_000))).message).toMatch(/more than 50 levels deep/);
  });

  it(`more than ${MAX_CONTENT_ITEMS} content items are refused`, () => {
    const many = {
      ContentSequence: Array.from({ length: MAX_CONTENT_ITEMS + 1 }, () => ({ ValueType: 'TEXT' })),
    };
    const error = appError(() => checkContentTree(many));
    expect(error.code).toBe(ErrorCode.TooLarge);
  });

  it('collects the images the content refers to', () => {
    const dataset = {
      ContentSequence: [
        {
          ValueType: 'SCOORD',
          ContentSequence: [
            { ValueType: 'IMAGE', ReferencedSOPSequence: [{ ReferencedSOPInstanceUID: '1.2.3.4.2' }] },
          ],
        },
      ],
    };
    expect([...checkContentTree(dataset)]).toEqual(['1.2.3.4.2']);
  });

  const reader = (dataset: Dataset) =>
    readMeasurementSR(dataset, {
      resolve: (sop) => {
        const slice = geometry.slices.find((s) => s.sopInstanceUID === sop);
        return slice ? { geometry, slice } : null;
      },
      newVersionId: () => '',
    });

  it('NaN, infinite or huge coordinates skip the measurement with a message', () => {
    const dataset = readPart10(Buffer.from(lengthSr('r')));
    const scoords = (d: Dataset): Dataset[] => {
      const out: Dataset[] = [];
      const visit = (item: Dataset) => {
        for (const child of (item['ContentSequence'] as Dataset[] | undefined) ?? []) {
          if (child['ValueType'] === 'SCOORD') out.push(child);
          visit(child);
        }
      };
      visit(d);
      return out;
    };
    expect(reader(dataset).versions).toHaveLength(1);
    for (const bad of [NaN, Infinity, 3.4e38]) {
      for (const item of scoords(dataset)) item['GraphicData'] = [1, 2, bad, 4];
      const result = reader(dataset);
      expect(result.versions).toHaveLength(0);
      expect(result.skipped).toEqual(['Length: its coordinates are not numbers on the image']);
    }
  });

  it('an SR without a valid Study Instance UID is refused', () => {
    const dataset = readPart10(Buffer.from(lengthSr('r')));
    expect(appError(() => reader({ ...dataset, StudyInstanceUID: '1.2.x' })).message).toBe(
      'This structured report has no valid Study Instance UID.',
    );
  });
});
