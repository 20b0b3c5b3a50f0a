/**
 * Export of annotations (issue #9 item 7): for a list of studies (or the whole catalog), read
 * through the service handlers (the same calls the app makes, so the CLI needs no renderer), and
 * write one format:
 *   sr      <out>/<study>/SR.dcm               TID 1500 Comprehensive 3D SR of the measurements
 *   seg     <out>/<study>/SEG_<n>.dcm          one BINARY SEG per labelmap segmentation
 *   nifti   <out>/<study>/<series>_image.nii.gz and <series>_seg_<n>.nii.gz (segment numbers)
 *   nnunet  <out>/imagesTr/case_NNN_0000.nii.gz, labelsTr/case_NNN.nii.gz, dataset.json
 *   csv     <out>/measurements.csv, <out>/classifications.csv
 *   json    <out>/annotations.json
 * With de-identification (`deid`), SR and SEG are written to a private temporary folder and then
 * de-identified into the output by the project's engine like any other object; NIfTI, CSV and JSON
 * carry no names, and their ids become the project's pseudonyms (the same UIDs the engine gives the
 * DICOM objects). Every export carries a README saying it is for research use only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AnnotationVersion, LabelSchema } from '../../../shared/annotation.js';
import type { Handlers, StudySummary } from '../../../shared/contract.js';
import { AppError, ErrorCode, isAppError } from '../../../shared/errors.js';
import type { DeidConfig } from '../../deid/index.js';
import { Pseudonymizer } from '../../deid/pseudonyms.js';
import { deidentifyTree } from '../../deid/service.js';
import { type SeriesGeometry, readSeriesGeometry } from '../dicom/geometry.js';
import type { AnnotationVersionLike, CornerstoneAnnotationData, LabelmapLike } from '../dicom/model.js';
import { writeSegmentation } from '../dicom/seg-write.js';
import { statsOf, writeMeasurementSR } from '../dicom/sr-write.js';
import { srExtras } from '../../ai/provenance.js';
import { assumedGeometry, encodeNifti, rasAffine, readSeriesVoxels, volumeProblem } from './nifti.js';
import { type StudyTextCleaner, studyTextCleaner } from './deid-text.js';

export const EXPORT_FORMATS = ['sr', 'seg', 'nifti', 'nnunet', 'csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportSource {
  handlers: Pick<
    Handlers,
    | 'catalog.listStudies'
    | 'catalog.getStudy'
    | 'catalog.listInstances'
    | 'annotation.list'
    | 'schema.get'
    | 'segmentation.list'
    | 'segmentation.load'
  > &
    // AI provenance, predecessors and verification in the SR (main/ai/provenance.ts), and the AI
    // SEGs a reader's segmentation came from (main/ai/segments.ts), when served.
    Partial<
      Pick<
        Handlers,
        'annotation.history' | 'annotation.studyStatus' | 'review.events' | 'ai.segmentationSources'
      >
    >;
  instanceFile(sopInstanceUID: string): { path: string } | null;
}

export interface ExportProgress {
  studiesDone: number;
  studiesTotal: number;
  filesWritten: number;
}

export interface ExportOptions {
  source: ExportSource;
  format: ExportFormat;
  outputDir: string;
  /** Study Instance UIDs; all studies of the catalog when absent or empty. */
  studies?: readonly string[];
  /** De-identify with this configuration (the project's settings). */
  deid?: DeidConfig;
  reader: string;
  softwareVersion: string;
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

export interface ExportSummary extends ExportProgress {
  files: string[];
  cancelled: boolean;
  /**
   * Items that could not be written (a study that failed, a series refused: vanished images,
   * geometry a volume cannot hold, pixels that cannot be read), each with its reason in `notes`.
   * The other items were written.
   */
  failed: number;
  /**
   * Studies or objects left out, with the reason (no measurements, compressed images…), and
   * series written with a geometry value assumed ("pixel spacing missing: 1 mm assumed").
   */
  notes: string[];
}

export const RESEARCH_NOTE = 'Exported by RadLabel. For research use only; not for diagnosis or treatment.\n';

