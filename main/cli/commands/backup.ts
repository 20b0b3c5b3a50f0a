/**
 * `radlabel backup [--to DIR] [--with-files]` and `radlabel restore <backup> [--data-dir DIR]`
 * (main/backup/backup.ts). The backup runs while the app uses the data folder; restore checks the
 * backup completely before it changes anything and is meant for a data folder no app has open.
 */
import path from 'node:path';
import { AppError } from '../../../shared/errors.js';
import { applyPendingRestore, stageRestore } from '../../backup/backup.js';
import { catalogKeyHex } from '../../cache/cache-app.js';
import { registeredDatabaseKey } from '../../cache/cache-key.js';
import { resolveDataDir } from '../../core/paths.js';
import { defaultKeyProvider } from '../../deid-app/key-provider.js';
import { type Command, ExitStatus, UsageError } from '../command.js';
import { dataDirOption, openServices, parseCommandArgs } from '../options.js';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Back up the catalog and settings (optionally the image files) to a folder.',
  usage: `Usage: radlabel backup [--to DIR] [--with-files] [--data-dir DIR]

Writes a consistent backup of the data folder (the catalog with annotations, settings, the
de-identification secret and linkage table; with --with-files also the image files) as a new
folder radlabel-backup-<time> in DIR, with a manifest of SHA-256 checksums. It can run while the
app works. The catalog stays encrypted in the backup; the key file is not copied: keep it apart.

Options:
  --to DIR        Where to write the backup (default: the backup folder of the settings)
  --with-files    Include the image files (large)
  --data-dir DIR  The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  -h, --help      Show this help

Exit status: 0 written; 2 usage error; 3 could not run.`,

  async run(args, context) {
    const { values } = parseCommandArgs(args, {
      ...dataDirOption,
      to: { type: 'string' },
      'with-files': { type: 'boolean' },
    });
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    const { services } = openServices(values['data-dir'], context.env);
    try {
      const info = await services.handlers['backup.create']({
        ...(values.to ? { folder: path.resolve(values.to) } : {}),
        ...(values['with-files'] ? { withFiles: true } : {}),
      });
      context.stdout.write(`${info.path}\n`);
      return ExitStatus.Ok;
    } finally {
      await services.close();
    }
  },
};

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Restore a backup into the data folder (quit the app first).',
  usage: `Usage: radlabel restore BACKUP [--data-dir DIR]

Checks every part of the backup folder BACKUP against its manifest (size and SHA-256) and the
catalog's integrity, then replaces the data folder's catalog and settings (and image files, when
the backup has them). A damaged backup is refused and nothing is changed. The data folder must
hold the key the backup's catalog was encrypted with (its key file, or $RADLABEL_CACHE_KEY).

Options:
  --data-dir DIR  The RadLabel data folder (default: $RADLABEL_DATA_DIR, else the user data folder)
  -h, --help      Show this help

Exit status: 0 restored; 2 usage error; 3 refused or could not run.`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs(args, dataDirOption);
    if (values.help) {
      context.stdout.write(`${this.usage}\n`);
      return ExitStatus.Ok;
    }
    if (positionals.length !== 1) throw new UsageError('Name one backup folder to restore.');
    const dataDir = resolveDataDir(values['data-dir'], context.env);
    const keys = defaultKeyProvider(dataDir, context.env);
    try {
      await stageRestore({
        backupDir: path.resolve(positionals[0]!),
        dataDir,
        keyFor: (file) => registeredDatabaseKey(file) ?? catalogKeyHex(keys),
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      context.stderr.write(`${error.message}\n`);
      return ExitStatus.Fatal;
    }
    applyPendingRestore(dataDir);
    context.stdout.write(`Restored into ${dataDir}.\n`);
    return ExitStatus.Ok;
  },
};
