/**
 * AI pre-annotation fixtures (issue #11, docs/ai-review.md): a device's TID 1500 SR over a
 * generated CT series, written with dcmjs (main/annotation/dicom/sr-write.ts) as a model would:
 * the document's observer and every measurement group's observer is a device (Device Observer
 * UID, Name, Manufacturer 121194, Model Name 121195), the object's Manufacturer and Software
 * Versions name the vendor and version, and each finding carries its confidence as a NUM
 * `(ai-confidence, 99RADLABEL)` with UCUM unit `1`.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readPart10 } from '../../main/annotation/dicom/dataset.js';
import {
  type SeriesGeometry,
  type SliceGeometry,
  imageToWorld,
  readSeriesGeometry,
} from '../../main/annotation/dicom/geometry.js';
import type { AnnotationVersionLike } from '../../main/annotation/dicom/model.js';
import { writeSegmentation } from '../../main/annotation/dicom/seg-write.js';
import { writeMeasurementSR } from '../../main/annotation/dicom/sr-write.js';
import { READER_ENV } from '../../main/annotation/reader.js';
import type { Services } from '../../main/services.js';
import type { SyncManifestInput } from '../../shared/sync-manifest.js';
import { testManifest } from './sync-project.js';

export interface AiFindingSpec {
  /** Index of the slice (in the series' order along its normal) the finding is on. */
  slice: number;
  confidence: number;
  labelId?: string;
  /** Image coordinates (columns, rows) of the two ends of a length. */
  from?: [number, number];
  to?: [number, number];
}

export interface AiSrFixture {
  file: string;
  sopInstanceUID: string;
  seriesInstanceUID: string;
  sopClassUID: string;
  /** The findings' annotation UIDs, in the order given. */
  annotationUids: string[];
}

/** The device that wrote an AI object, the series it is on and where it goes. */
export interface AiObjectOptions {
  seriesFiles: readonly string[];
  out: string;
  model: string;
  manufacturer: string;
  modelName: string;
  version: string;
}

export function writeAiSr(options: AiObjectOptions & { findings: readonly AiFindingSpec[] }): AiSrFixture {
  const geometry = readSeriesGeometry(options.seriesFiles);
  const annotationUids: string[] = [];
  const versions: AnnotationVersionLike[] = options.findings.map((finding, index) => {
    const slice = geometry.slices[finding.slice]!;
    const from = finding.from ?? [4 + index, 6];
    const to = finding.to ?? [20 + index, 18];
    const points = [imageToWorld(geometry, slice, from), imageToWorld(geometry, slice, to)];
    const [dx, dy] = [
      (to[0] - from[0]) * geometry.pixelSpacing[1],
      (to[1] - from[1]) * geometry.pixelSpacing[0],
    ];
    const annotationUid = crypto.randomUUID();
    annotationUids.push(annotationUid);
    const imageId = `sop:${slice.sopInstanceUID}`;
    return {
      versionId: crypto.randomUUID(),
      annotationUid,
      parentIds: [],
      studyInstanceUID: geometry.studyInstanceUID,
      seriesInstanceUID: geometry.seriesInstanceUID,
      sopInstanceUID: slice.sopInstanceUID,
      kind: 'measurement',
      tool: 'Length',
      labelId: finding.labelId ?? 'lesion',
      attributes: {},
      data: {
        metadata: {
          toolName: 'Length',
          referencedImageId: imageId,
          FrameOfReferenceUID: geometry.frameOfReferenceUID,
        },
        data: {
          handles: { points },
          cachedStats: { [`imageId:${imageId}`]: { length: Math.hypot(dx, dy), unit: 'mm' } },
        },
        ai: {
          confidence: finding.confidence,
          manufacturer: options.manufacturer,
          modelName: options.modelName,
        },
      },
      source: `ai:${options.model}`,
      author: options.model,
      status: 'complete',
      deleted: false,
      createdAt: Date.now(),
    };
  });
  const bytes = writeMeasurementSR({
    versions,
    geometry: () => geometry,
    reader: '',
    softwareVersion: options.version,
    device: { name: options.model, manufacturer: options.manufacturer, modelName: options.modelName },
  });
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, bytes);
  const dataset = readPart10(bytes);
  return {
    file: options.out,
    sopInstanceUID: String(dataset['SOPInstanceUID']),
    seriesInstanceUID: String(dataset['SeriesInstanceUID']),
    sopClassUID: String(dataset['SOPClassUID']),
    annotationUids,
  };
}

export interface AiSegmentSpec {
  /** Slices (indices along the series' normal) the segment covers. */
  slices: readonly number[];
  /** Its square on each of those slices: [column, row, side]. */
  square: [number, number, number];
  name: string;
  /** A label of the schema (kind 'segment'), coded in the SEG by its finding code. */
  labelId?: 'mass' | 'organ';
  /** Written in the Segment Description as "confidence 0.87" (absent: none written). */
  confidence?: number;
  /** Its Recommended Display colour (`#rrggbb`, written as CIELab); magenta when absent. */
  color?: string;
}

