/**
 * SR and SEG files in every uncompressed transfer syntax (#9, hostile files continued): explicit VR
 * big endian (1.2.840.10008.1.2.2) and deflated explicit VR little endian (1.2.840.10008.1.2.1.99)
 * are walked with the same bounds as little endian before anything reads them (big endian in its
 * byte order, deflated after inflating with a bounded output) and read into the same measurements
 * and labelmaps; a deflate bomb, a broken deflate stream and damaged big endian files end in a
 * per-file message in bounded time and memory. readPart10 (the walk gives the structure, dcmjs
 * reads each value where it lies) gives the same dataset as dcmjs's own reader of the whole file.
 * dcmtk's dcmconv writes the other syntaxes (+tb, +td, +ti; -e undefined lengths).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_INFLATED_BYTES,
  checkPart10Structure,
  part10Layout,
  readPart10,
  readPart10Whole,
} from '../../../main/annotation/dicom/dataset.js';
import { parseSegmentationFile } from '../../../main/annotation/dicom/seg-parse.js';
import { readSegmentation } from '../../../main/annotation/dicom/seg-read.js';
import { readMeasurementSR } from '../../../main/annotation/dicom/sr-read.js';
import { writeMeasurementSR } from '../../../main/annotation/dicom/sr-write.js';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { makeTempDir } from '../../fixtures/index.js';
import { FILE_MUTATION_KINDS, mutatePart10 } from '../../fuzz/part10-mutations.js';
import { rng } from '../../fuzz/send-to-scp.js';
import { testSegBytes, testSeriesGeometry } from '../../support/seg-fixtures.js';
import { deflateBomb, withTransferSyntax } from '../../support/part10-syntaxes.js';

const W = 16;
const H = 8;
const geometry = testSeriesGeometry({
  rows: H,
  columns: W,
  slices: 3,
  patientName: 'Test^Syntax',
  patientId: 'P7',
});
const dir = makeTempDir('part10-syntaxes');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sr(count = 3): Buffer {
  const bytes = writeMeasurementSR({
    versions: Array.from({ length: count }, (_, i) => ({
      versionId: `0f8f2a52-2a47-4a36-9b7a-0d8b1c1f${String(i).padStart(4, '0')}`,
      annotationUid: `0f8f2a52-2a47-4a36-9b7a-1d8b1c1f${String(i).padStart(4, '0')}`,
      parentIds: [],
      studyInstanceUID: '1.2.3',
      seriesInstanceUID: '1.2.3.4',
      sopInstanceUID: `1.2.3.4.${1 + (i % 3)}`,
      kind: 'measurement',
      tool: 'Length',
      attributes: {},
      source: 'human',
      author: '读片者',
      status: 'complete',
      deleted: false,
      createdAt: 0,
      data: {
        metadata: { toolName: 'Length' },
        data: {
          handles: {
            points: [
              [1 + i, 1, 2 * (i % 3)],
              [5, 3 + i, 2 * (i % 3)],
            ],
          },
          label: `肺结节 Größe ${i}`,
          cachedStats: { x: { length: 4.5 + i, unit: 'mm' } },
        },
      },
    })),
    geometry: () => geometry,
    reader: '读片者',
    softwareVersion: 'test',
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function seg(): Buffer {
  const layer = new Map<string, Uint8Array>();
  geometry.slices.forEach((slice, k) =>
    layer.set(
      slice.sopInstanceUID,
      Uint8Array.from({ length: W * H }, (_, i) => (i % 5 === k ? (k === 2 ? 2 : 1) : 0)),
    ),
  );
  const bytes = testSegBytes(
    geometry,
    [layer],
    [
      { segmentIndex: 1, name: 'a', color: '#ff0000', layer: 0, labelValue: 1 },
      { segmentIndex: 2, name: '肝脏', color: '#00ff00', layer: 0, labelValue: 2 },
    ],
  );
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const resolve = (sop: string) => {
  const slice = geometry.slices.find((s) => s.sopInstanceUID === sop);
  return slice ? { geometry, slice } : null;
};
const measurements = (bytes: Uint8Array) =>
  readMeasurementSR(readPart10(bytes), { resolve, newVersionId: () => '', now: 0 });
const labelmap = (bytes: Uint8Array) =>
  readSegmentation(parseSegmentationFile(bytes), { seriesGeometry: () => geometry }).labelmap;

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

/** A dataset in a form to compare: binary values as hex, the rest as it is. */
function comparable(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return `bytes ${Buffer.from(value).toString('hex')}`;
  if (ArrayBuffer.isView(value))
    return `bytes ${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  return value;
}

const SYNTAXES = [
  ['explicit VR big endian', ['+tb']],
  ['deflated explicit VR little endian', ['+td']],
  ['implicit VR little endian with undefined lengths', ['+ti', '-e']],
  ['explicit VR little endian with explicit lengths', ['+te', '+e']],
] as const;

describe('SR in every transfer syntax', () => {
  const original = sr();
  const expected = measurements(original);

  it.each(SYNTAXES)('%s: walked and read into the same measurements', (_name, args) => {
    const file = withTransferSyntax(original, args, dir);
    expect(() => checkPart10Structure(file)).not.toThrow();
    const result = measurements(file);
    expect(result.skipped).toEqual([]);
    expect(result.versions).toHaveLength(3);
    expect(result.versions).toEqual(expected.versions);
    expect(JSON.stringify(result.versions)).toContain('肺结节 Größe 2');
  });

  it.each(SYNTAXES)('%s: readPart10 gives what dcmjs reads from the whole file', (_name, args) => {
    const file = withTransferSyntax(original, args, dir);
    expect(comparable(readPart10(file))).toEqual(comparable(readPart10Whole(file)));
  });

  it.each([
    ['SR', () => sr()],
    ['SEG', () => seg()],
  ])(
    'readPart10 and dcmjs agree on mutated %s files too (the same dataset, or both refuse)',
    (_kind, make) => {
      const original = make();
      const random = rng(20261205);
      let compared = 0;
      for (let index = 0; index < 150; index++) {
        const kind = FILE_MUTATION_KINDS[index % FILE_MUTATION_KINDS.length]!;
        const file = mutatePart10(original, kind, random, index);
        // Where they rightly differ: readPart10 decodes text in sequences in the data set's character
        // set (dcmjs's reader read it as Latin-1 and, having set the character set to UTF-8, had it
        // re-decoded as UTF-8 whatever the file said), and reads a file meta group by its elements,
        // not by its group length.
        if (kind === 'odd-charset' || kind === 'hostile-meta') continue;
        let ours: unknown;
        let theirs: unknown;
        try {
          const dataset = readPart10(file);
          // Nothing after the file meta group: nothing read, as dcmjs refuses it.
          ours = Object.keys(dataset).length > 1 ? comparable(dataset) : 'refused';
        } catch (error) {
          expect(error, `${kind} #${index}`).toBeInstanceOf(AppError);
          ours = 'refused';
        }
        try {
          theirs = comparable(readPart10Whole(file));
        } catch {
          theirs = 'refused';
        }
        expect(ours, `${kind} #${index}`).toEqual(theirs);
        compared++;
      }
      expect(compared).toBeGreaterThan(100);
    },
  );
});

