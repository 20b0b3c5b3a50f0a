/**
 * The contract between the renderer and main: every request, response and event, as zod
 * schemas with inferred types. The Electron preload, the web host and the renderer client are
 * all derived from `methods` and `events` below; nobody writes a channel name by hand.
 */
import { z } from 'zod';
import { Uid, method } from './contract-parts.js';
import { ErrorCode } from './errors.js';
import { UiSession } from './ui-session.js';
import { DefaceSeriesSummary, DefaceView, defaceRequests } from './deface-contract.js';
import { StudyAnnotationSummary, annotationEvents, annotationMethods } from './annotation.js';
import { segmentationMethods } from './segmentation.js';
import { modelEvents, modelMethods } from './model.js';
import { cacheMethods } from './cache.js';
import { accountMethods, auditMethods } from './audit.js';
import { pacsEvents, pacsMethods } from './pacs.js';
import { DeidSettings } from './deid-settings.js';
import { interchangeEvents, interchangeMethods } from './interchange.js';
import { syncEvents, syncMethods } from './sync.js';
import { syncConflictMethods } from './sync-conflicts.js';
import { agreementMethods } from './agreement.js';
import { statsMethods } from './stats.js';
import { aiMethods, reviewMethods } from './ai.js';

// ---------------------------------------------------------------------------------------------
// Building blocks

