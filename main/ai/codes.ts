/**
 * The coded concepts RadLabel reads and writes for AI findings (docs/ai-review.md "Codes"):
 *
 * - read from a device's SR: the device observer (TID 1004: Device Observer UID 121012, Name 121013,
 *   Manufacturer 121194, Model Name 121195), the object's Manufacturer and Software Versions, and a
 *   finding's confidence — a NUM of the measurement group whose concept is `(ai-confidence,
 *   99RADLABEL)` or whose meaning names a confidence, probability, likelihood or certainty (any
 *   scheme); unit `%` (or a value above 1) is read as a percentage;
 * - written into a reader's SR for an accepted or edited finding: `(ai-source-model, 99RADLABEL)`
 *   TEXT (the model) and `(ai-source-object, 99RADLABEL)` UIDREF (the AI object's SOP Instance UID),
 *   with `(ai-decision, 99RADLABEL)` CODE accepted / edited.
 */
import { RADLABEL_SCHEME, code } from '../annotation/dicom/codes.js';
import type { Code } from '../annotation/dicom/model.js';

export const AI_CODES = {
  deviceManufacturer: code('121194', 'DCM', 'Device Observer Manufacturer'),
  deviceModelName: code('121195', 'DCM', 'Device Observer Model Name'),
  confidence: code('ai-confidence', RADLABEL_SCHEME, 'AI confidence'),
  sourceModel: code('ai-source-model', RADLABEL_SCHEME, 'AI source model'),
  sourceObject: code('ai-source-object', RADLABEL_SCHEME, 'AI source object'),
  sourceDecision: code('ai-decision', RADLABEL_SCHEME, 'AI finding decision'),
} as const;

/** Concept meanings read as a confidence (any coding scheme). */
const CONFIDENCE_MEANING = /\b(confidence|probability|likelihood|certainty)\b/i;

export function isConfidenceConcept(concept: Code | undefined): boolean {
  if (!concept) return false;
  if (concept.scheme === RADLABEL_SCHEME) return concept.value === AI_CODES.confidence.value;
  return CONFIDENCE_MEANING.test(concept.meaning);
}

/** A confidence value as 0…1 (percent when the unit says so or the value is above 1), else null. */
export function confidenceOf(value: number, unit: string): number | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const ratio = unit === '%' || value > 1 ? value / 100 : value;
  return ratio <= 1 ? ratio : null;
}

/** RadLabel's own AI codes are provenance, never reader attributes. */
export function isAiProvenanceCode(concept: Code | undefined): boolean {
  return concept?.scheme === RADLABEL_SCHEME && concept.value.startsWith('ai-');
}
