/**
 * The `account.*` and `audit.*` handlers (shared/audit.ts), the sign-in gate every other method
 * passes through, and the audit log the services record into. Assembled by main/services.ts.
 * docs/accounts.md, docs/audit.md.
 */
import type { AccountState, ReaderAccountView, accountMethods, auditMethods } from '../../shared/audit.js';
import type { Handlers, MethodName } from '../../shared/contract.js';
import { keepHeads } from '../../shared/annotation.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { type AuditEvent, AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../core/logger.js';
import { currentReader, defaultReader, setReaderSource } from '../annotation/reader.js';
import { AccountStore, type ReaderAccount } from './accounts.js';
import { CLI_SESSION_ID, SessionRegistry, currentSessionId } from './sessions.js';

type AccountHandlers = Pick<Handlers, keyof typeof accountMethods | keyof typeof auditMethods>;

/** Methods a signed-out or locked session may still call. */
const OPEN_METHODS = new Set<string>(['app.info']);

export interface AccountApp {
  readonly handlers: AccountHandlers;
  readonly audit: AuditLog;
  readonly accounts: AccountStore;
  readonly sessions: SessionRegistry;
  /** Records an audit entry; never throws (a failure is logged without the entry's content). */
  record(event: AuditEvent): void;
  /** Wraps every handler with the sign-in gate. */
  guard(handlers: Handlers): Handlers;
  /** Whether the current session's reader may see another reader's annotations (blinded reading). */
  visibleAuthor(): string | null;
  /**
   * Whether the request's session may do what only an administrator may (the rule of the account
   * methods' own check): no accounts yet, the command line, or a signed-in administrator.
   */
  mayAdminister(): boolean;
  close(): void;
}

