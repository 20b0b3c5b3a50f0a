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
import { relativeError } from '../../../main/agreement/metrics.js';
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

/** A reader's Length from `from` to `to` (patient mm) as Cornerstone stores it, `length` mm long. */
function lengthData(from: number[], to: number[], length: number) {
  return {
    metadata: { toolName: 'Length' },
    data: { handles: { points: [from, to] }, cachedStats: { 'imageId:x': { length, unit: 'mm' } } },
  };
}

/** Each study's agreement rows (migration 0020), one string per study. */
function studyRows(database: DatabaseType): Map<string, string> {
  const out = new Map<string, string[]>();
  for (const table of [
    'agreement_study_rater',
    'agreement_study_pair',
    'agreement_study_answer',
    'agreement_study_kappa',
  ])
    for (const row of database.prepare(`SELECT * FROM ${table}`).all() as Array<
      { study_uid: string } & Record<string, unknown>
    >) {
      const list = out.get(row.study_uid) ?? [];
      list.push(`${table}:${JSON.stringify(row)}`);
      out.set(row.study_uid, list);
    }
  return new Map([...out].map(([study, rows]) => [study, rows.sort().join('\n')]));
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
      const length = JSON.stringify(lengthData([0, 0, 0], [10, 0, 0], 10));
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

  it("migration 0020 turns each study's summary JSON into rows, the same rows a new summary writes", () => {
    const file = path.join(dir, 'before-0020.sqlite');
    const old = new Database(file);
    try {
      migrate(old, { target: 19 });
      const study = '1.2.9';
      const insert = old.prepare(
        `INSERT INTO annotation_version (version_id, annotation_uid, parent_ids, study_uid, series_uid, kind, tool,
           label_id, attributes, data, source, author, status, deleted, created_at)
         VALUES (?, ?, '[]', ?, '1.2.9.1', ?, ?, ?, '{}', ?, 'human', ?, 'draft', 0, ?)`,
      );
      const head = old.prepare(
        'INSERT INTO annotation_head (version_seq, annotation_uid, study_uid, deleted) VALUES (?, ?, ?, 0)',
      );
      const write = (
        uid: string,
        kind: string,
        tool: string,
        label: string | null,
        data: unknown,
        author: string,
      ) => {
        const seq = Number(
          insert.run(`${uid}-v`, uid, study, kind, tool, label, JSON.stringify(data), author, 1)
            .lastInsertRowid,
        );
        head.run(seq, uid, study);
        return seq;
      };
      const a = write(
        'm-a',
        'measurement',
        'Length',
        'nodule',
        lengthData([0, 0, 0], [10, 0, 0], 10),
        'reader-a',
      );
      const b = write(
        'm-b',
        'measurement',
        'Length',
        'nodule',
        lengthData([0, 1, 0], [10, 1, 0], 11),
        'reader-b',
      );
      const question = { questionId: 'image-quality', level: 'study' };
      const qa = write(
        'c-a',
        'classification',
        'Classification',
        null,
        { ...question, answer: ['good'] },
        'reader-a',
      );
      const qb = write(
        'c-b',
        'classification',
        'Classification',
        null,
        { ...question, answer: ['limited'] },
        'reader-b',
      );
      // What migration 0018's code stored for this study, and its stamp.
      const payload = {
        r: { 'reader-a': [a, qa, 1], 'reader-b': [b, qb, 1] },
        p: { 'reader-a\u0000reader-b': [1, 0, [relativeError(10, 11)]] },
        q: [
          ['image-quality', study, 'reader-a', 'good', qa],
          ['image-quality', study, 'reader-b', 'limited', qb],
        ],
      };
      old
        .prepare('INSERT INTO agreement_study (study_uid, payload) VALUES (?, ?)')
        .run(study, JSON.stringify(payload));
      old.prepare('INSERT INTO agreement_study_stamp (id, seq) VALUES (1, ?)').run(qb);

      expect(migrate(old)).toContain(20);
      expect(
        old.prepare(`SELECT name FROM sqlite_master WHERE name = 'agreement_study'`).get(),
      ).toBeUndefined();
      const migrated = studyRows(old);
      expect(old.prepare('SELECT matched, unmatched, errors FROM agreement_study_pair').all()).toEqual([
        { matched: 1, unmatched: 0, errors: 1 },
      ]);
      // The migrated rows give the straightforward figure without summarizing again...
      const fast = new AgreementService(old, noGrid).project({ toleranceMm: 10 });
      expect(old.prepare('SELECT seq FROM agreement_study_stamp').pluck().get()).toBe(qb);
      expect(studyRows(old)).toEqual(migrated);
      expect(fast).toEqual(
        new AgreementService(old, { ...noGrid, reference: true }).project({ toleranceMm: 10 }),
      );
      expect(fast.pairs[0]!.measurements.meanRelativeError).toBeCloseTo(relativeError(10, 11)!, 12);
      expect(fast.pairs[0]!.classifications).toEqual([{ questionId: 'image-quality', items: 1, kappa: 0 }]);
      // ...and are the rows a summary written now has.
      old.prepare('DELETE FROM agreement_study_stamp').run();
      new AgreementService(old, noGrid).refresh();
      expect(studyRows(old)).toEqual(migrated);
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
    const old = studyRows(db);
    // reader-a measures something nobody else measured, far from every finding, in one study.
    const rated = new Set(
      db
        .prepare<[], { study_uid: string }>(
          `SELECT study_uid FROM agreement_study_rater WHERE rater = 'reader-a' AND measurements > 0`,
        )
        .all()
        .map((r) => r.study_uid),
    );
    const study = fixture.studyUids.find((uid) => rated.has(uid))!;
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
          data: lengthData([900, 900, 900], [910, 900, 900], 10),
          source: 'human',
          author: 'reader-a',
        },
      ]);
    } finally {
      store.close();
    }
    const after = agreement.project({ toleranceMm: 10 });
    const now = studyRows(db);
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
