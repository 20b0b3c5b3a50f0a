/**
 * The statistics' speed mechanisms (docs/statistics.md "Speed", migration 0018) keep every number:
 * the facts the dashboard counts mirror the versions and their JSON, the parsed ratings equal what
 * each version's JSON gives, the per-study agreement summaries add up to exactly the straightforward
 * computation, and a new version of a study is summarized again (that study only).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as DatabaseType } from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgreementService } from '../../../main/agreement/service.js';
import { classificationAnswer, measurementPoint } from '../../../main/agreement/ratings.js';
import { AnnotationStore } from '../../../main/annotation/store.js';
import { migrate } from '../../../main/catalog/migrate.js';
import { STATS_CACHE_KIB, openStatsConnection } from '../../../main/stats/db.js';
import { StatsService } from '../../../main/stats/service.js';
import { makeTempDir } from '../../fixtures/index.js';
import {
  FIXTURE_NOW,
  type StatsFixture,
  openFixtureDb,
  writeStatsFixture,
} from '../../fixtures/stats-fixture.js';

const dir = makeTempDir('stats-speed');
let fixture: StatsFixture;
let db: DatabaseType;
const noGrid = { seriesGrid: () => null };

beforeAll(async () => {
  fixture = await writeStatsFixture(path.join(dir, 'data'), { studies: 150, seed: 11 });
  db = openFixtureDb(fixture.dataDir);
}, 300_000);

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const FACT_FROM_JSON = `SELECT v.seq, v.annotation_uid, v.study_uid, v.kind, v.label_id, v.source, v.author, v.deleted,
    v.created_at, json_extract(v.data, '$.aiDecision') IS NOT NULL AS is_decision,
    json_extract(v.data, '$.aiDecision.decision') AS decision,
    h.version_seq IS NOT NULL AS head, coalesce(h.deleted, 0) AS head_deleted
  FROM annotation_version v LEFT JOIN annotation_head h ON h.version_seq = v.seq ORDER BY v.seq`;
const FACTS = `SELECT seq, annotation_uid, study_uid, kind, label_id, source, author, deleted, created_at,
    is_decision, decision, head, head_deleted FROM annotation_fact ORDER BY seq`;

function ratingsFromJson(database: DatabaseType): unknown[] {
  const rows = database
    .prepare<
      [],
      {
        seq: number;
        version_id: string;
        study_uid: string;
        kind: string;
        label_id: string | null;
        data: string;
      }
    >(
      `SELECT seq, version_id, study_uid, kind, label_id, data FROM annotation_version
        WHERE kind IN ('measurement', 'classification') ORDER BY seq`,
    )
    .all();
  return rows.map((row) => {
    const point = row.kind === 'measurement' ? measurementPoint(row) : null;
    const answer = row.kind === 'classification' ? classificationAnswer(row) : null;
    return {
      seq: row.seq,
      study_uid: row.study_uid,
      kind: row.kind,
      label_id: row.label_id,
      x: point?.position[0] ?? null,
      y: point?.position[1] ?? null,
      z: point?.position[2] ?? null,
      value: point?.value ?? null,
      question_id: answer?.questionId ?? null,
      item: answer?.item ?? null,
      answer: answer?.answer ?? null,
    };
  });
}

const RATINGS = `SELECT seq, study_uid, kind, label_id, x, y, z, value, question_id, item, answer
  FROM agreement_rating ORDER BY seq`;

describe('statistics speed mechanisms (migration 0018)', () => {
  it("the statistics' own connection keeps 64 MB of the (encrypted) catalog's pages decrypted in its cache", () => {
    const stats = openStatsConnection(path.join(fixture.dataDir, 'catalog.sqlite'));
    try {
      expect(STATS_CACHE_KIB).toBe(64 * 1024);
      // A negative cache_size is KiB (bounded memory); the library's default here is 16 MB.
      expect(stats.pragma('cache_size', { simple: true })).toBe(-STATS_CACHE_KIB);
      expect((stats.prepare('SELECT count(*) AS n FROM study').get() as { n: number }).n).toBe(150);
    } finally {
      stats.close();
    }
  });

  it('annotation_fact mirrors every version, the decision inside its JSON, and the live heads', () => {
    const facts = db.prepare(FACTS).all();
    expect(facts.length).toBeGreaterThan(1000);
    expect(facts).toEqual(db.prepare(FACT_FROM_JSON).all());
    expect(facts.some((f) => (f as { decision: string | null }).decision === 'rejected')).toBe(true);
  });

  it("agreement_rating holds what each measurement and classification version's JSON gives", () => {
    new AgreementService(db, noGrid).refresh();
    expect(db.prepare(RATINGS).all()).toEqual(ratingsFromJson(db));
  });

  it('migration 0018 back-fills the facts, heads and ratings of versions written before it', () => {
    const file = path.join(dir, 'old.sqlite');
    const old = new Database(file);
    try {
      migrate(old, { target: 17 });
      const insert = old.prepare(
        `INSERT INTO annotation_version (version_id, annotation_uid, parent_ids, study_uid, series_uid, kind, tool,
           label_id, attributes, data, source, author, status, deleted, created_at)
         VALUES (?, ?, '[]', '1.2.3', '1.2.3.1', ?, 'Length', ?, '{}', ?, ?, ?, 'draft', 0, ?)`,
      );
      const length = JSON.stringify({
        data: {
          handles: {
            points: [
              [0, 0, 0],
              [10, 0, 0],
            ],
          },
          cachedStats: { x: { length: 10 } },
        },
      });
      const finding = insert.run(
        'v1',
        'a1',
        'measurement',
        'nodule',
        length,
        'ai:net',
        'net',
        1,
      ).lastInsertRowid;
      const decision = insert.run(
        'v2',
        'a1',
        'measurement',
        'nodule',
        JSON.stringify({ ...JSON.parse(length), aiDecision: { decision: 'accepted', aiVersionId: 'v1' } }),
        'ai:net',
        'reader-a',
        2,
      ).lastInsertRowid;
      insert.run(
        'v3',
        'a2',
        'classification',
        null,
        JSON.stringify({ questionId: 'q', level: 'study', answer: ['b', 'a'] }),
        'human',
        'reader-a',
        3,
      );
      old
        .prepare(
          'INSERT INTO annotation_head (version_seq, annotation_uid, study_uid, deleted) VALUES (?, ?, ?, 0)',
        )
        .run(decision, 'a1', '1.2.3');
      expect(finding).toBe(1);
      migrate(old);
      expect(old.prepare(FACTS).all()).toEqual(old.prepare(FACT_FROM_JSON).all());
      expect(old.prepare('SELECT decision, head FROM annotation_fact WHERE seq = 2').get()).toEqual({
        decision: 'accepted',
        head: 1,
      });
      expect(old.prepare(RATINGS).all()).toEqual(ratingsFromJson(old));
      expect(old.prepare('SELECT answer FROM agreement_rating WHERE seq = 3').get()).toEqual({
        answer: 'a+b',
      });
    } finally {
      old.close();
    }
  });

  it('the project agreement from per-study summaries equals the straightforward computation, for every filter', () => {
    const filters = [
      {},
      { readers: ['reader-a', 'reader-b'] },
      { models: ['lesion-net'] },
      { readers: ['reader-c'], models: ['nodule-det'] },
      { labelIds: ['lesion'] },
    ];
    for (const filter of filters) {
      const request = { toleranceMm: 10, ...filter };
      const fast = new AgreementService(db, noGrid).project(request);
      const reference = new AgreementService(db, { ...noGrid, reference: true }).project(request);
      expect(fast).toEqual(reference);
      expect(fast.pairs.length).toBeGreaterThan(0);
    }
    // The whole dashboard with either agreement: the same numbers.
    const dashboard = (agreement: AgreementService) =>
      new StatsService(
        db,
        agreement,
        () => 'reader-a',
        () => 0,
      ).dashboard({});
    expect(dashboard(new AgreementService(db, noGrid))).toEqual(
      dashboard(new AgreementService(db, { ...noGrid, reference: true })),
    );
  });

  it('a new version of a study makes the next call summarize that study again, and only that study', () => {
    const agreement = new AgreementService(db, noGrid);
    const before = agreement.project({ toleranceMm: 10 });
    const summaries = () =>
      new Map(
        db
          .prepare<[], { study_uid: string; payload: string }>(
            'SELECT study_uid, payload FROM agreement_study',
          )
          .all()
          .map((r) => [r.study_uid, r.payload]),
      );
    const old = summaries();
    // reader-a measures something nobody else measured, far from every finding, in one study.
    const study = fixture.studyUids.find((uid) => old.has(uid) && JSON.parse(old.get(uid)!).r['reader-a'])!;
    const store = new AnnotationStore(path.join(fixture.dataDir, 'catalog.sqlite'), {
      reader: () => 'reader-a',
      now: () => FIXTURE_NOW,
    });
    try {
      store.save([
        {
          versionId: crypto.randomUUID(),
          annotationUid: crypto.randomUUID(),
          parentIds: [],
          studyInstanceUID: study,
          seriesInstanceUID: `${study}.1`,
          kind: 'measurement',
          tool: 'Length',
          labelId: 'lesion',
          attributes: {},
          data: {
            metadata: { toolName: 'Length' },
            data: {
              handles: {
                points: [
                  [900, 900, 900],
                  [910, 900, 900],
                ],
              },
              cachedStats: { 'imageId:x': { length: 10, unit: 'mm' } },
            },
          },
          source: 'human',
          author: 'reader-a',
        },
      ]);
    } finally {
      store.close();
    }
    const after = agreement.project({ toleranceMm: 10 });
    const now = summaries();
    expect(now.get(study)).not.toBe(old.get(study));
    for (const [uid, payload] of old) if (uid !== study) expect(now.get(uid)).toBe(payload);
    const unmatched = (p: typeof before) =>
      p.pairs.filter((x) => x.raterA === 'reader-a').reduce((s, x) => s + x.measurements.unmatched, 0);
    expect(unmatched(after)).toBeGreaterThan(unmatched(before));
    expect(after).toEqual(
      new AgreementService(db, { ...noGrid, reference: true }).project({ toleranceMm: 10 }),
    );
    expect(db.prepare('SELECT seq FROM agreement_study_stamp').get()).toEqual(
      db.prepare('SELECT max(seq) AS seq FROM annotation_version').get(),
    );
  });
  it("inside a caller's read transaction, versions not yet summarized are read row by row: the same numbers", () => {
    const agreement = new AgreementService(db, noGrid);
    agreement.project({ toleranceMm: 10 });
    const stamp = db.prepare('SELECT seq FROM agreement_study_stamp').get();
    const study = fixture.studyUids[3]!;
    const store = new AnnotationStore(path.join(fixture.dataDir, 'catalog.sqlite'), {
      reader: () => 'reader-b',
      now: () => FIXTURE_NOW,
    });
    try {
      store.save([
        {
          versionId: crypto.randomUUID(),
          annotationUid: crypto.randomUUID(),
          parentIds: [],
          studyInstanceUID: study,
          kind: 'classification',
          tool: 'Classification',
          attributes: {},
          data: { questionId: 'image-quality', level: 'study', answer: ['limited'] },
          source: 'human',
          author: 'reader-b',
        },
      ]);
    } finally {
      store.close();
    }
    const inside = db.transaction(() => agreement.project({ toleranceMm: 10 })).deferred();
    expect(db.prepare('SELECT seq FROM agreement_study_stamp').get()).toEqual(stamp);
    expect(inside).toEqual(
      new AgreementService(db, { ...noGrid, reference: true }).project({ toleranceMm: 10 }),
    );
    // The next call outside a transaction catches up and gives the same figure from the summaries.
    expect(agreement.project({ toleranceMm: 10 })).toEqual(inside);
    expect(db.prepare('SELECT seq FROM agreement_study_stamp').get()).not.toEqual(stamp);
  });
});
