/**
 * Hostile DICOM files through the real import job (#12 item 6), on a temp data folder that already
 * holds a catalogued study: every mutated file (test/fuzz/part10-mutations.ts) gets a result
 * (added, duplicate) or a per-file error with a known code and a message; no job hangs (each chunk
 * is bounded in time); memory stays bounded; nothing already stored is lost or changed (a checksum
 * of the catalogue and the stored bytes before and after); no temp file is left; the catalog and
 * the store agree. RADLABEL_FUZZ_IMPORT_COUNT sets the number of files (150 in `npm test`, 1,000+
 * in `npm run test:soak`); RADLABEL_FUZZ_SEED replays a run (the seed is printed).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStoredFileSync } from '../../../main/cache/store-cipher.js';
import { ErrorCode } from '../../../shared/errors.js';
import { ensureCtSeries, makeTempDir, pydicomTestFilesDir } from '../../fixtures/index.js';
import { FILE_MUTATION_KINDS, mutatePart10 } from '../../fuzz/part10-mutations.js';
import { rng, storeObjectOf } from '../../fuzz/send-to-scp.js';
import { type Harness, openHarness } from '../import/harness.js';

const COUNT = Number(process.env['RADLABEL_FUZZ_IMPORT_COUNT'] ?? 150);
const SEED = Number(process.env['RADLABEL_FUZZ_SEED'] ?? 20261203);
const CHUNK = 50;
/** Generous for a shared 2-core machine: a chunk of 50 small files normally takes 1-3 s. */
const CHUNK_LIMIT_MS = 60_000;
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

const scratch = makeTempDir('import-fuzz');
let harness: Harness;
const sources = [
  ...ensureCtSeries({ slices: 3, size: 64, seed: 'import-fuzz' }).files,
  ...[
    'CT_small.dcm',
    'MR_small.dcm',
    'rtplan.dcm',
    'JPEG2000.dcm',
    'SC_rgb_rle.dcm',
    'emri_small_big_endian.dcm',
  ]
    .map((name) => path.join(pydicomTestFilesDir, name))
    .filter((file) => fs.existsSync(file)),
];

beforeAll(async () => {
  harness = openHarness();
  const first = await harness.importPaths(sources);
  expect(first.progress.failed).toBe(0);
});
afterAll(async () => {
  await harness?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Every catalogued instance with the SHA-256 of its stored bytes, in a stable order. */
async function catalogChecksum(): Promise<{ instances: number; digest: string; sops: string[] }> {
  const { handlers } = harness.services;
  const rows: string[] = [];
  const { studies } = await handlers['catalog.listStudies']({ limit: 1000, offset: 0 });
  for (const study of studies) {
    const detail = await handlers['catalog.getStudy']({ studyInstanceUID: study.studyInstanceUID });
    for (const series of detail.series) {
      for (const instance of await handlers['catalog.listInstances']({
        seriesInstanceUID: series.seriesInstanceUID,
      })) {
        const file = harness.services.instanceFile(instance.sopInstanceUID)!;
        const bytes = readStoredFileSync(file.path);
        rows.push(`${instance.sopInstanceUID} ${crypto.createHash('sha256').update(bytes).digest('hex')}`);
      }
    }
  }
  rows.sort();
  return {
    instances: rows.length,
    digest: crypto.createHash('sha256').update(rows.join('\n')).digest('hex'),
    sops: rows,
  };
}

/**
 * The file with a new SOP Instance UID of the same length (every occurrence replaced in place, so no
 * length changes): a mutant is then imported as a new instance, not dropped as a duplicate of its source.
 */
function freshInstance(file: Buffer, index: number): Buffer {
  const sop = storeObjectOf(file).sopInstanceUID;
  const copy = Buffer.from(file);
  if (sop.length < 12) return copy;
  const fresh = Buffer.from(`2.25.${String(index + 1).padStart(sop.length - 5, '9')}`, 'latin1');
  const original = Buffer.from(sop, 'latin1');
  for (let at = copy.indexOf(original); at >= 0; at = copy.indexOf(original, at + 1)) fresh.copy(copy, at);
  return copy;
}

describe('import fuzz', () => {
  it(`${COUNT} hostile DICOM files: each a result or an error, no hang, nothing stored lost`, async () => {
    console.log(`import fuzz: seed ${SEED}, ${COUNT} files (RADLABEL_FUZZ_SEED=${SEED} replays it)`);
    const before = await catalogChecksum();
    expect(before.instances).toBe(sources.length);
    const random = rng(SEED);
    const originals = sources.map((file) => fs.readFileSync(file));
    const files: Array<{ file: string; kind: string }> = [];
    for (let index = 0; index < COUNT; index += 1) {
      const kind = FILE_MUTATION_KINDS[index % FILE_MUTATION_KINDS.length]!;
      const bytes = mutatePart10(
        freshInstance(originals[index % originals.length]!, index),
        kind,
        random,
        index,
      );
      const file = path.join(scratch, `${String(index).padStart(5, '0')}-${kind}.dcm`);
      fs.writeFileSync(file, bytes);
      files.push({ file, kind });
    }

    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const slowest: number[] = [];
    let added = 0;
    try {
      for (let start = 0; start < files.length; start += CHUNK) {
        const chunk = files.slice(start, start + CHUNK);
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          harness.importPaths(chunk.map((entry) => entry.file)),
          new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), CHUNK_LIMIT_MS))),
        ]);
        clearTimeout(timer);
        expect(outcome, `seed ${SEED}, files ${start}..${start + chunk.length - 1} hung`).not.toBe('hang');
        if (outcome === 'hang') return;
        slowest.push(performance.now() - started);
        const { progress, errors } = outcome;
        expect(progress, `seed ${SEED}`).toMatchObject({ phase: 'done', filesDone: chunk.length });
        expect(progress.added + progress.duplicates + progress.failed + progress.skipped).toBe(chunk.length);
        expect(errors).toHaveLength(progress.failed + progress.skipped);
        for (const error of errors) {
          expect(KNOWN_CODES.has(error.code), `${error.path}: ${error.code}`).toBe(true);
          expect(error.message.length, error.path).toBeGreaterThan(10);
          expect(error.message, error.path).not.toMatch(/TypeError|RangeError|undefined|at .*\.js:\d+/);
        }
        added += progress.added;
      }
    } finally {
      clearInterval(sampler);
    }
    console.log(
      `import fuzz: ${COUNT} files, ${added} added, slowest chunk of ${CHUNK} ${Math.round(Math.max(...slowest))} ms, peak RSS ${Math.round(peakRss / 2 ** 20)} MB`,
    );
    expect(peakRss).toBeLessThan(2 * 2 ** 30);

    // Nothing already stored was lost or changed: every original row and byte is still there.
    const after = await catalogChecksum();
    for (const row of before.sops) expect(after.sops).toContain(row);
    // The catalog and the store agree, and no temp file is left.
    const contents = harness.storeContents();
    expect(contents.temp).toEqual([]);
    expect(contents.files).toHaveLength(after.instances);
    // Still importing: an intact original is a duplicate, with no error.
    const again = await harness.importPaths([sources[0]!]);
    expect(again.progress).toMatchObject({ duplicates: 1, failed: 0 });
  }, 900_000);
});
