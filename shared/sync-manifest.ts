/**
 * The cloud project's manifest (issue #10 item 1, docs/sync.md): which DICOMweb server, how to sign
 * in (never the secret itself), the label schema, who reads what in which role, how studies are
 * de-identified before they leave, and how often to sync. A JSON file, loaded from disk or fetched
 * from a URL (main/sync/manifest-load.ts). Pure: no Node, no DOM.
 *
 * Credentials are never part of it: a manifest that carries a `password` or a `token` is refused
 * (the objects are strict), so it can be mailed around and kept in the data folder.
 */
import { z } from 'zod';
import { ReviewSettings } from './ai.js';
import { LabelSchema } from './annotation.js';
import { DeidOptionName, DeidSettings } from './deid-settings.js';
import { deidOptionConflicts } from './deid-options.js';
import { ModelSpec } from './model.js';

export const SYNC_MANIFEST_FORMAT = 'radlabel-sync-project/1';

/** Environment variables the CLI and the web host read credentials from (never logged). */
export const SYNC_TOKEN_ENV = 'RADLABEL_SYNC_TOKEN';
export const SYNC_USER_ENV = 'RADLABEL_SYNC_USER';
export const SYNC_PASSWORD_ENV = 'RADLABEL_SYNC_PASSWORD';

const Uid = z
  .string()
  .max(64)
  .regex(/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/, 'a DICOM UID (digits and dots)');

/** A DICOM LO value: at most 64 characters, no backslash or control characters. */
const DicomText = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((value) => !/[\\]/.test(value) && ![...value].some((c) => c.charCodeAt(0) < 0x20), {
    message: 'no backslash or control characters',
  });

/** An http(s) URL without credentials, query or fragment (shared/ has no URL class: checked by pattern). */
const HttpUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((value, context) => {
    const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#\s]*)([^?#\s]*)([?#].*)?$/.exec(value);
    if (!match) {
      context.addIssue({ code: 'custom', message: 'not a URL (https://host/path)' });
      return;
    }
    const [, scheme, authority, , rest] = match;
    if (!/^https?$/i.test(scheme!))
      context.addIssue({ code: 'custom', message: 'must start with https:// or http://' });
    if (authority!.includes('@'))
      context.addIssue({
        code: 'custom',
        message: 'must not carry a user name or password (credentials never go in the manifest)',
      });
    else if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/.test(authority!))
      context.addIssue({ code: 'custom', message: 'has no valid host name' });
    if (rest) context.addIssue({ code: 'custom', message: 'must not have a query (?…) or fragment (#…)' });
  });

/** How the workstation signs in to the DICOMweb server; the secret comes from elsewhere (docs/sync.md). */
export const SyncAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({
      type: z.literal('basic'),
      /** The user name; RADLABEL_SYNC_USER overrides it. The password is never here. */
      username: z.string().trim().min(1).max(256).optional(),
      /** A file holding the password, readable by this user only (mode 0600); else RADLABEL_SYNC_PASSWORD or the keychain. */
      keyFile: z.string().min(1).max(4096).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('bearer'),
      /** A file holding the token, readable by this user only (mode 0600); else RADLABEL_SYNC_TOKEN or the keychain. */
      keyFile: z.string().min(1).max(4096).optional(),
    })
    .strict(),
]);
export type SyncAuth = z.infer<typeof SyncAuth>;

export const SyncServer = z
  .object({
    /** The DICOMweb root: `<url>/studies` is STOW-RS and QIDO-RS (Orthanc: `http://host:8042/dicom-web`). */
    url: HttpUrl,
    auth: SyncAuth,
    /** PEM file of extra CA certificates (a hospital's TLS-inspecting proxy), trusted besides the system's. */
    caFile: z.string().min(1).max(4096).optional(),
    /** An HTTP(S) proxy (`http://proxy:3128`); HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply when absent. */
    proxy: HttpUrl.optional(),
    /** Give up on one request after this long without progress. */
    timeoutSeconds: z.number().int().min(5).max(3600).default(120),
  })
  .strict();
export type SyncServer = z.infer<typeof SyncServer>;

/** Clinical-trial attributes the de-identification writes; a task may name studies by them. */
export const ClinicalTrialQuery = z
  .object({
    protocolId: DicomText.optional(),
    siteId: DicomText.optional(),
    subjectId: DicomText.optional(),
    timePointId: DicomText.optional(),
  })
  .strict()
  .refine((query) => Object.values(query).some((value) => value !== undefined), {
    message: 'name at least one of protocolId, siteId, subjectId, timePointId',
  });
export type ClinicalTrialQuery = z.infer<typeof ClinicalTrialQuery>;

/** One task: a study on the server, by its (de-identified) UID or by clinical-trial attributes. */
export const SyncTask = z.union([
  z.object({ studyInstanceUID: Uid }).strict(),
  z.object({ clinicalTrial: ClinicalTrialQuery }).strict(),
]);
export type SyncTask = z.infer<typeof SyncTask>;

