/**
 * The sync engine (issue #10 items 2–4): one pass sends what the outbox holds and fetches the
 * reader's tasks; the state lives in SQLite (state-store.ts), so a pass can stop at any instant
 * (crash, SIGKILL, reboot, pause) and the next one goes on exactly where it stopped.
 *
 * Up: chosen studies (`queued`) are de-identified into the outbox (outbox.ts, the only way in),
 * then sent by STOW-RS in batches bounded by count and bytes. Each instance's outcome is its own:
 * stored → sent; refused with a 4xx-class reason → failed with the server's words (the others go
 * on); anything transient (5xx, a dropped connection, a timeout) → tried again after an
 * exponential backoff with jitter. A study whose instances are all sent is synced, and the
 * retention record (`study_sync.synced_at`, docs/cache.md) is written.
 *
 * Down: for each study assigned to this reader, QIDO-RS lists the instances; those the catalog
 * lacks are fetched by WADO-RS one by one into `<data>/sync/inbox/` (verified by the client) and
 * imported by the normal import, which turns SR/SEG into annotation versions with their author.
 *
 * Network gone (no answer at all): the pass stops, the engine reports `offline`, and the caller
 * (the app's scheduler or the CLI) tries again after the backoff.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SyncEngineState, SyncProgress } from '../../shared/sync.js';
import { ErrorCode, isAppError } from '../../shared/errors.js';
import type { ClinicalTrialQuery, SyncTask } from '../../shared/sync-manifest.js';
import type { Logger } from '../core/logger.js';
import { DicomWebError, type InstanceRef, type StowFile, type StowItemOutcome } from './dicomweb-client.js';
import type { ItemRow, SyncStateStore } from './state-store.js';
import type { DocumentRef } from './annotations.js';
import type { Outbox } from './outbox.js';

export type { InstanceRef as RemoteInstance, StowFile, StowItemOutcome } from './dicomweb-client.js';

/** What the engine needs of a DICOMweb server (main/sync/transport.ts adapts the client). */
export interface SyncTransport {
  stow(files: readonly StowFile[], signal: AbortSignal): Promise<StowItemOutcome[]>;
  studyInstances(studyInstanceUID: string, signal: AbortSignal): Promise<InstanceRef[]>;
  /** Study Instance UIDs of the studies whose clinical-trial attributes match (QIDO-RS). */
  findStudies(query: ClinicalTrialQuery, signal: AbortSignal): Promise<string[]>;
  /** Streams one instance to `destination` (written whole and verified, or not at all). */
  fetchInstance(instance: InstanceRef, destination: string, signal: AbortSignal): Promise<unknown>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/** How a failed request counts: no answer, a refusal of the request (4xx), or anything else (try again later). */
export type FailureKind = 'offline' | 'auth' | 'refused' | 'transient';

function failureKind(error: unknown): FailureKind {
  if (error instanceof DicomWebError) {
    if (error.offline) return 'offline';
    if (error.code === ErrorCode.ServerAuth || error.status === 401 || error.status === 403) return 'auth';
    if (error.status !== undefined && error.status >= 400 && error.status < 500 && !error.retryable)
      return 'refused';
    return 'transient';
  }
  if (isAppError(error) && error.code === ErrorCode.Network) return 'offline';
  return 'transient';
}

/** Stops a pass: the server is gone, refuses our sign-in, or keeps failing. */
class PassStopped extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  /** First delay; doubles per attempt up to `maxMs`, with jitter (half fixed, half random). */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

export interface SyncProject {
  projectId: string;
  baseUrl: string;
  intervalMinutes: number | null;
  /** The studies assigned to this reader: by UID on the server, or by clinical-trial attributes. */
  tasks: readonly SyncTask[];
  /** Upload annotations that are drafts too, not only complete ones. */
  uploadDrafts: boolean;
  /** The manifest's readers' user names (authors named in uploaded annotations). */
  readers?: readonly string[];
  /** Instances and bytes per STOW-RS request (bounded memory on both sides). */
  batchInstances?: number;
  batchBytes?: number;
}

export interface EngineDependencies {
  project: SyncProject;
  state: SyncStateStore;
  outbox: Outbox;
  transport: SyncTransport;
  /** `<data>/sync/inbox`. */
  inbox: string;
  /** Imports fetched files through the normal import; resolves to the error message per failed file. */
  importFiles(paths: readonly string[]): Promise<Map<string, string>>;
  hasInstance(sopInstanceUID: string): boolean;
  /** The retention record: the study's de-identified copy reached the project. */
  markSynced(studyInstanceUID: string, at: Date): void;
  /** A key of the study's annotations to upload (changes when they do), or null when none is due. */
  annotationsKey?(studyInstanceUID: string): Promise<string | null>;
  logger: Logger;
  retry?: RetryPolicy;
  now?: () => Date;
  random?: () => number;
  onProgress?(progress: SyncProgress): void;
}

export interface PassResult {
  /** Instances done, failed for good, and still waiting (backoff) after the pass. */
  done: number;
  failed: number;
  pending: number;
  /** The pass stopped because the server could not be reached. */
  offline: boolean;
  /** Why the pass stopped short, in words for the reader. */
  error: string | null;
  /** What stopped it: no answer, a refused sign-in, a server error; null when it ran to the end. */
  stoppedBy: FailureKind | 'cancelled' | null;
}

export class SyncEngine {
  readonly #deps: EngineDependencies;
  readonly #retry: RetryPolicy;
  readonly #now: () => Date;
  readonly #random: () => number;
  #bytesSent = 0;
  #bytesReceived = 0;
  #state: SyncEngineState = 'idle';

