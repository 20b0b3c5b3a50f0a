/**
 * The rule for "complete" lives in shared/completeness.ts (main refuses with it; the panel shows
 * its hint with the same function).
 */
export {
  type Answers,
  type CheckedAnnotation,
  type Missing,
  answerKey,
  imageSeries,
  missingForComplete,
} from '../../../../shared/completeness.js';
