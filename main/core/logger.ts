/**
 * Structured logging (pino). Log records carry codes, counts, durations and opaque ids; never
 * patient names, ids, dates, paths of patient folders or file content.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import path from 'node:path';
import fs from 'node:fs';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Folder for `app.log`; when absent, logs go to stderr. */
  logDir?: string;
  level?: string;
  /** Write each record before returning (audit records of short-lived commands). */
  sync?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['RADLABEL_LOG_LEVEL'] ?? 'info';
  if (!options.logDir) return pino({ level, base: null }, pino.destination(2));
  fs.mkdirSync(options.logDir, { recursive: true });
  const destination = pino.destination({
    dest: path.join(options.logDir, 'app.log'),
    sync: options.sync ?? false,
  });
  return pino({ level, base: null }, destination);
}

/** A logger that drops everything, for tests and quiet CLI runs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
