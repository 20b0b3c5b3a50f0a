/**
 * A DICOMweb client for the cloud project (PS3.18): STOW-RS, QIDO-RS, WADO-RS, streamed and bounded.
 *
 * - STOW-RS (`stow`): files go up in a streamed multipart body (multipart.ts), never a whole study
 *   in memory, in requests bounded by instance count and bytes. Each instance gets its own outcome:
 *   stored (ReferencedSOPSequence), failed with the server's reason (FailedSOPSequence: 202 or 409),
 *   or, when the server says nothing about it (the Orthanc 1.10 in Debian answers 200 and lists only
 *   what it stored), looked up by QIDO-RS: on the server → stored, else failed and retryable.
 *   A request refused as a whole with a 4xx is sent again one instance per request, so one bad
 *   object fails alone with its reason and the rest goes on.
 * - QIDO-RS (`qidoStudies`, `qidoSeries`, `qidoInstances`): by UID or any attribute (the clinical
 *   trial ones), paged with limit/offset, each answer bounded in size.
 * - WADO-RS (`wadoInstance`): one instance streamed into a temp file next to its destination, then
 *   verified (a DICOM Part 10 file whose SOP Instance UID is the one asked for) and renamed; a
 *   failure leaves nothing at the destination.
 *
 * Failures of a whole request are DicomWebError (an AppError: network, server-auth, server-error)
 * with the HTTP status (undefined: no answer at all) and whether trying again may help. Messages
 * never carry credentials.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type tls from 'node:tls';
import { type Dispatcher, request } from 'undici';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { readDicomHeader } from '../dicom/header.js';
import {
  elementHeader,
  isVrCode,
  readElementHeader,
  UNDEFINED_LENGTH,
  viewOf,
} from '../dicom/element-header.js';
import { authorizationHeader, type SyncCredentials } from './credentials.js';
import { createDispatcher, directConnection } from './http.js';
import { streamedGet } from './http-stream.js';
import { MultipartReader, multipartBody, newBoundary, type PartSink, stowContentType } from './multipart.js';

/** What undici's request() takes as a body (its types omit the async iterables it accepts). */
type RequestBody = NonNullable<Parameters<typeof request>[1]>['body'];

/** One file to send by STOW-RS. */
export interface StowFile {
  path: string;
  sopInstanceUID: string;
  /** The file's size in bytes. */
  size: number;
}

/** The server's answer for one instance of a STOW-RS request. */
export interface StowItemOutcome {
  sopInstanceUID: string;
  stored: boolean;
  /** Worth trying again (a server-side or transient failure); false: the server refused this object. */
  retryable: boolean;
  /** Why it failed, in words; null when stored. */
  reason: string | null;
}

/** DICOM JSON (PS3.18 F.2): tag → { vr, Value }. */
export type DicomJson = Record<
  string,
  { vr: string; Value?: unknown[]; InlineBinary?: string; BulkDataURI?: string }
>;

export interface InstanceRef {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
}

export interface DicomWebClientOptions {
  /** The DICOMweb root (`http://127.0.0.1:8042/dicom-web`). */
  baseUrl: string;
  credentials: SyncCredentials | null;
  caFile?: string | undefined;
  proxy?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Timeout on silence (connect, first byte, between bytes). */
  timeoutMs?: number;
  /** Bounds of one STOW-RS request. */
  batchInstances?: number;
  batchBytes?: number;
  /** Largest WADO-RS instance accepted. */
  maxInstanceBytes?: number;
  /** Largest QIDO-RS or STOW-RS JSON answer accepted. */
  maxJsonBytes?: number;
  /** Results per QIDO-RS page. */
  qidoPageSize?: number;
  /** A dispatcher of the caller's (tests); otherwise one is made from caFile/proxy/env. */
  dispatcher?: Dispatcher;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

/** A failure of a whole request. */
export class DicomWebError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    /** The HTTP status; undefined when no answer came (refused, reset, DNS, timeout). */
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'DicomWebError';
  }

  /** No answer: the network or the server is gone. */
  get offline(): boolean {
    return this.status === undefined && this.code === ErrorCode.Network;
  }

  /** Worth trying again later: no answer, 408, 429, 5xx. */
  get retryable(): boolean {
    if (this.status === undefined) return this.code === ErrorCode.Network;
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

const Tag = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  ReferencedSOPInstanceUID: '00081155',
  FailureReason: '00081197',
  WarningReason: '00081196',
} as const;

/** PS3.4 C.4.2.1.4 / PS3.18 failure reasons, in words. */
const FAILURE_REASONS: Record<number, string> = {
  0x0110: 'processing failure',
  0x0111: 'duplicate SOP instance',
  0x0112: 'no such object instance',
  0x0117: 'invalid object instance',
  0x0118: 'no such SOP class',
  0x0119: 'class-instance conflict',
  0x0122: 'SOP class not supported',
  0x0124: 'not authorized',
  0xa700: 'out of resources',
  0xa900: 'data set does not match SOP class',
  0xc000: 'cannot understand',
  0xc122: 'referenced transfer syntax not supported',
};

/** Reasons where trying again may succeed: the server's trouble, not the object's. */
function retryableReason(code: number): boolean {
  return code === 0x0110 || code === 0x0124 || (code >= 0xa700 && code <= 0xa7ff);
}

/** The first string value of `tag` in a DICOM JSON object. */
export function jsonString(object: DicomJson | undefined, tag: string): string | undefined {
  const value = object?.[tag]?.Value?.[0];
  return typeof value === 'string' ? value : undefined;
}

