/**
 * PACS in the contract: the local AE (the C-STORE SCP that receives studies), the remote nodes
 * the reader queries (C-FIND) and retrieves from (C-MOVE to our own SCP), and the `pacs.*`
 * methods and events. AE titles, hosts and ports; query results carry what a worklist shows.
 */
import { z } from 'zod';
import { Uid, method } from './contract-parts.js';

/** An AE title: 1–16 printable ASCII characters, no backslash, not only spaces (PS3.5 AE). */
export const AeTitle = z
  .string()
  .max(16)
  .regex(/^[\x20-\x5b\x5d-\x7e]*$/, 'an AE title has printable ASCII characters only (no backslash)')
  .transform((value) => value.trim())
  .refine((value) => value.length > 0, 'an AE title cannot be empty');

export const Port = z.number().int().min(1).max(65_535);

/** A host name or an IP address (no scheme, no port). */
export const HostName = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'a host is a name or an IP address');

export const PacsAllowedCaller = z.object({
  aeTitle: AeTitle,
  /** Empty: from any host. */
  host: z.union([HostName, z.literal('')]).default(''),
});
export type PacsAllowedCaller = z.infer<typeof PacsAllowedCaller>;

export const PacsLocalSettings = z.object({
  /** Receive studies (start the SCP with the app). */
  enabled: z.boolean(),
  aeTitle: AeTitle,
  port: Port,
  /** The interface to listen on: 0.0.0.0 for all, 127.0.0.1 for this machine only, or one address. */
  bindAddress: HostName,
  /** Callers allowed besides the remote nodes (which may always send, from their host). */
  allowedCallers: z.array(PacsAllowedCaller).max(200),
  /** Accept any caller (not recommended outside a closed network). */
  acceptAnyCaller: z.boolean(),
});
export type PacsLocalSettings = z.infer<typeof PacsLocalSettings>;

export const PacsScpStatus = z.object({
  running: z.boolean(),
  /** The port actually listened on (the configured one, or the one the system chose for 0). */
  port: z.number().int().nullable(),
  /** Why it does not run when it should (the port is in use, the address is not this machine's). */
  error: z.string().nullable(),
});
export type PacsScpStatus = z.infer<typeof PacsScpStatus>;

export const PacsSettingsView = z.object({
  local: PacsLocalSettings,
  status: PacsScpStatus,
  /**
   * Whether this session may change the receiver's settings and the remote nodes, and clear the
   * received problems' list: on a workstation with reader accounts only an administrator may
   * (main refuses the others, `forbidden`); without accounts its one user may.
   */
  mayChange: z.boolean(),
});
export type PacsSettingsView = z.infer<typeof PacsSettingsView>;

export const PacsNodeInput = z.object({
  /** Absent: a new node. */
  id: z.number().int().positive().optional(),
  name: z.string().trim().min(1).max(64),
  aeTitle: AeTitle,
  host: HostName,
  port: Port,
});
export type PacsNodeInput = z.input<typeof PacsNodeInput>;

export const PacsNode = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  aeTitle: z.string(),
  host: z.string(),
  port: z.number().int(),
});
export type PacsNode = z.infer<typeof PacsNode>;

export const PacsEchoResult = z.object({
  ok: z.boolean(),
  /** Round trip of the association and the C-ECHO, in ms. */
  ms: z.number(),
  /** When not ok: what went wrong, for an IT administrator. */
  message: z.string().nullable(),
});
export type PacsEchoResult = z.infer<typeof PacsEchoResult>;

const DicomDate = z.string().regex(/^(\d{8})?$/, 'a date as YYYYMMDD');

export const PacsFindRequest = z.object({
  nodeId: z.number().int().positive(),
  /** Wildcards * and ? as DICOM allows; empty fields match anything. */
  patientName: z.string().max(64).default(''),
  patientId: z.string().max(64).default(''),
  accessionNumber: z.string().max(16).default(''),
  /** YYYYMMDD; either end may be empty. */
  dateFrom: DicomDate.default(''),
  dateTo: DicomDate.default(''),
  modality: z.string().max(16).default(''),
  /** Results beyond this are not read (the PACS is asked to cancel). */
  limit: z.number().int().min(1).max(1000).default(200),
});
export type PacsFindRequest = z.input<typeof PacsFindRequest>;

export const PacsStudyMatch = z.object({
  studyInstanceUID: Uid,
  patientName: z.string(),
  patientId: z.string(),
  birthDate: z.string(),
  studyDate: z.string(),
  studyTime: z.string(),
  studyDescription: z.string(),
  accessionNumber: z.string(),
  modalities: z.string(),
  numberOfInstances: z.number().int().nullable(),
  /** Already in the local catalog. */
  local: z.boolean(),
});
export type PacsStudyMatch = z.infer<typeof PacsStudyMatch>;

export const PacsFindResponse = z.object({
  studies: z.array(PacsStudyMatch),
  /** More matched than `limit`. */
  truncated: z.boolean(),
});
export type PacsFindResponse = z.infer<typeof PacsFindResponse>;

export const PacsRetrieveProgress = z.object({
  jobId: z.string().uuid(),
  nodeId: z.number().int(),
  studyInstanceUIDs: z.array(Uid),
  /** Sub-operations the PACS reported (images); null until it says. */
  total: z.number().int().nullable(),
  completed: z.number().int(),
  failed: z.number().int(),
  warnings: z.number().int(),
  phase: z.enum(['running', 'done', 'failed', 'cancelled']),
  /** Why it failed, for the reader or an IT administrator. */
  error: z.string().nullable(),
});
export type PacsRetrieveProgress = z.infer<typeof PacsRetrieveProgress>;

