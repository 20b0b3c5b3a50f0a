/**
 * The other hostile inputs (#12 item 6): zip archives (random damage, zip bombs, lying sizes,
 * path traversal names, overlapping entries, many entries), DICOMDIR media (self references,
 * climbing components, huge record counts, looping folders) and label schemas (oversized, deeply
 * nested, hostile keys). Each gets a result or a clear per-item error, in bounded time and memory,
 * and nothing is written outside the data folder. RADLABEL_FUZZ_INPUT_COUNT sets the number of
 * randomly damaged archives (50 in `npm test`, 1,000 in `npm run test:soak`); RADLABEL_FUZZ_SEED
 * replays a run (the seed is printed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseLabelSchema, SchemaService } from '../../../main/annotation/schema.js';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import {
  encodeElement,
  encodePart10,
  ensureCtSeries,
  makeTempDir,
  pydicomTestFilesDir,
  writeZip,
} from '../../fixtures/index.js';
import { rng } from '../../fuzz/send-to-scp.js';
import { type Harness, openHarness } from '../import/harness.js';

const COUNT = Number(process.env['RADLABEL_FUZZ_INPUT_COUNT'] ?? 50);
const SEED = Number(process.env['RADLABEL_FUZZ_SEED'] ?? 20261204);
/** DICOMDIR records: 20,000 in npm test, 100,000 in the soak. */
const RECORDS = Math.min(100_000, COUNT * 400);
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
const scratch = makeTempDir('inputs-fuzz');
const ct = fs.readFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm'));
let harness: Harness;
afterEach(async () => harness?.close());
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

async function importBounded(paths: string[], limitMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const outcome = await Promise.race([
    harness.importPaths(paths),
    new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), limitMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'hang') throw new Error(`seed ${SEED}: the import did not finish within ${limitMs} ms`);
  for (const error of outcome.errors) {
    expect(KNOWN_CODES.has(error.code), `${error.path}: ${error.code}`).toBe(true);
    expect(error.message, error.path).not.toMatch(/TypeError|RangeError|undefined|at .*\.js:\d+/);
  }
  expect(harness.storeContents().temp).toEqual([]);
  return { ...outcome, ms: performance.now() - started };
}

function zipBytes(name: string, entries: Parameters<typeof writeZip>[1]): Buffer {
  const file = path.join(scratch, `${name}.tmp.zip`);
  writeZip(file, entries);
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  return bytes;
}

