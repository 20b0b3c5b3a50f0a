/** Coded concepts of the TID 1500 measurement report as RadLabel writes and reads it. */
import crypto from 'node:crypto';
import type { Code } from './model.js';

export const code = (value: string, scheme: string, meaning: string): Code => ({ value, scheme, meaning });

/** RadLabel's private coding scheme (labels without schema codes, attributes, tool names). */
export const RADLABEL_SCHEME = '99RADLABEL';

export const CODES = {
  imagingMeasurementReport: code('126000', 'DCM', 'Imaging Measurement Report'),
  languageOfContent: code('121049', 'DCM', 'Language of Content Item and Descendants'),
  english: code('en-US', 'RFC5646', 'English (United States)'),
  observerType: code('121005', 'DCM', 'Observer Type'),
  person: code('121006', 'DCM', 'Person'),
  device: code('121007', 'DCM', 'Device'),
  personObserverName: code('121008', 'DCM', 'Person Observer Name'),
  deviceObserverUid: code('121012', 'DCM', 'Device Observer UID'),
  deviceObserverName: code('121013', 'DCM', 'Device Observer Name'),
  procedureReported: code('121058', 'DCM', 'Procedure reported'),
  imagingProcedure: code('363679005', 'SCT', 'Imaging procedure'),
  imageLibrary: code('111028', 'DCM', 'Image Library'),
  imageLibraryGroup: code('126200', 'DCM', 'Image Library Group'),
  imagingMeasurements: code('126010', 'DCM', 'Imaging Measurements'),
  measurementGroup: code('125007', 'DCM', 'Measurement Group'),
  trackingIdentifier: code('112039', 'DCM', 'Tracking Identifier'),
  trackingUid: code('112040', 'DCM', 'Tracking Unique Identifier'),
  finding: code('121071', 'DCM', 'Finding'),
  findingSite: code('363698007', 'SCT', 'Finding Site'),
  imageRegion: code('111030', 'DCM', 'Image Region'),
  qualitativeEvaluations: code('C0034375', 'UMLS', 'Qualitative Evaluations'),
  seriesInstanceUid: code('112002', 'DCM', 'Series Instance UID'),
  comment: code('121106', 'DCM', 'Comment'),
  // Statistics (as @cornerstonejs/adapters and highdicom code them).
  length: code('410668003', 'SCT', 'Length'),
  longAxis: code('103339001', 'SCT', 'Long Axis'),
  shortAxis: code('103340004', 'SCT', 'Short Axis'),
  area: code('42798000', 'SCT', 'Area'),
  perimeter: code('131191004', 'SCT', 'Perimeter'),
  mean: code('373098007', 'SCT', 'Mean'),
  stdDev: code('386136009', 'SCT', 'Standard Deviation'),
  min: code('255605001', 'SCT', 'Minimum'),
  max: code('56851009', 'SCT', 'Maximum'),
  angle: code('1483009', 'SCT', 'Angle'),
  radius: code('131190003', 'SCT', 'Radius'),
  pixelValue: code('pixel-value', RADLABEL_SCHEME, 'Pixel value at point'),
  tool: code('tool', RADLABEL_SCHEME, 'Annotation tool'),
  status: code('status', RADLABEL_SCHEME, 'Annotation status'),
  // The version a measurement group holds and the versions it was edited from (sync: a pulled
  // version keeps its place in the annotation's history, so two edits of one parent are two heads).
  version: code('version', RADLABEL_SCHEME, 'Annotation version'),
  parentVersion: code('parent-version', RADLABEL_SCHEME, 'Annotation parent version'),
  // Earlier versions beyond the parents, nearest first: a parent never uploaded (an edit between
  // two syncs) is stood in for by the nearest ancestor the reading machine has.
  ancestorVersion: code('ancestor-version', RADLABEL_SCHEME, 'Annotation earlier version'),
} as const;

/** Cornerstone statistic key → concept. */
export const STAT_CODES: Record<string, Code> = {
  length: CODES.length,
  width: CODES.shortAxis,
  area: CODES.area,
  perimeter: CODES.perimeter,
  mean: CODES.mean,
  stdDev: CODES.stdDev,
  min: CODES.min,
  max: CODES.max,
  angle: CODES.angle,
  radius: CODES.radius,
  value: CODES.pixelValue,
};

/** Statistic concepts read back; the long axis is the length of a bidirectional. */
export function statKeyOf(concept: Code | undefined): string | null {
  if (!concept) return null;
  if (concept.value === CODES.longAxis.value && concept.scheme === 'SCT') return 'length';
  for (const [key, known] of Object.entries(STAT_CODES))
    if (known.value === concept.value && known.scheme === concept.scheme) return key;
  // SRT is the older designator of SNOMED CT.
  if (concept.scheme === 'SRT') return statKeyOf({ ...concept, scheme: 'SCT' });
  return null;
}