function jsonNumber(object: DicomJson | undefined, tag: string): number | undefined {
  const value = object?.[tag]?.Value?.[0];
  return typeof value === 'number' ? value : undefined;
}

function jsonItems(object: DicomJson | undefined, tag: string): DicomJson[] {
  const value = object?.[tag]?.Value;
  return Array.isArray(value)
    ? value.filter((item): item is DicomJson => !!item && typeof item === 'object')
    : [];
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
]);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) ||
        code.startsWith('UND_ERR') ||
        code.startsWith('ERR_TLS') ||
        /CERT|SSL|SIGNATURE|^UNABLE_TO_/.test(code))
    )
      return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A DICOMweb client for one project server. */
export class DicomWebClient {
  readonly baseUrl: string;
  readonly #authorization: string | null;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #batchInstances: number;
  readonly #batchBytes: number;
  readonly #maxInstanceBytes: number;
  readonly #maxJsonBytes: number;
  readonly #pageSize: number;
  readonly #timeoutMs: number;
  /** How to reach the server without undici; null through a proxy or a caller's dispatcher. */
  readonly #direct: { secureContext?: tls.SecureContext } | null;

  constructor(options: DicomWebClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#authorization = authorizationHeader(options.credentials);
    this.#ownsDispatcher = !options.dispatcher;
    this.#dispatcher =
      options.dispatcher ??
      createDispatcher({
        caFile: options.caFile,
        proxy: options.proxy,
        ...(options.env ? { env: options.env } : {}),
        timeoutMs: options.timeoutMs ?? 120_000,
      });
    this.#batchInstances = options.batchInstances ?? 100;
    this.#batchBytes = options.batchBytes ?? 256 * 1024 * 1024;
    this.#maxInstanceBytes = options.maxInstanceBytes ?? 8 * 1024 * 1024 * 1024;
    this.#maxJsonBytes = options.maxJsonBytes ?? 64 * 1024 * 1024;
    this.#pageSize = options.qidoPageSize ?? 1000;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#direct = options.dispatcher
      ? null
      : directConnection({
          caFile: options.caFile,
          proxy: options.proxy,
          ...(options.env ? { env: options.env } : {}),
        });
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  // -------------------------------------------------------------------------------------------
  // STOW-RS

  /** Splits `files` into requests bounded by count and bytes (a file larger than the bound goes alone). */
  batches(files: readonly StowFile[]): StowFile[][] {
    const batches: StowFile[][] = [];
    let current: StowFile[] = [];
    let bytes = 0;
    for (const file of files) {
      if (
        current.length > 0 &&
        (current.length >= this.#batchInstances || bytes + file.size > this.#batchBytes)
      ) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(file);
      bytes += file.size;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  /**
   * Sends `files` by STOW-RS in bounded requests; one outcome per file, in order. Throws
   * DicomWebError only when the server cannot be reached or refuses the whole exchange (sign-in,
   * 5xx, 408, 429): then nothing is known of the files of the failing request and after.
   */
  async stow(files: readonly StowFile[], options: CallOptions = {}): Promise<StowItemOutcome[]> {
    const outcomes: StowItemOutcome[] = [];
    for (const batch of this.batches(files)) outcomes.push(...(await this.#stowBatch(batch, options)));
    return outcomes;
  }

  async #stowBatch(files: readonly StowFile[], options: CallOptions): Promise<StowItemOutcome[]> {
    const boundary = newBoundary();
    const body = multipartBody(files, boundary);
    const response = await this.#request(
      'POST',
      '/studies',
      {
        'content-type': stowContentType(boundary),
        'content-length': String(body.length),
        accept: 'application/dicom+json',
      },
      body.chunks(),
      options,
    );
    const status = response.statusCode;
    if (status === 401 || status === 403 || status === 407) {
      await response.body.dump();
      throw this.#statusError(status, 'STOW-RS');
    }
    let answer: DicomJson | null = null;
    const text = await this.#readText(response.body, 'STOW-RS');
    if (text.trim()) {
      try {
        const parsed: unknown = JSON.parse(text);
        answer = (Array.isArray(parsed) ? parsed[0] : parsed) as DicomJson;
      } catch {
        answer = null;
      }
    }
    const stored = new Set(
      jsonItems(answer ?? undefined, Tag.ReferencedSOPSequence)
        .map((item) => jsonString(item, Tag.ReferencedSOPInstanceUID))
        .filter((uid): uid is string => !!uid),
    );
    const failed = new Map<string, number>();
    for (const item of jsonItems(answer ?? undefined, Tag.FailedSOPSequence)) {
      const uid = jsonString(item, Tag.ReferencedSOPInstanceUID);
      if (uid) failed.set(uid, jsonNumber(item, Tag.FailureReason) ?? 0x0110);
    }
    if (status >= 200 && status < 300) return this.#outcomes(files, stored, failed, options);
    if (status === 409 && (failed.size > 0 || stored.size > 0))
      return this.#outcomes(files, stored, failed, options);
    const transient = status === 408 || status === 429 || status >= 500;
    if (transient) throw this.#statusError(status, 'STOW-RS', text);
    // Refused as a whole with a 4xx: one instance per request, so each gets its own answer.
    if (files.length > 1) {
      const outcomes: StowItemOutcome[] = [];
      for (const file of files) outcomes.push(...(await this.#stowBatch([file], options)));
      return outcomes;
    }
    return [
      {
        sopInstanceUID: files[0]!.sopInstanceUID,
        stored: false,
        retryable: false,
        reason: `The server refused it (HTTP ${status}${this.#snippet(text)}).`,
      },
    ];
  }

  async #outcomes(
    files: readonly StowFile[],
    stored: Set<string>,
    failed: Map<string, number>,
    options: CallOptions,
  ): Promise<StowItemOutcome[]> {
    // Files the answer does not mention (Orthanc 1.10 lists only what it stored): ask the server.
    const unknown = files.filter(
      (file) => !stored.has(file.sopInstanceUID) && !failed.has(file.sopInstanceUID),
    );
    const present =
      unknown.length > 0
        ? await this.#present(
            unknown.map((file) => file.sopInstanceUID),
            options,
          )
        : new Set<string>();
    return files.map((file): StowItemOutcome => {
      const uid = file.sopInstanceUID;
      if (stored.has(uid) || present.has(uid))
        return { sopInstanceUID: uid, stored: true, retryable: false, reason: null };
      const code = failed.get(uid);
      // A duplicate is already on the server: what was asked for holds.
      if (code === 0x0111) return { sopInstanceUID: uid, stored: true, retryable: false, reason: null };
      if (code !== undefined)
        return {
          sopInstanceUID: uid,
          stored: false,
          retryable: retryableReason(code),
          reason: `The server refused it: ${FAILURE_REASONS[code] ?? 'failure'} (0x${code.toString(16).toUpperCase().padStart(4, '0')}).`,
        };
      return {
        sopInstanceUID: uid,
        stored: false,
        retryable: true,
        reason: 'The server did not store it and gave no reason.',
      };
    });
  }

  /** Which of `uids` the server holds (QIDO-RS on SOPInstanceUID, a few at a time). */
  async #present(uids: readonly string[], options: CallOptions): Promise<Set<string>> {
    const present = new Set<string>();
    for (let start = 0; start < uids.length; start += 50) {
      const chunk = uids.slice(start, start + 50);
      const found = await this.#qidoAll(
        '/instances',
        { SOPInstanceUID: chunk.join(','), includefield: Tag.SOPInstanceUID },
        options,
      );
      for (const item of found) {
        const uid = jsonString(item, Tag.SOPInstanceUID);
        if (uid && chunk.includes(uid)) present.add(uid);
      }
    }
    return present;
  }

  // -------------------------------------------------------------------------------------------
  // QIDO-RS

  /** Studies matching `query` (`{ StudyInstanceUID }`, `{ '00120020': protocol }`, …). */
  qidoStudies(query: Record<string, string> = {}, options: CallOptions = {}): Promise<DicomJson[]> {
    return this.#qidoAll('/studies', query, options);
  }

  qidoSeries(
    studyInstanceUID: string,
    query: Record<string, string> = {},
    options: CallOptions = {},
  ): Promise<DicomJson[]> {
    return this.#qidoAll(`/studies/${encodeURIComponent(studyInstanceUID)}/series`, query, options);
  }

  /** The instances of a study (of one series when `seriesInstanceUID` is given). */
  qidoInstances(
    studyInstanceUID: string,
    seriesInstanceUID?: string,
    query: Record<string, string> = {},
    options: CallOptions = {},
  ): Promise<DicomJson[]> {
    const base = `/studies/${encodeURIComponent(studyInstanceUID)}`;
    return this.#qidoAll(
      seriesInstanceUID
        ? `${base}/series/${encodeURIComponent(seriesInstanceUID)}/instances`
        : `${base}/instances`,
      query,
      options,
    );
  }

  /** Every instance of a study as references (what WADO-RS needs). */
  async studyInstances(studyInstanceUID: string, options: CallOptions = {}): Promise<InstanceRef[]> {
    const found = await this.qidoInstances(studyInstanceUID, undefined, {}, options);
    return found.flatMap((item) => {
      const series = jsonString(item, Tag.SeriesInstanceUID);
      const sop = jsonString(item, Tag.SOPInstanceUID);
      return series && sop ? [{ studyInstanceUID, seriesInstanceUID: series, sopInstanceUID: sop }] : [];
    });
  }

  async #qidoAll(
    pathname: string,
    query: Record<string, string>,
    options: CallOptions,
  ): Promise<DicomJson[]> {
    const results: DicomJson[] = [];
    for (let offset = 0; ; offset += this.#pageSize) {
      const params = new URLSearchParams({ ...query, limit: String(this.#pageSize), offset: String(offset) });
      const response = await this.#request(
        'GET',
        `${pathname}?${params.toString()}`,
        { accept: 'application/dicom+json' },
        null,
        options,
      );
      if (response.statusCode === 204 || response.statusCode === 404) {
        await response.body.dump();
        return results;
      }
      const text = await this.#readText(response.body, 'QIDO-RS');
      if (response.statusCode !== 200) throw this.#statusError(response.statusCode, 'QIDO-RS', text);
      let page: unknown;
      try {
        page = text.trim() ? JSON.parse(text) : [];
      } catch (error) {
        throw new DicomWebError(
          ErrorCode.ServerError,
          'The server answered a search (QIDO-RS) with something that is not JSON.',
          response.statusCode,
          { cause: error },
        );
      }
      if (!Array.isArray(page))
        throw new DicomWebError(
          ErrorCode.ServerError,
          'The server answered a search (QIDO-RS) with something that is not a list.',
          response.statusCode,
        );
      results.push(...(page as DicomJson[]));
      if (page.length < this.#pageSize) return results;
    }
  }

  // -------------------------------------------------------------------------------------------
  // WADO-RS

  /**
   * Retrieves one instance into `destination`: streamed to a temp file beside it, verified (a Part
   * 10 file with the SOP Instance UID asked for) and renamed. Nothing is left at `destination` (nor
   * a temp file) when it fails. Resolves to the file's size.
   */
  async wadoInstance(ref: InstanceRef, destination: string, options: CallOptions = {}): Promise<number> {
    const pathname =
      `/studies/${encodeURIComponent(ref.studyInstanceUID)}/series/${encodeURIComponent(ref.seriesInstanceUID)}` +
      `/instances/${encodeURIComponent(ref.sopInstanceUID)}`;
    const response = await this.#request(
      'GET',
      pathname,
      { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
      null,
      options,
    );
    if (response.statusCode !== 200) {
      const text = await this.#readText(response.body, 'WADO-RS', { error: true });
      throw this.#statusError(response.statusCode, 'WADO-RS', text);
    }
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    let file: PartFile | null = null;
    try {
      const contentType = response.headers['content-type'];
      const reader = new MultipartReader(
        Array.isArray(contentType) ? contentType[0] : contentType,
        (_headers, index) => {
          if (index > 0)
            throw new DicomWebError(
              ErrorCode.ServerError,
              'The server sent more than the one instance asked for.',
              200,
            );
          file = new PartFile(`${destination}.${crypto.randomBytes(6).toString('hex')}.partial`);
          return file;
        },
        { maxParts: 1, maxPartBytes: this.#maxInstanceBytes },
      );
      await this.#consume(response.body, (chunk) => reader.write(chunk), 'WADO-RS');
      const part = file as PartFile | null;
      if (reader.end() !== 1 || !part)
        throw new DicomWebError(ErrorCode.ServerError, 'The server sent no instance.', 200);
      await part.finishDurably();
      this.#verify(part.temporary, ref.sopInstanceUID, part.head);
      fs.renameSync(part.temporary, destination);
      return part.head.size;
    } catch (error) {
      response.body.destroy(); // Nothing more is read (a no-op once it ended).
      (file as PartFile | null)?.discard();
      throw error;
    }
  }

  /**
   * Retrieves a whole study (or one series) in one WADO-RS request: each instance streamed into a
   * temp file in `destinationDir`, verified (Part 10, readable) and renamed to `<SOP UID>.dcm` as
   * soon as its part ends, so what arrived before a failure is kept and verified. Resolves to the
   * instances written. Without a proxy the answer is read from the socket into one reused buffer
   * (`http-stream.ts`: no allocation per read, so no garbage collections driven by it) and each
   * piece written as it arrives; through a proxy, by undici.
   */
  async wadoStudy(
    studyInstanceUID: string,
    destinationDir: string,
    options: CallOptions & { seriesInstanceUID?: string } = {},
  ): Promise<Array<{ sopInstanceUID: string; path: string; size: number }>> {
    let pathname = `/studies/${encodeURIComponent(studyInstanceUID)}`;
    if (options.seriesInstanceUID) pathname += `/series/${encodeURIComponent(options.seriesInstanceUID)}`;
    const accept = 'multipart/related; type="application/dicom"; transfer-syntax=*';
    const written: Array<{ sopInstanceUID: string; path: string; size: number } | undefined> = [];
    let open: PartFile | null = null;
    const renames: Array<Promise<void>> = [];
    let renameFailure: unknown = null;
    let temps: TempFiles | null = null;
    /** The parser of the answer's parts; `volatile`: its chunks' memory is reused after each write. */
    const partsReader = (contentType: string | string[] | undefined, volatile: boolean): MultipartReader => {
      fs.mkdirSync(destinationDir, { recursive: true });
      const files = (temps = new TempFiles(destinationDir, 4));
      // A part is written (gathered, or at once when volatile), closed and verified as soon as it
      // ends, before the next chunk is read, and renamed in the background.
      return new MultipartReader(
        Array.isArray(contentType) ? contentType[0] : contentType,
        (_headers, index): PartSink => {
          const part = new PartFile(files.take(), { volatile });
          open = part;
          return {
            write: (chunk) => part.write(chunk),
            end: () => {
              open = null;
              try {
                part.finish();
                const sopInstanceUID = this.#verify(part.temporary, null, part.head);
                const target = path.join(destinationDir, `${sopInstanceUID}.dcm`);
                const item = { sopInstanceUID, path: target, size: part.head.size };
                // Renamed off the main thread: a rename may wait for the directory.
                renames.push(
                  fs.promises.rename(part.temporary, target).then(
                    () => void (written[index] = item),
                    (error: unknown) => {
                      fs.rmSync(part.temporary, { force: true });
                      renameFailure ??= error;
                    },
                  ),
                );
              } catch (error) {
                part.discard();
                throw error;
              }
            },
          };
        },
        { maxParts: 1_000_000, maxPartBytes: this.#maxInstanceBytes },
      );
    };
    try {
      if (this.#direct)
        await this.#wadoStudyDirect(
          pathname,
          accept,
          partsReader,
          () => (temps as TempFiles | null)?.behind() ?? false,
          options,
        );
      else {
        const response = await this.#request('GET', pathname, { accept }, null, options);
        if (response.statusCode !== 200) {
          const text = await this.#readText(response.body, 'WADO-RS', { error: true });
          throw this.#statusError(response.statusCode, 'WADO-RS', text);
        }
        try {
          const reader = partsReader(response.headers['content-type'], false);
          await this.#consume(response.body, (chunk) => reader.write(chunk), 'WADO-RS');
          reader.end();
        } catch (error) {
          response.body.destroy(); // Nothing more is read (a no-op once it ended).
          throw error;
        }
      }
      await Promise.all(renames);
      if (renameFailure) throw renameFailure;
    } catch (error) {
      (open as PartFile | null)?.discard();
      await Promise.all(renames);
      // What ended before the failure is kept (verified and renamed).
      throw error;
    } finally {
      await (temps as TempFiles | null)?.close();
    }
    return written.filter((item): item is NonNullable<typeof item> => item !== undefined);
  }

  /** wadoStudy's request without undici (`http-stream.ts`); the parts go to `partsReader`. */
  async #wadoStudyDirect(
    pathname: string,
    accept: string,
    partsReader: (contentType: string | undefined, volatile: boolean) => MultipartReader,
    behind: () => boolean,
    options: CallOptions,
  ): Promise<void> {
    const headers: Record<string, string> = { accept };
    if (this.#authorization) headers.authorization = this.#authorization;
    let status = 0;
    let reader: MultipartReader | null = null;
    // Copied: the pieces are views of the reused read buffer.
    const text = this.#textCollector('WADO-RS', true, true);
    /** A failure of ours (a malformed answer, a full disk) is rethrown as it is, not as a network one. */
    let ours: unknown = null;
    const guarded =
      <T extends unknown[]>(run: (...args: T) => void) =>
      (...args: T): void => {
        try {
          run(...args);
        } catch (error) {
          ours = error;
          throw error;
        }
      };
    try {
      await streamedGet(
        {
          url: new URL(`${this.baseUrl}${pathname}`),
          headers,
          timeoutMs: this.#timeoutMs,
          secureContext: this.#direct!.secureContext,
          signal: options.signal,
        },
        (code, answer) => {
          status = code;
          if (code !== 200) return { data: (piece) => text.add(piece) };
          guarded(() => (reader = partsReader(answer['content-type'], true)))();
          return { data: guarded((piece: Buffer) => reader!.write(piece)), yieldNow: behind };
        },
      );
    } catch (error) {
      throw error === ours ? error : this.#wrap(error, 'WADO-RS');
    }
    if (status !== 200) throw this.#statusError(status, 'WADO-RS', text.text());
    (reader as MultipartReader | null)!.end();
  }

  /**
   * Checks a retrieved file is DICOM Part 10 (with `sopInstanceUID` when given); its SOP Instance
   * UID. `head`: the file's first bytes as they were received, so the check needs no read of the
   * file unless the header is longer (reading 256 KB back per instance cost more than all the
   * rest of a study's retrieval, measured).
   */
  #verify(file: string, sopInstanceUID: string | null, head: PartHead): string {
    let calls = 0;
    const readFirst = (length: number): Buffer => {
      calls += 1;
      const wanted = Math.min(length, head.size);
      // readDicomHeader asks for 256 KB first; the header of an image mostly ends within a few KB,
      // so it is given the first piece that arrived (no copy) when that holds 16 KB or more, and
      // asks again for more when the header goes on. A copy of 256 KB per instance cost a tenth of
      // a retrieval's CPU (fresh memory, page faults), measured.
      if (head.first.length >= wanted || (calls === 1 && head.first.length >= 16 * 1024))
        return head.first.subarray(0, wanted);
      if (wanted <= head.bytes.length) return head.bytes.subarray(0, wanted);
      const buffer = Buffer.alloc(wanted);
      const fd = fs.openSync(file, 'r');
      try {
        return buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0));
      } finally {
        fs.closeSync(fd);
      }
    };
    const start = head.first.length >= 132 ? head.first : head.bytes;
    if (start.length < 132 || start.toString('latin1', 128, 132) !== 'DICM')
      throw new DicomWebError(
        ErrorCode.ServerError,
        'The server sent an instance that is not a DICOM Part 10 file.',
        200,
      );
    let uid: string;
    try {
      uid = part10InstanceUID(start) ?? readDicomHeader(readFirst, head.size).sopInstanceUID;
    } catch (error) {
      throw new DicomWebError(
        ErrorCode.ServerError,
        'The server sent an instance that cannot be read as DICOM.',
        200,
        { cause: error },
      );
    }
    if (!/^[0-9]+(\.[0-9]+)*$/.test(uid) || uid.length > 64)
      throw new DicomWebError(
        ErrorCode.ServerError,
        'The server sent an instance without a valid SOP Instance UID.',
        200,
      );
    if (sopInstanceUID !== null && uid !== sopInstanceUID)
      throw new DicomWebError(
        ErrorCode.ServerError,
        'The server sent another instance than the one asked for.',
        200,
      );
    return uid;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  async #request(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    headers: Record<string, string>,
    body: AsyncIterable<Buffer> | null,
    options: CallOptions,
  ): Promise<Dispatcher.ResponseData> {
    const allHeaders: Record<string, string> = { ...headers };
    if (this.#authorization) allHeaders.authorization = this.#authorization;
    try {
      return await request(`${this.baseUrl}${pathAndQuery}`, {
        method,
        headers: allHeaders,
        // The async iterable as it is (no Readable.from wrapper): undici writes it with
        // backpressure and checks its length. Documented in undici's Dispatcher.md ("Iterable |
        // AsyncIterable"); its .d.ts lags behind.
        body: body as unknown as RequestBody,
        dispatcher: this.#dispatcher,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      throw this.#wrap(error, method === 'POST' ? 'STOW-RS' : 'request');
    }
  }

  #wrap(error: unknown, what: string): unknown {
    if (error instanceof AppError) return error;
    if (
      error instanceof Error &&
      (error.name === 'AbortError' || (error as { code?: string }).code === 'UND_ERR_ABORTED')
    )
      return new AppError(ErrorCode.Cancelled, 'Sync was stopped.', { cause: error });
    const code = errorCode(error);
    const why =
      code === 'ECONNREFUSED'
        ? 'the connection was refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'its name was not found'
          : code?.includes('TIMEOUT') || code === 'ETIMEDOUT'
            ? 'it did not answer in time'
            : code && (code.startsWith('ERR_TLS') || /CERT|SSL|SIGNATURE|^UNABLE_TO_/.test(code))
              ? 'the secure connection failed (certificate not trusted? a hospital proxy needs its CA file, server.caFile)'
              : 'the connection failed';
    return new DicomWebError(
      ErrorCode.Network,
      `The project server cannot be reached (${what}): ${why}.`,
      undefined,
      {
        cause: error,
      },
    );
  }

  #statusError(status: number, what: string, text = ''): DicomWebError {
    if (status === 401 || status === 403)
      return new DicomWebError(
        ErrorCode.ServerAuth,
        `The project server refused the sign-in (HTTP ${status}). Check the user name and secret.`,
        status,
      );
    if (status === 407)
      return new DicomWebError(
        ErrorCode.Network,
        'The proxy asks for a sign-in (HTTP 407); proxy credentials go in its URL.',
        status,
      );
    return new DicomWebError(
      ErrorCode.ServerError,
      `The project server answered ${what} with HTTP ${status}${this.#snippet(text)}.`,
      status,
    );
  }

  /** A short, single-line excerpt of a server's error text. */
  #snippet(text: string): string {
    const line = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    return line ? `: ${line}` : '';
  }

  /**
   * A response body's text (undici), bounded: a JSON answer beyond `maxJsonBytes` fails; an
   * error's text (`{ error: true }`) keeps its first ERROR_TEXT_BYTES and drains the rest.
   */
  async #readText(
    body: Dispatcher.ResponseData['body'],
    what: string,
    options: { error?: boolean } = {},
  ): Promise<string> {
    const text = this.#textCollector(what, options.error ?? false, false);
    await this.#consume(body, (chunk) => text.add(chunk), what);
    return text.text();
  }

  /** The one bounded collector of answers' texts, for undici's bodies and the reused-buffer GET. */
  #textCollector(what: string, error: boolean, copy: boolean): BoundedText {
    return error
      ? new BoundedText(ERROR_TEXT_BYTES, null, copy)
      : new BoundedText(
          this.#maxJsonBytes,
          () =>
            new DicomWebError(
              ErrorCode.ServerError,
              `The server's answer to ${what} is larger than ${this.#maxJsonBytes} bytes.`,
              undefined,
            ),
          copy,
        );
  }

