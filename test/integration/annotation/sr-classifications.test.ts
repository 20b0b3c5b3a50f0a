/**
 * Classification answers in the interchange formats (#9 items 6 and 7): a study-level question
 * (single choice) and a series-level one (multiple choice) answered, then `radlabel export
 * --format sr` writes them as the report's Qualitative Evaluations (dciodvfy: no errors); reading
 * the SR back, and importing it into another workstation's catalog, gives the same answers; CSV and
 * JSON carry them, and with --deid the series they name is pseudonymous.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationMethods } from '../../../shared/annotation.js';
import { readPart10 } from '../../../main/annotation/dicom/dataset.js';
import { readMeasurementSR } from '../../../main/annotation/dicom/sr-read.js';
import { runCliInProcess } from '../../support/cli.js';
import type { Services } from '../../../main/services.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { importAndWait } from '../../support/import.js';
import { openTestServices } from '../../support/services.js';
import { filesUnder } from '../../support/files.js';

const scratch = makeTempDir('sr-classifications');
const ct = ensureCtSeries({ slices: 3, size: 32, seed: 'sr-classifications' });
const QUALITY_UID = '7a1c2b1e-8a43-4b7e-9d55-0c1c4c1e2b01';
const FINDINGS_UID = '7a1c2b1e-8a43-4b7e-9d55-0c1c4c1e2b02';

const SCHEMA = {
  id: 'sr-classifications',
  name: 'SR classifications',
  version: '2',
  labels: [
    {
      id: 'lesion',
      name: { en: 'Lesion', 'zh-CN': '病灶' },
      color: '#e6194b',
      kind: 'measurement',
      tools: ['Length'],
      attributes: [],
    },
  ],
  questions: [
    {
      id: 'quality',
      level: 'study',
      name: { en: 'Image quality', 'zh-CN': '图像质量' },
      type: 'single',
      required: true,
      options: [
        { id: 'good', name: { en: 'Good', 'zh-CN': '良好' } },
        { id: 'limited', name: { en: 'Limited', 'zh-CN': '受限' } },
      ],
    },
    {
      id: 'findings',
      level: 'series',
      name: { en: 'Findings', 'zh-CN': '所见' },
      type: 'multiple',
      required: false,
      options: [
        { id: 'effusion', name: { en: 'Effusion', 'zh-CN': '积液' } },
        { id: 'nodule', name: { en: 'Nodule', 'zh-CN': '结节' } },
        { id: 'fracture', name: { en: 'Fracture', 'zh-CN': '骨折' } },
      ],
    },
  ],
};

const ANSWERS: Record<string, Record<string, unknown>> = {
  [QUALITY_UID]: { questionId: 'quality', level: 'study', answer: ['limited'] },
  [FINDINGS_UID]: {
    questionId: 'findings',
    level: 'series',
    seriesInstanceUID: ct.seriesInstanceUID,
    answer: ['effusion', 'nodule'],
  },
};

function open(dataDir: string): Services {
  return openTestServices(dataDir);
}

const cli = (dataDir: string, ...args: string[]) =>
  runCliInProcess(args, { ...process.env, RADLABEL_DATA_DIR: dataDir });

/** questionId@series → answer, from a study's current heads. */
async function answersIn(services: Services): Promise<Record<string, string[]>> {
  const { heads } = await services.handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID });
  return Object.fromEntries(
    heads
      .filter((head) => head.kind === 'classification')
      .map((head) => {
        const data = head.data as { questionId: string; seriesInstanceUID?: string; answer: string[] };
        return [`${data.questionId}@${data.seriesInstanceUID ?? ''}`, data.answer];
      }),
  );
}

const EXPECTED = {
  'quality@': ['limited'],
  [`findings@${ct.seriesInstanceUID}`]: ['effusion', 'nodule'],
};

