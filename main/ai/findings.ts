/**
 * AI findings and the reader's decisions on them (issue #11 item 1, docs/ai-review.md).
 *
 * An AI finding is an annotation chain holding a version whose source is `ai:<model>` (read from a
 * device's SR by sr-read.ts, or pulled by sync). Decisions are versions of that chain, saved
 * through the annotation store like every edit (so they survive a reload or a crash the same way):
 *
 * - accept: a version by the reader (source `human`) whose parent is the AI version (or the
 *   reader's own newest version of the chain), with the AI content and `data.aiDecision`
 *   `{ decision: 'accepted', aiVersionId, source }`; `data.ai` (model, confidence, AI object) kept;
 * - edit: the same with `edited` (the renderer then opens it for editing);
 * - reject: a deletion by the reader with `rejected` and the reason;
 * - undo of a bulk accept: a version with the AI content and source and `undone`.
 *
 * The reader's decision is read back from the chain's history: the newest version by that reader
 * after the AI version that carries a mark; a reader's own unmarked `human` version there (an edit
 * in the viewer) counts as edited, an unmarked deletion as rejected.
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3-multiple-ciphers';
import {
  type AiDecisionKind,
  type AiDecisionMark,
  type AiFinding,
  AiProvenance,
  DEFAULT_REJECTION_REASONS,
  type RejectionReason,
} from '../../shared/ai.js';
import type { AnnotationVersion, AnnotationVersionInput, LabelSchema } from '../../shared/annotation.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { AiSegments } from './segments.js';

export interface AiFindingSource {
  /** Every version of a chain, oldest first. */
  history(annotationUid: string): AnnotationVersion[];
  /**
   * Every version of each of the study's chains holding an AI version, by chain, oldest first (one
   * query instead of `history` per chain); without it, `history` is asked per chain.
   */
  aiHistories?(studyInstanceUID: string): Map<string, AnnotationVersion[]>;
  /** Stores versions (one transaction) and tells the renderer (annotation.changed). */
  save(versions: AnnotationVersionInput[]): Promise<void>;
  schema(): LabelSchema;
  reader(): string;
}

interface DecisionState {
  decision: AiDecisionKind | null;
  reasonId: string | null;
  readerVersion: AnnotationVersion | null;
  decidedAt: number | null;
  batchId: string | null;
}

export const isAiSource = (source: string): boolean => source.startsWith('ai:');

/**
 * A finding as main works with it: the whole AI version (a decision copies its drawing and
 * attributes) and the bulk accept it belongs to. The list sends `findingForList` of it.
 */
export type AiFindingRecord = Omit<AiFinding, 'aiVersion' | 'provenance'> & {
  aiVersion: AnnotationVersion;
  provenance: AiProvenance;
  batchId: string | null;
};

/**
 * A finding as `ai.findings` and `ai.decide` send it (shared/ai.ts AiFinding): of the AI version
 * only its place, kind, label and model, of its provenance what the badge shows; its drawing is
 * the annotation's, which the renderer has from `annotation.list`, and the AI object's UIDs stay
 * in the version's `data.ai` (docs/ai-review.md "Speed").
 */
export function findingForList({
  aiVersion: v,
  provenance: p,
  batchId: _batchId,
  ...finding
}: AiFindingRecord): AiFinding {
  return {
    ...finding,
    provenance: {
      model: p.model,
      ...(p.manufacturer !== undefined ? { manufacturer: p.manufacturer } : {}),
      ...(p.modelName !== undefined ? { modelName: p.modelName } : {}),
      ...(p.version !== undefined ? { version: p.version } : {}),
      ...(p.confidence !== undefined ? { confidence: p.confidence } : {}),
    },
    aiVersion: {
      versionId: v.versionId,
      studyInstanceUID: v.studyInstanceUID,
      ...(v.seriesInstanceUID !== undefined ? { seriesInstanceUID: v.seriesInstanceUID } : {}),
      ...(v.sopInstanceUID !== undefined ? { sopInstanceUID: v.sopInstanceUID } : {}),
      ...(v.frameNumber !== undefined ? { frameNumber: v.frameNumber } : {}),
      kind: v.kind,
      tool: v.tool,
      ...(v.labelId !== undefined ? { labelId: v.labelId } : {}),
      source: v.source,
    },
  };
}

