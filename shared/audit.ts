/**
 * The audit log (`audit.*`, issue #12 item 4, docs/audit.md) and reader accounts on a shared
 * workstation (`account.*`, item 5, docs/accounts.md) in the contract. Audit subjects are
 * pseudonyms; nothing here carries a patient's name, ID or UID.
 */
import { z } from 'zod';
import { method } from './contract-parts.js';

const Empty = z.object({}).strict();

export const AuditActionName = z.enum([
  'import',
  'receive',
  'view',
  'annotate',
  'deidentify',
  'export',
  'sync',
  'delete',
  'backup',
  'restore',
  'sign-in',
  'sign-in-failed',
  'sign-out',
  'lock',
  'unlock',
  'account',
  'settings',
  // AI findings decided (accept, edit, reject, bulk accept, undo) and reviews (return, verify).
  'ai-decision',
  'review',
]);
export type AuditActionName = z.infer<typeof AuditActionName>;

export const AuditEntry = z.object({
  seq: z.number().int(),
  /** Milliseconds since the epoch. */
  at: z.number(),
  reader: z.string(),
  action: AuditActionName,
  subjectKind: z.enum(['study', 'patient', 'job', 'reader', 'installation']),
  /** A study's or patient's keyed pseudonym; a job or reader id. */
  subject: z.string(),
  outcome: z.enum(['ok', 'refused', 'failed']),
  detail: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditFilterRequest = z
  .object({
    action: AuditActionName.optional(),
    reader: z.string().max(128).optional(),
    from: z.number().optional(),
    to: z.number().optional(),
    /** A pseudonym, or a Study Instance UID (looked up by its pseudonym). */
    subject: z.string().max(128).optional(),
    limit: z.number().int().min(1).max(1000).default(200),
    offset: z.number().int().min(0).default(0),
  })
  .strict();
export type AuditFilterRequest = z.input<typeof AuditFilterRequest>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBrokenSeq: z.number().int().optional(),
  reason: z.string().optional(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

export const ReaderRole = z.enum(['admin', 'reader']);
export type ReaderRole = z.infer<typeof ReaderRole>;

export const ReaderAccountView = z.object({
  readerId: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: ReaderRole,
  kind: z.enum(['local', 'project']),
  /** A disabled reader cannot sign in; their annotations stay and keep their author. */
  disabled: z.boolean(),
  /** Milliseconds since the epoch. */
  createdAt: z.number(),
  /** The last successful sign-in (ms since the epoch), or null: never signed in. */
  lastSignInAt: z.number().nullable(),
  /** Locked out after failed attempts until this time (ms since the epoch); 0: not locked out. */
  lockedUntil: z.number(),
  /** An administrator reset the password: the reader must choose a new one before anything else. */
  mustChangePassword: z.boolean(),
});
export type ReaderAccountView = z.infer<typeof ReaderAccountView>;

export const AccountSettingsView = z
  .object({
    /** Seconds without input before the session locks; 0: never. */
    idleLockSeconds: z.number().int().min(0).max(86_400),
    /** Blinded reading: each reader sees only their own annotations. */
    blinded: z.boolean(),
    /** Failed sign-ins in a row before the account is locked out. */
    lockoutAfter: z.number().int().min(1).max(100),
    /** The first lockout's length in seconds; it doubles with every further failure... */
    lockoutSeconds: z.number().int().min(1).max(86_400),
    /** ...up to this many seconds. */
    lockoutMaxSeconds: z.number().int().min(1).max(86_400),
  })
  .strict();
export type AccountSettingsView = z.infer<typeof AccountSettingsView>;

export const AccountState = z.object({
  /** No account exists yet: the workstation is open and offers to create the administrator. */
  firstRun: z.boolean(),
  /** Sign-in is required (at least one account exists). */
  required: z.boolean(),
  signedIn: z.boolean(),
  locked: z.boolean(),
  reader: ReaderAccountView.nullable(),
  settings: AccountSettingsView,
});
export type AccountState = z.infer<typeof AccountState>;

/** The password rule (docs/accounts.md), checked in main and shown live in the Accounts screen. */
export const MIN_PASSWORD_LENGTH = 8;
export type PasswordProblem = 'too-short' | 'one-kind' | 'is-username';

/** Why a password is too weak, or null: at least 8 characters, of at least two kinds (letters, digits, others), not the user name. */
export function passwordProblem(password: string, username = ''): PasswordProblem | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too-short';
  const kinds = [/\p{L}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((kind) => kind.test(password)).length;
  if (kinds < 2) return 'one-kind';
  if (username && password.trim().toLowerCase() === username.trim().toLowerCase()) return 'is-username';
  return null;
}

export const PASSWORD_RULE_TEXT: Record<PasswordProblem, string> = {
  'too-short': `A password has at least ${MIN_PASSWORD_LENGTH} characters.`,
  'one-kind': 'A password mixes at least two kinds of characters: letters, digits, other signs.',
  'is-username': 'A password is not the user name.',
};

const ReaderId = z.string().min(1).max(64);
const NewPassword = z.string().min(1).max(1024);

const Credentials = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) })
  .strict();