  constructor(deps: EngineDependencies) {
    this.#deps = deps;
    this.#retry = deps.retry ?? DEFAULT_RETRY;
    this.#now = deps.now ?? (() => new Date());
    this.#random = deps.random ?? Math.random;
  }

  get project(): SyncProject {
    return this.#deps.project;
  }

  async close(): Promise<void> {
    await this.#deps.transport.close?.();
  }

  /** Removes what a crash left: outbox folders being written, inbox temp files and files no row names. */
  recover(): void {
    const { state, project, inbox } = this.#deps;
    this.#deps.outbox.cleanup();
    fs.mkdirSync(inbox, { recursive: true, mode: 0o700 });
    const named = new Set(
      state
        .pendingWithFiles(project.projectId, 'down')
        .filter((row) => row.state === 'pending')
        .map((row) => path.resolve(inbox, row.file!)),
    );
    for (const name of fs.readdirSync(inbox)) {
      const full = path.join(inbox, name);
      if (!named.has(full)) fs.rmSync(full, { recursive: true, force: true });
    }
  }

  /** Chooses local studies for upload (queued; de-identified at the next pass). */
  selectStudies(studyUids: readonly string[]): number {
    const { state, project } = this.#deps;
    let queued = 0;
    state.transaction(() => {
      for (const uid of studyUids) if (state.queueStudy(project.projectId, 'up', uid, 'queued')) queued++;
    });
    return queued;
  }

  /** One pass: prepare and send what goes up, then fetch the reader's tasks. Never throws for a server's failure. */
  async pass(signal: AbortSignal): Promise<PassResult> {
    this.#state = 'syncing';
    this.#report();
    let offline = false;
    let error: string | null = null;
    let stoppedBy: PassResult['stoppedBy'] = null;
    try {
      await this.#prepareQueued(signal);
      await this.#prepareAnnotations(signal);
      await this.#upload(signal);
      await this.#listTasks(signal);
      await this.#listUploaded(signal);
      await this.#download(signal);
    } catch (caught) {
      if (signal.aborted || (isAppError(caught) && caught.code === ErrorCode.Cancelled)) {
        error = 'Sync was stopped.';
        stoppedBy = 'cancelled';
      } else {
        const stopped =
          caught instanceof PassStopped ? caught : new PassStopped(failureKind(caught), describe(caught));
        if (
          !(caught instanceof PassStopped) &&
          !(caught instanceof DicomWebError) &&
          !(isAppError(caught) && caught.code === ErrorCode.Network)
        )
          throw caught;
        offline = stopped.kind === 'offline';
        stoppedBy = stopped.kind;
        error =
          stopped.kind === 'offline'
            ? 'The project server cannot be reached; sync resumes when the network is back.'
            : stopped.kind === 'auth'
              ? `The project server refused the sign-in: ${stopped.message}`
              : `The project server is not answering properly (${stopped.message}); sync tries again later.`;
        this.#deps.logger.warn({ kind: stopped.kind }, 'sync pass stopped');
      }
    }
    const counts = this.#deps.state.counts(this.#deps.project.projectId);
    this.#state = offline ? 'offline' : 'idle';
    this.#report();
    return { done: counts.done, failed: counts.failed, pending: counts.pending, offline, error, stoppedBy };
  }

