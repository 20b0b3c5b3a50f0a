/**
 * Sync benchmarks (issue #10), against a real Orthanc + DICOMweb on loopback:
 * - sync.stow_ratio_vs_curl: uploading a study (200 × 512 KB) with the DICOMweb client vs curl
 *   POSTing the same multipart bodies (built beforehand) to the same Orthanc, same batches, in the
 *   same run; curl time / client time (≥ 0.9 means at least 90 % of curl's speed). The server is
 *   emptied between runs; runs alternate; medians.
 * - sync.wado_ratio_vs_curl: retrieving that study: the client's wadoStudy (streamed, every
 *   instance verified and written to its own file) vs `curl -o` of the same WADO-RS request.
 * - sync.upload_peak_rss_mb: the peak resident memory (VmHWM) of a separate process uploading a
 *   2 GB study (generated in a temp dir) with the client; the idle peak of the same process before
 *   the upload in details.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { readDicomHeaderFromFile } from '../../main/dicom/header.js';
import { DicomWebClient, type StowFile } from '../../main/sync/dicomweb-client.js';
import { multipartBody, newBoundary, stowContentType } from '../../main/sync/multipart.js';
import { ensureCtSeries, repoRoot } from '../fixtures/index.js';
import { type Orthanc, startOrthanc } from '../support/orthanc.js';
import { type BenchFigure, type Benchmark, median } from './lib.js';

const execFileAsync = promisify(execFile);
const RUNS = 3;
const BATCH = 100;

function stowFiles(files: readonly string[]): StowFile[] {
  return files.map((file) => ({
    path: file,
    sopInstanceUID: readDicomHeaderFromFile(file).sopInstanceUID,
    size: fs.statSync(file).size,
  }));
}

async function emptyServer(orthanc: Orthanc): Promise<void> {
  const studies = (await (await orthanc.rest('/studies')).json()) as string[];
  for (const id of studies) await orthanc.rest(`/studies/${id}`, { method: 'DELETE' });
}

async function writeBody(files: readonly StowFile[], file: string): Promise<string> {
  const boundary = newBoundary();
  const out = fs.createWriteStream(file);
  for await (const chunk of multipartBody(files, boundary).chunks()) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return stowContentType(boundary);
}

function curlAuth(): string[] {
  return ['-u', 'user:secret'];
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function stowAndWado(): Promise<BenchFigure[]> {
  const ct = ensureCtSeries({ slices: 200, size: 512, seed: 'bench-sync' });
  const files = stowFiles(ct.files);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-bench-sync-'));
  const orthanc = await startOrthanc({}, {}, { dicomWeb: true });
  const client = new DicomWebClient({
    baseUrl: orthanc.dicomWebUrl!,
    credentials: { type: 'basic', username: 'user', password: 'secret' },
    batchInstances: BATCH,
    batchBytes: 1024 * 2 ** 20,
  });
  try {
    // The same batches for curl, as bodies on disk (not timed).
    const bodies: Array<{ file: string; type: string }> = [];
    for (const [index, batch] of client.batches(files).entries()) {
      const file = path.join(scratch, `body-${index}`);
      bodies.push({ file, type: await writeBody(batch, file) });
    }
    const curlStow = async (): Promise<void> => {
      for (const body of bodies) {
        await execFileAsync('curl', [
          '-sS',
          '-f',
          '-o',
          '/dev/null',
          ...curlAuth(),
          '-H',
          `Content-Type: ${body.type}`,
          '-H',
          'Accept: application/dicom+json',
          '--data-binary',
          `@${body.file}`,
          `${orthanc.dicomWebUrl}/studies`,
        ]);
      }
    };
    // The client's own CPU time (this process), to tell its cost from the machine's load.
    const clientCpuMs: { stow: number[]; wado: number[] } = { stow: [], wado: [] };
    const cpuOf = async (into: number[], run: () => Promise<void>): Promise<void> => {
      const before = process.cpuUsage();
      await run();
      const used = process.cpuUsage(before);
      into.push(Math.round((used.user + used.system) / 1000));
    };
    const clientStow = async (): Promise<void> => {
      const outcomes = await client.stow(files);
      if (!outcomes.every((outcome) => outcome.stored)) throw new Error('an instance was not stored');
    };
    const stowCurl: number[] = [];
    const stowClient: number[] = [];
    // Warm-up of both (the server's first store creates its folders).
    await curlStow();
    await emptyServer(orthanc);
    for (let run = 0; run < RUNS; run += 1) {
      stowCurl.push(await timed(curlStow));
      await emptyServer(orthanc);
      stowClient.push(await timed(() => cpuOf(clientCpuMs.stow, clientStow)));
      if (run < RUNS - 1) await emptyServer(orthanc);
    }

    const wadoCurl: number[] = [];
    const wadoClient: number[] = [];
    // Mark-Compacts during each client retrieval (they came from socket reads' buffers; see docs/sync.md).
    let majorGcs = 0;
    const gcs = new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if (
          (entry as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR
        )
          majorGcs += 1;
    });
    gcs.observe({ entryTypes: ['gc'] });
    const wadoMarkCompacts: number[] = [];
    const url = `${orthanc.dicomWebUrl}/studies/${ct.studyInstanceUID}`;
    for (let run = 0; run < RUNS + 1; run += 1) {
      const curlOut = path.join(scratch, `wado-curl-${run}`);
      const curlTime = await timed(() =>
        execFileAsync('curl', [
          '-sS',
          '-f',
          '-o',
          curlOut,
          ...curlAuth(),
          '-H',
          'Accept: multipart/related; type="application/dicom"; transfer-syntax=*',
          url,
        ]),
      );
      const clientDir = path.join(scratch, `wado-client-${run}`);
      const wadoCpu: number[] = [];
      const majorBefore = majorGcs;
      const clientTime = await timed(() =>
        cpuOf(wadoCpu, async () => {
          const written = await client.wadoStudy(ct.studyInstanceUID, clientDir);
          if (written.length !== files.length) throw new Error(`${written.length} instances retrieved`);
        }),
      );
      // The observer reports after the collection's turn: let it.
      await new Promise((resolve) => setImmediate(resolve));
      const markCompacts = majorGcs - majorBefore;
      fs.rmSync(curlOut, { force: true });
      fs.rmSync(clientDir, { recursive: true, force: true });
      if (run === 0) continue; // warm-up
      wadoMarkCompacts.push(markCompacts);
      wadoCurl.push(curlTime);
      wadoClient.push(clientTime);
      clientCpuMs.wado.push(...wadoCpu);
    }
    gcs.disconnect();
    const megabytes = files.reduce((sum, file) => sum + file.size, 0) / 2 ** 20;
    const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
    return [
      {
        id: 'sync.stow_ratio_vs_curl',
        value: round(median(stowCurl) / median(stowClient)),
        unit: 'ratio (curl time / client time)',
        goal: '>= 0.9',
        reference: {
          what: 'curl STOW-RS of the same multipart bodies, median ms',
          value: round(median(stowCurl), 0),
        },
        details: {
          instances: files.length,
          megabytes: round(megabytes, 1),
          batch: BATCH,
          clientMs: stowClient.map((value) => round(value, 0)),
          curlMs: stowCurl.map((value) => round(value, 0)),
          clientMBps: round(megabytes / (median(stowClient) / 1000), 1),
          clientCpuMs: clientCpuMs.stow,
          loadAverage1m: round(os.loadavg()[0]!, 1),
        },
      },
      {
        id: 'sync.wado_ratio_vs_curl',
        value: round(median(wadoCurl) / median(wadoClient)),
        unit: 'ratio (curl time / client time)',
        goal: '>= 0.8',
        reference: {
          what: 'curl -o of the same WADO-RS study request, median ms',
          value: round(median(wadoCurl), 0),
        },
        details: {
          instances: files.length,
          megabytes: round(megabytes, 1),
          clientMs: wadoClient.map((value) => round(value, 0)),
          curlMs: wadoCurl.map((value) => round(value, 0)),
          clientMBps: round(megabytes / (median(wadoClient) / 1000), 1),
          clientCpuMs: clientCpuMs.wado,
          clientMarkCompacts: wadoMarkCompacts,
          loadAverage1m: round(os.loadavg()[0]!, 1),
        },
      },
    ];
  } finally {
    await client.close();
    await orthanc.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** A study of `count` instances of about 2 MB each, made from one template by rewriting its SOP Instance UID. */
