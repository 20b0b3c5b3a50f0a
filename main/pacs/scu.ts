/**
 * Our side as a client of a remote PACS (dcmjs-dimse's Client): C-ECHO to test a connection,
 * C-FIND at study level, C-MOVE of studies to our own SCP, with C-CANCEL. Each call is one
 * association with a time limit; every failure becomes an AppError an IT administrator can act on.
 */
import dimse from 'dcmjs-dimse';
import type { requests as Requests, responses as Responses } from 'dcmjs-dimse';
import { AppError, ErrorCode } from '../../shared/errors.js';

const { Client, constants, requests } = dimse;
const { CEchoRequest, CFindRequest, CMoveRequest } = requests;
const { Status } = constants;

export interface RemoteAe {
  aeTitle: string;
  host: string;
  port: number;
}

export interface ScuOptions {
  /** Our AE title as the calling AE. */
  callingAeTitle: string;
  /** Connection and answer time limit, ms. */
  timeoutMs?: number;
}

type AnyRequest = Requests.CEchoRequest | Requests.CFindRequest | Requests.CMoveRequest;

interface AssociationRun {
  client: InstanceType<typeof Client>;
  done: Promise<void>;
}

/** Opens one association with `request` and settles when it is released, refused or broken. */
function runAssociation(remote: RemoteAe, request: AnyRequest, options: ScuOptions): AssociationRun {
  const client = new Client();
  client.addRequest(request);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const done = new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: AppError) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve();
    };
    client.on('associationRejected', (reject: { result: number; source: number; reason: number }) => {
      finish(
        new AppError(
          ErrorCode.Io,
          reject.reason === 3
            ? `${remote.aeTitle} refused the association: it does not know our AE title "${options.callingAeTitle}" (add it on the PACS).`
            : reject.reason === 7
              ? `${remote.host}:${remote.port} refused the association: its AE title is not "${remote.aeTitle}".`
              : `${remote.aeTitle} refused the association (result ${reject.result}, source ${reject.source}, reason ${reject.reason}).`,
        ),
      );
    });
    client.on('networkError', (error: Error) => {
      const text = error.message;
      finish(
        new AppError(
          ErrorCode.Io,
          /ECONNREFUSED/.test(text)
            ? `Nothing answers at ${remote.host}:${remote.port} (connection refused): check the host, the port and the firewall.`
            : /ENOTFOUND|EAI_AGAIN/.test(text)
              ? `The host name ${remote.host} is not known on this network.`
              : /timeout/i.test(text)
                ? `${remote.host}:${remote.port} did not answer in time.`
                : `The connection to ${remote.host}:${remote.port} failed (${text.replace(/^.*-> /, '').slice(0, 120)}).`,
        ),
      );
    });
    client.on('closed', () => finish());
    try {
      client.send(remote.host, remote.port, options.callingAeTitle, remote.aeTitle, {
        connectTimeout: timeoutMs,
        associationTimeout: timeoutMs,
        pduTimeout: timeoutMs,
      });
    } catch (error) {
      finish(new AppError(ErrorCode.Io, `The association could not be opened: ${(error as Error).message}`));
    }
    // The client does not pass an A-ABORT on: a PACS that aborts (an AE title it does not allow) would look hung.
    const network = (
      client as unknown as {
        network?: { on(event: 'abort', listener: () => void): void; socket?: { destroy(): void } };
      }
    ).network;
    network?.on('abort', () => {
      network.socket?.destroy();
      finish(
        new AppError(
          ErrorCode.Io,
          `${remote.aeTitle} aborted the association: it may not allow our AE title "${options.callingAeTitle}" (add this workstation on the PACS with its AE title, address and port).`,
        ),
      );
    });
    const timer = setTimeout(() => {
      try {
        client.abort();
      } catch {
        // Already closed.
      }
      finish(new AppError(ErrorCode.Io, `${remote.host}:${remote.port} did not answer in time.`));
    }, timeoutMs * 4);
    timer.unref();
    client.on('closed', () => clearTimeout(timer));
  });
  return { client, done };
}

/** Tests a connection with C-ECHO; resolves to the round trip in ms. */
export async function echo(remote: RemoteAe, options: ScuOptions): Promise<number> {
  const started = performance.now();
  const request = new CEchoRequest();
  let status: number | null = null;
  request.on('response', (response: Responses.CEchoResponse) => {
    status = response.getStatus();
  });
  await runAssociation(remote, request, options).done;
  if (status === null)
    throw new AppError(
      ErrorCode.Io,
      `${remote.aeTitle} accepted the association but did not answer the C-ECHO.`,
    );
  if (status !== Status.Success)
    throw new AppError(ErrorCode.Io, `${remote.aeTitle} answered the C-ECHO with status ${hex(status)}.`);
  return performance.now() - started;
}

