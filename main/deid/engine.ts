/**
 * The header engine: applies the profile to every attribute of one object, at every depth, and
 * writes the result by splicing (unchanged bytes copied, changed attributes encoded).
 *
 * What is written is always ASCII (pseudonyms, 2.25 UIDs, shifted dates, dummy values), so the
 * dataset's SpecificCharacterSet stays true, and every kept value keeps its original bytes:
 * GB18030, GBK or ISO 2022 text survives byte-exact. Removing a whole attribute never breaks
 * ISO 2022 escape state, because each value starts in the initial state (PS3.5 6.1.2.5.3).
 */
import zlib from 'node:zlib';
import { AppError, ErrorCode, isAppError } from '../../shared/errors.js';
import {
  type DeidConfig,
  type DeidActionCounts,
  type DeidOutcome,
  type DeidReport,
  type DeidWarning,
  type PreviewRow,
  emptyActionCounts,
} from './config.js';
import { ChunkWriter, type OutElement, type OutItem } from './dicom/writer.js';
import {
  parseDicomFile,
  TransferSyntax,
  type DicomElement,
  type Encoding,
  type ParsedDicom,
} from './dicom/walker.js';
import { dictionaryVr, keywordOf, parseTagKey, tagKey } from './dicom/dictionary.js';
import { Profile, type EngineAction, type TableAction } from './profile/profile.js';
import {
  basicProfileCode,
  optionCodes,
  researchDefaultOptions,
  type DeidOptionName,
  isDeidOptionName,
} from './profile/options.js';
import { SafePrivateList, standardSafePrivateAttributes } from './profile/safe-private.js';
import { keepListTags } from './profile/keep-list.js';
import { Pseudonymizer } from './pseudonyms.js';
import { ageInYears, shiftTemporal, yearsBetween } from './dates.js';
import {
  decodeText,
  findIdentifying,
  identifyingValues,
  looksLikeMislabelledGbk,
  type IdentifyingValues,
} from './text.js';
import type { PixelCleaner, PixelContext, PixelDecision } from './pixels/types.js';
import { pixelReasonCode } from './pixels/reason-codes.js';
import type { LinkageEntry } from './linkage-types.js';
import type { Logger } from '../core/logger.js';

export const IMPLEMENTATION_CLASS_UID = '2.25.255483329862397372096470427236315185187';
export const IMPLEMENTATION_VERSION_NAME = 'RADLABEL_0_1';

const Tag = {
  SpecificCharacterSet: 0x00080005,
  ImageType: 0x00080008,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  StudyDate: 0x00080020,
  AccessionNumber: 0x00080050,
  Modality: 0x00080060,
  ConversionType: 0x00080064,
  Manufacturer: 0x00080070,
  InstitutionName: 0x00080080,
  ReferringPhysicianName: 0x00080090,
  ManufacturerModelName: 0x00081090,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  IssuerOfPatientID: 0x00100021,
  PatientBirthDate: 0x00100030,
  OtherPatientIDs: 0x00101000,
  OtherPatientNames: 0x00101001,
  PatientBirthName: 0x00101005,
  PatientAge: 0x00101010,
  PatientAddress: 0x00101040,
  PatientMotherBirthName: 0x00101060,
  PatientTelephoneNumbers: 0x00102154,
  ClinicalTrialSponsorName: 0x00120010,
  ClinicalTrialProtocolID: 0x00120020,
  ClinicalTrialProtocolName: 0x00120021,
  ClinicalTrialSiteID: 0x00120030,
  ClinicalTrialSiteName: 0x00120031,
  ClinicalTrialSubjectID: 0x00120040,
  PatientIdentityRemoved: 0x00120062,
  DeidentificationMethod: 0x00120063,
  DeidentificationMethodCodeSequence: 0x00120064,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  SamplesPerPixel: 0x00280002,
  PhotometricInterpretation: 0x00280004,
  PlanarConfiguration: 0x00280006,
  NumberOfFrames: 0x00280008,
  Rows: 0x00280010,
  Columns: 0x00280011,
  BitsAllocated: 0x00280100,
  BitsStored: 0x00280101,
  PixelRepresentation: 0x00280103,
  BurnedInAnnotation: 0x00280301,
  LongitudinalTemporalInformationModified: 0x00280303,
  PixelData: 0x7fe00010,
  CodeValue: 0x00080100,
  CodingSchemeDesignator: 0x00080102,
  CodeMeaning: 0x00080104,
} as const;

const textVrs = new Set(['AE', 'AS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
const charsetVrs = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
const temporalVrs = new Set(['DA', 'DT', 'TM']);

/**
 * DT attributes that version coding resources, not events. The table (2024b) treats them as dates
 * (D, or shifted under Modified Dates); a project override that keeps them (K) keeps them as is.
 */
const codingVersions = new Set<number>([0x00080106, 0x00080107]);

interface ObjectContext {
  config: DeidConfig;
  profile: Profile;
  options: ReadonlySet<DeidOptionName>;
  safePrivate: SafePrivateList;
  pseudonyms: Pseudonymizer;
  source: Uint8Array;
  encoding: Encoding;
  characterSets: string[];
  identifying: IdentifyingValues;
  dateOffsetDays: number | null;
  counts: DeidActionCounts;
  warnings: DeidWarning[];
  warned: Set<string>;
  uidMappings: Map<string, string>;
  trace?: PreviewRow[];
  /** Top-level attributes the engine writes itself; the walk skips them at depth 0. */
  forced: Map<number, OutElement>;
  /** Top-level attributes that no longer apply (the extended offset table of decoded pixels). */
  dropped: Set<number>;
  original: Map<number, DicomElement>;
  birthDate: string;
  studyDate: string;
  /** > 0 while inside a sequence the profile replaces by dummies (D): its text is not kept either. */
  insideDummy: number;
  /** Remove every public attribute that neither the table nor the keep-list names. */
  removeUnlisted: boolean;
}

function ascii(bytes: Uint8Array, element: DicomElement): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + element.valueStart, element.valueLength).toString(
    'latin1',
  );
}

function trimValue(value: string): string {
  return value.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}

/** Encodes an ASCII text value, padded to even length (NUL for UI, space otherwise). */
export function textValue(vr: string, value: string): Uint8Array {
  const bytes = Buffer.from(value.replace(/[^\x20-\x7e\\]/g, '?'), 'latin1');
  if (bytes.length % 2 === 0) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  padded[bytes.length] = vr === 'UI' ? 0 : 0x20;
  return padded;
}

