/**
 * Hostile SR and SEG files through the annotation import (`annotation.importFiles`, #9): valid
 * seeds — RadLabel's own BINARY SEG with overlapping segments (two layers) and TID 1500 SR with
 * Chinese text, and the pydicom/highdicom-structured FRACTIONAL SEG, Label Map SEG and TID 1410 SR
 * of test/integration/annotation/fixtures — are mutated: truncation at every top-level element of
 * the file, the mutations of test/fuzz/part10-mutations.ts, and targeted attacks on what the
 * readers trust (sizes, frame counts, pixel lengths, segment numbers, references, functional
 * groups, coordinates, nesting, item counts, VRs, text encodings).
 *
 * Each file ends in a correct import or in a per-file problem that is typed (an AppError's message,
 * never the untyped fallback), short, without a stack trace or the patient's name or id; no import
 * hangs (each batch is bounded in time), memory stays bounded, a valid SR in the same batch still
 * goes in, and the annotations and labelmaps stored before are unchanged. RADLABEL_FUZZ_ANNOTATION_COUNT
 * sets the number of random mutations per seed (25 in `npm test`, 300 in `npm run test:soak`);
 * RADLABEL_FUZZ_SEED replays a run (the seed is printed).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Dataset,
  part10Layout,
  readPart10,
  writePart10,
} from '../../../main/annotation/dicom/dataset.js';
import { type SeriesGeometry, readSeriesGeometry } from '../../../main/annotation/dicom/geometry.js';
import type { AnnotationVersionLike } from '../../../main/annotation/dicom/model.js';
import { writeSegmentation } from '../../../main/annotation/dicom/seg-write.js';
import { writeMeasurementSR } from '../../../main/annotation/dicom/sr-write.js';
import { silentLogger } from '../../../main/core/logger.js';
import { type Services, createServices } from '../../../main/services.js';
import type { EventOf } from '../../../shared/contract.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { FILE_MUTATION_KINDS, mutatePart10 } from '../../fuzz/part10-mutations.js';
import { rng } from '../../fuzz/send-to-scp.js';
import { foreignSpecOf, writeForeignObjects } from '../../support/foreign-objects.js';
import { importAndWait } from '../../support/import.js';
import { oneSegmentLabelmap } from '../../support/labelmap.js';
import { deflateBomb, withTransferSyntax } from '../../support/part10-syntaxes.js';

const COUNT = Number(process.env['RADLABEL_FUZZ_ANNOTATION_COUNT'] ?? 25);
const SEED = Number(process.env['RADLABEL_FUZZ_SEED'] ?? 20261204);
const BATCH = Number(process.env['RADLABEL_FUZZ_ANNOTATION_BATCH'] ?? 20);
/** RADLABEL_FUZZ_TRACE=<file>: each batch's files are appended to it before they are imported (a hang's culprit). */
const TRACE = process.env['RADLABEL_FUZZ_TRACE'];
const trace = (line: string) => TRACE && fs.appendFileSync(TRACE, `${line}\n`);
/** Generous for a shared 2-core machine: a batch of 20 small objects normally takes well under 5 s. */
const BATCH_LIMIT_MS = 60_000;
/** What import.ts says when a reader threw something other than an AppError: a bug to fix. */
const UNTYPED = 'The object could not be read.';

const scratch = makeTempDir('annotation-fuzz');
const ct = ensureCtSeries({ slices: 6, size: 64, seed: 'annotation-fuzz' });
const foreign = path.join(scratch, 'foreign');
const mutants = path.join(scratch, 'mutants');
let geometry: SeriesGeometry;
let services: Services;
/** PHI of the seeds that no message may carry. */
const phi = new Set<string>();

const seeds = new Map<string, Buffer>();
/** Versions (SR) or labelmaps (SEG) each seed added when first imported. */
const seededCounts = new Map<string, number>();

function measurement(index: number, note: string): AnnotationVersionLike {
  const slice = geometry.slices[1 + (index % 4)]!;
  const z = slice.position[2];
  return {
    versionId: crypto.randomUUID(),
    annotationUid: crypto.randomUUID(),
    parentIds: [],
    studyInstanceUID: ct.studyInstanceUID,
    seriesInstanceUID: ct.seriesInstanceUID,
    sopInstanceUID: slice.sopInstanceUID,
    kind: 'measurement',
    tool: 'Length',
    attributes: {},
    source: 'human',
    author: '读片者',
    status: 'complete',
    deleted: false,
    createdAt: Date.now(),
    data: {
      metadata: { toolName: 'Length' },
      data: {
        handles: {
          points: [
            [-10 + index, -5, z],
            [12, 8 + index, z],
          ],
        },
        label: note,
        cachedStats: { x: { length: 25.1 + index, unit: 'mm' } },
      },
    },
  };
}