export interface AiSegFixture extends Omit<AiSrFixture, 'annotationUids'> {
  /** The voxels of each segment (segment number = index + 1). */
  voxels: number[];
}

/**
 * A device's SEG over a generated series, as a model would write it: every segment AUTOMATIC
 * with the model as Segment Algorithm Name, the vendor's Manufacturer, Manufacturer's Model Name
 * and Software Versions, and (when given) each segment's confidence in its Segment Description.
 * Written by RadLabel's SEG writer, the device attributes set with pydicom (system python).
 */
export function writeAiSeg(options: AiObjectOptions & { segments: readonly AiSegmentSpec[] }): AiSegFixture {
  const geometry = readSeriesGeometry(options.seriesFiles);
  const { rows, columns } = geometry;
  const layer = new Map<string, Uint8Array>();
  const voxels = options.segments.map(() => 0);
  options.segments.forEach((segment, index) => {
    for (const s of segment.slices) {
      const sop = geometry.slices[s]!.sopInstanceUID;
      let slice = layer.get(sop);
      if (!slice) layer.set(sop, (slice = new Uint8Array(rows * columns)));
      const [x0, y0, side] = segment.square;
      for (let y = y0; y < y0 + side; y++)
        for (let x = x0; x < x0 + side; x++) {
          if (slice[y * columns + x] === 0) voxels[index]!++;
          slice[y * columns + x] = index + 1;
        }
    }
  });
  const schemaLabels = [
    { id: 'mass', finding: { value: '4147007', scheme: 'SCT', meaning: 'Mass' } },
    { id: 'organ', finding: { value: '91723000', scheme: 'SCT', meaning: 'Anatomical structure' } },
  ];
  const bytes = writeSegmentation({
    labelmap: {
      layers: [layer],
      width: columns,
      height: rows,
      segments: options.segments.map((segment, index) => ({
        segmentIndex: index + 1,
        ...(segment.labelId ? { labelId: segment.labelId } : {}),
        name: segment.name,
        color: segment.color ?? '#ff00ff',
        layer: 0,
        labelValue: index + 1,
      })),
    },
    geometry,
    schema: { labels: schemaLabels } as never,
    source: `ai:${options.model}`,
    author: options.model,
    softwareVersion: options.version,
    seriesDescription: `${options.model} segmentation`,
  });
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, bytes);
  const patch = `
import json, sys, pydicom
path, spec = sys.argv[1], json.loads(sys.argv[2])
ds = pydicom.dcmread(path)
ds.Manufacturer = spec['manufacturer']
ds.ManufacturerModelName = spec['modelName']
ds.SoftwareVersions = spec['version']
ds.ContentCreatorName = spec['model']
for item, confidence in zip(ds.SegmentSequence, spec['confidences']):
    if confidence is not None:
        item.SegmentDescription = 'confidence %.2f' % confidence
ds.save_as(path)
`;
  const done = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      patch,
      options.out,
      JSON.stringify({
        manufacturer: options.manufacturer,
        modelName: options.modelName,
        version: options.version,
        model: options.model,
        confidences: options.segments.map((s) => s.confidence ?? null),
      }),
    ],
    { encoding: 'utf8' },
  );
  if (done.status !== 0) throw new Error(`pydicom could not write the AI SEG: ${done.stderr}`);
  const dataset = readPart10(new Uint8Array(fs.readFileSync(options.out)));
  return {
    file: options.out,
    sopInstanceUID: String(dataset['SOPInstanceUID']),
    seriesInstanceUID: String(dataset['SeriesInstanceUID']),
    sopClassUID: String(dataset['SOPClassUID']),
    voxels,
  };
}

/**
 * A one-segment AI SEG over a series: "Lesion" (label mass), a 10-voxel square on its second
 * slice, by OrganSeg 2.0.0 (Acme Imaging AI). The good object of the hostile-SEG tests.
 */
export function writeLesionSeg(seriesFiles: readonly string[], out: string): AiSegFixture {
  return writeAiSeg({
    seriesFiles,
    out,
    model: 'OrganSeg',
    manufacturer: 'Acme Imaging AI',
    modelName: 'OrganNet',
    version: '2.0.0',
    segments: [{ name: 'Lesion', labelId: 'mass', slices: [1], square: [20, 20, 10] }],
  });
}

/**
 * `count` copies of a DICOM file in `dir` (seg0000.dcm…), each its own study: new Study, Series and
 * SOP Instance UIDs (pydicom). Returns the copies' paths in order.
 */
export function copiesAsNewStudies(file: string, dir: string, count: number): string[] {
  const made = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      [
        'import os, sys, pydicom',
        'from pydicom.uid import generate_uid',
        'ds = pydicom.dcmread(sys.argv[1])',
        'os.makedirs(sys.argv[2], exist_ok=True)',
        'for i in range(int(sys.argv[3])):',
        '    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = generate_uid(), generate_uid(), generate_uid()',
        '    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID',
        '    ds.save_as(os.path.join(sys.argv[2], "seg%04d.dcm" % i))',
      ].join('\n'),
      file,
      dir,
      String(count),
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`pydicom could not copy ${file}: ${made.stderr}`);
  return Array.from({ length: count }, (_, i) => path.join(dir, `seg${String(i).padStart(4, '0')}.dcm`));
}

