/** The app's services as integration tests open them. */
import { silentLogger } from '../../main/core/logger.js';
import { type Services, type ServicesOptions, createServices } from '../../main/services.js';

/**
 * Services on `dataDir` as the web host runs them, quiet: a silent logger, one import worker,
 * de-identification in-thread; `options` adds to or overrides these.
 */
export function openTestServices(dataDir: string, options: Partial<ServicesOptions> = {}): Services {
  return createServices({
    dataDir,
    host: 'web',
    logger: silentLogger(),
    importWorkers: 1,
    deidWorkers: 0,
    ...options,
  });
}
