/**
 * A TID 1500 measurement report (Comprehensive / Enhanced / Comprehensive 3D SR) → measurement
 * versions. Reads RadLabel's own reports and those of other tools: highdicom's TID 1410 planar ROIs
 * (Image Region SCOORD/SCOORD3D in the group, NUMs beside it) and @cornerstonejs/adapters' TID 300
 * items (NUMs with an INFERRED FROM SCOORD below them). Every statistic is read from the NUM whose
 * concept names it (never "the first numeric value"), FloatingPointValue first.
 */
import { MEASUREMENT_TOOL_NAMES } from '../../../shared/annotation.js';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { AI_CODES, confidenceOf, isAiProvenanceCode, isConfidenceConcept } from '../../ai/codes.js';
import {
  CODES,
  RADLABEL_SCHEME,
  annotationUidOf,
  codeOf,
  sameCode,
  statKeyOf,
  unitOf,
  versionIdOf,
} from './codes.js';
import { type Dataset, first, items, numbersOf, text } from './dataset.js';
import { type SeriesGeometry, type SliceGeometry, type Vec3, imageToWorld, scale } from './geometry.js';
import type {
  AnnotationVersionLike,
  Code,
  CornerstoneAnnotationData,
  LabelSchemaLike,
  MeasurementStats,
} from './model.js';

export const SR_SOP_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.88.11', // Basic Text SR
  '1.2.840.10008.5.1.4.1.1.88.22', // Enhanced SR
  '1.2.840.10008.5.1.4.1.1.88.33', // Comprehensive SR
  '1.2.840.10008.5.1.4.1.1.88.34', // Comprehensive 3D SR
]);

export interface SliceResolver {
  /** The series geometry and slice of a referenced image, when it is in the catalog. */
  (sopInstanceUID: string): { geometry: SeriesGeometry; slice: SliceGeometry } | null;
}

export interface SrReadOptions {
  resolve: SliceResolver;
  schema?: LabelSchemaLike | undefined;
  /** Version ids and times for the new versions. */
  newVersionId: () => string;
  now?: number;
}

export interface SrReadResult {
  versions: AnnotationVersionLike[];
  /** Groups that could not be read (no geometry, image not in the catalog), in words. */
  skipped: string[];
  /** Earlier versions a version names beyond its parents, nearest first (by version id). */
  ancestors: Map<string, string[]>;
}

const KNOWN_TOOLS = MEASUREMENT_TOOL_NAMES;

const conceptOf = (item: Dataset): Code | undefined => codeOf(first(item['ConceptNameCodeSequence']));
const valueCodeOf = (item: Dataset): Code | undefined => codeOf(first(item['ConceptCodeSequence']));
const children = (item: Dataset): Dataset[] =>
  items(item['ContentSequence']).filter((child) => !!child && typeof child === 'object');

/** How deep content items may nest (TID 1500 nests five or six levels) and how many an SR may hold. */
export const MAX_CONTENT_DEPTH = 50;
export const MAX_CONTENT_ITEMS = 200_000;
/** Image coordinates and millimetres beyond this are not on any image (and overflow in transforms). */
const MAX_COORDINATE = 1e7;

/**
 * Checks the content tree once, without recursion, before anything walks it: at most
 * MAX_CONTENT_DEPTH levels and MAX_CONTENT_ITEMS items. Returns the SOP Instance UIDs the content
 * items refer to (their images' geometry is looked up before reading).
 */
export function checkContentTree(dataset: Dataset): Set<string> {
  const referenced = new Set<string>();
  const stack: Array<[Dataset, number]> = [[dataset, 0]];
  let count = 0;
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    for (const reference of items(item['ReferencedSOPSequence'])) {
      const sop = text(reference?.['ReferencedSOPInstanceUID']);
      if (sop) referenced.add(sop);
    }
    const content = children(item);
    if (content.length === 0) continue;
    if (depth >= MAX_CONTENT_DEPTH)
      throw new AppError(
        ErrorCode.Malformed,
        `This structured report nests its content more than ${MAX_CONTENT_DEPTH} levels deep.`,
      );
    count += content.length;
    if (count > MAX_CONTENT_ITEMS)
      throw new AppError(
        ErrorCode.TooLarge,
        `This structured report has more than ${MAX_CONTENT_ITEMS.toLocaleString('en')} content items.`,
      );
    for (const child of content) if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return referenced;
}

