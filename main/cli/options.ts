/** Option parsing and service setup shared by the subcommands. */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createLogger } from '../core/logger.js';
import { resolveDataDir } from '../core/paths.js';
import { type Services, createServices } from '../services.js';
import { UsageError } from './command.js';

/** Options every command that touches the catalog accepts. */
export const dataDirOption = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Opens the services on the data folder: --data-dir, else RADLABEL_DATA_DIR, else the OS default. */
export function openServices(
  dataDirFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  extra: { syncBackground?: boolean } = {},
): { services: Services; dataDir: string } {
  const dataDir = resolveDataDir(dataDirFlag, env);
  // The CLI keeps stdout and stderr for the user; its structured log goes next to the catalog.
  const logger = createLogger({ logDir: path.join(dataDir, 'logs') });
  // A command syncs only when asked (`radlabel sync`, `radlabel serve`), never behind an import.
  const syncBackground = extra.syncBackground ?? false;
  return { services: createServices({ dataDir, host: 'web', logger, syncBackground }), dataDir };
}
