/**
 * SR and SEG import (#9 item 6): objects written by other tools (pydicom fixtures in highdicom's
 * structure) and RadLabel's own exports become annotation versions and labelmaps, through
 * `annotation.importFiles` and through the normal import of the catalog.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SeriesGeometry,
  imageToWorld,
  readSeriesGeometry,
} from '../../../main/annotation/dicom/geometry.js';
import type { CornerstoneAnnotationData } from '../../../main/annotation/dicom/model.js';
import { runExport } from '../../../main/annotation/export/run-export.js';
import type { Services } from '../../../main/services.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { foreignSpecOf, writeForeignObjects } from '../../support/foreign-objects.js';
import { importAndWait } from '../../support/import.js';
import { oneSegmentLabelmap } from '../../support/labelmap.js';
import { openTestServices } from '../../support/services.js';

const scratch = makeTempDir('annotation-import');
const ct = ensureCtSeries({ slices: 6, size: 64, seed: 'annotation-import' });
let geometry: SeriesGeometry;
const foreign = path.join(scratch, 'foreign');

function open(dataDir: string): Services {
  return openTestServices(dataDir);
}

/**
 * Bounded: a job that does not end fails with its last progress (test/support/import.ts). Exports
 * hold a text file besides the objects: failed files do not fail the import here.
 */
const importInto = (services: Services, paths: string[]) =>
  importAndWait(services, paths, { failOnErrors: false });

async function until<T>(probe: () => Promise<T | null>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(() => {
  geometry = readSeriesGeometry(ct.files);
  fs.mkdirSync(foreign, { recursive: true });
  writeForeignObjects(foreign, foreignSpecOf(ct, geometry));
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('SR and SEG of other tools', () => {
  it('a highdicom-style TID 1410 SR imports with its statistics read by concept (the area is not the perimeter) and the device as ai source', async () => {
    const services = open(path.join(scratch, 'data-sr'));
    try {
      await importInto(services, [ct.dir]);
      const { files } = await services.handlers['annotation.importFiles']({
        paths: [path.join(foreign, 'sr-highdicom.dcm')],
      });
      expect(files[0]).toMatchObject({ kind: 'sr', added: 1, problems: [] });
      const [version] = (
        await services.handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID })
      ).heads;
      expect(version).toMatchObject({
        tool: 'PlanarFreehandROI',
        source: 'ai:liver-net',
        sopInstanceUID: geometry.slices[2]!.sopInstanceUID,
      });
      const data = version!.data as unknown as CornerstoneAnnotationData;
      expect(Object.values(data.data.cachedStats!)[0]).toMatchObject({
        area: 123.25,
        perimeter: 60.5,
        mean: -12.5,
        max: 80,
        areaUnit: 'mm²',
        modalityUnit: 'HU',
      });
      const corner = imageToWorld(geometry, geometry.slices[2]!, [30, 20]);
      data.data.contour!.polyline[2]!.forEach((v, a) => expect(Math.abs(v - corner[a]!)).toBeLessThan(0.01));
      expect(data.data.contour!.polyline).toHaveLength(4);
      // The same file again adds nothing.
      const again = await services.handlers['annotation.importFiles']({
        paths: [path.join(foreign, 'sr-highdicom.dcm')],
      });
      expect(again.files[0]).toMatchObject({ added: 0, unchanged: 1 });
    } finally {
      await services.close();
    }
  });

  it('a FRACTIONAL SEG is thresholded at half its maximum, a Label Map SEG keeps its segment numbers', async () => {
    const services = open(path.join(scratch, 'data-seg'));
    try {
      await importInto(services, [ct.dir]);
      const { files } = await services.handlers['annotation.importFiles']({
        paths: [path.join(foreign, 'seg-fractional.dcm'), path.join(foreign, 'seg-labelmap.dcm')],
      });
      expect(files.map((f) => [f.kind, f.added, f.problems])).toEqual([
        ['seg', 1, []],
        ['seg', 1, []],
      ]);
      const heads = await services.handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID });
      expect(heads).toHaveLength(2);
      const voxels = async (annotationUid: string) => {
        const view = await services.handlers['segmentation.load']({ annotationUid });
        return {
          view,
          slices: new Map(
            view.slices.map((s) => [
              `${s.layer}:${s.sopInstanceUID}`,
              zlib.inflateSync(Buffer.from(s.data, 'base64')),
            ]),
          ),
        };
      };
      const loaded = await Promise.all(heads.map((h) => voxels(h.annotationUid)));
      // The FRACTIONAL one has frames on slices 1 and 3, the Label Map one on slices 2 and 4.
      const frac = loaded.find((l) => l.slices.has(`0:${geometry.slices[1]!.sopInstanceUID}`))!;
      const lm = loaded.find((l) => l !== frac)!;
      const slice1 = frac.slices.get(`0:${geometry.slices[1]!.sopInstanceUID}`)!;
      expect(slice1[7 * 64 + 7]).toBe(1); // 200 / 255 passes
      expect(slice1[35 * 64 + 35]).toBe(0); // 100 / 255 does not
      expect(frac.slices.get(`0:${geometry.slices[3]!.sopInstanceUID}`)![22 * 64 + 22]).toBe(2);
      const lmSlice = lm.slices.get(`0:${geometry.slices[2]!.sopInstanceUID}`)!;
      expect([lmSlice[5 * 64 + 5], lmSlice[15 * 64 + 15], lmSlice[30 * 64 + 30]]).toEqual([1, 2, 0]);
      expect(lm.view.segments.map((s) => s.name)).toEqual(['liver', 'spleen']);
    } finally {
      await services.close();
    }
  });
});

