import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { LabelmapStore, sliceKeyOf } from '../../../main/annotation/labelmap-store.js';
import { Catalog, openCatalogConnection } from '../../../main/catalog/catalog.js';
import type { SaveSlicesParsed, SegmentInfo } from '../../../shared/segmentation.js';
import { makeTempDir } from '../../fixtures/index.js';

const dir = makeTempDir('labelmap-store');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;

const W = 64;
const H = 48;
const SERIES = '1.2.3.4';
const sop = (k: number) => `1.2.3.4.${k}`;
const liver: SegmentInfo = {
  segmentIndex: 1,
  labelId: 'liver',
  name: 'Liver',
  color: '#aa3300',
  visible: true,
  locked: false,
  layer: 0,
  labelValue: 1,
};
const lesion: SegmentInfo = {
  ...liver,
  segmentIndex: 2,
  labelId: 'lesion',
  name: 'Lesion',
  layer: 1,
  labelValue: 1,
};

function slice(fill: (x: number, y: number) => number): Uint8Array {
  const voxels = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) voxels[y * W + x] = fill(x, y);
  return voxels;
}
const chunk = (voxels: Uint8Array) => zlib.deflateSync(voxels).toString('base64');
const sha = (voxels: Uint8Array) => crypto.createHash('sha256').update(voxels).digest('hex');

function request(
  overrides: Partial<SaveSlicesParsed> & Pick<SaveSlicesParsed, 'versionId'>,
): SaveSlicesParsed {
  return {
    annotationUid: 'seg-1',
    parentVersionId: null,
    studyInstanceUID: '1.2.3',
    seriesInstanceUID: SERIES,
    width: W,
    height: H,
    bits: 8,
    layers: 1,
    segments: [liver],
    deleted: false,
    slices: [],
    ...overrides,
  };
}

let store: LabelmapStore;
let file: string;
beforeEach(() => {
  file = path.join(dir, `catalog-${(counter += 1)}.sqlite`);
  Catalog.open(file).close();
  let clock = 1000;
  store = new LabelmapStore(openCatalogConnection(file), { now: () => (clock += 1) });
});