export function createAccountApp(options: {
  catalogFile: string;
  masterKey: () => Uint8Array;
  logger: Logger;
  now?: () => number;
}): AccountApp {
  const accounts = new AccountStore(options.catalogFile, options.now ? { now: options.now } : {});
  const sessions = new SessionRegistry({
    ...(options.now ? { now: options.now } : {}),
    idleLockSeconds: () => accounts.settings().idleLockSeconds,
  });
  // The signed-in reader of the request's session is the author of annotations and audit entries.
  setReaderSource(
    () =>
      sessions.readerId() ??
      (currentSessionId() === CLI_SESSION_ID ? `cli:${defaultReader()}` : defaultReader()),
  );
  const audit = new AuditLog(options.catalogFile, {
    masterKey: options.masterKey,
    reader: currentReader,
    ...(options.now ? { now: options.now } : {}),
  });

  function record(event: AuditEvent): void {
    try {
      audit.record(event);
    } catch (error) {
      options.logger.error(
        { action: event.action, err: String((error as Error).name) },
        'audit entry not written',
      );
    }
  }

  let required = accounts.count() > 0;

  function state(): AccountState {
    const session = sessions.get();
    return {
      firstRun: !required,
      required,
      signedIn: session !== null,
      locked: session?.locked ?? false,
      reader: session ? view(session.account) : null,
      settings: accounts.settings(),
    };
  }

  function requireAdmin(): void {
    if (!required || currentSessionId() === CLI_SESSION_ID) return;
    const session = sessions.get();
    if (!session) throw new AppError(ErrorCode.SignedOut, 'Sign in to continue.');
    if (session.locked) throw new AppError(ErrorCode.SessionLocked, 'The session is locked.');
    if (session.account.mustChangePassword) throw mustChange();
    if (session.account.role !== 'admin')
      throw new AppError(ErrorCode.Forbidden, 'Only an administrator can do this.');
  }

  function mustChange(): AppError {
    return new AppError(
      ErrorCode.Forbidden,
      'An administrator reset your password: choose a new one to continue.',
    );
  }

  /** The signed-in (not locked) session of the request, for a reader's own account changes. */
  function requireSignedIn() {
    const session = sessions.get();
    if (!session) throw new AppError(ErrorCode.SignedOut, 'Sign in to continue.');
    if (session.locked) throw new AppError(ErrorCode.SessionLocked, 'The session is locked.');
    return session;
  }

  /** The account an administrator acts on; an unknown id is `not-found`. */
  function target(readerId: string): ReaderAccount {
    const account = accounts.get(readerId);
    if (!account) throw new AppError(ErrorCode.NotFound, 'This account does not exist.');
    return account;
  }

  function requireActive(): void {
    if (!required || currentSessionId() === CLI_SESSION_ID) return;
    const session = sessions.get();
    if (!session) throw new AppError(ErrorCode.SignedOut, 'Sign in to continue.');
    if (session.locked)
      throw new AppError(ErrorCode.SessionLocked, 'The session is locked. Enter your password to continue.');
    if (session.account.mustChangePassword) throw mustChange();
    sessions.touch();
  }

  async function signIn(username: string, password: string): Promise<AccountState> {
    const result = await accounts.verify(username, password);
    if (!result.ok) {
      record({
        action: 'sign-in-failed',
        subjectKind: 'reader',
        subject: username.trim().toLowerCase().slice(0, 64),
        outcome: 'refused',
        detail: { reason: result.reason },
        reader: '-',
      });
      if (result.reason === 'locked')
        throw new AppError(
          ErrorCode.SignedOut,
          `Too many failed attempts: try again in ${Math.ceil((result.retryAfterMs ?? 0) / 1000)} s.`,
        );
      if (result.reason === 'disabled')
        throw new AppError(ErrorCode.SignedOut, 'This account is disabled; ask an administrator.');
      throw new AppError(ErrorCode.SignedOut, 'The user name or password is not right.');
    }
    accounts.recordSignIn(result.account.readerId);
    sessions.signIn(result.account);
    record({
      action: 'sign-in',
      subjectKind: 'reader',
      subject: result.account.readerId,
      ...(result.account.mustChangePassword ? { detail: { mustChangePassword: true } } : {}),
    });
    return state();
  }

  function blindedAuthor(): string | null {
    if (!required || !accounts.settings().blinded) return null;
    return sessions.readerId();
  }

  const handlers: AccountHandlers = {
    'account.state': async () => state(),
    'account.createFirst': async ({ username, password, displayName }) => {
      if (accounts.count() > 0)
        throw new AppError(ErrorCode.Conflict, 'The administrator account exists already: sign in.');
      const account = await accounts.create({
        username,
        password,
        role: 'admin',
        ...(displayName ? { displayName } : {}),
      });
      required = true;
      accounts.recordSignIn(account.readerId);
      sessions.signIn(account);
      record({
        action: 'account',
        subjectKind: 'reader',
        subject: account.readerId,
        detail: { created: 'admin' },
      });
      record({ action: 'sign-in', subjectKind: 'reader', subject: account.readerId });
      return state();
    },
    'account.signIn': async ({ username, password }) => signIn(username, password),
    'account.signOut': async () => {
      const session = sessions.signOut();
      if (session)
        record({
          action: 'sign-out',
          subjectKind: 'reader',
          subject: session.account.readerId,
          reader: session.account.readerId,
        });
      return state();
    },
    'account.lock': async () => {
      const session = sessions.get();
      if (session && !session.locked) {
        sessions.lock();
        record({ action: 'lock', subjectKind: 'reader', subject: session.account.readerId });
      }
      return state();
    },
    'account.unlock': async ({ password }) => {
      const session = sessions.get();
      if (!session) throw new AppError(ErrorCode.SignedOut, 'Sign in to continue.');
      const result = await accounts.verify(session.account.username, password);
      if (!result.ok) {
        record({
          action: 'sign-in-failed',
          subjectKind: 'reader',
          subject: session.account.readerId,
          outcome: 'refused',
          detail: { reason: result.reason, unlock: true },
        });
        throw new AppError(
          ErrorCode.SessionLocked,
          result.reason === 'locked'
            ? `Too many failed attempts: try again in ${Math.ceil((result.retryAfterMs ?? 0) / 1000)} s.`
            : 'The password is not right.',
        );
      }
      sessions.unlock();
      record({ action: 'unlock', subjectKind: 'reader', subject: session.account.readerId });
      return state();
    },
    'account.list': async () => {
      requireAdmin();
      return accounts.list().map(view);
    },
    'account.create': async ({ username, password, displayName, role, mustChangePassword }) => {
      requireAdmin();
      const account = await accounts.create({
        username,
        password,
        role,
        // The first account is the administrator signed in here: nobody to hand a password to.
        mustChangePassword: required && mustChangePassword,
        ...(displayName ? { displayName } : {}),
      });
      if (!required) {
        // The first account made here is the administrator: sign-in is on from now. The command line
        // (radlabel account create) stays the operating system's user.
        required = true;
        if (currentSessionId() !== CLI_SESSION_ID) sessions.signIn(account);
      }
      record({
        action: 'account',
        subjectKind: 'reader',
        subject: account.readerId,
        detail: { created: account.role, mustChangePassword: account.mustChangePassword },
      });
      return view(account);
    },
    'account.update': async ({ readerId, displayName, role }) => {
      requireAdmin();
      const before = target(readerId);
      const account = accounts.update(readerId, {
        ...(displayName ? { displayName } : {}),
        ...(role ? { role } : {}),
      });
      sessions.refreshAccount(account);
      const detail: Record<string, string | boolean> = {};
      if (account.role !== before.role) detail.role = `${before.role}->${account.role}`;
      if (account.displayName !== before.displayName) detail.renamed = true;
      record({ action: 'account', subjectKind: 'reader', subject: readerId, detail });
      return view(account);
    },
    'account.resetPassword': async ({ readerId, password }) => {
      requireAdmin();
      target(readerId);
      await accounts.setPassword(readerId, password, { mustChange: true });
      // Whoever is signed in as this reader signs in again, with the temporary password.
      const ended = sessions.signOutReader(readerId);
      record({
        action: 'account',
        subjectKind: 'reader',
        subject: readerId,
        detail: { passwordReset: true, sessionsEnded: ended },
      });
      return view(target(readerId));
    },
    'account.setDisabled': async ({ readerId, disabled }) => {
      requireAdmin();
      const before = target(readerId);
      const account = accounts.setDisabled(readerId, disabled);
      const ended = disabled ? sessions.signOutReader(readerId) : 0;
      if (before.disabled !== disabled)
        record({
          action: 'account',
          subjectKind: 'reader',
          subject: readerId,
          detail: disabled ? { disabled: true, sessionsEnded: ended } : { enabled: true },
        });
      return view(account);
    },
    'account.changePassword': async ({ currentPassword, newPassword }) => {
      const session = requireSignedIn();
      const readerId = session.account.readerId;
      const result = await accounts.verify(session.account.username, currentPassword);
      if (!result.ok) {
        record({
          action: 'sign-in-failed',
          subjectKind: 'reader',
          subject: readerId,
          outcome: 'refused',
          detail: { reason: result.reason, changePassword: true },
        });
        if (result.reason === 'locked')
          throw new AppError(
            ErrorCode.SignedOut,
            `Too many failed attempts: try again in ${Math.ceil((result.retryAfterMs ?? 0) / 1000)} s.`,
          );
        throw new AppError(ErrorCode.InvalidRequest, 'The current password is not right.');
      }
      if (currentPassword === newPassword)
        throw new AppError(ErrorCode.InvalidRequest, 'Choose a password other than the current one.');
      await accounts.setPassword(readerId, newPassword);
      sessions.refreshAccount(target(readerId));
      record({
        action: 'account',
        subjectKind: 'reader',
        subject: readerId,
        detail: { passwordChanged: true },
      });
      return state();
    },
    'account.saveSettings': async (settings) => {
      requireAdmin();
      const saved = accounts.saveSettings(settings);
      record({
        action: 'settings',
        subjectKind: 'installation',
        subject: 'accounts',
        detail: { ...saved },
      });
      return saved;
    },
    'audit.list': async (filter) => {
      requireAdmin();
      return audit.list(filter);
    },
    'audit.verify': async () => {
      requireAdmin();
      return audit.verify();
    },
    'audit.exportCsv': async (filter) => {
      requireAdmin();
      const csv = audit.csv(filter);
      record({
        action: 'export',
        subjectKind: 'installation',
        subject: 'audit-log',
        detail: { format: 'csv' },
      });
      return { csv, rows: csv.split('\r\n').length - 2 };
    },
  };

  return {
    handlers,
    audit,
    accounts,
    sessions,
    record,
    guard(all) {
      const guarded = { ...all } as Record<string, (request: unknown) => Promise<unknown>>;
      for (const name of Object.keys(all) as MethodName[]) {
        if (name.startsWith('account.') || OPEN_METHODS.has(name)) continue;
        const handler = all[name] as (request: unknown) => Promise<unknown>;
        guarded[name] = async (request) => {
          requireActive();
          return handler(request);
        };
      }
      // Blinded reading: a reader sees only the annotations they wrote.
      const list = guarded['annotation.list'];
      if (list)
        guarded['annotation.list'] = async (request) => {
          const result = (await list(request)) as Awaited<ReturnType<Handlers['annotation.list']>>;
          const author = blindedAuthor();
          return author === null ? result : keepHeads(result, (head) => head.author === author);
        };
      const history = guarded['annotation.history'];
      if (history)
        guarded['annotation.history'] = async (request) => {
          const versions = (await history(request)) as Awaited<ReturnType<Handlers['annotation.history']>>;
          const author = blindedAuthor();
          return author === null ? versions : versions.filter((version) => version.author === author);
        };
      return guarded as Handlers;
    },
    visibleAuthor: blindedAuthor,
    mayAdminister() {
      try {
        requireAdmin();
        return true;
      } catch {
        return false;
      }
    },
    close() {
      setReaderSource(null);
      audit.close();
      accounts.close();
    },
  };
}

function view(account: ReaderAccount): ReaderAccountView {
  return {
    readerId: account.readerId,
    username: account.username,
    displayName: account.displayName,
    role: account.role,
    kind: account.kind,
    disabled: account.disabled,
    createdAt: account.createdAt,
    lastSignInAt: account.lastSignInAt,
    lockedUntil: account.lockedUntil,
    mustChangePassword: account.mustChangePassword,
  };
}
