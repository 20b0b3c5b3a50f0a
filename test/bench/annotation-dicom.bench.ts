/**
 * DICOM SEG benchmarks (#9 item 6):
 * - annotation.seg_export_ms: a 10-segment labelmap on a 512×512×300 series written as a BINARY SEG
 *   (frames per segment and slice, bit-packed, header by dcmjs) and saved to disk. Reference: the
 *   same labelmap's raw bytes written to disk (the floor any writer pays).
 * - annotation.seg_import_ms: a 100-segment SEG on 300 slices of 512² (the kind whole-body models
 *   write; 6,000 frames) imported through `annotation.importFiles` into a real catalog: parse,
 *   place each frame on its source slice, decode the bits a byte at a time, put each segment on a
 *   layer, and store the slices as compressed labelmap chunks. Reference: reading and parsing the
 *   file alone (seg-parse.ts; dcmjs took 12 s for it).
 */
import fs from 'node:fs';
import dicomParser from 'dicom-parser';
import path from 'node:path';
import { parseSegmentationFile } from '../../main/annotation/dicom/seg-parse.js';
import { readSeriesGeometry, type SeriesGeometry } from '../../main/annotation/dicom/geometry.js';
import type { LabelmapLike } from '../../main/annotation/dicom/model.js';
import { writeSegmentation } from '../../main/annotation/dicom/seg-write.js';
import { ensureCtSeries, makeTempDir } from '../fixtures/index.js';
import { importAndWait } from '../support/import.js';
import { openTestServices } from '../support/services.js';
import { type Benchmark, median } from './lib.js';

const SIZE = 512;
const SLICES = 300;

function syntheticLabelmap(geometry: SeriesGeometry, segments: number, span: number): LabelmapLike {
  const layer = new Map<string, Uint8Array>();
  const grid = Math.ceil(Math.sqrt(segments));
  const cell = Math.floor(SIZE / grid);
  geometry.slices.forEach((slice, k) => {
    const voxels = new Uint8Array(SIZE * SIZE);
    let any = false;
    for (let s = 1; s <= segments; s++) {
      const first = Math.floor(((s - 1) * (SLICES - span)) / Math.max(1, segments - 1));
      if (k < first || k >= first + span) continue;
      const cx = ((s - 1) % grid) * cell + cell / 2;
      const cy = Math.floor((s - 1) / grid) * cell + cell / 2;
      const r = (cell / 2 - 2) * (0.6 + 0.4 * Math.sin((Math.PI * (k - first)) / span));
      for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(SIZE, cy + r); y++)
        for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(SIZE, cx + r); x++)
          if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) {
            voxels[y * SIZE + x] = s;
            any = true;
          }
    }
    if (any) layer.set(slice.sopInstanceUID, voxels);
  });
  return {
    layers: [layer],
    segments: Array.from({ length: segments }, (_, i) => ({
      segmentIndex: i + 1,
      name: `Structure ${i + 1}`,
      color: `#${((i * 2654435761) >>> 8).toString(16).padStart(6, '0').slice(0, 6)}`,
      layer: 0,
      labelValue: i + 1,
    })),
    width: SIZE,
    height: SIZE,
  };
}

const segExport: Benchmark = {
  ids: ['annotation.seg_export_ms'],
  async run() {
    const ct = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'bench-seg' });
    const geometry = readSeriesGeometry(ct.files);
    const labelmap = syntheticLabelmap(geometry, 10, 120);
    const dir = makeTempDir('bench-seg-export');
    try {
      const times: number[] = [];
      const raw: number[] = [];
      let bytes = 0;
      let frames = 0;
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        const seg = writeSegmentation({
          labelmap,
          geometry,
          source: 'human',
          author: 'bench',
          softwareVersion: 'bench',
        });
        fs.writeFileSync(path.join(dir, 'seg.dcm'), seg);
        times.push(performance.now() - started);
        bytes = seg.length;
        // Number of Frames from the file's first 4 MiB (the header up to Rows), not a full read:
        // readPart10 rightly refuses a file cut short.
        const head = dicomParser.parseDicom(seg.subarray(0, Math.min(seg.length, 4 << 20)), {
          untilTag: 'x00280010',
        });
        frames = Number(head.string('x00280008') ?? 0) || frames;
        const rawStarted = performance.now();
        fs.writeFileSync(
          path.join(dir, 'raw.bin'),
          Buffer.concat(
            [...labelmap.layers[0]!.values()].map(
              (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
            ),
          ),
        );
        raw.push(performance.now() - rawStarted);
      }
      return [
        {
          id: 'annotation.seg_export_ms',
          value: Math.round(median(times)),
          unit: 'ms',
          goal: '< 5000',
          reference: { what: 'the labelmap raw bytes written to disk (ms)', value: Math.round(median(raw)) },
          details: {
            runs: times.map(Math.round),
            segments: 10,
            slices: SLICES,
            size: SIZE,
            frames,
            fileBytes: bytes,
          },
        },
      ];
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

const segImport: Benchmark = {
  ids: ['annotation.seg_import_ms'],
  async run() {
    const ct = ensureCtSeries({ slices: SLICES, size: SIZE, seed: 'bench-seg' });
    const geometry = readSeriesGeometry(ct.files);
    const dir = makeTempDir('bench-seg-import');
    const services = openTestServices(path.join(dir, 'data'));
    try {
      await importAndWait(services, [ct.dir], { failOnErrors: false });
      const seg = writeSegmentation({
        labelmap: syntheticLabelmap(geometry, 100, 60),
        geometry,
        source: 'ai:bench-model',
        author: 'bench',
        softwareVersion: 'bench',
      });
      const file = path.join(dir, 'whole-body-seg.dcm');
      fs.writeFileSync(file, seg);
      const parseStarted = performance.now();
      const parsed = parseSegmentationFile(fs.readFileSync(file));
      const parseMs = performance.now() - parseStarted;
      const frames = Number(parsed['NumberOfFrames']);
      const started = performance.now();
      const { files } = await services.handlers['annotation.importFiles']({ paths: [file] });
      const ms = performance.now() - started;
      if (files[0]?.added !== 1) throw new Error(`SEG not imported: ${JSON.stringify(files[0]?.problems)}`);
      return [
        {
          id: 'annotation.seg_import_ms',
          value: Math.round(ms),
          unit: 'ms',
          goal: '< 10000',
          reference: { what: 'reading and parsing the SEG file alone (ms)', value: Math.round(parseMs) },
          details: {
            segments: 100,
            slices: SLICES,
            size: SIZE,
            frames,
            fileBytes: seg.length,
            otherViewers: 'about a minute (issue #9)',
          },
        },
      ];
    } finally {
      await services.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const benchmarks: Benchmark[] = [segExport, segImport];
