/**
 * The PACS service: the receiving SCP's life (started with the app when enabled, restarted when
 * its settings change), the remote nodes, and query/retrieve (C-FIND; C-MOVE to our own SCP, so
 * retrieved objects arrive through the same receive path and the normal import).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Handlers } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import {
  type PacsLocalSettings,
  type PacsNode,
  type PacsReceivedProblem,
  type PacsReceivedProblems,
  type PacsRetrieveProgress,
  type PacsScpStatus,
  type PacsStudyMatch,
  startingRetrieve,
} from '../../shared/pacs.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { ReceivedProblemLog } from './received-log.js';
import { type ScpLimits, type StoreOutcome, type ReceivedObject, StoreScp } from './scp.js';
import { echo, type FindMatch, findStudies, moveStudy, type RemoteAe } from './scu.js';
import { PacsSettingsStore } from './settings-store.js';

export const PACS_SPOOL_DIR_NAME = 'pacs-incoming';

/** Received SR/SEG objects remembered (SOP Instance UID, sender, time) for their annotation import's report. */
const MAX_RECEIVED_REMEMBERED = 20_000;
/**
 * SOP classes whose objects may become annotations: SR (…88.*) and segmentations (…66.*, SEG and
 * Label Map SEG among them). Only those are remembered, so the memory follows the SR and SEG
 * objects received (~370 bytes each), not the images.
 */
const ANNOTATION_CLASS_PREFIXES = ['1.2.840.10008.5.1.4.1.1.88.', '1.2.840.10008.5.1.4.1.1.66.'];
/**
 * The event with the log's first page goes to the windows this long after the first new row of a
 * burst, so that a sender's burst is one read of the page, not one per object. The rows themselves
 * are written at once (each report's in one transaction), before the sender is answered.
 */
const EMIT_AFTER_MS = 500;
/**
 * How long a received SR or SEG object's C-STORE answer waits for its annotation import's report
 * (so that its problems are in the catalog before the sender learns it was stored). The import of a
 * study's SR and SEG objects normally takes milliseconds to seconds; past this the sender is
 * answered all the same and the problems are logged when the report comes.
 */
const REPORT_WAIT_MS = 20_000;

type PacsMethod =
  | 'pacs.getSettings'
  | 'pacs.saveSettings'
  | 'pacs.listNodes'
  | 'pacs.saveNode'
  | 'pacs.deleteNode'
  | 'pacs.echo'
  | 'pacs.find'
  | 'pacs.retrieve'
  | 'pacs.cancelRetrieve'
  | 'pacs.receivedProblems'
  | 'pacs.clearReceivedProblems';

export interface PacsAppDeps {
  dataDir: string;
  /** The catalog database (already migrated); null keeps the settings in memory (tests). */
  catalogFile: string | null;
  events: EventBus;
  logger: Logger;
  /** The normal import of one received Part 10 file. */
  importReceived(object: ReceivedObject): Promise<StoreOutcome>;
  /** Whether a study is already in the local catalog. */
  hasStudy(studyInstanceUID: string): boolean;
  /**
   * Whether main turns stored SR and SEG objects into annotations and reports it
   * (`annotation.imported`, the app's services): then a received SR or SEG is answered once its
   * report is logged. Without (a receiver alone, in tests) it is answered at once.
   */
  annotationReports: boolean;
  /**
   * Whether the request's session may change the settings and the nodes and clear the received
   * problems (main/account: no accounts, the command line, or an administrator). Absent: always.
   */
  mayAdminister?(): boolean;
  /** How long a received SR or SEG's answer waits for its report at most (tests); REPORT_WAIT_MS. */
  reportWaitMs?: number;
  scpLimits?: Partial<ScpLimits>;
}

export interface PacsApp {
  readonly handlers: Pick<Handlers, PacsMethod>;
  /** Starts the SCP if the settings enable it (the app's start); `overrides` win over the settings (CLI). */
  start(overrides?: Partial<PacsLocalSettings>): Promise<PacsScpStatus>;
  status(): PacsScpStatus;
  close(): Promise<void>;
}

