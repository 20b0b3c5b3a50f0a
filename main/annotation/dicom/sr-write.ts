/**
 * Measurements and ROIs → a Comprehensive 3D SR with the TID 1500 Imaging Measurement Report,
 * built with dcmjs directly (not @cornerstonejs/adapters' Cornerstone3DSR, which needs the
 * renderer's metadata providers, reads an ROI's area back from its first numeric value and does not
 * save max/mean/std dev). One measurement group (TID 1410/1501 style) per annotation:
 *   Tracking Identifier (TEXT "<tool>:<label>") and Tracking Unique Identifier (UIDREF, derived from
 *   the annotation UID, so stable across versions); Finding (the label's schema code, else a
 *   99RADLABEL code of the label id); Finding Site; the observer (person: the annotation's author;
 *   device: the model of an 'ai:<model>' source); the geometry as an Image Region SCOORD selected from
 *   the referenced IMAGE (SCOORD3D in the frame of reference when no image is referenced); every
 *   statistic as a NUM (FloatingPointValue keeps full precision); attributes as CODE/NUM/TEXT items
 *   of the 99RADLABEL scheme. Classification answers (study- and series-level questions) follow as
 *   the report's Qualitative Evaluations (`qualitativeEvaluations`). Text is UTF-8 (ISO_IR 192).
 */
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { AI_CODES } from '../../ai/codes.js';
import {
  CODES,
  RADLABEL_SCHEME,
  STAT_CODES,
  code,
  codeItem,
  hashUid,
  trackingUidOf,
  unitCode,
} from './codes.js';
import { type Dataset, dicomDateTime, newUid, writePart10 } from './dataset.js';
import { type SeriesGeometry, type SliceGeometry, worldToImage } from './geometry.js';
import type {
  AnnotationVersionLike,
  Code,
  CornerstoneAnnotationData,
  LabelLike,
  LabelSchemaLike,
  MeasurementStats,
} from './model.js';

export const COMPREHENSIVE_3D_SR = '1.2.840.10008.5.1.4.1.1.88.34';
export const MANUFACTURER = 'RadLabel';

export interface SrWriteOptions {
  /** Measurement versions (heads, not deleted) of one study. */
  versions: readonly AnnotationVersionLike[];
  /** Geometry of each referenced series (for image coordinates and references). */
  geometry: (seriesInstanceUID: string) => SeriesGeometry | null;
  schema?: LabelSchemaLike | undefined;
  /** The reader who exports (document-level person observer). */
  reader: string;
  softwareVersion: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  now?: Date;
  /**
   * Where a reader's measurement came from when it was an AI finding they accepted or edited
   * (main/ai/provenance.ts): written as 99RADLABEL ai-source-* items of its group.
   */
  provenanceOf?: (version: AnnotationVersionLike) => SrProvenance | null;
  /** Earlier documents this report revises (the AI SRs of edited findings): PredecessorDocumentsSequence. */
  predecessors?: readonly DocumentReference[];
  /** Earlier versions of a version beyond its parents, nearest first (sync: docs/sync.md). */
  ancestorsOf?: (version: AnnotationVersionLike) => readonly string[];
  /** A reviewer verified the study: VerificationFlag VERIFIED and VerifyingObserverSequence. */
  verification?: { observer: string; organization: string; at: Date };
  /** The document's observer is this device (an AI model's own report), not the exporting reader. */
  device?: { name: string; manufacturer?: string; modelName?: string };
}

export interface SrProvenance {
  model: string;
  decision: 'accepted' | 'edited';
  /** The AI object's SOP Instance UID (its SR or SEG). */
  sopInstanceUID?: string;
}

export interface DocumentReference {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopClassUID: string;
  sopInstanceUID: string;
}

type Item = Dataset;

const contains = (item: Item): Item => ({ RelationshipType: 'CONTAINS', ...item });

