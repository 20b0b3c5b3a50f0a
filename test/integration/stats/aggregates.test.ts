/**
 * The dashboard's aggregates kept by triggers (migration 0023, docs/statistics.md "Speed") keep every
 * figure equal to the reference computation (every figure counted from the facts themselves) while
 * the data changes after the back-fill: readers decide and undo AI findings, edit and delete
 * annotations, set study states, read studies, a study is deleted. After each change, the kept
 * tables equal a fresh back-fill and the dashboard equals the reference for a set of filters.
 * (AI SEG segment decisions and a SEG's re-import: ai-segments.test.ts does the same check.)
 */
import crypto from 'node:crypto';
import path from 'node:path';
import fs from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as DatabaseType } from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgreementService } from '../../../main/agreement/service.js';
import { READER_ENV } from '../../../main/annotation/reader.js';
import { migrate } from '../../../main/catalog/migrate.js';
import {
  STATS_AGGREGATES_BACKFILL,
  STATS_AGGREGATE_TABLES,
} from '../../../main/catalog/migrations/0023-stats-aggregates.js';
import { StatsService } from '../../../main/stats/service.js';
import type { Services } from '../../../main/services.js';
import type { StatsFilter } from '../../../shared/stats.js';
import { makeTempDir } from '../../fixtures/index.js';
import {
  FIXTURE_NOW,
  type StatsFixture,
  openFixtureDb,
  writeStatsFixture,
} from '../../fixtures/stats-fixture.js';
import { endReviewTest } from '../../support/ai-fixtures.js';
import { openMachine } from '../../support/sync-project.js';

const scratch = makeTempDir('stats-aggregates');
const previousReader = process.env[READER_ENV];
let fixture: StatsFixture;
let db: DatabaseType;
let services: Services;

const as = (reader: string) => {
  process.env[READER_ENV] = reader;
};

beforeAll(async () => {
  fixture = await writeStatsFixture(path.join(scratch, 'data'), { studies: 120, seed: 23 });
  db = openFixtureDb(fixture.dataDir);
  services = openMachine(fixture.dataDir);
}, 300_000);

afterAll(async () => {
  db?.close();
  await endReviewTest(services, previousReader, scratch);
});

const FILTERS: StatsFilter[] = [
  {},
  { readers: ['reader-a'] },
  { readers: ['reader-b', 'reader-c'] },
  { labelIds: ['lesion'] },
  { models: ['lesion-net'] },
  { models: ['nodule-det'], labelIds: ['lesion'] },
  { readers: ['reader-a'], models: ['lesion-net'] },
  { from: FIXTURE_NOW - 30 * 86_400_000 },
];

/** Every kept table's rows, ordered by all their columns. */
function snapshot(database: DatabaseType): Record<string, unknown[]> {
  return Object.fromEntries(
    STATS_AGGREGATE_TABLES.map((table) => {
      const columns = database
        .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
        .all(table)
        .map((c) => c.name);
      return [table, database.prepare(`SELECT * FROM ${table} ORDER BY ${columns.join(', ')}`).all()];
    }),
  );
}

/** The tables as a fresh back-fill makes them from the rows there now (rolled back afterwards). */
function backfilled(database: DatabaseType): Record<string, unknown[]> {
  let rows: Record<string, unknown[]> = {};
  database.exec('BEGIN');
  try {
    const triggers = database
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stats\\_%' ESCAPE '\\'",
      )
      .all();
    for (const { name } of triggers) database.exec(`DROP TRIGGER ${name}`);
    for (const table of STATS_AGGREGATE_TABLES) database.exec(`DELETE FROM ${table}`);
    database.exec(STATS_AGGREGATES_BACKFILL);
    rows = snapshot(database);
  } finally {
    database.exec('ROLLBACK');
  }
  return rows;
}