  /** Makes every waiting instance due now (sync now, the network is back). */
  retryNow(): void {
    this.#deps.state.retryNow(this.#deps.project.projectId);
  }

  /** When the next pass has something to do (the earliest backoff), or null when nothing waits. */
  nextAttemptAt(): Date | null {
    const { state, project } = this.#deps;
    const times = (['up', 'down'] as const)
      .map((direction) => state.nextAttemptAt(project.projectId, direction))
      .filter((at): at is string => at !== null);
    if (state.studiesIn(project.projectId, 'up', ['queued']).length > 0) return this.#now();
    if (times.length === 0) return null;
    const earliest = times.sort()[0]!;
    return earliest === '' ? this.#now() : new Date(earliest);
  }

  progress(): SyncProgress {
    const counts = this.#deps.state.counts(this.#deps.project.projectId);
    return {
      state: this.#state,
      itemsDone: counts.done,
      itemsTotal: counts.total,
      itemsFailed: counts.failed,
      bytesSent: this.#bytesSent,
      bytesReceived: this.#bytesReceived,
    };
  }

  /** The delay before attempt `attempts + 1`: exponential, capped, half of it random. */
  backoffMs(attempts: number): number {
    const full = Math.min(this.#retry.maxMs, this.#retry.baseMs * 2 ** Math.min(attempts, 30));
    return Math.round(full / 2 + (full / 2) * this.#random());
  }

  #report(): void {
    this.#deps.onProgress?.(this.progress());
  }

  async #prepareQueued(signal: AbortSignal): Promise<void> {
    const { state, project, outbox, logger } = this.#deps;
    for (const study of state.studiesIn(project.projectId, 'up', ['queued'])) {
      signal.throwIfAborted();
      try {
        const prepared = await outbox.prepareStudy(study.study_uid, signal);
        state.setStudy(project.projectId, 'up', study.study_uid, {
          state: prepared.items > 0 ? 'uploading' : 'failed',
          error:
            prepared.items > 0
              ? null
              : 'Nothing of this study can be uploaded: every object failed de-identification or is held for review.',
          held: prepared.held,
          ...(prepared.remoteStudyUid ? { remoteStudyUid: prepared.remoteStudyUid } : {}),
        });
        logger.info(
          { items: prepared.items, held: prepared.held },
          'sync study de-identified into the outbox',
        );
      } catch (error) {
        if (signal.aborted || (isAppError(error) && error.code === ErrorCode.Cancelled)) throw error;
        state.setStudy(project.projectId, 'up', study.study_uid, {
          state: 'failed',
          error: isAppError(error)
            ? error.message
            : 'De-identification for the upload failed; details are in the log.',
        });
        logger.error(
          { code: isAppError(error) ? error.code : undefined },
          'sync study could not be prepared',
        );
      }
      this.#report();
    }
  }

