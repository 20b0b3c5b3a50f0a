/**
 * The cache protection settings of a data folder (shared/cache.ts CacheSettings), in
 * <dataDir>/cache-settings.json. A data folder without the file gets the defaults: encryption on,
 * no retention purge, no automatic backup. The file is written atomically (temp + rename).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CacheSettings } from '../../shared/cache.js';
import { AppError, ErrorCode } from '../../shared/errors.js';

export const CACHE_SETTINGS_FILE_NAME = 'cache-settings.json';

export const DEFAULT_CACHE_SETTINGS: CacheSettings = {
  encrypt: true,
  retentionDays: null,
  backup: { folder: null, daily: false, keep: 7, withFiles: false },
};

export class CacheSettingsStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, CACHE_SETTINGS_FILE_NAME);
  }

  get(): CacheSettings {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(DEFAULT_CACHE_SETTINGS);
      throw new AppError(ErrorCode.Io, 'The cache settings file of the data folder cannot be read.', {
        cause: error,
      });
    }
    const parsed = CacheSettings.safeParse(safeJson(text));
    if (!parsed.success)
      throw new AppError(
        ErrorCode.Io,
        `The cache settings file (${CACHE_SETTINGS_FILE_NAME}) is damaged; fix or remove it and restart RadLabel.`,
      );
    return parsed.data;
  }

  save(settings: CacheSettings): void {
    const valid = CacheSettings.parse(settings);
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temporary, this.file);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