function dummyText(vr: string): string {
  switch (vr) {
    case 'AE':
    case 'PN':
      return 'ANONYMOUS';
    case 'AS':
      return '000Y';
    case 'CS':
      return 'ANONYMIZED';
    case 'DA':
      return '19000101';
    case 'DT':
      return '19000101000000';
    case 'TM':
      return '000000';
    case 'DS':
    case 'IS':
      return '0';
    case 'UR':
      return 'urn:anonymized';
    default:
      return 'ANONYMIZED';
  }
}

function describe(bytes: Uint8Array, element: DicomElement, vr: string, characterSets: string[]): string {
  if (element.items) return `${element.items.length} item(s)`;
  if (textVrs.has(vr) || temporalVrs.has(vr) || ['CS', 'UI', 'DS', 'IS'].includes(vr)) {
    const value = bytes.subarray(element.valueStart, element.valueStart + element.valueLength);
    const text = charsetVrs.has(vr) ? decodeText(value, characterSets) : ascii(bytes, element);
    const trimmed = trimValue(text);
    return trimmed.length > 80 ? `${trimmed.slice(0, 77)}…` : trimmed;
  }
  return `<${element.valueLength} bytes>`;
}

function warn(context: ObjectContext, warning: DeidWarning): void {
  const key = `${warning.code}|${warning.tag ?? ''}`;
  if (context.warned.has(key)) return;
  context.warned.add(key);
  context.warnings.push(warning);
}

function isPrivate(tag: number): boolean {
  return ((tag >>> 16) & 1) === 1;
}

function isRepeatingGroup(tag: number, base: number): boolean {
  const group = tag >>> 16;
  return (group & 0xff00) === base && (group & 1) === 0;
}

interface Decision {
  action: EngineAction;
  why: string;
  /** The table row's basic-profile action, when the table decided. */
  basic?: TableAction;
}

/** The effective action for one attribute: table (with options and overrides), or the rules for unlisted ones. */
function decide(context: ObjectContext, element: DicomElement, vr: string): Decision {
  const decided = decideByProfile(context, element, vr);
  // Inside a sequence the table replaces by a dummy (an institution or person code sequence),
  // coded text is as identifying as the rest: it becomes a dummy too.
  if (context.insideDummy > 0 && textVrs.has(vr) && (decided.action === 'K' || decided.action === 'C'))
    return { action: 'D', why: 'inside a dummy sequence' };
  return decided;
}

function decideByProfile(context: ObjectContext, element: DicomElement, vr: string): Decision {
  const tag = element.tag;
  if (isRepeatingGroup(tag, 0x6000)) return { action: 'X', why: 'overlay' };
  if (isRepeatingGroup(tag, 0x5000)) return { action: 'X', why: 'curve' };
  const resolved = context.profile.resolve(tag);
  if (resolved) {
    // X/Z on a sequence: an empty sequence is invalid where the sequence is Type 3 (most of
    // them, e.g. Referenced Study Sequence), so it goes; X is allowed by the table either way.
    if (resolved.tableAction === 'X/Z' && element.items)
      return { action: 'X', why: 'table X/Z on a sequence' };
    return { action: resolved.action, why: resolved.source, basic: resolved.row?.basic };
  }
  const named = keepListTags.has(tag);
  if (!named && context.removeUnlisted) return { action: 'X', why: 'unlisted, removed' };
  if (vr === 'UI') return { action: context.options.has('retainUIDs') ? 'K' : 'U', why: 'unlisted UID' };
  if (temporalVrs.has(vr)) {
    if (context.options.has('retainLongitudinalFullDates')) return { action: 'K', why: 'unlisted date' };
    if (context.options.has('retainLongitudinalModifiedDates')) return { action: 'C', why: 'unlisted date' };
    return { action: 'X', why: 'unlisted date' };
  }
  if (textVrs.has(vr) && !named) {
    // Emptied rather than removed: nothing leaks, and a Type 2 attribute stays present.
    return (context.config.unlistedText ?? 'remove') === 'remove'
      ? { action: 'Z', why: 'unlisted text' }
      : { action: 'C', why: 'unlisted text' };
  }
  return { action: 'K', why: 'unlisted' };
}

function record(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
  action: string,
  after: string,
): void {
  if (!context.trace) return;
  context.trace.push({
    tag: tagKey(element.tag),
    keyword: keywordOf(element.tag),
    vr,
    depth,
    before: describe(context.source, element, vr, context.characterSets),
    after,
    action,
  });
}

/** The text of a value the engine wrote: always ASCII (see the file comment), or a byte count. */
function writtenText(vr: string, value: Uint8Array): string {
  if (!textVrs.has(vr) && !temporalVrs.has(vr) && !['CS', 'UI', 'DS', 'IS'].includes(vr))
    return `<${value.length} bytes>`;
  return trimValue(Buffer.from(value).toString('latin1'));
}

/**
 * The trace of an attribute the engine writes itself (the pseudonym, the provenance attributes,
 * masked pixels): "D (set)" over an original value, "D (added)" where there was none.
 */
function recordWritten(context: ObjectContext, written: OutElement): void {
  if (!context.trace || written.kind === 'copy') return;
  const original = context.original.get(written.tag);
  const vr = written.kind === 'sequence' ? 'SQ' : written.vr;
  const before = original
    ? describe(context.source, original, original.items ? 'SQ' : vr, context.characterSets)
    : '';
  const action = written.tag === Tag.PixelData ? 'C (pixels masked)' : original ? 'D (set)' : 'D (added)';
  const row = (
    tag: number,
    rowVr: string,
    depth: number,
    rowBefore: string,
    after: string,
    rowAction: string,
  ) =>
    context.trace?.push({
      tag: tagKey(tag),
      keyword: keywordOf(tag),
      vr: rowVr,
      depth,
      before: rowBefore,
      after,
      action: rowAction,
    });
  if (written.kind === 'value') {
    row(written.tag, vr, 0, before, writtenText(vr, written.value), action);
    return;
  }
  row(written.tag, vr, 0, before, `${written.items.length} item(s)`, action);
  for (const item of written.items) {
    if (item.kind !== 'item') continue;
    for (const element of item.elements)
      if (element.kind === 'value')
        row(element.tag, element.vr, 1, '', writtenText(element.vr, element.value), 'D (added)');
  }
}