/** A DICOM UID (digits and dots, at most 64), as the contract takes it. */
export const isUid = (value: string): boolean => /^[0-9.]{1,64}$/.test(value);

function* walk(item: Dataset): Generator<Dataset> {
  for (const child of children(item)) {
    yield child;
    yield* walk(child);
  }
}

interface Observer {
  source: string;
  author: string;
  /** A device observer's Manufacturer (121194) and Model Name (121195), when given. */
  manufacturer?: string;
  modelName?: string;
}

/** The AI object's own header: where an `ai:` finding came from (`data.ai`, docs/ai-review.md). */
interface ObjectHeader {
  sopInstanceUID: string;
  seriesInstanceUID: string;
  sopClassUID: string;
  manufacturer: string;
  version: string;
}

function observerOf(item: Dataset): Observer | null {
  let type: Code | undefined;
  let person = '';
  let device = '';
  let manufacturer = '';
  let modelName = '';
  for (const child of children(item)) {
    if (child['RelationshipType'] !== 'HAS OBS CONTEXT') continue;
    const concept = conceptOf(child);
    if (sameCode(concept, CODES.observerType)) type = valueCodeOf(child);
    else if (sameCode(concept, CODES.personObserverName)) person = text(child['PersonName']);
    else if (sameCode(concept, CODES.deviceObserverName)) device = text(child['TextValue']);
    else if (sameCode(concept, CODES.deviceObserverUid) && !device) device = text(child['UID']);
    else if (sameCode(concept, AI_CODES.deviceManufacturer)) manufacturer = text(child['TextValue']);
    else if (sameCode(concept, AI_CODES.deviceModelName)) modelName = text(child['TextValue']);
  }
  if (!device && modelName) device = modelName;
  if (sameCode(type, CODES.device) || (!type && device && !person)) {
    // The contract's source is 'ai:<model>' without spaces.
    const model = (device || 'unknown').replace(/\s+/g, '-').slice(0, 128);
    return {
      source: `ai:${model}`,
      author: device || 'unknown',
      ...(manufacturer ? { manufacturer } : {}),
      ...(modelName ? { modelName } : {}),
    };
  }
  if (person) return { source: 'human', author: person };
  return null;
}

function numberOf(item: Dataset): { value: number; unit: string } | null {
  const measured = first(item['MeasuredValueSequence']);
  if (!measured) return null;
  const floating = numbersOf(measured['FloatingPointValue'])[0];
  const value =
    floating !== undefined && Number.isFinite(floating) ? floating : numbersOf(measured['NumericValue'])[0];
  if (value === undefined || !Number.isFinite(value)) return null;
  return { value, unit: unitOf(codeOf(first(measured['MeasurementUnitsCodeSequence']))) };
}

interface Graphic {
  type: string;
  points: Vec3[];
  sopInstanceUID?: string;
  seriesInstanceUID?: string;
  frameOfReferenceUID?: string;
  normal?: Vec3;
  columnCosines?: Vec3;
}