/** Decodes a labelmap version of `segmentation.load` into voxel maps keyed by SOP Instance UID. */
export function decodeLabelmap(view: Awaited<ReturnType<Handlers['segmentation.load']>>): LabelmapLike {
  const layers: Array<Map<string, Uint8Array | Uint16Array>> = Array.from(
    { length: view.layers },
    () => new Map(),
  );
  for (const chunk of view.slices) {
    if (chunk.data === '' || chunk.frame !== 1) continue;
    const raw = zlib.inflateSync(Buffer.from(chunk.data, 'base64'));
    const voxels =
      view.bits === 8
        ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
        : new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    while (layers.length <= chunk.layer) layers.push(new Map());
    layers[chunk.layer]!.set(chunk.sopInstanceUID, voxels);
  }
  return { layers, segments: view.segments, width: view.width, height: view.height };
}

/** Flattens a labelmap's layers into one volume of segment numbers (or mapped values), in geometry order. */
export function flattenLabelmap(
  labelmap: LabelmapLike,
  geometry: SeriesGeometry,
  valueOf: (segmentIndex: number) => number = (s) => s,
): Uint8Array | Uint16Array {
  const size = labelmap.width * labelmap.height;
  const maxValue = Math.max(0, ...labelmap.segments.map((s) => valueOf(s.segmentIndex)));
  const out =
    maxValue > 255
      ? new Uint16Array(size * geometry.slices.length)
      : new Uint8Array(size * geometry.slices.length);
  labelmap.layers.forEach((layer, layerIndex) => {
    const table = new Map<number, number>();
    for (const s of labelmap.segments)
      if (s.layer === undefined || s.layer === layerIndex)
        table.set(s.labelValue ?? s.segmentIndex, valueOf(s.segmentIndex));
    geometry.slices.forEach((slice, k) => {
      const voxels = layer.get(slice.sopInstanceUID);
      if (!voxels) return;
      const base = k * size;
      for (let i = 0; i < size; i++) {
        const v = voxels[i]!;
        // Overlaps: the first layer keeps the voxel (NIfTI holds one label per voxel).
        if (v !== 0 && out[base + i] === 0) out[base + i] = table.get(v) ?? 0;
      }
    });
  });
  return out;
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, line break or leading/trailing
 * space. Text (labels, attributes, ids: anything but a number) that a spreadsheet would read as a
 * formula, beginning with = + - @, a tab or a carriage return, is written with a leading
 * apostrophe (OWASP "CSV injection"), so Excel, LibreOffice and Sheets show it as text instead of
 * running it. Numbers are written as numbers (a negative mean stays -12.5).
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A CSV file: UTF-8 with a byte order mark and CRLF line ends. The mark is what makes Excel
 * (the spreadsheet readers open these in) read UTF-8 instead of the system code page, where
 * Chinese labels came out garbled; Python's csv (encoding='utf-8-sig'), pandas and R read it.
 */
function csvFile(header: string, rows: readonly string[][]): string {
  return `\uFEFF${[header, ...rows.map((r) => r.join(','))].join('\r\n')}\r\n`;
}

export async function runExport(options: ExportOptions): Promise<ExportSummary> {
  const { source, format, deid } = options;
  const { handlers } = source;
  const outputDir = path.resolve(options.outputDir);
  try {
    fs.mkdirSync(outputDir, { recursive: true });
    fs.accessSync(outputDir, fs.constants.W_OK);
  } catch (error) {
    throw outputError(error, outputDir);
  }
  if (format === 'nnunet')
    for (const name of ['dataset.json', 'imagesTr', 'labelsTr'])
      if (fs.existsSync(path.join(outputDir, name)))
        // Cases of an earlier dataset would be trained on with this one's labels and count.
        throw new AppError(
          ErrorCode.Conflict,
          `The output folder already holds an nnU-Net dataset (${name}); choose an empty folder.`,
        );
  const pseudo = deid ? new Pseudonymizer(deid.projectSecret, deid.projectId) : null;
  const uid = (value: string | undefined) => (value && pseudo ? pseudo.uid(value) : (value ?? ''));

  const studies = await studyList(handlers, options.studies);
  const schema: LabelSchema = (await handlers['schema.get']({})).schema;
  const schemaName = (id: string | undefined) =>
    id ? (schema.labels.find((l) => l.id === id)?.name.en ?? id) : '';
  const summary: ExportSummary = {
    studiesDone: 0,
    studiesTotal: studies.length,
    filesWritten: 0,
    files: [],
    cancelled: false,
    failed: 0,
    notes: [],
  };
  const dicomDir =
    deid && (format === 'sr' || format === 'seg')
      ? fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-export-'))
      : outputDir;
  // A failed write is the output's failure (full, read-only): it ends the export, said in words.
  const outputFailures = new WeakSet<object>();
  const write = (file: string, bytes: Uint8Array | string) => {
    try {
      writeWhole(file, bytes);
    } catch (error) {
      const failure = outputError(error, outputDir);
      outputFailures.add(failure);
      throw failure;
    }
    if (!file.startsWith(dicomDir) || dicomDir === outputDir) summary.files.push(file);
    summary.filesWritten++;
  };
  /**
   * Lets other requests in (a Cancel, the app's own calls) and ends the study's work when the
   * export was cancelled: called between series and segmentations, so a cancel does not wait for
   * the rest of a study of hundreds of slices.
   */
  const checkpoint = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) throw new AppError(ErrorCode.Cancelled, 'The export was cancelled.');
  };
  const measurementRows: string[][] = [];
  const classificationRows: string[][] = [];
  const jsonStudies: unknown[] = [];
  const nnunetCases: Array<{ id: string }> = [];
  const nnunetLabels = new Map<string, number>();
  /** nnU-Net: the dataset's one channel, the modality of its first case. */
  let modality: string | null = null;

  try {
    for (const study of studies) {
      // Let other requests in between studies (a Cancel, the app's own calls).
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) {
        summary.cancelled = true;
        break;
      }
      const studyUid = study.studyInstanceUID;
      const studyKey = uid(studyUid);
      try {
        const detail = await handlers['catalog.getStudy']({ studyInstanceUID: studyUid });
        // With de-identification, text typed by readers and names go through the engine's cleaner
        // with this study's identifying values (deid-text.ts); without, they are as stored.
        const text: StudyTextCleaner =
          deid && pseudo
            ? studyTextCleaner(await firstImageFile(source, detail), deid, pseudo, study.patientId)
            : { patient: study.patientId, freeText: (t) => t, name: (t) => t };
        const labelName = (id: string | undefined) => text.name(schemaName(id));
        const patientOf = (_study: StudySummary) => text.patient;
        const heads = (await handlers['annotation.list']({ studyInstanceUID: studyUid })).heads.filter(
          (v) => !v.deleted,
        );
        const geometries = new Map<string, SeriesGeometry | null>();
        /** Series some of whose images are no longer in the store. */
        const vanished = new Set<string>();
        const geometryOf = async (seriesUid: string): Promise<SeriesGeometry | null> => {
          if (!geometries.has(seriesUid)) {
            const instances = await handlers['catalog.listInstances']({ seriesInstanceUID: seriesUid }).catch(
              () => [],
            );
            const files = instances
              .map((i) => source.instanceFile(i.sopInstanceUID)?.path)
              .filter((p): p is string => !!p && fs.existsSync(p));
            let geometry: SeriesGeometry | null = null;
            if (files.length < instances.length || files.length === 0) {
              // A series missing some of its images would give a volume with holes, a SEG
              // without its frames there, an SR without its image references: it is left out.
              vanished.add(seriesUid);
              summary.notes.push(
                `${studyKey}: series ${uid(seriesUid)} left out: ${instances.length - files.length} of its ${instances.length} images are not in the store`,
              );
            } else
              try {
                geometry = readSeriesGeometry(files);
              } catch (error) {
                summary.notes.push(
                  `${studyKey}: series ${uid(seriesUid)} has no usable geometry (${reasonOf(error)})`,
                );
              }
            geometries.set(seriesUid, geometry);
          }
          return geometries.get(seriesUid) ?? null;
        };
        /** Says once per series the geometry it lacked and the export assumed for what it wrote. */
        const assumedSaid = new Set<string>();
        const sayAssumed = (seriesUid: string, geometry: SeriesGeometry) => {
          if (assumedSaid.has(seriesUid)) return;
          assumedSaid.add(seriesUid);
          for (const assumed of assumedGeometry(geometry, format === 'nifti' || format === 'nnunet'))
            summary.notes.push(`${studyKey}: series ${uid(seriesUid)}: ${assumed}`);
        };
        const segmentations: Array<{
          seriesUid: string;
          labelmap: LabelmapLike;
          author: string;
          /** `human`, or `ai:<model id>` for a model's output (main/model/): its segments are AUTOMATIC. */
          source: string;
          annotationUid: string;
        }> = [];
        if (format === 'seg' || format === 'nifti' || format === 'nnunet' || format === 'json')
          for (const series of detail.series)
            for (const head of await handlers['segmentation.list']({
              seriesInstanceUID: series.seriesInstanceUID,
            })) {
              const view = await handlers['segmentation.load']({
                annotationUid: head.annotationUid,
                versionId: head.versionId,
              });
              segmentations.push({
                seriesUid: series.seriesInstanceUID,
                labelmap: decodeLabelmap(view),
                author: view.author,
                source: view.source,
                annotationUid: head.annotationUid,
              });
            }
        const measurements = heads.filter((v) => v.kind === 'measurement');

        switch (format) {
          case 'sr': {
            // Measurements and the classification answers (qualitative evaluations) in one report.
            const answered = heads.filter(
              (v) =>
                v.kind === 'classification' &&
                Array.isArray((v.data as { answer?: unknown }).answer) &&
                ((v.data as { answer: unknown[] }).answer.length ?? 0) > 0,
            );
            if (measurements.length === 0 && answered.length === 0) {
              summary.notes.push(`${studyKey}: no measurements`);
              break;
            }
            // Images without a position (projection radiographs) still get a report; images gone
            // from the store would give one without its references: the study is not exported.
            for (const v of measurements) if (v.seriesInstanceUID) await geometryOf(v.seriesInstanceUID);
            if (measurements.some((v) => v.seriesInstanceUID && vanished.has(v.seriesInstanceUID)))
              throw new AppError(
                ErrorCode.NotFound,
                'images a measurement was drawn on are no longer in the store (see the note above)',
              );
            if (measurements.length === 0)
              for (const v of answered) if (v.seriesInstanceUID) await geometryOf(v.seriesInstanceUID);
            const h = handlers;
            const extras =
              h['annotation.history'] && h['annotation.studyStatus'] && h['review.events']
                ? await srExtras(
                    {
                      history: (annotationUid) => h['annotation.history']!({ annotationUid }),
                      studyStatus: (studyInstanceUID) => h['annotation.studyStatus']!({ studyInstanceUID }),
                      reviewEvents: (studyInstanceUID) => h['review.events']!({ studyInstanceUID }),
                    },
                    studyUid,
                    measurements as AnnotationVersionLike[],
                  )
                : {};
            // Each measurement's earlier versions, nearest first: a reading machine that lacks a parent
            // (an edit never uploaded) places the version on the nearest one it has (docs/sync.md).
            const ancestors = new Map<string, string[]>();
            if (h['annotation.history'])
              for (const v of measurements)
                ancestors.set(
                  v.versionId,
                  ancestorIds(await h['annotation.history']({ annotationUid: v.annotationUid }), v),
                );
            const bytes = writeMeasurementSR({
              ...extras,
              ancestorsOf: (version) => ancestors.get(version.versionId) ?? [],
              versions: [...measurements, ...answered] as AnnotationVersionLike[],
              geometry: (s) => geometries.get(s) ?? null,
              schema,
              reader: options.reader,
              softwareVersion: options.softwareVersion,
            });
            write(path.join(dicomDir, studyUid, 'SR.dcm'), bytes);
            for (const [seriesUid, geometry] of geometries) if (geometry) sayAssumed(seriesUid, geometry);
            break;
          }
          case 'seg': {
            let n = 0;
            for (const seg of segmentations) {
              await checkpoint();
              const geometry = await geometryOf(seg.seriesUid);
              if (!geometry) {
                summary.failed++;
                continue;
              }
              const aiSources = handlers['ai.segmentationSources']
                ? await handlers['ai.segmentationSources']({ annotationUid: seg.annotationUid })
                : null;
              try {
                const bytes = writeSegmentation({
                  labelmap: seg.labelmap,
                  geometry,
                  schema,
                  source: seg.source,
                  author: seg.author,
                  softwareVersion: options.softwareVersion,
                  ...(aiSources && aiSources.segments.length > 0
                    ? {
                        sourceReferences: aiSources.references,
                        segmentSources: new Map(aiSources.segments.map((s) => [s.segmentIndex, s])),
                      }
                    : {}),
                });
                write(path.join(dicomDir, studyUid, `SEG_${++n}.dcm`), bytes);
                sayAssumed(seg.seriesUid, geometry);
              } catch (error) {
                if (error instanceof AppError && error.code === ErrorCode.NotFound)
                  summary.notes.push(`${studyKey}: an empty segmentation was left out`);
                else throw error;
              }
            }
            if (n === 0) summary.notes.push(`${studyKey}: no segmentations`);
            break;
          }
          case 'nifti':
          case 'nnunet': {
            const bySeries = new Map<string, typeof segmentations>();
            for (const seg of segmentations)
              bySeries.set(seg.seriesUid, [...(bySeries.get(seg.seriesUid) ?? []), seg]);
            for (const [seriesUid, segs] of bySeries) {
              await checkpoint();
              const geometry = await geometryOf(seriesUid);
              if (!geometry) {
                summary.failed++;
                continue;
              }
              if (format === 'nnunet' && modality !== null && (geometry.modality || modality) !== modality) {
                // One channel of one modality: nnU-Net normalises a channel as a whole (CT by its
                // intensities), so a case of another modality would be trained as if it were one.
                summary.failed++;
                summary.notes.push(
                  `${studyKey}: series ${uid(seriesUid)} left out of the nnU-Net dataset: its modality ${geometry.modality} is not the dataset's ${modality}`,
                );
                continue;
              }
              const problem = volumeProblem(geometry);
              if (problem) {
                summary.failed++;
                summary.notes.push(`${studyKey}: series ${uid(seriesUid)} was not written: ${problem}`);
                continue;
              }
              let image: Awaited<ReturnType<typeof readSeriesVoxels>>;
              try {
                image = await readSeriesVoxels(geometry, options.signal);
              } catch (error) {
                if (options.signal?.aborted) throw error;
                // This series is left out with the reason; the other series go on.
                summary.failed++;
                summary.notes.push(
                  `${studyKey}: series ${uid(seriesUid)} was not written (${isAppError(error) ? error.message : 'its images cannot be read'})`,
                );
                continue;
              }
              if (format === 'nnunet' && !geometry.modality)
                // Taken as the dataset's one modality (CT for the first case): said, as nnU-Net
                // normalises the channel by it.
                summary.notes.push(
                  `${studyKey}: series ${uid(seriesUid)}: modality missing: ${modality ?? 'CT'} assumed (the dataset's channel)`,
                );
              if (format === 'nnunet') modality ??= geometry.modality || 'CT';
              const affine = rasAffine(geometry);
              const dims: [number, number, number] = [
                geometry.columns,
                geometry.rows,
                geometry.slices.length,
              ];
              const imageBytes = encodeNifti(image.data, dims, affine, {
                slope: image.slope,
                intercept: image.intercept,
              });
              if (format === 'nifti') {
                const base = path.join(outputDir, studyKey, uid(seriesUid));
                write(`${base}_image.nii.gz`, imageBytes);
                segs.forEach((seg, i) =>
                  write(
                    `${base}_seg_${i + 1}.nii.gz`,
                    encodeNifti(flattenLabelmap(seg.labelmap, geometry), dims, affine),
                  ),
                );
              } else {
                // One case per series: every segmentation of it merged, labels numbered across the dataset.
                const id = `case_${String(nnunetCases.length + 1).padStart(3, '0')}`;
                nnunetCases.push({ id });
                const merged: LabelmapLike = { ...segs[0]!.labelmap, layers: [], segments: [] };
                const valueOfSegment = new Map<string, number>();
                segs.forEach((seg, si) => {
                  const offset = merged.layers.length;
                  merged.layers.push(...seg.labelmap.layers);
                  for (const s of seg.labelmap.segments) {
                    const name = s.labelId ? labelName(s.labelId) : text.name(s.name);
                    if (!nnunetLabels.has(name)) nnunetLabels.set(name, nnunetLabels.size + 1);
                    valueOfSegment.set(`${si}:${s.segmentIndex}`, nnunetLabels.get(name)!);
                    merged.segments.push({
                      ...s,
                      segmentIndex: 1 + merged.segments.length,
                      layer: (s.layer ?? 0) + offset,
                    });
                  }
                });
                const keys = segs.flatMap((seg, si) =>
                  seg.labelmap.segments.map((s) => `${si}:${s.segmentIndex}`),
                );
                const labels = flattenLabelmap(
                  merged,
                  geometry,
                  (index) => valueOfSegment.get(keys[index - 1]!) ?? 0,
                );
                write(path.join(outputDir, 'imagesTr', `${id}_0000.nii.gz`), imageBytes);
                write(path.join(outputDir, 'labelsTr', `${id}.nii.gz`), encodeNifti(labels, dims, affine));
              }
              sayAssumed(seriesUid, geometry);
            }
            break;
          }
          case 'csv': {
            for (const v of measurements) {
              const stats = statsOf(v.data as unknown as CornerstoneAnnotationData) as Record<
                string,
                unknown
              >;
              measurementRows.push(
                [
                  uid(studyUid),
                  patientOf(study),
                  uid(v.seriesInstanceUID),
                  uid(v.sopInstanceUID),
                  v.annotationUid,
                  v.versionId,
                  v.tool,
                  v.labelId ?? '',
                  labelName(v.labelId),
                  stats['length'],
                  stats['width'],
                  stats['angle'],
                  stats['area'],
                  stats['perimeter'],
                  stats['mean'],
                  stats['stdDev'],
                  stats['min'],
                  stats['max'],
                  stats['modalityUnit'] ?? '',
                  v.status,
                  v.source,
                  pseudo ? '' : v.author,
                  Object.keys(v.attributes).length > 0 ? cleanStrings(v.attributes, text.freeText) : '',
                ].map(csvCell),
              );
            }
            for (const v of heads.filter((h) => h.kind === 'classification')) {
              const data = v.data as {
                questionId?: string;
                level?: string;
                seriesInstanceUID?: string;
                answer?: string[];
              };
              classificationRows.push(
                [
                  uid(studyUid),
                  patientOf(study),
                  uid(data.seriesInstanceUID ?? v.seriesInstanceUID),
                  data.level ?? '',
                  data.questionId ?? '',
                  (data.answer ?? []).join('|'),
                  v.status,
                  v.source,
                  pseudo ? '' : v.author,
                ].map(csvCell),
              );
            }
            break;
          }
          case 'json': {
            jsonStudies.push({
              studyInstanceUID: uid(studyUid),
              patient: patientOf(study),
              annotations: heads.map((v: AnnotationVersion) => ({
                ...v,
                studyInstanceUID: uid(v.studyInstanceUID),
                ...(v.seriesInstanceUID ? { seriesInstanceUID: uid(v.seriesInstanceUID) } : {}),
                ...(v.sopInstanceUID ? { sopInstanceUID: uid(v.sopInstanceUID) } : {}),
                ...(pseudo ? { author: '', attributes: cleanStrings(v.attributes, text.freeText) } : {}),
                ...(pseudo && v.kind === 'measurement'
                  ? { data: scrubMeasurementData(v.data, uid, text.freeText) }
                  : {}),
                // A series-level answer names its series inside data too.
                ...(pseudo && v.kind === 'classification' && typeof v.data['seriesInstanceUID'] === 'string'
                  ? { data: { ...v.data, seriesInstanceUID: uid(v.data['seriesInstanceUID']) } }
                  : {}),
              })),
              segmentations: segmentations.map((s) => ({
                annotationUid: s.annotationUid,
                seriesInstanceUID: uid(s.seriesUid),
                segments: pseudo
                  ? s.labelmap.segments.map((segment) => ({ ...segment, name: text.name(segment.name) }))
                  : s.labelmap.segments,
              })),
            });
            break;
          }
        }
      } catch (error) {
        if (options.signal?.aborted) {
          summary.cancelled = true;
          break;
        }
        // The output itself failing (full, read-only) ends the export; anything else is this
        // study's problem: said, counted, and the next study goes on.
        if (outputFailures.has(error as object)) throw error;
        summary.failed++;
        summary.notes.push(`${studyKey}: not exported: ${reasonOf(error)}`);
      }
      summary.studiesDone++;
      options.onProgress?.({
        studiesDone: summary.studiesDone,
        studiesTotal: summary.studiesTotal,
        filesWritten: summary.filesWritten,
      });
    }

    if (format === 'csv') {
      write(
        path.join(outputDir, 'measurements.csv'),
        csvFile(
          'study_uid,patient,series_uid,sop_uid,annotation_uid,version_id,tool,label_id,label,length_mm,width_mm,angle_deg,area_mm2,perimeter_mm,mean,std_dev,min,max,modality_unit,status,source,author,attributes',
          measurementRows,
        ),
      );
      write(
        path.join(outputDir, 'classifications.csv'),
        csvFile(
          'study_uid,patient,series_uid,level,question_id,answer,status,source,author',
          classificationRows,
        ),
      );
    }
    if (format === 'json')
      write(
        path.join(outputDir, 'annotations.json'),
        `${JSON.stringify({ researchUseOnly: true, schema: schema.id, studies: jsonStudies }, null, 2)}\n`,
      );
    if (format === 'nnunet')
      write(
        path.join(outputDir, 'dataset.json'),
        `${JSON.stringify({ channel_names: { '0': modality ?? 'CT' }, labels: { background: 0, ...Object.fromEntries(nnunetLabels) }, numTraining: nnunetCases.length, file_ending: '.nii.gz', description: RESEARCH_NOTE.trim() }, null, 2)}\n`,
      );
    if (deid && dicomDir !== outputDir && !summary.cancelled && summary.filesWritten > 0) {
      // The engine names its outputs; the files of this export are those it wrote now (an
      // earlier export's files in the same folder are not listed as this one's).
      const earlier = new Map(listFiles(outputDir).map((file) => [file, fs.statSync(file).mtimeMs]));
      const run = await deidentifyTree({
        inputs: [dicomDir],
        outputDir,
        config: deid,
        ...(options.signal ? { signal: options.signal } : {}),
        workers: 0,
      });
      if (run.cancelled) summary.cancelled = true;
      if (run.failed > 0 || run.held > 0) {
        // Objects the engine did not write are items not exported.
        summary.failed += run.failed + run.held;
        summary.notes.push(`de-identification: ${run.failed} failed, ${run.held} held for review`);
      }
      summary.files = listFiles(outputDir).filter((file) => earlier.get(file) !== fs.statSync(file).mtimeMs);
    }
    write(path.join(outputDir, 'README-RESEARCH-USE-ONLY.txt'), RESEARCH_NOTE);
  } catch (error) {
    // The files written before the output failed stay: so do the notes about them.
    if (outputFailures.has(error as object)) throw new ExportStoppedError(error as AppError, summary.notes);
    throw error;
  } finally {
    if (dicomDir !== outputDir) fs.rmSync(dicomDir, { recursive: true, force: true });
  }
  return summary;
}