describe('the normal import', () => {
  it('an SR and a SEG exported by RadLabel and imported into another catalog become the same annotations', async () => {
    const source = open(path.join(scratch, 'data-a'));
    const out = path.join(scratch, 'exported');
    const slice = geometry.slices[3]!;
    const uid = crypto.randomUUID();
    try {
      await importInto(source, [ct.dir]);
      await source.handlers['annotation.save']({
        versions: [
          {
            versionId: crypto.randomUUID(),
            annotationUid: uid,
            parentIds: [],
            studyInstanceUID: ct.studyInstanceUID,
            seriesInstanceUID: ct.seriesInstanceUID,
            sopInstanceUID: slice.sopInstanceUID,
            kind: 'measurement',
            tool: 'EllipticalROI',
            attributes: {},
            source: 'human',
            author: 'reader-a',
            status: 'complete',
            deleted: false,
            data: {
              metadata: { toolName: 'EllipticalROI' },
              data: {
                handles: {
                  points: [
                    [0, -10, slice.position[2]],
                    [0, 10, slice.position[2]],
                    [-6, 0, slice.position[2]],
                    [6, 0, slice.position[2]],
                  ],
                },
                cachedStats: {
                  x: {
                    area: 188.5,
                    mean: 7,
                    stdDev: 1.5,
                    min: 3,
                    max: 11,
                    areaUnit: 'mm²',
                    modalityUnit: 'HU',
                  },
                },
              },
            },
          },
        ],
      });
      const labels = new Uint8Array(64 * 64);
      labels.fill(1, 64 * 10, 64 * 20);
      await source.handlers['segmentation.saveSlices'](
        oneSegmentLabelmap({
          annotationUid: 'seg-a',
          versionId: 'seg-a-1',
          studyInstanceUID: ct.studyInstanceUID,
          seriesInstanceUID: ct.seriesInstanceUID,
          sopInstanceUID: slice.sopInstanceUID,
          labels,
          width: 64,
          height: 64,
          name: 'lesion',
        }),
      );
      for (const format of ['sr', 'seg'] as const)
        await runExport({ source, format, outputDir: out, reader: 'reader-a', softwareVersion: 'test' });
    } finally {
      await source.close();
    }

    const target = open(path.join(scratch, 'data-b'));
    try {
      await importInto(target, [ct.dir, out]);
      const heads = await until(async () => {
        const list = (await target.handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID }))
          .heads;
        return list.length > 0 ? list : null;
      });
      expect(heads).toHaveLength(1);
      expect(heads[0]).toMatchObject({
        annotationUid: uid,
        tool: 'EllipticalROI',
        author: 'reader-a',
        status: 'complete',
      });
      const data = heads[0]!.data as unknown as CornerstoneAnnotationData;
      expect(Object.values(data.data.cachedStats!)[0]).toMatchObject({
        area: 188.5,
        mean: 7,
        stdDev: 1.5,
        min: 3,
        max: 11,
      });
      data.data.handles.points.forEach((p, i) =>
        p.forEach((v, a) =>
          expect(
            Math.abs(
              v -
                [
                  [0, -10],
                  [0, 10],
                  [-6, 0],
                  [6, 0],
                ][i]!.concat(slice.position[2])[a]!,
            ),
          ).toBeLessThan(0.01),
        ),
      );
      const segs = await until(async () => {
        const list = await target.handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID });
        return list.length > 0 ? list : null;
      });
      const view = await target.handlers['segmentation.load']({ annotationUid: segs[0]!.annotationUid });
      expect(view.slices).toHaveLength(1);
      const back = zlib.inflateSync(Buffer.from(view.slices[0]!.data, 'base64'));
      const expected = new Uint8Array(64 * 64);
      expected.fill(1, 64 * 10, 64 * 20);
      expect(Buffer.from(back).equals(Buffer.from(expected))).toBe(true);
    } finally {
      await target.close();
    }
  });
});
