/**
 * `stats.*` and `agreement.*` (issue #11 items 3 and 4): one connection to the catalog, the
 * agreement service and the dashboard's queries. docs/statistics.md.
 */
import type { Handlers } from '../../shared/contract.js';
import { AgreementService, type AgreementDependencies } from '../agreement/service.js';
import { currentReader } from '../annotation/reader.js';
import type { Logger } from '../core/logger.js';
import { openStatsConnection } from './db.js';
import { chartPng, warmCharts } from './png.js';
import { StatsService } from './service.js';

type StatsHandlers = Pick<
  Handlers,
  'stats.dashboard' | 'stats.recordReading' | 'stats.exportPng' | 'agreement.study' | 'agreement.project'
>;

export interface StatsApp {
  handlers: StatsHandlers;
  stats: StatsService;
  agreement: AgreementService;
  close(): void;
}

export function createStatsApp(options: {
  catalogFile: string;
  logger: Logger;
  seriesGrid: AgreementDependencies['seriesGrid'];
  nativeBinding?: string;
}): StatsApp {
  const db = openStatsConnection(options.catalogFile, options.nativeBinding);
  const agreement = new AgreementService(db, { seriesGrid: options.seriesGrid });
  const stats = new StatsService(db, agreement, currentReader);
  return {
    stats,
    agreement,
    handlers: {
      'stats.dashboard': async (filter) => {
        const started = performance.now();
        const dashboard = stats.dashboard(filter);
        options.logger.debug({ ms: Math.round(performance.now() - started) }, 'stats dashboard');
        // The dashboard is on screen: ECharts for a PNG export is loaded and warmed after this
        // answer is sent (once per process; main no longer loads it at start).
        setImmediate(() => {
          try {
            warmCharts();
          } catch (error) {
            options.logger.debug({ err: error }, 'stats chart warm-up failed');
          }
        });
        return dashboard;
      },
      'stats.recordReading': async ({ sessionId, studyInstanceUID, activeMs }) =>
        stats.recordReading(sessionId, studyInstanceUID, activeMs),
      'stats.exportPng': async ({ option, width, height, notice, figureId }) => {
        const result = chartPng(option, width, height, notice);
        options.logger.info({ figureId, bytes: result.png.length }, 'stats chart exported');
        return { png: result.png.toString('base64'), width: result.width, height: result.height };
      },
      'agreement.study': async ({ studyInstanceUID, toleranceMm }) =>
        agreement.study(studyInstanceUID, toleranceMm),
      'agreement.project': async ({ toleranceMm, readers, models, labelIds }) =>
        agreement.project({ toleranceMm, readers, models, labelIds }),
    },
    close() {
      if (db.open) db.close();
    },
  };
}