/**
 * The output failed and the export stopped (disk full, read-only…): the output's error, with the
 * notes of what was done before it (items left out, geometry assumed for files already written),
 * which the CLI prints and the app's dialog lists with the error.
 */
export class ExportStoppedError extends AppError {
  constructor(
    error: AppError,
    readonly notes: readonly string[],
  ) {
    super(error.code, error.message, { cause: error.cause });
  }
}

/**
 * Writes a file whole or not at all: into a temporary name beside it, then renamed, so a file
 * under its final name is always complete (a full disk, a crash or a cancel leaves at most a
 * `.partial` file, removed when the write fails, as is a folder made for it).
 */
function writeWhole(file: string, bytes: Uint8Array | string): void {
  // The first folder this call made (a study's), removed again if the file is not written.
  const made = fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.partial`;
  try {
    fs.writeFileSync(temporary, bytes);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    if (made) fs.rmSync(made, { recursive: true, force: true });
    throw error;
  }
}

const OUTPUT_ERRNOS: Record<string, string> = {
  ENOSPC: 'no space left on the disk of the output folder',
  EDQUOT: 'the disk quota of the output folder is used up',
  EACCES: 'the output folder cannot be written (permission denied)',
  EPERM: 'the output folder cannot be written (operation not permitted)',
  EROFS: 'the output folder is on a read-only file system',
  ENOTDIR: 'the output path is a file, not a folder',
  EEXIST: 'the output path is a file, not a folder',
};
/** What to do about it, where there is something to do. */
const OUTPUT_ADVICE: Record<string, string> = {
  ENOSPC: 'free some space or choose a folder on another disk, then export again',
  EDQUOT: 'free some space or choose a folder on another disk, then export again',
};

/**
 * An error of the output folder in words, naming the folder (the user's choice; never the file,
 * whose name may hold a study's UID). The files written before it are whole (`writeWhole`). It
 * follows "radlabel export: " on the CLI and "The export stopped: " in the app's dialog.
 */
function outputError(error: unknown, outputDir: string): AppError {
  if (isAppError(error)) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code ?? '';
  const advice = OUTPUT_ADVICE[code];
  return new AppError(
    ErrorCode.Io,
    `${OUTPUT_ERRNOS[code] ?? 'the output folder cannot be written'}${code ? ` (${code})` : ''}: ${outputDir}. The files written before are complete; none is left half-written.${advice ? ` ${advice[0]!.toUpperCase()}${advice.slice(1)}.` : ''}`,
    { cause: error },
  );
}

/** Why an item failed, for the notes: an AppError's message, else a generic phrase (no data). */
function reasonOf(error: unknown): string {
  if (isAppError(error)) return error.message;
  return 'an unexpected error (details are not shown: they may hold patient data)';
}

/** Every string value of an attribute map (at any depth) through `clean`; numbers and choices as they are. */
function cleanStrings<T>(value: T, clean: (text: string) => string): T {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' ? clean(v) : v)) as T;
}

const UID_IN_TEXT = /\b\d+(\.\d+){4,}\b/g;

/**
 * A measurement's tool data for a de-identified JSON: UIDs in values and in keys (image ids,
 * cachedStats keyed by image id name SOP Instance UIDs) become their pseudonyms, and the text a
 * reader typed (an arrow's `text`, a `label`) goes through the free-text cleaner.
 */
function scrubMeasurementData(
  data: unknown,
  uid: (v: string) => string,
  freeText: (text: string) => string,
): unknown {
  const remap = (text: string) => text.replace(UID_IN_TEXT, (m) => uid(m));
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') return key === 'text' || key === 'label' ? freeText(value) : remap(value);
    if (Array.isArray(value)) return value.map((item) => walk(item, key));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [remap(k), walk(v, k)]));
    return value;
  };
  return walk(data, '');
}

/** A stored image file of the study (its header gives the identifying values to clean text for). */
async function firstImageFile(
  source: ExportSource,
  detail: Awaited<ReturnType<Handlers['catalog.getStudy']>>,
): Promise<string | null> {
  for (const series of detail.series) {
    const instances = await source.handlers['catalog.listInstances']({
      seriesInstanceUID: series.seriesInstanceUID,
    }).catch(() => []);
    for (const instance of instances) {
      const file = source.instanceFile(instance.sopInstanceUID)?.path;
      if (file && fs.existsSync(file)) return file;
    }
  }
  return null;
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** A version's ancestors beyond its parents, nearest first (breadth-first), at most 32. */
function ancestorIds(
  history: ReadonlyArray<{ versionId: string; parentIds: readonly string[] }>,
  version: { parentIds: readonly string[] },
): string[] {
  const byId = new Map(history.map((entry) => [entry.versionId, entry]));
  const seen = new Set<string>(version.parentIds);
  const found: string[] = [];
  let frontier = [...version.parentIds];
  while (frontier.length > 0 && found.length < 32) {
    const next: string[] = [];
    for (const id of frontier)
      for (const parent of byId.get(id)?.parentIds ?? []) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        found.push(parent);
        next.push(parent);
      }
    frontier = next;
  }
  return found.slice(0, 32);
}

async function studyList(
  handlers: ExportSource['handlers'],
  wanted: readonly string[] | undefined,
): Promise<StudySummary[]> {
  const all: StudySummary[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await handlers['catalog.listStudies']({
      limit: 1000,
      offset,
      sort: { field: 'studyDate', direction: 'asc' },
    });
    all.push(...page.studies);
    if (all.length >= page.total || page.studies.length === 0) break;
  }
  if (!wanted || wanted.length === 0) return all;
  const missing = wanted.filter((w) => !all.some((s) => s.studyInstanceUID === w));
  if (missing.length > 0)
    throw new AppError(
      ErrorCode.NotFound,
      `${missing.length} of the studies asked for are not in the catalog.`,
    );
  return all.filter((s) => wanted.includes(s.studyInstanceUID));
}
