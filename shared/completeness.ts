/**
 * The rule for "complete" (issue #9 item 3), one copy for main and renderer: what keeps a study
 * from being complete is a measurement without a label of the schema, a required attribute of its
 * label left empty, or a required classification question unanswered (study-level once;
 * series-level for every image series of the study). Main is the authority
 * (main/annotation/completeness.ts refuses `annotation.setStudyStatus` with these items); the panel
 * uses the same function for its hint. Pure.
 */
import { z } from 'zod';
import type { AnnotationVersion, LabelSchema } from './annotation.js';

export const MissingItem = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('label'), annotationUid: z.string(), tool: z.string() }),
  z.object({
    kind: z.literal('attribute'),
    annotationUid: z.string(),
    labelId: z.string(),
    attributeId: z.string(),
  }),
  z.object({ kind: z.literal('question'), questionId: z.string(), seriesInstanceUID: z.string().optional() }),
]);
export type Missing = z.infer<typeof MissingItem>;

export interface CheckedAnnotation {
  uid: string;
  tool: string;
  labelId?: string | undefined;
  attributes: Record<string, string | number | string[]>;
}

/** `questionId` or `questionId@seriesUID` → the chosen options. */
export type Answers = Record<string, string[]>;

/** The part of a catalog series the rule needs. */
export interface CheckedSeries {
  seriesInstanceUID: string;
  modality: string;
  numberOfInstances: number;
}

export function answerKey(questionId: string, seriesInstanceUID?: string): string {
  return seriesInstanceUID ? `${questionId}@${seriesInstanceUID}` : questionId;
}

/** Series that hold images (not reports, segmentations, presentation states…). */
const NON_IMAGE_MODALITIES = new Set(['SR', 'SEG', 'PR', 'KO', 'RTSTRUCT', 'RTPLAN', 'REG', 'DOC', 'OT_SR']);
export function imageSeries<T extends CheckedSeries>(series: readonly T[]): T[] {
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
  annotations: readonly CheckedAnnotation[],
  answers: Answers,
  series: readonly CheckedSeries[],
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

/** The same rule over stored heads (main, the CLI, sync): measurements are checked, answers read. */
export function missingInHeads(
  schema: LabelSchema,
  heads: readonly AnnotationVersion[],
  series: readonly CheckedSeries[],
): Missing[] {
  const annotations: CheckedAnnotation[] = [];
  const answers: Answers = {};
  for (const head of heads) {
    if (head.deleted) continue;
    if (head.kind === 'measurement') {
      annotations.push({
        uid: head.annotationUid,
        tool: head.tool,
        labelId: head.labelId,
        attributes: head.attributes,
      });
    } else if (head.kind === 'classification') {
      const data = head.data as { questionId?: unknown; seriesInstanceUID?: unknown; answer?: unknown };
      if (typeof data.questionId !== 'string' || !Array.isArray(data.answer)) continue;
      answers[
        answerKey(
          data.questionId,
          typeof data.seriesInstanceUID === 'string' ? data.seriesInstanceUID : undefined,
        )
      ] = data.answer.filter((item): item is string => typeof item === 'string');
    }
  }
  return missingForComplete(schema, annotations, answers, series);
}
