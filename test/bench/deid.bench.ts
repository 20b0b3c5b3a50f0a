/**
 * deid.files_per_s, deid.ratio_vs_gdcmanon and deid.ratio_vs_copy: de-identifying a corpus of the
 * 200-slice 512² CT series plus one 500-frame 512² multi-frame CT (≈ 350 MB in all) into a folder
 * tree, against `gdcmanon -e -c cert.pem` (GDCM's PS3.15 basic profile), and against `cp -r` +
 * `sync` of the same files (the limit an I/O-bound rewriter can approach), in the same run.
 *
 * Ours runs through the service (`deidentifyTree`: list, read, de-identify, write, place in the
 * output tree) with the execution its rule chooses (execution.ts), given a started pool of one
 * worker per core as a long-running app keeps one (thread start-up under tsx is not what is
 * measured; it is in the details, as are the in-thread run and a run that starts its own pool).
 * The sides run interleaved, RUNS rounds; each ratio is the median of the rounds' ratios, so load
 * from other processes hits both sides of a ratio alike.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
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

export function corpus(): { dir: string; files: number; bytes: number } {
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

export const config: DeidConfig = {
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

/** Seconds of one service run into a fresh folder, with `sync` after it when `flush`. */
async function timeOurs(
  input: string,
  expected: number,
  options: { workers?: number; pool?: DeidPool; flush?: boolean },
): Promise<number> {
  const output = makeTempDir('bench-deid');
  try {
    const started = performance.now();
    const summary = await deidentifyTree({
      inputs: [input],
      outputDir: output,
      config,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.pool ? { pool: options.pool } : {}),
    });
    if (options.flush) execFileSync('sync');
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

function timeCommand(command: string, args: (output: string) => string[], flush: boolean): number {
  const output = makeTempDir('bench-deid-ref');
  try {
    const started = performance.now();
    execFileSync(command, args(output), { stdio: 'ignore' });
    if (flush) execFileSync('sync');
    return (performance.now() - started) / 1000;
  } finally {
    fs.rmSync(output, { recursive: true, force: true });
  }
}

function round3(value: number): number {
  return Number(value.toFixed(3));
}

export const benchmarks: Benchmark[] = [
  {
    ids: ['deid.files_per_s', 'deid.ratio_vs_gdcmanon', 'deid.ratio_vs_copy'],
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
      const cores = os.availableParallelism();
      const pool = new DeidPool({ size: cores });
      const times = {
        ours: [] as number[],
        gdcm: [] as number[],
        single: [] as number[],
        cold: [] as number[],
      };
      const flushed = { ours: [] as number[], copy: [] as number[] };
      try {
        await pool.start();
        // Warm: the workers' engines loaded and compiled, the page cache holding the corpus.
        await timeOurs(dir, files, { pool });
        await timeOurs(dir, files, { workers: 0 });
        for (let run = 0; run < RUNS; run += 1) {
          times.gdcm.push(
            timeCommand('gdcmanon', (out) => ['-e', '-c', certificate, '-i', dir, '-o', out], false),
          );
          times.ours.push(await timeOurs(dir, files, { pool }));
          times.single.push(await timeOurs(dir, files, { workers: 0 }));
          flushed.copy.push(timeCommand('cp', (out) => ['-r', dir, path.join(out, 'copy')], true));
          flushed.ours.push(await timeOurs(dir, files, { pool, flush: true }));
        }
        // Once: a run that starts (under tsx) and closes its own pool, as a one-off CLI run does.
        times.cold.push(await timeOurs(dir, files, {}));
      } finally {
        await pool.close();
        fs.rmSync(certDir, { recursive: true, force: true });
      }
      const megabytes = bytes / 2 ** 20;
      const ratios = (numerator: number[], denominator: number[]) =>
        numerator.map((value, i) => value / denominator[i]!);
      const vsGdcm = median(ratios(times.gdcm, times.ours));
      const vsCopy = median(ratios(flushed.copy, flushed.ours));
      const oursRate = files / median(times.ours);
      const details = {
        files,
        megabytes: Number(megabytes.toFixed(1)),
        corpus: '200 × 512² CT (explicit VR LE) + one 500-frame 512² CT',
        cores,
        rounds: RUNS,
        execution: `a started pool of ${cores} (the rule's choice with a started pool)`,
        seconds: Object.fromEntries(
          Object.entries({ ...times, oursWithSync: flushed.ours, copyWithSync: flushed.copy }).map(
            ([key, values]) => [key, values.map(round3)],
          ),
        ),
        oursMBps: Number((megabytes / median(times.ours)).toFixed(1)),
        gdcmanonFilesPerSecond: Number((files / median(times.gdcm)).toFixed(1)),
        gdcmanonMBps: Number((megabytes / median(times.gdcm)).toFixed(1)),
        ratioBestOfRoundsVsGdcmanon: round3(Math.min(...times.gdcm) / Math.min(...times.ours)),
        ratioBestOfRoundsVsCopy: round3(Math.min(...flushed.copy) / Math.min(...flushed.ours)),
        ratioInThreadVsGdcmanon: round3(median(ratios(times.gdcm, times.single))),
        ratioOwnPoolVsGdcmanon: round3(median(times.gdcm) / times.cold[0]!),
        note: 'ownPool starts its workers under tsx (slower than the built .js); in-thread is workers: 0',
        loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
      };
      return [
        {
          id: 'deid.files_per_s',
          value: Number(oursRate.toFixed(1)),
          unit: 'files/s',
          goal: '>= gdcmanon files/s',
          reference: {
            what: 'gdcmanon -e -c cert.pem, files/s on the same corpus',
            value: details.gdcmanonFilesPerSecond,
          },
          details,
        },
        {
          id: 'deid.ratio_vs_gdcmanon',
          value: round3(vsGdcm),
          unit: 'ratio',
          goal: '>= 1.5',
          reference: { what: 'gdcmanon -e -c cert.pem, median seconds', value: round3(median(times.gdcm)) },
          details,
        },
        {
          id: 'deid.ratio_vs_copy',
          value: round3(vsCopy),
          unit: 'ratio',
          goal: 'towards 1.0 (the I/O limit)',
          reference: {
            what: 'cp -r + sync of the same files, median seconds',
            value: round3(median(flushed.copy)),
          },
          details,
        },
      ];
    },
  },
];