  /**
   * Reads a response body to its end, handing each chunk to `onChunk` synchronously as it arrives
   * ('data' events, never paused). undici 7 crashes (an AssertionError from the socket's 'end',
   * nodejs/undici#5360) or, where the crash is caught, leaves the request hanging until its body
   * timeout, when a response delimited by the connection's close (Orthanc's WADO-RS of a study)
   * ends while backpressure has paused its parser; a consumer that never pauses the body avoids
   * that, and one that handles each chunk before returning needs no buffer to do so. Call it in
   * the same turn as the response arrived (no await in between), so nothing piles up before.
   * `onChunk` throwing stops the response (the connection is dropped) and rejects.
   */
  #consume(
    body: Dispatcher.ResponseData['body'],
    onChunk: (chunk: Buffer) => void,
    what: string,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        body.off('data', onData);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onData = (chunk: Buffer): void => {
        if (settled) return;
        try {
          onChunk(chunk);
        } catch (error) {
          // Our own failure (a malformed answer, a full disk): as it is, not as a network error.
          settle(error);
          body.destroy();
        }
      };
      body.on('data', onData);
      body.once('end', () => settle());
      body.once('error', (error) => settle(this.#wrap(error, what)));
      body.once('close', () =>
        settle(new DicomWebError(ErrorCode.Network, `The answer to ${what} broke off.`, undefined)),
      );
    });
  }
}