export function createPacsApp(deps: PacsAppDeps): PacsApp {
  const { logger, events } = deps;
  const settings = new PacsSettingsStore(deps.catalogFile);
  const spoolDir = path.join(
    deps.dataDir,
    PACS_SPOOL_DIR_NAME,
    `${process.pid}-${crypto.randomUUID().slice(0, 8)}`,
  );
  removeDeadSpools(path.join(deps.dataDir, PACS_SPOOL_DIR_NAME));
  let scp: StoreScp | null = null;
  let overrides: Partial<PacsLocalSettings> = {};
  let lastError: string | null = null;
  let lifecycle: Promise<unknown> = Promise.resolve();
  const retrieves = new Map<string, { cancel(): void; progress: PacsRetrieveProgress }>();
  const received = new ReceivedProblems(
    events,
    logger,
    new ReceivedProblemLog(deps.catalogFile),
    deps.reportWaitMs ?? REPORT_WAIT_MS,
  );

  const effective = (): PacsLocalSettings => ({ ...settings.local(), ...overrides });

  const status = (): PacsScpStatus => ({ running: scp !== null, port: scp?.port ?? null, error: lastError });

  /** Stops the running SCP and starts one with the current settings (serialised). */
  const restart = (): Promise<PacsScpStatus> => {
    const next = lifecycle.then(async () => {
      if (scp) {
        await scp.stop();
        scp = null;
      }
      lastError = null;
      const local = effective();
      if (!local.enabled) return status();
      const nodes = settings.nodes();
      try {
        scp = await StoreScp.start(
          {
            aeTitle: local.aeTitle,
            port: local.port,
            bindAddress: local.bindAddress,
            acceptAnyCaller: local.acceptAnyCaller,
            allowedCallers: [
              ...local.allowedCallers.map((caller) => ({
                aeTitle: caller.aeTitle,
                host: caller.host || null,
              })),
              // A node we query may always send to us, from its own host (C-MOVE answers).
              ...nodes.map((node) => ({ aeTitle: node.aeTitle, host: node.host })),
            ],
          },
          {
            spoolDir,
            logger,
            store: async (object) => {
              const annotationObject = deps.annotationReports ? received.noteReceived(object) : null;
              const outcome = await deps.importReceived(object);
              // Its problems (if any) are in the catalog before the sender is answered.
              if (annotationObject && outcome.status === 'stored') await annotationObject.reported;
              return outcome;
            },
          },
          deps.scpLimits,
        );
      } catch (error) {
        lastError = listenError(error, local);
        logger.error(
          { err: (error as NodeJS.ErrnoException).code ?? 'unknown', port: local.port },
          'pacs scp not started',
        );
      }
      return status();
    });
    lifecycle = next.catch(() => undefined);
    return next;
  };

  const remoteOf = (nodeId: number): PacsNode => {
    const node = settings.node(nodeId);
    if (!node) throw new AppError(ErrorCode.NotFound, 'This PACS node is no longer configured.');
    return node;
  };

  const callingAeTitle = () => effective().aeTitle;

  const emitRetrieve = (progress: PacsRetrieveProgress) =>
    events.emit('pacs.retrieveProgress', { ...progress });

  const mayChange = () => deps.mayAdminister?.() ?? true;
  /** Refuses a reader (accounts on, not an administrator): enforced here, not only by the page. */
  const requireAdmin = (message: string) => {
    if (!mayChange()) throw new AppError(ErrorCode.Forbidden, message);
  };

  const handlers: Pick<Handlers, PacsMethod> = {
    'pacs.getSettings': async () => ({ local: settings.local(), status: status(), mayChange: mayChange() }),
    'pacs.saveSettings': async (local) => {
      requireAdmin('Only an administrator can change the PACS settings.');
      settings.saveLocal(local);
      const now = await restart();
      return { local: settings.local(), status: now, mayChange: true };
    },
    'pacs.listNodes': async () => settings.nodes(),
    'pacs.saveNode': async (node) => {
      requireAdmin('Only an administrator can change the PACS nodes.');
      const saved = settings.saveNode(node);
      // The allowed callers include the nodes: a running SCP picks the change up.
      if (scp) await restart();
      return saved;
    },
    'pacs.deleteNode': async ({ id }) => {
      requireAdmin('Only an administrator can change the PACS nodes.');
      settings.deleteNode(id);
      if (scp) await restart();
      return {};
    },
    'pacs.echo': async (request) => {
      const remote: RemoteAe = 'nodeId' in request ? remoteOf(request.nodeId) : request;
      const started = performance.now();
      try {
        const ms = await echo(remote, { callingAeTitle: callingAeTitle(), timeoutMs: 10_000 });
        return { ok: true, ms: Math.round(ms), message: null };
      } catch (error) {
        return {
          ok: false,
          ms: Math.round(performance.now() - started),
          message: error instanceof AppError ? error.message : 'The connection test failed.',
        };
      }
    },
    'pacs.find': async (request) => {
      const remote = remoteOf(request.nodeId);
      const { matches, truncated } = await findStudies(remote, request, { callingAeTitle: callingAeTitle() });
      const studies: PacsStudyMatch[] = [];
      for (const match of matches) {
        const study = studyMatchOf(match);
        if (study) studies.push({ ...study, local: deps.hasStudy(study.studyInstanceUID) });
      }
      return { studies, truncated };
    },
    'pacs.retrieve': async ({ nodeId, studyInstanceUIDs }) => {
      const remote = remoteOf(nodeId);
      if (!scp)
        throw new AppError(
          ErrorCode.InvalidRequest,
          'Receiving from the PACS is off: turn it on in the PACS settings (a retrieve arrives through it).',
        );
      const jobId = crypto.randomUUID();
      const progress = startingRetrieve(jobId, nodeId, studyInstanceUIDs);
      let cancelled = false;
      let cancelCurrent: () => void = () => undefined;
      retrieves.set(jobId, {
        progress,
        cancel() {
          cancelled = true;
          cancelCurrent();
        },
      });
      const destination = callingAeTitle();
      void (async () => {
        const before = { completed: 0, failed: 0, warnings: 0, total: 0 };
        try {
          for (const studyInstanceUID of studyInstanceUIDs) {
            if (cancelled) break;
            const move = moveStudy(remote, studyInstanceUID, destination, {
              callingAeTitle: destination,
              onProgress: (step) => {
                progress.completed = before.completed + step.completed;
                progress.failed = before.failed + step.failed;
                progress.warnings = before.warnings + step.warnings;
                if (step.remaining !== null)
                  progress.total =
                    before.total + step.completed + step.failed + step.warnings + step.remaining;
                emitRetrieve(progress);
              },
            });
            cancelCurrent = () => move.cancel();
            const result = await move.done;
            before.completed += result.completed;
            before.failed += result.failed;
            before.warnings += result.warnings;
            before.total += result.completed + result.failed + result.warnings;
            Object.assign(progress, { ...before });
          }
          progress.phase = cancelled ? 'cancelled' : 'done';
          if (!cancelled && progress.failed > 0)
            progress.error = `${progress.failed} image(s) could not be retrieved (the PACS log or ours says why).`;
        } catch (error) {
          if (error instanceof AppError && error.code === ErrorCode.Cancelled) progress.phase = 'cancelled';
          else {
            progress.phase = 'failed';
            progress.error = error instanceof AppError ? error.message : 'The retrieve failed unexpectedly.';
          }
        }
        logger.info(
          {
            jobId,
            studies: studyInstanceUIDs.length,
            completed: progress.completed,
            failed: progress.failed,
            phase: progress.phase,
          },
          'pacs retrieve finished',
        );
        emitRetrieve(progress);
        setTimeout(() => retrieves.delete(jobId), 10 * 60_000).unref();
      })();
      emitRetrieve(progress);
      return { jobId };
    },
    'pacs.cancelRetrieve': async ({ jobId }) => {
      const retrieve = retrieves.get(jobId);
      if (!retrieve || retrieve.progress.phase !== 'running') return { cancelled: false };
      retrieve.cancel();
      return { cancelled: true };
    },
    'pacs.receivedProblems': async ({ offset, limit }) => received.list(offset, limit),
    'pacs.clearReceivedProblems': async () => {
      requireAdmin('Only an administrator can clear the list of received objects with problems.');
      return { cleared: received.clear() };
    },
  };

  return {
    handlers,
    start(startOverrides = {}) {
      overrides = startOverrides;
      return restart();
    },
    status,
    async close() {
      received.close();
      for (const retrieve of retrieves.values()) retrieve.cancel();
      await lifecycle;
      if (scp) {
        await scp.stop();
        scp = null;
      }
      fs.rmSync(spoolDir, { recursive: true, force: true });
      settings.close();
    },
  };
}