function graphicOf(item: Dataset, resolve: SliceResolver): Graphic | 'unresolved' | 'invalid' | null {
  const type = text(item['GraphicType']);
  const data = numbersOf(item['GraphicData']);
  if (!data.every((v) => Number.isFinite(v) && Math.abs(v) <= MAX_COORDINATE)) return 'invalid';
  if (item['ValueType'] === 'SCOORD3D') {
    const points: Vec3[] = [];
    for (let i = 0; i + 2 < data.length; i += 3) points.push([data[i]!, data[i + 1]!, data[i + 2]!]);
    return { type, points, frameOfReferenceUID: text(item['ReferencedFrameOfReferenceUID']) };
  }
  if (item['ValueType'] !== 'SCOORD') return null;
  const image = children(item).find((child) => child['ValueType'] === 'IMAGE');
  const sop = text(first(image?.['ReferencedSOPSequence'])?.['ReferencedSOPInstanceUID']);
  const reference = sop ? resolve(sop) : null;
  if (!reference) return 'unresolved';
  const points: Vec3[] = [];
  for (let i = 0; i + 1 < data.length; i += 2)
    points.push(imageToWorld(reference.geometry, reference.slice, [data[i]!, data[i + 1]!]));
  return {
    type,
    points,
    sopInstanceUID: sop,
    seriesInstanceUID: reference.geometry.seriesInstanceUID,
    frameOfReferenceUID: reference.geometry.frameOfReferenceUID,
    normal: reference.geometry.normal,
    columnCosines: reference.geometry.columnCosines,
  };
}

function closedRing(points: Vec3[]): Vec3[] {
  if (points.length > 2) {
    const a = points[0]!;
    const b = points[points.length - 1]!;
    if (Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) < 1e-6) return points.slice(0, -1);
  }
  return points;
}

function inferTool(trackingIdentifier: string, graphics: Graphic[]): string {
  const suffix = trackingIdentifier.split(':');
  for (const part of suffix) if (KNOWN_TOOLS.has(part)) return part;
  const [g] = graphics;
  if (!g) return 'Length';
  if (graphics.length === 2 && graphics.every((x) => x.type === 'POLYLINE' && x.points.length === 2))
    return 'Bidirectional';
  switch (g.type) {
    case 'POINT':
    case 'MULTIPOINT':
      return 'Probe';
    case 'CIRCLE':
      return 'CircleROI';
    case 'ELLIPSE':
      return 'EllipticalROI';
    case 'POLYGON':
      return 'PlanarFreehandROI';
    default:
      if (g.points.length === 2) return 'Length';
      if (g.points.length === 3) return 'Angle';
      return 'PlanarFreehandROI';
  }
}

function handlesOf(tool: string, graphics: Graphic[]): CornerstoneAnnotationData['data'] {
  const all = graphics.flatMap((g) => g.points);
  switch (tool) {
    case 'RectangleROI': {
      const ring = closedRing(graphics[0]?.points ?? []);
      if (ring.length === 4) {
        const [tl, tr, br, bl] = ring as [Vec3, Vec3, Vec3, Vec3];
        return { handles: { points: [tl, tr, bl, br] } };
      }
      return { handles: { points: ring } };
    }
    case 'PlanarFreehandROI':
    case 'SplineROI':
    case 'LivewireContour': {
      const g = graphics[0];
      const closed =
        g?.type === 'POLYGON' || (g !== undefined && closedRing(g.points).length !== g.points.length);
      const polyline = g ? (closed ? closedRing(g.points) : g.points) : [];
      return { handles: { points: [] }, contour: { polyline, closed } };
    }
    default:
      return { handles: { points: all } };
  }
}

