/**
 * Error codes shared by main and renderer. Every failure that crosses the contract is an
 * `AppError` value with one of these codes and a message a radiologist can act on.
 */
export const ErrorCode = {
  /** The request did not match the contract (wrong method, malformed payload). */
  InvalidRequest: 'invalid-request',
  /** The web host refused a request that carried no valid per-launch token. */
  Unauthorized: 'unauthorized',
  /** A study, series, instance or job that was asked for does not exist. */
  NotFound: 'not-found',
  /** A file or folder the user named does not exist (a typo, a drive no longer connected). */
  PathNotFound: 'path-not-found',
  /** A path goes on below a file as if it were a folder (`/scans/ct.dcm/more`). */
  NotAFolder: 'not-a-folder',
  /** A file is not DICOM Part 10 (no preamble/prefix and no recognisable dataset). */
  NotDicom: 'not-dicom',
  /** A DICOM file ends before its declared content. */
  Truncated: 'truncated',
  /** A DICOM file is structurally broken (bad lengths, missing UIDs, hostile values). */
  Malformed: 'malformed',
  /** A file is larger than the configured import limit. */
  TooLarge: 'too-large',
  /** An archive (zip) could not be read or is unsafe (path traversal, zip bomb). */
  BadArchive: 'bad-archive',
  /** The same SOP Instance UID was already stored with different content. */
  Conflict: 'conflict',
  /** The user cancelled a long-running job. */
  Cancelled: 'cancelled',
  /**
   * The key that protects local secrets (the de-identification project secret, the linkage table)
   * is unavailable (no keychain) or is not the key they were sealed with.
   */
  KeyUnavailable: 'key-unavailable',
  /** Sign-in is required on this workstation and nobody is signed in (docs/accounts.md). */
  SignedOut: 'signed-out',
  /** The reader's session is locked after idle time; unlock with the password (docs/accounts.md). */
  SessionLocked: 'session-locked',
  /** The signed-in reader is not allowed to do this (an administrator's task). */
  Forbidden: 'forbidden',
  /**
   * A study cannot be marked complete: required attributes or classification answers are missing
   * (main/annotation/completeness.ts; `annotation.completeness` lists them).
   */
  Incomplete: 'incomplete',
  /** A sync project manifest is unreadable or invalid; the message names the field (docs/sync.md). */
  ProjectInvalid: 'project-invalid',
  /**
   * The project's server could not be reached: offline, name not found, refused or reset connection,
   * TLS or proxy failure, timeout. Worth retrying later.
   */
  Network: 'network',
  /** The project's server refused the sign-in: no credentials configured, or wrong ones (HTTP 401/403). */
  ServerAuth: 'server-auth',
  /** The project's server answered with an error or with a response that cannot be read. */
  ServerError: 'server-error',
  /**
   * A project's segmentation model cannot be run as its manifest says: the file differs from its
   * SHA-256, or the series or the model's tensors do not fit its input/output spec (docs/ai-models.md).
   */
  ModelRejected: 'model-rejected',
  /** A segmentation model stopped with an error of its own while running (docs/ai-models.md). */
  ModelFailed: 'model-failed',
  /** Reading or writing the local disk failed (permissions, disk full). */
  Io: 'io',
  /** Anything else: a bug. The message says so; details go to the log, never PHI. */
  Internal: 'internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface AppErrorShape {
  readonly code: ErrorCode;
  readonly message: string;
}

/** An error that carries a contract error code. Thrown inside main, serialised at the boundary. */
export class AppError extends Error implements AppErrorShape {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }

  toJSON(): AppErrorShape {
    return { code: this.code, message: this.message };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
