/**
 * The service layer, assembled. Adapters (Electron IPC, web host, CLI, tests) create it once and
 * serve `handlers` through `dispatch`; none of them knows how a handler works.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Handlers, ImportFileError } from '../shared/contract.js';
import { type AccountApp, createAccountApp } from './account/account-app.js';
import { createAnnotationApp } from './annotation/handlers.js';
import { auditHooks, withAudit } from './audit/hooks.js';
import { ReceiveAuditor } from './audit/receive-log.js';
import { createInterchangeApp } from './annotation/interchange-handlers.js';
import { createSegmentationApp } from './annotation/segmentation-handlers.js';
import { createModelApp } from './model/model-app.js';
import { keptProjectReader } from './model/project.js';
import { currentReader } from './annotation/reader.js';
import { ConflictService, conflictHandlers } from './sync/conflicts.js';
import { createAiReviewApp } from './review/app.js';
import { CLI_SESSION_ID, currentSessionId } from './account/sessions.js';
import { AppError, ErrorCode } from '../shared/errors.js';
import { Catalog } from './catalog/catalog.js';
import { FileStore } from './catalog/file-store.js';
import { applyPendingRestore } from './backup/backup.js';
import { catalogKeyFor, createCacheApp, storeKeyFor } from './cache/cache-app.js';
import { readStoredFile, registerStoreKey } from './cache/store-cipher.js';
import { EventBus } from './core/events.js';
import { createDeidApp } from './deid-app/handlers.js';
import { defaultKeyProvider } from './deid-app/key-provider.js';
import type { KeyProvider } from './deid/linkage.js';
import type { Logger } from './core/logger.js';
import { PRODUCT_NAME } from './core/paths.js';
import { instanceTagRows } from './dicom/tag-tree.js';
import { Importer } from './import/importer.js';
import { type PacsApp, createPacsApp } from './pacs/service.js';
import { type ScpLimits, importReceivedObject } from './pacs/scp.js';
import type { ZipLimits } from './import/zip-archive.js';
import { UiSessionStore } from './session/ui-session-store.js';
import { annotationsKey, writeStudyAnnotations } from './sync/annotations.js';
import { loadSyncProject } from './sync/project.js';
import { type SyncApp, type SyncAppDependencies, createSyncApp } from './sync/sync-app.js';
import { createStatsApp } from './stats/handlers.js';
import { seriesGridFromFiles } from './agreement/geometry.js';

export interface ServicesOptions {
  dataDir: string;
  host: 'electron' | 'web';
  logger: Logger;
  /** Worker threads for import parsing; defaults to cores − 1 (at least 1). */
  importWorkers?: number;
  /** Import limits; the defaults suit real studies (tests lower them to try zip bombs cheaply). */
  importLimits?: { maxFileBytes?: number; zip?: ZipLimits };
  /**
   * Protects the de-identification secret and the linkage table. Electron injects its keychain;
   * otherwise RADLABEL_LINKAGE_KEY, else a key file in the data folder (see deid-app/key-provider.ts).
   */
  keyProvider?: KeyProvider;
  /** Worker threads for de-identified exports; defaults to cores − 1, 0 runs them in this thread. */
  deidWorkers?: number;
  /** Limits of the receiving DICOM SCP (tests lower them). */
  pacsLimits?: Partial<ScpLimits>;
  /** Sync with the cloud project in the background at its interval (the app; default true). The CLI drives it. */
  syncBackground?: boolean;
  /** How a sync project is loaded (tests inject a transport); default: its manifest and DICOMweb client. */
  syncLoadProject?: SyncAppDependencies['loadProject'];
  /** Threads a segmentation model may use (main/model/); default cores − 1. */
  modelThreads?: number;
  /** Tests: awaited before each inference of a model run (to cancel one mid-run deterministically). */
  modelBeforeInference?: (index: number) => Promise<void>;
}

/** Where the bytes of one stored instance live, for the image protocol / HTTP route. */
export interface InstanceFile {
  path: string;
  size: number;
  transferSyntaxUID: string;
}