export interface StudyQuery {
  patientName: string;
  patientId: string;
  accessionNumber: string;
  dateFrom: string;
  dateTo: string;
  modality: string;
  limit: number;
}

/** One study-level C-FIND match, as the PACS returned its attributes (naturalized by dcmjs). */
export type FindMatch = Record<string, unknown>;

export async function findStudies(
  remote: RemoteAe,
  query: StudyQuery,
  options: ScuOptions,
): Promise<{ matches: FindMatch[]; truncated: boolean }> {
  const dateRange =
    query.dateFrom || query.dateTo
      ? query.dateFrom === query.dateTo
        ? query.dateFrom
        : `${query.dateFrom}-${query.dateTo}`
      : '';
  const request = CFindRequest.createStudyFindRequest({
    PatientName: query.patientName,
    PatientID: query.patientId,
    AccessionNumber: query.accessionNumber,
    StudyDate: dateRange,
    ModalitiesInStudy: query.modality,
    SpecificCharacterSet: 'ISO_IR 192',
  });
  const matches: FindMatch[] = [];
  let truncated = false;
  let failure: number | null = null;
  const run = runAssociation(remote, request, options);
  request.on('response', (response: Responses.CFindResponse) => {
    const status = response.getStatus();
    if (status === Status.Pending || status === 0xff01) {
      const dataset = response.getDataset();
      if (!dataset) return;
      if (matches.length >= query.limit) {
        if (!truncated) {
          truncated = true;
          try {
            run.client.cancel(request);
          } catch {
            // The association is ending anyway.
          }
        }
        return;
      }
      matches.push(dataset.getElements() as FindMatch);
    } else if (status !== Status.Success && status !== Status.Cancel) {
      failure = status;
    }
  });
  await run.done;
  if (failure !== null)
    throw new AppError(ErrorCode.Io, `${remote.aeTitle} refused the query (status ${hex(failure)}).`);
  return { matches, truncated };
}

export interface MoveProgress {
  remaining: number | null;
  completed: number;
  failed: number;
  warnings: number;
}

export interface MoveHandle {
  done: Promise<MoveProgress>;
  cancel(): void;
}

/** C-MOVE of one study to `destinationAeTitle` (our SCP); `onProgress` after every pending answer. */
export function moveStudy(
  remote: RemoteAe,
  studyInstanceUID: string,
  destinationAeTitle: string,
  options: ScuOptions & { onProgress?: (progress: MoveProgress) => void },
): MoveHandle {
  const request = CMoveRequest.createStudyMoveRequest(destinationAeTitle, studyInstanceUID);
  const progress: MoveProgress = { remaining: null, completed: 0, failed: 0, warnings: 0 };
  let finalStatus: number | null = null;
  let comment = '';
  request.on('response', (response: Responses.CMoveResponse) => {
    const status = response.getStatus();
    progress.remaining = response.getRemaining() ?? progress.remaining;
    progress.completed = response.getCompleted() ?? progress.completed;
    progress.failed = response.getFailures() ?? progress.failed;
    progress.warnings = response.getWarnings() ?? progress.warnings;
    if (status !== Status.Pending) {
      finalStatus = status;
      comment = response.getErrorComment() ?? '';
    }
    options.onProgress?.({ ...progress });
  });
  // A move can take long: the time limit is between answers, not for the whole study.
  const run = runAssociation(remote, request, { ...options, timeoutMs: options.timeoutMs ?? 120_000 });
  const done = run.done.then(() => {
    if (finalStatus === null)
      throw new AppError(
        ErrorCode.Io,
        `${remote.aeTitle} ended the association before the retrieve finished.`,
      );
    if (finalStatus === Status.MoveDestinationUnknown)
      throw new AppError(
        ErrorCode.Io,
        `${remote.aeTitle} does not know our AE title "${destinationAeTitle}" as a destination: add it on the PACS with this workstation's address and port.`,
      );
    if (finalStatus === Status.Cancel) throw new AppError(ErrorCode.Cancelled, 'The retrieve was cancelled.');
    // Success, or warning B000 (some sub-operations failed): the counts tell.
    if (finalStatus !== Status.Success && (finalStatus & 0xf000) !== 0xb000)
      throw new AppError(
        ErrorCode.Io,
        `${remote.aeTitle} could not send the study (status ${hex(finalStatus)}${comment ? `: ${comment}` : ''}).`,
      );
    return progress;
  });
  return {
    done,
    cancel() {
      try {
        run.client.cancel(request);
      } catch {
        // Not connected (yet or any more).
      }
    },
  };
}

function hex(status: number): string {
  return `0x${status.toString(16).padStart(4, '0').toUpperCase()}`;
}