describe('SEG in every transfer syntax', () => {
  const original = seg();
  const expected = labelmap(original);

  it.each(SYNTAXES)('%s: read into the same labelmap', (_name, args) => {
    const file = withTransferSyntax(original, args, dir);
    expect(() => checkPart10Structure(file)).not.toThrow();
    const result = labelmap(file);
    expect(result.segments.map((s) => s.name)).toEqual(['a', '肝脏']);
    expect(result.layers).toEqual(expected.layers);
    // dcmjs's reading agrees.
    expect(readSegmentation(readPart10(file), { seriesGeometry: () => geometry }).labelmap.layers).toEqual(
      expected.layers,
    );
  });
});

describe('hostile deflated and big endian files', () => {
  /** The file as dcmconv deflates it, and its bytes before the data set (the file meta group). */
  const header = (file: Buffer) => {
    const deflated = withTransferSyntax(file, ['+td'], dir);
    return { deflated, meta: deflated.subarray(0, part10Layout(deflated).start) };
  };

  it.each([
    ['SR', () => sr(1)],
    ['SEG', () => seg()],
  ])('a deflate bomb (%s) is refused with a clear message, in bounded time and memory', (_kind, make) => {
    const { meta } = header(make());
    // ~1 MB that inflates to 1 GiB of zeros.
    const bomb = Buffer.concat([meta, deflateBomb(1024)]);
    expect(bomb.length).toBeLessThan(2 * 2 ** 20);
    const rss = process.memoryUsage().rss;
    const started = process.cpuUsage();
    for (const read of [() => readPart10(bomb), () => parseSegmentationFile(bomb)]) {
      const error = appError(read);
      expect(error.code).toBe(ErrorCode.TooLarge);
      expect(error.message).toBe(
        `This DICOM file's deflated data set inflates to more than ${MAX_INFLATED_BYTES / 2 ** 20} MB; it is not read.`,
      );
    }
    const cpu = process.cpuUsage(started);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(MAX_INFLATED_BYTES + 256 * 2 ** 20);
  });

  it('a truncated or garbled deflate stream is refused as damaged', () => {
    const { deflated, meta } = header(sr());
    const body = deflated.subarray(meta.length);
    const garbled = Buffer.from(body);
    for (let i = 0; i < garbled.length; i += 7) garbled[i] = garbled[i]! ^ 0x5a;
    for (const file of [
      Buffer.concat([meta, body.subarray(0, body.length >> 1)]),
      Buffer.concat([meta, garbled]),
      Buffer.concat([meta, Buffer.from('not deflate at all')]),
    ]) {
      const read = appError(() => readPart10(file));
      expect(read.code).toBe(ErrorCode.Malformed);
      expect(read.message).toMatch(/^This DICOM file is damaged and cannot be read \(.+\)\.$/);
      expect(appError(() => parseSegmentationFile(file)).code).toBe(ErrorCode.Malformed);
    }
  });

  it('a big endian file is walked in its byte order: a length past the end, or cut short, is refused', () => {
    const file = withTransferSyntax(sr(), ['+tb'], dir);
    // TextValue (0040,A160) UT: a 4-byte big endian length after its VR.
    const at = file.indexOf(Buffer.from([0x00, 0x40, 0xa1, 0x60, 0x55, 0x54]));
    expect(at).toBeGreaterThan(0);
    const long = Buffer.from(file);
    long.writeUInt32BE(0x7ffffff0, at + 8);
    expect(appError(() => readPart10(long)).message).toBe(
      'This DICOM file is damaged and cannot be read (an element runs past its end).',
    );
    expect(appError(() => readPart10(file.subarray(0, Math.floor(file.length * 0.6)))).code).toBe(
      ErrorCode.Malformed,
    );
    // Read as little endian, the same lengths would be wrong: the walk uses the file's byte order.
    expect(() => checkPart10Structure(file)).not.toThrow();
  });

  it('deflated sequences nested thousands deep are refused at once', () => {
    const { meta } = header(sr(1));
    const open = Buffer.from([
      0x40, 0x00, 0x30, 0xa7, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff,
      0xff, 0xff,
    ]);
    const deep = Buffer.concat([meta, zlib.deflateRawSync(Buffer.concat(Array(5000).fill(open)))]);
    const started = performance.now();
    expect(appError(() => readPart10(deep)).message).toMatch(/nest more than 64 deep/);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