const dataDir = path.join(scratch, 'data');
beforeAll(async () => {
  const services = open(dataDir);
  try {
    await importAndWait(services, [ct.dir], { failOnErrors: false });
    await services.handlers['schema.load']({ json: JSON.stringify(SCHEMA) });
    const versions = Object.entries(ANSWERS).map(([annotationUid, data]) => ({
      versionId: crypto.randomUUID(),
      annotationUid,
      parentIds: [],
      studyInstanceUID: ct.studyInstanceUID,
      ...(data.level === 'series' ? { seriesInstanceUID: ct.seriesInstanceUID } : {}),
      kind: 'classification' as const,
      tool: 'Classification',
      attributes: {},
      data,
      author: '李医生',
    }));
    await services.handlers['annotation.save'](
      annotationMethods['annotation.save'].request.parse({ versions }),
    );
  } finally {
    await services.close();
  }
}, 60_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('classification answers in the SR', () => {
  let sr = '';

  it('are written as qualitative evaluations of a report dciodvfy accepts, even without measurements', async () => {
    const out = path.join(scratch, 'sr');
    const result = await cli(dataDir, 'export', '--format', 'sr', out, '--study', ct.studyInstanceUID);
    expect(result.status, result.stderr).toBe(0);
    sr = filesUnder(out).find((file) => file.endsWith('SR.dcm'))!;
    expect(sr).toBeTruthy();
    const check = spawnSync('dciodvfy', [sr], { encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`.split('\n').filter((line) => line.startsWith('Error'))).toEqual(
      [],
    );
  });

  it('read back as the same answers, in the same answer chains', () => {
    const { versions } = readMeasurementSR(readPart10(fs.readFileSync(sr)), {
      resolve: () => null,
      newVersionId: () => 'x',
    });
    const read = versions.filter((version) => version.kind === 'classification');
    expect(read.map((version) => version.annotationUid).sort()).toEqual([QUALITY_UID, FINDINGS_UID].sort());
    for (const version of read) expect(version.data).toEqual(ANSWERS[version.annotationUid]);
  });

  it('imported into another workstation that has the images, give the same answers', async () => {
    const other = open(path.join(scratch, 'other'));
    try {
      await importAndWait(other, [ct.dir], { failOnErrors: false });
      await other.handlers['schema.load']({ json: JSON.stringify(SCHEMA) });
      const { files } = await other.handlers['annotation.importFiles']({ paths: [sr] });
      expect(files[0]).toMatchObject({ added: 2 });
      expect(await answersIn(other)).toEqual(EXPECTED);
      // Importing the same report again adds nothing.
      const again = await other.handlers['annotation.importFiles']({ paths: [sr] });
      expect(again.files[0]).toMatchObject({ added: 0 });
    } finally {
      await other.close();
    }
  });
});

describe('classification answers in CSV and JSON', () => {
  it('CSV has one row per question and series with the chosen options', async () => {
    const out = path.join(scratch, 'csv');
    expect((await cli(dataDir, 'export', '--format', 'csv', out)).status).toBe(0);
    const rows = fs.readFileSync(path.join(out, 'classifications.csv'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows.find((row) => row.includes(',quality,'))).toContain('limited');
    expect(rows.find((row) => row.includes(',findings,'))).toContain('effusion|nodule');
    expect(rows.find((row) => row.includes(',findings,'))).toContain(ct.seriesInstanceUID);
  });

  it('JSON carries them; with --deid the series a series-level answer names is pseudonymous', async () => {
    const out = path.join(scratch, 'json');
    expect((await cli(dataDir, 'export', '--format', 'json', out)).status).toBe(0);
    const text = fs.readFileSync(path.join(out, 'annotations.json'), 'utf8');
    expect(text).toContain('"effusion"');
    const deid = path.join(scratch, 'json-deid');
    expect((await cli(dataDir, 'export', '--format', 'json', deid, '--deid')).status).toBe(0);
    const scrubbed = fs.readFileSync(path.join(deid, 'annotations.json'), 'utf8');
    expect(scrubbed).toContain('"effusion"');
    expect(scrubbed).not.toContain(ct.seriesInstanceUID);
    expect(scrubbed).not.toContain(ct.studyInstanceUID);
  });

  it('an SR exported with --deid names no original series', async () => {
    const out = path.join(scratch, 'sr-deid');
    expect((await cli(dataDir, 'export', '--format', 'sr', out, '--deid')).status).toBe(0);
    const sr = filesUnder(out).find((file) => file.endsWith('.dcm'))!;
    const bytes = fs.readFileSync(sr).toString('latin1');
    expect(bytes).not.toContain(ct.seriesInstanceUID);
    expect(bytes).not.toContain(ct.studyInstanceUID);
  });
});