/** A valid SR RadLabel writes, with fresh UIDs (it imports as new versions). */
function ourSR(count = 2): Buffer {
  const bytes = writeMeasurementSR({
    versions: Array.from({ length: count }, (_, i) => measurement(i, `肺结节 长径 ${i}`)),
    geometry: () => geometry,
    reader: '读片者',
    softwareVersion: 'fuzz',
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function ourSEG(): Buffer {
  const size = 64 * 64;
  const layer0 = new Map<string, Uint8Array>();
  const layer1 = new Map<string, Uint8Array>();
  for (const k of [1, 2, 3]) {
    const sop = geometry.slices[k]!.sopInstanceUID;
    const a = new Uint8Array(size);
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const [x, y] = [i % 64, Math.floor(i / 64)];
      if (x > 10 && x < 40 && y > 10 && y < 40) a[i] = 1;
      if (x > 30 && x < 50 && y > 30 && y < 50) b[i] = 2; // overlaps segment 1
      if (x < 5 && y < 5 + k) a[i] = 3;
    }
    layer0.set(sop, a);
    layer1.set(sop, b);
  }
  const bytes = writeSegmentation({
    labelmap: {
      layers: [layer0, layer1],
      segments: [
        { segmentIndex: 1, name: '肝脏', color: '#ff0000', layer: 0, labelValue: 1 },
        { segmentIndex: 2, name: 'lesion', color: '#00ff00', layer: 1, labelValue: 2 },
        { segmentIndex: 3, name: 'vessel', color: '#0000ff', layer: 0, labelValue: 3 },
      ],
      width: 64,
      height: 64,
    },
    geometry,
    source: 'human',
    author: 'fuzz',
    softwareVersion: 'fuzz',
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The file with its dataset changed (dcmjs round trip; fresh SOP Instance UID). */
function edited(seed: string, change: (dataset: Dataset) => void): Buffer {
  const dataset = readPart10(seeds.get(seed)!);
  dataset['SOPInstanceUID'] = `2.25.${BigInt('0x' + crypto.randomBytes(12).toString('hex')).toString()}`;
  change(dataset);
  const bytes = writePart10(dataset);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const frames = (dataset: Dataset) => dataset['PerFrameFunctionalGroupsSequence'] as Dataset[];
const segmentsOf = (dataset: Dataset) => dataset['SegmentSequence'] as Dataset[];
const pixelsOf = (dataset: Dataset): Uint8Array => {
  const value = dataset['PixelData'];
  const buffer = (Array.isArray(value) ? value[0] : value) as ArrayBuffer;
  return new Uint8Array(buffer);
};
const withPixels = (dataset: Dataset, pixels: Uint8Array) => {
  dataset['PixelData'] = [pixels.slice().buffer];
};

/** The content items of an SR, depth first. */
function* contentItems(item: Dataset): Generator<Dataset> {
  const children = item['ContentSequence'];
  for (const child of (Array.isArray(children) ? children : children ? [children] : []) as Dataset[]) {
    yield child;
    yield* contentItems(child);
  }
}

/** An explicit VR element with a 16-bit length. */
function element(tag: number, vr: string, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(tag >>> 16, 0);
  head.writeUInt16LE(tag & 0xffff, 2);
  head.write(vr, 4, 'latin1');
  head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}
const ITEM_OPEN = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]); // undefined length
const ITEM_CLOSE = Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]);
const SEQUENCE_CLOSE = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);

/** Raw bytes: nested CONTAINER content items `depth` deep, to splice into a sequence. */
function nestedContainers(depth: number): Buffer {
  const open = Buffer.concat([
    ITEM_OPEN,
    element(0x0040a010, 'CS', Buffer.from('CONTAINS')),
    element(0x0040a040, 'CS', Buffer.from('CONTAINER ')),
    Buffer.from([0x40, 0x00, 0x30, 0xa7, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff]), // ContentSequence
  ]);
  const close = Buffer.concat([SEQUENCE_CLOSE, ITEM_CLOSE]);
  return Buffer.concat([
    ...Array.from({ length: depth }, () => open),
    ...Array.from({ length: depth }, () => close),
  ]);
}

/** Raw bytes: `count` TEXT content items. */
function textItems(count: number): Buffer {
  const one = Buffer.concat([
    ITEM_OPEN,
    element(0x0040a010, 'CS', Buffer.from('CONTAINS')),
    element(0x0040a040, 'CS', Buffer.from('TEXT')),
    element(0x0040a160, 'LT', Buffer.from('x ')),
    ITEM_CLOSE,
  ]);
  return Buffer.concat(Array.from({ length: count }, () => one));
}

/** Our SR with raw content items spliced in as the root's first ones. */
function spliced(raw: Buffer): Buffer {
  const file = ourSR(1);
  // The root's ContentSequence (0040,A730) SQ with undefined length, as dcmjs writes it: its items follow.
  const at = file.indexOf(Buffer.from([0x40, 0x00, 0x30, 0xa7, 0x53, 0x51, 0, 0]));
  if (at < 0 || file.readUInt32LE(at + 8) !== 0xffffffff)
    throw new Error('no content sequence of undefined length');
  return Buffer.concat([file.subarray(0, at + 12), raw, file.subarray(at + 12)]);
}

interface Case {
  name: string;
  bytes: Buffer;
  /** 'refused': must end in a problem; 'any': a problem or a correct import. */
  expect: 'refused' | 'any';
  /** The problem it must end in, when it is known. */
  problem?: RegExp;
}

/** Targeted attacks on what the readers trust. */
function targetedCases(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, expect: Case['expect'], bytes: () => Buffer, problem?: RegExp) => {
    trace(`building ${name}`);
    cases.push({ name, expect, bytes: bytes(), ...(problem ? { problem } : {}) });
  };
  for (const seed of ['seg-ours', 'seg-fractional', 'seg-labelmap']) {
    add(`${seed}: 65535×65535×100000`, 'refused', () =>
      edited(seed, (d) => {
        d['Rows'] = 65535;
        d['Columns'] = 65535;
        d['NumberOfFrames'] = '100000';
      }),
    );
    add(`${seed}: NumberOfFrames 100000`, 'refused', () =>
      edited(seed, (d) => (d['NumberOfFrames'] = '100000')),
    );
    add(`${seed}: NumberOfFrames 2147483647`, 'refused', () =>
      edited(seed, (d) => (d['NumberOfFrames'] = '2147483647')),
    );
    add(`${seed}: NumberOfFrames -1`, 'refused', () => edited(seed, (d) => (d['NumberOfFrames'] = '-1')));
    add(`${seed}: NumberOfFrames NaN`, 'refused', () => edited(seed, (d) => (d['NumberOfFrames'] = 'abc')));
    add(`${seed}: NumberOfFrames 0`, 'any', () => edited(seed, (d) => (d['NumberOfFrames'] = '0')));
    add(`${seed}: Rows 0`, 'refused', () => edited(seed, (d) => (d['Rows'] = 0)));
    add(`${seed}: Columns 63`, 'refused', () => edited(seed, (d) => (d['Columns'] = 63)));
    add(`${seed}: pixel data two bytes short`, 'refused', () =>
      edited(seed, (d) => withPixels(d, pixelsOf(d).subarray(0, pixelsOf(d).length - 2))),
    );
    add(`${seed}: pixel data half`, 'refused', () =>
      edited(seed, (d) => withPixels(d, pixelsOf(d).subarray(0, pixelsOf(d).length >> 1))),
    );
    add(`${seed}: no pixel data`, 'refused', () => edited(seed, (d) => delete d['PixelData']));
    add(`${seed}: pixel data longer than declared`, 'any', () =>
      edited(seed, (d) => {
        const longer = new Uint8Array(pixelsOf(d).length * 3);
        longer.set(pixelsOf(d));
        longer.fill(0xff, pixelsOf(d).length);
        withPixels(d, longer);
      }),
    );
    add(`${seed}: BitsAllocated 1`, 'any', () => edited(seed, (d) => (d['BitsAllocated'] = 1)));
    add(`${seed}: BitsAllocated 32`, 'any', () => edited(seed, (d) => (d['BitsAllocated'] = 32)));
    add(`${seed}: BitsAllocated 0`, 'any', () => edited(seed, (d) => (d['BitsAllocated'] = 0)));
    add(`${seed}: segment numbers 0`, 'any', () =>
      edited(seed, (d) => {
        for (const s of segmentsOf(d)) s['SegmentNumber'] = 0;
        for (const f of frames(d))
          if (f['SegmentIdentificationSequence'])
            (f['SegmentIdentificationSequence'] as Dataset[])[0]!['ReferencedSegmentNumber'] = 0;
      }),
    );
    add(`${seed}: segment number 65535`, 'any', () =>
      edited(seed, (d) => {
        segmentsOf(d)[0]!['SegmentNumber'] = 65535;
        for (const f of frames(d))
          if (f['SegmentIdentificationSequence'])
            (f['SegmentIdentificationSequence'] as Dataset[])[0]!['ReferencedSegmentNumber'] = 65535;
      }),
    );
    add(`${seed}: segment numbers duplicated`, 'any', () =>
      edited(seed, (d) => {
        for (const s of segmentsOf(d)) s['SegmentNumber'] = 1;
      }),
    );
    add(`${seed}: frames name segments missing from the segment sequence`, 'any', () =>
      edited(seed, (d) => (d['SegmentSequence'] = [segmentsOf(d)[segmentsOf(d).length - 1]!])),
    );
    add(`${seed}: no segment sequence`, 'any', () => edited(seed, (d) => delete d['SegmentSequence']));
    add(`${seed}: referenced images not in the catalog`, 'refused', () =>
      edited(seed, (d) => {
        d['ReferencedSeriesSequence'] = [{ SeriesInstanceUID: '1.2.3.4.5.6.7.8.9' }];
        for (const f of frames(d)) {
          delete f['DerivationImageSequence'];
          delete f['PlanePositionSequence'];
        }
      }),
    );
    add(`${seed}: malformed referenced UIDs`, 'any', () =>
      edited(seed, (d) => {
        delete d['ReferencedSeriesSequence'];
        for (const f of frames(d))
          f['DerivationImageSequence'] = [
            { SourceImageSequence: [{ ReferencedSOPInstanceUID: '\u00ff\u0000../../etc/passwd' }] },
          ];
      }),
    );
    add(`${seed}: malformed Study Instance UID`, 'any', () =>
      edited(seed, (d) => (d['StudyInstanceUID'] = '1.2.x\u00e9..')),
    );
    add(`${seed}: no per-frame functional groups`, 'any', () =>
      edited(seed, (d) => delete d['PerFrameFunctionalGroupsSequence']),
    );
    add(`${seed}: fewer per-frame items than frames`, 'any', () =>
      edited(seed, (d) => (d['PerFrameFunctionalGroupsSequence'] = frames(d).slice(0, 1))),
    );
    add(`${seed}: more per-frame items than frames`, 'any', () =>
      edited(
        seed,
        (d) => (d['PerFrameFunctionalGroupsSequence'] = [...frames(d), ...frames(d), ...frames(d)]),
      ),
    );
    add(`${seed}: frame positions NaN and huge`, 'any', () =>
      edited(seed, (d) => {
        for (const [i, f] of frames(d).entries()) {
          delete f['DerivationImageSequence'];
          f['PlanePositionSequence'] = [
            { ImagePositionPatient: i % 2 ? ['NaN', '1', '2'] : [1e308, -1e308, 1e308] },
          ];
        }
      }),
    );
  }
  add('seg-ours: odd size with BitsAllocated 1 (63×63 images)', 'refused', () =>
    edited('seg-ours', (d) => {
      d['Rows'] = 63;
      d['Columns'] = 63;
    }),
  );

  // SR.
  for (const seed of ['sr-ours', 'sr-highdicom']) {
    const graphic = (value: (data: number[]) => unknown) => () =>
      edited(seed, (d) => {
        for (const item of contentItems(d))
          if (item['ValueType'] === 'SCOORD' || item['ValueType'] === 'SCOORD3D')
            item['GraphicData'] = value(item['GraphicData'] as number[]);
      });
    add(
      `${seed}: NaN coordinates`,
      'any',
      graphic((data) => data.map(() => NaN)),
    );
    add(
      `${seed}: infinite coordinates`,
      'any',
      graphic((data) => data.map((_, i) => (i % 2 ? Infinity : -Infinity))),
    );
    add(
      `${seed}: huge coordinates`,
      'any',
      graphic((data) => data.map(() => 3.4e38)),
    );
    add(
      `${seed}: no coordinates`,
      'any',
      graphic(() => []),
    );
    add(
      `${seed}: 100001 coordinates`,
      'any',
      graphic(() => Array.from({ length: 100_001 }, (_, i) => i % 64)),
    );
    add(`${seed}: referenced images not in the catalog`, 'any', () =>
      edited(seed, (d) => {
        for (const item of contentItems(d))
          for (const ref of (item['ReferencedSOPSequence'] as Dataset[] | undefined) ?? [])
            ref['ReferencedSOPInstanceUID'] = '1.2.3.999999';
      }),
    );
    add(`${seed}: malformed UIDs`, 'any', () =>
      edited(seed, (d) => {
        d['StudyInstanceUID'] = 'not a uid \u00e9';
        for (const item of contentItems(d)) if (item['UID'] !== undefined) item['UID'] = '..//\\';
      }),
    );
    add(`${seed}: cyclic-looking references (a version its own parent)`, 'any', () =>
      edited(seed, (d) => {
        let version = '';
        for (const item of contentItems(d)) {
          const code = (item['ConceptNameCodeSequence'] as Dataset[] | undefined)?.[0];
          if (code?.['CodeValue'] === 'version' || code?.['CodeMeaning'] === 'Version')
            version = String(item['UID']);
          if (item['UID'] !== undefined && version) item['UID'] = version;
        }
      }),
    );
    add(`${seed}: wrong value types`, 'any', () =>
      edited(seed, (d) => {
        const types = ['NUM', 'SCOORD', 'CODE', 'TEXT', 'CONTAINER', 'IMAGE', 'SCOORD3D', 'UIDREF', '\u00ff'];
        let i = 0;
        for (const item of contentItems(d)) item['ValueType'] = types[i++ % types.length];
      }),
    );
    add(`${seed}: no content`, 'any', () => edited(seed, (d) => delete d['ContentSequence']));
  }
  add('sr-ours: 200 nested containers', 'any', () => spliced(nestedContainers(200)));
  add('sr-ours: 5000 nested containers', 'any', () => spliced(nestedContainers(5000)));
  add('sr-ours: 100000 content items (2000 measurement groups)', 'any', () => ourSR(2000));
  add('sr-ours: 100000 text content items', 'any', () => spliced(textItems(100_000)));
  // Non-UTF-8 bytes in UTF-8 text: Latin-1 bytes where the character set says ISO_IR 192.
  add('sr-ours: invalid UTF-8 text', 'any', () => {
    const file = ourSR(1);
    const at = file.indexOf(Buffer.from('肺结节'));
    if (at >= 0) Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]).copy(file, at);
    return file;
  });
  // Big endian and deflated files (walked in their byte order, inflated with a bounded output).
  for (const seed of seeds.keys()) {
    const bigEndian = () => withTransferSyntax(seeds.get(seed)!, ['+tb'], scratch);
    const deflated = () => withTransferSyntax(seeds.get(seed)!, ['+td'], scratch);
    const metaOf = (file: Buffer) => file.subarray(0, part10Layout(file).start);
    add(`${seed}: big endian, cut in half`, 'refused', () => {
      const file = bigEndian();
      return file.subarray(0, file.length >> 1);
    });
    add(`${seed}: big endian, a length past the end`, 'any', () => {
      const file = bigEndian();
      // The first 4-byte length after the file meta group, made huge (read big endian).
      const start = file.indexOf(Buffer.from('SQ'), metaOf(file).length);
      if (start > 0) file.writeUInt32BE(0x7ffffff0, start + 4);
      return file;
    });
    add(`${seed}: deflated, cut in half`, 'refused', () => {
      const file = deflated();
      return file.subarray(0, metaOf(file).length + ((file.length - metaOf(file).length) >> 1));
    });
    add(`${seed}: deflated, garbled`, 'refused', () => {
      const file = deflated();
      for (let i = metaOf(file).length; i < file.length; i += 5) file[i] = file[i]! ^ 0xa5;
      return file;
    });
    add(
      `${seed}: deflate bomb (1 GiB of zeros in ~1 MB)`,
      'refused',
      () => Buffer.concat([metaOf(deflated()), deflateBomb(1024)]),
      /^This DICOM file's deflated data set inflates to more than 512 MB; it is not read\.$/,
    );
  }
  add('sr-ours: deflated, 5000 nested containers', 'any', () =>
    withTransferSyntax(spliced(nestedContainers(5000)), ['+td'], scratch),
  );
  add('sr-ours: wrong VR for GraphicData (FL as UN)', 'any', () => {
    const file = ourSR(1);
    const tag = Buffer.from([0x70, 0x00, 0x22, 0x00]);
    for (let at = file.indexOf(tag); at >= 0; at = file.indexOf(tag, at + 1))
      if (file.toString('latin1', at + 4, at + 6) === 'FL') file.write('UN', at + 4, 'latin1');
    return file;
  });
  return cases;
}

