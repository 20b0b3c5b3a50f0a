/**
 * Labelmap voxels of segmentation annotations, in the catalog database (migration 0006).
 *
 * A labelmap version is immutable: `labelmap_version` holds its header (annotation uid, parent,
 * series, geometry, segment list with each segment's layer and label value), `labelmap_slice` the
 * slices that version changed, each a zlib-deflated chunk of one (layer, image): Uint8 rows (bits
 * 8) or little-endian Uint16 rows (bits 16); an empty chunk marks a slice cleared. Reading a
 * version walks its ancestry from the oldest to itself, so every slice comes from the newest
 * version that wrote it. A stroke therefore costs one row per changed slice, a few KiB.
 *
 * Export API (for SEG, NIfTI, nnU-Net in main/annotation/dicom and export):
 *
 *   readLabelmap(db, annotationUid, versionId?) → {
 *     annotationUid, versionId, seriesInstanceUID, width, height, bits,
 *     segments: SegmentInfo[]           // each with its layer and labelValue
 *     layers: Array<Map<sliceKey, Uint8Array | Uint16Array>>   // sliceKey = sliceKeyOf(sop, frame)
 *   } | null
 *
 * Only non-empty slices are in the maps; a voxel of segment s is set where
 * `layers[s.layer].get(key)[row * width + column] === s.labelValue`.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { AppError, ErrorCode } from '../../shared/errors.js';
import {
  type LabelmapHead,
  type LabelmapSliceChunk,
  type LabelmapSliceHash,
  type LabelmapVersionView,
  type SaveSlicesParsed as SaveSlices,
  SegmentInfo,
} from '../../shared/segmentation.js';

interface VersionRow {
  version_id: string;
  annotation_uid: string;
  parent_id: string | null;
  study_uid: string;
  series_uid: string;
  width: number;
  height: number;
  bits: number;
  layers: number;
  segments: string;
  author: string;
  deleted: number;
  created_at: number;
  /** `human`, or `ai:<model id>` (migration 0017). */
  source?: string;
}

interface SliceRow {
  layer: number;
  sop_uid: string;
  frame: number;
  bytes: Buffer;
}

export interface Labelmap {
  annotationUid: string;
  versionId: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  width: number;
  height: number;
  bits: 8 | 16;
  segments: SegmentInfo[];
  layers: Array<Map<string, Uint8Array | Uint16Array>>;
}

/** The key of one image in `Labelmap.layers`: the SOP Instance UID, with `#frame` past frame 1. */
export function sliceKeyOf(sopInstanceUID: string, frame = 1): string {
  return frame === 1 ? sopInstanceUID : `${sopInstanceUID}#${frame}`;
}

/** The slowest decompression a chunk may cost: a slice of 16384² 16-bit voxels. */
const MAX_SLICE_BYTES = 16384 * 16384 * 2;

export class LabelmapStore {
  readonly #db: Database;
  readonly #now: () => number;

  constructor(db: Database, options: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Stores a version's header and the slices it changed, in one transaction. A request for a
   * version that exists adds its slices (a save split under the request size limit).
   */
  saveSlices(
    request: SaveSlices,
    author: string,
    source = 'human',
  ): { versionId: string; slicesStored: number } {
    const sliceBytes = request.width * request.height * (request.bits / 8);
    const chunks = request.slices.map((slice) => ({
      slice,
      bytes: checkedChunk(slice, sliceBytes, request),
    }));
    return this.#db
      .transaction(() => {
        const existing = this.#version(request.versionId);
        if (existing) {
          if (
            existing.annotation_uid !== request.annotationUid ||
            existing.series_uid !== request.seriesInstanceUID ||
            existing.width !== request.width ||
            existing.height !== request.height ||
            existing.bits !== request.bits
          )
            throw new AppError(
              ErrorCode.Conflict,
              'This segmentation version was already saved with other contents; it was not changed.',
            );
        } else {
          if (request.parentVersionId !== null) {
            const parent = this.#version(request.parentVersionId);
            if (!parent || parent.annotation_uid !== request.annotationUid)
              throw new AppError(
                ErrorCode.NotFound,
                'The segmentation this change builds on is not stored here; reload the study.',
              );
            if (
              parent.width !== request.width ||
              parent.height !== request.height ||
              parent.bits !== request.bits
            )
              throw new AppError(ErrorCode.InvalidRequest, 'A segmentation cannot change its image size.');
          }
          this.#db
            .prepare(
              `INSERT INTO labelmap_version (version_id, annotation_uid, parent_id, study_uid, series_uid, width,
                 height, bits, layers, segments, author, deleted, created_at, source)
               VALUES (@versionId, @annotationUid, @parentId, @studyUid, @seriesUid, @width, @height, @bits,
                 @layers, @segments, @author, @deleted, @createdAt, @source)`,
            )
            .run({
              versionId: request.versionId,
              annotationUid: request.annotationUid,
              parentId: request.parentVersionId,
              studyUid: request.studyInstanceUID,
              seriesUid: request.seriesInstanceUID,
              width: request.width,
              height: request.height,
              bits: request.bits,
              layers: request.layers,
              segments: JSON.stringify(request.segments),
              author,
              source,
              deleted: request.deleted ? 1 : 0,
              createdAt: this.#now(),
            });
        }
        const insert = this.#db.prepare(
          `INSERT OR REPLACE INTO labelmap_slice (version_id, layer, sop_uid, frame, bytes)
           VALUES (?, ?, ?, ?, ?)`,
        );
        for (const { slice, bytes } of chunks)
          insert.run(request.versionId, slice.layer, slice.sopInstanceUID, slice.frame, bytes);
        return { versionId: request.versionId, slicesStored: chunks.length };
      })
      .immediate();
  }