export const AppInfo = z.object({
  productName: z.string(),
  version: z.string(),
  /** Which adapter serves the renderer: the Electron preload or the web host. */
  host: z.enum(['electron', 'web']),
  platform: z.string(),
  dataDir: z.string(),
  /** Always true: the product is for research, never for diagnosis. */
  researchUseOnly: z.literal(true),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const StudySortField = z.enum([
  'patientName',
  'patientId',
  'studyDate',
  'studyDescription',
  'modalities',
  'numberOfInstances',
  'importedAt',
]);
export type StudySortField = z.infer<typeof StudySortField>;

export const ListStudiesRequest = z.object({
  /** Free text matched against patient name/id, accession, description (case-insensitive). */
  search: z.string().max(200).optional(),
  sort: z.object({ field: StudySortField, direction: z.enum(['asc', 'desc']) }).optional(),
  limit: z.number().int().min(1).max(1000).default(200),
  offset: z.number().int().min(0).default(0),
});
export type ListStudiesRequest = z.input<typeof ListStudiesRequest>;

export const StudySummary = z.object({
  studyInstanceUID: Uid,
  patientId: z.string(),
  patientName: z.string(),
  /** DICOM DA, YYYYMMDD, or '' when absent. */
  patientBirthDate: z.string(),
  patientSex: z.string(),
  /** DICOM DA, YYYYMMDD, or '' when absent. */
  studyDate: z.string(),
  studyTime: z.string(),
  studyDescription: z.string(),
  accessionNumber: z.string(),
  modalities: z.array(z.string()),
  numberOfSeries: z.number().int(),
  numberOfInstances: z.number().int(),
  /** ISO 8601 time of the first import. */
  importedAt: z.string(),
  /** The study's annotation status (worklist column); absent where not computed. */
  annotation: StudyAnnotationSummary.optional(),
});
export type StudySummary = z.infer<typeof StudySummary>;

export const ListStudiesResponse = z.object({
  total: z.number().int(),
  studies: z.array(StudySummary),
});
export type ListStudiesResponse = z.infer<typeof ListStudiesResponse>;

export const SeriesSummary = z.object({
  seriesInstanceUID: Uid,
  studyInstanceUID: Uid,
  seriesNumber: z.number().int().nullable(),
  modality: z.string(),
  seriesDescription: z.string(),
  bodyPartExamined: z.string(),
  numberOfInstances: z.number().int(),
  /** SOP Instance UID of the instance to use as a thumbnail (the middle one). */
  thumbnailSopInstanceUID: Uid.nullable(),
});
export type SeriesSummary = z.infer<typeof SeriesSummary>;

export const StudyDetail = z.object({
  study: StudySummary,
  series: z.array(SeriesSummary),
});
export type StudyDetail = z.infer<typeof StudyDetail>;

export const InstanceSummary = z.object({
  sopInstanceUID: Uid,
  sopClassUID: z.string(),
  seriesInstanceUID: Uid,
  instanceNumber: z.number().int().nullable(),
  numberOfFrames: z.number().int().min(1),
  rows: z.number().int().nullable(),
  columns: z.number().int().nullable(),
  transferSyntaxUID: z.string(),
  /** Position along the slice normal (mm), when the geometry allows; used for ordering. */
  sliceLocation: z.number().nullable(),
});
export type InstanceSummary = z.infer<typeof InstanceSummary>;

/** One row of an instance's attributes (catalog.instanceTags): an element, a sequence or an item. */
export const DicomTagRow = z.object({
  /** `(gggg,eeee)`; items are `(FFFE,E000)`. */
  tag: z.string(),
  /** PS3.6 keyword; '' for private data elements (see `creator`) and unknown tags. */
  keyword: z.string(),
  /** The VR as stored (implicit VR: the dictionary's; private: UN); '' for items. */
  vr: z.string(),
  kind: z.enum(['element', 'sequence', 'item']),
  /** Nesting depth, 0 = top level (file meta included). */
  depth: z.number().int().min(0),
  /** Index of the row this one is nested in (an item's sequence, an element's item), null at the top. */
  parent: z.number().int().min(0).nullable(),
  /** Bytes of the value as stored. */
  length: z.number().int().min(0),
  /** The value decoded in the dataset's character set, at most 256 characters ('' for sequences, items and bulk data). */
  value: z.string(),
  /** The value was longer than shown. */
  truncated: z.boolean(),
  /** Bulk data (pixel data, binary values over 1 KiB): shown as its byte count only. */
  bulk: z.boolean(),
  /** Private data elements: the Private Creator of their block ('' when the block has none). */
  creator: z.string().optional(),
  /** Sequences: their number of items. */
  items: z.number().int().optional(),
});
export type DicomTagRow = z.infer<typeof DicomTagRow>;

export const InstanceTags = z.object({
  sopInstanceUID: Uid,
  transferSyntaxUID: z.string(),
  /** SpecificCharacterSet of the dataset ('' = default repertoire). */
  characterSet: z.string(),
  /** Every attribute in file order, each sequence followed by its items and their attributes. */
  rows: z.array(DicomTagRow),
  /** Rows left out past the limit (100,000 rows). */
  omitted: z.number().int().min(0),
});
export type InstanceTags = z.infer<typeof InstanceTags>;

export const ImportStartRequest = z.object({
  /** Files, folders (recursive), DICOMDIR files or media roots, and .zip archives. */
  paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
});

export const JobRef = z.object({ jobId: z.string().uuid() });

export const ImportPhase = z.enum(['scanning', 'importing', 'done', 'cancelled', 'failed']);
export type ImportPhase = z.infer<typeof ImportPhase>;

export const ImportFileError = z.object({
  /** Path of the file (or `archive.zip!/entry`) that failed; local only, never logged. */
  path: z.string(),
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
});
export type ImportFileError = z.infer<typeof ImportFileError>;

export const ImportProgress = z.object({
  jobId: z.string().uuid(),
  phase: ImportPhase,
  filesFound: z.number().int(),
  filesDone: z.number().int(),
  bytesDone: z.number(),
  /** Instances newly stored. */
  added: z.number().int(),
  /** Instances already in the catalog with identical content (re-import adds nothing). */
  duplicates: z.number().int(),
  /** Files that were not DICOM, broken or otherwise refused; see `errors`. */
  failed: z.number().int(),
  /**
   * Files not read, each with its reason: DICOMDIR itself, hidden files, named pipes, devices.
   * Conflicts (same SOP Instance UID, other content) count as failed with code `conflict`;
   * filesFound = added + duplicates + failed + skipped once the job is done.
   */
  skipped: z.number().int(),
  /** The most recent errors (capped); `failed` holds the full count. */
  errors: z.array(ImportFileError),
  /** The most recent skipped files with their reason (capped); `skipped` holds the full count. */
  skippedFiles: z.array(ImportFileError),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

// ---------------------------------------------------------------------------------------------
// Methods

export type { MethodSpec } from './contract-parts.js';

const Empty = z.object({}).strict();

// ---------------------------------------------------------------------------------------------
// De-identification (PS3.15 Annex E): the workstation's local settings, the attribute preview,
// export of a study as a de-identified folder, and what was done to it.

export { DeidOptionName, DeidPixelRule, DeidSettings, deidOptionNames } from './deid-settings.js';

export const DeidSettingsView = DeidSettings.extend({
  /** Whether the project secret exists yet (it is created on first use, never shown). */
  secretCreated: z.boolean(),
  /**
   * The settings file could not be read as settings: the defaults are shown so they can be saved
   * over it, and previews and exports refuse to run until then.
   */
  settingsFileDamaged: z.boolean(),
});
export type DeidSettingsView = z.infer<typeof DeidSettingsView>;

export const DeidExportRequest = z
  .object({
    studyInstanceUID: Uid,
    /** An absolute folder to write to: new, empty, or made by an earlier export. */
    outputDir: z.string().min(1).max(4096),
  })
  .strict();

export const DeidPreviewRow = z.object({
  /** `(gggg,eeee)`. */
  tag: z.string(),
  keyword: z.string(),
  vr: z.string(),
  /** Nesting depth, 0 = top level. */
  depth: z.number().int().min(0),
  /** The original value, shown only on this machine. */
  before: z.string(),
  /** What leaves the machine ('' when removed or emptied). */
  after: z.string(),
  /** The profile action applied (X, Z, D, K, C, U, with a detail such as "C (shifted)"). */
  action: z.string(),
});
export type DeidPreviewRow = z.infer<typeof DeidPreviewRow>;

export const DeidWarningSummary = z.object({
  code: z.string(),
  message: z.string(),
  count: z.number().int(),
});

export const DeidStudyReport = z.object({
  studyInstanceUID: Uid,
  /** The UID the study has after de-identification (null before any object was processed). */
  pseudonymousStudyInstanceUID: z.string().nullable(),
  /**
   * Objects written, held, failed; duplicates (the same object again, written once) and conflicts
   * (another object under a SOP Instance UID already written, never written over).
   */
  objects: z.object({
    done: z.number().int(),
    held: z.number().int(),
    failed: z.number().int(),
    duplicates: z.number().int(),
    conflicts: z.number().int(),
  }),
  /** Attributes per action over the study's objects: removed, emptied, dummied, kept, cleaned, uidsRemapped, datesShifted, privateRemoved, privateKept. */
  actions: z.record(z.string(), z.number().int()),
  /**
   * Objects held for review (never uploaded): pseudonymous SOP Instance UID and why, in English,
   * with a stable code per reason in the same order (for translation; `other` when unknown).
   */
  held: z.array(
    z.object({ sopInstanceUID: z.string(), reasons: z.array(z.string()), reasonCodes: z.array(z.string()) }),
  ),
  failed: z.array(z.object({ sopInstanceUID: z.string().nullable(), code: z.string(), message: z.string() })),
  warnings: z.array(DeidWarningSummary),
  /** Held objects the reader excluded on the review screen (pseudonymous SOP Instance UIDs); never written. */
  excluded: z.array(z.object({ sopInstanceUID: z.string() })).optional(),
});
export type DeidStudyReport = z.infer<typeof DeidStudyReport>;

/** A rectangle of an image, in pixels (columns from the left, rows from the top). */
export const DeidPixelRect = z
  .object({
    x: z.number().int().min(0).max(65535),
    y: z.number().int().min(0).max(65535),
    width: z.number().int().min(1).max(65535),
    height: z.number().int().min(1).max(65535),
  })
  .strict();
export type DeidPixelRect = z.infer<typeof DeidPixelRect>;

/** An object the latest export of a study held for burned-in text, as the review screen needs it. */
export const DeidHeldObject = z.object({
  /** The original instance, in the local catalog (the review renders it from there). */
  sopInstanceUID: Uid,
  /** The UID it has in the export (as the report lists it). */
  pseudonymousSopInstanceUID: z.string(),
  reasons: z.array(z.string()),
  reasonCodes: z.array(z.string()),
  modality: z.string(),
  manufacturer: z.string(),
  manufacturerModelName: z.string(),
  rows: z.number().int(),
  columns: z.number().int(),
  /** Where text was read (OCR), in image pixels; the text itself is not part of it. */
  ocrBoxes: z.array(DeidPixelRect),
  /** Regions of the saved pixel rules that already match this device and image size. */
  ruleRegions: z.array(DeidPixelRect),
  status: z.enum(['held', 'released', 'excluded']),
});
export type DeidHeldObject = z.infer<typeof DeidHeldObject>;

const HeldRef = z.object({ studyInstanceUID: Uid, sopInstanceUID: Uid }).strict();

export const deidMethods = {
  'deid.preview': method(
    z.object({ sopInstanceUID: Uid }),
    z.array(DeidPreviewRow),
    "One stored instance's attributes before and after de-identification under the project's profile.",
  ),
  'deid.studyReport': method(
    z.object({ studyInstanceUID: Uid }),
    DeidStudyReport,
    'What the latest export of a study did: counts per action, objects held for review, warnings.',
  ),
  'deid.getSettings': method(
    Empty,
    DeidSettingsView,
    'The local de-identification settings (never the secret).',
  ),
  'deid.saveSettings': method(
    DeidSettings,
    DeidSettingsView,
    'Replace the local de-identification settings.',
  ),
  'deid.exportStudy': method(
    DeidExportRequest,
    JobRef,
    'De-identify a stored study into a folder; progress as deid.progress, then deid.studyReport.',
  ),
  'deid.cancel': method(JobRef, z.object({ cancelled: z.boolean() }), 'Cancel a de-identification job.'),
  'deid.heldObjects': method(
    z.object({ studyInstanceUID: Uid }).strict(),
    z.array(DeidHeldObject),
    'The objects the latest export of a study held for burned-in text, with what the review screen shows.',
  ),
  'deid.releaseHeld': method(
    HeldRef.extend({ regions: z.array(DeidPixelRect).min(1).max(64) }).strict(),
    z.object({
      status: z.enum(['released', 'held']),
      ruleName: z.string(),
      reasons: z.array(z.string()),
      reasonCodes: z.array(z.string()),
    }),
    'Save the regions as a pixel rule for the device and image size, and write the held object masked into the export.',
  ),
  'deid.excludeHeld': method(
    HeldRef,
    z.object({ excluded: z.boolean() }),
    'Leave a held object out of the export for good (recorded in the report).',
  ),
  'deid.heldTextBoxes': method(
    HeldRef,
    z.object({ boxes: z.array(DeidPixelRect) }),
    "Where OCR finds text on a held image's first frame (image pixels): the export's reading, else the image is read now and the boxes kept with it.",
  ),
  'deid.defaceSeries': method(
    defaceRequests.series,
    z.array(DefaceSeriesSummary),
    "The study's series that show a face (thin-slice head CT/MR): held at export unless defaced.",
  ),
  'deid.defaceView': method(
    defaceRequests.view,
    DefaceView,
    'The cutting surface of a face-bearing series (accepted, else automatic) and its three planes.',
  ),
  'deid.defaceAccept': method(
    defaceRequests.accept,
    z.object({ accepted: z.boolean() }),
    'Accept a cutting surface for a series: its export is written defaced (113102).',
  ),
  'deid.defaceClear': method(
    defaceRequests.clear,
    z.object({ cleared: z.boolean() }),
    "Forget a series' accepted cut: its export is held again.",
  ),
} as const;

/** Progress of a de-identification run (export or sync). */
export const DeidProgressEvent = z.object({
  jobId: z.string().uuid(),
  filesFound: z.number().int(),
  filesDone: z.number().int(),
  /** Objects written. */
  done: z.number().int(),
  /** Objects held for review: never uploaded or exported. */
  held: z.number().int(),
  failed: z.number().int(),
  /** Files that were not DICOM. */
  skipped: z.number().int(),
  /** The same object again (written once). filesFound = done + held + failed + skipped + duplicates + conflicts. */
  duplicates: z.number().int(),
  /** Another object under a SOP Instance UID already written: never written over. */
  conflicts: z.number().int(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  finished: z.boolean(),
  /** The run stopped early because it was cancelled (objects already written stay). */
  cancelled: z.boolean(),
  /** The run stopped on an error that is not about one object (the study's files went missing). */
  error: z.string().nullable(),
});
export type DeidProgressEvent = z.infer<typeof DeidProgressEvent>;

export const deidEvents = { 'deid.progress': DeidProgressEvent } as const;

/** Every method main serves. Names are `<service>.<action>`. */
export const methods = {
  'app.info': method(Empty, AppInfo, 'Product, version and host of the running app.'),
  'catalog.listStudies': method(
    ListStudiesRequest,
    ListStudiesResponse,
    'Studies in the local catalog, filtered, sorted and paged.',
  ),
  'catalog.getStudy': method(z.object({ studyInstanceUID: Uid }), StudyDetail, 'One study with its series.'),
  'catalog.listInstances': method(
    z.object({ seriesInstanceUID: Uid }),
    z.array(InstanceSummary),
    'The instances of a series in display order (geometry, then instance number).',
  ),
  'catalog.instanceTags': method(
    z.object({ sopInstanceUID: Uid }),
    InstanceTags,
    "Every attribute of one stored instance (the tag browser): nested sequences, private creators, values decoded in the image's character set.",
  ),
  'import.start': method(
    ImportStartRequest,
    JobRef,
    'Start importing files, folders, DICOMDIR media and zip archives.',
  ),
  'import.cancel': method(JobRef, z.object({ cancelled: z.boolean() }), 'Cancel an import job.'),
  'import.status': method(JobRef, ImportProgress, 'The latest progress of an import job.'),
  'session.load': method(
    Empty,
    UiSession.nullable(),
    'Where the reader was (screen, search, open study, layout, slices, windows), or null.',
  ),
  'session.save': method(UiSession, Empty, 'Remember where the reader is, in the data folder.'),
  ...deidMethods,
  ...annotationMethods,
  ...interchangeMethods,
  ...pacsMethods,
  ...segmentationMethods,
  ...modelMethods,
  ...cacheMethods,
  ...auditMethods,
  ...accountMethods,
  ...syncMethods,
  ...syncConflictMethods,
  ...statsMethods,
  ...agreementMethods,
  ...aiMethods,
  ...reviewMethods,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller passes (defaults not yet applied). */
export type RequestOf<M extends MethodName> = z.input<Methods[M]['request']>;
/** What a handler receives (defaults applied, validated). */
export type ParsedRequestOf<M extends MethodName> = z.output<Methods[M]['request']>;
export type ResponseOf<M extends MethodName> = z.output<Methods[M]['response']>;

/** The service layer: one async function per method. Served by every adapter. */
export type Handlers = {
  [M in MethodName]: (request: ParsedRequestOf<M>) => Promise<ResponseOf<M>>;
};

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(methods, value);
}

// ---------------------------------------------------------------------------------------------
// Events (main → renderer)

export const events = {
  'import.progress': ImportProgress,
  'catalog.changed': z.object({ studyInstanceUIDs: z.array(Uid) }),
  ...deidEvents,
  ...annotationEvents,
  ...interchangeEvents,
  ...pacsEvents,
  ...syncEvents,
  ...modelEvents,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventOf<E extends EventName> = z.infer<Events[E]>;
export type AnyEvent = { [E in EventName]: { name: E; payload: EventOf<E> } }[EventName];

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(events, value);
}

// ---------------------------------------------------------------------------------------------
// Wire envelope: every reply is a value, never a thrown error across the boundary.

export const WireError = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
});

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: z.infer<typeof WireError> };