export const auditMethods = {
  'audit.list': method(
    AuditFilterRequest,
    z.object({ total: z.number().int(), entries: z.array(AuditEntry) }),
    'Audit entries, newest first, filtered by action, reader, time or subject.',
  ),
  'audit.verify': method(Empty, AuditVerification, 'Walk the hash chain; name the first broken link.'),
  'audit.exportCsv': method(
    AuditFilterRequest.omit({ limit: true, offset: true }),
    z.object({ csv: z.string(), rows: z.number().int() }),
    'The (filtered) audit log as CSV, oldest first.',
  ),
} as const;

export const accountMethods = {
  'account.state': method(
    Empty,
    AccountState,
    'Whether sign-in is required, who is signed in, locked or not.',
  ),
  'account.createFirst': method(
    Credentials.extend({ displayName: z.string().max(128).optional() }).strict(),
    AccountState,
    'First run: create the administrator account and sign it in.',
  ),
  'account.signIn': method(Credentials, AccountState, 'Sign a reader in (a local account).'),
  'account.signOut': method(Empty, AccountState, 'Sign the current reader out.'),
  'account.lock': method(Empty, AccountState, 'Lock the session (idle); the work behind it is kept.'),
  'account.unlock': method(
    z.object({ password: z.string().min(1).max(1024) }).strict(),
    AccountState,
    "Unlock with the signed-in reader's password.",
  ),
  'account.list': method(Empty, z.array(ReaderAccountView), 'Every account (administrators only).'),
  'account.create': method(
    Credentials.extend({
      displayName: z.string().max(128).optional(),
      role: z.enum(['admin', 'reader']).default('reader'),
      /** The reader chooses their own password at the first sign-in (the initial one came from the administrator). */
      mustChangePassword: z.boolean().default(false),
    }).strict(),
    ReaderAccountView,
    'Create a local reader account (administrators only).',
  ),
  'account.saveSettings': method(
    AccountSettingsView.partial().strict(),
    AccountSettingsView,
    'Idle lock time, blinded reading and the lockout policy; fields left out keep their value (administrators only).',
  ),
  'account.update': method(
    z
      .object({
        readerId: ReaderId,
        displayName: z.string().min(1).max(128).optional(),
        role: ReaderRole.optional(),
      })
      .strict(),
    ReaderAccountView,
    'Rename an account or change its role; the last enabled administrator keeps the role (administrators only).',
  ),
  'account.resetPassword': method(
    z.object({ readerId: ReaderId, password: NewPassword }).strict(),
    ReaderAccountView,
    'Set a temporary password the reader must change at the next sign-in; ends their sessions (administrators only).',
  ),
  'account.setDisabled': method(
    z.object({ readerId: ReaderId, disabled: z.boolean() }).strict(),
    ReaderAccountView,
    'Disable (cannot sign in; sessions end; annotations stay) or enable an account (administrators only).',
  ),
  'account.changePassword': method(
    z.object({ currentPassword: z.string().min(1).max(1024), newPassword: NewPassword }).strict(),
    AccountState,
    'The signed-in reader changes their own password.',
  ),
} as const;