describe('hostile zip archives', () => {
  it(`${COUNT} damaged archives and the classic attacks: each a result or an error, nothing outside the data folder`, async () => {
    console.log(`inputs fuzz: seed ${SEED}, ${COUNT} damaged archives`);
    const random = rng(SEED);
    const pick = (n: number) => Math.floor(random() * n);
    const series = ensureCtSeries({ slices: 3, size: 64, seed: 'zip-fuzz' });
    const good = zipBytes('good', [
      ...series.files.map((file, index) => ({
        name: `s/${path.basename(file)}`,
        data: fs.readFileSync(file),
        deflate: index % 2 === 0,
      })),
      { name: 'CT_small.dcm', data: ct },
    ]);
    const dir = path.join(scratch, 'zips');
    fs.mkdirSync(dir);
    const files: string[] = [];
    const add = (name: string, bytes: Buffer) => {
      const file = path.join(dir, `${name}.zip`);
      fs.writeFileSync(file, bytes);
      files.push(file);
    };
    for (let index = 0; index < COUNT; index += 1) {
      const bytes = Buffer.from(good);
      if (index % 3 === 0) add(`${index}-truncated`, bytes.subarray(0, pick(bytes.length)));
      else {
        for (let flips = 1 + pick(16); flips > 0; flips -= 1) {
          // Half the flips land in the headers (local headers, central directory, end record).
          const at =
            random() < 0.5 ? bytes.length - 1 - pick(Math.min(400, bytes.length)) : pick(bytes.length);
          bytes[at]! ^= 1 << pick(8);
        }
        add(`${index}-flipped`, bytes);
      }
    }
    // A zip bomb: 256 MB of zeros deflate to ~250 KB (ratio ~1000, over the limit of 200).
    add('bomb', zipBytes('bomb', [{ name: 'zeros.dcm', data: Buffer.alloc(256 * 2 ** 20) }]));
    // Lying sizes: a small entry declaring 4 GB uncompressed, in both headers.
    const liar = Buffer.from(zipBytes('liar', [{ name: 'CT_small.dcm', data: ct }]));
    liar.writeUInt32LE(0xfffffff0, 22);
    liar.writeUInt32LE(0xfffffff0, liar.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
    add('liar', liar);
    // Path traversal and hostile names.
    add(
      'traversal',
      zipBytes('traversal', [
        { name: '../../../../tmp/radlabel-slipped.dcm', data: ct },
        { name: '/etc/radlabel-absolute.dcm', data: ct },
        { name: 'C:\\Windows\\radlabel.dcm', data: ct },
        { name: 'a/../../radlabel-up.dcm', data: ct },
        { name: `nul\u0000byte.dcm`, data: ct },
      ]),
    );
    // Overlapping entries: two central directory records pointing at the same local header.
    const overlap = Buffer.from(
      zipBytes('overlap', [
        { name: 'one.dcm', data: ct },
        { name: 'two.dcm', data: ct },
      ]),
    );
    const second = overlap.indexOf(
      Buffer.from([0x50, 0x4b, 0x01, 0x02]),
      overlap.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 4,
    );
    overlap.writeUInt32LE(0, second + 42);
    add('overlap', overlap);
    // Many entries: 40 empty files per damaged archive asked for (2,000 in npm test, 40,000 in the soak).
    add(
      'many',
      zipBytes(
        'many',
        Array.from({ length: COUNT * 40 }, (_, i) => ({
          name: `e/${i}`,
          data: Buffer.alloc(0),
          deflate: false,
        })),
      ),
    );

    harness = openHarness();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const { progress, errors, ms } = await importBounded(files, 300_000).finally(() =>
      clearInterval(sampler),
    );
    console.log(
      `inputs fuzz: ${files.length} archives in ${Math.round(ms)} ms, ${progress.added} added, ${errors.length} errors, peak RSS ${Math.round(peakRss / 2 ** 20)} MB`,
    );
    expect(progress.phase).toBe('done');
    expect(peakRss).toBeLessThan(2 * 2 ** 30);
    const byArchive = (name: string) =>
      errors.filter((error) => error.path.includes(`${path.sep}${name}.zip`));
    expect(byArchive('bomb')[0]).toMatchObject({ code: expect.stringMatching(/too-large|bad-archive/) });
    expect(byArchive('traversal').length).toBeGreaterThan(0);
    for (const slipped of ['/tmp/radlabel-slipped.dcm', '/etc/radlabel-absolute.dcm'])
      expect(fs.existsSync(slipped), slipped).toBe(false);
    expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(['zips']);
    // Every stored file is catalogued: the store and the catalog agree after all of it.
    const { studies } = await harness.services.handlers['catalog.listStudies']({ limit: 1000, offset: 0 });
    const catalogued = studies.reduce((sum, study) => sum + study.numberOfInstances, 0);
    expect(harness.storeContents().files).toHaveLength(catalogued);
  }, 900_000);
});

/** A DICOMDIR whose directory records carry these ReferencedFileID values. */
function dicomdir(records: string[]): Buffer {
  const items = records.map((id) => {
    const body = Buffer.concat([
      encodeElement({ tag: 0x00041400, vr: 'UL', value: [0] }),
      encodeElement({ tag: 0x00041430, vr: 'CS', value: 'IMAGE' }),
      encodeElement({ tag: 0x00041500, vr: 'CS', value: id }),
    ]);
    const head = Buffer.alloc(8);
    head.writeUInt32LE(0xe000fffe, 0);
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body]);
  });
  return encodePart10({
    sopClassUID: '1.2.840.10008.1.3.10',
    sopInstanceUID: '1.2.826.0.1.3680043.8.498.7777',
    elements: [
      { tag: 0x00041130, vr: 'CS', value: 'HOSTILE' },
      { tag: 0x00041220, vr: 'SQ', value: Buffer.concat(items) },
    ],
  });
}

