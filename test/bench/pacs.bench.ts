/**
 * PACS receive benchmarks, each with `radlabel serve` (the built CLI) in its own process:
 * - pacs.cstore_ratio_vs_orthanc: the same storescu run sends the same study (200 CT images of
 *   512 KB) to our SCP and to Orthanc; the ratio of throughputs (ours / Orthanc's), median of
 *   interleaved runs, each into an empty data folder;
 * - pacs.cstore_peak_rss_mb: the peak resident memory (VmHWM) of the receiving process while it
 *   receives a 2 GB study (4000 × 512 KB images, generated in a temp folder).
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { encodePart10 } from '../fixtures/index.js';
import { repoRoot } from '../fixtures/paths.js';
import { startOrthanc } from '../integration/pacs/harness.js';
import { type Benchmark, median } from './lib.js';

const execFileAsync = promisify(execFile);
const cli = path.join(repoRoot, 'build', 'main', 'cli', 'index.js');
const ROOT_UID = '1.2.826.0.1.3680043.8.498.4242';

/** `count` CT images of 512 × 512 × 16 bit (512 KB of pixels each), one study, one series; `tag` is digits (it goes into the UIDs). */
function writeStudy(dir: string, count: number, tag: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const pixels = Buffer.alloc(512 * 512 * 2);
  const files: string[] = [];
  for (let index = 0; index < count; index += 1) {
    // Different pixels per image: nothing in the store is deduplicated by content.
    pixels.writeUInt32LE(index, 0);
    pixels.fill(index % 251, 4, 4096);
    const sopInstanceUID = `${ROOT_UID}.${tag}.3.${index + 1}`;
    const file = path.join(dir, `CT${String(index + 1).padStart(5, '0')}.dcm`);
    fs.writeFileSync(
      file,
      encodePart10({
        sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
        sopInstanceUID,
        elements: [
          { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
          { tag: 0x00080018, vr: 'UI', value: sopInstanceUID },
          { tag: 0x00080020, vr: 'DA', value: '20240301' },
          { tag: 0x00080060, vr: 'CS', value: 'CT' },
          { tag: 0x00100010, vr: 'PN', value: 'Bench^Pacs' },
          { tag: 0x00100020, vr: 'LO', value: `BENCH-${tag}` },
          { tag: 0x0020000d, vr: 'UI', value: `${ROOT_UID}.${tag}.1` },
          { tag: 0x0020000e, vr: 'UI', value: `${ROOT_UID}.${tag}.2` },
          { tag: 0x00200013, vr: 'IS', value: String(index + 1) },
          { tag: 0x00200032, vr: 'DS', value: `0\\0\\${index}` },
          { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
          { tag: 0x00280002, vr: 'US', value: [1] },
          { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
          { tag: 0x00280010, vr: 'US', value: [512] },
          { tag: 0x00280011, vr: 'US', value: [512] },
          { tag: 0x00280030, vr: 'DS', value: '0.7\\0.7' },
          { tag: 0x00280100, vr: 'US', value: [16] },
          { tag: 0x00280101, vr: 'US', value: [16] },
          { tag: 0x00280102, vr: 'US', value: [15] },
          { tag: 0x00280103, vr: 'US', value: [1] },
          { tag: 0x7fe00010, vr: 'OW', value: pixels },
        ],
      }),
    );
    files.push(file);
  }
  return files;
}

interface Serve {
  child: ChildProcess;
  port: number;
  /** The receiving process, as `serve` prints it. */
  receiverPid: number;
  stop(): Promise<void>;
}

async function startServe(dataDir: string): Promise<Serve> {
  const child = spawn(
    process.execPath,
    [
      cli,
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--bind',
      '127.0.0.1',
      '--aet',
      'RADLABEL',
      '--accept-any',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RADLABEL_DATA_DIR: dataDir } },
  );
  let stdout = '';
  const [port, receiverPid] = await new Promise<[number, number]>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening \S+ \S+:(\d+) pid (\d+)/.exec(stdout);
      if (match) resolve([Number(match[1]), Number(match[2])]);
    });
    child.once('exit', (code) => reject(new Error(`radlabel serve exited with ${code}`)));
  });
  return {
    child,
    port,
    receiverPid,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

async function storescu(port: number, calledAe: string, dir: string): Promise<number> {
  const started = performance.now();
  // +sd: the folder as storescu scans it; the same command line for both receivers.
  await execFileAsync('storescu', ['-aec', calledAe, '+sd', '127.0.0.1', String(port), dir], {
    maxBuffer: 64 * 2 ** 20,
  });
  return performance.now() - started;
}

/** Peak resident set of a process (VmHWM), in MiB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function buildCli(): void {
  spawnSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'main'],
    {
      cwd: repoRoot,
      stdio: 'ignore',
    },
  );
  if (!fs.existsSync(cli)) throw new Error('build/main/cli/index.js is missing: npm run build');
}

export const benchmarks: Benchmark[] = [
  {
    ids: ['pacs.cstore_ratio_vs_orthanc'],
    async run() {
      buildCli();
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-bench-pacs-'));
      try {
        const count = 200;
        const studyDir = path.join(scratch, 'study');
        writeStudy(studyDir, count, '1');
        const megabytes =
          fs
            .readdirSync(studyDir)
            .reduce((sum, name) => sum + fs.statSync(path.join(studyDir, name)).size, 0) /
          2 ** 20;
        const ours: number[] = [];
        const theirs: number[] = [];
        for (let round = 0; round < 3; round += 1) {
          const serve = await startServe(path.join(scratch, `data-${round}`));
          try {
            ours.push(await storescu(serve.port, 'RADLABEL', studyDir));
          } finally {
            await serve.stop();
          }
          fs.rmSync(path.join(scratch, `data-${round}`), { recursive: true, force: true });
          const orthanc = await startOrthanc();
          try {
            theirs.push(await storescu(orthanc.dicomPort, orthanc.aeTitle, studyDir));
          } finally {
            await orthanc.stop();
          }
        }
        const oursPerSecond = count / (median(ours) / 1000);
        const orthancPerSecond = count / (median(theirs) / 1000);
        return [
          {
            id: 'pacs.cstore_ratio_vs_orthanc',
            value: Number((oursPerSecond / orthancPerSecond).toFixed(3)),
            unit: 'ratio',
            goal: '>= 0.9',
            reference: {
              what: 'Orthanc 1.10 images/s, same storescu run',
              value: Number(orthancPerSecond.toFixed(1)),
            },
            details: {
              images: count,
              megabytes: Number(megabytes.toFixed(1)),
              oursImagesPerSecond: Number(oursPerSecond.toFixed(1)),
              oursMs: ours.map(Math.round),
              orthancMs: theirs.map(Math.round),
            },
          },
        ];
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    },
  },
  {
    ids: ['pacs.cstore_peak_rss_mb'],
    async run() {
      buildCli();
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-bench-pacs-rss-'));
      try {
        const count = Number(process.env['RADLABEL_BENCH_PACS_IMAGES'] ?? 4000);
        const studyDir = path.join(scratch, 'study');
        writeStudy(studyDir, count, '2');
        const bytes = fs
          .readdirSync(studyDir)
          .reduce((sum, name) => sum + fs.statSync(path.join(studyDir, name)).size, 0);
        const dataDir = path.join(scratch, 'data');
        const serve = await startServe(dataDir);
        let peak: number;
        let ms: number;
        try {
          const idle = peakRssMb(serve.receiverPid);
          ms = await storescu(serve.port, 'RADLABEL', studyDir);
          peak = peakRssMb(serve.receiverPid);
          const listed = spawnSync(process.execPath, [cli, 'ls', '--json', '--data-dir', dataDir], {
            encoding: 'utf8',
            maxBuffer: 64 * 2 ** 20,
          });
          const studies = JSON.parse(listed.stdout) as Array<{ numberOfInstances: number }>;
          if (studies[0]?.numberOfInstances !== count)
            throw new Error(`received ${studies[0]?.numberOfInstances ?? 0} of ${count} images`);
          return [
            {
              id: 'pacs.cstore_peak_rss_mb',
              value: Number(peak.toFixed(1)),
              unit: 'MiB',
              goal: '< 200',
              reference: {
                what: 'peak RSS of the same process before receiving',
                value: Number(idle.toFixed(1)),
              },
              details: {
                images: count,
                gigabytes: Number((bytes / 2 ** 30).toFixed(2)),
                seconds: Number((ms / 1000).toFixed(1)),
                imagesPerSecond: Number((count / (ms / 1000)).toFixed(1)),
              },
            },
          ];
        } finally {
          await serve.stop();
        }
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    },
  },
];
