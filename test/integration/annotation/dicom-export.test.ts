/**
 * DICOM interchange and export (#9 items 6 and 7) on real services: a CT series imported, a
 * Length and a CircleROI (with every statistic and Chinese text) saved as versions, and a
 * segmentation with two overlapping segments saved as labelmap slices; then `radlabel export`
 * in each format, checked with dciodvfy, pydicom and nibabel (Debian's /usr/bin/python3).
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPart10 } from '../../../main/annotation/dicom/dataset.js';
import {
  imageToWorld,
  readSeriesGeometry,
  type SeriesGeometry,
} from '../../../main/annotation/dicom/geometry.js';
import type { CornerstoneAnnotationData } from '../../../main/annotation/dicom/model.js';
import { readSegmentation } from '../../../main/annotation/dicom/seg-read.js';
import { readMeasurementSR } from '../../../main/annotation/dicom/sr-read.js';
import { runCliInProcess } from '../../support/cli.js';
import type { Services } from '../../../main/services.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { importAndWait } from '../../support/import.js';
import { openTestServices } from '../../support/services.js';

const PYTHON = '/usr/bin/python3';
const scratch = makeTempDir('annotation-export');
const dataDir = path.join(scratch, 'data');
const ct = ensureCtSeries({ slices: 6, size: 64, seed: 'annotation-export' });
let geometry: SeriesGeometry;
const size = 64 * 64;
const LENGTH_UID = '6f1c2b1e-8a43-4b7e-9d55-0c1c4c1e2a01';
const CIRCLE_UID = '6f1c2b1e-8a43-4b7e-9d55-0c1c4c1e2a02';
const SEG_UID = 'seg-overlap-1';
const layer0 = new Map<string, Uint8Array>();
const layer1 = new Map<string, Uint8Array>();

function open(): Services {
  return openTestServices(dataDir);
}

const cli = (...args: string[]) => runCliInProcess(args, { ...process.env, RADLABEL_DATA_DIR: dataDir });

function python(script: string, ...args: string[]): string {
  const result = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

function dciodvfy(file: string): string[] {
  const result = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.startsWith('Error'));
}

const files = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));

beforeAll(async () => {
  geometry = readSeriesGeometry(ct.files);
  const services = open();
  try {
    await importAndWait(services, [ct.dir], { failOnErrors: false });
    const slice = geometry.slices[2]!;
    const p = (x: number, y: number) => imageToWorld(geometry, slice, [x, y]);
    const base = {
      studyInstanceUID: ct.studyInstanceUID,
      seriesInstanceUID: ct.seriesInstanceUID,
      sopInstanceUID: slice.sopInstanceUID,
      kind: 'measurement' as const,
      parentIds: [],
      source: 'human' as const,
      author: '王医生',
      status: 'complete' as const,
      deleted: false,
    };
    await services.handlers['annotation.save']({
      versions: [
        {
          ...base,
          versionId: crypto.randomUUID(),
          annotationUid: LENGTH_UID,
          tool: 'Length',
          attributes: {},
          data: {
            metadata: { toolName: 'Length', FrameOfReferenceUID: geometry.frameOfReferenceUID },
            data: {
              handles: { points: [p(10.25, 12.5), p(40.75, 30.125)] },
              cachedStats: { 'imageId:a': { length: 24.6803, unit: 'mm' } },
            },
          },
        },
        {
          ...base,
          versionId: crypto.randomUUID(),
          annotationUid: CIRCLE_UID,
          tool: 'CircleROI',
          attributes: { comment: '肝脏病变，边界清楚' },
          data: {
            metadata: { toolName: 'CircleROI', FrameOfReferenceUID: geometry.frameOfReferenceUID },
            data: {
              handles: { points: [p(32, 32), p(40, 32)] },
              cachedStats: {
                'imageId:a': {
                  area: 98.52,
                  perimeter: 35.18,
                  radius: 5.6,
                  mean: 16.25,
                  stdDev: 2.5,
                  min: 10,
                  max: 20,
                  areaUnit: 'mm²',
                  modalityUnit: 'HU',
                },
              },
            },
          },
        },
      ],
    });
    // Two segments overlapping on slices 1–3: segment 1 on layer 0, segment 2 on layer 1.
    const chunks: Array<{ layer: number; sopInstanceUID: string; frame: number; data: string }> = [];
    geometry.slices.forEach((s, k) => {
      if (k < 1 || k > 3) return;
      const a = new Uint8Array(size);
      const b = new Uint8Array(size);
      for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) a[y * 64 + x] = 1;
      for (let y = 20 + k; y < 40; y++) for (let x = 20; x < 45; x++) b[y * 64 + x] = 1;
      layer0.set(s.sopInstanceUID, a);
      layer1.set(s.sopInstanceUID, b);
      chunks.push({
        layer: 0,
        sopInstanceUID: s.sopInstanceUID,
        frame: 1,
        data: zlib.deflateSync(a).toString('base64'),
      });
      chunks.push({
        layer: 1,
        sopInstanceUID: s.sopInstanceUID,
        frame: 1,
        data: zlib.deflateSync(b).toString('base64'),
      });
    });
    await services.handlers['segmentation.saveSlices']({
      annotationUid: SEG_UID,
      versionId: 'seg-v1',
      parentVersionId: null,
      deleted: false,
      studyInstanceUID: ct.studyInstanceUID,
      seriesInstanceUID: ct.seriesInstanceUID,
      width: 64,
      height: 64,
      bits: 8,
      layers: 2,
      segments: [
        {
          segmentIndex: 1,
          name: 'Liver 肝',
          color: '#dd0000',
          visible: true,
          locked: false,
          layer: 0,
          labelValue: 1,
        },
        {
          segmentIndex: 2,
          name: 'Tumor',
          color: '#00cc00',
          visible: true,
          locked: false,
          layer: 1,
          labelValue: 1,
        },
      ],
      slices: chunks,
    });
  } finally {
    await services.close();
  }
}, 60_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const resolve = (sop: string) => {
  const slice = geometry.slices.find((s) => s.sopInstanceUID === sop);
  return slice ? { geometry, slice } : null;
};

describe('radlabel export --format sr', () => {
  it('writes a Comprehensive 3D SR that dciodvfy accepts and that reads back as the same measurements, every statistic as itself', async () => {
    const out = path.join(scratch, 'sr');
    const result = await cli('export', '--format', 'sr', out, '--study', ct.studyInstanceUID);
    expect(result.status, result.stderr).toBe(0);
    const sr = files(out).find((f) => f.endsWith('SR.dcm'))!;
    expect(dciodvfy(sr)).toEqual([]);
    const { versions } = readMeasurementSR(readPart10(fs.readFileSync(sr)), {
      resolve,
      newVersionId: () => 'x',
    });
    expect(versions.map((v) => v.annotationUid).sort()).toEqual([LENGTH_UID, CIRCLE_UID].sort());
    const circle = versions.find((v) => v.annotationUid === CIRCLE_UID)!;
    const stats = Object.values((circle.data as CornerstoneAnnotationData).data.cachedStats!)[0]!;
    // Upstream bugs: the area read back from the first numeric value; max/mean/std dev not saved.
    expect(stats).toMatchObject({
      area: 98.52,
      perimeter: 35.18,
      mean: 16.25,
      stdDev: 2.5,
      min: 10,
      max: 20,
      areaUnit: 'mm²',
      modalityUnit: 'HU',
    });
    expect(circle.attributes['comment']).toBe('肝脏病变，边界清楚');
    expect(circle.author).toBe('王医生');
    const slice = geometry.slices[2]!;
    const expected = [imageToWorld(geometry, slice, [32, 32]), imageToWorld(geometry, slice, [40, 32])];
    (circle.data as CornerstoneAnnotationData).data.handles.points.forEach((point, i) =>
      point.forEach((v, a) => expect(Math.abs(v - expected[i]![a]!)).toBeLessThan(0.01)),
    );
    const length = versions.find((v) => v.annotationUid === LENGTH_UID)!;
    expect(Object.values((length.data as CornerstoneAnnotationData).data.cachedStats!)[0]!.length).toBe(
      24.6803,
    );
    // Chinese text is UTF-8 in the file, as pydicom reads it.
    expect(
      python(
        'import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); print(d.SpecificCharacterSet); print(d.PatientName)',
        sr,
      ),
    ).toMatch(/ISO_IR 192/);
  });
});

describe('radlabel export --format seg', () => {
  it('writes a BINARY SEG that dciodvfy accepts, keeps the overlap, and reads back as identical labelmaps', async () => {
    const out = path.join(scratch, 'seg');
    const result = await cli('export', '--format', 'seg', out);
    expect(result.status, result.stderr).toBe(0);
    const seg = files(out).find((f) => f.endsWith('.dcm'))!;
    expect(dciodvfy(seg)).toEqual([]);
    const back = readSegmentation(readPart10(fs.readFileSync(seg)), { seriesGeometry: () => geometry });
    expect(back.segmentationType).toBe('BINARY');
    // 3 slices × 2 segments: one frame per segment and slice.
    expect(
      Number(python('import pydicom,sys; print(pydicom.dcmread(sys.argv[1]).NumberOfFrames)', seg)),
    ).toBe(6);
    const voxelsOf = (segment: number) => {
      const s = back.labelmap.segments.find((x) => x.segmentIndex === segment)!;
      return new Map(
        [...back.labelmap.layers[s.layer!]!].map(([sop, v]) => [
          sop,
          Uint8Array.from(v, (x) => (x === s.labelValue ? 1 : 0)),
        ]),
      );
    };
    for (const [segment, expected] of [
      [1, layer0],
      [2, layer1],
    ] as const) {
      const got = voxelsOf(segment);
      for (const [sop, voxels] of expected)
        expect(Buffer.from(got.get(sop)!).equals(Buffer.from(voxels))).toBe(true);
    }
    expect(back.labelmap.segments.map((s) => s.name)).toEqual(['Liver 肝', 'Tumor']);
  });
});

describe('radlabel export --format nifti', () => {
  it('writes images and labelmaps that nibabel reads with the LPS→RAS affine (sform = qform) and the right voxels', async () => {
    const out = path.join(scratch, 'nifti');
    expect((await cli('export', '--format', 'nifti', out)).status).toBe(0);
    const image = files(out).find((f) => f.endsWith('_image.nii.gz'))!;
    const label = files(out).find((f) => f.endsWith('_seg_1.nii.gz'))!;
    const report = JSON.parse(
      python(
        `import json,sys,nibabel as nib,numpy as np
i=nib.load(sys.argv[1]); l=nib.load(sys.argv[2]); d=i.get_fdata(); m=np.asarray(l.dataobj)
print(json.dumps({'affine':i.affine.tolist(),'qform':i.get_qform().tolist(),'sform':i.get_sform().tolist(),'shape':list(d.shape),
'disc':[float(d[32,32,k]) for k in range(d.shape[2])],'edge':float(d[5,2,0]),'label':[int(m[15,15,k]) for k in range(m.shape[2])],
'overlap':int(m[25,25,2]),'seg2':int(m[40,35,3]),'lshape':list(m.shape),'laffine':l.affine.tolist()}))`,
        image,
        label,
      ),
    ) as Record<string, number[][] & number[]>;
    const first = geometry.slices[0]!.position;
    const expectedAffine = [
      [-0.7, 0, 0, -first[0]],
      [0, -0.7, 0, -first[1]],
      [0, 0, geometry.slices[1]!.position[2] - first[2], first[2]],
      [0, 0, 0, 1],
    ];
    for (const key of ['affine', 'qform', 'sform', 'laffine'])
      (report[key] as number[][]).forEach((row, r) =>
        row.forEach((v, c) => expect(v).toBeCloseTo(expectedAffine[r]![c]!, 4)),
      );
    expect(report['shape']).toEqual([64, 64, 6]);
    expect(report['lshape']).toEqual([64, 64, 6]);
    // Slices ascend along the normal (z), the fixture's slice k sits at z = −1.25 k: NIfTI k = 5 − k.
    (report['disc'] as number[]).forEach((v, k) => expect(v).toBe(1000 + 10 * (5 - k) - 1024));
    expect(report['edge']).toBe(5 - 1024);
    expect(report['label']).toEqual([0, 1, 1, 1, 0, 0]);
    expect(report['overlap']).toBe(1);
    expect(report['seg2']).toBe(2);
  });
});

describe('radlabel export --format nnunet', () => {
  it('writes an nnU-Net v2 dataset: imagesTr/labelsTr with identical geometry and a dataset.json', async () => {
    const out = path.join(scratch, 'nnunet');
    expect((await cli('export', '--format', 'nnunet', out)).status).toBe(0);
    const dataset = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(dataset).toMatchObject({
      channel_names: { '0': 'CT' },
      labels: { background: 0, 'Liver 肝': 1, Tumor: 2 },
      numTraining: 1,
      file_ending: '.nii.gz',
    });
    expect(fs.existsSync(path.join(out, 'imagesTr', 'case_001_0000.nii.gz'))).toBe(true);
    const same = python(
      `import sys,nibabel as nib,numpy as np
i=nib.load(sys.argv[1]); l=nib.load(sys.argv[2])
print(np.allclose(i.affine,l.affine) and i.shape==l.shape, sorted(np.unique(np.asarray(l.dataobj)).tolist()))`,
      path.join(out, 'imagesTr', 'case_001_0000.nii.gz'),
      path.join(out, 'labelsTr', 'case_001.nii.gz'),
    );
    expect(same.trim()).toBe('True [0, 1, 2]');
  });
});

describe('radlabel export --format csv and json', () => {
  it('CSV lengths and areas are the stored ones (within 0.1 mm) and --deid leaves only pseudonymous ids', async () => {
    const out = path.join(scratch, 'csv');
    expect((await cli('export', '--format', 'csv', out)).status).toBe(0);
    const rows = fs.readFileSync(path.join(out, 'measurements.csv'), 'utf8').trim().split('\n');
    const header = rows[0]!.split(',');
    const length = rows.find((r) => r.includes(LENGTH_UID))!.split(',');
    expect(Math.abs(Number(length[header.indexOf('length_mm')]) - 24.6803)).toBeLessThan(0.1);
    const circle = rows.find((r) => r.includes(CIRCLE_UID))!.split(',');
    expect(Number(circle[header.indexOf('area_mm2')])).toBe(98.52);
    expect(rows.join('\n')).toContain(ct.studyInstanceUID);

    const deid = path.join(scratch, 'csv-deid');
    expect((await cli('export', '--format', 'csv', deid, '--deid')).status).toBe(0);
    const text = fs.readFileSync(path.join(deid, 'measurements.csv'), 'utf8');
    expect(text).not.toContain(ct.studyInstanceUID);
    expect(text).not.toContain(ct.patientId);
    expect(text).not.toContain('王医生');
    expect(fs.readFileSync(path.join(deid, 'README-RESEARCH-USE-ONLY.txt'), 'utf8')).toMatch(
      /research use only/i,
    );
  });

  it('JSON holds every current annotation with its data', async () => {
    const out = path.join(scratch, 'json');
    expect((await cli('export', '--format', 'json', out)).status).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'annotations.json'), 'utf8')) as {
      researchUseOnly: boolean;
      studies: Array<{ annotations: Array<{ annotationUid: string }>; segmentations: unknown[] }>;
    };
    expect(json.researchUseOnly).toBe(true);
    expect(json.studies[0]!.annotations.map((a) => a.annotationUid).sort()).toEqual(
      [LENGTH_UID, CIRCLE_UID].sort(),
    );
    expect(json.studies[0]!.segmentations).toHaveLength(1);
  });

  it('SR with --deid goes through the de-identification engine (no patient name or original UIDs)', async () => {
    const out = path.join(scratch, 'sr-deid');
    const result = await cli('export', '--format', 'sr', out, '--deid');
    expect(result.status, result.stderr).toBe(0);
    const sr = files(out).find((f) => f.endsWith('.dcm'))!;
    const dump = python(
      'import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); print(d.PatientName, d.StudyInstanceUID, d.PatientIdentityRemoved)',
      sr,
    );
    expect(dump).not.toContain(ct.studyInstanceUID);
    expect(dump).not.toContain(ct.patientName.split('^')[0]!);
    expect(dump.trim().endsWith('YES')).toBe(true);
  });
});

describe('export.start and export.cancel', () => {
  it('an export job reports progress to its end, and a cancelled one ends cancelled', async () => {
    const services = open();
    const seen: Array<{
      jobId: string;
      finished: boolean;
      cancelled: boolean;
      studiesDone: number;
      filesWritten: number;
    }> = [];
    const unsubscribe = services.events.subscribe((event) => {
      if (event.name === 'export.progress') seen.push(event.payload);
    });
    const finished = async (jobId: string) => {
      for (let i = 0; i < 200 && !seen.some((e) => e.jobId === jobId && e.finished); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      return seen.find((e) => e.jobId === jobId && e.finished);
    };
    try {
      const { jobId } = await services.handlers['export.start']({
        format: 'json',
        outputDir: path.join(scratch, 'job-json'),
        studyInstanceUIDs: [ct.studyInstanceUID],
        deid: false,
      });
      expect(await finished(jobId)).toMatchObject({ cancelled: false, studiesDone: 1, filesWritten: 2 });
      expect(fs.existsSync(path.join(scratch, 'job-json', 'annotations.json'))).toBe(true);

      const cancelled = await services.handlers['export.start']({
        format: 'csv',
        outputDir: path.join(scratch, 'job-cancel'),
        studyInstanceUIDs: [],
        deid: false,
      });
      expect(await services.handlers['export.cancel']({ jobId: cancelled.jobId })).toEqual({
        cancelled: true,
      });
      expect(await finished(cancelled.jobId)).toMatchObject({ cancelled: true, studiesDone: 0 });
    } finally {
      unsubscribe();
      await services.close();
    }
  });
});
