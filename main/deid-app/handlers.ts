/**
 * The `deid.*` methods of the contract, over the local settings, the sealed secret, the linkage
 * table and the export jobs. Preview and study report come from the engine's createDeidHandlers.
 */
import path from 'node:path';
import type { DeidSettings, Handlers } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { DeidConfig } from '../deid/index.js';
import { EncryptedLinkageStore, type KeyProvider, LINKAGE_FILE_NAME } from '../deid/linkage.js';
import { createDeidHandlers } from '../deid/service.js';
import { createDefaceHandlers, DefaceStore, withDefacePlan } from './deface.js';
import { deidConfigFromSettings } from './deid-config.js';
import { LatestStudyReports, StudyExportJobs } from './export-jobs.js';
import { HeldReview } from './held-review.js';
import { HeldStore } from './held-store.js';
import { prepareExportFolder } from './output-folder.js';
import { DeidSettingsStore } from './settings-store.js';
import { readStoredFile } from '../cache/store-cipher.js';

type DeidMethodName = Extract<keyof Handlers, `deid.${string}`>;

export interface DeidAppDependencies {
  dataDir: string;
  keys: KeyProvider;
  events: EventBus;
  logger: Logger;
  /** Absolute paths of a stored study's files, or null when the study is not in the catalog. */
  studyFiles(studyInstanceUID: string): string[] | null;
  /** Absolute path of a stored instance's file, or null. */
  instancePath(sopInstanceUID: string): string | null;
  /** Worker threads for exports; undefined = chosen per run (deid/execution.ts), 0 = in the calling thread. */
  workers?: number;
  /** The catalog database (migrated), where the held images of each export are kept; in memory when omitted. */
  catalogFile?: string;
}

/** What a cloud project (main/sync/) decides of the de-identification; the rest is this workstation's. */
export interface ProjectDeidSettings {
  profile: DeidSettings['profile'];
  options: DeidSettings['options'];
  projectId: string;
  clinicalTrial?: Partial<DeidSettings['clinicalTrial']>;
}

export interface DeidApp {
  readonly handlers: Pick<Handlers, DeidMethodName>;
  /**
   * The engine configuration for uploading `files` to a cloud project (the sync outbox): the
   * project's profile, options and id over this workstation's secret, linkage table, pixel rules
   * and accepted defacing, exactly as an export of the study would run.
   */
  uploadConfig(project: ProjectDeidSettings, files: readonly string[]): Promise<DeidConfig>;
  close(): Promise<void>;
}

export function createDeidApp(deps: DeidAppDependencies): DeidApp {
  const settings = new DeidSettingsStore(deps.dataDir, deps.keys, deps.logger);
  const defaceStore = new DefaceStore(deps.dataDir, deps.logger);
  const reports = new LatestStudyReports();
  const jobs = new StudyExportJobs({
    events: deps.events,
    logger: deps.logger,
    reports,
    ...(deps.workers !== undefined ? { workers: deps.workers } : {}),
  });
  // Opened on the first export: a data folder that never exports needs no key for it.
  let linkage: EncryptedLinkageStore | null = null;
  const linkageStore = (): EncryptedLinkageStore => {
    if (!linkage) {
      // A missing or malformed key is reported as the provider words it; only then is a refusal
      // of the table's own key check a key mismatch.
      deps.keys.masterKey();
      try {
        linkage = new EncryptedLinkageStore(path.join(deps.dataDir, LINKAGE_FILE_NAME), deps.keys);
      } catch (error) {
        if (error instanceof AppError && error.code === ErrorCode.InvalidRequest)
          throw new AppError(
            ErrorCode.KeyUnavailable,
            'The re-identification table of this data folder was protected with another key. ' +
              'Use the key this folder was set up with.',
            { cause: error },
          );
        throw error;
      }
    }
    return linkage;
  };

  const heldStore = new HeldStore(deps.catalogFile);
  const review = new HeldReview({
    store: heldStore,
    previewConfig: () => deidConfigFromSettings(settings.settings(), settings.projectSecret()),
    reports,
    logger: deps.logger,
    instancePath: deps.instancePath,
    settings: () => settings.settings(),
    saveSettings: (next) => settings.save(next),
    exportConfig: (next) =>
      deidConfigFromSettings(next, settings.projectSecret(), {
        linkage: linkageStore(),
        logger: deps.logger,
      }),
  });

  const previewConfig = () => deidConfigFromSettings(settings.settings(), settings.projectSecret());
  const instanceBytes = async (sopInstanceUID: string): Promise<Uint8Array | null> => {
    const file = deps.instancePath(sopInstanceUID);
    if (!file) return null;
    try {
      return await readStoredFile(file);
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'The stored image file cannot be read.', { cause: error });
    }
  };
  const engineHandlers = createDeidHandlers({ config: previewConfig, instanceBytes, reports });

  const handlers: Pick<Handlers, DeidMethodName> = {
    ...engineHandlers,
    'deid.getSettings': async () => settings.view(),
    'deid.saveSettings': async (request) => settings.save(request),
    'deid.exportStudy': async ({ studyInstanceUID, outputDir }) => {
      const files = deps.studyFiles(studyInstanceUID);
      if (!files) throw new AppError(ErrorCode.NotFound, 'This study is not in the local catalog.');
      // Settings, secret and linkage first: a key problem is reported before any folder is made.
      const config = deidConfigFromSettings(settings.settings(), settings.projectSecret(), {
        linkage: linkageStore(),
        logger: deps.logger,
      });
      const target = await prepareExportFolder(outputDir, deps.dataDir);
      return {
        jobId: jobs.start({
          studyInstanceUID,
          files,
          outputDir: target,
          config,
          // Faces: which series show one, and the cuts the reader accepted (deface.ts).
          prepareConfig: (base) => withDefacePlan(base, files, defaceStore),
        }),
      };
    },
    'deid.cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    ...createDefaceHandlers({ store: defaceStore, studyFiles: deps.studyFiles }),
    'deid.heldObjects': async ({ studyInstanceUID }) => review.list(studyInstanceUID),
    'deid.releaseHeld': async ({ studyInstanceUID, sopInstanceUID, regions }) =>
      review.release(studyInstanceUID, sopInstanceUID, regions),
    'deid.excludeHeld': async ({ studyInstanceUID, sopInstanceUID }) =>
      review.exclude(studyInstanceUID, sopInstanceUID),
    'deid.heldTextBoxes': async ({ studyInstanceUID, sopInstanceUID }) => ({
      boxes: await review.textBoxes(studyInstanceUID, sopInstanceUID),
    }),
  };

  return {
    handlers,
    async uploadConfig(project, files) {
      const local = settings.settings();
      const config = deidConfigFromSettings(
        {
          ...local,
          profile: project.profile,
          options: [...project.options],
          projectId: project.projectId,
          clinicalTrial: { ...local.clinicalTrial, ...project.clinicalTrial },
        },
        settings.projectSecret(),
        { linkage: linkageStore(), logger: deps.logger },
      );
      return withDefacePlan(config, files, defaceStore);
    },
    async close() {
      await jobs.close();
      await review.close();
      heldStore.close();
      linkage?.close();
    },
  };
}