function remapUids(context: ObjectContext, element: DicomElement): OutElement {
  const original = ascii(context.source, element);
  const mapped = original
    .split('\\')
    .map((part) => {
      const uid = trimValue(part);
      const pseudonym = context.pseudonyms.uid(uid);
      if (pseudonym !== uid) context.uidMappings.set(uid, pseudonym);
      return pseudonym;
    })
    .join('\\');
  if (mapped === trimValue(original)) return { kind: 'copy', source: element };
  context.counts.uidsRemapped += 1;
  return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue('UI', mapped) };
}

/**
 * A UID under the profile's action: remapped to its 2.25 pseudonym, or written unchanged when it
 * is a well-known UID of the standard (a SOP class, a transfer syntax, a coding scheme), which
 * identifies nobody. The trace says which, so the preview never shows a kept UID as blank.
 */
function uid(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
  action: string,
): OutElement {
  const out = remapUids(context, element);
  if (!context.trace) return out;
  if (out.kind === 'value') {
    record(context, element, vr, depth, action, trimValue(Buffer.from(out.value).toString('latin1')));
  } else {
    const written = describe(context.source, element, vr, context.characterSets);
    record(context, element, vr, depth, written === '' ? action : 'K (standard UID)', written);
  }
  return out;
}

/** C on a text value: kept byte-exact when it holds none of the header's identifying values. */
function cleanText(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
  label = 'C',
): OutElement {
  const bytes = context.source.subarray(element.valueStart, element.valueStart + element.valueLength);
  let sets = context.characterSets;
  if (
    charsetVrs.has(vr) &&
    bytes.some((byte) => byte >= 0x80) &&
    ['', 'ISO_IR 100', 'ISO_IR 6'].includes(sets[0] ?? '') &&
    looksLikeMislabelledGbk(bytes)
  ) {
    warn(context, {
      code: 'charset-mislabelled-gbk',
      message:
        'Text declared as Latin-1 looks like Chinese (GBK); it was read as GBK to check it for identifying values.',
      tag: tagKey(element.tag),
    });
    sets = ['GBK'];
  }
  const text = charsetVrs.has(vr)
    ? decodeText(bytes, sets)
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const found = findIdentifying(text, context.identifying);
  if (found.length === 0) {
    context.counts.kept += 1;
    record(
      context,
      element,
      vr,
      depth,
      label === 'C' ? 'C (kept)' : label,
      describe(context.source, element, vr, context.characterSets),
    );
    return { kind: 'copy', source: element };
  }
  context.counts.cleaned += 1;
  warn(context, {
    code: 'descriptor-cleaned',
    message: 'A descriptor contained identifying values from the header and was cleaned.',
    tag: tagKey(element.tag),
  });
  // Pure ASCII: redact just the matches. Anything else: the value goes (we never transcode).
  if (!bytes.some((byte) => byte >= 0x80 || byte === 0x1b)) {
    let redacted = Buffer.from(bytes).toString('latin1');
    for (const needle of found) {
      const pattern = new RegExp(
        needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s^_]*'),
        'gi',
      );
      redacted = redacted.replace(pattern, '***');
    }
    if (findIdentifying(redacted, context.identifying).length === 0) {
      record(context, element, vr, depth, `${label} (redacted)`, trimValue(redacted));
      return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue(vr, trimValue(redacted)) };
    }
  }
  record(context, element, vr, depth, `${label} (emptied)`, '');
  return { kind: 'value', tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
}

function shiftDates(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
): OutElement | null {
  if (vr === 'TM') {
    // Whole-day offsets leave times of day as they are.
    context.counts.kept += 1;
    record(
      context,
      element,
      vr,
      depth,
      'C (time kept)',
      describe(context.source, element, vr, context.characterSets),
    );
    return { kind: 'copy', source: element };
  }
  const original = trimValue(ascii(context.source, element));
  const shifted =
    context.dateOffsetDays === null
      ? null
      : shiftTemporal(vr as 'DA' | 'DT', original, context.dateOffsetDays);
  if (shifted === null) {
    warn(context, {
      code: 'date-unshiftable',
      message: 'A date could not be shifted (malformed or partial) and was removed.',
      tag: tagKey(element.tag),
    });
    context.counts.removed += 1;
    record(context, element, vr, depth, 'C (removed)', '');
    return null;
  }
  context.counts.datesShifted += 1;
  record(context, element, vr, depth, 'C (shifted)', shifted);
  return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue(vr, shifted) };
}

function patientAge(context: ObjectContext, element: DicomElement): OutElement {
  const policy = context.config.age ?? 'cap';
  if (policy === 'keep') return { kind: 'copy', source: element };
  const original = trimValue(ascii(context.source, element));
  const years =
    policy === 'recompute'
      ? (yearsBetween(context.birthDate, context.studyDate) ?? ageInYears(original))
      : ageInYears(original);
  if (years === null) return { kind: 'value', tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
  // Ages over 89 are identifying on their own (HIPAA Safe Harbor): all of them become 90Y.
  const age = `${String(Math.min(years, 90)).padStart(3, '0')}Y`;
  if (age === original || (policy === 'cap' && years <= 89)) return { kind: 'copy', source: element };
  return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue('AS', age) };
}