function container(concept: Code, children: Item[], template?: string): Item {
  return {
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [codeItem(concept)],
    ContinuityOfContent: 'SEPARATE',
    ...(template
      ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: template }] }
      : {}),
    // An empty container (an Image Library with no image: answers only, or SCOORD3D only) has no
    // ContentSequence at all; an empty one is an error (Type 1C with no value).
    ...(children.length > 0 ? { ContentSequence: children } : {}),
  };
}
const textItem = (concept: Code, value: string): Item => ({
  ValueType: 'TEXT',
  ConceptNameCodeSequence: [codeItem(concept)],
  TextValue: value,
});
const codeValueItem = (concept: Code, value: Code): Item => ({
  ValueType: 'CODE',
  ConceptNameCodeSequence: [codeItem(concept)],
  ConceptCodeSequence: [codeItem(value)],
});
const uidItem = (concept: Code, uid: string): Item => ({
  ValueType: 'UIDREF',
  ConceptNameCodeSequence: [codeItem(concept)],
  UID: uid,
});
function numItem(concept: Code, value: number, unit: Code): Item {
  return {
    ValueType: 'NUM',
    ConceptNameCodeSequence: [codeItem(concept)],
    MeasuredValueSequence: [
      {
        MeasurementUnitsCodeSequence: [codeItem(unit)],
        NumericValue: decimalString(value),
        FloatingPointValue: value,
      },
    ],
  };
}

/** A DS of at most 16 characters. */
export function decimalString(value: number): string {
  for (let digits = 16; digits > 0; digits--) {
    const text = String(Number(value.toPrecision(digits)));
    if (text.length <= 16) return text;
  }
  return value.toExponential(8);
}

function observerItems(
  source: string,
  author: string,
  device?: { manufacturer?: string | undefined; modelName?: string | undefined },
): Item[] {
  const obs = (item: Item): Item => ({ RelationshipType: 'HAS OBS CONTEXT', ...item });
  if (source.startsWith('ai:')) {
    const model = source.slice(3) || 'unknown model';
    return [
      obs(codeValueItem(CODES.observerType, CODES.device)),
      obs(uidItem(CODES.deviceObserverUid, hashUid('radlabel-device', model))),
      obs(textItem(CODES.deviceObserverName, model)),
      ...(device?.manufacturer ? [obs(textItem(AI_CODES.deviceManufacturer, device.manufacturer))] : []),
      ...(device?.modelName ? [obs(textItem(AI_CODES.deviceModelName, device.modelName))] : []),
    ];
  }
  return [
    obs(codeValueItem(CODES.observerType, CODES.person)),
    obs({
      ValueType: 'PNAME',
      ConceptNameCodeSequence: [codeItem(CODES.personObserverName)],
      PersonName: author || 'Unknown',
    }),
  ];
}

/** Statistics of the annotation (the first cachedStats entry, as Cornerstone keeps one per image/volume). */
export function statsOf(
  annotation: CornerstoneAnnotationData,
): MeasurementStats & { value?: number; radius?: number } {
  const entries = Object.values(annotation.data.cachedStats ?? {});
  return (entries[0] ?? {}) as MeasurementStats & { value?: number; radius?: number };
}

function unitForStat(key: string, stats: MeasurementStats & Record<string, unknown>): string | undefined {
  switch (key) {
    case 'length':
    case 'width':
    case 'perimeter':
    case 'radius':
      return (stats['radiusUnit'] as string | undefined) ?? stats.unit ?? 'mm';
    case 'area':
      return stats.areaUnit ?? 'mm²';
    case 'angle':
      return 'deg';
    default:
      return stats.modalityUnit ?? '';
  }
}

/** Points of the geometry to write, with the graphic type and the point order to restore on read. */
export function graphicOf(annotation: CornerstoneAnnotationData): { type: string; points: number[][] }[] {
  const { toolName } = annotation.metadata;
  const points = annotation.data.handles.points ?? [];
  switch (toolName) {
    case 'Probe':
      return [{ type: 'POINT', points: points.slice(0, 1) }];
    case 'CircleROI':
      return [{ type: 'CIRCLE', points: points.slice(0, 2) }];
    case 'EllipticalROI':
      return [{ type: 'ELLIPSE', points: points.slice(0, 4) }];
    case 'RectangleROI': {
      const [tl, tr, bl, br] = points as [number[], number[], number[], number[]];
      return [{ type: 'POLYGON', points: [tl, tr, br, bl, tl] }];
    }
    case 'Bidirectional':
      return [
        { type: 'POLYLINE', points: points.slice(0, 2) },
        { type: 'POLYLINE', points: points.slice(2, 4) },
      ];
    case 'PlanarFreehandROI':
    case 'SplineROI':
    case 'LivewireContour': {
      const polyline = annotation.data.contour?.polyline ?? points;
      const closed = annotation.data.contour?.closed ?? true;
      return [
        closed && polyline.length > 2
          ? { type: 'POLYGON', points: [...polyline, polyline[0]!] }
          : { type: 'POLYLINE', points: polyline },
      ];
    }
    default:
      return [{ type: 'POLYLINE', points }];
  }
}

