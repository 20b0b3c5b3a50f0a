/**
 * The header engine: applies the profile to every attribute of one object, at every depth, and
 * writes the result by splicing (unchanged bytes copied, changed attributes encoded).
 *
 * What is written is always ASCII (pseudonyms, 2.25 UIDs, shifted dates, dummy values), so the
 * dataset's SpecificCharacterSet stays true, and every kept value keeps its original bytes:
 * GB18030, GBK or ISO 2022 text survives byte-exact. Removing a whole attribute never breaks
 * ISO 2022 escape state, because each value starts in the initial state (PS3.5 6.1.2.5.3).
 *
 * Layout (docs/deid.md, "Engine modules"):
 *   rewrite.ts         one object: identity → pixels → provenance → walk → Part 10 framing
 *   settings.ts        DeidConfig → options, profile with overrides, safe list, pseudonymizer
 *   identifying.ts     the header's patient key, pseudonym and identifying values
 *   decision.ts        the effective action of one public attribute (table, options, keep-list)
 *   walk.ts            the walk over datasets and sequences, merging what the engine writes
 *   actions.ts         one handler per action on a value (X Z D K U C)
 *   uids.ts, temporal.ts, clean-text.ts   UID remapping, date shifting and ages, free text
 *   private-blocks.ts  private creators and safe private elements
 *   provenance.ts      PatientIdentityRemoved, method codes, clinical trial, temporal state
 *   file-meta.ts       preamble, file meta group, deflate
 *   pixel-context.ts   what the pixel cleaner is told, and what a masked decision writes
 *   trace.ts           the preview's rows; context.ts, tags.ts, values.ts: shared helpers
 */
export { deidentifyObject, deidentifyObjectChunks, type ChunkedOutcome } from './rewrite.js';
export { engineSettings, type EngineSettings } from './settings.js';
export { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './provenance.js';
export { textValue } from './values.js';