function apply(context: ObjectContext, element: DicomElement, depth: number): OutElement | null {
  const vr = element.vr === 'UN' ? (dictionaryVr(element.tag) ?? 'UN') : element.vr;
  const { action, basic } = decide(context, element, vr);
  if (element.vr === 'UN' && vr === 'SQ' && action !== 'X' && action !== 'Z') {
    // A sequence we cannot see into cannot be cleaned: it goes.
    warn(context, {
      code: 'opaque-sequence-removed',
      message: 'A sequence stored with an unknown VR was removed.',
      tag: tagKey(element.tag),
    });
    context.counts.removed += 1;
    record(context, element, vr, depth, 'X (opaque)', '');
    return null;
  }
  switch (action) {
    case 'X':
      context.counts.removed += 1;
      record(context, element, vr, depth, 'X', '');
      return null;
    case 'Z':
      context.counts.emptied += 1;
      record(context, element, vr, depth, 'Z', '');
      if (element.items) return { kind: 'sequence', tag: element.tag, undefinedLength: false, items: [] };
      return { kind: 'value', tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
    case 'U':
      if (element.items) return recurse(context, element, depth, 'U');
      if (vr === 'UI') {
        if (context.options.has('retainUIDs')) return keep(context, element, vr, depth, 'K');
        return uid(context, element, vr, depth, 'U');
      }
      return keep(context, element, vr, depth, 'U');
    case 'D': {
      if (element.items) return recurse(context, element, depth, 'D');
      if (vr === 'UI') return uid(context, element, vr, depth, 'D');
      if (temporalVrs.has(vr) && context.options.has('retainLongitudinalModifiedDates'))
        return shiftDates(context, element, vr, depth);
      context.counts.dummied += 1;
      if (!textVrs.has(vr) && !temporalVrs.has(vr) && !['CS', 'DS', 'IS'].includes(vr)) {
        record(context, element, vr, depth, 'D', `<${element.valueLength} zero bytes>`);
        return {
          kind: 'value',
          tag: element.tag,
          vr: element.vr,
          value: new Uint8Array(element.valueLength),
        };
      }
      const dummy = dummyText(vr);
      record(context, element, vr, depth, 'D', dummy);
      return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue(vr, dummy) };
    }
    case 'C':
      if (element.items) return cleanSequence(context, element, depth, basic);
      if (temporalVrs.has(vr)) return shiftDates(context, element, vr, depth);
      if (textVrs.has(vr) || vr === 'UN') return cleanText(context, element, vr, depth);
      return keep(context, element, vr, depth, 'C');
    case 'K':
      if (element.items) return recurse(context, element, depth, 'K');
      if (element.tag === Tag.PatientAge) {
        const out = patientAge(context, element);
        context.counts.kept += 1;
        record(
          context,
          element,
          vr,
          depth,
          'K (age policy)',
          out.kind === 'value'
            ? trimValue(Buffer.from(out.value).toString('latin1'))
            : describe(context.source, element, vr, context.characterSets),
        );
        return out;
      }
      if (vr === 'UI' && !context.options.has('retainUIDs')) return uid(context, element, vr, depth, 'K');
      if (
        temporalVrs.has(vr) &&
        !context.options.has('retainLongitudinalFullDates') &&
        !codingVersions.has(element.tag)
      ) {
        return context.options.has('retainLongitudinalModifiedDates')
          ? shiftDates(context, element, vr, depth)
          : drop(context, element, vr, depth);
      }
      return keep(context, element, vr, depth, 'K');
  }
}

function keep(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
  action: string,
): OutElement {
  // Free text the profile keeps is still checked for the header's own identifying values: a
  // kept institution address or device description must not carry the patient's name.
  if (charsetVrs.has(vr) && element.valueLength > 0) return cleanText(context, element, vr, depth, action);
  context.counts.kept += 1;
  if (context.trace)
    record(context, element, vr, depth, action, describe(context.source, element, vr, context.characterSets));
  return { kind: 'copy', source: element };
}

function drop(context: ObjectContext, element: DicomElement, vr: string, depth: number): null {
  context.counts.removed += 1;
  record(context, element, vr, depth, 'X (date)', '');
  return null;
}

function recurse(context: ObjectContext, element: DicomElement, depth: number, action: string): OutElement {
  record(context, element, 'SQ', depth, action, `${element.items?.length ?? 0} item(s)`);
  if (action === 'D') context.insideDummy += 1;
  try {
    return recurseItems(context, element, depth);
  } finally {
    if (action === 'D') context.insideDummy -= 1;
  }
}

/**
 * A sequence an option cleans keeps what its items still hold. When cleaning left every item
 * empty and the basic profile would remove the sequence (X), it goes: empty items carry nothing
 * and an empty Type 3 sequence item only adds noise.
 */
function cleanSequence(
  context: ObjectContext,
  element: DicomElement,
  depth: number,
  basic: TableAction | undefined,
): OutElement | null {
  const out = recurse(context, element, depth, 'C');
  const nothingLeft =
    out.kind === 'sequence' && out.items.every((item) => item.kind === 'item' && item.elements.length === 0);
  if (basic !== 'X' || !nothingLeft) return out;
  context.counts.removed += 1;
  record(context, element, 'SQ', depth, 'X (nothing left after cleaning)', '');
  return null;
}

function recurseItems(context: ObjectContext, element: DicomElement, depth: number): OutElement {
  let changed = false;
  const items: OutItem[] = (element.items ?? []).map((item) => {
    const result = processDataset(context, item.elements, depth + 1);
    if (!result.changed) return { kind: 'copy', source: item };
    changed = true;
    return { kind: 'item', undefinedLength: item.undefinedLength, elements: result.elements };
  });
  if (!changed) return { kind: 'copy', source: element };
  return { kind: 'sequence', tag: element.tag, undefinedLength: element.undefinedLength, items };
}

/** Private creators of one dataset, by block: (gggg,00xx) → creator string. */
function privateCreators(context: ObjectContext, elements: DicomElement[]): Map<number, string> {
  const creators = new Map<number, string>();
  for (const element of elements) {
    const low = element.tag & 0xffff;
    if (isPrivate(element.tag) && low >= 0x10 && low <= 0xff) {
      creators.set(((element.tag >>> 16) << 8) | low, trimValue(ascii(context.source, element)));
    }
  }
  return creators;
}