function writeLargeStudy(dir: string, count: number): string[] {
  const template = ensureCtSeries({ slices: 1, size: 1024, seed: 'bench-sync-rss' });
  const bytes = fs.readFileSync(template.files[0]!);
  const uid = Buffer.from(template.sopInstanceUIDs[0]!, 'latin1');
  const files: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const suffix = String(index).padStart(6, '0');
    const replacement = Buffer.from(
      `${uid.toString('latin1').slice(0, uid.length - suffix.length)}${suffix}`,
      'latin1',
    );
    const copy = Buffer.from(bytes);
    for (let at = copy.indexOf(uid); at >= 0; at = copy.indexOf(uid, at + uid.length))
      replacement.copy(copy, at);
    const file = path.join(dir, `${suffix}.dcm`);
    fs.writeFileSync(file, copy);
    files.push(file);
  }
  return files;
}

/** The uploading process: prints its idle VmHWM, uploads, prints its peak VmHWM. */
const UPLOADER = `
import fs from 'node:fs';
import { DicomWebClient } from ${JSON.stringify(path.join(repoRoot, 'main/sync/dicomweb-client.ts'))};
const hwm = () => Number(/VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const [url, list] = process.argv.slice(2);
const files = JSON.parse(fs.readFileSync(list, 'utf8'));
const client = new DicomWebClient({ baseUrl: url, credentials: { type: 'basic', username: 'user', password: 'secret' }, batchInstances: 100, batchBytes: 256 * 2 ** 20 });
const idle = hwm();
const outcomes = await client.stow(files);
await client.close();
console.log(JSON.stringify({ idle, peak: hwm(), stored: outcomes.filter((o) => o.stored).length }));
`;

