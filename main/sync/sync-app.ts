/**
 * Sync as a service of the workstation: the `sync.*` methods, the project loaded from its manifest
 * (kept in `<data>/sync/project.json`, so the app syncs again after a restart), and the background
 * scheduler: a pass at the manifest's interval, sooner when instances wait for their backoff or the
 * network comes back, never two at once. Pause stops the running pass (its state is saved as it
 * goes) and starts none until resumed.
 */
import { adoptKeptManifestSchema } from '../annotation/schema.js';
import fs from 'node:fs';
import path from 'node:path';
import type { Handlers } from '../../shared/contract.js';
import { AppError, ErrorCode, isAppError } from '../../shared/errors.js';
import type { SyncEngineState, SyncStatus } from '../../shared/sync.js';
import { openCatalogConnection } from '../catalog/catalog.js';
import { markSynced } from '../cache/retention.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { DeidConfig } from '../deid/index.js';
import type { ProjectDeidSettings } from '../deid-app/handlers.js';
import {
  type PassResult,
  type RetryPolicy,
  SyncEngine,
  type SyncProject,
  type SyncTransport,
} from './engine.js';
import { Outbox, type OutboxDependencies } from './outbox.js';
import { SyncStateStore } from './state-store.js';

type SyncMethodName =
  'sync.status' | 'sync.now' | 'sync.pause' | 'sync.resume' | 'sync.loadProject' | 'sync.selectStudies';

/** A project ready to sync: what the manifest says, and a transport to its server. */
export interface LoadedProject {
  project: SyncProject;
  deid: ProjectDeidSettings;
  transport: SyncTransport;
  /** The manifest as loaded (no credentials), kept to load the project again at the next start. */
  manifest: unknown;
}

export interface SyncAppDependencies {
  dataDir: string;
  catalogFile: string;
  events: EventBus;
  logger: Logger;
  /** Reads a manifest (a file or a URL) or a kept one, and connects its transport. */
  loadProject(source: { path: string } | { url: string } | { manifest: unknown }): Promise<LoadedProject>;
  uploadConfig(project: ProjectDeidSettings, files: readonly string[]): Promise<DeidConfig>;
  studyFiles(studyInstanceUID: string): string[] | null;
  hasInstance(sopInstanceUID: string): boolean;
  importFiles(paths: readonly string[]): Promise<Map<string, string>>;
  writeAnnotations?: OutboxDependencies['writeAnnotations'];
  annotationsKey?(studyInstanceUID: string, uploadDrafts: boolean): Promise<string | null>;
  /** Run passes in the background (the app); the CLI drives passes itself. */
  background: boolean;
  retry?: RetryPolicy;
  /** Engine worker threads for de-identification (0: this thread). */
  deidWorkers?: number;
}

export interface SyncApp {
  readonly handlers: Pick<Handlers, SyncMethodName>;
  /** Loads a project (CLI: from `--project`); replaces the current one. */
  load(source: { path: string } | { url: string }): Promise<SyncEngine>;
  engine(): SyncEngine | null;
  /**
   * Passes until nothing is left to do now or `shouldStop` says so (the CLI): each pass, then a wait
   * for the earliest backoff. Resolves with the last pass.
   */
  runUntilSettled(options: {
    signal: AbortSignal;
    shouldStop(result: PassResult, passes: number): boolean;
    maxWaitMs?: number;
  }): Promise<PassResult>;
  close(): Promise<void>;
}

export const SYNC_DIR = 'sync';
const PROJECT_FILE = 'project.json';

/**
 * The backoff from `RADLABEL_SYNC_BACKOFF_MS` (`<first>,<max>` in ms; tests and impatient
 * operators), else the engine's default (1 s doubling to 5 min).
 */
export function retryFromEnv(env: NodeJS.ProcessEnv): RetryPolicy | undefined {
  const match = /^(\d+),(\d+)$/.exec(env['RADLABEL_SYNC_BACKOFF_MS']?.trim() ?? '');
  if (!match) return undefined;
  const baseMs = Number(match[1]);
  const maxMs = Number(match[2]);
  return baseMs > 0 && maxMs >= baseMs ? { baseMs, maxMs } : undefined;
}