function readGroup(
  group: Dataset,
  document: Observer | null,
  options: SrReadOptions,
  studyInstanceUID: string,
  header: ObjectHeader,
  ancestors: Map<string, string[]>,
): AnnotationVersionLike | string {
  let trackingIdentifier = '';
  let trackingUid = '';
  let versionUid = '';
  const parentUids: string[] = [];
  const ancestorUids: string[] = [];
  let finding: Code | undefined;
  let tool = '';
  let status: AnnotationVersionLike['status'] = 'complete';
  let note: string | undefined;
  let confidence: number | undefined;
  const stats: MeasurementStats & Record<string, number | string> = {};
  const attributes: Record<string, string | number | string[]> = {};
  const graphics: Graphic[] = [];
  let unresolved = false;
  let invalid = false;
  for (const child of children(group)) {
    const concept = conceptOf(child);
    if (sameCode(concept, CODES.trackingIdentifier)) trackingIdentifier = text(child['TextValue']);
    else if (sameCode(concept, CODES.trackingUid)) trackingUid = text(child['UID']);
    else if (sameCode(concept, CODES.version)) versionUid = text(child['UID']);
    else if (sameCode(concept, CODES.parentVersion)) parentUids.push(text(child['UID']));
    else if (sameCode(concept, CODES.ancestorVersion)) ancestorUids.push(text(child['UID']));
    else if (sameCode(concept, CODES.finding)) finding = valueCodeOf(child);
    else if (sameCode(concept, CODES.tool)) tool = valueCodeOf(child)?.value ?? '';
    else if (sameCode(concept, CODES.status)) {
      const value = valueCodeOf(child)?.value;
      if (value === 'draft' || value === 'complete' || value === 'verified') status = value;
    } else if (sameCode(concept, CODES.comment) && child['ValueType'] === 'TEXT')
      note = text(child['TextValue']);
    else if (child['ValueType'] === 'NUM' && isConfidenceConcept(concept)) {
      const n = numberOf(child);
      const value = n ? confidenceOf(n.value, n.unit) : null;
      if (value !== null) confidence = value;
    } else if (isAiProvenanceCode(concept)) continue;
    else if (concept?.scheme === RADLABEL_SCHEME && child['RelationshipType'] !== 'HAS OBS CONTEXT') {
      const key = concept.value;
      if (child['ValueType'] === 'NUM') {
        const n = numberOf(child);
        if (n) attributes[key] = n.value;
      } else if (child['ValueType'] === 'CODE') {
        const value = valueCodeOf(child)?.value ?? '';
        const previous = attributes[key];
        attributes[key] =
          previous === undefined
            ? value
            : [...(Array.isArray(previous) ? previous : [String(previous)]), value];
      } else if (child['ValueType'] === 'TEXT') attributes[key] = text(child['TextValue']);
    }
  }
  // Geometry and statistics anywhere in the group (TID 1410 beside, TID 300 below the NUMs).
  for (const item of walk(group)) {
    if (item['ValueType'] === 'SCOORD' || item['ValueType'] === 'SCOORD3D') {
      const graphic = graphicOf(item, options.resolve);
      if (graphic === 'unresolved') unresolved = true;
      else if (graphic === 'invalid') invalid = true;
      else if (graphic) graphics.push(graphic);
    } else if (item['ValueType'] === 'NUM') {
      const concept = conceptOf(item);
      if (concept?.scheme === RADLABEL_SCHEME || isConfidenceConcept(concept)) continue;
      const key = statKeyOf(concept);
      const n = numberOf(item);
      if (!key || !n || stats[key] !== undefined) continue;
      stats[key] = n.value;
      if (key === 'area') stats.areaUnit = n.unit;
      else if (key === 'length' || key === 'width' || key === 'perimeter' || key === 'radius')
        stats.unit = n.unit;
      else if (key === 'mean' || key === 'min' || key === 'max' || key === 'stdDev' || key === 'value')
        stats.modalityUnit = n.unit;
    }
  }
  if (invalid)
    return `${trackingIdentifier || 'A measurement'}: its coordinates are not numbers on the image`;
  if (graphics.length === 0)
    return unresolved
      ? `${trackingIdentifier || 'A measurement'}: its image is not in the catalog`
      : `${trackingIdentifier || 'A measurement'}: no geometry`;
  if (!tool || !KNOWN_TOOLS.has(tool)) tool = inferTool(trackingIdentifier, graphics);
  if (tool === 'Bidirectional' && stats.width === undefined && stats['shortAxis'] !== undefined)
    stats.width = stats['shortAxis'] as number;
  const observer = observerOf(group) ?? document ?? { source: 'human', author: '' };
  const main = graphics[0]!;
  const labelId = labelIdOf(finding, options.schema);
  // A placeholder image id naming the SOP Instance: the renderer (persist.ts) replaces it, and the
  // `imageId:` key of the statistics, by its host's image id when it loads the annotation.
  const imageId = main.sopInstanceUID ? `sop:${main.sopInstanceUID}` : undefined;
  const data: CornerstoneAnnotationData = {
    metadata: {
      toolName: tool,
      ...(imageId ? { referencedImageId: imageId } : {}),
      ...(main.frameOfReferenceUID ? { FrameOfReferenceUID: main.frameOfReferenceUID } : {}),
      ...(main.normal ? { viewPlaneNormal: scale(main.normal, -1) } : {}),
      ...(main.columnCosines ? { viewUp: scale(main.columnCosines, -1) } : {}),
    },
    data: {
      ...handlesOf(tool, graphics),
      cachedStats: { [imageId ? `imageId:${imageId}` : 'world']: stats },
      ...(note !== undefined ? (tool === 'ArrowAnnotate' ? { text: note } : { label: note }) : {}),
    },
    // Where an AI finding came from (shared/ai.ts AiProvenance): the panel's badge and the
    // provenance of the reader's SR when it is accepted or edited.
    ...(observer.source.startsWith('ai:') ? { ai: aiProvenanceOf(observer, header, confidence) } : {}),
  };
  const versionId = versionUid ? versionIdOf(versionUid) : options.newVersionId();
  if (versionUid && ancestorUids.length > 0)
    ancestors.set(versionId, ancestorUids.filter(Boolean).map(versionIdOf));
  return {
    // A version RadLabel wrote names itself and its parents: it keeps its place in the history.
    versionId,
    annotationUid: annotationUidOf(
      trackingUid || `${studyInstanceUID}|${trackingIdentifier}|${JSON.stringify(main.points)}`,
    ),
    parentIds: versionUid ? parentUids.filter(Boolean).map(versionIdOf) : [],
    studyInstanceUID,
    ...(main.seriesInstanceUID ? { seriesInstanceUID: main.seriesInstanceUID } : {}),
    ...(main.sopInstanceUID ? { sopInstanceUID: main.sopInstanceUID } : {}),
    kind: 'measurement',
    tool,
    ...(labelId ? { labelId } : {}),
    attributes,
    data,
    source: observer.source,
    author: observer.author,
    status,
    deleted: false,
    createdAt: options.now ?? Date.now(),
  };
}