  async #prepareAnnotations(signal: AbortSignal): Promise<void> {
    const { state, project, outbox, annotationsKey } = this.#deps;
    if (!annotationsKey) return;
    // Studies sent from here, and studies pulled from the project (a reader's edits of others'
    // annotations go up too; their objects keep the project's UIDs, outbox.ts).
    const studies = [
      ...state
        .studiesIn(project.projectId, 'up', ['uploading', 'synced'])
        .map((s) => ({ ...s, pulled: false })),
      ...state
        .studiesIn(project.projectId, 'down', ['synced'])
        .filter((s) => !state.study(project.projectId, 'up', s.study_uid))
        .map((s) => ({ ...s, pulled: true })),
    ];
    for (const study of studies) {
      signal.throwIfAborted();
      const direction = study.pulled ? 'down' : 'up';
      const key = await annotationsKey(study.study_uid);
      // Stored as `<key> <the SR uploaded last, JSON>`: the next SR names it as its predecessor.
      const [storedKey, storedDocument] = splitOnce(study.annotations_key ?? '', ' ');
      if (key === null || key === storedKey) continue;
      const predecessor = storedDocument ? (JSON.parse(storedDocument) as DocumentRef | null) : null;
      try {
        const prepared = await outbox.prepareAnnotations(
          study.study_uid,
          key,
          predecessor,
          signal,
          study.pulled,
        );
        state.setStudy(project.projectId, direction, study.study_uid, {
          state: prepared.items > 0 && !study.pulled ? 'uploading' : study.state,
          error: study.error,
          annotationsKey: `${key} ${JSON.stringify(prepared.document ?? predecessor)}`,
        });
      } catch (error) {
        if (signal.aborted || (isAppError(error) && error.code === ErrorCode.Cancelled)) throw error;
        // The images stay synced; these annotations are tried again when they change.
        state.setStudy(project.projectId, direction, study.study_uid, {
          state: study.state,
          error: `The annotations could not be prepared for upload: ${describe(error)}`,
          annotationsKey: `${key} ${JSON.stringify(predecessor)}`,
        });
        this.#deps.logger.error(
          { code: isAppError(error) ? error.code : undefined },
          'sync annotations could not be prepared',
        );
      }
    }
  }

  async #upload(signal: AbortSignal): Promise<void> {
    const { state, project, outbox } = this.#deps;
    const batchCount = project.batchInstances ?? 100;
    const batchBytes = project.batchBytes ?? 256 * 2 ** 20;
    for (;;) {
      signal.throwIfAborted();
      const due = state.due(project.projectId, 'up', batchCount);
      if (due.length === 0) break;
      const batch: Array<{ row: ItemRow; file: string }> = [];
      let bytes = 0;
      for (const row of due) {
        if (batch.length > 0 && bytes + row.size > batchBytes) break;
        try {
          batch.push({ row, file: await outbox.verifiedFile(row) });
          bytes += row.size;
        } catch (error) {
          state.markFailed(project.projectId, 'up', row.sop_uid, describe(error));
        }
      }
      if (batch.length > 0) await this.#send(batch, signal);
      this.#settleStudies('up', new Set(due.map((row) => row.study_uid)));
      this.#report();
    }
  }

  async #send(batch: Array<{ row: ItemRow; file: string }>, signal: AbortSignal): Promise<void> {
    const { state, project, transport, outbox } = this.#deps;
    let outcomes: StowItemOutcome[];
    try {
      outcomes = await transport.stow(
        batch.map(({ row, file }) => ({ path: file, sopInstanceUID: row.sop_uid, size: row.size })),
        signal,
      );
    } catch (error) {
      if (signal.aborted) throw error;
      const kind = failureKind(error);
      if (kind === 'refused' && batch.length > 1) {
        // A refusal of the whole request: each object on its own, so one bad object fails alone.
        for (const one of batch) await this.#send([one], signal);
        return;
      }
      if (kind === 'refused') {
        state.markFailed(
          project.projectId,
          'up',
          batch[0]!.row.sop_uid,
          `The project server refused this object: ${describe(error)}`,
        );
        return;
      }
      state.transaction(() => {
        for (const { row } of batch) this.#retryLater('up', row, describe(error));
      });
      if (kind === 'transient') return;
      throw new PassStopped(kind, describe(error));
    }
    const bySop = new Map(outcomes.map((outcome) => [outcome.sopInstanceUID, outcome]));
    const sent: ItemRow[] = [];
    state.transaction(() => {
      for (const { row } of batch) {
        const outcome = bySop.get(row.sop_uid);
        if (outcome?.stored) {
          state.markDone(project.projectId, 'up', row.sop_uid);
          this.#bytesSent += row.size;
          sent.push(row);
        } else if (outcome && !outcome.retryable)
          state.markFailed(
            project.projectId,
            'up',
            row.sop_uid,
            `The project server refused this object: ${outcome.reason ?? 'no reason given'}`,
          );
        else this.#retryLater('up', row, outcome?.reason ?? 'The server did not confirm this object.');
      }
    });
    for (const row of sent) outbox.forget(row.file);
  }

  #retryLater(direction: 'up' | 'down', row: ItemRow, reason: string): void {
    const at = new Date(this.#now().getTime() + this.backoffMs(row.attempts));
    this.#deps.state.markRetry(this.#deps.project.projectId, direction, row.sop_uid, reason, at);
  }

  /** A study with nothing pending is synced (every instance done) or failed (some refused). */
  #settleStudies(direction: 'up' | 'down', studies: ReadonlySet<string>): void {
    const { state, project } = this.#deps;
    for (const studyUid of studies) {
      const study = state.study(project.projectId, direction, studyUid);
      if (!study || study.state === 'queued') continue;
      const items = state.itemsOfStudy(project.projectId, direction, studyUid);
      if (items.some((item) => item.state === 'pending')) {
        const active = direction === 'up' ? 'uploading' : 'downloading';
        if (study.state !== active) state.setStudy(project.projectId, direction, studyUid, { state: active });
        continue;
      }
      const failed = items.filter((item) => item.state === 'failed');
      if (failed.length > 0) {
        state.setStudy(project.projectId, direction, studyUid, {
          state: 'failed',
          error: `${failed.length} of ${items.length} objects failed: ${failed[0]!.error ?? ''}`,
        });
      } else if (study.state !== 'synced') {
        state.setStudy(project.projectId, direction, studyUid, { state: 'synced' });
        if (direction === 'up') this.#deps.markSynced(studyUid, this.#now());
      }
    }
  }

  async #listTasks(signal: AbortSignal): Promise<void> {
    const { state, project, transport, hasInstance } = this.#deps;
    const studies = new Set<string>();
    for (const task of project.tasks) {
      signal.throwIfAborted();
      if ('studyInstanceUID' in task) studies.add(task.studyInstanceUID);
      else for (const uid of await transport.findStudies(task.clinicalTrial, signal)) studies.add(uid);
    }
    // A study uploaded from here is here already, under its original UIDs: what others add to it
    // comes back by #listUploaded, never as a second copy of the study in the project's UIDs.
    for (const study of state.studiesIn(project.projectId, 'up', UP_STATES))
      if (study.remote_study_uid) studies.delete(study.remote_study_uid);
    for (const studyUid of studies) {
      signal.throwIfAborted();
      state.transaction(() => {
        if (!state.study(project.projectId, 'down', studyUid))
          state.queueStudy(project.projectId, 'down', studyUid, 'pending');
      });
      const remote = await transport.studyInstances(studyUid, signal);
      state.transaction(() => {
        state.addItems(
          project.projectId,
          'down',
          remote
            .filter((instance) => !state.item(project.projectId, 'down', instance.sopInstanceUID))
            .map((instance) => ({
              sopUid: instance.sopInstanceUID,
              studyUid,
              remoteStudyUid: instance.studyInstanceUID,
              seriesUid: instance.seriesInstanceUID,
              kind: 'image' as const,
              file: null,
              size: 0,
              sha256: null,
            })),
        );
        for (const instance of remote) {
          const row = state.item(project.projectId, 'down', instance.sopInstanceUID);
          if (row?.state === 'pending' && hasInstance(instance.sopInstanceUID))
            state.markDone(project.projectId, 'down', instance.sopInstanceUID);
        }
        state.setStudy(project.projectId, 'down', studyUid, {
          state: 'downloading',
          remoteStudyUid: studyUid,
        });
      });
      this.#settleStudies('down', new Set([studyUid]));
    }
  }

  /**
   * Studies uploaded from here: the objects other readers added to them on the server (their SR and
   * SEG) come down too, registered under the local study (`kind` annotation: mapped back to this
   * machine's UIDs by the outbox before they are imported, #import). This machine's own uploads are
   * known by their keys and never fetched.
   */
  async #listUploaded(signal: AbortSignal): Promise<void> {
    const { state, project, transport, hasInstance } = this.#deps;
    for (const study of state.studiesIn(project.projectId, 'up', ['synced'])) {
      const remoteStudyUid = study.remote_study_uid;
      if (!remoteStudyUid) continue;
      signal.throwIfAborted();
      const remote = await transport.studyInstances(remoteStudyUid, signal);
      state.transaction(() => {
        const theirs = remote.filter(
          (instance) =>
            !state.item(project.projectId, 'up', instance.sopInstanceUID) &&
            !state.item(project.projectId, 'down', instance.sopInstanceUID),
        );
        state.addItems(
          project.projectId,
          'down',
          theirs.map((instance) => ({
            sopUid: instance.sopInstanceUID,
            studyUid: study.study_uid,
            remoteStudyUid,
            seriesUid: instance.seriesInstanceUID,
            kind: 'annotation' as const,
            file: null,
            size: 0,
            sha256: null,
          })),
        );
        // Imported already (a crash before its row was marked): the other reader's SOP Instance
        // UID is kept by the mapping, so the catalog knows it by that.
        for (const instance of theirs)
          if (hasInstance(instance.sopInstanceUID))
            state.markDone(project.projectId, 'down', instance.sopInstanceUID);
      });
    }
  }

  async #download(signal: AbortSignal): Promise<void> {
    const { state, project, transport, inbox } = this.#deps;
    const IMPORT_BATCH = 16;
    fs.mkdirSync(inbox, { recursive: true, mode: 0o700 });
    for (;;) {
      signal.throwIfAborted();
      const due = state.due(project.projectId, 'down', IMPORT_BATCH);
      if (due.length === 0) break;
      const fetched: ItemRow[] = [];
      let stop: PassStopped | null = null;
      for (const row of due) {
        const name =
          row.file ?? `${crypto.createHash('sha256').update(row.sop_uid).digest('hex').slice(0, 32)}.dcm`;
        const destination = path.join(inbox, name);
        if (row.file && fs.existsSync(destination)) {
          fetched.push(row);
          continue;
        }
        try {
          await transport.fetchInstance(
            {
              studyInstanceUID: row.remote_study_uid,
              seriesInstanceUID: row.series_uid,
              sopInstanceUID: row.sop_uid,
            },
            destination,
            signal,
          );
          this.#bytesReceived += fs.statSync(destination).size;
          state.connection
            .prepare('UPDATE sync_item SET file = ? WHERE project_id = ? AND direction = ? AND sop_uid = ?')
            .run(name, project.projectId, 'down', row.sop_uid);
          fetched.push({ ...row, file: name });
        } catch (error) {
          if (signal.aborted) throw error;
          const kind = failureKind(error);
          if (kind === 'refused')
            state.markFailed(
              project.projectId,
              'down',
              row.sop_uid,
              `The project server refused: ${describe(error)}`,
            );
          else {
            // A broken or wrong answer (the client verifies each instance) or no answer: again later.
            this.#retryLater('down', row, describe(error));
            if (kind !== 'transient') {
              stop = new PassStopped(kind, describe(error));
              break;
            }
          }
        }
      }
      if (fetched.length > 0) await this.#import(fetched);
      this.#settleStudies('down', new Set(due.map((row) => row.study_uid)));
      this.#report();
      if (stop) throw stop;
    }
  }

  async #import(rows: readonly ItemRow[]): Promise<void> {
    const { state, project, inbox, importFiles, hasInstance, outbox } = this.#deps;
    const files = rows.map((row) => path.join(inbox, row.file!));
    // Others' objects of a study uploaded from here: into this machine's UIDs first. The UIDs they
    // keep are recorded before the import, so the study's next upload keeps them whatever happens.
    const local = new Map<string, string>();
    const unmapped = new Map<string, string>();
    for (const [index, row] of rows.entries()) {
      if (row.kind !== 'annotation') continue;
      try {
        const mapped = await outbox.mapBack(row.study_uid, files[index]!);
        state.transaction(() => state.keepUids(project.projectId, row.study_uid, mapped.kept));
        local.set(row.sop_uid, mapped.sopInstanceUID);
      } catch (error) {
        unmapped.set(row.sop_uid, describe(error));
      }
    }
    const errors = await importFiles(files.filter((_, index) => !unmapped.has(rows[index]!.sop_uid)));
    state.transaction(() => {
      rows.forEach((row, index) => {
        if (!unmapped.has(row.sop_uid) && hasInstance(local.get(row.sop_uid) ?? row.sop_uid))
          state.markDone(project.projectId, 'down', row.sop_uid);
        else
          state.markFailed(
            project.projectId,
            'down',
            row.sop_uid,
            unmapped.get(row.sop_uid) ??
              errors.get(files[index]!) ??
              'The fetched object could not be imported.',
          );
      });
    });
    for (const file of files) fs.rmSync(file, { force: true });
  }
}

/** Every state of an uploaded study. */
const UP_STATES = ['queued', 'uploading', 'synced', 'failed'] as const;

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}

function describe(error: unknown): string {
  if (isAppError(error) || error instanceof PassStopped) return error.message;
  return 'An unexpected error; details are in the log.';
}
