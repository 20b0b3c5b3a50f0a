/**
 * The segments of an AI SEG as findings (issue #11 item 1, docs/ai-review.md "AI segmentations").
 *
 * A SEG whose segments are all AUTOMATIC is imported as a labelmap version with source
 * `ai:<algorithm>` (main/annotation/dicom/import.ts); what the SEG says about the device (model,
 * manufacturer, model name, version, its UIDs) and each segment's confidence (RADLABEL's private
 * block, else its Segment Description, see `segmentItemConfidence`) are kept in `ai_segmentation`
 * (migration 0019).
 *
 * Each segment is one finding, decided per reader like a measurement:
 * - accept / edit: a row in `ai_segment_decision` and a new version of the reader's own
 *   segmentation made from that SEG (one chain per AI SEG and reader, source `human`, author the
 *   reader): the AI's voxels of every segment the reader accepted or edited, with the AI's segment
 *   numbers, layers and label values; the AI labelmap itself is never changed;
 * - reject: a row with the reason (the segment leaves the reader's segmentation if it was in it);
 * - a bulk accept is one `batch_id`; its undo writes `undone` rows (back to undecided).
 * The reader's SEG export names the AI SEG it came from (`sources`).
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type Database from 'better-sqlite3-multiple-ciphers';
import { type AiDecisionKind, AiProvenance } from '../../shared/ai.js';
import type { AnnotationVersion, LabelSchema } from '../../shared/annotation.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { LabelmapSliceChunk, SegmentInfo } from '../../shared/segmentation.js';
import { type Dataset, items, text } from '../annotation/dicom/dataset.js';
import { derivedUuid } from '../annotation/dicom/import.js';
import type { LabelmapStore } from '../annotation/labelmap-store.js';
import { confidenceOf } from './codes.js';
import type { AiFindingRecord } from './findings.js';

/** The prefix of a segment finding's id: `aiseg:<AI labelmap annotation uid>:<segment number>`. */
export const SEGMENT_FINDING_PREFIX = 'aiseg:';

export const isSegmentFinding = (annotationUid: string): boolean =>
  annotationUid.startsWith(SEGMENT_FINDING_PREFIX);

const CONFIDENCE_TEXT =
  /\b(?:confidence|probability|likelihood|certainty|score)\b\s*[:=]?\s*([0-9]*\.?[0-9]+)\s*(%)?/i;

/** A segment's confidence from its Segment Description ("confidence 0.87", "probability: 91%"). */
export function segmentConfidence(description: string): number | null {
  const match = CONFIDENCE_TEXT.exec(description);
  if (!match) return null;
  return confidenceOf(Number(match[1]), match[2] ?? '');
}

/** The Private Creator of RADLABEL's private block holding a segment's confidence. */
export const PRIVATE_CONFIDENCE_CREATOR = 'RADLABEL AI';

/** A private element's value as a number: text (DS, IS, or UN holding text), a number, or UN float bytes. */
function numberOf(value: unknown): number | null {
  if (Array.isArray(value)) return value.length > 0 ? numberOf(value[0]) : null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const trimmed = value.split('\0').join('').trim();
    return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : null;
  }
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    // UN (a file written in implicit VR): text when it reads as a number, else FD / FL bytes.
    const bytes =
      value instanceof ArrayBuffer
        ? new Uint8Array(value)
        : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    const asText = numberOf(Buffer.from(bytes).toString('latin1'));
    if (asText !== null) return asText;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength === 8) return numberOf(view.getFloat64(0, true));
    if (bytes.byteLength === 4) return numberOf(view.getFloat32(0, true));
  }
  return null;
}

/**
 * A confidence from RADLABEL's private block in `item` (a Segment Sequence item, or the dataset):
 * the block whose Private Creator (gggg,00xx), gggg odd, reads `RADLABEL AI`; its element
 * (gggg,xx01) holds the confidence (DS, FD or FL; UN read as text or float bytes), 0…1, or a
 * percentage when above 1. Elements of another creator's block are never read. Null when absent.
 */