function processDataset(
  context: ObjectContext,
  elements: DicomElement[],
  depth: number,
): { elements: OutElement[]; changed: boolean } {
  const out: OutElement[] = [];
  let changed = false;
  const retainPrivate = context.options.has('retainSafePrivate');
  const creators = retainPrivate ? privateCreators(context, elements) : new Map<number, string>();
  const keptBlocks = new Set<number>();
  // Safe private data elements first, so their creators can be kept.
  const privateDecisions = new Map<DicomElement, boolean>();
  for (const element of elements) {
    if (!isPrivate(element.tag)) continue;
    const low = element.tag & 0xffff;
    const group = element.tag >>> 16;
    if (low < 0x1000) continue;
    const block = (group << 8) | (low >>> 8);
    const creator = creators.get(block);
    const safe =
      retainPrivate &&
      creator !== undefined &&
      context.safePrivate.has(creator, group, low & 0xff) &&
      !element.items;
    privateDecisions.set(element, safe);
    if (safe) keptBlocks.add(block);
  }
  // What the engine writes itself is traced in tag order, in place of any original it replaces.
  const written = depth === 0 ? [...context.forced.entries()].sort((a, b) => a[0] - b[0]) : [];
  let tracedWritten = 0;
  const traceWrittenUpTo = (tag: number): void => {
    while (tracedWritten < written.length && written[tracedWritten]![0] <= tag)
      recordWritten(context, written[tracedWritten++]![1]);
  };
  for (const element of elements) {
    const tag = element.tag;
    if (depth === 0) traceWrittenUpTo(tag);
    if (depth === 0 && (context.forced.has(tag) || context.dropped.has(tag))) {
      if (!context.forced.has(tag)) record(context, element, element.vr, depth, 'X (pixels decoded)', '');
      changed = true;
      continue;
    }
    if ((tag & 0xffff) === 0 || tag >>> 16 === 0x0002) {
      // Group lengths are retired and would be wrong after the rewrite; meta belongs in the header.
      changed = true;
      continue;
    }
    if (isPrivate(tag)) {
      const low = tag & 0xffff;
      const group = tag >>> 16;
      const keepIt =
        low >= 0x1000
          ? privateDecisions.get(element) === true
          : low >= 0x10 && low <= 0xff && keptBlocks.has((group << 8) | low);
      if (keepIt) {
        context.counts.privateKept += 1;
        record(
          context,
          element,
          element.vr,
          depth,
          'K (safe private)',
          describe(context.source, element, element.vr, context.characterSets),
        );
        out.push({ kind: 'copy', source: element });
      } else {
        context.counts.privateRemoved += 1;
        record(context, element, element.vr, depth, 'X (private)', '');
        changed = true;
      }
      continue;
    }
    const result = apply(context, element, depth);
    if (result === null) {
      changed = true;
      continue;
    }
    if (result.kind !== 'copy' || result.source !== element) changed = true;
    out.push(result);
  }
  if (depth === 0) {
    traceWrittenUpTo(Number.POSITIVE_INFINITY);
    // Insert what the engine writes itself, in tag order.
    const forced = written;
    const merged: OutElement[] = [];
    let index = 0;
    const tagOf = (element: OutElement): number =>
      element.kind === 'copy' ? element.source.tag : element.tag;
    for (const element of out) {
      while (index < forced.length && forced[index]![0] < tagOf(element)) merged.push(forced[index++]![1]);
      merged.push(element);
    }
    while (index < forced.length) merged.push(forced[index++]![1]);
    return { elements: merged, changed: true };
  }
  return { elements: out, changed };
}

function codeItem(code: { codeValue: string; codingSchemeDesignator: string; codeMeaning: string }): OutItem {
  return {
    kind: 'item',
    undefinedLength: false,
    elements: [
      { kind: 'value', tag: Tag.CodeValue, vr: 'SH', value: textValue('SH', code.codeValue) },
      {
        kind: 'value',
        tag: Tag.CodingSchemeDesignator,
        vr: 'SH',
        value: textValue('SH', code.codingSchemeDesignator),
      },
      {
        kind: 'value',
        tag: Tag.CodeMeaning,
        vr: 'LO',
        value: textValue('LO', code.codeMeaning.slice(0, 64)),
      },
    ],
  };
}

function lo(tag: number, value: string): OutElement {
  return { kind: 'value', tag, vr: 'LO', value: textValue('LO', value.slice(0, 64)) };
}

function topLevel(parsed: ParsedDicom): Map<number, DicomElement> {
  const map = new Map<number, DicomElement>();
  for (const element of parsed.dataset) map.set(element.tag, element);
  return map;
}

/**
 * Where the table's X would remove a Type 1 attribute of a common IOD and make a valid object
 * invalid, a dummy value leaks nothing and keeps it valid. Project overrides still win.
 */
const conformanceOverrides: Array<[number, EngineAction]> = [
  // Ethics Committee Name (D) is only allowed with the Approval Number, which the table removes (X).
  [0x00120081, 'X'],
  // Responsible Person / Organization: Type 2C for animal patients; emptied leaks as little as removed.
  [0x00102297, 'Z'],
  [0x00102299, 'Z'],
];

export interface EngineSettings {
  config: DeidConfig;
  profile: Profile;
  options: ReadonlySet<DeidOptionName>;
  safePrivate: SafePrivateList;
  pseudonyms: Pseudonymizer;
  pixelCleaner: () => Promise<PixelCleaner | undefined>;
  /** Whether public attributes that neither the table nor the keep-list names are removed. */
  removeUnlisted: boolean;
}

export function engineSettings(
  config: DeidConfig,
  pixelCleaner: () => Promise<PixelCleaner | undefined>,
): EngineSettings {
  const chosen = new Set<DeidOptionName>();
  for (const option of config.options) {
    if (!isDeidOptionName(option))
      throw new AppError(ErrorCode.InvalidRequest, `Unknown de-identification option "${String(option)}".`);
    chosen.add(option);
  }
  if (config.profile === 'research') for (const option of researchDefaultOptions) chosen.add(option);
  if (chosen.has('retainLongitudinalFullDates')) chosen.delete('retainLongitudinalModifiedDates');
  const overrides = new Map<number, EngineAction>(conformanceOverrides);
  for (const [key, action] of Object.entries(config.overrides ?? {})) overrides.set(parseTagKey(key), action);
  return {
    config,
    profile: new Profile(chosen, overrides),
    options: chosen,
    safePrivate: new SafePrivateList([...standardSafePrivateAttributes, ...(config.safePrivate ?? [])]),
    pseudonyms: new Pseudonymizer(config.projectSecret, config.projectId),
    pixelCleaner,
    removeUnlisted: config.removeUnlisted ?? config.profile === 'research',
  };
}

function methodCodeList(
  options: ReadonlySet<DeidOptionName>,
  pixelsMasked: boolean,
): Array<{ codeValue: string; codingSchemeDesignator: string; codeMeaning: string }> {
  const codes = [basicProfileCode];
  for (const option of Object.keys(optionCodes) as DeidOptionName[]) {
    if (option === 'cleanPixelData') continue;
    if (option === 'cleanRecognizableVisualFeatures') continue;
    if (options.has(option)) codes.push(optionCodes[option]);
  }
  if (pixelsMasked) codes.push(optionCodes.cleanPixelData);
  return codes.sort((a, b) => a.codeValue.localeCompare(b.codeValue));
}