function aiProvenanceOf(
  observer: Observer,
  header: ObjectHeader,
  confidence: number | undefined,
): Record<string, string | number> {
  const manufacturer = observer.manufacturer || header.manufacturer;
  return {
    model: observer.author,
    ...(manufacturer ? { manufacturer } : {}),
    ...(observer.modelName ? { modelName: observer.modelName } : {}),
    ...(header.version ? { version: header.version } : {}),
    ...(confidence !== undefined ? { confidence } : {}),
    ...(header.sopInstanceUID ? { sopInstanceUID: header.sopInstanceUID } : {}),
    ...(header.seriesInstanceUID ? { seriesInstanceUID: header.seriesInstanceUID } : {}),
    ...(header.sopClassUID ? { sopClassUID: header.sopClassUID } : {}),
  };
}

function labelIdOf(finding: Code | undefined, schema: LabelSchemaLike | undefined): string | undefined {
  if (!finding) return undefined;
  const label = schema?.labels.find((l) => sameCode(l.finding, finding));
  if (label) return label.id;
  if (finding.scheme === RADLABEL_SCHEME) return finding.value;
  return schema?.labels.find((l) => l.id === finding.value)?.id;
}

/** Reads the measurement groups of an SR dataset. */
export function readMeasurementSR(dataset: Dataset, options: SrReadOptions): SrReadResult {
  const sopClass = text(dataset['SOPClassUID']);
  if (!SR_SOP_CLASSES.has(sopClass))
    throw new AppError(ErrorCode.NotDicom, 'This file is not a DICOM structured report RadLabel can read.');
  checkContentTree(dataset);
  const studyInstanceUID = text(dataset['StudyInstanceUID']);
  if (!isUid(studyInstanceUID))
    throw new AppError(ErrorCode.Malformed, 'This structured report has no valid Study Instance UID.');
  const document = observerOf(dataset);
  const header: ObjectHeader = {
    sopInstanceUID: text(dataset['SOPInstanceUID']),
    seriesInstanceUID: text(dataset['SeriesInstanceUID']),
    sopClassUID: sopClass,
    manufacturer: text(dataset['Manufacturer']),
    version: text(dataset['SoftwareVersions']),
  };
  const versions: AnnotationVersionLike[] = [];
  const skipped: string[] = [];
  const ancestors = new Map<string, string[]>();
  for (const item of walk(dataset)) {
    if (item['ValueType'] !== 'CONTAINER' || !sameCode(conceptOf(item), CODES.measurementGroup)) continue;
    const outcome = readGroup(item, document, options, studyInstanceUID, header, ancestors);
    if (typeof outcome === 'string') skipped.push(outcome);
    else versions.push(outcome);
  }
  versions.push(...readQualitativeEvaluations(dataset, document, options, studyInstanceUID));
  return { versions, skipped, ancestors };
}