/** Truncations at every top-level element of the file, one byte into it and at its start. */
function truncations(file: Buffer): number[] {
  const cuts = new Set<number>([0, 1, 127, 131, 132, 140, file.length - 1, file.length - 2]);
  let offset = 132;
  while (offset + 8 <= file.length) {
    cuts.add(offset);
    cuts.add(offset + 5);
    const vr = file.toString('latin1', offset + 4, offset + 6);
    const long = ['OB', 'OD', 'OF', 'OL', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'OV', 'SV', 'UV'].includes(vr);
    const length = long ? file.readUInt32LE(offset + 8) : file.readUInt16LE(offset + 6);
    const start = offset + (long ? 12 : 8);
    if (length === 0xffffffff) {
      // Into the sequence's items, at a few places.
      for (const f of [0.1, 0.3, 0.5, 0.7, 0.9]) cuts.add(start + Math.floor((file.length - start) * f));
      // The element after it: find the sequence's end by its delimiter.
      const end = file.indexOf(Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]), start);
      if (end < 0) break;
      offset = end + 8;
      continue;
    }
    if (vr === 'OB' || vr === 'OW') cuts.add(start + Math.floor(length / 2));
    offset = start + length;
  }
  return [...cuts].filter((cut) => cut >= 0 && cut < file.length).sort((a, b) => a - b);
}