/** Cornerstone unit string → UCUM code. */
export function unitCode(unit: string | undefined): Code {
  switch (unit) {
    case 'mm':
      return code('mm', 'UCUM', 'millimeter');
    case 'mm²':
    case 'mm2':
      return code('mm2', 'UCUM', 'square millimeter');
    case 'HU':
      return code("[hnsf'U]", 'UCUM', 'Hounsfield unit');
    case '°':
    case 'deg':
      return code('deg', 'UCUM', 'degree');
    case 'cm':
      return code('cm', 'UCUM', 'centimeter');
    case 'cm²':
      return code('cm2', 'UCUM', 'square centimeter');
    case undefined:
    case '':
      return code('1', 'UCUM', 'no units');
    default:
      return code('1', 'UCUM', unit);
  }
}

/** UCUM code → Cornerstone unit string. */
export function unitOf(unitCodeValue: Code | undefined): string {
  if (!unitCodeValue) return '';
  switch (unitCodeValue.value) {
    case 'mm':
      return 'mm';
    case 'mm2':
      return 'mm²';
    case "[hnsf'U]":
      return 'HU';
    case 'deg':
      return '°';
    case 'cm':
      return 'cm';
    case 'cm2':
      return 'cm²';
    case '1':
      return unitCodeValue.meaning === 'no units' ? '' : unitCodeValue.meaning;
    default:
      return unitCodeValue.value;
  }
}

/** A UID under 2.25 from a hash of the parts. */
export function hashUid(...parts: string[]): string {
  const digest = crypto.createHash('sha256').update(parts.join('|')).digest();
  return `2.25.${BigInt(`0x${digest.subarray(0, 15).toString('hex')}`).toString()}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The SR tracking UID of an annotation: the 2.25 form of its UID when it is a UUID (Cornerstone's
 * annotationUID), so that importing gives the same annotation back; otherwise a hash. Stable across
 * versions, since the annotation UID is.
 */
export function trackingUidOf(annotationUid: string): string {
  if (UUID.test(annotationUid)) return `2.25.${BigInt(`0x${annotationUid.replace(/-/g, '')}`).toString()}`;
  return hashUid('radlabel-tracking', annotationUid);
}

/** The annotation UID of a tracking UID (inverse of trackingUidOf for UUIDs; a stable UUID otherwise). */
export function annotationUidOf(trackingUid: string): string {
  const match = /^2\.25\.(\d+)$/.exec(trackingUid);
  if (match) {
    const value = BigInt(match[1]!);
    if (value < 1n << 128n) {
      const hex = value.toString(16).padStart(32, '0');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
  const hex = crypto.createHash('sha256').update(`radlabel-annotation|${trackingUid}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const RFC_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * The version id of a version UID read from an SR: the UUID it encodes (a version written here,
 * or by a machine that kept the UIDs), else a UUID derived from it (a UID the de-identification
 * remapped; every machine derives the same one from the same UID).
 */
export function versionIdOf(versionUid: string): string {
  const decoded = annotationUidOf(versionUid);
  if (/^2\.25\.\d+$/.test(versionUid) && RFC_UUID.test(decoded)) return decoded;
  const hex = crypto.createHash('sha256').update(`radlabel-version|${versionUid}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A code sequence item. CodeValue is SH (16 characters): a longer value (a schema's label,
 * attribute, option or question id) goes in LongCodeValue (UC), as PS3.3 8.8 says, instead of
 * overflowing SH; CodeMeaning is LO and is cut to its 64 characters (the value identifies the code,
 * the meaning only names it). `codeOf` reads either value.
 */
export function codeItem(c: Code): Record<string, string> {
  const chars = [...c.meaning];
  const meaning = chars.length > 64 ? chars.slice(0, 64).join('') : c.meaning;
  return [...c.value].length > 16
    ? { LongCodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: meaning }
    : { CodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: meaning };
}

export function codeOf(item: Record<string, unknown> | undefined): Code | undefined {
  if (!item) return undefined;
  const value = item['CodeValue'] ?? item['LongCodeValue'] ?? item['URNCodeValue'];
  if (value === undefined) return undefined;
  return {
    value: String(value),
    scheme: String(item['CodingSchemeDesignator'] ?? ''),
    meaning: String(item['CodeMeaning'] ?? ''),
  };
}

export function sameCode(a: Code | undefined, b: Code | undefined): boolean {
  if (!a || !b) return false;
  const scheme = (s: string) => (s === 'SRT' ? 'SCT' : s);
  return a.value === b.value && scheme(a.scheme) === scheme(b.scheme);
}