describe('labelmap store', () => {
  it('reads back exactly the voxels it was given', () => {
    const disc = slice((x, y) => ((x - 32) ** 2 + (y - 24) ** 2 < 100 ? 1 : 0));
    store.saveSlices(
      request({
        versionId: 'v1',
        slices: [{ layer: 0, sopInstanceUID: sop(3), frame: 1, data: chunk(disc) }],
      }),
      'reader-a',
    );
    const labelmap = store.readLabelmap('seg-1');
    expect(labelmap?.layers[0]?.get(sliceKeyOf(sop(3)))).toEqual(disc);
    expect(store.sliceHashes('seg-1')).toEqual([
      {
        layer: 0,
        sopInstanceUID: sop(3),
        frame: 1,
        sha256: sha(disc),
        labelled: disc.filter((v) => v !== 0).length,
      },
    ]);
    expect(store.load('seg-1').author).toBe('reader-a');
  });

  it('stores only the slices a version changed, and reads each slice from the newest version that wrote it', () => {
    const a = slice((x) => (x < 10 ? 1 : 0));
    const b = slice((x) => (x > 50 ? 1 : 0));
    store.saveSlices(
      request({
        versionId: 'v1',
        slices: [
          { layer: 0, sopInstanceUID: sop(1), frame: 1, data: chunk(a) },
          { layer: 0, sopInstanceUID: sop(2), frame: 1, data: chunk(a) },
        ],
      }),
      'r',
    );
    store.saveSlices(
      request({
        versionId: 'v2',
        parentVersionId: 'v1',
        slices: [
          { layer: 0, sopInstanceUID: sop(2), frame: 1, data: chunk(b) },
          // Slice 1 erased: an empty chunk.
          { layer: 0, sopInstanceUID: sop(1), frame: 1, data: '' },
        ],
      }),
      'r',
    );
    const db = openCatalogConnection(file);
    const rows = db
      .prepare('SELECT version_id, sop_uid FROM labelmap_slice ORDER BY version_id, sop_uid')
      .all();
    db.close();
    expect(rows).toEqual([
      { version_id: 'v1', sop_uid: sop(1) },
      { version_id: 'v1', sop_uid: sop(2) },
      { version_id: 'v2', sop_uid: sop(1) },
      { version_id: 'v2', sop_uid: sop(2) },
    ]);
    expect(store.readLabelmap('seg-1')?.layers[0]).toEqual(new Map([[sop(2), b]]));
    // The older version is still readable as it was.
    expect(store.readLabelmap('seg-1', 'v1')?.layers[0]).toEqual(
      new Map([
        [sop(1), a],
        [sop(2), a],
      ]),
    );
    expect(store.listHeads(SERIES).map((head) => head.versionId)).toEqual(['v2']);
  });

  it('keeps overlapping segments apart on their layers', () => {
    const big = slice((x, y) => (x < 40 && y < 40 ? 1 : 0));
    const small = slice((x, y) => (x > 20 && x < 30 && y > 20 && y < 30 ? 1 : 0));
    store.saveSlices(
      request({
        versionId: 'v1',
        layers: 2,
        segments: [liver, lesion],
        slices: [
          { layer: 0, sopInstanceUID: sop(5), frame: 1, data: chunk(big) },
          { layer: 1, sopInstanceUID: sop(5), frame: 1, data: chunk(small) },
        ],
      }),
      'r',
    );
    const labelmap = store.readLabelmap('seg-1');
    expect(labelmap?.segments.map((segment) => [segment.name, segment.layer])).toEqual([
      ['Liver', 0],
      ['Lesion', 1],
    ]);
    expect(labelmap?.layers[0]?.get(sop(5))).toEqual(big);
    expect(labelmap?.layers[1]?.get(sop(5))).toEqual(small);
  });

  it('adds the slices of a save split in several requests to one version', () => {
    const a = slice(() => 1);
    store.saveSlices(
      request({ versionId: 'v1', slices: [{ layer: 0, sopInstanceUID: sop(1), frame: 1, data: chunk(a) }] }),
      'r',
    );
    store.saveSlices(
      request({ versionId: 'v1', slices: [{ layer: 0, sopInstanceUID: sop(2), frame: 1, data: chunk(a) }] }),
      'r',
    );
    expect(store.sliceHashes('seg-1').map((hash) => hash.sopInstanceUID)).toEqual([sop(1), sop(2)]);
  });

  it('refuses a slice of the wrong size, a broken chunk, and a parent it does not have', () => {
    const wrong = zlib.deflateSync(new Uint8Array(10)).toString('base64');
    expect(() =>
      store.saveSlices(
        request({ versionId: 'v1', slices: [{ layer: 0, sopInstanceUID: sop(1), frame: 1, data: wrong }] }),
        'r',
      ),
    ).toThrow(/holds 10 bytes where the image needs 3072/);
    expect(() =>
      store.saveSlices(
        request({
          versionId: 'v1',
          slices: [{ layer: 0, sopInstanceUID: sop(1), frame: 1, data: 'bm90IHpsaWI=' }],
        }),
        'r',
      ),
    ).toThrow(/not a valid compressed slice/);
    expect(() => store.saveSlices(request({ versionId: 'v2', parentVersionId: 'nope' }), 'r')).toThrow(
      /not stored here/,
    );
    expect(store.listHeads(SERIES)).toEqual([]);
  });

  it('leaves a deleted segmentation out of the series list', () => {
    store.saveSlices(request({ versionId: 'v1' }), 'r');
    store.saveSlices(request({ versionId: 'v2', parentVersionId: 'v1', deleted: true }), 'r');
    expect(store.listHeads(SERIES)).toEqual([]);
  });
});