function labelOf(schema: LabelSchemaLike | undefined, labelId: string | undefined): LabelLike | undefined {
  return labelId ? schema?.labels.find((label) => label.id === labelId) : undefined;
}

export function findingCodeOf(label: LabelLike | undefined, labelId: string | undefined): Code | undefined {
  if (label?.finding) return label.finding;
  if (labelId) return code(labelId, RADLABEL_SCHEME, label?.name.en ?? labelId);
  return undefined;
}

interface Reference {
  geometry: SeriesGeometry;
  slice: SliceGeometry;
}

function referenceOf(version: AnnotationVersionLike, options: SrWriteOptions): Reference | null {
  if (!version.seriesInstanceUID || !version.sopInstanceUID) return null;
  const geometry = options.geometry(version.seriesInstanceUID);
  const slice = geometry?.slices.find((s) => s.sopInstanceUID === version.sopInstanceUID);
  return geometry && slice ? { geometry, slice } : null;
}

function imageItem(slice: SliceGeometry, relationship: string): Item {
  return {
    RelationshipType: relationship,
    ValueType: 'IMAGE',
    ReferencedSOPSequence: [
      { ReferencedSOPClassUID: slice.sopClassUID, ReferencedSOPInstanceUID: slice.sopInstanceUID },
    ],
  };
}