/**
 * The report's Qualitative Evaluations (the container directly below the root) → classification
 * versions: CODE items grouped by their Tracking Unique Identifier (one chain per question and
 * series), the question from the concept (99RADLABEL: its id), the options from the values.
 */
function readQualitativeEvaluations(
  dataset: Dataset,
  document: Observer | null,
  options: SrReadOptions,
  studyInstanceUID: string,
): AnnotationVersionLike[] {
  const chains = new Map<
    string,
    { trackingUid: string; questionId: string; seriesUid: string; answer: string[] }
  >();
  for (const evaluations of children(dataset)) {
    if (
      evaluations['ValueType'] !== 'CONTAINER' ||
      !sameCode(conceptOf(evaluations), CODES.qualitativeEvaluations)
    )
      continue;
    for (const item of children(evaluations)) {
      const question = conceptOf(item);
      const value = valueCodeOf(item);
      if (item['ValueType'] !== 'CODE' || !question || !value) continue;
      let trackingUid = '';
      let seriesUid = '';
      for (const property of children(item)) {
        const concept = conceptOf(property);
        if (sameCode(concept, CODES.trackingUid)) trackingUid = text(property['UID']);
        else if (sameCode(concept, CODES.seriesInstanceUid)) seriesUid = text(property['UID']);
      }
      // A series named by something that is not a UID: the answer cannot be placed.
      if (seriesUid && !isUid(seriesUid)) continue;
      const questionId = labelIdOf(question, undefined) ?? question.value;
      const key = trackingUid || `${questionId}@${seriesUid}`;
      const chain = chains.get(key) ?? { trackingUid, questionId, seriesUid, answer: [] };
      chain.answer.push(value.value);
      chains.set(key, chain);
    }
  }
  return [...chains.values()].map((chain) => ({
    versionId: options.newVersionId(),
    annotationUid: annotationUidOf(
      chain.trackingUid || `${studyInstanceUID}|question|${chain.questionId}|${chain.seriesUid}`,
    ),
    parentIds: [],
    studyInstanceUID,
    ...(chain.seriesUid ? { seriesInstanceUID: chain.seriesUid } : {}),
    kind: 'classification',
    tool: 'Classification',
    attributes: {},
    data: {
      questionId: chain.questionId,
      level: chain.seriesUid ? 'series' : 'study',
      ...(chain.seriesUid ? { seriesInstanceUID: chain.seriesUid } : {}),
      answer: chain.answer,
    },
    source: document?.source ?? 'human',
    author: document?.author ?? '',
    status: 'draft',
    deleted: false,
    createdAt: options.now ?? Date.now(),
  }));
}