export const SyncRole = z.enum(['annotator', 'reviewer', 'admin']);
export type SyncRole = z.infer<typeof SyncRole>;

export const SyncReader = z
  .object({
    /** The reader's user name on the workstation (docs/accounts.md); matched case-insensitively. */
    username: z.string().trim().min(1).max(64),
    displayName: z.string().trim().min(1).max(200).optional(),
    role: SyncRole,
    /** The studies this reader pulls and works on. */
    tasks: z.array(SyncTask).max(100_000).default([]),
  })
  .strict();
export type SyncReader = z.infer<typeof SyncReader>;

/** The project's de-identification: profile and options (shared/deid-options.ts rules), trial attributes. */
export const SyncDeid = z
  .object({
    profile: DeidSettings.shape.profile,
    options: z.array(DeidOptionName).max(20).default([]),
    clinicalTrial: z
      .object({
        sponsorName: DicomText.optional(),
        protocolId: DicomText.optional(),
        protocolName: DicomText.optional(),
        siteId: DicomText.optional(),
        siteName: DicomText.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((deid, context) => {
    for (const conflict of deidOptionConflicts(deid.profile, deid.options))
      context.addIssue({ code: 'custom', path: ['options'], message: conflict.message });
  });
export type SyncDeid = z.infer<typeof SyncDeid>;

export const SyncSettings = z
  .object({
    /** Background sync every this many minutes (the app); the CLI syncs once per run. */
    intervalMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    /** Upload draft annotations too, not only complete ones. */
    uploadDrafts: z.boolean().default(false),
    /** At most this many instances per STOW-RS request… */
    batchInstances: z.number().int().min(1).max(10_000).default(100),
    /** …and at most this many megabytes (a single larger instance goes alone). */
    batchMegabytes: z.number().int().min(1).max(4096).default(256),
  })
  .strict();
export type SyncSettings = z.infer<typeof SyncSettings>;

export const SyncManifest = z
  .object({
    format: z.literal(SYNC_MANIFEST_FORMAT),
    /** Also the prefix of patient pseudonyms: letters, digits, `-` and `_`. */
    projectId: DeidSettings.shape.projectId,
    name: z.string().trim().min(1).max(200),
    server: SyncServer,
    labelSchema: LabelSchema,
    readers: z.array(SyncReader).min(1).max(10_000),
    deid: SyncDeid,
    sync: SyncSettings,
    /** Review: blinded reading (annotators see neither each other's work nor, with blindAi, the AI's until verified). */
    review: ReviewSettings.optional(),
    /** Segmentation models the project ships (ONNX files run locally, docs/ai-models.md). */
    models: z.array(ModelSpec).max(50).optional(),
  })
  .strict()
  .superRefine((manifest, context) => {
    const modelIds = new Set<string>();
    manifest.models?.forEach((model, index) => {
      if (modelIds.has(model.id))
        context.addIssue({
          code: 'custom',
          path: ['models', index, 'id'],
          message: `model "${model.id}" is listed twice`,
        });
      modelIds.add(model.id);
      model.output.labels.forEach((output, labelIndex) => {
        const label = manifest.labelSchema.labels.find((candidate) => candidate.id === output.labelId);
        if (!label || label.kind !== 'segment')
          context.addIssue({
            code: 'custom',
            path: ['models', index, 'output', 'labels', labelIndex, 'labelId'],
            message: `"${output.labelId}" is not a segment label of the project's label schema`,
          });
      });
    });
    const seen = new Set<string>();
    manifest.readers.forEach((reader, index) => {
      const key = reader.username.toLowerCase();
      if (seen.has(key))
        context.addIssue({
          code: 'custom',
          path: ['readers', index, 'username'],
          message: `reader "${reader.username}" is listed twice`,
        });
      seen.add(key);
    });
  });
export type SyncManifest = z.infer<typeof SyncManifest>;
/** The manifest as written in the file (defaults not yet applied). */
export type SyncManifestInput = z.input<typeof SyncManifest>;

/** One problem of a manifest, as `field.path: message` (the field named the way the file spells it). */
export function manifestIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path
      .map((part, index) =>
        typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
      )
      .join('');
    return `${field || '(manifest)'}: ${issue.message}`;
  });
}

export type ParsedManifest = { ok: true; manifest: SyncManifest } | { ok: false; issues: string[] };

/** Validates a parsed JSON value as a manifest; on failure, every problem naming its field. */
export function parseSyncManifest(value: unknown): ParsedManifest {
  const result = SyncManifest.safeParse(value);
  return result.success
    ? { ok: true, manifest: result.data }
    : { ok: false, issues: manifestIssues(result.error) };
}

/** The reader's entry (user names compare case-insensitively), or null when not in the project. */
export function manifestReader(manifest: SyncManifest, username: string): SyncReader | null {
  const key = username.trim().toLowerCase();
  return manifest.readers.find((reader) => reader.username.toLowerCase() === key) ?? null;
}
