/**
 * The `schema.*` and `annotation.*` handlers (shared/annotation.ts), assembled by main/services.ts.
 * `annotation.save` answers only after its transaction committed: that answer is the point at
 * which the renderer shows a change as saved.
 */
import type { annotationMethods } from '../../shared/annotation.js';
import type { Handlers, StudySummary } from '../../shared/contract.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { missingForStudy, setStudyStatusChecked } from './completeness.js';
import { currentReader } from './reader.js';
import { SchemaService } from './schema.js';
import { AnnotationStore } from './store.js';

type AnnotationHandlers = Pick<Handlers, keyof typeof annotationMethods>;

export interface AnnotationApp {
  readonly handlers: AnnotationHandlers;
  readonly store: AnnotationStore;
  readonly schemas: SchemaService;
  /** Adds each study's annotation status to worklist rows. */
  withStatus<T extends { studies: StudySummary[] }>(page: T): T;
  close(): void;
}

export function createAnnotationApp(options: {
  dataDir: string;
  catalogFile: string;
  events: EventBus;
  logger: Logger;
  /** The study's series in the catalog (the completeness rule asks series questions of each). */
  seriesOf?: (studyInstanceUID: string) => ReadonlyArray<{
    seriesInstanceUID: string;
    modality: string;
    numberOfInstances: number;
  }>;
}): AnnotationApp {
  const store = new AnnotationStore(options.catalogFile, { reader: currentReader });
  const schemas = new SchemaService(options.dataDir);
  const completeness = {
    store,
    schema: () => schemas.get().schema,
    seriesOf: options.seriesOf ?? (() => []),
  };
  const handlers: AnnotationHandlers = {
    'schema.get': async () => schemas.get(),
    'schema.load': async (request) => {
      const view = request.useDefault
        ? schemas.useDefault()
        : request.path !== undefined
          ? schemas.loadFile(request.path)
          : schemas.loadJson(request.json ?? '', request.name ?? null);
      options.events.emit('schema.changed', view);
      return view;
    },
    'annotation.list': async ({ studyInstanceUID }) => store.list(studyInstanceUID),
    'annotation.save': async ({ versions }) => {
      const started = performance.now();
      const result = store.save(versions);
      const byStudy = new Map<string, { annotationUids: Set<string>; versionIds: string[] }>();
      for (const version of result.stored) {
        const entry = byStudy.get(version.studyInstanceUID) ?? { annotationUids: new Set(), versionIds: [] };
        entry.annotationUids.add(version.annotationUid);
        entry.versionIds.push(version.versionId);
        byStudy.set(version.studyInstanceUID, entry);
      }
      for (const [studyInstanceUID, entry] of byStudy) {
        options.events.emit('annotation.changed', {
          studyInstanceUID,
          annotationUids: [...entry.annotationUids],
          versionIds: entry.versionIds,
        });
      }
      options.logger.debug(
        {
          versions: versions.length,
          stored: result.stored.length,
          ms: Math.round(performance.now() - started),
        },
        'annotation versions saved',
      );
      return { versionIds: result.versionIds, committedAt: result.committedAt };
    },
    'annotation.completeness': async ({ studyInstanceUID }) => ({
      missing: missingForStudy(completeness, studyInstanceUID),
    }),
    'annotation.history': async ({ annotationUid }) => store.history(annotationUid),
    'annotation.studyStatus': async ({ studyInstanceUID }) => store.studyStatus(studyInstanceUID),
    'annotation.setStudyStatus': async ({ studyInstanceUID, status }) => {
      const result = setStudyStatusChecked(completeness, studyInstanceUID, status);
      options.events.emit('annotation.statusChanged', result);
      return result;
    },
  };
  return {
    handlers,
    store,
    schemas,
    withStatus(page) {
      const summaries = store.summaries(page.studies.map((study) => study.studyInstanceUID));
      return {
        ...page,
        studies: page.studies.map((study) => {
          const annotation = summaries.get(study.studyInstanceUID);
          return annotation ? { ...study, annotation } : study;
        }),
      };
    },
    close() {
      store.close();
    },
  };
}
