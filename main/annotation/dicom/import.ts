/**
 * SR and SEG files → annotation versions and labelmaps (`annotation.importFiles`, and every SR/SEG
 * the normal import brings into the catalog). Measurements become versions through
 * `annotation.save`; a segmentation becomes a labelmap version through `segmentation.saveSlices`
 * (split under the request size limit). Ids are derived from the file (its SOP Instance UID and the
 * tracking UID), so importing the same file twice adds nothing, and an SR of an annotation that is
 * already here (same tracking UID) becomes a new version on top of its head. The images the
 * objects refer to must be in the catalog (their geometry places the coordinates and voxels).
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import dicomParser from 'dicom-parser';
import type { LabelSchema } from '../../../shared/annotation.js';
import type { Handlers } from '../../../shared/contract.js';
import { isAppError } from '../../../shared/errors.js';
import { readStoredFileSync } from '../../cache/store-cipher.js';
import { MAX_SAVE_CHARS, type SaveSlicesParsed } from '../../../shared/segmentation.js';
import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  type Dataset,
  part10Layout,
  part10Meta,
  readPart10,
} from './dataset.js';
import { type SeriesGeometry, readSeriesGeometry } from './geometry.js';
import type { SegmentInfo } from './model.js';
import { parseSegmentationFile } from './seg-parse.js';
import { SEG_SOP_CLASSES, readSegmentation } from './seg-read.js';
import { SR_SOP_CLASSES, checkContentTree, readMeasurementSR } from './sr-read.js';

const deflate = promisify(zlib.deflate);
/** The most versions one `annotation.save` takes (shared/annotation.ts). */
const SAVE_BATCH = 500;

export interface ImportSource {
  handlers: Pick<
    Handlers,
    | 'catalog.listInstances'
    | 'annotation.list'
    | 'annotation.save'
    | 'annotation.history'
    | 'schema.get'
    | 'segmentation.list'
    | 'segmentation.saveSlices'
  >;
  instanceFile(sopInstanceUID: string): { path: string } | null;
  /**
   * Whether a version with this id is stored (under any annotation). A version RadLabel wrote keeps
   * its id in the SR; an SR is not a lossless copy of it (points rounded through image coordinates,
   * an annotation uid that is not a UID comes back derived), so a carried id already here is that
   * version, unchanged, and is never saved again.
   */
  versionExists(versionId: string): boolean;
  /**
   * Stores a labelmap version under the given author and source (a device SEG: its algorithm,
   * `ai:<algorithm>`); without it, through `segmentation.saveSlices` as the current reader.
   */
  saveLabelmap?(request: SaveSlicesParsed, author: string, source: string): void;
  /** Told of each device SEG imported: its segments are AI findings (main/ai/segments.ts). */
  aiSegmentation?(info: {
    versionId: string;
    annotationUid: string;
    studyInstanceUID: string;
    dataset: Dataset;
  }): void;
}

export interface ImportFileOutcome {
  file: string;
  kind: 'sr' | 'seg' | 'other';
  /** Versions (SR) or labelmap versions (SEG) added. */
  added: number;
  /** Already imported before. */
  unchanged: number;
  /** What could not be read, in words (no PHI). */
  problems: string[];
}