/**
 * SR and SEG objects senders stored here that did not become annotations as they are. The SCP
 * stores each object through the normal import, and main turns SR/SEG objects into annotations
 * afterwards (main/annotation/interchange-handlers.ts, `annotation.imported`, for a folder import
 * and a received object alike); the objects this receiver brought in are picked out of those
 * reports by their SOP Instance UID, so the PACS settings can say which objects gave nothing and
 * why while no import is on screen. The receptions waiting for their report are remembered in
 * memory (the last MAX_RECEIVED_REMEMBERED SR/SEG objects received).
 *
 * Durable before the sender is answered: the receive path waits (at most REPORT_WAIT_MS) for the
 * report naming the object it stored, and a report's objects with problems are written to the
 * catalog's log (./received-log.ts) in one transaction before that wait ends; so an object the
 * sender was told was stored has its problems in the catalog, whatever happens to the process
 * afterwards. The event with the log's first page follows EMIT_AFTER_MS after the first new row.
 */
class ReceivedProblems {
  readonly #received = new Map<string, { callingAeTitle: string; receivedAt: string }>();
  /** Received objects whose answer waits for their annotation import's report. */
  readonly #waiting = new Map<string, { done(): void; timer: NodeJS.Timeout }>();
  #emitTimer: NodeJS.Timeout | null = null;
  /** Rows written since the last summary line in the application log (counts and senders only). */
  #unsummarised = { objects: 0, callingAeTitles: new Set<string>() };
  readonly #unsubscribe: () => void;