export function privateConfidence(item: Dataset): number | null {
  for (const [key, value] of Object.entries(item)) {
    const match = /^([0-9A-F]{4})00([0-9A-F]{2})$/i.exec(key);
    if (!match || Number.parseInt(match[1]!, 16) % 2 === 0 || Number.parseInt(match[2]!, 16) < 0x10) continue;
    if (text(value).split('\0').join('').trim().toUpperCase() !== PRIVATE_CONFIDENCE_CREATOR) continue;
    const element = `${match[1]}${match[2]}01`.toUpperCase();
    const dataKey = Object.keys(item).find((candidate) => candidate.toUpperCase() === element);
    const number = dataKey ? numberOf(item[dataKey]) : null;
    const confidence = number === null ? null : confidenceOf(number, '');
    if (confidence !== null) return confidence;
  }
  return null;
}

/**
 * A segment's confidence, by the first of: RADLABEL's private block in its Segment Sequence item;
 * its Segment Description (`segmentConfidence`); RADLABEL's private block at the top of the
 * dataset (one confidence for every segment). Nothing else is read (no other free text).
 */
export function segmentItemConfidence(segment: Dataset, dataset: Dataset): number | null {
  return (
    privateConfidence(segment) ??
    segmentConfidence(text(segment['SegmentDescription'])) ??
    privateConfidence(dataset)
  );
}

/** What a device SEG says about itself, and each segment's confidence when it carries one. */
export function segProvenance(dataset: Dataset): {
  provenance: AiProvenance;
  confidences: Record<number, number>;
} {
  const segments = items(dataset['SegmentSequence']);
  const algorithm = text(segments[0]?.['SegmentAlgorithmName']);
  const modelName = text(dataset['ManufacturerModelName']);
  const manufacturer = text(dataset['Manufacturer']);
  const version = text(dataset['SoftwareVersions']);
  const provenance: AiProvenance = {
    model: algorithm || modelName || 'unknown',
    ...(manufacturer ? { manufacturer } : {}),
    ...(modelName ? { modelName } : {}),
    ...(version ? { version } : {}),
    sopInstanceUID: text(dataset['SOPInstanceUID']),
    seriesInstanceUID: text(dataset['SeriesInstanceUID']),
    sopClassUID: text(dataset['SOPClassUID']),
  };
  const confidences: Record<number, number> = {};
  for (const segment of segments) {
    const confidence = segmentItemConfidence(segment, dataset);
    if (confidence !== null) confidences[Number(segment['SegmentNumber'])] = confidence;
  }
  return { provenance, confidences };
}

interface AiSegRow {
  version_id: string;
  annotation_uid: string;
  study_uid: string;
  provenance: string;
  confidences: string;
  series_uid: string;
  segments: string;
  author: string;
  source: string;
  created_at: number;
}

interface DecisionRow {
  seq: number;
  ai_version_id: string;
  ai_annotation_uid: string;
  segment_index: number;
  decision: 'accepted' | 'edited' | 'rejected' | 'undone';
  reason_id: string | null;
  batch_id: string | null;
  reader_annotation_uid: string | null;
  reader_version_id: string | null;
  at: number;
}

/** Per segment of an AI version: its voxel count and the slice where it is largest. */
interface SegmentStats {
  voxels: number;
  sopInstanceUID: string | null;
  frame: number;
}

export type SegmentFinding = AiFindingRecord;

const SOURCE_SAFE = /\s+/g;

/** The segment numbers whose latest decision keeps them in the reader's copy. */
function keptOf(latest: ReadonlyMap<number, AiDecisionKind | 'undone'>): Set<number> {
  return new Set([...latest].filter(([, d]) => d === 'accepted' || d === 'edited').map(([s]) => s));
}

export class AiSegments {
  readonly #db: Database.Database;
  readonly #labelmaps: LabelmapStore;
  readonly #schema: () => LabelSchema;
  readonly #stats = new Map<string, Map<number, SegmentStats>>();

  constructor(db: Database.Database, labelmaps: LabelmapStore, schema: () => LabelSchema) {
    this.#db = db;
    this.#labelmaps = labelmaps;
    this.#schema = schema;
  }

