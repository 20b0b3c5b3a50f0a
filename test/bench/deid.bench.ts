/**
 * deid.files_per_s and deid.ratio_vs_gdcmanon: de-identifying a corpus of the 200-slice 512² CT
 * series plus one 500-frame 512² multi-frame CT (≈ 360 MB in all) into a folder tree, against
 * `gdcmanon -e -c cert.pem` (GDCM's PS3.15 basic profile) on the same corpus in the same run.
 *
 * Ours runs through the service (read, de-identify, write, place in the output tree) three ways:
 * single-threaded, and with the worker pool (2 threads, started before the clock so the figure is
 * throughput, not thread start-up under tsx). Each side runs three times, interleaved; medians.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DeidConfig } from '../../main/deid/index.js';
import { DeidPool } from '../../main/deid/pool.js';
import { deidentifyTree } from '../../main/deid/service.js';
import { ensureCtSeries, fixturesCacheDir, makeTempDir } from '../fixtures/index.js';
import { type Benchmark, median } from './lib.js';

const RUNS = 5;
const FRAMES = 500;
const SIZE = 512;

/** A 500-frame CT made with pydicom (Debian's, under /usr/bin/python3), cached. */
function ensureMultiFrame(): string {
  const file = path.join(fixturesCacheDir, `deid-multiframe-${FRAMES}x${SIZE}.dcm`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(fixturesCacheDir, { recursive: true });
  const script = `
import sys, numpy as np, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
frames, size, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.is_little_endian = True
ds.is_implicit_VR = False
ds.SpecificCharacterSet = 'ISO_IR 100'
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL']
ds.StudyDate = '20240115'; ds.StudyTime = '101500'; ds.AccessionNumber = 'ACC-MF-1'
ds.Modality = 'CT'; ds.StudyDescription = 'Synthetic multi-frame'
ds.PatientName = 'Synthetic^Multiframe'; ds.PatientID = 'SYN-MF-1'; ds.PatientBirthDate = '19700101'; ds.PatientSex = 'O'
ds.StudyInstanceUID = generate_uid(); ds.SeriesInstanceUID = generate_uid(); ds.FrameOfReferenceUID = generate_uid()
ds.InstanceNumber = 1; ds.NumberOfFrames = frames
ds.SamplesPerPixel = 1; ds.PhotometricInterpretation = 'MONOCHROME2'; ds.Rows = size; ds.Columns = size
ds.BitsAllocated = 16; ds.BitsStored = 16; ds.HighBit = 15; ds.PixelRepresentation = 1
ds.RescaleIntercept = -1024; ds.RescaleSlope = 1
pixels = (np.arange(frames * size * size, dtype=np.int64) % 4096).astype(np.int16)
ds.PixelData = pixels.tobytes()
ds.save_as(out, write_like_original=False)
`;
  execFileSync('/usr/bin/python3', ['-c', script, String(FRAMES), String(SIZE), `${file}.partial`]);
  fs.renameSync(`${file}.partial`, file);
  return file;
}

function corpus(): { dir: string; files: number; bytes: number } {
  const series = ensureCtSeries({ slices: 200, size: SIZE });
  const multiFrame = ensureMultiFrame();
  const dir = path.join(fixturesCacheDir, 'deid-bench-corpus');
  if (!fs.existsSync(path.join(dir, 'complete'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'in'), { recursive: true });
    for (const file of series.files) fs.copyFileSync(file, path.join(dir, 'in', path.basename(file)));
    fs.copyFileSync(multiFrame, path.join(dir, 'in', 'MF000001.dcm'));
    fs.writeFileSync(path.join(dir, 'complete'), '');
  }
  const input = path.join(dir, 'in');
  const names = fs.readdirSync(input);
  return {
    dir: input,
    files: names.length,
    bytes: names.reduce((sum, name) => sum + fs.statSync(path.join(input, name)).size, 0),
  };
}

const config: DeidConfig = {
  profile: 'basic',
  options: [
    'retainLongitudinalModifiedDates',
    'retainPatientCharacteristics',
    'retainDeviceIdentity',
    'cleanDescriptors',
  ],
  projectSecret: Buffer.alloc(32, 7),
  projectId: 'BENCH',
  clinicalTrial: { sponsorName: 'Bench', protocolId: 'BENCH-1' },
  ocr: false,
};

async function timeOurs(input: string, workers: number, expected: number): Promise<number> {
  const output = makeTempDir('bench-deid');
  try {
    const started = performance.now();
    const summary = await deidentifyTree({ inputs: [input], outputDir: output, config, workers });
    const seconds = (performance.now() - started) / 1000;
    if (summary.done !== expected)
      throw new Error(
        `deid wrote ${summary.done} of ${expected} (${JSON.stringify(summary.failures.slice(0, 2))})`,
      );
    return seconds;
  } finally {
    fs.rmSync(output, { recursive: true, force: true });
  }
}

/** The pool measured warm: threads started and modules loaded before the clock starts. */
async function timeOursPooled(input: string, expected: number): Promise<number> {
  const output = makeTempDir('bench-deid-pool');
  const pool = new DeidPool({ config: { ...config }, size: 2 });
  try {
    // Largest first, as deidentifyTree schedules them.
    const files = fs
      .readdirSync(input)
      .sort((a, b) => fs.statSync(path.join(input, b)).size - fs.statSync(path.join(input, a)).size);
    await Promise.all(
      [0, 1].map(() =>
        pool.run({
          kind: 'bytes',
          input: fs.readFileSync(path.join(input, files[0]!)),
          sourceName: 'warm-up',
        }),
      ),
    );
    const started = performance.now();
    const results = await Promise.all(
      files.map((name, i) =>
        pool.run({
          kind: 'file',
          inputPath: path.join(input, name),
          outputPath: path.join(output, `${i}.dcm`),
          sourceName: name,
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const done = results.filter((result) => result.outcome.status === 'done').length;
    if (done !== expected) throw new Error(`pooled deid wrote ${done} of ${expected}`);
    return seconds;
  } finally {
    await pool.close();
    fs.rmSync(output, { recursive: true, force: true });
  }
}

function timeGdcmanon(input: string, certificate: string): number {
  const output = makeTempDir('bench-gdcmanon');
  try {
    const started = performance.now();
    execFileSync('gdcmanon', ['-e', '-c', certificate, '-i', input, '-o', output], { stdio: 'ignore' });
    return (performance.now() - started) / 1000;
  } finally {
    fs.rmSync(output, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    ids: ['deid.files_per_s', 'deid.ratio_vs_gdcmanon'],
    async run() {
      const { dir, files, bytes } = corpus();
      const certDir = makeTempDir('bench-deid-cert');
      const certificate = path.join(certDir, 'cert.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          path.join(certDir, 'key.pem'),
          '-out',
          certificate,
          '-days',
          '1',
          '-subj',
          '/CN=radlabel-bench',
        ],
        { stdio: 'ignore' },
      );
      execFileSync('sync');
      const single: number[] = [];
      const pooled: number[] = [];
      const gdcm: number[] = [];
      try {
        for (let run = 0; run < RUNS; run += 1) {
          gdcm.push(timeGdcmanon(dir, certificate));
          single.push(await timeOurs(dir, 0, files));
          pooled.push(await timeOursPooled(dir, files));
        }
      } finally {
        fs.rmSync(certDir, { recursive: true, force: true });
      }
      const megabytes = bytes / 2 ** 20;
      const pooledRate = files / median(pooled);
      const singleRate = files / median(single);
      const gdcmRate = files / median(gdcm);
      const details = {
        files,
        megabytes: Number(megabytes.toFixed(1)),
        corpus: '200 × 512² CT (explicit VR LE) + one 500-frame 512² CT',
        pooledFilesPerSecond: Number(pooledRate.toFixed(1)),
        pooledMBps: Number((megabytes / median(pooled)).toFixed(1)),
        singleThreadFilesPerSecond: Number(singleRate.toFixed(1)),
        singleThreadMBps: Number((megabytes / median(single)).toFixed(1)),
        gdcmanonFilesPerSecond: Number(gdcmRate.toFixed(1)),
        gdcmanonMBps: Number((megabytes / median(gdcm)).toFixed(1)),
        secondsMedian: { pooled: median(pooled), single: median(single), gdcmanon: median(gdcm) },
        ratioSingleThreadVsGdcmanon: Number((singleRate / gdcmRate).toFixed(3)),
      };
      return [
        {
          id: 'deid.files_per_s',
          value: Number(pooledRate.toFixed(1)),
          unit: 'files/s',
          goal: '>= gdcmanon files/s',
          reference: {
            what: 'gdcmanon -e -c cert.pem, files/s on the same corpus',
            value: Number(gdcmRate.toFixed(1)),
          },
          details,
        },
        {
          id: 'deid.ratio_vs_gdcmanon',
          value: Number((pooledRate / gdcmRate).toFixed(3)),
          unit: 'ratio',
          goal: '>= 1.0',
          reference: {
            what: 'gdcmanon -e -c cert.pem, median seconds',
            value: Number(median(gdcm).toFixed(3)),
          },
          details,
        },
      ];
    },
  },
];
