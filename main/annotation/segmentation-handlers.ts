/**
 * The `segmentation.*` handlers (shared/segmentation.ts): labelmap versions in the catalog
 * database through their own connection (main/annotation/labelmap-store.ts). A save answers only
 * after its transaction committed.
 */
import type { Handlers } from '../../shared/contract.js';
import type { segmentationMethods } from '../../shared/segmentation.js';
import { openCatalogConnection } from '../catalog/catalog.js';
import type { Logger } from '../core/logger.js';
import { LabelmapStore } from './labelmap-store.js';
import { currentReader } from './reader.js';

type SegmentationHandlers = Pick<Handlers, keyof typeof segmentationMethods>;

export interface SegmentationApp {
  readonly handlers: SegmentationHandlers;
  readonly store: LabelmapStore;
  close(): void;
}

export function createSegmentationApp(options: { catalogFile: string; logger: Logger }): SegmentationApp {
  const db = openCatalogConnection(options.catalogFile);
  // An acknowledged save is on disk, not only in the OS cache.
  db.pragma('synchronous = FULL');
  const store = new LabelmapStore(db);
  const handlers: SegmentationHandlers = {
    'segmentation.saveSlices': async (request) => {
      const started = performance.now();
      const result = store.saveSlices(request, currentReader());
      options.logger.debug(
        { slices: result.slicesStored, ms: Math.round(performance.now() - started) },
        'labelmap slices saved',
      );
      return result;
    },
    'segmentation.list': async ({ seriesInstanceUID }) => store.listHeads(seriesInstanceUID),
    'segmentation.load': async ({ annotationUid, versionId }) => store.load(annotationUid, versionId),
    'segmentation.sliceHashes': async ({ annotationUid, versionId }) =>
      store.sliceHashes(annotationUid, versionId),
  };
  return {
    handlers,
    store,
    close() {
      if (db.open) db.close();
    },
  };
}