/**
 * writeLesionSeg's SEG claiming 2,147,483,647 frames (NumberOfFrames set with pydicom): a hostile
 * SEG that once looped forever in main, now refused with a reason while the rest goes on.
 */
export function writeHostileLesionSeg(seriesFiles: readonly string[], out: string): AiSegFixture {
  const seg = writeLesionSeg(seriesFiles, out);
  const patched = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nds.NumberOfFrames = "2147483647"\nds.save_as(sys.argv[1])',
      seg.file,
    ],
    { encoding: 'utf8' },
  );
  if (patched.status !== 0) throw new Error(`pydicom could not patch the SEG: ${patched.stderr}`);
  return seg;
}

/** The review tests' readers: alice and bob annotate, rita reviews. */
export const REVIEW_READERS: SyncManifestInput['readers'] = [
  { username: 'alice', role: 'annotator', tasks: [] },
  { username: 'bob', role: 'annotator', tasks: [] },
  { username: 'rita', role: 'reviewer', tasks: [] },
];

/**
 * Writes a review project where services on `dataDir` load it (`<dataDir>/sync/project.json`):
 * `readers` (default REVIEW_READERS), `review` settings, a server that is never reached (port 9)
 * and a sync interval of a day, so that only the project's roles and review settings matter.
 */
export function writeReviewProject(
  dataDir: string,
  review: { blinded: boolean; blindAi: boolean },
  readers: SyncManifestInput['readers'] = REVIEW_READERS,
): void {
  fs.mkdirSync(path.join(dataDir, 'sync'), { recursive: true });
  fs.writeFileSync(
    path.join(dataDir, 'sync', 'project.json'),
    JSON.stringify({
      ...testManifest({ url: 'http://127.0.0.1:9/dicom-web', intervalMinutes: 24 * 60, readers }),
      review,
    }),
  );
}

/**
 * A reader's Length on `slice` from `from` to `to` (image columns, rows) as annotation.save takes
 * it: source human, label lesion, by `author` when given (else the acting reader).
 */
export function readerLength(
  geometry: SeriesGeometry,
  slice: SliceGeometry,
  from: readonly [number, number],
  to: readonly [number, number],
  author?: string,
) {
  return {
    versionId: crypto.randomUUID(),
    annotationUid: crypto.randomUUID(),
    parentIds: [] as string[],
    studyInstanceUID: geometry.studyInstanceUID,
    seriesInstanceUID: geometry.seriesInstanceUID,
    sopInstanceUID: slice.sopInstanceUID,
    kind: 'measurement' as const,
    tool: 'Length',
    labelId: 'lesion',
    attributes: {},
    data: {
      metadata: {
        toolName: 'Length',
        referencedImageId: `sop:${slice.sopInstanceUID}`,
        FrameOfReferenceUID: geometry.frameOfReferenceUID,
      },
      data: {
        handles: { points: [imageToWorld(geometry, slice, from), imageToWorld(geometry, slice, to)] },
        cachedStats: {},
      },
    },
    source: 'human' as const,
    status: 'draft' as const,
    deleted: false,
    ...(author === undefined ? {} : { author }),
  };
}

/**
 * Ends a review test: its services closed, the acting reader (RADLABEL_READER) back to
 * `previousReader` (unset when it was), its folder removed.
 */
export async function endReviewTest(
  services: Services | undefined,
  previousReader: string | undefined,
  scratch: string,
): Promise<void> {
  await services?.close();
  if (previousReader === undefined) delete process.env[READER_ENV];
  else process.env[READER_ENV] = previousReader;
  fs.rmSync(scratch, { recursive: true, force: true });
}

/**
 * `radlabel export --format <format> <out> --study <study>` on a review test's data folder, as a
 * user would run it: the test's services are closed first (the CLI opens the catalog itself) and
 * opened again after, whatever the CLI's outcome. Throws with the CLI's stderr when it fails.
 * Returns the reopened services and the study's export folder.
 */
export async function exportByCli(options: {
  services: Services;
  reopen: () => Services;
  dataDir: string;
  format: 'sr' | 'seg' | 'nifti' | 'csv' | 'json';
  out: string;
  study: string;
}): Promise<{ services: Services; folder: string }> {
  // Loaded here: the Chromium specs import this module and need none of the CLI.
  const { runCliInProcess } = await import('./cli.js');
  await options.services.close();
  let run: Awaited<ReturnType<typeof runCliInProcess>>;
  try {
    run = await runCliInProcess(
      ['export', '--format', options.format, options.out, '--study', options.study],
      { ...process.env, RADLABEL_DATA_DIR: options.dataDir },
    );
  } finally {
    options.services = options.reopen();
  }
  if (run.status !== 0) throw new Error(`radlabel export exited with ${run.status}: ${run.stderr}`);
  return { services: options.services, folder: path.join(options.out, options.study) };
}