function expectKeptEqualsReference(): void {
  expect(snapshot(db)).toEqual(backfilled(db));
  const agreement = new AgreementService(db, { seriesGrid: () => null });
  const fast = new StatsService(
    db,
    agreement,
    () => 'reader-a',
    () => 0,
  );
  const reference = new StatsService(
    db,
    agreement,
    () => 'reader-a',
    () => 0,
    { reference: true },
  );
  for (const filter of FILTERS)
    expect({ filter, ...fast.dashboard(filter) }).toEqual({ filter, ...reference.dashboard(filter) });
}

/** A study with AI measurement findings the reader has not decided yet. */
async function studyWithFindings(): Promise<{ study: string; uids: string[] }> {
  for (const study of fixture.studyUids) {
    const { findings } = await services.handlers['ai.findings']({ studyInstanceUID: study });
    const open = findings.filter((f) => f.decision === null);
    if (open.length >= 2) return { study, uids: open.map((f) => f.annotationUid) };
  }
  throw new Error('no study with two undecided AI findings');
}

describe('dashboard aggregates kept by triggers (migration 0023)', () => {
  it('after the fixture was written (every write through the triggers), the tables equal a fresh back-fill and the figures the reference', () => {
    expect(db.prepare('SELECT count(*) AS n FROM stats_ai_finding').get()).not.toEqual({ n: 0 });
    expectKeptEqualsReference();
    // The fast path does read the kept tables: a change made to them (rolled back) shows.
    const agreement = new AgreementService(db, { seriesGrid: () => null });
    const fast = new StatsService(
      db,
      agreement,
      () => 'reader-a',
      () => 0,
    );
    const before = fast.dashboard({});
    db.exec('BEGIN');
    try {
      db.exec(`UPDATE stats_ai_total SET findings = findings + 1000
                WHERE (model, label, no_label) = (SELECT model, label, no_label FROM stats_ai_total LIMIT 1)`);
      db.exec(`UPDATE stats_head_group SET n = n + 7
                WHERE (label, no_label, kind, source, author, is_decision) =
                      (SELECT label, no_label, kind, source, author, is_decision FROM stats_head_group
                        WHERE no_label = 0 LIMIT 1)`);
      const after = fast.dashboard({});
      expect(after.totals.aiFindings).toBe(before.totals.aiFindings + 1000);
      expect(after.totals.annotations).toBe(before.totals.annotations + 7);
    } finally {
      db.exec('ROLLBACK');
    }
  });

  it('deciding AI findings, accepting all above a confidence and undoing that batch keep them equal', async () => {
    as('reader-a');
    const { study, uids } = await studyWithFindings();
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: uids[0]!,
      decision: 'accepted',
    });
    as('reader-b');
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: uids[0]!,
      decision: 'rejected',
      reasonId: 'wrong-location',
    });
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: uids[1]!,
      decision: 'edited',
    });
    expectKeptEqualsReference();
    const { batchId } = await services.handlers['ai.acceptAbove']({
      studyInstanceUID: study,
      minConfidence: 0,
    });
    expectKeptEqualsReference();
    if (batchId) await services.handlers['ai.undoBatch']({ studyInstanceUID: study, batchId });
    expectKeptEqualsReference();
  });

  it('editing (another label) and deleting annotations, study states and reading time keep them equal', async () => {
    as('reader-c');
    const study = fixture.studyUids[7]!;
    const { heads } = await services.handlers['annotation.list']({ studyInstanceUID: study });
    const [first, second] = heads.filter((a) => a.source === 'human');
    expect(second).toBeDefined();
    const edit = (version: NonNullable<typeof first>, change: { labelId?: string; deleted?: boolean }) => ({
      versionId: crypto.randomUUID(),
      annotationUid: version.annotationUid,
      parentIds: [version.versionId],
      studyInstanceUID: version.studyInstanceUID,
      ...(version.seriesInstanceUID ? { seriesInstanceUID: version.seriesInstanceUID } : {}),
      ...(version.sopInstanceUID ? { sopInstanceUID: version.sopInstanceUID } : {}),
      kind: version.kind,
      tool: version.tool,
      ...(version.labelId ? { labelId: version.labelId } : {}),
      attributes: version.attributes,
      data: version.data,
      source: 'human',
      status: 'draft' as const,
      deleted: false,
      ...change,
    });
    await services.handlers['annotation.save']({
      versions: [edit(first!, { labelId: 'relabelled' }), edit(second!, { deleted: true })],
    });
    expectKeptEqualsReference();
    await services.handlers['annotation.setStudyStatus']({ studyInstanceUID: study, status: 'draft' });
    await services.handlers['stats.recordReading']({
      sessionId: crypto.randomUUID(),
      studyInstanceUID: study,
      activeMs: 125_000,
    });
    expectKeptEqualsReference();
    // The same session reporting more time later: its largest value counts.
    const sessionId = crypto.randomUUID();
    await services.handlers['stats.recordReading']({ sessionId, studyInstanceUID: study, activeMs: 1_000 });
    await services.handlers['stats.recordReading']({ sessionId, studyInstanceUID: study, activeMs: 700_000 });
    expectKeptEqualsReference();
  });

  it("deleting a study removes its part of every figure (every table's rows go, in any order)", async () => {
    for (const study of fixture.studyUids.slice(10, 13))
      await services.handlers['cache.deleteStudy']({ studyInstanceUID: study });
    expect(
      db.prepare('SELECT count(*) AS n FROM stats_study WHERE study = ?').get(fixture.studyUids[10]),
    ).toEqual({ n: 0 });
    expectKeptEqualsReference();
  });

  it('migration 0023 back-fills a catalog written before it: the same tables the triggers keep', () => {
    const file = path.join(scratch, 'old.sqlite');
    const old = new Database(file);
    try {
      migrate(old, { target: 22 });
      old.exec(`
        INSERT INTO annotation_version (version_id, annotation_uid, parent_ids, study_uid, series_uid, kind, tool,
          label_id, attributes, data, source, author, status, deleted, created_at) VALUES
          ('v1', 'a1', '[]', '1.2.3', '1.2.3.1', 'measurement', 'Length', 'nodule', '{}', '{}', 'ai:net', 'net', 'draft', 0, 1),
          ('v2', 'a1', '["v1"]', '1.2.3', '1.2.3.1', 'measurement', 'Length', 'nodule', '{}',
           '{"aiDecision":{"decision":"accepted","aiVersionId":"v1"}}', 'human', 'reader-a', 'draft', 0, 2),
          ('v3', 'a2', '[]', '1.2.3', NULL, 'classification', 'Question', NULL, '{}', '{}', 'human', 'reader-b', 'draft', 0, 3);
        INSERT INTO annotation_head (version_seq, annotation_uid, study_uid, deleted) VALUES (2, 'a1', '1.2.3', 0), (3, 'a2', '1.2.3', 0);
        INSERT INTO study_annotation_status (study_uid, reader, status, changed_at) VALUES ('1.2.3', 'reader-a', 'complete', 4);
        INSERT INTO reading_session (session_id, study_uid, reader, started_at, updated_at, active_ms)
          VALUES ('s1', '1.2.3', 'reader-a', 1, 5, 90000);
      `);
      migrate(old);
      const migrated = snapshot(old);
      expect(migrated['stats_ai_total']).toEqual([
        {
          model: 'net',
          label: 'nodule',
          no_label: 0,
          findings: 1,
          accepted: 1,
          edited: 0,
          rejected: 0,
          pending: 0,
        },
      ]);
      expect(migrated['stats_head_group']).toHaveLength(2);
      // Written again through the triggers (the rows deleted and inserted in order): the same tables.
      old.exec(`
        CREATE TEMP TABLE v AS SELECT * FROM annotation_version; CREATE TEMP TABLE h AS SELECT * FROM annotation_head;
        CREATE TEMP TABLE s AS SELECT * FROM study_annotation_status; CREATE TEMP TABLE r AS SELECT * FROM reading_session;
        DROP TRIGGER study_annotation_status_immutable_delete; DROP TRIGGER annotation_version_immutable_delete;
        DELETE FROM annotation_head; DELETE FROM annotation_fact; DELETE FROM annotation_version;
        DELETE FROM study_annotation_status; DELETE FROM reading_session;
      `);
      expect(snapshot(old)).toEqual(Object.fromEntries(STATS_AGGREGATE_TABLES.map((t) => [t, []])));
      old.exec(`
        INSERT INTO annotation_version SELECT * FROM v; INSERT INTO annotation_head SELECT * FROM h;
        INSERT INTO study_annotation_status SELECT * FROM s; INSERT INTO reading_session SELECT * FROM r;
      `);
      expect(snapshot(old)).toEqual(migrated);
    } finally {
      old.close();
      fs.rmSync(file, { force: true });
    }
  });
  it('migration 0024: the decision and AI-version indexes hold only those rows, and the queries naming them keep their plans', async () => {
    const entries = (index: string, where: string) =>
      db
        .prepare<[], { n: number }>(
          `SELECT count(*) AS n FROM annotation_fact INDEXED BY ${index} WHERE ${where}`,
        )
        .get()!.n;
    const rows = (where: string) =>
      db
        .prepare<[], { n: number }>(`SELECT count(*) AS n FROM annotation_fact NOT INDEXED WHERE ${where}`)
        .get()!.n;
    const ai = "source >= 'ai:' AND source < 'ai;'";
    // Every decision and every AI version is in its index (and the fixture has readers' own versions).
    expect(entries('annotation_fact_decisions', 'is_decision = 1')).toBe(rows('is_decision = 1'));
    expect(entries('stats_fact_by_annotation', ai)).toBe(rows(ai));
    expect(rows(`is_decision = 0 AND NOT (${ai})`)).toBeGreaterThan(0);
    const sizes = db
      .prepare<[], { name: string; sql: string }>(
        "SELECT name, sql FROM sqlite_master WHERE name IN ('annotation_fact_decisions', 'stats_fact_by_annotation') ORDER BY name",
      )
      .all();
    expect(sizes.map((index) => [index.name, / WHERE /.test(index.sql)])).toEqual([
      ['annotation_fact_decisions', true],
      ['stats_fact_by_annotation', true],
    ]);
    // A reader's own version enters neither: the index entries stay as they are after its save.
    const before = [
      entries('annotation_fact_decisions', 'is_decision = 1'),
      entries('stats_fact_by_annotation', ai),
    ];
    const [study] = fixture.studyUids;
    as('reader-a');
    await services.handlers['annotation.save']({
      versions: [
        {
          versionId: crypto.randomUUID(),
          annotationUid: crypto.randomUUID(),
          parentIds: [],
          studyInstanceUID: study!,
          kind: 'measurement',
          tool: 'Length',
          labelId: 'lesion',
          attributes: {},
          data: {},
          source: 'human',
          status: 'draft',
          deleted: false,
        },
      ],
    });
    expect([
      entries('annotation_fact_decisions', 'is_decision = 1'),
      entries('stats_fact_by_annotation', ai),
    ]).toEqual(before);
    // The dashboard's latest decisions still read that index alone (docs/statistics.md "Speed").
    const plan = db
      .prepare<[], { detail: string }>(
        `EXPLAIN QUERY PLAN SELECT x.annotation_uid, max(x.seq), x.decision FROM annotation_fact x
           INDEXED BY annotation_fact_decisions WHERE x.is_decision = 1 GROUP BY x.annotation_uid, x.author`,
      )
      .all()
      .map((row) => row.detail);
    expect(plan.join(' | ')).toContain('COVERING INDEX annotation_fact_decisions');
    expectKeptEqualsReference();
  });
});
