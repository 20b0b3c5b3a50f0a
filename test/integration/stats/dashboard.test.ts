/**
 * The statistics dashboard and project agreement on the fixture project (1,000 studies, 3 readers,
 * 2 models, 2 studies with real series and two readers' labelmaps): every figure's numbers equal
 * counts made here with plain SQL on the catalog; filters change them; reading time keeps the
 * largest report; a chart exported as PNG decodes (PIL) at the asked size and is not blank.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartSvg } from '../../../main/stats/png.js';
import type { Services } from '../../../main/services.js';
import { setReaderSource } from '../../../main/annotation/reader.js';
import type { Dashboard } from '../../../shared/stats.js';
import { buildFigures, figureCsv } from '../../../shared/stats-figures.js';
import { makeTempDir } from '../../fixtures/index.js';
import {
  FIXTURE_NOW,
  type StatsFixture,
  openFixtureDb,
  writeStatsFixture,
} from '../../fixtures/stats-fixture.js';
import { testFigureStrings } from './figure-strings.js';
import { openTestServices } from '../../support/services.js';

const dir = makeTempDir('stats-dashboard');
let fixture: StatsFixture;
let services: Services;
let db: Database.Database;
let dashboard: Dashboard;

beforeAll(async () => {
  fixture = await writeStatsFixture(path.join(dir, 'data'), { studies: 1000, segmentStudies: 2 });
  services = openTestServices(fixture.dataDir, { syncBackground: false });
  db = openFixtureDb(fixture.dataDir);
  dashboard = await services.handlers['stats.dashboard']({});
}, 300_000);

afterAll(async () => {
  db?.close();
  await services?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = (sql: string, ...params: unknown[]): number =>
  (db.prepare(sql).get(...params) as { n: number | null }).n ?? 0;

describe('statistics dashboard on 1,000 studies', () => {
  it('studies per state add up to the catalog and match the latest status rows', () => {
    const byState = Object.fromEntries(dashboard.studiesByState.map((r) => [r.state, r.studies]));
    expect(Object.values(byState).reduce((s, n) => s + n, 0)).toBe(count('SELECT count(*) AS n FROM study'));
    for (const state of ['complete', 'verified'] as const)
      expect(byState[state]).toBe(
        count(
          `SELECT count(*) AS n FROM study_annotation_status s
            WHERE s.seq = (SELECT max(seq) FROM study_annotation_status t WHERE t.study_uid = s.study_uid)
              AND s.status = ?`,
          state,
        ),
      );
    expect(byState['complete']).toBeGreaterThan(100);
    expect(byState['verified']).toBeGreaterThan(20);
    expect(byState['none']).toBeGreaterThan(0);
  });

  it("progress per reader counts each reader's latest status per study", () => {
    for (const row of dashboard.progressByReader) {
      const latest = (status: string) =>
        count(
          `SELECT count(*) AS n FROM study_annotation_status s
            WHERE s.reader = ? AND s.status = ?
              AND s.seq = (SELECT max(seq) FROM study_annotation_status t WHERE t.study_uid = s.study_uid AND t.reader = s.reader)`,
          row.reader,
          status,
        );
      expect(row.complete, row.reader).toBe(latest('complete'));
      expect(row.verified, row.reader).toBe(latest('verified'));
    }
    expect(dashboard.progressByReader.map((r) => r.reader)).toEqual(['reader-a', 'reader-b', 'reader-c']);
  });

  it('annotations per label and the label distribution count the current annotations', () => {
    const total = (labelId: string) =>
      dashboard.annotationsByLabel
        .filter((r) => r.labelId === labelId)
        .reduce((s, r) => s + r.annotations, 0);
    for (const labelId of ['lesion', 'nodule', 'measurement']) {
      const want = count(
        `SELECT count(*) AS n FROM annotation_head h JOIN annotation_version v ON v.seq = h.version_seq
          WHERE h.deleted = 0 AND v.label_id = ?`,
        labelId,
      );
      expect(total(labelId), labelId).toBe(want);
      expect(dashboard.labelDistribution.find((r) => r.labelId === labelId)?.annotations).toBe(want);
    }
    // The segment label of the labelmaps (two readers on two series).
    expect(dashboard.labelDistribution.find((r) => r.labelId === 'mass')).toMatchObject({
      annotations: 4,
      studies: 2,
      kind: 'segmentation',
    });
  });

  it('AI findings per model: accepted, edited, rejected and pending add up to the decision versions', () => {
    const findings = dashboard.aiDecisions.reduce((s, r) => s + r.findings, 0);
    expect(findings).toBe(
      count(`SELECT count(DISTINCT annotation_uid) AS n FROM annotation_version WHERE source LIKE 'ai:%'`),
    );
    for (const decision of ['accepted', 'edited', 'rejected'] as const) {
      const got = dashboard.aiDecisions.reduce((s, r) => s + r[decision], 0);
      expect(got, decision).toBe(
        count(
          `SELECT count(*) AS n FROM annotation_version WHERE json_extract(data, '$.aiDecision.decision') = ?`,
          decision,
        ),
      );
    }
    const decided = count(
      `SELECT count(*) AS n FROM annotation_version WHERE json_extract(data, '$.aiDecision') IS NOT NULL`,
    );
    expect(dashboard.aiDecisions.reduce((s, r) => s + r.pending, 0)).toBe(findings - decided);
    expect(new Set(dashboard.aiDecisions.map((r) => r.model))).toEqual(new Set(['lesion-net', 'nodule-det']));
  });

  it('reading time per reader sums the sessions, idle excluded at the source', () => {
    for (const row of dashboard.readingTime) {
      expect(row.totalMs).toBe(
        count('SELECT sum(active_ms) AS n FROM reading_session WHERE reader = ?', row.reader),
      );
      expect(row.studies).toBe(
        count('SELECT count(DISTINCT study_uid) AS n FROM reading_session WHERE reader = ?', row.reader),
      );
      expect(row.buckets.reduce((s, n) => s + n, 0)).toBe(row.studies);
    }
  });

  it('agreement: reader vs reader and reader vs AI pairs; Dice of the two labelmaps as drawn', () => {
    const pairs = dashboard.agreement.pairs;
    const ab = pairs.find((p) => p.raterA === 'reader-a' && p.raterB === 'reader-b')!;
    expect(ab.kind).toBe('reader-reader');
    // Squares of 16 × 16 shifted by 2 and 3 columns: Dice 14/16 and 13/16.
    expect(ab.segments.count).toBe(2);
    expect(ab.segments.meanDice).toBeCloseTo((14 / 16 + 13 / 16) / 2, 12);
    expect(ab.segments.meanHd95).toBeGreaterThan(0);
    expect(ab.measurements.matched).toBeGreaterThan(100);
    expect(ab.classifications[0]).toMatchObject({ questionId: 'image-quality' });
    expect(ab.classifications[0]!.kappa).toBeGreaterThan(0.2);
    expect(
      pairs.some((p) => p.kind === 'reader-ai' && p.raterB === 'ai:lesion-net' && p.measurements.matched > 0),
    ).toBe(true);
    expect(dashboard.agreement.fleiss[0]).toMatchObject({
      questionId: 'image-quality',
      raters: ['reader-a', 'reader-b', 'reader-c'],
    });
  });

  it('one study: Dice/HD95 per label and pair, matched measurements, answers', async () => {
    const study = await services.handlers['agreement.study']({
      studyInstanceUID: fixture.segmentSeries[0]!.studyInstanceUID,
      toleranceMm: 10,
    });
    expect(study.segments).toEqual([
      expect.objectContaining({
        labelId: 'mass',
        raterA: 'reader-a',
        raterB: 'reader-b',
        dice: 14 / 16,
        voxelsA: 6 * 256,
      }),
    ]);
    expect(study.segments[0]!.hd95).toBeCloseTo(2 * 0.7, 9);
  });

  it('filters: a reader, a label, a date range and a model change the figures', async () => {
    const one = await services.handlers['stats.dashboard']({ readers: ['reader-b'] });
    expect(one.progressByReader.map((r) => r.reader)).toEqual(['reader-b']);
    expect(one.readingTime.map((r) => r.reader)).toEqual(['reader-b']);
    const nodules = await services.handlers['stats.dashboard']({ labelIds: ['nodule'] });
    expect(new Set(nodules.annotationsByLabel.map((r) => r.labelId))).toEqual(new Set(['nodule']));
    const from = FIXTURE_NOW - 30 * 24 * 3600 * 1000;
    const recent = await services.handlers['stats.dashboard']({ from, to: FIXTURE_NOW });
    const recentAnnotations = recent.annotationsByLabel.reduce((s, r) => s + r.annotations, 0);
    expect(recentAnnotations).toBe(
      count(
        `SELECT count(*) AS n FROM annotation_head h JOIN annotation_version v ON v.seq = h.version_seq
          WHERE h.deleted = 0 AND v.label_id IS NOT NULL AND v.created_at >= ? AND v.created_at <= ?`,
        from,
        FIXTURE_NOW,
      ),
    );
    expect(recentAnnotations).toBeLessThan(
      dashboard.annotationsByLabel.reduce((s, r) => s + r.annotations, 0),
    );
    const model = await services.handlers['stats.dashboard']({ models: ['nodule-det'] });
    expect(model.aiDecisions.map((r) => r.model)).toEqual(['nodule-det']);
  });

  it('reading time: a session keeps the largest active time it reported', async () => {
    setReaderSource(() => 'reader-z');
    try {
      const sessionId = '5b1f3a52-8f8e-4b7c-9a57-0c6d7f1e2a11';
      const studyInstanceUID = fixture.studyUids[0]!;
      expect(
        await services.handlers['stats.recordReading']({ sessionId, studyInstanceUID, activeMs: 5000 }),
      ).toEqual({
        activeMs: 5000,
      });
      expect(
        await services.handlers['stats.recordReading']({ sessionId, studyInstanceUID, activeMs: 3000 }),
      ).toEqual({
        activeMs: 5000,
      });
      expect(
        await services.handlers['stats.recordReading']({ sessionId, studyInstanceUID, activeMs: 9000 }),
      ).toEqual({
        activeMs: 9000,
      });
      expect(
        count(
          `SELECT active_ms AS n FROM reading_session WHERE session_id = ? AND reader = 'reader-z'`,
          sessionId,
        ),
      ).toBe(9000);
    } finally {
      setReaderSource(null);
    }
  });

  it('a chart drawn in main leaves the tooltip out and is the same image as with it', () => {
    // Element ids and CSS class names count up per chart drawn; everything else must be equal.
    const normal = (svg: string) => svg.replace(/zr\d+-[a-z]+-?\d+/g, 'id');
    for (const figure of buildFigures(dashboard, testFigureStrings)) {
      expect(figure.option['tooltip'], figure.id).toBeDefined();
      const drawn = normal(chartSvg(figure.option, 640, 340, 'Research use only'));
      expect(drawn, figure.id).toBe(
        normal(chartSvg(figure.option, 640, 340, 'Research use only', { keepTooltip: true })),
      );
      expect(drawn.length, figure.id).toBeGreaterThan(2000);
    }
  });

  it('every figure exports: CSV rows are the figure numbers; the PNG decodes at its size and is not blank', async () => {
    const figures = buildFigures(dashboard, testFigureStrings);
    const states = figureCsv(
      figures.find((f) => f.id === 'studies-by-state')!,
      'Research use only',
    );
    expect(states.split('\r\n')[0]).toBe('# Research use only');
    expect(states).toContain(
      `Complete,${dashboard.studiesByState.find((r) => r.state === 'complete')!.studies}\r\n`,
    );
    for (const figure of figures) {
      const { png, width, height } = await services.handlers['stats.exportPng']({
        figureId: figure.id,
        option: figure.option,
        width: 800,
        height: 420,
        notice: 'Research use only — not for diagnosis',
      });
      const file = path.join(dir, `${figure.id}.png`);
      fs.writeFileSync(file, Buffer.from(png, 'base64'));
      const info = JSON.parse(
        execFileSync('/usr/bin/python3', [
          '-c',
          'import sys, json; from PIL import Image; im = Image.open(sys.argv[1]).convert("RGB"); print(json.dumps({"size": im.size, "colors": len(im.getcolors(1 << 20) or [])}))',
          file,
        ]).toString(),
      ) as { size: [number, number]; colors: number };
      expect(info.size, figure.id).toEqual([width, height]);
      expect(width).toBe(800);
      expect(height).toBeGreaterThanOrEqual(420);
      expect(info.colors, figure.id).toBeGreaterThan(8);
    }
  });
});