function readValue(parsed: ParsedDicom, original: Map<number, DicomElement>, tag: number): string {
  const element = original.get(tag);
  return element && !element.items ? trimValue(ascii(parsed.bytes, element)) : '';
}

function readNumber(parsed: ParsedDicom, original: Map<number, DicomElement>, tag: number): number {
  const element = original.get(tag);
  if (!element || element.items) return 0;
  if (element.vr === 'US' || element.valueLength === 2) {
    return new DataView(parsed.bytes.buffer, parsed.bytes.byteOffset + element.valueStart, 2).getUint16(
      0,
      parsed.encoding.littleEndian,
    );
  }
  return Number(trimValue(ascii(parsed.bytes, element))) || 0;
}

function pixelContextOf(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  pixel: DicomElement,
  identifying: string[],
): PixelContext {
  const value = (tag: number): string => readValue(parsed, original, tag);
  const pixelData: PixelContext['pixelData'] = pixel.fragments
    ? { kind: 'encapsulated', frames: framesOf(parsed, original, pixel) }
    : {
        kind: 'native',
        bytes: parsed.bytes.subarray(pixel.valueStart, pixel.valueStart + pixel.valueLength),
      };
  return {
    modality: value(Tag.Modality),
    sopClassUID: value(Tag.SOPClassUID),
    manufacturer: value(Tag.Manufacturer),
    manufacturerModelName: value(Tag.ManufacturerModelName),
    burnedInAnnotation: value(Tag.BurnedInAnnotation).toUpperCase(),
    imageType: value(Tag.ImageType)
      .split('\\')
      .map((part) => part.trim())
      .filter(Boolean),
    conversionType: value(Tag.ConversionType),
    rows: readNumber(parsed, original, Tag.Rows),
    columns: readNumber(parsed, original, Tag.Columns),
    bitsAllocated: readNumber(parsed, original, Tag.BitsAllocated),
    bitsStored: readNumber(parsed, original, Tag.BitsStored),
    samplesPerPixel: readNumber(parsed, original, Tag.SamplesPerPixel) || 1,
    photometricInterpretation: value(Tag.PhotometricInterpretation),
    pixelRepresentation: readNumber(parsed, original, Tag.PixelRepresentation),
    planarConfiguration: readNumber(parsed, original, Tag.PlanarConfiguration),
    numberOfFrames: Number(value(Tag.NumberOfFrames)) || 1,
    transferSyntaxUID: parsed.transferSyntaxUID,
    identifyingValues: identifying,
    pixelData,
  };
}

/** Frames of encapsulated pixel data: one fragment per frame when counts match, else all fragments as one frame sequence split by the offset table. */
function framesOf(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  pixel: DicomElement,
): Uint8Array[] {
  const fragments = (pixel.fragments ?? [])
    .slice(1)
    .map((fragment) => parsed.bytes.subarray(fragment.start, fragment.start + fragment.length));
  const frameCount = Number(readValue(parsed, original, Tag.NumberOfFrames)) || 1;
  if (fragments.length === frameCount) return fragments;
  if (frameCount === 1) return [Buffer.concat(fragments)];
  const table = pixel.fragments?.[0];
  if (table && table.length >= frameCount * 4) {
    const view = new DataView(parsed.bytes.buffer, parsed.bytes.byteOffset + table.start, table.length);
    const offsets = Array.from({ length: frameCount }, (_, i) => view.getUint32(i * 4, true));
    const frames: Uint8Array[] = [];
    let fragmentOffset = 0;
    let current: Uint8Array[] = [];
    let frameIndex = 0;
    for (const fragment of fragments) {
      if (frameIndex + 1 < frameCount && fragmentOffset === offsets[frameIndex + 1]) {
        frames.push(Buffer.concat(current));
        current = [];
        frameIndex += 1;
      }
      current.push(fragment);
      fragmentOffset += fragment.length + 8;
    }
    frames.push(Buffer.concat(current));
    if (frames.length === frameCount) return frames;
  }
  return [Buffer.concat(fragments)];
}

function failed(error: unknown, logger?: Logger): DeidOutcome {
  if (!isAppError(error) && !(error instanceof RangeError)) {
    // Only the stack's frames: a message may quote a value from the file.
    const frames = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 8).join('\n') : '';
    logger?.error(
      { event: 'deid.internal-error', error: error instanceof Error ? error.name : typeof error, frames },
      'de-identification failed (bug)',
    );
  }
  if (isAppError(error)) return { status: 'failed', error: { code: error.code, message: error.message } };
  if (error instanceof RangeError)
    return {
      status: 'failed',
      error: { code: ErrorCode.Malformed, message: 'The file has a value too long to rewrite.' },
    };
  return {
    status: 'failed',
    error: {
      code: ErrorCode.Internal,
      message: 'De-identification failed unexpectedly (a bug); the file was not written.',
    },
  };
}

/**
 * The output as the list of byte ranges it is made of: unchanged ranges are subarrays of the
 * input (pixel data included), so a writer can hand them to writev without assembling a copy.
 */
export type ChunkedOutcome =
  | { status: 'done'; chunks: Uint8Array[]; length: number; report: DeidReport }
  | Exclude<DeidOutcome, { status: 'done' }>;

export async function deidentifyObjectChunks(
  settings: EngineSettings,
  input: Uint8Array,
  options: { sourceName?: string; trace?: PreviewRow[] } = {},
): Promise<ChunkedOutcome> {
  try {
    const parsed = parseDicomFile(input);
    return await rewrite(settings, parsed, options);
  } catch (error) {
    return failed(error, settings.config.logger) as ChunkedOutcome;
  }
}

/** De-identifies one Part 10 object into one buffer. Never throws: failures are outcomes. */
export async function deidentifyObject(
  settings: EngineSettings,
  input: Uint8Array,
  options: { sourceName?: string; trace?: PreviewRow[] } = {},
): Promise<DeidOutcome> {
  const outcome = await deidentifyObjectChunks(settings, input, options);
  if (outcome.status !== 'done') return outcome;
  const output = Buffer.allocUnsafe(outcome.length);
  let offset = 0;
  for (const chunk of outcome.chunks) {
    output.set(chunk, offset);
    offset += chunk.length;
  }
  return {
    status: 'done',
    output: new Uint8Array(output.buffer, output.byteOffset, output.length),
    report: outcome.report,
  };
}