export function createSyncApp(deps: SyncAppDependencies): SyncApp {
  const retry = deps.retry ?? retryFromEnv(process.env);
  const root = path.join(deps.dataDir, SYNC_DIR);
  let db: ReturnType<typeof openCatalogConnection> | null = null;
  const connection = () => (db ??= openCatalogConnection(deps.catalogFile));
  let current: SyncEngine | null = null;
  let paused = false;
  let running: { controller: AbortController; done: Promise<PassResult | null> } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastSyncAt: string | null = null;
  let lastError: string | null = null;
  let offlineStreak = 0;
  let closed = false;

  const make = (loaded: LoadedProject): SyncEngine => {
    const state = new SyncStateStore(connection());
    const outbox = new Outbox({
      state,
      root: path.join(root, 'outbox'),
      projectId: loaded.project.projectId,
      deid: loaded.deid,
      ...(loaded.project.readers ? { readers: loaded.project.readers } : {}),
      uploadConfig: deps.uploadConfig,
      studyFiles: deps.studyFiles,
      ...(deps.writeAnnotations ? { writeAnnotations: deps.writeAnnotations } : {}),
      logger: deps.logger,
      ...(deps.deidWorkers !== undefined ? { workers: deps.deidWorkers } : {}),
    });
    const annotationsKey = deps.annotationsKey;
    const engine = new SyncEngine({
      project: loaded.project,
      state,
      outbox,
      transport: loaded.transport,
      inbox: path.join(root, 'inbox'),
      importFiles: deps.importFiles,
      hasInstance: deps.hasInstance,
      markSynced: (studyUid, at) => markSynced(connection(), studyUid, at),
      ...(annotationsKey
        ? { annotationsKey: (uid: string) => annotationsKey(uid, loaded.project.uploadDrafts) }
        : {}),
      logger: deps.logger,
      ...(retry ? { retry } : {}),
      onProgress: (progress) => deps.events.emit('sync.progress', progress),
    });
    engine.recover();
    return engine;
  };

  const status = (): SyncStatus => {
    const engine = current;
    const state: SyncEngineState = engine
      ? paused
        ? 'paused'
        : running
          ? 'syncing'
          : offlineStreak > 0
            ? 'offline'
            : 'idle'
      : 'not-configured';
    const progress = engine
      ? { ...engine.progress(), state }
      : { state, itemsDone: 0, itemsTotal: 0, itemsFailed: 0, bytesSent: 0, bytesReceived: 0 };
    return {
      project: engine
        ? {
            projectId: engine.project.projectId,
            baseUrl: engine.project.baseUrl,
            intervalMinutes: engine.project.intervalMinutes,
          }
        : null,
      state,
      progress,
      lastSyncAt,
      lastError,
      studies: engine ? new SyncStateStore(connection()).statuses(engine.project.projectId) : [],
    };
  };
  const announce = (): void => {
    const { studies: _studies, ...summary } = status();
    deps.events.emit('sync.state', summary);
  };

  const runPass = (): Promise<PassResult | null> => {
    if (running) return running.done;
    const engine = current;
    if (!engine || paused || closed) return Promise.resolve(null);
    const controller = new AbortController();
    const done = (async () => {
      try {
        const result = await engine.pass(controller.signal);
        offlineStreak = result.offline ? offlineStreak + 1 : 0;
        lastError = result.error;
        if (result.error === null && result.pending === 0) lastSyncAt = new Date().toISOString();
        return result;
      } catch (error) {
        lastError = isAppError(error)
          ? error.message
          : 'Sync stopped on an unexpected error; details are in the log.';
        deps.logger.error({ code: isAppError(error) ? error.code : undefined }, 'sync pass failed');
        return null;
      } finally {
        running = null;
        announce();
        schedule();
      }
    })();
    running = { controller, done };
    announce();
    return done;
  };

  /** The next background pass: the earliest backoff, the offline probe, or the interval. */
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const engine = current;
    if (!deps.background || !engine || paused || closed) return;
    const intervalMs = (engine.project.intervalMinutes ?? 15) * 60_000;
    let delay = intervalMs;
    if (offlineStreak > 0) delay = Math.min(delay, engine.backoffMs(offlineStreak - 1));
    const next = engine.nextAttemptAt();
    if (next) delay = Math.min(delay, Math.max(0, next.getTime() - Date.now()));
    timer = setTimeout(() => void runPass(), Math.max(delay, 250));
    timer.unref();
  };

  const stopRunning = async (): Promise<void> => {
    const pass = running;
    if (!pass) return;
    pass.controller.abort();
    await pass.done;
  };

  /**
   * The project's manifest sets the label schema (docs/annotation.md "Label schema"): at each
   * load, so it wins over a file loaded before. A schema that cannot be kept leaves sync running.
   */
  const adoptSchema = (loaded: LoadedProject): void => {
    try {
      const view = adoptKeptManifestSchema(deps.dataDir, loaded.manifest);
      if (view) deps.events.emit('schema.changed', view);
    } catch (error) {
      deps.logger.warn(
        { code: isAppError(error) ? error.code : undefined },
        "the project manifest's label schema was not kept",
      );
    }
  };

  const adopt = async (loaded: LoadedProject): Promise<SyncEngine> => {
    await stopRunning();
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    const file = path.join(root, PROJECT_FILE);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(loaded.manifest, null, 2), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    await current?.close();
    current = make(loaded);
    adoptSchema(loaded);
    offlineStreak = 0;
    lastError = null;
    announce();
    schedule();
    return current;
  };

  // The project of the last session, if any.
  const kept = path.join(root, PROJECT_FILE);
  const restored: Promise<void> = fs.existsSync(kept)
    ? (async () => {
        try {
          const manifest: unknown = JSON.parse(fs.readFileSync(kept, 'utf8'));
          const loaded = await deps.loadProject({ manifest });
          current = make(loaded);
          adoptSchema(loaded);
          schedule();
        } catch (error) {
          lastError = isAppError(error) ? error.message : 'The saved project could not be loaded.';
          deps.logger.warn(
            { code: isAppError(error) ? error.code : undefined },
            'saved sync project not loaded',
          );
        }
      })()
    : Promise.resolve();

  const requireEngine = async (): Promise<SyncEngine> => {
    await restored;
    if (!current)
      throw new AppError(
        ErrorCode.NotFound,
        'No cloud project is set up on this workstation. Load its manifest first.',
      );
    return current;
  };

  const handlers: Pick<Handlers, SyncMethodName> = {
    'sync.status': async () => {
      await restored;
      return status();
    },
    'sync.now': async () => {
      const engine = await requireEngine();
      if (paused || running) return { started: false };
      engine.retryNow();
      void runPass();
      return { started: true };
    },
    'sync.pause': async () => {
      await restored;
      paused = true;
      if (timer) clearTimeout(timer);
      await stopRunning();
      announce();
      return status();
    },
    'sync.resume': async () => {
      await restored;
      paused = false;
      offlineStreak = 0;
      announce();
      schedule();
      if (current && deps.background) void runPass();
      return status();
    },
    'sync.loadProject': async ({ source }) => {
      await restored;
      const loaded = await deps.loadProject(
        /^https?:\/\//i.test(source) ? { url: source } : { path: source },
      );
      await adopt(loaded);
      return status();
    },
    'sync.selectStudies': async ({ studyInstanceUIDs }) => {
      const engine = await requireEngine();
      for (const uid of studyInstanceUIDs)
        if (!deps.studyFiles(uid))
          throw new AppError(ErrorCode.NotFound, 'A chosen study is not in the local catalog.');
      const queued = engine.selectStudies(studyInstanceUIDs);
      schedule();
      announce();
      return { queued };
    },
  };

  return {
    handlers,
    async load(source) {
      await restored;
      return adopt(await deps.loadProject(source));
    },
    engine: () => current,
    async runUntilSettled({ signal, shouldStop, maxWaitMs = 60_000 }) {
      const engine = await requireEngine();
      let passes = 0;
      for (;;) {
        const controller = new AbortController();
        const abort = () => controller.abort();
        signal.addEventListener('abort', abort, { once: true });
        let result: PassResult;
        try {
          result = await engine.pass(controller.signal);
        } finally {
          signal.removeEventListener('abort', abort);
        }
        passes++;
        offlineStreak = result.offline ? offlineStreak + 1 : 0;
        lastError = result.error;
        if (signal.aborted || shouldStop(result, passes)) return result;
        const next = engine.nextAttemptAt();
        if (!next && result.stoppedBy === null) return result;
        // A pass stopped by the server waits its backoff; else until the first object is due.
        const streak = result.stoppedBy ? offlineStreak || passes : 0;
        let wait = next ? Math.max(0, next.getTime() - Date.now()) : engine.backoffMs(streak - 1);
        if (result.stoppedBy) wait = Math.max(wait, engine.backoffMs(Math.max(0, streak - 1)));
        await sleep(Math.min(wait, maxWaitMs), signal);
      }
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await restored;
      await stopRunning();
      await current?.close();
      db?.close();
      db = null;
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