/** A UUID (version 4 layout) derived from the parts. */
export function derivedUuid(...parts: string[]): string {
  const hex = crypto.createHash('sha256').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Number.parseInt(hex[16]!, 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Whether a file is an SR or SEG (reads only its header). A deflated data set is inflated first
 * (bounded): a deflate bomb or a broken deflate stream throws its AppError (its own message).
 */
export function annotationObjectKind(bytes: Uint8Array): 'sr' | 'seg' | 'other' {
  let whole = bytes;
  let deflated = false;
  try {
    deflated = part10Meta(bytes).syntax === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN;
  } catch {
    // Not DICOM, or its meta group is damaged: dicom-parser says what it can below.
  }
  if (deflated) whole = part10Layout(bytes).bytes;
  try {
    // The SOP Class UID comes first: the head of the file is enough (a SEG's header can be megabytes).
    const head = whole.subarray(0, Math.min(whole.length, 64 * 1024));
    const sopClass =
      dicomParser
        // A deflated data set is inflated already (`whole`): dicom-parser is given it as it is.
        .parseDicom(head, { untilTag: 'x00080016', inflater: (inflated: Uint8Array) => inflated })
        .string('x00080016') ?? '';
    if (SR_SOP_CLASSES.has(sopClass)) return 'sr';
    if (SEG_SOP_CLASSES.has(sopClass)) return 'seg';
  } catch {
    // Not DICOM: not an annotation object.
  }
  return 'other';
}

type DeferredVersion = Parameters<ImportSource['handlers']['annotation.save']>[0]['versions'][number] & {
  annotationUid: string;
  studyInstanceUID: string;
  parentIds: string[];
};

export class AnnotationImporter {
  readonly #geometries = new Map<string, SeriesGeometry | null>();
  readonly #seriesOfSop = new Map<string, string | null>();
  #schema: LabelSchema | null = null;
  readonly #deferred: Array<{ version: DeferredVersion; outcome: ImportFileOutcome; ancestors: string[] }> =
    [];

  constructor(private readonly source: ImportSource) {}

  async #schemaOf(): Promise<LabelSchema> {
    this.#schema ??= (await this.source.handlers['schema.get']({})).schema;
    return this.#schema;
  }

  async #geometry(seriesUid: string): Promise<SeriesGeometry | null> {
    if (!this.#geometries.has(seriesUid)) {
      let geometry: SeriesGeometry | null = null;
      try {
        const instances = await this.source.handlers['catalog.listInstances']({
          seriesInstanceUID: seriesUid,
        });
        const files = instances
          .filter((i) => !SR_SOP_CLASSES.has(i.sopClassUID) && !SEG_SOP_CLASSES.has(i.sopClassUID))
          .map((i) => this.source.instanceFile(i.sopInstanceUID)?.path)
          .filter((p): p is string => !!p);
        geometry = files.length > 0 ? readSeriesGeometry(files) : null;
      } catch {
        geometry = null;
      }
      this.#geometries.set(seriesUid, geometry);
      for (const slice of geometry?.slices ?? []) this.#seriesOfSop.set(slice.sopInstanceUID, seriesUid);
    }
    return this.#geometries.get(seriesUid) ?? null;
  }

  /** The series of a stored image (read from its header once). */
  #seriesOf(sop: string): string | null {
    if (!this.#seriesOfSop.has(sop)) {
      const file = this.source.instanceFile(sop)?.path;
      let series: string | null = null;
      if (file) {
        try {
          series =
            dicomParser.parseDicom(readStoredFileSync(file), { untilTag: 'x7fe00010' }).string('x0020000e') ??
            null;
        } catch {
          series = null;
        }
      }
      this.#seriesOfSop.set(sop, series);
    }
    return this.#seriesOfSop.get(sop) ?? null;
  }

  async importFile(file: string): Promise<ImportFileOutcome> {
    const outcome: ImportFileOutcome = { file, kind: 'other', added: 0, unchanged: 0, problems: [] };
    let bytes: Uint8Array;
    try {
      // Stored files may be encrypted (docs/cache.md); a user's own file is read as it is.
      bytes = readStoredFileSync(file);
    } catch {
      outcome.problems.push('The file cannot be read.');
      return outcome;
    }
    try {
      outcome.kind = annotationObjectKind(bytes);
    } catch (error) {
      // A deflated data set that cannot be inflated (a deflate bomb, a broken stream).
      outcome.problems.push(isAppError(error) ? error.message : 'The file cannot be read.');
      return outcome;
    }
    if (outcome.kind === 'other') {
      // Damaged before its SOP Class, not DICOM, or another kind of object: said, not skipped silently.
      outcome.problems.push(
        'This file is not a DICOM structured report or segmentation that RadLabel reads.',
      );
      return outcome;
    }
    try {
      if (outcome.kind === 'sr') await this.#importSR(readPart10(bytes), outcome);
      else await this.#importSEG(parseSegmentationFile(bytes), outcome);
    } catch (error) {
      outcome.problems.push(isAppError(error) ? error.message : 'The object could not be read.');
    }
    return outcome;
  }

  async #importSR(dataset: Dataset, outcome: ImportFileOutcome): Promise<void> {
    const sop = String(dataset['SOPInstanceUID'] ?? '');
    // Geometry of every referenced image's series, before the synchronous reader needs it.
    // (The content tree's depth and size are checked first: nothing recursive walks it before.)
    const referenced = checkContentTree(dataset);
    for (const ref of referenced) {
      const series = this.#seriesOf(ref);
      if (series) await this.#geometry(series);
    }
    const result = readMeasurementSR(dataset, {
      resolve: (ref) => {
        const series = this.#seriesOfSop.get(ref);
        const geometry = series ? this.#geometries.get(series) : null;
        const slice = geometry?.slices.find((s) => s.sopInstanceUID === ref);
        return geometry && slice ? { geometry, slice } : null;
      },
      schema: await this.#schemaOf(),
      newVersionId: () => '',
    });
    outcome.problems.push(...result.skipped);
    if (result.versions.length === 0 && result.skipped.length === 0)
      outcome.problems.push('This structured report holds no measurements or answers RadLabel can read.');
    const heads = new Map(
      (
        await this.source.handlers['annotation.list']({
          studyInstanceUID: String(dataset['StudyInstanceUID']),
        })
      ).heads.map((h) => [h.annotationUid, h]),
    );
    const versions = [];
    for (const version of result.versions) {
      // A version RadLabel wrote carries its own id and its parents' (sr-read.ts); another tool's
      // gets an id from the file and goes on top of the annotation's head.
      const carried = version.versionId !== '';
      const versionId = carried
        ? version.versionId
        : derivedUuid('radlabel-sr-import', sop, version.annotationUid);
      // Stored already (under any annotation): that version, unchanged.
      if (this.source.versionExists(versionId)) {
        outcome.unchanged++;
        continue;
      }
      const head = heads.get(version.annotationUid);
      const prepared = {
        ...version,
        versionId,
        parentIds: carried ? version.parentIds : head ? [head.versionId] : [],
        author: version.author || 'unknown',
        source: version.source as 'human',
        attributes: version.attributes,
        data: version.data as Record<string, unknown>,
      };
      if (await this.#parentsKnown(prepared.annotationUid, prepared.parentIds)) versions.push(prepared);
      // Its parents are in an SR not read yet (another file of this batch), or never uploaded:
      // saved by `settle`.
      else
        this.#deferred.push({ version: prepared, outcome, ancestors: result.ancestors.get(versionId) ?? [] });
    }
    // In requests the contract accepts (at most SAVE_BATCH versions each).
    for (let start = 0; start < versions.length; start += SAVE_BATCH) {
      const batch = versions.slice(start, start + SAVE_BATCH);
      await this.source.handlers['annotation.save']({ versions: batch });
      outcome.added += batch.length;
    }
  }

  async #history(annotationUid: string): Promise<Array<{ versionId: string }>> {
    return this.source.handlers['annotation.history']({ annotationUid }).catch(() => []);
  }

  /** Whether every parent is in the annotation's history (no parents: nothing to look up). */
  async #parentsKnown(annotationUid: string, parentIds: string[]): Promise<boolean> {
    if (parentIds.length === 0) return true;
    const known = new Set((await this.#history(annotationUid)).map((h) => h.versionId));
    return parentIds.every((id) => known.has(id));
  }

  /**
   * Saves the versions whose parents were not here when their SR was read, in an order that puts
   * every parent first (SRs of one annotation may arrive in any order). A parent that never comes
   * (an edit made between two uploads) is stood in for by the nearest earlier version the SR names
   * that is here, so an edit made here since is still a second head (a conflict), never silently
   * overtaken; only a version with nothing known before it goes on top of the annotation's head.
   */
  async settle(): Promise<void> {
    for (let progress = true; progress && this.#deferred.length > 0;) {
      progress = false;
      for (const entry of [...this.#deferred]) {
        const { version } = entry;
        const done = this.source.versionExists(version.versionId);
        if (!done && !(await this.#parentsKnown(version.annotationUid, version.parentIds))) continue;
        this.#deferred.splice(this.#deferred.indexOf(entry), 1);
        progress = true;
        if (done) entry.outcome.unchanged++;
        else {
          await this.source.handlers['annotation.save']({ versions: [version] });
          entry.outcome.added++;
        }
      }
    }
    for (const { version, outcome, ancestors } of this.#deferred.splice(0)) {
      if (this.source.versionExists(version.versionId)) {
        outcome.unchanged++;
        continue;
      }
      const known = new Set((await this.#history(version.annotationUid)).map((h) => h.versionId));
      let parents = version.parentIds.filter((id) => known.has(id));
      if (parents.length === 0) parents = ancestors.filter((id) => known.has(id)).slice(0, 1);
      const head = (
        await this.source.handlers['annotation.list']({ studyInstanceUID: version.studyInstanceUID })
      ).heads.find((h) => h.annotationUid === version.annotationUid);
      await this.source.handlers['annotation.save']({
        versions: [{ ...version, parentIds: parents.length > 0 ? parents : head ? [head.versionId] : [] }],
      });
      outcome.added++;
    }
  }

  async #importSEG(dataset: Dataset, outcome: ImportFileOutcome): Promise<void> {
    const sop = String(dataset['SOPInstanceUID'] ?? '');
    // The synchronous reader gets geometry from the cache: fill it for the referenced series first.
    const seriesUid = String(
      (dataset['ReferencedSeriesSequence'] as Dataset[] | undefined)?.[0]?.['SeriesInstanceUID'] ?? '',
    );
    if (seriesUid) await this.#geometry(seriesUid);
    const result = readSegmentation(dataset, {
      seriesGeometry: (uid) => this.#geometries.get(uid) ?? null,
      seriesOfInstance: (ref) => this.#seriesOf(ref),
      schema: await this.#schemaOf(),
    });
    if (!this.#geometries.has(result.seriesInstanceUID)) await this.#geometry(result.seriesInstanceUID);
    const annotationUid = derivedUuid('radlabel-seg-import', sop);
    const versionId = derivedUuid('radlabel-seg-import-version', sop);
    const existing = await this.source.handlers['segmentation.list']({
      seriesInstanceUID: result.seriesInstanceUID,
    });
    if (existing.some((h) => h.versionId === versionId)) {
      outcome.unchanged++;
      return;
    }
    const { labelmap } = result;
    const bits: 8 | 16 = labelmap.segments.some((s) => (s.labelValue ?? s.segmentIndex) > 255) ? 16 : 8;
    // Slices are compressed on libuv's thread pool, several at a time (both cores, and the event
    // loop stays free), in the order they are sent.
    const pending: Array<Promise<{ layer: number; sopInstanceUID: string; frame: number; data: string }>> =
      [];
    labelmap.layers.forEach((layer, index) => {
      for (const [sopInstanceUID, voxels] of layer) {
        const raw =
          bits === 8 && voxels instanceof Uint8Array
            ? Buffer.from(voxels.buffer, voxels.byteOffset, voxels.byteLength)
            : bits === 8
              ? Buffer.from(Uint8Array.from(voxels))
              : Buffer.from(Uint16Array.from(voxels).buffer);
        pending.push(
          deflate(raw, { level: 1 }).then((compressed) => ({
            layer: index,
            sopInstanceUID,
            frame: 1,
            data: compressed.toString('base64'),
          })),
        );
      }
    });
    const chunks = await Promise.all(pending);
    const segments = labelmap.segments.map((s: SegmentInfo) => ({
      segmentIndex: s.segmentIndex,
      ...(s.labelId ? { labelId: s.labelId } : {}),
      name: s.name.slice(0, 200),
      color: /^#[0-9a-f]{6}$/i.test(s.color) ? s.color : '#ff0000',
      visible: true,
      locked: false,
      layer: s.layer ?? 0,
      labelValue: s.labelValue ?? s.segmentIndex,
    }));
    // Requests under the size limit: the first carries the header, the rest add slices to it.
    let batch: typeof chunks = [];
    let chars = 0;
    const device =
      result.source.startsWith('ai:') && this.source.saveLabelmap ? this.source.saveLabelmap : null;
    const send = async () => {
      const request = {
        annotationUid,
        versionId,
        parentVersionId: null,
        studyInstanceUID: result.studyInstanceUID,
        seriesInstanceUID: result.seriesInstanceUID,
        width: labelmap.width,
        height: labelmap.height,
        bits,
        layers: Math.max(1, labelmap.layers.length),
        segments,
        deleted: false,
        slices: batch,
      };
      // A device's SEG keeps the device as author and `ai:<algorithm>` as source.
      if (device) device(request, result.author, result.source);
      else await this.source.handlers['segmentation.saveSlices'](request);
      batch = [];
      chars = 0;
    };
    for (const chunk of chunks) {
      if (batch.length > 0 && (chars + chunk.data.length > MAX_SAVE_CHARS || batch.length >= 4096))
        await send();
      batch.push(chunk);
      chars += chunk.data.length;
    }
    if (batch.length > 0 || chunks.length === 0) await send();
    if (result.source.startsWith('ai:'))
      this.source.aiSegmentation?.({
        versionId,
        annotationUid,
        studyInstanceUID: result.studyInstanceUID,
        dataset,
      });
    outcome.added++;
  }
}