  constructor(
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly log: ReceivedProblemLog,
    private readonly reportWaitMs: number,
  ) {
    this.#unsubscribe = events.subscribe((event) => {
      if (event.name === 'annotation.imported') this.#imported(event.payload.objects);
    });
  }

  /**
   * Remembers an SR or SEG object being received; for those, `reported` resolves once the report of
   * its annotation import has been logged (or after the longest wait, or on close). Null for others.
   */
  noteReceived(
    object: Pick<ReceivedObject, 'sopInstanceUID' | 'sopClassUID' | 'callingAeTitle'>,
  ): { reported: Promise<void> } | null {
    if (!ANNOTATION_CLASS_PREFIXES.some((prefix) => object.sopClassUID.trim().startsWith(prefix)))
      return null;
    const uid = object.sopInstanceUID;
    // Sent again: it moves to the end (the newest).
    this.#received.delete(uid);
    this.#received.set(uid, {
      callingAeTitle: object.callingAeTitle.slice(0, 16),
      receivedAt: new Date().toISOString(),
    });
    if (this.#received.size > MAX_RECEIVED_REMEMBERED) {
      const oldest = this.#received.keys().next();
      if (!oldest.done) this.#received.delete(oldest.value);
    }
    // The same object on two associations at once: the earlier one stops waiting.
    this.#waiting.get(uid)?.done();
    const reported = new Promise<void>((resolve) => {
      const waiter = {
        done: () => {
          clearTimeout(waiter.timer);
          if (this.#waiting.get(uid) === waiter) this.#waiting.delete(uid);
          resolve();
        },
        timer: setTimeout(() => {
          this.logger.warn(
            { waitedMs: this.reportWaitMs },
            'pacs received object answered before its annotation report',
          );
          waiter.done();
        }, this.reportWaitMs),
      };
      waiter.timer.unref();
      this.#waiting.set(uid, waiter);
    });
    return { reported };
  }

  list(offset = 0, limit?: number): PacsReceivedProblems {
    return this.log.list(offset, limit);
  }

  /** Empties the log (the administrator's Clear); the first page, now empty, goes to the windows. */
  clear(): number {
    const cleared = this.log.clear();
    this.logger.info({ rows: cleared }, 'pacs received problems cleared');
    // Nothing was listed: the windows' list is already empty.
    if (cleared > 0) this.#emit();
    return cleared;
  }

  close(): void {
    this.#unsubscribe();
    if (this.#emitTimer) clearTimeout(this.#emitTimer);
    this.#emitTimer = null;
    this.#summarise();
    for (const waiter of [...this.#waiting.values()]) waiter.done();
    this.log.close();
  }

  #imported(
    objects: ReadonlyArray<Omit<PacsReceivedProblem, 'callingAeTitle' | 'receivedAt'> & { added: number }>,
  ): void {
    const rows = new Map<string, PacsReceivedProblem>();
    for (const object of objects) {
      if (object.problems.length === 0) continue;
      const receipt = this.#received.get(object.sopInstanceUID);
      if (!receipt) continue;
      // Each later import of the study reports its SR/SEG objects again: one row per reception.
      if (this.log.has(object.sopInstanceUID, receipt.receivedAt)) continue;
      // The report lists the objects in the study's order; the last one listed becomes the newest.
      rows.delete(object.sopInstanceUID);
      rows.set(object.sopInstanceUID, {
        studyInstanceUID: object.studyInstanceUID,
        sopInstanceUID: object.sopInstanceUID,
        kind: object.kind,
        callingAeTitle: receipt.callingAeTitle,
        receivedAt: receipt.receivedAt,
        problems: object.problems.slice(0, 100).map((problem) => problem.slice(0, 2000)),
      });
    }
    if (rows.size > 0) this.#write([...rows.values()]);
    // Written (or failed to be, and said so): the senders of these objects may be answered.
    for (const object of objects) this.#waiting.get(object.sopInstanceUID)?.done();
  }

  /** Writes a report's objects with problems to the log: one transaction. */
  #write(objects: PacsReceivedProblem[]): void {
    try {
      this.log.add(objects);
    } catch (error) {
      // A full disk or a locked catalog: the objects are stored all the same; the log says so.
      this.logger.error(
        { err: (error as { code?: string }).code ?? 'unknown', objects: objects.length },
        'pacs received problems not logged',
      );
      return;
    }
    this.#unsummarised.objects += objects.length;
    for (const object of objects) this.#unsummarised.callingAeTitles.add(object.callingAeTitle);
    this.#emitTimer ??= setTimeout(() => this.#emit(), EMIT_AFTER_MS);
  }

  /** One line in the application log per burst: counts and the senders only, no object details. */
  #summarise(): void {
    if (this.#unsummarised.objects === 0) return;
    this.logger.warn(
      {
        objects: this.#unsummarised.objects,
        callingAeTitles: [...this.#unsummarised.callingAeTitles],
      },
      'pacs received SR/SEG objects that did not become annotations as they are',
    );
    this.#unsummarised = { objects: 0, callingAeTitles: new Set() };
  }

  /** The log's first page to the windows. */
  #emit(): void {
    if (this.#emitTimer) clearTimeout(this.#emitTimer);
    this.#emitTimer = null;
    this.#summarise();
    this.events.emit('pacs.receivedProblems', this.list());
  }
}

function listenError(error: unknown, local: PacsLocalSettings): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return `Port ${local.port} is already in use on this computer (another DICOM receiver?): choose another port.`;
  if (code === 'EACCES')
    return `Port ${local.port} needs administrator rights on this computer: choose a port above 1023 (11112 is usual).`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return `${local.bindAddress} is not an address of this computer: use 0.0.0.0 (all interfaces) or one of its addresses.`;
  return 'The DICOM receiver could not start; details are in the log.';
}

