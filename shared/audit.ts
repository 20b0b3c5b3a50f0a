/**
 * The audit log (`audit.*`, issue #12 item 4, docs/audit.md) and reader accounts on a shared
 * workstation (`account.*`, item 5, docs/accounts.md) in the contract. Audit subjects are
 * pseudonyms; nothing here carries a patient's name, ID or UID.
 */
import { z } from 'zod';

function method<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res, summary: string) {
  return { request, response, summary };
}

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

export const ReaderAccountView = z.object({
  readerId: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(['admin', 'reader']),
  kind: z.enum(['local', 'project']),
  disabled: z.boolean(),
});
export type ReaderAccountView = z.infer<typeof ReaderAccountView>;

export const AccountSettingsView = z
  .object({
    /** Seconds without input before the session locks; 0: never. */
    idleLockSeconds: z.number().int().min(0).max(86_400),
    /** Blinded reading: each reader sees only their own annotations. */
    blinded: z.boolean(),
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
    }).strict(),
    ReaderAccountView,
    'Create a local reader account (administrators only).',
  ),
  'account.saveSettings': method(
    AccountSettingsView,
    AccountSettingsView,
    'Idle lock time and blinded reading (administrators only).',
  ),
} as const;
