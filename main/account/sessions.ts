/**
 * Who is signed in, per client session (docs/accounts.md). The Electron shell has one session
 * ('electron'); the web host gives each browser page its own id (the `x-radlabel-session` header,
 * held in the page's memory) and runs every request inside `runInSession`, so `currentSessionId()`
 * and therefore the reader of annotations and audit entries follow the request, not a global.
 *
 * A session is signed out, signed in, or locked (idle longer than the configured time, or locked
 * by the renderer's idle timer). While a session is signed out or locked, every method except
 * `account.*` and `app.info` is refused with `unauthorized`; the renderer keeps its state behind
 * the lock screen, so nothing is lost.
 *
 * While no account exists at all the workstation is open (single-reader mode: the reader is the
 * operating system's user, as before #12); creating the first account (an administrator) turns
 * sign-in on for every session.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ReaderAccount } from './accounts.js';

export const DEFAULT_SESSION_ID = 'default';
export const SESSION_HEADER = 'x-radlabel-session';
/** The command line's session: the operating system's user, who holds the data folder and its key. */
export const CLI_SESSION_ID = 'cli';

const context = new AsyncLocalStorage<string>();

export function runInSession<T>(sessionId: string, fn: () => T): T {
  return context.run(sessionId, fn);
}

export function currentSessionId(): string {
  return context.getStore() ?? DEFAULT_SESSION_ID;
}

export interface ClientSession {
  account: ReaderAccount;
  signedInAt: number;
  lastActivity: number;
  locked: boolean;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, ClientSession>();

  constructor(private readonly options: { now?: () => number; idleLockSeconds: () => number }) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  get(sessionId = currentSessionId()): ClientSession | null {
    const session = this.sessions.get(sessionId) ?? null;
    if (session && !session.locked) {
      const idle = this.options.idleLockSeconds();
      if (idle > 0 && this.now() - session.lastActivity > idle * 1000) session.locked = true;
    }
    return session;
  }

  signIn(account: ReaderAccount, sessionId = currentSessionId()): ClientSession {
    const now = this.now();
    const session = { account, signedInAt: now, lastActivity: now, locked: false };
    this.sessions.set(sessionId, session);
    return session;
  }

  /** Marks activity (a request from the session's page); a locked session stays locked. */
  touch(sessionId = currentSessionId()): void {
    const session = this.get(sessionId);
    if (session && !session.locked) session.lastActivity = this.now();
  }

  lock(sessionId = currentSessionId()): void {
    const session = this.sessions.get(sessionId);
    if (session) session.locked = true;
  }

  unlock(sessionId = currentSessionId()): void {
    const session = this.sessions.get(sessionId);
    if (session) {
      session.locked = false;
      session.lastActivity = this.now();
    }
  }

  signOut(sessionId = currentSessionId()): ClientSession | null {
    const session = this.sessions.get(sessionId) ?? null;
    this.sessions.delete(sessionId);
    return session;
  }

  /** Ends every session of a reader (disabled, or their password reset); returns how many. */
  signOutReader(readerId: string): number {
    let ended = 0;
    for (const [id, session] of this.sessions)
      if (session.account.readerId === readerId) {
        this.sessions.delete(id);
        ended += 1;
      }
    return ended;
  }

  /** Gives every session of this reader the account as it is now (a new role, name or password state). */
  refreshAccount(account: ReaderAccount): void {
    for (const session of this.sessions.values())
      if (session.account.readerId === account.readerId) session.account = account;
  }

  /** The reader of the current request's session, when signed in (locked or not). */
  readerId(sessionId = currentSessionId()): string | null {
    return this.sessions.get(sessionId)?.account.readerId ?? null;
  }
}
