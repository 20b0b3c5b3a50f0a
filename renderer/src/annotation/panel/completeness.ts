/**
 * What keeps a study from being complete: a measurement without a label, a required attribute
 * left empty, a required classification question unanswered (study-level once; series-level for
 * every image series of the study). Pure, so the rule is tested on its own.
 */
import type { LabelSchema } from '../../../../shared/annotation.js';
import type { SeriesSummary } from '../../../../shared/contract.js';

export type Missing =
  | { kind: 'label'; annotationUid: string; tool: string }
  | { kind: 'attribute'; annotationUid: string; labelId: string; attributeId: string }
  | { kind: 'question'; questionId: string; seriesInstanceUID?: string };

export interface CheckedAnnotation {
  uid: string;
  tool: string;
  labelId?: string;
  attributes: Record<string, string | number | string[]>;
}

/** `questionId` or `questionId@seriesUID` → the chosen options. */
export type Answers = Record<string, string[]>;

export function answerKey(questionId: string, seriesInstanceUID?: string): string {
  return seriesInstanceUID ? `${questionId}@${seriesInstanceUID}` : questionId;
}

/** Series that hold images (not reports, segmentations, presentation states…). */
const NON_IMAGE_MODALITIES = new Set(['SR', 'SEG', 'PR', 'KO', 'RTSTRUCT', 'RTPLAN', 'REG', 'DOC', 'OT_SR']);
export function imageSeries(series: SeriesSummary[]): SeriesSummary[] {
  return series.filter((item) => item.numberOfInstances > 0 && !NON_IMAGE_MODALITIES.has(item.modality));
}

function empty(value: string | number | string[] | undefined): boolean {
  if (value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return !Number.isFinite(value);
}

export function missingForComplete(
  schema: LabelSchema,
  annotations: CheckedAnnotation[],
  answers: Answers,
  series: SeriesSummary[],
): Missing[] {
  const missing: Missing[] = [];
  for (const annotation of annotations) {
    const label = schema.labels.find((item) => item.id === annotation.labelId);
    if (!label) {
      missing.push({ kind: 'label', annotationUid: annotation.uid, tool: annotation.tool });
      continue;
    }
    for (const attribute of label.attributes) {
      if (attribute.required && empty(annotation.attributes[attribute.id]))
        missing.push({
          kind: 'attribute',
          annotationUid: annotation.uid,
          labelId: label.id,
          attributeId: attribute.id,
        });
    }
  }
  for (const question of schema.questions) {
    if (!question.required) continue;
    if (question.level === 'study') {
      if (empty(answers[answerKey(question.id)])) missing.push({ kind: 'question', questionId: question.id });
      continue;
    }
    for (const item of imageSeries(series)) {
      if (empty(answers[answerKey(question.id, item.seriesInstanceUID)]))
        missing.push({
          kind: 'question',
          questionId: question.id,
          seriesInstanceUID: item.seriesInstanceUID,
        });
    }
  }
  return missing;
}
