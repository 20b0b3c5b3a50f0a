/**
 * Main is the authority on "complete" (issue #9 item 3): a study is marked complete or verified
 * only when its stored heads satisfy the label schema in use (shared/completeness.ts: every
 * measurement has a label of the schema with its required attributes filled, every required study
 * and series question is answered). The panel, the CLI and sync all go through `setStudyStatus`
 * here; a refusal is an AppError `incomplete` whose message lists what is missing, and
 * `annotation.completeness` gives the same list as data (the panel shows it in the reader's
 * language).
 */
import type { LabelSchema, StudyAnnotationStatus } from '../../shared/annotation.js';
import { type CheckedSeries, type Missing, missingInHeads } from '../../shared/completeness.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { AnnotationStore } from './store.js';

export interface CompletenessContext {
  store: AnnotationStore;
  schema: () => LabelSchema;
  /** The study's series in the catalog (series-level questions are asked of each image series). */
  seriesOf: (studyInstanceUID: string) => readonly CheckedSeries[];
}

/** What keeps the study from being complete under the schema in use ([] when nothing). */
export function missingForStudy(context: CompletenessContext, studyInstanceUID: string): Missing[] {
  const { heads } = context.store.list(studyInstanceUID);
  return missingInHeads(context.schema(), heads, context.seriesOf(studyInstanceUID));
}

/** An English sentence naming each missing item (label and attribute names from the schema). */
export function describeMissing(schema: LabelSchema, missing: readonly Missing[]): string {
  const items = missing.slice(0, 10).map((item) => {
    if (item.kind === 'label') return `a label for a ${item.tool} measurement`;
    if (item.kind === 'attribute') {
      const label = schema.labels.find((candidate) => candidate.id === item.labelId);
      const attribute = label?.attributes.find((candidate) => candidate.id === item.attributeId);
      return `“${attribute?.name.en ?? item.attributeId}” of a ${label?.name.en ?? item.labelId}`;
    }
    const question = schema.questions.find((candidate) => candidate.id === item.questionId);
    const name = question?.name.en ?? item.questionId;
    return item.seriesInstanceUID
      ? `an answer to “${name}” for series ${item.seriesInstanceUID}`
      : `an answer to “${name}”`;
  });
  const more = missing.length > 10 ? `, and ${missing.length - 10} more` : '';
  return `The study cannot be marked complete; still missing: ${items.join('; ')}${more}.`;
}

/**
 * Sets the reader's status of a study; `complete` and `verified` are refused (AppError
 * `incomplete`) while anything required is missing. `draft` (reopen) is always allowed.
 */
export function setStudyStatusChecked(
  context: CompletenessContext,
  studyInstanceUID: string,
  status: 'draft' | 'complete' | 'verified',
): StudyAnnotationStatus {
  if (status !== 'draft') {
    const schema = context.schema();
    const { heads } = context.store.list(studyInstanceUID);
    const missing = missingInHeads(schema, heads, context.seriesOf(studyInstanceUID));
    if (missing.length > 0) throw new AppError(ErrorCode.Incomplete, describeMissing(schema, missing));
  }
  return context.store.setStudyStatus(studyInstanceUID, status);
}