interface Snapshot {
  annotations: string[];
  labelmaps: string[];
}

async function snapshot(): Promise<Snapshot> {
  const { handlers } = services;
  const annotations: string[] = [];
  for (const head of (await handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID })).heads)
    for (const version of await handlers['annotation.history']({ annotationUid: head.annotationUid }))
      annotations.push(
        `${version.versionId} ${crypto.createHash('sha256').update(JSON.stringify(version)).digest('hex')}`,
      );
  const labelmaps: string[] = [];
  for (const head of await handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID })) {
    const view = await handlers['segmentation.load']({ annotationUid: head.annotationUid });
    labelmaps.push(
      `${head.versionId} ${crypto.createHash('sha256').update(JSON.stringify(view)).digest('hex')}`,
    );
  }
  return { annotations: annotations.sort(), labelmaps: labelmaps.sort() };
}

beforeAll(async () => {
  geometry = readSeriesGeometry(ct.files);
  fs.mkdirSync(foreign, { recursive: true });
  fs.mkdirSync(mutants, { recursive: true });
  writeForeignObjects(foreign, foreignSpecOf(ct, geometry));
  seeds.set('seg-ours', ourSEG());
  seeds.set('sr-ours', ourSR());
  seeds.set('seg-fractional', fs.readFileSync(path.join(foreign, 'seg-fractional.dcm')));
  seeds.set('seg-labelmap', fs.readFileSync(path.join(foreign, 'seg-labelmap.dcm')));
  seeds.set('sr-highdicom', fs.readFileSync(path.join(foreign, 'sr-highdicom.dcm')));
  for (const bytes of seeds.values()) {
    const dataset = readPart10(bytes);
    for (const key of ['PatientName', 'PatientID']) {
      const value = dataset[key];
      const name =
        typeof value === 'object' && value ? (value as Array<{ Alphabetic?: string }>)[0]?.Alphabetic : value;
      if (typeof name === 'string' && name.length > 2) phi.add(name);
    }
  }
  for (const value of Object.values(geometry.attributes))
    if (typeof value === 'string' && value.length > 3) phi.add(value);

  services = createServices({
    dataDir: path.join(scratch, 'data'),
    host: 'web',
    logger: silentLogger(),
    importWorkers: 1,
    deidWorkers: 0,
  });
  await importAndWait(services, [ct.dir], { failOnErrors: false });
  // Stored before the fuzz: every seed imports correctly, and a measurement and a labelmap drawn here.
  const paths = [...seeds.keys()].map((name) => {
    const file = path.join(scratch, `${name}.dcm`);
    fs.writeFileSync(file, seeds.get(name)!);
    return file;
  });
  const { files } = await services.handlers['annotation.importFiles']({ paths });
  for (const outcome of files) {
    expect(outcome.problems, outcome.file).toEqual([]);
    expect(outcome.added, outcome.file).toBeGreaterThan(0);
    seededCounts.set(path.basename(outcome.file, '.dcm'), outcome.added);
  }
  await services.handlers['annotation.save']({ versions: [measurement(0, 'stored before') as never] });
  const labels = new Uint8Array(64 * 64).fill(1, 64 * 20, 64 * 30);
  await services.handlers['segmentation.saveSlices'](
    oneSegmentLabelmap({
      annotationUid: 'stored-before',
      versionId: 'stored-before-1',
      studyInstanceUID: ct.studyInstanceUID,
      seriesInstanceUID: ct.seriesInstanceUID,
      sopInstanceUID: geometry.slices[2]!.sopInstanceUID,
      labels,
      width: 64,
      height: 64,
      name: 'kept',
    }),
  );
}, 120_000);

