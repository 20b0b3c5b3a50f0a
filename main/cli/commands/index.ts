/** Every `radlabel` subcommand, in the order `--help` lists them. A new command is a file here plus one line. */
import type { Command } from '../command.js';
import { accountCommand } from './account.js';
import { auditCommand } from './audit.js';
import { backupCommand, restoreCommand } from './backup.js';
import { deidCommand } from './deid.js';
import { deleteCommand } from './delete.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { linkageExportCommand } from './linkage-export.js';
import { lsCommand } from './ls.js';
import { serveCommand } from './serve.js';
import { syncCommand } from './sync.js';

export const commands: readonly Command[] = [
  importCommand,
  lsCommand,
  deidCommand,
  linkageExportCommand,
  exportCommand,
  deleteCommand,
  backupCommand,
  restoreCommand,
  auditCommand,
  accountCommand,
  syncCommand,
  serveCommand,
];