  /** The newest version of each segmentation of a series (deleted ones left out). */
  listHeads(seriesInstanceUID: string): LabelmapHead[] {
    const rows = this.#db
      .prepare<[string], VersionRow>(
        `SELECT v.* FROM labelmap_version v
          WHERE v.series_uid = ?
            AND NOT EXISTS (SELECT 1 FROM labelmap_version c WHERE c.parent_id = v.version_id)
          ORDER BY v.created_at, v.version_id`,
      )
      .all(seriesInstanceUID);
    // Two heads of one annotation (a conflict) both come back; the newest first within it.
    return rows.filter((row) => row.deleted === 0).map((row) => headOf(row));
  }

  /** Every non-empty slice of a version (default: the newest of the annotation), compressed. */
  load(annotationUid: string, versionId?: string): LabelmapVersionView {
    const version = this.#resolve(annotationUid, versionId);
    const slices: LabelmapSliceChunk[] = [];
    for (const [, slice] of this.#slices(version))
      if (slice.bytes.length > 0)
        slices.push({
          layer: slice.layer,
          sopInstanceUID: slice.sop_uid,
          frame: slice.frame,
          data: slice.bytes.toString('base64'),
        });
    return { ...headOf(version), deleted: version.deleted === 1, slices };
  }

  /** SHA-256 of every non-empty slice of a version, uncompressed (tests compare them across a reload). */
  sliceHashes(annotationUid: string, versionId?: string): LabelmapSliceHash[] {
    const version = this.#resolve(annotationUid, versionId);
    const hashes: LabelmapSliceHash[] = [];
    for (const [, slice] of this.#slices(version)) {
      if (slice.bytes.length === 0) continue;
      const raw = zlib.inflateSync(slice.bytes);
      hashes.push({
        layer: slice.layer,
        sopInstanceUID: slice.sop_uid,
        frame: slice.frame,
        sha256: crypto.createHash('sha256').update(raw).digest('hex'),
        labelled: countNonZero(raw, version.bits),
      });
    }
    return hashes.sort(
      (a, b) => a.layer - b.layer || a.sopInstanceUID.localeCompare(b.sopInstanceUID) || a.frame - b.frame,
    );
  }

  /** The voxels of a version, uncompressed, for export (see the module comment). */
  readLabelmap(annotationUid: string, versionId?: string): Labelmap | null {
    let version: VersionRow;
    try {
      version = this.#resolve(annotationUid, versionId);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.NotFound) return null;
      throw error;
    }
    const layers: Array<Map<string, Uint8Array | Uint16Array>> = Array.from(
      { length: version.layers },
      () => new Map(),
    );
    for (const [, slice] of this.#slices(version)) {
      if (slice.bytes.length === 0) continue;
      const raw = zlib.inflateSync(slice.bytes);
      const voxels =
        version.bits === 8 ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : uint16Of(raw);
      while (layers.length <= slice.layer) layers.push(new Map());
      layers[slice.layer]!.set(sliceKeyOf(slice.sop_uid, slice.frame), voxels);
    }
    return {
      annotationUid,
      versionId: version.version_id,
      studyInstanceUID: version.study_uid,
      seriesInstanceUID: version.series_uid,
      width: version.width,
      height: version.height,
      bits: version.bits as 8 | 16,
      segments: parseSegments(version.segments),
      layers,
    };
  }

  #version(versionId: string): VersionRow | undefined {
    return this.#db
      .prepare<[string], VersionRow>('SELECT * FROM labelmap_version WHERE version_id = ?')
      .get(versionId);
  }