export interface Services {
  readonly handlers: Handlers;
  readonly events: EventBus;
  /** Sign-in sessions and the audit log (hosts run requests inside `runInSession`). */
  readonly account: AccountApp;
  /** The PACS service: hosts start its receiver (`pacs.start()`) when they start. */
  readonly pacs: PacsApp;
  /** Sync with the cloud project (main/sync/; `radlabel sync` drives it). */
  readonly sync: SyncApp;
  /** Resolves a SOP Instance UID to its file in the store, or null. Never takes a path from outside. */
  instanceFile(sopInstanceUID: string): InstanceFile | null;
  /** Every error of an import job (progress events carry only the most recent 100). */
  importErrors(jobId: string): readonly ImportFileError[];
  /** Every file an import job did not read, with the reason (pipes, devices, hidden files, DICOMDIR). */
  importSkipped(jobId: string): readonly ImportFileError[];
  /** Cancels running jobs, stops workers, closes the database. */
  close(): Promise<void>;
}

export const CATALOG_FILE_NAME = 'catalog.sqlite';
export const STORE_DIR_NAME = 'store';

export function createServices(options: ServicesOptions): Services {
  const { dataDir, logger } = options;
  fs.mkdirSync(dataDir, { recursive: true });
  const keys = options.keyProvider ?? defaultKeyProvider(dataDir);
  // A restore staged by backup.restore is moved into place before anything opens the folder.
  if (applyPendingRestore(dataDir)) logger.warn({}, 'backup restored into the data folder');
  const catalogFile = path.join(dataDir, CATALOG_FILE_NAME);
  const catalogKey = catalogKeyFor(catalogFile, dataDir, keys);
  // The WAL is checkpointed by a worker, never inside a commit on this thread (an annotation save).
  const catalog = Catalog.open(catalogFile, {
    logger,
    walCheckpointer: true,
    ...(catalogKey ? { key: catalogKey } : {}),
  });
  // New store files are encrypted when the cache is (main/cache/store-cipher.ts); readers find the key.
  const storeKey = storeKeyFor(dataDir, keys);
  if (storeKey) registerStoreKey(storeKey);
  let store: FileStore;
  try {
    store = FileStore.open(
      path.join(dataDir, STORE_DIR_NAME),
      (relativePath) => catalog.isFileReferenced(relativePath),
      logger,
      storeKey ? { encryptionKey: storeKey } : {},
    );
  } catch (error) {
    catalog.close();
    throw new AppError(
      ErrorCode.Io,
      'The image store in the data folder could not be opened (check its permissions).',
      { cause: error },
    );
  }
  const events = new EventBus();
  const importer = new Importer({
    catalog,
    store,
    events,
    logger,
    ...(options.importWorkers !== undefined ? { workers: options.importWorkers } : {}),
    ...(options.importLimits?.maxFileBytes !== undefined
      ? { maxFileBytes: options.importLimits.maxFileBytes }
      : {}),
    ...(options.importLimits?.zip ? { zipLimits: options.importLimits.zip } : {}),
  });

  const deid = createDeidApp({
    dataDir,
    keys,
    events,
    logger,
    studyFiles: (studyInstanceUID) => studyFiles(catalog, store, studyInstanceUID),
    catalogFile: catalog.file,
    instancePath: (sopInstanceUID) => {
      const stored = catalog.storedFile(sopInstanceUID);
      return stored ? store.absolutePath(stored.filePath) : null;
    },
    ...(options.deidWorkers !== undefined ? { workers: options.deidWorkers } : {}),
  });

  // The reader's place never names a study the catalog no longer has (deleted, purged).
  const uiSession = new UiSessionStore(dataDir, logger, (uid) => catalog.getStudy(uid) !== null);
  const cache = createCacheApp({
    dataDir,
    catalogFile: catalog.file,
    store,
    keys,
    events,
    logger,
    background: true,
    ...(storeKey ? { storeKey } : {}),
    forgetStudies: (uids) => uiSession.forget(uids),
  });
  // One audit entry per burst of received objects from a sender (main/audit/receive-log.ts).
  const receiveAudit = new ReceiveAuditor((event) => account.record(event));
  const pacs = createPacsApp({
    dataDir,
    catalogFile: catalog.file,
    events,
    logger,
    // Each received object is one import of its own: its outcome is the sender's C-STORE status.
    importReceived: async (object) =>
      receiveAudit.noted(object.callingAeTitle, await importReceivedObject(importer, object)),
    hasStudy: (studyInstanceUID) => catalog.getStudy(studyInstanceUID) !== null,
    // The interchange app below turns received SR and SEG objects into annotations and reports it.
    annotationReports: true,
    // Only an administrator changes the receiver and clears its problems (docs/pacs.md).
    mayAdminister: () => account.mayAdminister(),
    ...(options.pacsLimits ? { scpLimits: options.pacsLimits } : {}),
  });
  const annotation = createAnnotationApp({
    dataDir,
    catalogFile: catalog.file,
    events,
    logger,
    seriesOf: (studyInstanceUID) => catalog.getStudy(studyInstanceUID)?.series ?? [],
  });
  // Annotation conflicts met on sync (main/sync/conflicts.ts, docs/sync.md).
  const conflicts = new ConflictService({
    catalogFile: catalog.file,
    store: annotation.store,
    reader: currentReader,
  });
  const interchange = createInterchangeApp({
    dataDir,
    keys,
    events,
    logger,
    softwareVersion: productVersion(),
    source: {
      // Read at request time, once the handlers below exist.
      get handlers() {
        return handlers;
      },
      instanceFile: (sopInstanceUID) => {
        const stored = catalog.storedFile(sopInstanceUID);
        return stored ? { path: store.absolutePath(stored.filePath) } : null;
      },
      versionExists: (versionId) => annotation.store.version(versionId) !== null,
      // A device SEG keeps its algorithm as author and source; its segments become AI findings.
      saveLabelmap: (request, author, source) => void segmentation.store.saveSlices(request, author, source),
      aiSegmentation: (info) => aiReview.segments?.record(info),
    },
  });
  const segmentation = createSegmentationApp({ catalogFile: catalog.file, logger });
  // Statistics and agreement (main/stats/, main/agreement/, docs/statistics.md).
  const stats = createStatsApp({
    catalogFile: catalog.file,
    logger,
    seriesGrid: (seriesInstanceUID) => {
      const files = (catalog.listInstances(seriesInstanceUID) ?? []).flatMap((instance) => {
        const stored = catalog.storedFile(instance.sopInstanceUID);
        return stored ? [store.absolutePath(stored.filePath)] : [];
      });
      try {
        return files.length > 0 ? seriesGridFromFiles(files) : null;
      } catch {
        return null;
      }
    },
  });
  // The project's segmentation models, run locally (main/model/, docs/ai-models.md).
  const model = createModelApp({
    catalogFile: catalog.file,
    events,
    logger,
    project: keptProjectReader(dataDir),
    seriesFiles: (studyInstanceUID, seriesInstanceUID) => {
      const detail = catalog.getStudy(studyInstanceUID);
      if (!detail?.series.some((series) => series.seriesInstanceUID === seriesInstanceUID)) return null;
      return (catalog.listInstances(seriesInstanceUID) ?? []).flatMap((instance) => {
        const stored = catalog.storedFile(instance.sopInstanceUID);
        return stored
          ? [{ sopInstanceUID: instance.sopInstanceUID, path: store.absolutePath(stored.filePath) }]
          : [];
      });
    },
    saveLabelmap: (request, author, source) => void segmentation.store.saveSlices(request, author, source),
    reader: currentReader,
    ...(options.modelThreads !== undefined ? { threads: options.modelThreads } : {}),
    ...(options.modelBeforeInference ? { beforeInference: options.modelBeforeInference } : {}),
  });

  // Sign-in, the audit log and its hooks (docs/accounts.md, docs/audit.md).
  const account = createAccountApp({ catalogFile: catalog.file, masterKey: () => keys.masterKey(), logger });

  // AI findings and review (docs/ai-review.md): decisions are annotation versions; roles from the
  // project's manifest, else the local account.
  const aiReview = createAiReviewApp({
    dataDir,
    catalogFile: catalog.file,
    store: annotation.store,
    events,
    logger,
    schema: () => annotation.schemas.get().schema,
    identity: () => {
      const session = currentSessionId() === CLI_SESSION_ID ? null : account.sessions.get();
      return {
        accounts: account.accounts.count() > 0 && currentSessionId() !== CLI_SESSION_ID,
        reader: session
          ? {
              readerId: session.account.readerId,
              username: session.account.username,
              role: session.account.role,
            }
          : null,
        readerId: currentReader(),
      };
    },
    annotation: () => annotation.handlers,
    labelmaps: segmentation.store,
  });

  // Sync with the cloud project: de-identified copies up (through deid.uploadConfig only), tasks down.
  const annotationSource = {
    // Read at request time, once the handlers below exist.
    get handlers() {
      return handlers;
    },
    instanceFile: (sopInstanceUID: string) => {
      const stored = catalog.storedFile(sopInstanceUID);
      return stored ? { path: store.absolutePath(stored.filePath) } : null;
    },
  };
  const sync = createSyncApp({
    dataDir,
    catalogFile: catalog.file,
    events,
    logger,
    loadProject:
      options.syncLoadProject ?? ((source) => loadSyncProject(source, { env: process.env, dataDir })),
    uploadConfig: (project, files) => deid.uploadConfig(project, files),
    studyFiles: (studyInstanceUID) => studyFiles(catalog, store, studyInstanceUID),
    hasInstance: (sopInstanceUID) => catalog.storedFile(sopInstanceUID) !== null,
    importFiles: async (paths) => {
      const job = importer.start(paths);
      await job.done;
      return new Map(job.errors.map((error) => [error.path, error.message]));
    },
    background: options.syncBackground ?? true,
    ...(options.deidWorkers !== undefined ? { deidWorkers: options.deidWorkers } : {}),
    // Complete studies' annotations as SR/SEG (main/sync/annotations.ts), read through the handlers.
    annotationsKey: (studyInstanceUID, uploadDrafts) =>
      annotationsKey(annotationSource, studyInstanceUID, uploadDrafts),
    writeAnnotations: async (studyInstanceUID, folder, signal, predecessor) =>
      writeStudyAnnotations(annotationSource, {
        studyInstanceUID,
        folder,
        signal,
        predecessor,
        softwareVersion: productVersion(),
      }),
  });

  const handlers: Handlers = {
    ...account.handlers,
    ...sync.handlers,
    ...deid.handlers,
    ...cache.handlers,
    ...annotation.handlers,
    ...interchange.handlers,
    ...pacs.handlers,
    ...segmentation.handlers,
    ...stats.handlers,
    ...model.handlers,
    ...conflictHandlers(conflicts, events, logger),
    ...aiReview.handlers,
    'session.load': async () => uiSession.load(),
    'session.save': async (session) => {
      uiSession.save(session);
      return {};
    },
    'app.info': async () => ({
      productName: PRODUCT_NAME,
      version: productVersion(),
      host: options.host,
      platform: `${os.platform()}-${os.arch()}`,
      dataDir,
      researchUseOnly: true,
    }),
    'catalog.listStudies': async (request) => annotation.withStatus(catalog.listStudies(request)),
    'catalog.getStudy': async ({ studyInstanceUID }) => {
      const detail = catalog.getStudy(studyInstanceUID);
      if (!detail) throw new AppError(ErrorCode.NotFound, 'This study is not in the local catalog.');
      return detail;
    },
    'catalog.listInstances': async ({ seriesInstanceUID }) => {
      const instances = catalog.listInstances(seriesInstanceUID);
      if (!instances) throw new AppError(ErrorCode.NotFound, 'This series is not in the local catalog.');
      return instances;
    },
    'catalog.instanceTags': async ({ sopInstanceUID }) => {
      const stored = catalog.storedFile(sopInstanceUID);
      if (!stored) throw new AppError(ErrorCode.NotFound, 'This image is not in the local catalog.');
      let bytes: Uint8Array;
      try {
        bytes = await readStoredFile(store.absolutePath(stored.filePath));
      } catch (error) {
        throw new AppError(ErrorCode.Io, 'The stored image file cannot be read.', { cause: error });
      }
      return { sopInstanceUID, ...instanceTagRows(bytes) };
    },
    'import.start': async ({ paths }) => ({ jobId: importer.start(paths).id }),
    'import.cancel': async ({ jobId }) => ({ cancelled: importer.cancel(jobId) }),
    'import.status': async ({ jobId }) => {
      const progress = importer.status(jobId);
      if (!progress)
        throw new AppError(
          ErrorCode.NotFound,
          'This import job is unknown (finished long ago, or from a previous session).',
        );
      return progress;
    },
  };
  const served = account.guard(
    withAudit(
      aiReview.guard(handlers),
      auditHooks({
        record: account.record,
        importDone: async (jobId) => {
          const job = importer.job(jobId);
          if (!job) return null;
          const done = await job.done;
          return {
            added: done.added,
            duplicates: done.duplicates,
            failed: done.failed,
            skipped: done.skipped,
          };
        },
      }),
      account.record,
    ),
  );

  let closed: Promise<void> | null = null;
  return {
    handlers: served,
    events,
    account,
    pacs,
    sync,
    instanceFile(sopInstanceUID) {
      const stored = catalog.storedFile(sopInstanceUID);
      if (!stored) return null;
      return {
        path: store.absolutePath(stored.filePath),
        size: stored.fileSize,
        transferSyntaxUID: stored.transferSyntaxUID,
      };
    },
    importErrors(jobId) {
      return importer.job(jobId)?.errors ?? [];
    },
    importSkipped(jobId) {
      return importer.job(jobId)?.skippedFiles ?? [];
    },
    close() {
      closed ??= (async () => {
        await sync.close();
        await pacs.close();
        receiveAudit.close();
        await importer.close();
        await interchange.close();
        await model.close();
        await deid.close();
        cache.close();
        conflicts.close();
        aiReview.close();
        annotation.close();
        segmentation.close();
        stats.close();
        account.close();
        store.close();
        catalog.close();
      })();
      return closed;
    },
  };
}

