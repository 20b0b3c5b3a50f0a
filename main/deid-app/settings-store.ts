/**
 * The workstation's de-identification settings, as JSON in the data folder, with the project
 * secret beside them (sealed, see sealed-secret.ts). Until cloud projects bring their own setup,
 * this is the one local project every preview and export uses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DeidSettings, type DeidSettingsView } from '../../shared/contract.js';
import { deidOptionConflicts } from '../../shared/deid-options.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import type { KeyProvider } from '../deid/linkage.js';
import { SealedSecretFile } from './sealed-secret.js';

export const DEID_DIR_NAME = 'deid';
export const SETTINGS_FILE_NAME = 'settings.json';
export const SECRET_FILE_NAME = 'project-secret.sealed.json';

/** Until someone chooses otherwise: the research profile, pixels at risk held for review. */
export const defaultDeidSettings: DeidSettings = {
  profile: 'research',
  options: [],
  projectId: 'LOCAL',
  clinicalTrial: { sponsorName: '', protocolId: '' },
  ocr: false,
  pixelRules: [],
};

export class DeidSettingsStore {
  readonly #file: string;
  readonly #secret: SealedSecretFile;
  #settings: DeidSettings | null = null;

  constructor(
    dataDir: string,
    keys: KeyProvider,
    private readonly logger: Logger,
  ) {
    const folder = path.join(dataDir, DEID_DIR_NAME);
    this.#file = path.join(folder, SETTINGS_FILE_NAME);
    this.#secret = new SealedSecretFile(path.join(folder, SECRET_FILE_NAME), keys);
  }

  settings(): DeidSettings {
    this.#settings ??= this.#read();
    return this.#settings;
  }

  view(): DeidSettingsView {
    const secretCreated = this.#secret.exists();
    try {
      return { ...this.settings(), secretCreated, settingsFileDamaged: false };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== ErrorCode.Malformed) throw error;
      return { ...defaultDeidSettings, secretCreated, settingsFileDamaged: true };
    }
  }

  save(settings: DeidSettings): DeidSettingsView {
    const valid = DeidSettings.parse(settings);
    const conflicts = deidOptionConflicts(valid.profile, valid.options);
    if (conflicts.length > 0)
      throw new AppError(
        ErrorCode.InvalidRequest,
        `The settings were not saved. ${conflicts.map((conflict) => conflict.message).join(' ')}`,
      );
    const temporary = `${this.#file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.#file), { recursive: true });
      fs.writeFileSync(temporary, `${JSON.stringify(valid, null, 2)}\n`);
      fs.renameSync(temporary, this.#file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      throw new AppError(
        ErrorCode.Io,
        'The de-identification settings could not be saved (check the data folder).',
        {
          cause: error,
        },
      );
    }
    this.#settings = valid;
    this.logger.info(
      { profile: valid.profile, options: valid.options.length, ocr: valid.ocr },
      'deid settings saved',
    );
    return this.view();
  }

  /** The project secret; created (and sealed) on first use. */
  projectSecret(): Uint8Array {
    return this.#secret.get();
  }

  #read(): DeidSettings {
    let text: string;
    try {
      text = fs.readFileSync(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultDeidSettings;
      throw new AppError(ErrorCode.Io, 'The de-identification settings cannot be read.', { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const result = DeidSettings.safeParse(parsed);
    if (!result.success)
      throw new AppError(
        ErrorCode.Malformed,
        'The de-identification settings file is damaged. Save the settings again to replace it.',
      );
    return result.data;
  }
}
