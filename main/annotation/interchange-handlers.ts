/**
 * The `export.*` and `annotation.importFiles` handlers (shared/interchange.ts), and the hook that
 * turns every SR and SEG the normal import brings into the catalog into annotations (on
 * `catalog.changed`, idempotent: ids derive from the files).
 */
import crypto from 'node:crypto';
import type { Handlers } from '../../shared/contract.js';
import type { interchangeMethods, ExportProgressEvent } from '../../shared/interchange.js';
import { isAppError } from '../../shared/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { deidConfigFromSettings } from '../deid-app/deid-config.js';
import type { KeyProvider } from '../deid/linkage.js';
import { DeidSettingsStore } from '../deid-app/settings-store.js';
import { describeError } from '../rpc/dispatch.js';
import { AnnotationImporter, type ImportSource } from './dicom/import.js';
import { SEG_SOP_CLASSES } from './dicom/seg-read.js';
import { SR_SOP_CLASSES } from './dicom/sr-read.js';
import { type ExportSource, ExportStoppedError, runExport } from './export/run-export.js';
import { currentReader } from './reader.js';

type InterchangeHandlers = Pick<Handlers, keyof typeof interchangeMethods>;

export interface InterchangeSource extends ExportSource, ImportSource {
  handlers: Handlers;
}

export interface InterchangeApp {
  readonly handlers: InterchangeHandlers;
  close(): Promise<void>;
}

export function createInterchangeApp(options: {
  dataDir: string;
  keys: KeyProvider;
  events: EventBus;
  logger: Logger;
  softwareVersion: string;
  /** The assembled services (handlers are read when a request comes, after assembly). */
  source: InterchangeSource;
}): InterchangeApp {
  const { events, logger } = options;
  const jobs = new Map<string, { controller: AbortController; done: Promise<void> }>();

  const importFiles = async (paths: readonly string[]) => {
    const importer = new AnnotationImporter(options.source);
    const files = [];
    for (const file of paths) files.push(await importer.importFile(file));
    // Versions whose parents came in a later file of the batch (main/annotation/dicom/import.ts).
    await importer.settle();
    return files;
  };

  // SR and SEG objects imported into the catalog become annotations.
  const pending = new Set<Promise<unknown>>();
  const unsubscribe = events.subscribe((event) => {
    if (event.name !== 'catalog.changed') return;
    const run = (async () => {
      const { handlers, instanceFile } = options.source;
      const paths: string[] = [];
      const objects: Array<{ studyInstanceUID: string; sopInstanceUID: string }> = [];
      for (const studyInstanceUID of event.payload.studyInstanceUIDs) {
        const detail = await handlers['catalog.getStudy']({ studyInstanceUID }).catch(() => null);
        for (const series of detail?.series ?? []) {
          if (series.modality !== 'SR' && series.modality !== 'SEG') continue;
          for (const instance of await handlers['catalog.listInstances']({
            seriesInstanceUID: series.seriesInstanceUID,
          })) {
            if (!SR_SOP_CLASSES.has(instance.sopClassUID) && !SEG_SOP_CLASSES.has(instance.sopClassUID))
              continue;
            const file = instanceFile(instance.sopInstanceUID);
            if (!file) continue;
            paths.push(file.path);
            objects.push({ studyInstanceUID, sopInstanceUID: instance.sopInstanceUID });
          }
        }
      }
      if (paths.length === 0) return;
      const outcomes = await importFiles(paths);
      // The reader is told what each object gave, problems included (the import's status shows
      // them); the log keeps counts only (no file names, no PHI).
      events.emit('annotation.imported', {
        objects: outcomes.slice(0, 10_000).map((outcome, index) => ({
          ...objects[index]!,
          kind: outcome.kind,
          added: outcome.added,
          problems: outcome.problems.slice(0, 100).map((problem) => problem.slice(0, 2000)),
        })),
      });
      logger.info(
        {
          objects: outcomes.length,
          added: outcomes.reduce((n, o) => n + o.added, 0),
          problems: outcomes.reduce((n, o) => n + o.problems.length, 0),
        },
        'annotation objects imported from the catalog',
      );
    })().catch((error: unknown) =>
      logger.warn({ err: describeError(error) }, 'annotation objects not imported'),
    );
    pending.add(run);
    void run.finally(() => pending.delete(run));
  });

  const handlers: InterchangeHandlers = {
    'annotation.importFiles': async ({ paths }) => ({ files: await importFiles(paths) }),
    'export.start': async ({ format, outputDir, studyInstanceUIDs, deid }) => {
      const jobId = crypto.randomUUID();
      const controller = new AbortController();
      const config = deid
        ? (() => {
            const settings = new DeidSettingsStore(options.dataDir, options.keys, logger);
            return deidConfigFromSettings(settings.settings(), settings.projectSecret());
          })()
        : undefined;
      const base = { jobId, format, studiesDone: 0, studiesTotal: 0, filesWritten: 0 };
      const emit = (event: Partial<ExportProgressEvent>) =>
        events.emit('export.progress', {
          ...base,
          finished: false,
          cancelled: false,
          error: null,
          notes: [],
          ...event,
        });
      const done = (async () => {
        try {
          const summary = await runExport({
            source: options.source,
            format,
            outputDir,
            studies: studyInstanceUIDs,
            ...(config ? { deid: config } : {}),
            reader: currentReader(),
            softwareVersion: options.softwareVersion,
            signal: controller.signal,
            onProgress: (progress) => {
              Object.assign(base, progress);
              emit({});
            },
          });
          Object.assign(base, {
            studiesDone: summary.studiesDone,
            studiesTotal: summary.studiesTotal,
            filesWritten: summary.filesWritten,
          });
          emit({ finished: true, cancelled: summary.cancelled, notes: summary.notes.slice(0, 100) });
        } catch (error) {
          logger.error(
            { jobId, code: isAppError(error) ? error.code : undefined, err: describeError(error) },
            'annotation export failed',
          );
          emit({
            finished: true,
            error: isAppError(error)
              ? error.message
              : 'The export stopped on an unexpected error; details are in the log.',
            // Stopped by the output: the notes of what was written before it.
            notes: error instanceof ExportStoppedError ? error.notes.slice(0, 100) : [],
          });
        }
      })().finally(() => jobs.delete(jobId));
      jobs.set(jobId, { controller, done });
      return { jobId };
    },
    'export.cancel': async ({ jobId }) => {
      const job = jobs.get(jobId);
      job?.controller.abort();
      return { cancelled: job !== undefined };
    },
  };

  return {
    handlers,
    async close() {
      unsubscribe();
      for (const job of jobs.values()) job.controller.abort();
      await Promise.allSettled([...jobs.values()].map((job) => job.done));
      await Promise.allSettled([...pending]);
    },
  };
}