/** A retrieve as it starts, nothing counted yet: main's first state, and the dialog's until main's first event. */
export function startingRetrieve(
  jobId: string,
  nodeId: number,
  studyInstanceUIDs: string[],
): PacsRetrieveProgress {
  return {
    jobId,
    nodeId,
    studyInstanceUIDs,
    total: null,
    completed: 0,
    failed: 0,
    warnings: 0,
    phase: 'running',
    error: null,
  };
}

/** Received objects with problems per page of `pacs.receivedProblems` (the newest first). */
export const MAX_PACS_RECEIVED_PROBLEMS = 100;
/** Received objects with problems the catalog keeps (one row per object; the oldest dropped). */
export const MAX_PACS_RECEIVED_PROBLEM_LOG = 20_000;

/**
 * An SR or SEG object a sender stored here that did not become annotations as it is (a damaged or
 * hostile object, measurements skipped): the object was stored and the sender told success; main's
 * reasons say what was left out. No patient data: the object's UIDs, the sender's AE title, when.
 */
export const PacsReceivedProblem = z.object({
  studyInstanceUID: Uid,
  sopInstanceUID: Uid,
  kind: z.enum(['sr', 'seg', 'other']),
  callingAeTitle: z.string().max(16),
  /** When the object was received (ISO 8601, UTC). */
  receivedAt: z.string().datetime(),
  problems: z.array(z.string().max(2000)).max(100),
});
export type PacsReceivedProblem = z.infer<typeof PacsReceivedProblem>;

export const PacsReceivedProblemsRequest = z
  .object({
    /** Rows of the log to skip, the newest first (paging). */
    offset: z.number().int().min(0).max(MAX_PACS_RECEIVED_PROBLEM_LOG).default(0),
    limit: z.number().int().min(1).max(MAX_PACS_RECEIVED_PROBLEMS).default(MAX_PACS_RECEIVED_PROBLEMS),
  })
  .strict();
export type PacsReceivedProblemsRequest = z.input<typeof PacsReceivedProblemsRequest>;

export const PacsReceivedProblems = z.object({
  /** A page of the log, the newest first, at most MAX_PACS_RECEIVED_PROBLEMS. */
  objects: z.array(PacsReceivedProblem).max(MAX_PACS_RECEIVED_PROBLEMS),
  /** Objects with problems in the log (kept in the catalog across restarts, at most MAX_PACS_RECEIVED_PROBLEM_LOG). */
  total: z.number().int(),
  /** Where `objects` starts in the log (0: the newest). */
  offset: z.number().int(),
});
export type PacsReceivedProblems = z.infer<typeof PacsReceivedProblems>;

const JobRef = z.object({ jobId: z.string().uuid() });
const Empty = z.object({}).strict();

export const pacsMethods = {
  'pacs.getSettings': method(
    Empty,
    PacsSettingsView,
    'The local AE (receiving SCP) settings and whether it runs.',
  ),
  'pacs.saveSettings': method(
    PacsLocalSettings,
    PacsSettingsView,
    'Save the local AE settings; the SCP restarts with them.',
  ),
  'pacs.listNodes': method(Empty, z.array(PacsNode), 'The remote PACS nodes.'),
  'pacs.saveNode': method(PacsNodeInput, PacsNode, 'Add or change a remote PACS node.'),
  'pacs.deleteNode': method(
    z.object({ id: z.number().int().positive() }),
    Empty,
    'Forget a remote PACS node.',
  ),
  'pacs.echo': method(
    z.union([
      z.object({ nodeId: z.number().int().positive() }),
      z.object({ aeTitle: AeTitle, host: HostName, port: Port }),
    ]),
    PacsEchoResult,
    'Test the connection to a node (C-ECHO).',
  ),
  'pacs.find': method(PacsFindRequest, PacsFindResponse, 'Find studies on a node (C-FIND, study level).'),
  'pacs.retrieve': method(
    z.object({ nodeId: z.number().int().positive(), studyInstanceUIDs: z.array(Uid).min(1).max(100) }),
    JobRef,
    'Retrieve studies from a node into the local catalog (C-MOVE to our own SCP); progress as pacs.retrieveProgress.',
  ),
  'pacs.cancelRetrieve': method(
    JobRef,
    z.object({ cancelled: z.boolean() }),
    'Cancel a retrieve (C-CANCEL).',
  ),
  'pacs.receivedProblems': method(
    PacsReceivedProblemsRequest,
    PacsReceivedProblems,
    'SR and SEG objects received from senders that did not become annotations as they are, with the reasons: a page of the log, the newest first.',
  ),
  'pacs.clearReceivedProblems': method(
    Empty,
    z.object({ cleared: z.number().int() }),
    'Empty the log of received objects with problems (the PACS settings; audited).',
  ),
} as const;

export const pacsEvents = {
  'pacs.retrieveProgress': PacsRetrieveProgress,
  /** The first page of pacs.receivedProblems, sent whenever a received object adds to the log or it is cleared. */
  'pacs.receivedProblems': PacsReceivedProblems,
} as const;
