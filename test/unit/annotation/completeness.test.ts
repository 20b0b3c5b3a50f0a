/**
 * What keeps a study from being complete (renderer/src/annotation/panel/completeness.ts): a
 * measurement without a label, a required attribute left empty, a required question unanswered
 * (once for the study, per image series for series questions).
 */
import { describe, expect, it } from 'vitest';
import { LabelSchema } from '../../../shared/annotation.js';
import type { SeriesSummary } from '../../../shared/contract.js';
import { answerKey, missingForComplete } from '../../../renderer/src/annotation/panel/completeness.js';

const schema = LabelSchema.parse({
  id: 'test',
  name: 'Test',
  version: '1',
  labels: [
    {
      id: 'lesion',
      name: { en: 'Lesion', 'zh-CN': '病灶' },
      color: '#ff0000',
      kind: 'measurement',
      tools: ['Length'],
      attributes: [
        { id: 'count', name: { en: 'Count', 'zh-CN': '数量' }, type: 'number', required: true },
        { id: 'note', name: { en: 'Note', 'zh-CN': '备注' }, type: 'text', required: false },
      ],
    },
  ],
  questions: [
    {
      id: 'quality',
      level: 'study',
      name: { en: 'Quality', 'zh-CN': '质量' },
      type: 'single',
      required: true,
      options: [{ id: 'good', name: { en: 'Good', 'zh-CN': '好' } }],
    },
    {
      id: 'phase',
      level: 'series',
      name: { en: 'Phase', 'zh-CN': '期相' },
      type: 'single',
      required: true,
      options: [{ id: 'arterial', name: { en: 'Arterial', 'zh-CN': '动脉期' } }],
    },
  ],
});

const series = (uid: string, modality: string, numberOfInstances = 10): SeriesSummary => ({
  seriesInstanceUID: uid,
  studyInstanceUID: '1.2',
  seriesNumber: 1,
  modality,
  seriesDescription: '',
  bodyPartExamined: '',
  numberOfInstances,
  thumbnailSopInstanceUID: null,
});

describe('completing a study', () => {
  const ct = series('1.2.3', 'CT');
  const sr = series('1.2.4', 'SR', 1);

  it('is refused for each thing missing, and says what', () => {
    const missing = missingForComplete(
      schema,
      [
        { uid: 'a', tool: 'Length', attributes: {} },
        { uid: 'b', tool: 'Length', labelId: 'lesion', attributes: { note: 'x' } },
      ],
      {},
      [ct, sr],
    );
    expect(missing).toEqual([
      { kind: 'label', annotationUid: 'a', tool: 'Length' },
      { kind: 'attribute', annotationUid: 'b', labelId: 'lesion', attributeId: 'count' },
      { kind: 'question', questionId: 'quality' },
      // Series questions are asked of image series only (not the SR).
      { kind: 'question', questionId: 'phase', seriesInstanceUID: '1.2.3' },
    ]);
  });

  it('is allowed once labels, required attributes and required answers are there', () => {
    expect(
      missingForComplete(
        schema,
        [{ uid: 'b', tool: 'Length', labelId: 'lesion', attributes: { count: 0 } }],
        { [answerKey('quality')]: ['good'], [answerKey('phase', '1.2.3')]: ['arterial'] },
        [ct, sr],
      ),
    ).toEqual([]);
  });

  it('counts an empty answer or blank text as missing', () => {
    const missing = missingForComplete(schema, [], { quality: [] }, []);
    expect(missing).toEqual([{ kind: 'question', questionId: 'quality' }]);
  });
});
