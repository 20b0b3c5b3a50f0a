/**
 * Main is the authority on "complete" (#9 item 3, main/annotation/completeness.ts): whoever asks
 * (the panel, the CLI, a later sync), `annotation.setStudyStatus` refuses complete and verified with
 * `incomplete` while the stored heads leave a required attribute empty, a measurement without a
 * label of the schema, or a required study or series question unanswered; the refusal names what
 * is missing; reopening is always allowed; once everything is there the study is complete.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnnotationVersionInput,
  type LabelSchema,
  annotationMethods,
} from '../../../shared/annotation.js';
import { type Services } from '../../../main/services.js';
import { dispatch } from '../../../main/rpc/dispatch.js';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { fixedKey, importInto, openServices } from '../deid-app/harness.js';

const SCHEMA: LabelSchema = {
  id: 'completeness-test',
  name: 'Completeness test',
  version: '1',
  labels: [
    {
      id: 'lesion',
      name: { en: 'Lesion', 'zh-CN': '病灶' },
      color: '#e6194b',
      kind: 'measurement',
      tools: ['Length'],
      attributes: [
        {
          id: 'margin',
          name: { en: 'Margin', 'zh-CN': '边缘' },
          type: 'choice',
          required: true,
          options: [{ id: 'smooth', name: { en: 'Smooth', 'zh-CN': '光滑' } }],
        },
        { id: 'note', name: { en: 'Note', 'zh-CN': '备注' }, type: 'text', required: false },
      ],
    },
  ],
  questions: [
    {
      id: 'quality',
      level: 'study',
      name: { en: 'Image quality', 'zh-CN': '图像质量' },
      type: 'single',
      required: true,
      options: [{ id: 'good', name: { en: 'Good', 'zh-CN': '良好' } }],
    },
    {
      id: 'contrast',
      level: 'series',
      name: { en: 'Contrast phase', 'zh-CN': '增强期相' },
      type: 'single',
      required: true,
      options: [{ id: 'venous', name: { en: 'Venous', 'zh-CN': '静脉期' } }],
    },
  ],
};

let dir: string;
let services: Services;
let series: CtSeries;

beforeAll(async () => {
  dir = makeTempDir('completeness');
  series = ensureCtSeries({ slices: 2, size: 16, seed: 'completeness' });
  services = openServices(path.join(dir, 'data'), fixedKey('completeness'));
  await importInto(services, [series.dir]);
  await services.handlers['schema.load']({ json: JSON.stringify(SCHEMA) });
}, 60_000);

afterAll(async () => {
  await services?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function version(input: Partial<AnnotationVersionInput>): AnnotationVersionInput {
  return {
    versionId: crypto.randomUUID(),
    annotationUid: crypto.randomUUID(),
    parentIds: [],
    studyInstanceUID: series.studyInstanceUID,
    kind: 'measurement',
    tool: 'Length',
    attributes: {},
    data: {},
    ...input,
  };
}

/** Saves as the RPC does (the request parsed: defaults filled). */
const save = (request: { versions: AnnotationVersionInput[] }) =>
  services.handlers['annotation.save'](annotationMethods['annotation.save'].request.parse(request));

const setStatus = (status: 'draft' | 'complete' | 'verified') =>
  dispatch(services.handlers, 'annotation.setStudyStatus', {
    studyInstanceUID: series.studyInstanceUID,
    status,
  });

describe('annotation.setStudyStatus', () => {
  let lesion: AnnotationVersionInput;

  it('refuses complete while a required attribute and the required answers are missing, naming them', async () => {
    lesion = version({
      seriesInstanceUID: series.seriesInstanceUID,
      sopInstanceUID: series.sopInstanceUIDs[0]!,
      labelId: 'lesion',
    });
    await save({ versions: [lesion] });
    const wire = await setStatus('complete');
    expect(wire.ok).toBe(false);
    if (wire.ok) return;
    expect(wire.error.code).toBe('incomplete');
    expect(wire.error.message).toContain('“Margin” of a Lesion');
    expect(wire.error.message).toContain('an answer to “Image quality”');
    expect(wire.error.message).toContain(
      `an answer to “Contrast phase” for series ${series.seriesInstanceUID}`,
    );
    const { missing } = await services.handlers['annotation.completeness']({
      studyInstanceUID: series.studyInstanceUID,
    });
    expect(missing).toEqual([
      { kind: 'attribute', annotationUid: lesion.annotationUid, labelId: 'lesion', attributeId: 'margin' },
      { kind: 'question', questionId: 'quality' },
      { kind: 'question', questionId: 'contrast', seriesInstanceUID: series.seriesInstanceUID },
    ]);
    const status = await services.handlers['annotation.studyStatus']({
      studyInstanceUID: series.studyInstanceUID,
    });
    expect(status.status).toBe('draft');
  });

  it('refuses verified the same way, and always allows reopening (draft)', async () => {
    const verified = await setStatus('verified');
    expect(verified.ok ? 'ok' : verified.error.code).toBe('incomplete');
    const draft = await setStatus('draft');
    expect(draft.ok).toBe(true);
  });

  it('judges the current heads: a label unknown to the schema (another schema version) counts as missing', async () => {
    const stranger = version({
      seriesInstanceUID: series.seriesInstanceUID,
      sopInstanceUID: series.sopInstanceUIDs[1]!,
      labelId: 'old-label',
    });
    await save({ versions: [stranger] });
    const { missing } = await services.handlers['annotation.completeness']({
      studyInstanceUID: series.studyInstanceUID,
    });
    expect(missing).toContainEqual({ kind: 'label', annotationUid: stranger.annotationUid, tool: 'Length' });
    // Deleting it (a deletion version) takes it out of the current view.
    await save({
      versions: [
        { ...stranger, versionId: crypto.randomUUID(), parentIds: [stranger.versionId], deleted: true },
      ],
    });
  });

  it('accepts complete once the attribute is filled and every required question answered', async () => {
    const answers = [
      version({
        kind: 'classification',
        tool: 'Classification',
        data: { questionId: 'quality', level: 'study', answer: ['good'] },
      }),
      version({
        kind: 'classification',
        tool: 'Classification',
        seriesInstanceUID: series.seriesInstanceUID,
        data: {
          questionId: 'contrast',
          level: 'series',
          seriesInstanceUID: series.seriesInstanceUID,
          answer: ['venous'],
        },
      }),
      {
        ...lesion,
        versionId: crypto.randomUUID(),
        parentIds: [lesion.versionId],
        attributes: { margin: 'smooth' },
      },
    ];
    await save({ versions: answers });
    const wire = await setStatus('complete');
    expect(wire.ok ? wire.value : wire.error).toMatchObject({ status: 'complete' });
  });
});