function markOf(version: AnnotationVersion): AiDecisionMark | null {
  const mark = (version.data as { aiDecision?: unknown }).aiDecision;
  if (!mark || typeof mark !== 'object') return null;
  const decision = (mark as { decision?: unknown }).decision;
  return decision === 'accepted' || decision === 'edited' || decision === 'rejected' || decision === 'undone'
    ? (mark as AiDecisionMark)
    : null;
}

/** The AI version of a chain: its newest version from a model that is not a reader's undo. */
export function aiVersionOf(history: readonly AnnotationVersion[]): AnnotationVersion | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const version = history[i]!;
    if (isAiSource(version.source) && !markOf(version)) return version;
  }
  return null;
}

/** What `reader` decided about the chain's AI version (see the module comment). */
export function decisionOf(
  history: readonly AnnotationVersion[],
  aiVersion: AnnotationVersion,
  reader: string,
): DecisionState {
  const start = history.indexOf(aiVersion);
  const mine = history.slice(start + 1).filter((version) => version.author === reader);
  const state: DecisionState = {
    decision: null,
    reasonId: null,
    readerVersion: mine[mine.length - 1] ?? null,
    decidedAt: null,
    batchId: null,
  };
  for (const version of mine) {
    const mark = markOf(version);
    if (mark) {
      state.decision = mark.decision === 'undone' ? null : mark.decision;
      state.reasonId = mark.decision === 'rejected' ? (mark.reasonId ?? null) : null;
      state.batchId = mark.decision === 'accepted' ? (mark.batchId ?? null) : null;
      state.decidedAt = mark.decision === 'undone' ? null : version.createdAt;
    } else if (version.deleted) {
      state.decision = 'rejected';
      state.reasonId = null;
      state.batchId = null;
      state.decidedAt = version.createdAt;
    } else if (!isAiSource(version.source) && state.decision !== 'rejected') {
      // The reader changed it in the viewer: an edit (after an accept too: no longer as proposed).
      if (state.decision === null) state.decidedAt = version.createdAt;
      state.decision = state.decision === null || state.decision === 'accepted' ? 'edited' : state.decision;
      state.batchId = null;
    }
  }
  return state;
}

/** The provenance the SR reader stored with the AI version (`data.ai`), with the model as fallback. */
export function provenanceOf(aiVersion: AnnotationVersion): AiProvenance {
  const parsed = AiProvenance.safeParse((aiVersion.data as { ai?: unknown }).ai);
  if (parsed.success) return parsed.data;
  return { model: aiVersion.source.slice(3) };
}

export function rejectionReasons(schema: LabelSchema): RejectionReason[] {
  return schema.rejectionReasons ?? [...DEFAULT_REJECTION_REASONS];
}

export class AiFindings {
  readonly #source: AiFindingSource;
  readonly #aiChains;
  /** The segments of AI SEGs (main/ai/segments.ts), when served. */
  readonly #segments: AiSegments | null;