async function uploadPeakRss(): Promise<BenchFigure[]> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-bench-sync-rss-'));
  const orthanc = await startOrthanc({}, {}, { dicomWeb: true, dir: path.join(scratch, 'orthanc') });
  try {
    const studyDir = path.join(scratch, 'study');
    fs.mkdirSync(studyDir);
    const files = writeLargeStudy(studyDir, 1100);
    const list = stowFiles(files);
    const bytes = list.reduce((sum, file) => sum + file.size, 0);
    const listFile = path.join(scratch, 'files.json');
    fs.writeFileSync(listFile, JSON.stringify(list));
    const script = path.join(repoRoot, '.tmp', `bench-sync-uploader-${process.pid}.mts`);
    fs.mkdirSync(path.dirname(script), { recursive: true });
    fs.writeFileSync(script, UPLOADER);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', script, orthanc.dicomWebUrl!, listFile], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const started = performance.now();
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) throw new Error(`the uploader exited with ${code}: ${output}`);
      const result = JSON.parse(output.trim().split('\n').pop()!) as {
        idle: number;
        peak: number;
        stored: number;
      };
      if (result.stored !== list.length) throw new Error(`${result.stored} of ${list.length} stored`);
      return [
        {
          id: 'sync.upload_peak_rss_mb',
          value: Number(result.peak.toFixed(1)),
          unit: 'MiB (VmHWM of the uploading process)',
          goal: '< 200',
          reference: {
            what: 'the same process before the upload (VmHWM, MiB)',
            value: Number(result.idle.toFixed(1)),
          },
          details: {
            instances: list.length,
            gigabytes: Number((bytes / 2 ** 30).toFixed(2)),
            seconds: Number(seconds.toFixed(1)),
            loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)),
            note: 'run under tsx (TypeScript loader) in a separate node process',
          },
        },
      ];
    } finally {
      fs.rmSync(script, { force: true });
    }
  } finally {
    await orthanc.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  { ids: ['sync.stow_ratio_vs_curl', 'sync.wado_ratio_vs_curl'], run: stowAndWado },
  { ids: ['sync.upload_peak_rss_mb'], run: uploadPeakRss },
];