/** What is kept of an error answer's text (only its first line is shown). */
const ERROR_TEXT_BYTES = 64 * 1024;

/**
 * An answer's text collected up to `limit` bytes. Beyond it, `tooLarge` makes the error `add`
 * throws (a JSON answer cut short would be wrong); without it the first `limit` bytes are kept and
 * the rest dropped (an error's text, read for its first line). `copy`: the chunks are views of
 * memory reused after `add` returns (the reused-buffer GET), so what is kept is copied.
 */
export class BoundedText {
  readonly #limit: number;
  readonly #tooLarge: (() => Error) | null;
  readonly #copy: boolean;
  readonly #chunks: Buffer[] = [];
  #size = 0;

  constructor(limit: number, tooLarge: (() => Error) | null, copy: boolean) {
    this.#limit = limit;
    this.#tooLarge = tooLarge;
    this.#copy = copy;
  }

  add(chunk: Buffer): void {
    const room = this.#limit - this.#size;
    if (chunk.length > room && this.#tooLarge) throw this.#tooLarge();
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length === 0) return;
    this.#chunks.push(this.#copy ? Buffer.from(kept) : kept);
    this.#size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

/**
 * The first bytes of a part as they stream past (the chunks themselves, not copies: undici hands
 * out slices of each socket read, never reused) and its size so far.
 */
class PartHead {
  static readonly LIMIT = 256 * 1024;
  /** What is kept when the chunks' memory is reused (copies): enough for a header's UIDs. */
  static readonly COPIED_LIMIT = 16 * 1024;
  readonly #limit: number;
  readonly #copy: boolean;
  #chunks: Buffer[] = [];
  #kept = 0;
  #joined: Buffer | null = null;
  size = 0;

  constructor(copy: boolean) {
    this.#copy = copy;
    this.#limit = copy ? PartHead.COPIED_LIMIT : PartHead.LIMIT;
  }

  add(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.#kept >= this.#limit) return;
    const view = chunk.subarray(0, this.#limit - this.#kept);
    const piece = this.#copy ? Buffer.from(view) : view;
    this.#chunks.push(piece);
    this.#kept += piece.length;
    this.#joined = null;
  }

  /** The first piece that arrived (empty when none). */
  get first(): Buffer {
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  /** Every byte kept, in one buffer (a copy when they came in several pieces). */
  get bytes(): Buffer {
    this.#joined ??= this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    return this.#joined;
  }
}

/** A part's chunks are gathered up to this many bytes and written in one call. */
const GATHER_BYTES = 1024 * 1024;

/**
 * One part being written to its temp file. Its chunks (slices of the network's reads, never
 * copied) are gathered and written together, synchronously, in one `writev` when GATHER_BYTES are
 * held or the part ends: a 512 KB instance is one write instead of eight. Writes issued per
 * network chunk to the thread pool, each with its callback, cost more CPU than the parsing and the
 * network together, measured (session 17). Memory stays bounded (at most GATHER_BYTES held) and
 * the body is never paused: a write happens before the next chunk is taken, so a slow disk holds
 * the socket unread (TCP backpressure to the server). The first bytes are kept for the
 * verification.
 */
class PartFile implements PartSink {
  readonly head: PartHead;
  /** Chunks are views of memory reused after `write` returns: written at once, never held. */
  readonly #volatile: boolean;
  readonly #fd: number;
  #closed = false;
  #position = 0;
  #gathered: Buffer[] = [];
  #gatheredBytes = 0;
  #error: unknown = null;

  /** `file`: a new temp file, open (TempFiles.take, or opened here when only a path is given). */
  constructor(file: string | OpenTemp, options: { volatile?: boolean } = {}) {
    this.#volatile = options.volatile ?? false;
    this.head = new PartHead(this.#volatile);
    const open = typeof file === 'string' ? { path: file, fd: fs.openSync(file, 'wx', 0o600) } : file;
    this.temporary = open.path;
    this.#fd = open.fd;
  }

  readonly temporary: string;

  write(chunk: Buffer): void {
    this.head.add(chunk);
    if (this.#error) return;
    if (this.#volatile) {
      try {
        writeAllAt(this.#fd, chunk, 0, this.#position);
      } catch (error) {
        this.#error = error;
      }
      this.#position += chunk.length;
      return;
    }
    this.#gathered.push(chunk);
    this.#gatheredBytes += chunk.length;
    if (this.#gatheredBytes >= GATHER_BYTES) this.#flush();
  }

  /** Writes what is gathered, at its position. */
  #flush(): void {
    const chunks = this.#gathered;
    const bytes = this.#gatheredBytes;
    this.#gathered = [];
    this.#gatheredBytes = 0;
    if (bytes === 0 || this.#error) return;
    try {
      writevAllAt(this.#fd, chunks, this.#position);
    } catch (error) {
      this.#error = error;
    }
    this.#position += bytes;
  }

  /** Nothing more comes: what is gathered is written; the owner calls finish() or discard(). */
  end(): void {
    this.#flush();
  }

  /** Writes what is gathered and closes the file; throws a write's error. */
  finish(): void {
    this.#flush();
    if (this.#error) throw this.#error;
    this.#close();
  }

  /** finish(), with an fsync before the close. */
  async finishDurably(): Promise<void> {
    this.#flush();
    if (this.#error) throw this.#error;
    await new Promise<void>((resolve, reject) =>
      fs.fsync(this.#fd, (error) => (error ? reject(error) : resolve())),
    );
    this.#close();
  }

  /** Closes and removes the file. */
  discard(): void {
    this.#gathered = [];
    this.#gatheredBytes = 0;
    this.#close();
    fs.rmSync(this.temporary, { force: true });
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.#fd);
  }
}

/** A temp file just created (exclusively, mode 0600) and open for writing. */
interface OpenTemp {
  path: string;
  fd: number;
}

/**
 * Temp files for the parts of one retrieval, created ahead of need in the thread pool: `take`
 * hands out one already open, or creates one itself when none is ready yet.
 *
 * At most `ahead` files are ready or being created at any time, whatever `take` had to create
 * itself. The earlier version started one more create at every `take`, also when it had just
 * created the file itself because none was ready; under load (a socket read of up to 1 MiB holds
 * two parts, and one turn of the event loop may read many before the pool's completions are seen)
 * that was 60-190 of 200 parts per study, so a retrieval created, and then removed, up to 190
 * spare files. On ext4
 * without a journal (this machine's) a create scans past every inode deleted in the last ~30 s,
 * so each spare also made every later create dearer: 0.2-2 ms of CPU per create under churn
 * (session 20, `perf`: the inode allocator was half of the client's CPU).
 *
 * Why the pool's files were not ready: their completions are seen only when the event loop turns.
 * `behind` tells when `take` found none ready while creates were under way; the reused-buffer GET
 * then lets the loop turn before its next read (`yieldNow`), so the next parts get the pool's
 * files and the main thread, which reads and writes every byte, does fewer creates itself.
 */
class TempFiles {
  readonly #dir: string;
  readonly #prefix: string;
  readonly #ahead: number;
  readonly #ready: OpenTemp[] = [];
  readonly #settled: Array<() => void> = [];
  #next = 0;
  #pending = 0;
  #closed = false;
  /** The last create failed: none is tried again until a file is taken. */
  #failed = false;
  /** `take` created a file itself while creates were under way (their completions unseen). */
  #behind = false;

  constructor(dir: string, ahead: number) {
    this.#dir = dir;
    this.#prefix = crypto.randomBytes(6).toString('hex');
    this.#ahead = ahead;
    this.#fill();
  }

  take(): OpenTemp {
    const ready = this.#ready.shift();
    this.#failed = false;
    this.#fill();
    if (ready) return ready;
    if (this.#pending > 0) this.#behind = true;
    const file = this.#path();
    return { path: file, fd: fs.openSync(file, 'wx', 0o600) };
  }

  /** Whether `take` found none ready while creates were under way since last asked. */
  behind(): boolean {
    const behind = this.#behind;
    this.#behind = false;
    return behind;
  }

  /** Closes and removes every file not taken (once those still being created exist). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pending > 0) await new Promise<void>((resolve) => this.#settled.push(resolve));
    for (const spare of this.#ready.splice(0)) TempFiles.#remove(spare);
  }

  #path(): string {
    return path.join(this.#dir, `.wado-${this.#prefix}-${this.#next++}.partial`);
  }

  /** Starts creates until `ahead` files are ready or being created. */
  #fill(): void {
    while (!this.#closed && !this.#failed && this.#ready.length + this.#pending < this.#ahead) {
      const file = this.#path();
      this.#pending += 1;
      fs.open(file, 'wx', 0o600, (error, fd) => {
        this.#pending -= 1;
        // A failure here is met again, and reported, by the synchronous create in take().
        if (error) this.#failed = true;
        else if (this.#closed) TempFiles.#remove({ path: file, fd });
        else this.#ready.push({ path: file, fd });
        if (this.#pending === 0) for (const resolve of this.#settled.splice(0)) resolve();
      });
    }
  }

  static #remove(spare: OpenTemp): void {
    fs.closeSync(spare.fd);
    fs.rmSync(spare.path, { force: true });
  }
}

/**
 * The SOP Instance UID of a Part 10 file from its first bytes, when the file meta information's
 * Media Storage SOP Instance UID (0002,0003) and the data set's SOP Instance UID (0008,0018) are
 * both there and agree; null otherwise (another transfer syntax than little endian, a sequence
 * before it, fewer bytes): then the caller parses the header. Walking a few dozen elements costs
 * microseconds; a whole header parse per instance was a fifth of a retrieval's CPU, measured.
 * What else the file holds is checked when it is imported. Element headers are read by the shared
 * reader (main/dicom/element-header.ts).
 */
export function part10InstanceUID(bytes: Buffer): string | null {
  if (bytes.length < 144 || bytes.toString('latin1', 128, 132) !== 'DICM') return null;
  const text = (at: number, length: number): string =>
    bytes.toString('latin1', at, at + length).replace(/[\0 ]+$/, '');
  const view = viewOf(bytes);
  const header = elementHeader();
  let at = 132;
  let metaUID: string | null = null;
  let syntax: string | null = null;
  // The meta information: explicit VR little endian, group 0002.
  while (at + 8 <= bytes.length && bytes.readUInt16LE(at) === 0x0002) {
    if (!readElementHeader(view, at, true, header)) return null;
    const { length, valueOffset } = header;
    if (length === UNDEFINED_LENGTH || valueOffset + length > bytes.length) return null;
    if (header.tag === 0x00020003) metaUID = text(valueOffset, length);
    else if (header.tag === 0x00020010) syntax = text(valueOffset, length);
    at = valueOffset + length;
  }
  if (!metaUID || !syntax) return null;
  // The data set, little endian only (deflated and big endian ones are parsed by the caller).
  const implicit = syntax === '1.2.840.10008.1.2';
  if (!implicit && (syntax === '1.2.840.10008.1.2.1.99' || syntax === '1.2.840.10008.1.2.2')) return null;
  while (readElementHeader(view, at, !implicit, header)) {
    if (header.tag > 0x00080018) return null;
    if (!implicit && !isVrCode(header.vr)) return null;
    const { length, valueOffset } = header;
    if (length === UNDEFINED_LENGTH || valueOffset + length > bytes.length) return null;
    if (header.tag === 0x00080018) return text(valueOffset, length) === metaUID ? metaUID : null;
    at = valueOffset + length;
  }
  return null;
}

/** Writes `chunks` one after the other at `position` in the file, all of them. */
function writevAllAt(fd: number, chunks: Buffer[], position: number): void {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const written = fs.writevSync(fd, chunks, position);
  if (written < total) writeAllAt(fd, Buffer.concat(chunks).subarray(written), 0, position + written);
}

/** Writes `chunk` from `offset` on at `position` in the file, all of it. */
function writeAllAt(fd: number, chunk: Buffer, offset: number, position: number): void {
  for (let done = offset; done < chunk.length;)
    done += fs.writeSync(fd, chunk, done, chunk.length - done, position + done - offset);
}
