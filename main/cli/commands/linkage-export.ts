/**
 * `radlabel linkage-export`: the one way to read the re-identification table out of the
 * workstation. An administrator action, so it demands a typed confirmation, refuses to overwrite,
 * writes a file only its owner can read, and leaves a log record (counts only, never values).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../core/logger.js';
import { resolveDataDir } from '../../core/paths.js';
import { defaultKeyProvider } from '../../deid-app/key-provider.js';
import {
  EXPORT_CONFIRMATION,
  EncryptedLinkageStore,
  LINKAGE_FILE_NAME,
  LINKAGE_KEY_ENV,
  fileKeyProvider,
} from '../../deid/linkage.js';
import type { LinkageEntry } from '../../deid/linkage-types.js';
import { type Command, ExitStatus, UsageError } from '../command.js';
import { parseCommandArgs } from '../options.js';

const options = {
  out: { type: 'string' },
  confirm: { type: 'string' },
  'linkage-key-file': { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const linkageExportCommand: Command = {
  name: 'linkage-export',
  summary: 'Administrators: export the re-identification table (original ↔ pseudonym) to a CSV file.',
  usage: `Usage: radlabel linkage-export --out FILE --confirm "${EXPORT_CONFIRMATION}"
                              [--linkage-key-file F] [--data-dir DIR]

Decrypts the linkage table kept by de-identification in the data folder and writes it as CSV
(kind, original, pseudonym, date offset in days, project). The file re-identifies patients: it is created
readable by its owner only (mode 0600), never overwrites, and the export is recorded in the log.

Key: --linkage-key-file, else $${LINKAGE_KEY_ENV}, else the data folder's key file. A table kept by the
desktop app under the operating system's keychain can only be opened with that keychain.

Exit status: 0 exported; 2 usage error (missing confirmation, existing file); 3 could not run.`,

  async run(args, context) {
    const { values } = parseCommandArgs(args, options);
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    if (!values.out) throw new UsageError('Say where to write the export: --out FILE.');
    if (values.confirm !== EXPORT_CONFIRMATION) {
      throw new UsageError(
        `This export re-identifies patients. Confirm with --confirm "${EXPORT_CONFIRMATION}".`,
      );
    }
    const out = path.resolve(values.out);
    if (fs.existsSync(out))
      throw new UsageError(`${out} already exists; RadLabel does not overwrite an export.`);
    const dataDir = resolveDataDir(values['data-dir'], context.env);
    const tableFile = path.join(dataDir, LINKAGE_FILE_NAME);
    if (!fs.existsSync(tableFile)) {
      context.stderr.write(
        `No linkage table in ${dataDir}: nothing was de-identified with a linkage key here.\n`,
      );
      return ExitStatus.Fatal;
    }
    const keyFile = values['linkage-key-file'];
    const keys = keyFile ? fileKeyProvider(keyFile) : defaultKeyProvider(dataDir, context.env);
    const store = new EncryptedLinkageStore(tableFile, keys);
    let entries: LinkageEntry[];
    try {
      entries = store.exportAll(values.confirm);
    } finally {
      store.close();
    }
    fs.writeFileSync(out, toCsv(entries), { mode: 0o600, flag: 'wx' });
    const logger = createLogger({ logDir: path.join(dataDir, 'logs'), sync: true });
    logger.warn({ entries: entries.length }, 'linkage table exported by an administrator');
    context.stdout.write(
      `Exported ${entries.length} linkage entries to ${out} (readable by you only). Keep it safe.\n`,
    );
    return ExitStatus.Ok;
  },
};

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function toCsv(entries: LinkageEntry[]): string {
  const lines = ['kind,original,pseudonym,date_offset_days,project'];
  for (const entry of entries) {
    const offset =
      entry.kind === 'patient' && entry.dateOffsetDays !== null ? String(entry.dateOffsetDays) : '';
    lines.push(
      [entry.kind, entry.original, entry.pseudonym, offset, entry.project ?? ''].map(csvField).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