afterAll(async () => {
  await services?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

let peakRss = 0;

/** Imports the cases in batches, each with a fresh valid SR, and checks every outcome. */
async function importCases(cases: Case[], label: string): Promise<{ added: number; refused: number }> {
  let added = 0;
  let refused = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  try {
    for (let start = 0; start < cases.length; start += BATCH) {
      const batch = cases.slice(start, start + BATCH);
      const paths = batch.map((c, i) => {
        const file = path.join(mutants, `${String(start + i).padStart(5, '0')}.dcm`);
        fs.writeFileSync(file, c.bytes);
        return file;
      });
      const good = path.join(mutants, 'good.dcm');
      fs.writeFileSync(good, ourSR(1));
      // The valid SR in the middle of the batch: before and after hostile files.
      const order = [...paths.slice(0, BATCH >> 1), good, ...paths.slice(BATCH >> 1)];
      const names = batch.map((c) => c.name).join(', ');
      trace(`${label}: ${names}`);
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        services.handlers['annotation.importFiles']({ paths: order }),
        new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), BATCH_LIMIT_MS))),
      ]);
      clearTimeout(timer);
      expect(result, `${label}: hung on ${names}`).not.toBe('hang');
      if (result === 'hang') return { added, refused };
      trace(`  ${Math.round(performance.now() - started)} ms`);
      const goodOutcome = result.files.find((f) => f.file === good);
      expect.soft(goodOutcome, `${label}: the valid SR beside ${names}`).toMatchObject({
        kind: 'sr',
        added: 1,
        problems: [],
      });
      for (const [i, c] of batch.entries()) {
        const outcome = result.files.find((f) => f.file === paths[i])!;
        const what = `${label}: ${c.name} (seed ${SEED})`;
        expect.soft(outcome, what).toBeDefined();
        for (const problem of outcome.problems) {
          expect.soft(problem, what).not.toBe(UNTYPED);
          expect.soft(problem.length, what).toBeGreaterThan(10);
          expect.soft(problem.length, what).toBeLessThan(400);
          expect.soft(problem, what).not.toMatch(/TypeError|RangeError|undefined|NaN|at .*\.[jt]s:\d+|\n/);
          for (const value of phi) expect.soft(problem, what).not.toContain(value);
        }
        if (c.expect === 'refused')
          expect.soft(outcome.problems.length, `${what}: refused`).toBeGreaterThan(0);
        if (c.problem) expect.soft(outcome.problems, what).toEqual([expect.stringMatching(c.problem)]);
        if (outcome.problems.length > 0) refused++;
        added += outcome.added;
      }
    }
  } finally {
    clearInterval(sampler);
  }
  return { added, refused };
}

