/**
 * De-identification of the text that CSV, JSON and nnU-Net exports carry (#9 item 7): the reader's
 * free text (attribute values, an arrow's text, segment names) and label names, cleaned by the
 * de-identification engine's own free-text cleaner (main/deid/clean/cleaner.ts) with the study's
 * identifying values, read from one of its stored images exactly as the engine reads them
 * (`headerIdentity`: names at any depth, ids, dates, address, institution). SR and SEG text goes
 * through the engine itself; this is the same cleaning for the formats that are not DICOM, so
 * text typed next to an image leaves the machine on no other path.
 */
import { readStoredFileSync } from '../../cache/store-cipher.js';
import { type DeidConfig, validateDeidConfig } from '../../deid/config.js';
import { cleanFreeText } from '../../deid/clean/cleaner.js';
import { identifyingValues, type IdentifyingValues } from '../../deid/clean/identifying.js';
import { parseDicomFile } from '../../deid/dicom/walker.js';
import { headerIdentity } from '../../deid/engine/identifying.js';
import { topLevel } from '../../deid/engine/values.js';
import { Pseudonymizer } from '../../deid/pseudonyms.js';

export interface StudyTextCleaner {
  /** The patient's pseudonym, as the engine gives it to the study's DICOM objects. */
  patient: string;
  /** Free text typed by a reader: identifying values, deny patterns and unknown words replaced. */
  freeText(text: string): string;
  /** A name from the label schema or a segment: only identifying values and deny patterns replaced. */
  name(text: string): string;
}

/**
 * The cleaner of one study, from one of its stored image files (`null` when none can be read: the
 * deny patterns and the vocabulary still apply, and `patient` is the pseudonym of `patientId`).
 */
export function studyTextCleaner(
  file: string | null,
  config: DeidConfig,
  pseudonyms: Pseudonymizer,
  patientId: string,
): StudyTextCleaner {
  let identifying: IdentifyingValues = identifyingValues({
    names: [],
    ids: [patientId],
    dates: [],
    other: [],
  });
  let patient = pseudonyms.patientPseudonym(Pseudonymizer.patientKey(patientId, '', ''));
  if (file) {
    try {
      const parsed = parseDicomFile(readStoredFileSync(file));
      const identity = headerIdentity(parsed, topLevel(parsed), pseudonyms);
      identifying = identity.identifying;
      patient = identity.pseudonym;
    } catch {
      // The image cannot be read: the patient id is still replaced, the patterns still apply.
    }
  }
  const keepInstitution = validateDeidConfig(config).has('retainInstitutionIdentity');
  const remapUid = (uid: string) => pseudonyms.uid(uid);
  const clean = (text: string, scope: 'free-text' | 'kept-value') =>
    cleanFreeText(text, identifying, {
      unknownWords: config.unknownWords ?? 'placeholder',
      scope,
      keepInstitution,
      remapUid,
    }).text;
  return {
    patient,
    freeText: (text) => clean(text, 'free-text'),
    name: (text) => clean(text, 'kept-value'),
  };
}
