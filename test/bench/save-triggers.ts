/**
 * What the statistics' triggers (migration 0023, and 0018's fact mirror) cost one annotation save,
 * in main, on a realistic catalog (the stats fixture: 10,000 studies, 93,152 versions). Not a
 * figure of `npm run bench`: an A/B tool for docs/statistics.md "Speed" (what a save pays).
 *
 *   node --import tsx test/bench/save-triggers.ts [studies=10000] [rounds=300]
 *
 * The fixture is written once (kept in $TMPDIR/radlabel-save-triggers-<studies>), then copied to
 * one catalog per variant: `all` (every trigger and index as the fixture's schema has them: a
 * fixture written before migration 0024 existed is at 23), `all-0024` (the same with migration
 * 0024's partial indexes), `no-0023` (the stats_* triggers dropped), `no-stats` (also
 * 0018's annotation_fact_* triggers dropped). One AnnotationStore per
 * copy; the rounds interleave the variants (A, B, C, A, B, C …) so the machine's load falls on each
 * alike. A round does what the annotation.save_ms benchmark's drawing does in main (test/bench/
 * annotation.bench.ts): a new Length is saved (no parent), then its label chosen (a child version),
 * then one modification (a grandchild), each an `AnnotationStore.save` of one version in a study of
 * the fixture. Per save: the main thread's CPU time (process.cpuUsage around the synchronous call:
 * zod, the SQL, the commit to the WAL) and its wall time; medians and p95 per variant and step; and
 * the saves that checkpointed the WAL (SQLite's autocheckpoint at 1000 pages runs in the commit
 * that reaches it: more pages per save, more such saves) with their wall time.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { AnnotationVersionInput } from '../../shared/annotation.js';
import { AnnotationStore } from '../../main/annotation/store.js';
import { catalogKeyFor } from '../../main/cache/cache-app.js';
import { registerDatabaseKey } from '../../main/core/sqlite.js';
import { statsPartialIndexes } from '../../main/catalog/migrations/0024-stats-partial-indexes.js';
import { defaultKeyProvider } from '../../main/deid-app/key-provider.js';
import { writeStatsFixture } from '../fixtures/stats-fixture.js';
import { median, percentile } from './lib.js';

const studies = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 300);
const VARIANTS = ['all', 'all-0024', 'no-0023', 'no-stats'] as const;
type Variant = (typeof VARIANTS)[number];
const STEPS = ['new', 'label', 'modify'] as const;

async function fixtureDir(): Promise<string> {
  const dataDir = path.join(os.tmpdir(), `radlabel-save-triggers-${studies}`);
  if (!fs.existsSync(path.join(dataDir, 'done'))) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    const started = performance.now();
    await writeStatsFixture(dataDir, { studies, seed: 7 });
    fs.writeFileSync(path.join(dataDir, 'done'), '');
    console.log(`fixture: ${studies} studies in ${Math.round(performance.now() - started)} ms`);
  }
  return dataDir;
}

function copyFor(dataDir: string, variant: Variant, scratch: string): string {
  const source = path.join(dataDir, 'catalog.sqlite');
  const key = catalogKeyFor(source, dataDir, defaultKeyProvider(dataDir));
  const file = path.join(scratch, `${variant}.sqlite`);
  fs.copyFileSync(source, file);
  if (key) registerDatabaseKey(file, key);
  // Drop the variant's triggers on its own copy.
  const copy = new Database(file, { fileMustExist: true });
  if (key) {
    copy.pragma(`cipher = 'sqlcipher'`);
    copy.pragma(`key = "x'${key}'"`);
  }
  const names = copy
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    .all()
    .map((row) => row.name);
  const drop = names.filter((name) =>
    variant === 'all' || variant === 'all-0024'
      ? false
      : variant === 'no-0023'
        ? name.startsWith('stats_')
        : name.startsWith('stats_') || name.startsWith('annotation_fact_'),
  );
  for (const name of drop) copy.exec(`DROP TRIGGER ${name}`);
  // The fixture is written at the schema of its day: `all-0024` is `all` with migration 0024 applied.
  if (variant === 'all-0024' && (copy.pragma('user_version', { simple: true }) as number) < 24)
    statsPartialIndexes.up(copy);
  copy.pragma('wal_checkpoint(TRUNCATE)');
  copy.close();
  console.log(`${variant}: ${names.length - drop.length} triggers (${drop.length} dropped)`);
  return file;
}

function lengthData(y: number, length: number): Record<string, unknown> {
  return {
    metadata: { toolName: 'Length', FrameOfReferenceUID: '1.2.3' },
    data: {
      handles: {
        points: [
          [0, y, -10],
          [length, y, -10],
        ],
      },
      cachedStats: { 'imageId:x': { length, unit: 'mm' } },
    },
  };
}

async function main(): Promise<void> {
  const dataDir = await fixtureDir();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-save-triggers-'));
  const stores = new Map<Variant, AnnotationStore>();
  const files = new Map<Variant, string>();
  for (const variant of VARIANTS) {
    const file = copyFor(dataDir, variant, scratch);
    files.set(variant, file);
    stores.set(variant, new AnnotationStore(file, { reader: () => 'reader-a' }));
  }
  // A save whose commit brought the WAL to 1000 pages checkpoints it (SQLite's autocheckpoint, in
  // the committing call): the database file is written, so its mtime moves.
  const checkpoints = new Map<Variant, number[]>();
  const written = (variant: Variant) => fs.statSync(files.get(variant)!, { bigint: true }).mtimeNs;
  const cpu = new Map<string, number[]>();
  const wall = new Map<string, number[]>();
  const record = (key: string, cpuMs: number, wallMs: number) => {
    cpu.set(key, [...(cpu.get(key) ?? []), cpuMs]);
    wall.set(key, [...(wall.get(key) ?? []), wallMs]);
  };
  const studyOf = (round: number) => `1.2.826.0.1.3680043.10.1100.${1 + ((round * 7919) % studies)}`;
  try {
    for (let round = 0; round < rounds + 20; round += 1) {
      const study = studyOf(round);
      // Rotate which variant goes first so none always follows another's commit.
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
      for (const variant of order) {
        const store = stores.get(variant)!;
        const annotationUid = crypto.randomUUID();
        let parent: string | null = null;
        for (const step of STEPS) {
          const version: AnnotationVersionInput = {
            versionId: crypto.randomUUID(),
            annotationUid,
            parentIds: parent ? [parent] : [],
            studyInstanceUID: study,
            seriesInstanceUID: `${study}.1`,
            sopInstanceUID: `${study}.1.1`,
            kind: 'measurement',
            tool: 'Length',
            labelId: step === 'new' ? 'lesion' : 'nodule',
            attributes: {},
            data: lengthData(round, step === 'modify' ? 31.5 : 30),
            source: 'human',
          };
          const mtime = written(variant);
          const cpuBefore = process.cpuUsage();
          const wallBefore = performance.now();
          store.save([version]);
          const wallMs = performance.now() - wallBefore;
          const used = process.cpuUsage(cpuBefore);
          if (round >= 20 && written(variant) !== mtime)
            checkpoints.set(variant, [...(checkpoints.get(variant) ?? []), wallMs]);
          // The first rounds warm each connection's page cache; not counted.
          if (round >= 20) record(`${variant} ${step}`, (used.user + used.system) / 1000, wallMs);
          parent = version.versionId;
        }
      }
    }
  } finally {
    for (const store of stores.values()) {
      await store.durable();
      store.close();
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const fmt = (values: number[]) =>
    `median ${median(values).toFixed(3)}  p95 ${percentile(values, 95).toFixed(3)}  mean ${(
      values.reduce((a, b) => a + b, 0) / values.length
    ).toFixed(3)}`;
  console.log(
    `load ${os
      .loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}; ${rounds} rounds; ms per save`,
  );
  for (const variant of VARIANTS) {
    const all: number[] = [];
    const allWall: number[] = [];
    for (const step of STEPS) {
      const key = `${variant} ${step}`;
      all.push(...cpu.get(key)!);
      allWall.push(...wall.get(key)!);
      console.log(`${key.padEnd(16)} cpu ${fmt(cpu.get(key)!)} | wall ${fmt(wall.get(key)!)}`);
    }
    console.log(`${`${variant} any`.padEnd(16)} cpu ${fmt(all)} | wall ${fmt(allWall)}`);
    const spikes = checkpoints.get(variant) ?? [];
    console.log(
      `${`${variant} ckpt`.padEnd(16)} ${spikes.length} of ${all.length} saves checkpointed the WAL` +
        (spikes.length > 0 ? `; their wall ${fmt(spikes)}` : ''),
    );
  }
}

await main();