  constructor(db: Database.Database, source: AiFindingSource, segments?: AiSegments) {
    this.#source = source;
    this.#segments = segments ?? null;
    this.#aiChains = db.prepare<[string], { annotation_uid: string }>(
      `SELECT annotation_uid FROM annotation_version
        WHERE study_uid = ? AND source LIKE 'ai:%'
        GROUP BY annotation_uid ORDER BY min(seq)`,
    );
  }

  /** The study's AI findings with the current reader's decisions, in the AI object's order. */
  list(studyInstanceUID: string): AiFindingRecord[] {
    const reader = this.#source.reader();
    const findings: AiFindingRecord[] = [];
    const histories = this.#source.aiHistories?.(studyInstanceUID);
    for (const { annotation_uid: annotationUid } of this.#aiChains.all(studyInstanceUID)) {
      const history = histories?.get(annotationUid) ?? this.#source.history(annotationUid);
      const aiVersion = aiVersionOf(history);
      if (!aiVersion || aiVersion.kind !== 'measurement') continue;
      const state = decisionOf(history, aiVersion, reader);
      findings.push({
        annotationUid,
        aiVersion,
        provenance: provenanceOf(aiVersion),
        decision: state.decision,
        reasonId: state.reasonId,
        readerVersionId: state.readerVersion?.versionId ?? null,
        decidedAt: state.decidedAt,
        batchId: state.batchId,
      });
    }
    // Then each segment of the study's AI SEGs (one finding per segment).
    if (this.#segments) findings.push(...this.#segments.list(studyInstanceUID, reader));
    return findings;
  }

  /** The decision version for one finding (not saved). */
  #decisionVersion(
    finding: AiFindingRecord,
    decision: AiDecisionKind,
    extra: { reasonId?: string; batchId?: string },
  ): AnnotationVersionInput {
    const history = this.#source.history(finding.annotationUid);
    const parent =
      (finding.readerVersionId ? history.find((v) => v.versionId === finding.readerVersionId) : null) ??
      finding.aiVersion;
    // The content decided on: the reader's own newest version when it is there and not a deletion
    // (an earlier edit), else the AI's.
    const base = parent.deleted ? finding.aiVersion : parent;
    const mark: AiDecisionMark = {
      decision,
      aiVersionId: finding.aiVersion.versionId,
      source: finding.aiVersion.source,
      ...(extra.reasonId ? { reasonId: extra.reasonId } : {}),
      ...(extra.batchId ? { batchId: extra.batchId } : {}),
    };
    const { ai } = finding.aiVersion.data as { ai?: unknown };
    return {
      versionId: crypto.randomUUID(),
      annotationUid: finding.annotationUid,
      parentIds: [parent.versionId],
      studyInstanceUID: base.studyInstanceUID,
      ...(base.seriesInstanceUID ? { seriesInstanceUID: base.seriesInstanceUID } : {}),
      ...(base.sopInstanceUID ? { sopInstanceUID: base.sopInstanceUID } : {}),
      ...(base.frameNumber !== undefined ? { frameNumber: base.frameNumber } : {}),
      kind: base.kind,
      tool: base.tool,
      ...(base.labelId ? { labelId: base.labelId } : {}),
      attributes: base.attributes,
      data: { ...base.data, ...(ai !== undefined ? { ai } : {}), aiDecision: mark },
      source: 'human',
      status: 'draft',
      deleted: decision === 'rejected',
    };
  }

  #finding(studyInstanceUID: string, annotationUid: string): AiFindingRecord {
    const finding = this.list(studyInstanceUID).find((f) => f.annotationUid === annotationUid);
    if (!finding)
      throw new AppError(
        ErrorCode.NotFound,
        'This AI finding is not in the study (or no longer an AI finding).',
      );
    return finding;
  }

  async decide(request: {
    studyInstanceUID: string;
    annotationUid: string;
    decision: AiDecisionKind;
    reasonId?: string | undefined;
  }): Promise<{ version: AnnotationVersion; finding: AiFinding }> {
    const finding = this.#finding(request.studyInstanceUID, request.annotationUid);
    if (request.decision === 'rejected') {
      const reasons = rejectionReasons(this.#source.schema());
      if (!request.reasonId || !reasons.some((reason) => reason.id === request.reasonId))
        throw new AppError(
          ErrorCode.InvalidRequest,
          `Choose a reason for rejecting this AI finding (${reasons.map((r) => r.name.en).join(', ')}).`,
        );
    }
    if (finding.segment && this.#segments) {
      await this.#segments.apply(request.studyInstanceUID, this.#source.reader(), [
        { finding, decision: request.decision, reasonId: request.reasonId },
      ]);
      const decided = this.#finding(request.studyInstanceUID, request.annotationUid);
      return { version: decided.aiVersion, finding: findingForList(decided) };
    }
    const input = this.#decisionVersion(finding, request.decision, {
      ...(request.reasonId && request.decision === 'rejected' ? { reasonId: request.reasonId } : {}),
    });
    await this.#source.save([input]);
    const stored = this.#source.history(finding.annotationUid).find((v) => v.versionId === input.versionId);
    if (!stored) throw new AppError(ErrorCode.Internal, 'The decision was not stored.');
    const updated = this.#finding(request.studyInstanceUID, request.annotationUid);
    return { version: stored, finding: findingForList(updated) };
  }

  /** Accepts every undecided finding at or above `minConfidence` as one batch (one undo step). */
  async acceptAbove(
    studyInstanceUID: string,
    minConfidence: number,
  ): Promise<{ batchId: string | null; accepted: number; annotationUids: string[] }> {
    const batchId = crypto.randomUUID();
    const chosen = this.list(studyInstanceUID).filter(
      (finding) =>
        finding.decision === null &&
        finding.provenance.confidence !== undefined &&
        finding.provenance.confidence >= minConfidence,
    );
    const segments = chosen.filter((finding) => finding.segment);
    if (segments.length > 0 && this.#segments)
      await this.#segments.apply(
        studyInstanceUID,
        this.#source.reader(),
        segments.map((finding) => ({ finding, decision: 'accepted' as const, batchId })),
      );
    const inputs = chosen
      .filter((finding) => !finding.segment)
      .map((finding) => this.#decisionVersion(finding, 'accepted', { batchId }));
    const annotationUids = chosen.map((finding) => finding.annotationUid);
    if (inputs.length === 0)
      return segments.length > 0
        ? { batchId, accepted: segments.length, annotationUids }
        : { batchId: null, accepted: 0, annotationUids: [] };
    // One transaction per 500 findings (the contract's limit per save): a batch is stored whole.
    for (let i = 0; i < inputs.length; i += 500) await this.#source.save(inputs.slice(i, i + 500));
    return { batchId, accepted: inputs.length + segments.length, annotationUids };
  }

  /** Puts back to undecided what batch `batchId` accepted and the reader has not changed since. */
  async undoBatch(
    studyInstanceUID: string,
    batchId: string,
  ): Promise<{ undone: number; annotationUids: string[] }> {
    const inputs: AnnotationVersionInput[] = [];
    const segments: AiFindingRecord[] = [];
    for (const finding of this.list(studyInstanceUID)) {
      if (finding.segment) {
        if (finding.batchId === batchId && finding.decision === 'accepted') segments.push(finding);
        continue;
      }
      if (finding.batchId !== batchId || finding.decision !== 'accepted' || !finding.readerVersionId)
        continue;
      const ai = finding.aiVersion;
      inputs.push({
        versionId: crypto.randomUUID(),
        annotationUid: finding.annotationUid,
        parentIds: [finding.readerVersionId],
        studyInstanceUID: ai.studyInstanceUID,
        ...(ai.seriesInstanceUID ? { seriesInstanceUID: ai.seriesInstanceUID } : {}),
        ...(ai.sopInstanceUID ? { sopInstanceUID: ai.sopInstanceUID } : {}),
        ...(ai.frameNumber !== undefined ? { frameNumber: ai.frameNumber } : {}),
        kind: ai.kind,
        tool: ai.tool,
        ...(ai.labelId ? { labelId: ai.labelId } : {}),
        attributes: ai.attributes,
        data: {
          ...ai.data,
          aiDecision: { decision: 'undone', aiVersionId: ai.versionId, source: ai.source, batchId },
        },
        source: ai.source,
        status: ai.status,
        deleted: false,
      });
    }
    for (let i = 0; i < inputs.length; i += 500) await this.#source.save(inputs.slice(i, i + 500));
    if (segments.length > 0 && this.#segments)
      await this.#segments.apply(
        studyInstanceUID,
        this.#source.reader(),
        segments.map((finding) => ({ finding, decision: 'undone' as const, batchId })),
      );
    return {
      undone: inputs.length + segments.length,
      annotationUids: [
        ...inputs.map((input) => input.annotationUid),
        ...segments.map((f) => f.annotationUid),
      ],
    };
  }

  /** The newest bulk accept of the current reader that can still be undone. */
  undoableBatch(findings: readonly AiFindingRecord[]): { batchId: string; count: number } | null {
    let newest: { batchId: string; at: number } | null = null;
    for (const finding of findings)
      if (finding.batchId && finding.decidedAt !== null && (!newest || finding.decidedAt >= newest.at))
        newest = { batchId: finding.batchId, at: finding.decidedAt };
    if (!newest) return null;
    const id = newest.batchId;
    return { batchId: id, count: findings.filter((finding) => finding.batchId === id).length };
  }

  /** Whether the study has AI findings and the reader decided them all (the worklist's "AI reviewed"). */
  summary(studyInstanceUID: string): { findings: number; decided: number } {
    const findings = this.list(studyInstanceUID);
    return { findings: findings.length, decided: findings.filter((f) => f.decision !== null).length };
  }
}