async function rewrite(
  settings: EngineSettings,
  parsed: ParsedDicom,
  options: { sourceName?: string; trace?: PreviewRow[] },
): Promise<ChunkedOutcome> {
  const { config, pseudonyms } = settings;
  const original = topLevel(parsed);
  const value = (tag: number): string => readValue(parsed, original, tag);
  const characterSets = value(Tag.SpecificCharacterSet)
    .split('\\')
    .map((term) => term.trim());
  const textOf = (tag: number): string => {
    const element = original.get(tag);
    if (!element || element.items) return '';
    return trimValue(
      decodeText(
        parsed.bytes.subarray(element.valueStart, element.valueStart + element.valueLength),
        characterSets,
      ),
    );
  };
  const patientId = textOf(Tag.PatientID);
  const patientName = textOf(Tag.PatientName);
  const patientKey = Pseudonymizer.patientKey(patientId, textOf(Tag.IssuerOfPatientID), patientName);
  const pseudonym = pseudonyms.patientPseudonym(patientKey);
  const shifting = settings.options.has('retainLongitudinalModifiedDates');
  const dateOffsetDays = shifting ? pseudonyms.dateOffsetDays(patientKey) : null;
  const names = [
    patientName,
    textOf(Tag.OtherPatientNames),
    textOf(Tag.PatientBirthName),
    textOf(Tag.PatientMotherBirthName),
    textOf(Tag.ReferringPhysicianName),
  ]
    .flatMap((name) => name.split('\\'))
    .filter(Boolean);
  // Mislabelled GBK names: add the GBK reading too, so Hanzi in descriptors are found.
  const nameElement = original.get(Tag.PatientName);
  if (nameElement && !nameElement.items) {
    const bytes = parsed.bytes.subarray(
      nameElement.valueStart,
      nameElement.valueStart + nameElement.valueLength,
    );
    if (
      looksLikeMislabelledGbk(bytes) &&
      !['GB18030', 'GBK', 'ISO 2022 IR 58'].includes(characterSets.at(-1) ?? '')
    )
      names.push(trimValue(decodeText(bytes, ['GBK'])));
  }
  const ids = [patientId, ...textOf(Tag.OtherPatientIDs).split('\\'), textOf(Tag.AccessionNumber)].filter(
    Boolean,
  );
  const birthDate = value(Tag.PatientBirthDate);
  const studyDate = value(Tag.StudyDate);
  const identifying = identifyingValues({
    names,
    ids,
    // The study's own dates too: written in a descriptor they would escape the date shift.
    dates: [birthDate, studyDate, value(0x00080021), value(0x00080022), value(0x00080023)].filter(Boolean),
    other: [
      textOf(Tag.PatientAddress),
      textOf(Tag.PatientTelephoneNumbers),
      textOf(Tag.InstitutionName),
    ].filter(Boolean),
  });

  const context: ObjectContext = {
    config,
    profile: settings.profile,
    options: settings.options,
    safePrivate: settings.safePrivate,
    pseudonyms,
    source: parsed.bytes,
    encoding: parsed.encoding,
    characterSets,
    identifying,
    dateOffsetDays,
    counts: emptyActionCounts(),
    warnings: [],
    warned: new Set(),
    uidMappings: new Map(),
    ...(options.trace ? { trace: options.trace } : {}),
    forced: new Map(),
    dropped: new Set(),
    original,
    birthDate,
    studyDate,
    insideDummy: 0,
    removeUnlisted: settings.removeUnlisted,
  };

  // Pixels first: a held object is not rewritten at all.
  let decision: PixelDecision | undefined;
  const pixel = original.get(Tag.PixelData);
  if (pixel && !pixel.items) {
    const cleaner = await settings.pixelCleaner();
    if (!cleaner)
      throw new AppError(
        ErrorCode.Internal,
        'The pixel cleaner is not available; objects with pixel data cannot be de-identified.',
      );
    const needles = [...names, ...ids, birthDate, ...identifying.needles];
    decision = await cleaner.clean(
      pixelContextOf(parsed, original, pixel, [...new Set(needles)].filter(Boolean)),
      {
        cleanPixelData: settings.options.has('cleanPixelData'),
        ocr: config.ocr ?? true,
        rules: config.pixelRules ?? [],
      },
    );
  }

  const forced = context.forced;
  forced.set(Tag.PatientName, {
    kind: 'value',
    tag: Tag.PatientName,
    vr: 'PN',
    value: textValue('PN', pseudonym),
  });
  forced.set(Tag.PatientID, lo(Tag.PatientID, pseudonym));
  forced.set(Tag.PatientIdentityRemoved, {
    kind: 'value',
    tag: Tag.PatientIdentityRemoved,
    vr: 'CS',
    value: textValue('CS', 'YES'),
  });
  const masked = decision?.action === 'masked';
  const codes = methodCodeList(settings.options, masked);
  forced.set(
    Tag.DeidentificationMethod,
    lo(Tag.DeidentificationMethod, `RadLabel ${IMPLEMENTATION_VERSION_NAME} PS3.15 E.1-1`),
  );
  forced.set(Tag.DeidentificationMethodCodeSequence, {
    kind: 'sequence',
    tag: Tag.DeidentificationMethodCodeSequence,
    undefinedLength: false,
    items: codes.map(codeItem),
  });
  forced.set(
    Tag.ClinicalTrialSponsorName,
    lo(Tag.ClinicalTrialSponsorName, config.clinicalTrial.sponsorName),
  );
  forced.set(Tag.ClinicalTrialProtocolID, lo(Tag.ClinicalTrialProtocolID, config.clinicalTrial.protocolId));
  forced.set(
    Tag.ClinicalTrialProtocolName,
    lo(Tag.ClinicalTrialProtocolName, config.clinicalTrial.protocolName ?? ''),
  );
  forced.set(Tag.ClinicalTrialSiteID, lo(Tag.ClinicalTrialSiteID, config.clinicalTrial.siteId ?? ''));
  forced.set(Tag.ClinicalTrialSiteName, lo(Tag.ClinicalTrialSiteName, config.clinicalTrial.siteName ?? ''));
  forced.set(Tag.ClinicalTrialSubjectID, lo(Tag.ClinicalTrialSubjectID, pseudonym));
  const temporal = settings.options.has('retainLongitudinalFullDates')
    ? 'UNMODIFIED'
    : shifting
      ? 'MODIFIED'
      : 'REMOVED';
  forced.set(Tag.LongitudinalTemporalInformationModified, {
    kind: 'value',
    tag: Tag.LongitudinalTemporalInformationModified,
    vr: 'CS',
    value: textValue('CS', temporal),
  });
  let transferSyntaxUID = parsed.transferSyntaxUID;
  if (decision?.action === 'masked' && decision.pixelData && pixel) {
    forced.set(Tag.BurnedInAnnotation, {
      kind: 'value',
      tag: Tag.BurnedInAnnotation,
      vr: 'CS',
      value: textValue('CS', 'NO'),
    });
    const bitsAllocated = readNumber(parsed, original, Tag.BitsAllocated);
    forced.set(Tag.PixelData, {
      kind: 'value',
      tag: Tag.PixelData,
      vr: bitsAllocated > 8 ? 'OW' : 'OB',
      value: evenLength(decision.pixelData),
    });
    if (decision.photometricInterpretation) {
      forced.set(Tag.PhotometricInterpretation, {
        kind: 'value',
        tag: Tag.PhotometricInterpretation,
        vr: 'CS',
        value: textValue('CS', decision.photometricInterpretation),
      });
    }
    if (decision.transferSyntaxUID && decision.transferSyntaxUID !== transferSyntaxUID) {
      transferSyntaxUID = decision.transferSyntaxUID;
      // Decoded to native: the encapsulated frames' extended offset table and lengths are gone.
      context.dropped.add(0x7fe00001);
      context.dropped.add(0x7fe00002);
    }
  }
  if (transferSyntaxUID !== parsed.transferSyntaxUID && transferSyntaxUID !== TransferSyntax.ExplicitLittle) {
    throw new AppError(ErrorCode.Internal, 'The pixel cleaner returned an unsupported transfer syntax.');
  }

  const sopClassUID = value(Tag.SOPClassUID);
  const originalSop = value(Tag.SOPInstanceUID);
  const originalStudy = value(Tag.StudyInstanceUID);
  const retainUids = settings.options.has('retainUIDs');
  const mapUid = (uid: string): string => (retainUids ? uid : pseudonyms.uid(uid));

  const reportBase = {
    ...(options.sourceName !== undefined ? { sourceName: options.sourceName } : {}),
    sopClassUID,
    sopInstanceUID: mapUid(originalSop),
    seriesInstanceUID: mapUid(value(Tag.SeriesInstanceUID)),
    studyInstanceUID: mapUid(originalStudy),
    patientPseudonym: pseudonym,
    transferSyntaxUID,
    methodCodes: codes.map((code) => code.codeValue),
  };
  const pixels: DeidReport['pixels'] = decision
    ? {
        action: decision.action,
        reasons: decision.reasons,
        reasonCodes: decision.reasons.map(pixelReasonCode),
        regions: decision.regions.length,
      }
    : { action: 'none', reasons: [], reasonCodes: [], regions: 0 };
  const linkage = (): LinkageEntry[] => [
    { kind: 'patient', original: patientKey, pseudonym, dateOffsetDays },
    ...[...context.uidMappings].map(([from, to]): LinkageEntry => ({
      kind: 'uid',
      original: from,
      pseudonym: to,
    })),
  ];

  if (decision?.action === 'hold') {
    return {
      status: 'held',
      reason: decision.reasons,
      report: {
        ...reportBase,
        actions: context.counts,
        warnings: context.warnings,
        pixels,
        local: { studyInstanceUID: originalStudy, sopInstanceUID: originalSop, linkage: [] },
      },
    };
  }

  // Pixel data is inserted by `forced` when masked; an unmasked element is copied by the walk.
  const dataset = processDataset(context, parsed.dataset, 0).elements;
  const datasetEncoding: Encoding =
    transferSyntaxUID !== parsed.transferSyntaxUID
      ? { explicitVr: true, littleEndian: true }
      : parsed.encoding;
  if (transferSyntaxUID !== parsed.transferSyntaxUID && !parsed.encoding.explicitVr) {
    throw new AppError(ErrorCode.Internal, 'Masked pixels changed the syntax of an implicit-VR object.');
  }
  const body = new ChunkWriter(parsed.bytes, datasetEncoding);
  body.elements(dataset);

  const meta = new ChunkWriter(parsed.bytes, { explicitVr: true, littleEndian: true });
  const metaElements: OutElement[] = [
    { kind: 'value', tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { kind: 'value', tag: 0x00020002, vr: 'UI', value: textValue('UI', sopClassUID) },
    { kind: 'value', tag: 0x00020003, vr: 'UI', value: textValue('UI', reportBase.sopInstanceUID) },
    { kind: 'value', tag: 0x00020010, vr: 'UI', value: textValue('UI', transferSyntaxUID) },
    { kind: 'value', tag: 0x00020012, vr: 'UI', value: textValue('UI', IMPLEMENTATION_CLASS_UID) },
    { kind: 'value', tag: 0x00020013, vr: 'SH', value: textValue('SH', IMPLEMENTATION_VERSION_NAME) },
  ];
  meta.elements(metaElements);
  const groupLength = new ChunkWriter(parsed.bytes, { explicitVr: true, littleEndian: true });
  const lengthValue = new Uint8Array(4);
  new DataView(lengthValue.buffer).setUint32(0, meta.length, true);
  groupLength.element({ kind: 'value', tag: 0x00020000, vr: 'UL', value: lengthValue });

  let datasetBytes: Uint8Array[] = body.chunks;
  let datasetLength = body.length;
  if (transferSyntaxUID === TransferSyntax.Deflated) {
    const deflated = zlib.deflateRawSync(body.concat());
    datasetBytes = [deflated];
    datasetLength = deflated.length;
  }
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  const chunks = [preamble, ...groupLength.chunks, ...meta.chunks, ...datasetBytes];
  const linkageEntries = linkage();
  config.linkage?.record(linkageEntries);
  return {
    status: 'done',
    chunks,
    length: 132 + groupLength.length + meta.length + datasetLength,
    report: {
      ...reportBase,
      actions: context.counts,
      warnings: context.warnings,
      pixels,
      local: { studyInstanceUID: originalStudy, sopInstanceUID: originalSop, linkage: linkageEntries },
    },
  };
}

function evenLength(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  return padded;
}
