/**
 * Conflicts between annotation versions (issue #10 item 5, docs/sync.md "Conflicts").
 *
 * Detection needs nothing of its own: the annotation store keeps immutable versions with their
 * parents, and a version whose parent is no longer a head becomes a second head
 * (main/annotation/store.ts). So a pull that imports another reader's edit of a version this
 * reader edited too leaves the annotation with two heads: that is the conflict, found here by
 * asking for annotations with more than one head.
 *
 * Resolution always writes ONE new version whose parents are every head the reader was shown, so
 * every head stays in the history (nothing dropped) and the annotation has one head again:
 * - keep: the new version carries the kept head's content;
 * - merge: the shape of one head with the label and attributes the reader chose;
 * - keepBoth: as keep, and each other head that is not a deletion is first copied into an
 *   annotation of its own (new annotation UID, the head's author and source).
 * The request names the heads the reader saw; if they changed since (another pull), nothing is
 * written and the reader is asked to look again. Each resolution is recorded (migration 0012).
 */
import crypto from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import type { AnnotationVersion, AnnotationVersionInput } from '../../shared/annotation.js';
import type { Handlers } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import {
  ResolveConflictRequest,
  type ResolveConflictResponse,
  type SyncConflict,
  type syncConflictMethods,
} from '../../shared/sync-conflicts.js';
import type { AnnotationStore } from '../annotation/store.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { keyConnection, sqliteBinding } from '../core/sqlite.js';

type ConflictHandlers = Pick<Handlers, keyof typeof syncConflictMethods>;

export interface ConflictServiceOptions {
  catalogFile: string;
  store: AnnotationStore;
  /** The reader resolving (recorded with the resolution; the store stamps the new version). */
  reader: () => string;
  now?: () => number;
  nativeBinding?: string;
}

export interface ResolutionRecord {
  annotationUid: string;
  studyInstanceUID: string;
  action: 'keep' | 'merge' | 'keepBoth';
  headVersionIds: string[];
  resolvedVersionId: string;
  copies: ResolveConflictResponse['copies'];
  reader: string;
  resolvedAt: number;
}

export class ConflictService {
  readonly #db: Database.Database;
  readonly #store: AnnotationStore;
  readonly #reader: () => string;
  readonly #now: () => number;