/** The stored files of a study, every series, in display order; null when the study is unknown. */
function studyFiles(catalog: Catalog, store: FileStore, studyInstanceUID: string): string[] | null {
  const detail = catalog.getStudy(studyInstanceUID);
  if (!detail) return null;
  const files: string[] = [];
  for (const series of detail.series) {
    for (const instance of catalog.listInstances(series.seriesInstanceUID) ?? []) {
      const stored = catalog.storedFile(instance.sopInstanceUID);
      if (stored) files.push(store.absolutePath(stored.filePath));
    }
  }
  return files;
}

let cachedVersion: string | undefined;

/** The product version from package.json, one level above main/ (sources) or two above build/main/. */
export function productVersion(): string {
  if (cachedVersion === undefined) {
    for (const relative of ['../package.json', '../../package.json']) {
      try {
        const manifest = JSON.parse(
          fs.readFileSync(fileURLToPath(new URL(relative, import.meta.url)), 'utf8'),
        ) as {
          name?: string;
          version?: string;
        };
        if (manifest.name === 'radlabel' && manifest.version) {
          cachedVersion = manifest.version;
          break;
        }
      } catch {
        // Not at this location; try the next.
      }
    }
    cachedVersion ??= '0.0.0';
  }
  return cachedVersion;
}