/** Spool folders of processes that are gone (a crash mid-receive): their files were never catalogued. */
function removeDeadSpools(root: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(entry.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) continue;
    if (pid === process.pid) continue;
    fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(text).filter(Boolean).join('\\');
  if (value && typeof value === 'object') {
    // dcmjs person names: { Alphabetic, Ideographic, Phonetic }.
    const name = value as { Alphabetic?: unknown; Ideographic?: unknown; Phonetic?: unknown };
    return [name.Alphabetic, name.Ideographic, name.Phonetic]
      .map((part) => (typeof part === 'string' ? part : ''))
      .join('=')
      .replace(/=+$/, '');
  }
  return '';
}

function studyMatchOf(match: FindMatch): Omit<PacsStudyMatch, 'local'> | null {
  const studyInstanceUID = text(match['StudyInstanceUID']).trim();
  if (!/^[0-9.]{1,64}$/.test(studyInstanceUID)) return null;
  const count = Number(text(match['NumberOfStudyRelatedInstances']));
  return {
    studyInstanceUID,
    patientName: text(match['PatientName']),
    patientId: text(match['PatientID']),
    birthDate: text(match['PatientBirthDate']),
    studyDate: text(match['StudyDate']),
    studyTime: text(match['StudyTime']),
    studyDescription: text(match['StudyDescription']),
    accessionNumber: text(match['AccessionNumber']),
    modalities: text(match['ModalitiesInStudy']),
    numberOfInstances:
      Number.isInteger(count) && text(match['NumberOfStudyRelatedInstances']) !== '' ? count : null,
  };
}