  constructor(options: ConflictServiceOptions) {
    try {
      this.#db = new Database(options.catalogFile, {
        fileMustExist: true,
        ...sqliteBinding(options.nativeBinding),
      });
      keyConnection(this.#db, options.catalogFile);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('busy_timeout = 5000');
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'The annotation store in the data folder could not be opened.', {
        cause: error,
      });
    }
    this.#store = options.store;
    this.#reader = options.reader;
    this.#now = options.now ?? (() => Date.now());
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Annotations with two or more heads, oldest conflict first; one study's when given. */
  conflicts(studyInstanceUID?: string): SyncConflict[] {
    const rows = this.#db
      .prepare<unknown[], { annotation_uid: string; study_uid: string }>(
        `SELECT annotation_uid, min(study_uid) AS study_uid FROM annotation_head
          ${studyInstanceUID !== undefined ? 'WHERE study_uid = ?' : ''}
          GROUP BY annotation_uid HAVING count(*) > 1 ORDER BY min(version_seq)`,
      )
      .all(...(studyInstanceUID !== undefined ? [studyInstanceUID] : []));
    return rows.map((row) => {
      const heads = this.#heads(row.annotation_uid);
      return {
        annotationUid: row.annotation_uid,
        studyInstanceUID: row.study_uid,
        heads,
        base: this.#base(row.annotation_uid, heads),
      };
    });
  }

  /** Studies with at least one conflict (the sync panel's `conflict` state). */
  conflictStudies(): Set<string> {
    const rows = this.#db
      .prepare<[], { study_uid: string }>(
        `SELECT DISTINCT study_uid FROM annotation_head
          WHERE annotation_uid IN (SELECT annotation_uid FROM annotation_head GROUP BY annotation_uid HAVING count(*) > 1)`,
      )
      .all();
    return new Set(rows.map((row) => row.study_uid));
  }

  resolve(input: ResolveConflictRequest): ResolveConflictResponse {
    const request = ResolveConflictRequest.parse(input);
    const heads = this.#heads(request.annotationUid);
    const current = new Set(heads.map((head) => head.versionId));
    const shown = new Set(request.headVersionIds);
    if (heads.length < 2) {
      throw new AppError(
        ErrorCode.Conflict,
        'This annotation has no conflict any more (it was resolved meanwhile); nothing was changed.',
      );
    }
    if (current.size !== shown.size || [...shown].some((id) => !current.has(id))) {
      throw new AppError(
        ErrorCode.Conflict,
        'This annotation changed since the conflict was shown (new edits arrived); look at it again. Nothing was changed.',
      );
    }
    const pick = (versionId: string): AnnotationVersion => {
      const head = heads.find((h) => h.versionId === versionId);
      if (!head)
        throw new AppError(
          ErrorCode.InvalidRequest,
          'The chosen version is not one of the conflicting ones.',
        );
      return head;
    };
    const parentIds = heads.map((head) => head.versionId);
    const versions: AnnotationVersionInput[] = [];
    const copies: ResolveConflictResponse['copies'] = [];
    let resolved: AnnotationVersionInput;
    if (request.action === 'merge') {
      const shape = pick(request.shapeFromVersionId);
      const { labelId: _dropLabel, ...rest } = contentOf(shape);
      resolved = {
        ...rest,
        ...(request.labelId !== null ? { labelId: request.labelId } : {}),
        attributes: request.attributes,
        deleted: false,
        versionId: crypto.randomUUID(),
        parentIds,
      };
    } else {
      const kept = pick(request.keepVersionId);
      if (request.action === 'keepBoth') {
        for (const other of heads) {
          if (other.versionId === kept.versionId || other.deleted) continue;
          const copy: AnnotationVersionInput = {
            ...contentOf(other),
            source: other.source,
            author: other.author,
            versionId: crypto.randomUUID(),
            annotationUid: crypto.randomUUID(),
            parentIds: [],
          };
          versions.push(copy);
          copies.push({
            annotationUid: copy.annotationUid,
            fromVersionId: other.versionId,
            versionId: copy.versionId,
          });
        }
      }
      resolved = { ...contentOf(kept), versionId: crypto.randomUUID(), parentIds };
    }
    versions.push(resolved);
    this.#store.save(versions);
    const record: ResolutionRecord = {
      annotationUid: request.annotationUid,
      studyInstanceUID: heads[0]!.studyInstanceUID,
      action: request.action,
      headVersionIds: parentIds,
      resolvedVersionId: resolved.versionId,
      copies,
      reader: this.#reader(),
      resolvedAt: this.#now(),
    };
    this.#db
      .prepare(
        `INSERT INTO sync_conflict_resolution
           (annotation_uid, study_uid, action, head_ids, resolved_version_id, copies, reader, resolved_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.annotationUid,
        record.studyInstanceUID,
        record.action,
        JSON.stringify(record.headVersionIds),
        record.resolvedVersionId,
        JSON.stringify(record.copies),
        record.reader,
        record.resolvedAt,
      );
    return { annotationUid: request.annotationUid, versionId: resolved.versionId, copies };
  }

  /** How an annotation's conflicts were resolved, oldest first. */
  resolutions(annotationUid: string): ResolutionRecord[] {
    return this.#db
      .prepare<
        [string],
        {
          annotation_uid: string;
          study_uid: string;
          action: ResolutionRecord['action'];
          head_ids: string;
          resolved_version_id: string;
          copies: string;
          reader: string;
          resolved_at: number;
        }
      >('SELECT * FROM sync_conflict_resolution WHERE annotation_uid = ? ORDER BY seq')
      .all(annotationUid)
      .map((row) => ({
        annotationUid: row.annotation_uid,
        studyInstanceUID: row.study_uid,
        action: row.action,
        headVersionIds: JSON.parse(row.head_ids) as string[],
        resolvedVersionId: row.resolved_version_id,
        copies: JSON.parse(row.copies) as ResolveConflictResponse['copies'],
        reader: row.reader,
        resolvedAt: row.resolved_at,
      }));
  }

  /** Every head of an annotation (deletions included), oldest first. */
  #heads(annotationUid: string): AnnotationVersion[] {
    const ids = this.#db
      .prepare<[string], { version_id: string }>(
        `SELECT v.version_id FROM annotation_head h JOIN annotation_version v ON v.seq = h.version_seq
          WHERE h.annotation_uid = ? ORDER BY h.version_seq`,
      )
      .all(annotationUid);
    return ids
      .map((row) => this.#store.version(row.version_id))
      .filter((v): v is AnnotationVersion => v !== null);
  }

  /** The newest version that every head descends from, or null (heads with no common past). */
  #base(annotationUid: string, heads: readonly AnnotationVersion[]): AnnotationVersion | null {
    const history = this.#store.history(annotationUid);
    const byId = new Map(history.map((v) => [v.versionId, v]));
    const ancestors = (head: AnnotationVersion): Set<string> => {
      const seen = new Set<string>();
      const stack = [...head.parentIds];
      while (stack.length > 0) {
        const id = stack.pop()!;
        if (seen.has(id)) continue;
        seen.add(id);
        stack.push(...(byId.get(id)?.parentIds ?? []));
      }
      return seen;
    };
    const sets = heads.map(ancestors);
    // history is oldest first: the last common ancestor found is the newest.
    let base: AnnotationVersion | null = null;
    for (const version of history) {
      if (sets.every((set) => set.has(version.versionId))) base = version;
    }
    return base;
  }
}

/** A version's content, without identity, parents, author or time (the store stamps those). */
function contentOf(version: AnnotationVersion): Omit<AnnotationVersionInput, 'versionId' | 'parentIds'> {
  return {
    annotationUid: version.annotationUid,
    studyInstanceUID: version.studyInstanceUID,
    ...(version.seriesInstanceUID !== undefined ? { seriesInstanceUID: version.seriesInstanceUID } : {}),
    ...(version.sopInstanceUID !== undefined ? { sopInstanceUID: version.sopInstanceUID } : {}),
    ...(version.frameNumber !== undefined ? { frameNumber: version.frameNumber } : {}),
    kind: version.kind,
    tool: version.tool,
    ...(version.labelId !== undefined ? { labelId: version.labelId } : {}),
    attributes: version.attributes,
    data: version.data,
    status: version.status,
    deleted: version.deleted,
  };
}

/** The `sync.conflicts` and `sync.resolveConflict` handlers; a resolution announces the change. */
export function conflictHandlers(
  service: ConflictService,
  events: EventBus,
  logger: Logger,
): ConflictHandlers {
  return {
    'sync.conflicts': async ({ studyInstanceUID }) => ({ conflicts: service.conflicts(studyInstanceUID) }),
    'sync.resolveConflict': async (request) => {
      const result = service.resolve(request);
      const conflict = service.resolutions(result.annotationUid).at(-1);
      if (conflict) {
        events.emit('annotation.changed', {
          studyInstanceUID: conflict.studyInstanceUID,
          annotationUids: [result.annotationUid, ...result.copies.map((c) => c.annotationUid)],
          versionIds: [result.versionId, ...result.copies.map((c) => c.versionId)],
        });
      }
      logger.info({ action: request.action, copies: result.copies.length }, 'annotation conflict resolved');
      return result;
    },
  };
}