describe('hostile DICOMDIR media', () => {
  it(`self references, climbing components, a looping folder and ${RECORDS} records: bounded, nothing outside the media read`, async () => {
    const media = path.join(scratch, 'media');
    fs.mkdirSync(path.join(media, 'DICOM'), { recursive: true });
    fs.writeFileSync(path.join(media, 'DICOM', 'IM1'), ct);
    fs.symlinkSync('..', path.join(media, 'DICOM', 'LOOP'));
    fs.symlinkSync('/etc', path.join(media, 'DICOM', 'ETC'));
    const records = [
      'DICOM\\IM1',
      'DICOMDIR',
      '..\\..\\etc\\passwd',
      'DICOM\\ETC\\passwd',
      'DICOM\\LOOP\\DICOM\\LOOP\\DICOM\\LOOP\\DICOMDIR',
      'DICOM',
      '\\\\\\\\',
      ...Array.from({ length: RECORDS }, (_, i) => `DICOM\\LOOP\\DICOM\\IM${i % 2 ? '1' : String(i)}`),
    ];
    fs.writeFileSync(path.join(media, 'DICOMDIR'), dicomdir(records));
    harness = openHarness();
    const { progress, errors, ms } = await importBounded([media], 300_000);
    console.log(`DICOMDIR fuzz: ${records.length} records in ${Math.round(ms)} ms, ${errors.length} errors`);
    expect(progress).toMatchObject({ phase: 'done', added: 1 });
    // Only the one real image is imported; nothing reached through the links or '..' is read.
    expect(errors.filter((error) => error.path.includes('passwd')).length).toBeGreaterThan(0);
  }, 600_000);

  it('a damaged DICOMDIR is one clear error and the files beside it still import', async () => {
    const media = path.join(scratch, 'media-damaged');
    fs.mkdirSync(media);
    fs.writeFileSync(path.join(media, 'IM1'), ct);
    fs.writeFileSync(path.join(media, 'DICOMDIR'), dicomdir(['IM1']).subarray(0, 200));
    harness = openHarness();
    const { progress, errors } = await importBounded([media], 60_000);
    expect(progress.phase).toBe('done');
    expect(errors.length + progress.added).toBeGreaterThan(0);
  });
});

describe('hostile label schemas', () => {
  const rejects = (text: string) => {
    const started = performance.now();
    let thrown: unknown;
    try {
      parseLabelSchema(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe(ErrorCode.InvalidRequest);
    expect((thrown as AppError).message).toMatch(/^The label schema is not valid/);
    expect(performance.now() - started).toBeLessThan(10_000);
  };

  it('deeply nested JSON (a million brackets) is a clear error, not a stack overflow', () => {
    rejects('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    rejects(`{"version":1,"labels":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    rejects(`{"a":`.repeat(100_000) + '1' + '}'.repeat(100_000));
  });

  it('oversized or hostile content is refused with the field named', () => {
    rejects(JSON.stringify({ version: 1, labels: [{ id: 'a', name: 'x'.repeat(5_000_000) }] }));
    rejects(
      JSON.stringify({ __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } }),
    );
    rejects(
      JSON.stringify({
        version: 1,
        labels: Array.from({ length: 100_000 }, (_, i) => ({ id: `l${i}`, name: { en: 'x' } })),
      }),
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a schema file over 2 MB is refused before it is read', () => {
    const dir = makeTempDir('schema-fuzz');
    const file = path.join(dir, 'huge.json');
    fs.writeFileSync(file, ' '.repeat(3 * 2 ** 20));
    expect(() => new SchemaService(dir).loadFile(file)).toThrow(
      expect.objectContaining({ code: ErrorCode.TooLarge }),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
