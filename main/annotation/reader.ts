/**
 * Who is annotating. Every annotation version and status row carries this reader id. For now it
 * is the reader signed in to the request's session (main/account/, docs/accounts.md); while no
 * account exists, the configured reader name (RADLABEL_READER) or the operating system's user name.
 */
import os from 'node:os';

export const READER_ENV = 'RADLABEL_READER';

let override: (() => string) | null = null;

export function currentReader(): string {
  if (override) return override();
  return defaultReader();
}

/** The reader when nobody is signed in (no accounts on this workstation, or tests). */
export function defaultReader(): string {
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
