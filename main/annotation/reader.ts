/**
 * Who is annotating. Every annotation version and status row carries this reader id. For now it
 * is the configured reader name (RADLABEL_READER) or the operating system's user name; sign-in
 * (#12) will replace what it returns.
 */
import os from 'node:os';

export const READER_ENV = 'RADLABEL_READER';

let override: (() => string) | null = null;

export function currentReader(): string {
  if (override) return override();
  const configured = process.env[READER_ENV]?.trim();
  if (configured) return configured.slice(0, 128);
  try {
    const name = os.userInfo().username.trim();
    if (name) return name.slice(0, 128);
  } catch {
    // No user entry (some containers): fall through.
  }
  return 'reader';
}

/** Lets sign-in (#12) or tests decide who the current reader is; null restores the default. */
export function setReaderSource(source: (() => string) | null): void {
  override = source;
}