describe('annotation import fuzz', () => {
  let before: Snapshot;
  beforeAll(async () => {
    before = await snapshot();
    expect(before.labelmaps.length).toBeGreaterThanOrEqual(4);
  });

  it('targeted attacks: each a correct import or a typed per-file problem', async () => {
    const cases = targetedCases();
    const { added, refused } = await importCases(cases, 'targeted');
    console.log(`annotation fuzz: ${cases.length} targeted files, ${added} added, ${refused} with problems`);
  }, 600_000);

  it('every seed in big endian and deflated imports as the same annotations as in little endian', async () => {
    const paths: string[] = [];
    for (const [name, file] of seeds)
      for (const [syntax, args] of [
        ['big-endian', ['+tb']],
        ['deflated', ['+td']],
      ] as const) {
        const out = path.join(mutants, `${name}-${syntax}.dcm`);
        fs.writeFileSync(out, withTransferSyntax(file, args, scratch));
        paths.push(out);
      }
    const { files } = await services.handlers['annotation.importFiles']({ paths });
    for (const outcome of files) {
      // The little endian seed was imported before: the same ids, so nothing new and nothing refused.
      expect(outcome.problems, outcome.file).toEqual([]);
      expect(outcome.kind, outcome.file).toBe(outcome.file.includes('/sr-') ? 'sr' : 'seg');
      expect(outcome.added, outcome.file).toBe(0);
      expect(outcome.unchanged, outcome.file).toBe(
        seededCounts.get(path.basename(outcome.file).split('-').slice(0, 2).join('-')),
      );
    }
  }, 120_000);

  it('truncation at every top-level element of each seed', async () => {
    const cases: Case[] = [];
    for (const [name, file] of seeds)
      for (const cut of truncations(file))
        // A cut between two elements can leave a complete object without its last elements.
        cases.push({
          name: `${name} cut at ${cut}/${file.length}`,
          bytes: file.subarray(0, cut),
          expect: 'any',
        });
    const { refused } = await importCases(cases, 'truncation');
    console.log(`annotation fuzz: ${cases.length} truncations, ${refused} refused`);
  }, 600_000);

  it(`${COUNT} part10-mutations per seed`, async () => {
    console.log(`annotation fuzz: seed ${SEED}, ${COUNT} per seed (RADLABEL_FUZZ_SEED=${SEED} replays it)`);
    const random = rng(SEED);
    const cases: Case[] = [];
    for (const [name, file] of seeds)
      for (let index = 0; index < COUNT; index++) {
        const kind = FILE_MUTATION_KINDS[index % FILE_MUTATION_KINDS.length]!;
        cases.push({
          name: `${name} ${kind} #${index}`,
          bytes: mutatePart10(file, kind, random, index),
          expect: 'any',
        });
      }
    const { added, refused } = await importCases(cases, 'mutation');
    console.log(`annotation fuzz: ${cases.length} mutations, ${added} added, ${refused} with problems`);
  }, 900_000);

  it('the normal import (files dropped or opened in the app): a hostile SEG among good SR and SEG files', async () => {
    const dir = path.join(scratch, 'dropped');
    fs.mkdirSync(dir, { recursive: true });
    const goodSR = ourSR(1);
    const goodSEG = edited('seg-ours', () => {});
    // Before the bounds, NumberOfFrames 2147483647 looped forever on main's thread.
    const hostile = edited('seg-fractional', (d) => (d['NumberOfFrames'] = '2147483647'));
    const files = { 'a-good-sr.dcm': goodSR, 'b-hostile-seg.dcm': hostile, 'c-good-seg.dcm': goodSEG };
    for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
    const segsBefore = (
      await services.handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID })
    ).length;
    const headsBefore = (
      await services.handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID })
    ).heads.length;
    const told: EventOf<'annotation.imported'>['objects'] = [];
    const stopListening = services.events.subscribe((event) => {
      if (event.name === 'annotation.imported') told.push(...event.payload.objects);
    });
    await importAndWait(services, [dir], { failOnErrors: false });
    // The catalog's hook turns the SR and SEG objects into annotations (main/annotation/interchange-handlers.ts).
    const end = Date.now() + 30_000;
    let segs = segsBefore;
    let heads = headsBefore;
    while (Date.now() < end && (segs === segsBefore || heads === headsBefore)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      segs = (await services.handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID }))
        .length;
      heads = (await services.handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID })).heads
        .length;
    }
    expect(heads).toBe(headsBefore + 1);
    expect(segs).toBe(segsBefore + 1);
    // The app is told what each object gave (the import's status lists the hostile one's problem).
    const until = Date.now() + 30_000;
    while (Date.now() < until && told.length < 3) await new Promise((resolve) => setTimeout(resolve, 100));
    stopListening();
    expect(told).toHaveLength(3);
    expect(told.every((o) => o.studyInstanceUID === ct.studyInstanceUID)).toBe(true);
    expect(told.filter((o) => o.problems.length > 0).map((o) => [o.kind, o.added, o.problems])).toEqual([
      ['seg', 0, ['This segmentation has no valid number of frames.']],
    ]);
    expect(
      told
        .filter((o) => o.problems.length === 0)
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['seg', 'sr']);
    // The same files through `annotation.importFiles`: the good ones are there already, the hostile
    // one gets its message.
    const { files: outcomes } = await services.handlers['annotation.importFiles']({
      paths: Object.keys(files).map((name) => path.join(dir, name)),
    });
    expect(outcomes.map((o) => [o.kind, o.added, o.unchanged, o.problems])).toEqual([
      ['sr', 0, 1, []],
      ['seg', 0, 0, ['This segmentation has no valid number of frames.']],
      ['seg', 0, 1, []],
    ]);
  }, 120_000);

  it('memory stayed bounded, and what was stored before is unchanged', async () => {
    console.log(`annotation fuzz: peak RSS ${Math.round(peakRss / 2 ** 20)} MB`);
    expect(peakRss).toBeLessThan(2 * 2 ** 30);
    const after = await snapshot();
    for (const row of before.annotations) expect(after.annotations).toContain(row);
    for (const row of before.labelmaps) expect(after.labelmaps).toContain(row);
  }, 120_000);
});