  #resolve(annotationUid: string, versionId?: string): VersionRow {
    const row = versionId
      ? this.#version(versionId)
      : this.#db
          .prepare<[string], VersionRow>(
            `SELECT v.* FROM labelmap_version v
              WHERE v.annotation_uid = ?
                AND NOT EXISTS (SELECT 1 FROM labelmap_version c WHERE c.parent_id = v.version_id)
              ORDER BY v.created_at DESC, v.version_id DESC LIMIT 1`,
          )
          .get(annotationUid);
    if (!row || row.annotation_uid !== annotationUid)
      throw new AppError(ErrorCode.NotFound, 'This segmentation is not stored here.');
    return row;
  }

  /** The newest chunk of every slice along a version's ancestry, by `layer/sop/frame`. */
  #slices(version: VersionRow): Map<string, SliceRow> {
    const rows = this.#db
      .prepare<[string], SliceRow & { depth: number }>(
        `WITH RECURSIVE ancestry(version_id, depth) AS (
           SELECT ?, 0
           UNION ALL
           SELECT v.parent_id, a.depth + 1 FROM labelmap_version v JOIN ancestry a ON v.version_id = a.version_id
            WHERE v.parent_id IS NOT NULL
         )
         SELECT s.layer, s.sop_uid, s.frame, s.bytes, a.depth FROM labelmap_slice s
           JOIN ancestry a ON a.version_id = s.version_id
          ORDER BY a.depth DESC`,
      )
      .all(version.version_id);
    const newest = new Map<string, SliceRow>();
    // Oldest first: a newer chunk of the same slice replaces an older one.
    for (const row of rows) newest.set(`${row.layer}/${row.sop_uid}/${row.frame}`, row);
    return newest;
  }
}

function headOf(row: VersionRow): LabelmapHead {
  return {
    annotationUid: row.annotation_uid,
    versionId: row.version_id,
    parentVersionId: row.parent_id,
    studyInstanceUID: row.study_uid,
    seriesInstanceUID: row.series_uid,
    width: row.width,
    height: row.height,
    bits: row.bits as 8 | 16,
    layers: row.layers,
    segments: parseSegments(row.segments),
    createdAt: row.created_at,
    author: row.author,
    source: row.source ?? 'human',
  };
}

function parseSegments(json: string): SegmentInfo[] {
  const parsed = SegmentInfo.array().safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : [];
}

/** Decodes and checks one chunk: it must inflate to exactly one slice. */
function checkedChunk(
  slice: LabelmapSliceChunk,
  sliceBytes: number,
  request: Pick<SaveSlices, 'layers'>,
): Buffer {
  if (slice.layer >= request.layers)
    throw new AppError(
      ErrorCode.InvalidRequest,
      'A labelmap slice names a layer the segmentation does not have.',
    );
  if (slice.data === '') return Buffer.alloc(0);
  const bytes = Buffer.from(slice.data, 'base64');
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(bytes, { maxOutputLength: Math.min(MAX_SLICE_BYTES, sliceBytes + 1) });
  } catch (error) {
    throw new AppError(ErrorCode.InvalidRequest, 'A labelmap slice is not a valid compressed slice.', {
      cause: error,
    });
  }
  if (raw.length !== sliceBytes)
    throw new AppError(
      ErrorCode.InvalidRequest,
      `A labelmap slice holds ${raw.length} bytes where the image needs ${sliceBytes}.`,
    );
  return bytes;
}

function uint16Of(raw: Buffer): Uint16Array {
  const out = new Uint16Array(raw.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = raw.readUInt16LE(i * 2);
  return out;
}

function countNonZero(raw: Buffer, bits: number): number {
  let count = 0;
  if (bits === 8) {
    for (const value of raw) if (value !== 0) count++;
  } else {
    for (let i = 0; i < raw.length; i += 2) if (raw[i] !== 0 || raw[i + 1] !== 0) count++;
  }
  return count;
}