function measurementGroup(version: AnnotationVersionLike, options: SrWriteOptions): Item {
  const annotation = version.data as CornerstoneAnnotationData;
  if (!annotation?.metadata?.toolName || !annotation.data?.handles)
    throw new AppError(
      ErrorCode.Internal,
      'A measurement has no tool data and cannot be written to DICOM SR.',
    );
  const label = labelOf(options.schema, version.labelId);
  const children: Item[] = [];
  const labelName = label?.name.en ?? version.labelId ?? '';
  children.push(
    contains(
      textItem(
        CODES.trackingIdentifier,
        `${annotation.metadata.toolName}${labelName ? `:${labelName}` : ''}`,
      ),
    ),
  );
  children.push(contains(uidItem(CODES.trackingUid, trackingUidOf(version.annotationUid))));
  // The version and its parents (UIDs like the tracking UID: the de-identification maps them alike).
  if (version.versionId) children.push(contains(uidItem(CODES.version, trackingUidOf(version.versionId))));
  for (const parent of version.parentIds)
    children.push(contains(uidItem(CODES.parentVersion, trackingUidOf(parent))));
  for (const ancestor of options.ancestorsOf?.(version) ?? [])
    children.push(contains(uidItem(CODES.ancestorVersion, trackingUidOf(ancestor))));
  const finding = findingCodeOf(label, version.labelId);
  if (finding) children.push(contains(codeValueItem(CODES.finding, finding)));
  if (label?.findingSite)
    children.push({
      RelationshipType: 'HAS CONCEPT MOD',
      ...codeValueItem(CODES.findingSite, label.findingSite),
    });
  const ai = (version.data as { ai?: { manufacturer?: string; modelName?: string; confidence?: number } }).ai;
  children.push(...observerItems(version.source, version.author, ai));
  if (version.source.startsWith('ai:') && typeof ai?.confidence === 'number')
    children.push(contains(numItem(AI_CODES.confidence, ai.confidence, code('1', 'UCUM', 'no units'))));
  const provenance = version.source.startsWith('ai:') ? null : options.provenanceOf?.(version);
  if (provenance) {
    children.push(contains(textItem(AI_CODES.sourceModel, provenance.model)));
    if (provenance.sopInstanceUID)
      children.push(contains(uidItem(AI_CODES.sourceObject, provenance.sopInstanceUID)));
    children.push(
      contains(
        codeValueItem(
          AI_CODES.sourceDecision,
          code(
            provenance.decision,
            RADLABEL_SCHEME,
            provenance.decision === 'accepted' ? 'Accepted' : 'Edited',
          ),
        ),
      ),
    );
  }
  children.push(
    contains(
      codeValueItem(
        CODES.tool,
        code(annotation.metadata.toolName, RADLABEL_SCHEME, annotation.metadata.toolName),
      ),
    ),
  );

  const reference = referenceOf(version, options);
  for (const graphic of graphicOf(annotation)) {
    if (graphic.points.length === 0) continue;
    if (reference) {
      const data = graphic.points.flatMap((point) =>
        worldToImage(reference.geometry, reference.slice, point),
      );
      children.push(
        contains({
          ValueType: 'SCOORD',
          ConceptNameCodeSequence: [codeItem(CODES.imageRegion)],
          GraphicType: graphic.type,
          GraphicData: data,
          ContentSequence: [imageItem(reference.slice, 'SELECTED FROM')],
        }),
      );
    } else {
      const frameOfReference =
        annotation.metadata.FrameOfReferenceUID ??
        (version.seriesInstanceUID
          ? options.geometry(version.seriesInstanceUID)?.frameOfReferenceUID
          : undefined);
      if (!frameOfReference)
        throw new AppError(
          ErrorCode.Internal,
          'A measurement has neither an image nor a frame of reference.',
        );
      children.push(
        contains({
          ValueType: 'SCOORD3D',
          ConceptNameCodeSequence: [codeItem(CODES.imageRegion)],
          GraphicType: graphic.type,
          GraphicData: graphic.points.flatMap((point) => point.slice(0, 3)),
          ReferencedFrameOfReferenceUID: frameOfReference,
        }),
      );
    }
  }

  const stats = statsOf(annotation) as MeasurementStats & Record<string, unknown>;
  for (const [key, concept] of Object.entries(STAT_CODES)) {
    const value = stats[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    children.push(
      contains(
        numItem(
          annotation.metadata.toolName === 'Bidirectional' && key === 'length' ? CODES.longAxis : concept,
          value,
          unitCode(unitForStat(key, stats)),
        ),
      ),
    );
  }
  const note = annotation.data.text ?? annotation.data.label;
  if (typeof note === 'string' && note !== '') children.push(contains(textItem(CODES.comment, note)));

  for (const [attributeId, value] of Object.entries(version.attributes)) {
    const attribute = label?.attributes?.find((a) => a.id === attributeId);
    const concept = code(attributeId, RADLABEL_SCHEME, attribute?.name.en ?? attributeId);
    if (typeof value === 'number')
      children.push(contains(numItem(concept, value, unitCode(attribute?.unit))));
    else if (Array.isArray(value))
      for (const option of value)
        children.push(contains(codeValueItem(concept, optionCode(attribute, option))));
    else if (attribute?.type === 'choice')
      children.push(contains(codeValueItem(concept, optionCode(attribute, value))));
    else children.push(contains(textItem(concept, value)));
  }
  children.push(contains(codeValueItem(CODES.status, code(version.status, RADLABEL_SCHEME, version.status))));
  return contains(container(CODES.measurementGroup, children, '1410'));
}

function optionCode(
  attribute: LabelLike['attributes'] extends Array<infer A> | undefined ? A | undefined : never,
  optionId: string,
): Code {
  const option = attribute?.options?.find((o) => o.id === optionId);
  const name = option?.name as { en?: string } | string | undefined;
  const meaning = typeof name === 'string' ? name : (name?.en ?? optionId);
  return code(optionId, RADLABEL_SCHEME, meaning);
}

interface ClassificationContent {
  questionId: string;
  level: 'study' | 'series';
  seriesInstanceUID?: string;
  answer: string[];
}

function classificationOf(version: AnnotationVersionLike): ClassificationContent | null {
  const data = version.data as Partial<ClassificationContent> | null;
  if (!data || typeof data.questionId !== 'string' || !Array.isArray(data.answer)) return null;
  const answer = data.answer.filter((item): item is string => typeof item === 'string' && item !== '');
  if (answer.length === 0) return null;
  const seriesInstanceUID = data.seriesInstanceUID ?? version.seriesInstanceUID;
  return {
    questionId: data.questionId,
    level: data.level === 'series' ? 'series' : 'study',
    ...(data.level === 'series' && seriesInstanceUID ? { seriesInstanceUID } : {}),
    answer,
  };
}

/**
 * The classification answers as TID 1500 Qualitative Evaluations: one CODE item per chosen
 * option (concept: the question, 99RADLABEL code of its id with its English name; value: the
 * option), with the answer chain's Tracking Unique Identifier and, for a series-level question,
 * the series' Series Instance UID as properties.
 */
function qualitativeEvaluations(
  versions: readonly AnnotationVersionLike[],
  schema?: LabelSchemaLike,
): Item[] {
  const items: Item[] = [];
  for (const version of versions) {
    const content = classificationOf(version);
    if (!content) continue;
    const question = schema?.questions?.find((q) => q.id === content.questionId);
    const concept = code(content.questionId, RADLABEL_SCHEME, question?.name.en ?? content.questionId);
    const properties: Item[] = [
      {
        RelationshipType: 'HAS PROPERTIES',
        ...uidItem(CODES.trackingUid, trackingUidOf(version.annotationUid)),
      },
      ...(content.seriesInstanceUID
        ? [
            {
              RelationshipType: 'HAS PROPERTIES',
              ...uidItem(CODES.seriesInstanceUid, content.seriesInstanceUID),
            },
          ]
        : []),
    ];
    for (const optionId of content.answer) {
      const option = question?.options.find((o) => o.id === optionId);
      const name = option?.name as { en?: string } | undefined;
      items.push(
        contains({
          ...codeValueItem(concept, code(optionId, RADLABEL_SCHEME, name?.en ?? optionId)),
          ContentSequence: properties,
        }),
      );
    }
  }
  return items;
}

/**
 * Writes the SR of one study's measurements and classification answers; throws when there are
 * neither.
 */
export function writeMeasurementSR(options: SrWriteOptions): Uint8Array {
  const versions = options.versions.filter((v) => v.kind === 'measurement' && !v.deleted);
  const answers = qualitativeEvaluations(
    options.versions.filter((v) => v.kind === 'classification' && !v.deleted),
    options.schema,
  );
  if (versions.length === 0 && answers.length === 0)
    throw new AppError(ErrorCode.NotFound, 'The study has no measurements or answers to export.');
  const studyInstanceUID = (versions[0] ?? options.versions[0]!).studyInstanceUID;
  const seriesUids = [
    ...new Set(versions.map((v) => v.seriesInstanceUID).filter((uid): uid is string => !!uid)),
  ];
  const geometries = seriesUids
    .map((uid) => options.geometry(uid))
    .filter((g): g is SeriesGeometry => g !== null);
  const source = geometries[0];
  const referenced = new Map<string, { geometry: SeriesGeometry; slice: SliceGeometry }>();
  for (const version of versions) {
    const reference = referenceOf(version, options);
    if (reference) referenced.set(reference.slice.sopInstanceUID, reference);
  }
  const { date, time } = dicomDateTime(options.now);
  const groups = versions.map((version) => measurementGroup(version, options));
  const root = container(
    CODES.imagingMeasurementReport,
    [
      { RelationshipType: 'HAS CONCEPT MOD', ...codeValueItem(CODES.languageOfContent, CODES.english) },
      ...(options.device
        ? observerItems(`ai:${options.device.name}`, options.device.name, options.device)
        : observerItems('human', options.reader)),
      {
        RelationshipType: 'HAS CONCEPT MOD',
        ...codeValueItem(CODES.procedureReported, CODES.imagingProcedure),
      },
      contains(
        container(
          CODES.imageLibrary,
          referenced.size > 0
            ? [
                contains(
                  container(
                    CODES.imageLibraryGroup,
                    [...referenced.values()].map((r) => imageItem(r.slice, 'CONTAINS')),
                  ),
                ),
              ]
            : [],
        ),
      ),
      ...(groups.length > 0 || answers.length === 0
        ? [contains(container(CODES.imagingMeasurements, groups))]
        : []),
      ...(answers.length > 0 ? [contains(container(CODES.qualitativeEvaluations, answers))] : []),
    ],
    '1500',
  );
  // The root carries no relationship type.
  const sopInstanceUID = options.sopInstanceUID ?? newUid();
  const evidence = evidenceSequence(studyInstanceUID, [...referenced.values()]);
  const dataset: Dataset = {
    SOPClassUID: COMPREHENSIVE_3D_SR,
    SOPInstanceUID: sopInstanceUID,
    ...patientStudy(source, studyInstanceUID),
    Modality: 'SR',
    SeriesInstanceUID: options.seriesInstanceUID ?? newUid(),
    SeriesNumber: '9901',
    SeriesDescription: 'RadLabel measurements (research use only)',
    ReferencedPerformedProcedureStepSequence: [],
    Manufacturer: options.device?.manufacturer ?? MANUFACTURER,
    ManufacturerModelName: options.device?.modelName ?? 'RadLabel',
    DeviceSerialNumber: '1',
    SoftwareVersions: options.softwareVersion,
    InstanceNumber: '1',
    CompletionFlag: options.verification ? 'COMPLETE' : 'PARTIAL',
    VerificationFlag: options.verification ? 'VERIFIED' : 'UNVERIFIED',
    ...(options.verification ? verifyingObserver(options.verification) : {}),
    ...(options.predecessors && options.predecessors.length > 0
      ? { PredecessorDocumentsSequence: documentSequence(options.predecessors) }
      : {}),
    ContentDate: date,
    ContentTime: time,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    PerformedProcedureCodeSequence: [],
    ...(evidence.length > 0 ? { CurrentRequestedProcedureEvidenceSequence: evidence } : {}),
    ...root,
  };
  delete dataset['RelationshipType'];
  return writePart10(dataset);
}

/** VerifyingObserverSequence (Type 1C with VERIFIED): the reviewer, their organization, when. */
function verifyingObserver(verification: NonNullable<SrWriteOptions['verification']>): Dataset {
  const { date, time } = dicomDateTime(verification.at);
  return {
    VerifyingObserverSequence: [
      {
        VerifyingObserverName: verification.observer || 'Unknown',
        VerifyingObserverIdentificationCodeSequence: [],
        VerifyingOrganization: verification.organization || 'Unknown',
        VerificationDateTime: `${date}${time}`,
      },
    ],
  };
}

/** A Hierarchical SOP Instance Reference sequence (study → series → instances). */
function documentSequence(documents: readonly DocumentReference[]): Dataset[] {
  const byStudy = new Map<string, Map<string, DocumentReference[]>>();
  for (const document of documents) {
    const series = byStudy.get(document.studyInstanceUID) ?? new Map<string, DocumentReference[]>();
    series.set(document.seriesInstanceUID, [...(series.get(document.seriesInstanceUID) ?? []), document]);
    byStudy.set(document.studyInstanceUID, series);
  }
  return [...byStudy].map(([studyInstanceUID, series]) => ({
    StudyInstanceUID: studyInstanceUID,
    ReferencedSeriesSequence: [...series].map(([seriesInstanceUID, list]) => ({
      SeriesInstanceUID: seriesInstanceUID,
      ReferencedSOPSequence: list.map((document) => ({
        ReferencedSOPClassUID: document.sopClassUID,
        ReferencedSOPInstanceUID: document.sopInstanceUID,
      })),
    })),
  }));
}

/** Patient and study attributes copied from the source images (empty type 2 values when unknown). */
export function patientStudy(source: SeriesGeometry | undefined, studyInstanceUID: string): Dataset {
  const a = source?.attributes ?? {};
  return {
    PatientName: a['PatientName'] ?? '',
    PatientID: a['PatientID'] ?? '',
    PatientBirthDate: a['PatientBirthDate'] ?? '',
    PatientSex: a['PatientSex'] ?? '',
    StudyInstanceUID: studyInstanceUID,
    StudyDate: a['StudyDate'] ?? '',
    StudyTime: a['StudyTime'] ?? '',
    ReferringPhysicianName: a['ReferringPhysicianName'] ?? '',
    StudyID: a['StudyID'] ?? '',
    AccessionNumber: a['AccessionNumber'] ?? '',
    ...(a['StudyDescription'] ? { StudyDescription: a['StudyDescription'] } : {}),
  };
}

function evidenceSequence(studyInstanceUID: string, references: Reference[]): Dataset[] {
  const bySeries = new Map<string, SliceGeometry[]>();
  for (const { geometry, slice } of references) {
    const list = bySeries.get(geometry.seriesInstanceUID) ?? [];
    list.push(slice);
    bySeries.set(geometry.seriesInstanceUID, list);
  }
  if (bySeries.size === 0) return [];
  return [
    {
      StudyInstanceUID: studyInstanceUID,
      ReferencedSeriesSequence: [...bySeries].map(([seriesInstanceUID, slices]) => ({
        SeriesInstanceUID: seriesInstanceUID,
        ReferencedSOPSequence: slices.map((slice) => ({
          ReferencedSOPClassUID: slice.sopClassUID,
          ReferencedSOPInstanceUID: slice.sopInstanceUID,
        })),
      })),
    },
  ];
}