  /** Keeps what an imported device SEG said about itself (idempotent). */
  record(options: {
    versionId: string;
    annotationUid: string;
    studyInstanceUID: string;
    dataset: Dataset;
  }): void {
    const { provenance, confidences } = segProvenance(options.dataset);
    this.#db
      .prepare(
        `INSERT OR IGNORE INTO ai_segmentation (version_id, annotation_uid, study_uid, provenance, confidences)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(
        options.versionId,
        options.annotationUid,
        options.studyInstanceUID,
        JSON.stringify(provenance),
        JSON.stringify(confidences),
      );
  }

  #rows(studyInstanceUID: string): AiSegRow[] {
    return this.#db
      .prepare<[string], AiSegRow>(
        `SELECT s.version_id, s.annotation_uid, s.study_uid, s.provenance, s.confidences,
                v.series_uid, v.segments, v.author, v.source, v.created_at
           FROM ai_segmentation s JOIN labelmap_version v ON v.version_id = s.version_id
          WHERE s.study_uid = ? AND v.deleted = 0
          ORDER BY v.created_at, s.version_id`,
      )
      .all(studyInstanceUID);
  }

  #decisions(studyInstanceUID: string, reader: string): DecisionRow[] {
    return this.#db
      .prepare<[string, string], DecisionRow>(
        `SELECT seq, ai_version_id, ai_annotation_uid, segment_index, decision, reason_id, batch_id,
                reader_annotation_uid, reader_version_id, at
           FROM ai_segment_decision WHERE study_uid = ? AND reader = ? ORDER BY seq`,
      )
      .all(studyInstanceUID, reader);
  }

  #segmentStats(row: AiSegRow): Map<number, SegmentStats> {
    let stats = this.#stats.get(row.version_id);
    if (stats) return stats;
    stats = new Map();
    const labelmap = this.#labelmaps.readLabelmap(row.annotation_uid, row.version_id);
    for (const segment of labelmap?.segments ?? []) {
      const layer = labelmap!.layers[segment.layer];
      let voxels = 0;
      let best: { key: string; count: number } | null = null;
      for (const [key, slice] of layer ?? []) {
        let count = 0;
        for (let i = 0; i < slice.length; i++) if (slice[i] === segment.labelValue) count++;
        voxels += count;
        if (count > 0 && (!best || count > best.count)) best = { key, count };
      }
      const [sop, frame] = best ? best.key.split('#') : [];
      stats.set(segment.segmentIndex, {
        voxels,
        sopInstanceUID: sop ?? null,
        frame: frame ? Number(frame) : 1,
      });
    }
    this.#stats.set(row.version_id, stats);
    return stats;
  }

  /** The study's AI segments as findings, with `reader`'s decisions. */
  list(studyInstanceUID: string, reader: string): SegmentFinding[] {
    const rows = this.#rows(studyInstanceUID);
    if (rows.length === 0) return [];
    const latest = new Map<string, DecisionRow>();
    for (const row of this.#decisions(studyInstanceUID, reader))
      latest.set(`${row.ai_version_id}#${row.segment_index}`, row);
    const labelIds = new Set(this.#schema().labels.map((label) => label.id));
    const findings: SegmentFinding[] = [];
    for (const row of rows) {
      const base = AiProvenance.parse(JSON.parse(row.provenance));
      const confidences = JSON.parse(row.confidences) as Record<string, number>;
      const stats = this.#segmentStats(row);
      const segments = JSON.parse(row.segments) as SegmentInfo[];
      for (const segment of segments) {
        const confidence = confidences[String(segment.segmentIndex)];
        const provenance: AiProvenance = { ...base, ...(confidence !== undefined ? { confidence } : {}) };
        const stat = stats.get(segment.segmentIndex);
        const decision = latest.get(`${row.version_id}#${segment.segmentIndex}`);
        const decided = decision && decision.decision !== 'undone' ? decision : null;
        const uid = `${SEGMENT_FINDING_PREFIX}${row.annotation_uid}:${segment.segmentIndex}`;
        const aiVersion: AnnotationVersion = {
          versionId: derivedUuid('radlabel-ai-segment', row.version_id, String(segment.segmentIndex)),
          annotationUid: uid,
          parentIds: [],
          studyInstanceUID: row.study_uid,
          seriesInstanceUID: row.series_uid,
          ...(stat?.sopInstanceUID ? { sopInstanceUID: stat.sopInstanceUID } : {}),
          ...(stat?.sopInstanceUID && stat.frame > 1 ? { frameNumber: stat.frame } : {}),
          kind: 'segmentation',
          tool: 'Labelmap',
          ...(segment.labelId && labelIds.has(segment.labelId) ? { labelId: segment.labelId } : {}),
          attributes: {},
          data: { ai: provenance },
          source: `ai:${provenance.model.replace(SOURCE_SAFE, '_').slice(0, 128)}`,
          author: row.author,
          status: 'draft',
          deleted: false,
          createdAt: row.created_at,
        };
        findings.push({
          annotationUid: uid,
          aiVersion,
          provenance,
          decision: decided ? (decided.decision as AiDecisionKind) : null,
          reasonId: decided?.decision === 'rejected' ? decided.reason_id : null,
          readerVersionId: decided?.reader_version_id ?? null,
          decidedAt: decided?.at ?? null,
          batchId: decided?.decision === 'accepted' ? decided.batch_id : null,
          segment: {
            annotationUid: row.annotation_uid,
            versionId: row.version_id,
            segmentIndex: segment.segmentIndex,
            name: segment.name,
            color: segment.color,
            voxels: stat?.voxels ?? 0,
          },
        });
      }
    }
    return findings;
  }

  /**
   * Stores decisions (all on segments of the study, by `reader`), then writes the reader's
   * segmentation of each AI SEG concerned once.
   */
  async apply(
    studyInstanceUID: string,
    reader: string,
    decisions: ReadonlyArray<{
      finding: SegmentFinding;
      decision: AiDecisionKind | 'undone';
      reasonId?: string | undefined;
      batchId?: string | undefined;
    }>,
  ): Promise<void> {
    if (decisions.length === 0) return;
    const now = Date.now();
    const insert = this.#db.prepare(
      `INSERT INTO ai_segment_decision (study_uid, ai_annotation_uid, ai_version_id, segment_index, reader,
         decision, reason_id, batch_id, reader_annotation_uid, reader_version_id, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const byVersion = new Map<string, typeof decisions>();
    for (const item of decisions) {
      const key = item.finding.segment!.versionId;
      byVersion.set(key, [...(byVersion.get(key) ?? []), item]);
    }
    for (const [aiVersionId, items_] of byVersion) {
      const segment0 = items_[0]!.finding.segment!;
      const readerUid = derivedUuid('radlabel-ai-segmentation', segment0.annotationUid, aiVersionId, reader);
      // Which segments the reader kept before these decisions, and keeps once they are in.
      const kept = new Map<number, AiDecisionKind | 'undone'>();
      for (const row of this.#decisions(studyInstanceUID, reader))
        if (row.ai_version_id === aiVersionId) kept.set(row.segment_index, row.decision);
      const keptBefore = keptOf(kept);
      for (const item of items_) kept.set(item.finding.segment!.segmentIndex, item.decision);
      const readerVersionId = this.#writeReaderSegmentation(
        segment0.annotationUid,
        aiVersionId,
        readerUid,
        reader,
        keptOf(kept),
        keptBefore,
      );
      this.#db.transaction(() => {
        for (const item of items_)
          insert.run(
            studyInstanceUID,
            segment0.annotationUid,
            aiVersionId,
            item.finding.segment!.segmentIndex,
            reader,
            item.decision,
            item.decision === 'rejected' ? (item.reasonId ?? null) : null,
            item.batchId ?? null,
            readerVersionId ? readerUid : null,
            readerVersionId,
            now,
          );
      })();
    }
  }

  /** The newest version of the reader's segmentation made from an AI version, else null. */
  #readerHead(readerUid: string): { versionId: string; deleted: boolean } | null {
    const row = this.#db
      .prepare<[string], { version_id: string; deleted: number }>(
        `SELECT v.version_id, v.deleted FROM labelmap_version v
          WHERE v.annotation_uid = ?
            AND NOT EXISTS (SELECT 1 FROM labelmap_version c WHERE c.parent_id = v.version_id)
          ORDER BY v.created_at DESC, v.version_id DESC LIMIT 1`,
      )
      .get(readerUid);
    return row ? { versionId: row.version_id, deleted: row.deleted === 1 } : null;
  }

  /**
   * A new version of the reader's segmentation: the reader's newest version with the segments they
   * no longer keep taken out and the newly kept ones added with the AI's voxels (a deletion when
   * none is kept and there was one). Segments already in it keep the reader's voxels (an edit
   * painted in the viewer survives later decisions on other segments); a segment the reader added
   * there is kept. A segment added where its AI layer and label value are taken by another segment
   * of the reader's goes to a layer of its own. Returns its id, or null when nothing was written.
   *
   * A segment of the copy that carries an AI segment's number which the reader did not keep before
   * these decisions (`keptBefore`) is not the AI's but one the reader added in the editor while that
   * AI segment was undecided (before the renderer reserved the AI's numbers, the editor could give
   * it one of them). It is the reader's own: it stays, with its voxels, under the next free number
   * (past every number of the AI's and of the copy), and the AI segment of that number is decided
   * as any other (added beside it when kept).
   */
  #writeReaderSegmentation(
    aiAnnotationUid: string,
    aiVersionId: string,
    readerUid: string,
    reader: string,
    keep: ReadonlySet<number>,
    keptBefore: ReadonlySet<number>,
  ): string | null {
    const head = this.#readerHead(readerUid);
    if (keep.size === 0 && (!head || head.deleted)) return null;
    const ai = this.#labelmaps.readLabelmap(aiAnnotationUid, aiVersionId);
    if (!ai) throw new AppError(ErrorCode.NotFound, 'The AI segmentation is no longer stored here.');
    const current = head && !head.deleted ? this.#labelmaps.readLabelmap(readerUid, head.versionId) : null;
    const aiIndices = new Set(ai.segments.map((segment) => segment.segmentIndex));
    const labels = new Map(this.#schema().labels.map((label) => [label.id, label]));
    // The reader's own segments under an AI segment's number get the next free numbers.
    let nextNumber = Math.max(0, ...aiIndices, ...(current?.segments ?? []).map((s) => s.segmentIndex)) + 1;
    const mineOrKept = (current?.segments ?? []).map((segment) =>
      aiIndices.has(segment.segmentIndex) && !keptBefore.has(segment.segmentIndex)
        ? { ...segment, segmentIndex: nextNumber++ }
        : segment,
    );
    // The reader's segments that stay: those kept, and those the reader added themselves.
    const stay = mineOrKept.filter(
      (segment) => !aiIndices.has(segment.segmentIndex) || keep.has(segment.segmentIndex),
    );
    const present = new Set(stay.map((segment) => segment.segmentIndex));
    const layerCount = Math.max(1, current?.layers.length ?? 0, ai.layers.length);
    let nextLayer = layerCount;
    const taken = new Set(stay.map((segment) => `${segment.layer}#${segment.labelValue}`));
    // Newly kept segments: the AI's voxels, on the AI's layer unless that binding is taken.
    const added = ai.segments
      .filter((segment) => keep.has(segment.segmentIndex) && !present.has(segment.segmentIndex))
      .map((segment) => {
        const color = segment.labelId ? labels.get(segment.labelId)?.color : undefined;
        const layer = taken.has(`${segment.layer}#${segment.labelValue}`) ? nextLayer++ : segment.layer;
        taken.add(`${layer}#${segment.labelValue}`);
        return {
          info: { ...segment, layer, ...(color && /^#[0-9a-f]{6}$/i.test(color) ? { color } : {}) },
          from: segment,
        };
      });
    const segments = [...stay, ...added.map((item) => item.info)].sort(
      (a, b) => a.segmentIndex - b.segmentIndex,
    );
    const bits = current?.bits ?? ai.bits;
    const slices: LabelmapSliceChunk[] = [];
    for (let layer = 0; layer < nextLayer; layer++) {
      const stayValues = new Set(stay.filter((s) => s.layer === layer).map((s) => s.labelValue));
      const adds = added.filter((item) => item.info.layer === layer);
      const mine = current?.layers[layer];
      const keys = new Set<string>([
        ...(mine?.keys() ?? []),
        ...adds.flatMap((item) => [...(ai.layers[item.from.layer]?.keys() ?? [])]),
      ]);
      for (const key of keys) {
        const size = ai.width * ai.height;
        const out = bits === 16 ? new Uint16Array(size) : new Uint8Array(size);
        let any = false;
        const own = mine?.get(key);
        if (own)
          for (let i = 0; i < size; i++)
            if (own[i] !== 0 && stayValues.has(own[i]!)) {
              out[i] = own[i]!;
              any = true;
            }
        for (const { from, info } of adds) {
          const source = ai.layers[from.layer]?.get(key);
          if (!source) continue;
          for (let i = 0; i < size; i++)
            if (source[i] === from.labelValue && out[i] === 0) {
              out[i] = info.labelValue;
              any = true;
            }
        }
        const [sop, frame] = key.split('#');
        const raw = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
        slices.push({
          layer,
          sopInstanceUID: sop!,
          frame: frame ? Number(frame) : 1,
          data: any ? zlib.deflateSync(raw, { level: 1 }).toString('base64') : '',
        });
      }
    }
    const versionId = crypto.randomUUID();
    this.#labelmaps.saveSlices(
      {
        annotationUid: readerUid,
        versionId,
        parentVersionId: head?.versionId ?? null,
        studyInstanceUID: ai.studyInstanceUID,
        seriesInstanceUID: ai.seriesInstanceUID,
        width: ai.width,
        height: ai.height,
        bits,
        layers: nextLayer,
        segments,
        deleted: segments.length === 0,
        slices,
      },
      reader,
      'human',
    );
    return versionId;
  }

  /** The AI SEGs a reader's segmentation was made from, and each kept segment's model and decision. */
  sources(readerAnnotationUid: string): {
    references: Array<{
      studyInstanceUID: string;
      seriesInstanceUID: string;
      sopClassUID: string;
      sopInstanceUID: string;
    }>;
    segments: Array<{ segmentIndex: number; model: string; decision: 'accepted' | 'edited' }>;
  } {
    const rows = this.#db
      .prepare<[string], DecisionRow & { study_uid: string; provenance: string }>(
        `SELECT d.*, s.provenance FROM ai_segment_decision d
           JOIN ai_segmentation s ON s.version_id = d.ai_version_id
          WHERE d.reader_annotation_uid = ? ORDER BY d.seq`,
      )
      .all(readerAnnotationUid);
    const references = new Map<string, ReturnType<AiSegments['sources']>['references'][number]>();
    const latest = new Map<number, { model: string; decision: DecisionRow['decision'] }>();
    for (const row of rows) {
      const provenance = AiProvenance.parse(JSON.parse(row.provenance));
      if (provenance.sopInstanceUID && provenance.seriesInstanceUID && provenance.sopClassUID)
        references.set(provenance.sopInstanceUID, {
          studyInstanceUID: row.study_uid,
          seriesInstanceUID: provenance.seriesInstanceUID,
          sopClassUID: provenance.sopClassUID,
          sopInstanceUID: provenance.sopInstanceUID,
        });
      latest.set(row.segment_index, { model: provenance.model, decision: row.decision });
    }
    const segments = [...latest]
      .filter(([, d]) => d.decision === 'accepted' || d.decision === 'edited')
      .map(([segmentIndex, d]) => ({
        segmentIndex,
        model: d.model,
        decision: d.decision as 'accepted' | 'edited',
      }));
    return { references: segments.length > 0 ? [...references.values()] : [], segments };
  }
}
