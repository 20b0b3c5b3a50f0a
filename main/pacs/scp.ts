/**
 * The C-STORE SCP: receives objects from a PACS or a modality and hands each, as a Part 10 file
 * holding the received bytes, to the normal import; answers C-ECHO.
 *
 * dcmjs-dimse does the DIMSE protocol. Around it, this file:
 * - binds to the configured interface (its `Server.listen` takes no host, so we run our own
 *   `net.Server` and give each socket to an `Scp` subclass, which is all `Server` does);
 * - refuses callers that are not allowed (A-ASSOCIATE-RJ, calling or called AE not recognised);
 * - streams each dataset straight to a spool file after a file meta group it writes first
 *   (part10.ts), never through dcmjs's re-encoding, so private tags and text stay byte-exact;
 * - bounds every association: PDU length, object size (a larger object is drained, not stored,
 *   and refused with status A700 "out of resources"), idle and total time, associations at once,
 *   and bytes buffered before the socket is paused;
 * - removes the spool file of an object whose association dies before it was complete, so a
 *   killed sender leaves nothing half-stored.
 */
import crypto from 'node:crypto';
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import type { association as Assoc, requests as Requests } from 'dcmjs-dimse';
import { ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import { isValidUid, part10Header } from './part10.js';

const { Scp, constants, responses } = dimse;
const { CEchoResponse, CStoreResponse } = responses;
const { PresentationContextResult, RejectResult, RejectSource, RejectReason, SopClass, TransferSyntax } =
  constants;

dimse.log.setLevel(process.env.RADLABEL_DIMSE_LOG ? 'info' : 'silent');

export interface AllowedCaller {
  aeTitle: string;
  /** An IP address or host name; null accepts the AE title from any host. */
  host: string | null;
}

export interface ScpConfig {
  aeTitle: string;
  port: number;
  /** The interface to listen on: '0.0.0.0' (all), '127.0.0.1', or one address of this machine. */
  bindAddress: string;
  /** Who may send; ignored when `acceptAnyCaller`. */
  allowedCallers: readonly AllowedCaller[];
  acceptAnyCaller: boolean;
}

export interface ScpLimits {
  /** Largest PDU we accept, in bytes (announced to the sender; a larger one aborts). */
  maxPduBytes: number;
  /** Largest single object; a larger one is refused with status A700. */
  maxObjectBytes: number;
  /** An association silent this long is aborted. */
  idleTimeoutMs: number;
  /** No association lasts longer. */
  associationTimeoutMs: number;
  maxAssociations: number;
}

export const DEFAULT_SCP_LIMITS: ScpLimits = {
  maxPduBytes: 65_536,
  maxObjectBytes: 4 * 2 ** 30,
  idleTimeoutMs: 60_000,
  associationTimeoutMs: 6 * 60 * 60_000,
  maxAssociations: 16,
};

/** What became of one received object. */
export type StoreOutcome =
  | { status: 'stored' | 'duplicate'; studyInstanceUID: string | null }
  | { status: 'failed'; code: ErrorCode; message: string };

export interface ReceivedObject {
  /** The Part 10 file in the spool folder; the callee may read it until its promise settles. */
  file: string;
  /**
   * The request's Affected SOP Instance UID: the store must refuse (code `malformed`, answered C000)
   * an object whose data set carries another (PS3.7 9.3.1 / PS3.4 B.2).
   */
  sopInstanceUID: string;
  /** The request's Affected SOP Class UID. */
  sopClassUID: string;
  callingAeTitle: string;
  size: number;
}

/** The import as the SCP needs it (main/import/importer.ts). */
export interface ReceiveImporter {
  start(
    paths: readonly string[],
    expect: { expectedSopInstanceUID?: string },
  ): {
    done: Promise<{ added: number; duplicates: number }>;
    readonly errors: ReadonlyArray<{ code: ErrorCode; message: string }>;
  };
}

/**
 * One received object through the normal import, as one job of its own; its outcome is the sender's
 * C-STORE status. The import refuses a data set that names another SOP Instance UID than the request.
 */
export async function importReceivedObject(
  importer: ReceiveImporter,
  object: ReceivedObject,
): Promise<StoreOutcome> {
  const job = importer.start([object.file], { expectedSopInstanceUID: object.sopInstanceUID });
  const progress = await job.done;
  if (progress.added > 0) return { status: 'stored', studyInstanceUID: null };
  const error = job.errors[0];
  if (progress.duplicates > 0 && !error) return { status: 'duplicate', studyInstanceUID: null };
  return {
    status: 'failed',
    code: error?.code ?? ErrorCode.Internal,
    message: error?.message ?? 'The received object was not stored.',
  };
}

export interface ScpDeps {
  /** The folder for files being received (removed objects never leave it). */
  spoolDir: string;
  logger: Logger;
  /** Imports one received object; the SCP answers the sender with its outcome. */
  store(object: ReceivedObject): Promise<StoreOutcome>;
  /** Resolves a host name to its addresses (tests may pin it). */
  lookup?: (host: string) => Promise<string[]>;
  /** Told of every finished association (counts only: no PHI). */
  onAssociationEnd?(summary: AssociationSummary): void;
}

export interface AssociationSummary {
  callingAeTitle: string;
  remoteAddress: string;
  received: number;
  stored: number;
  failed: number;
  aborted: boolean;
}

/** DIMSE status codes we answer with (PS3.4 Annex B, PS3.7 Annex C). */
export const StoreStatus = {
  Success: 0x0000,
  OutOfResources: 0xa700,
  DataSetDoesNotMatchSopClass: 0xa900,
  CannotUnderstand: 0xc000,
  ProcessingFailure: 0x0110,
} as const;

/** PDU types (PS3.8 9.3). */
const PDU_TYPES = new Set([1, 2, 3, 4, 5, 6, 7]);
/** An association request or its answer is small; anything larger is hostile. */
const MAX_CONTROL_PDU_BYTES = 64 * 1024;
/** Bytes waiting to be written to the spool file before the socket is paused. */
const SPOOL_HIGH_WATER = 4 * 2 ** 20;

const UNCOMPRESSED_PREFERENCE: readonly string[] = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
];

export class StoreScp {
  readonly #deps: ScpDeps;
  readonly #config: ScpConfig;
  readonly #limits: ScpLimits;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #spoolDir: string;
  #address: net.AddressInfo | null = null;

  private constructor(config: ScpConfig, limits: ScpLimits, deps: ScpDeps) {
    this.#config = config;
    this.#limits = limits;
    this.#deps = deps;
    this.#spoolDir = deps.spoolDir;
    this.#server = net.createServer((socket) => this.#accept(socket));
    this.#server.maxConnections = limits.maxAssociations * 2;
  }

  /** Starts listening; rejects with the system's error (EADDRINUSE, EACCES, EADDRNOTAVAIL). */
  static async start(config: ScpConfig, deps: ScpDeps, limits: Partial<ScpLimits> = {}): Promise<StoreScp> {
    const scp = new StoreScp(config, { ...DEFAULT_SCP_LIMITS, ...limits }, deps);
    fs.mkdirSync(scp.#spoolDir, { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      scp.#server.once('error', onError);
      scp.#server.listen(config.port, config.bindAddress, () => {
        scp.#server.off('error', onError);
        resolve();
      });
    });
    scp.#server.on('error', (error) => deps.logger.error({ err: error.message }, 'pacs scp server error'));
    scp.#address = scp.#server.address() as net.AddressInfo;
    deps.logger.info(
      { aeTitle: config.aeTitle, port: scp.#address.port, bindAddress: config.bindAddress },
      'pacs scp listening',
    );
    return scp;
  }

  get port(): number {
    return this.#address?.port ?? this.#config.port;
  }

  get config(): ScpConfig {
    return this.#config;
  }

  /** Stops listening and ends every association (objects not complete are removed). */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #accept(socket: net.Socket): void {
    if (this.#sockets.size >= this.#limits.maxAssociations) {
      // Refused before a PDU is read: an A-ASSOCIATE-RJ needs the request, so we send it on the first bytes.
      socket.once('data', () => {
        socket.end(associateReject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 2));
      });
      socket.on('error', () => undefined);
      socket.setTimeout(5000, () => socket.destroy());
      return;
    }
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    guardPdus(socket, this.#limits.maxPduBytes, this.#deps.logger);
    const association = new ReceivingAssociation(socket, {
      config: this.#config,
      limits: this.#limits,
      deps: this.#deps,
    });
    const started = Date.now();
    const deadline = setTimeout(() => {
      this.#deps.logger.warn(
        { limitMs: this.#limits.associationTimeoutMs },
        'pacs association over its time limit: aborted',
      );
      association.abortNow();
    }, this.#limits.associationTimeoutMs);
    deadline.unref();
    socket.once('close', () => {
      clearTimeout(deadline);
      association.finish(Date.now() - started);
    });
  }
}

interface AssociationContext {
  config: ScpConfig;
  limits: ScpLimits;
  deps: ScpDeps;
}

/** Dataset bytes of one C-STORE on their way to a spool file. */
class SpoolWriter extends Writable {
  readonly file: string;
  readonly #fd: number;
  readonly #maxBytes: number;
  /** Dataset bytes received (including those drained past the limit). */
  received = 0;
  tooLarge = false;
  complete = false;
  #position: number;

  constructor(file: string, header: Buffer, maxBytes: number) {
    super({ highWaterMark: SPOOL_HIGH_WATER });
    this.file = file;
    this.#maxBytes = maxBytes;
    this.#fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(this.#fd, header);
    } catch (error) {
      fs.closeSync(this.#fd);
      throw error;
    }
    this.#position = header.length;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.received += chunk.length;
    if (this.tooLarge || this.received > this.#maxBytes) {
      // Drained, not kept: the object is refused once its last fragment has arrived.
      this.tooLarge = true;
      callback();
      return;
    }
    const position = this.#position;
    this.#position += chunk.length;
    fs.write(this.#fd, chunk, 0, chunk.length, position, (error) => callback(error));
  }

  override _final(callback: (error?: Error | null) => void): void {
    fs.close(this.#fd, (error) => {
      this.complete = !error;
      callback(error);
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.complete) {
      fs.close(this.#fd, () => fs.rm(this.file, { force: true }, () => callback(error)));
      return;
    }
    callback(error);
  }

  get size(): number {
    return this.#position;
  }
}

class ReceivingAssociation extends Scp {
  readonly #ctx: AssociationContext;
  readonly #socket: net.Socket;
  readonly #writers = new WeakMap<object, SpoolWriter>();
  #current: SpoolWriter | null = null;
  /** Objects handed to the import whose outcome is not known yet. */
  readonly #inFlight = new Set<Promise<unknown>>();
  #callingAeTitle = '';
  #received = 0;
  #stored = 0;
  #failed = 0;
  #released = false;
  #aborted = false;
  #finished = false;

  constructor(socket: net.Socket, ctx: AssociationContext) {
    super(socket, {
      // The library's own timers: idle time before the association request and between PDUs.
      associationTimeout: ctx.limits.idleTimeoutMs,
      pduTimeout: ctx.limits.idleTimeoutMs,
      connectTimeout: ctx.limits.idleTimeoutMs,
    });
    this.#ctx = ctx;
    this.#socket = socket;
    // A Server sets this for the sockets it accepts; the library's idle timer only runs when it is set.
    (this as unknown as { connected: boolean; connectedTime: number }).connected = true;
    (this as unknown as { connectedTime: number }).connectedTime = Date.now();
    this.on('networkError', () => {
      this.#aborted = true;
      this.#discardCurrent();
      socket.destroy();
    });
  }

  abortNow(): void {
    this.#aborted = true;
    try {
      this.sendAbort();
    } catch {
      // The socket may be gone already.
    }
    this.#discardCurrent();
    this.#socket.destroy();
  }

  /** Called once the socket has closed. */
  finish(durationMs: number): void {
    if (this.#finished) return;
    this.#finished = true;
    if (!this.#released) this.#aborted = true;
    this.#discardCurrent();
    const summary: AssociationSummary = {
      callingAeTitle: this.#callingAeTitle,
      remoteAddress: normaliseAddress(this.#socket.remoteAddress ?? ''),
      received: this.#received,
      stored: this.#stored,
      failed: this.#failed,
      aborted: this.#aborted,
    };
    void Promise.allSettled([...this.#inFlight]).then(() => {
      this.#ctx.deps.logger.info({ ...summary, ms: durationMs }, 'pacs association ended');
      this.#ctx.deps.onAssociationEnd?.(summary);
    });
  }

  #discardCurrent(): void {
    const writer = this.#current;
    this.#current = null;
    if (writer && !writer.complete) writer.destroy();
  }

  override associationRequested(association: Assoc.Association): void {
    (this as unknown as { association: Assoc.Association }).association = association;
    this.#callingAeTitle = association.getCallingAeTitle().trim();
    void this.#decide(association).then(
      (refusal) => {
        if (refusal) {
          this.#ctx.deps.logger.warn(
            {
              callingAeTitle: this.#callingAeTitle,
              remoteAddress: normaliseAddress(this.#socket.remoteAddress ?? ''),
              reason: refusal.why,
            },
            'pacs association refused',
          );
          this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, refusal.reason);
          this.#socket.end();
          return;
        }
        association.setMaxPduLength(this.#ctx.limits.maxPduBytes);
        for (const proposed of association.getPresentationContexts()) {
          const context = association.getPresentationContext(proposed.id);
          const abstractSyntax = context.getAbstractSyntaxUid();
          if (abstractSyntax !== SopClass.Verification && !isStorageSopClass(abstractSyntax)) {
            context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
            continue;
          }
          const chosen = chooseTransferSyntax(context.getTransferSyntaxUids());
          if (chosen) context.setResult(PresentationContextResult.Accept, chosen);
          else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
        }
        this.sendAssociationAccept();
      },
      () => {
        this.sendAssociationReject(
          RejectResult.Transient,
          RejectSource.ServiceUser,
          RejectReason.NoReasonGiven,
        );
        this.#socket.end();
      },
    );
  }

  async #decide(association: Assoc.Association): Promise<{ reason: number; why: string } | null> {
    const { config, deps } = this.#ctx;
    if (association.getCalledAeTitle().trim() !== config.aeTitle)
      return { reason: RejectReason.CalledAeNotRecognized, why: 'called AE title is not ours' };
    if (config.acceptAnyCaller) return null;
    const remote = normaliseAddress(this.#socket.remoteAddress ?? '');
    for (const caller of config.allowedCallers) {
      if (caller.aeTitle !== this.#callingAeTitle) continue;
      if (caller.host === null || caller.host === '') return null;
      if (normaliseAddress(caller.host) === remote) return null;
      if (net.isIP(caller.host) === 0) {
        const addresses = await (deps.lookup ?? lookupAll)(caller.host).catch(() => []);
        if (addresses.map(normaliseAddress).includes(remote)) return null;
      }
    }
    return { reason: RejectReason.CallingAeNotRecognized, why: 'calling AE title and host are not allowed' };
  }

  override associationReleaseRequested(): void {
    this.#released = true;
    // Answered once every object received has its outcome, so a sender that releases at once
    // still gets every status before the release response.
    void Promise.allSettled([...this.#inFlight]).then(() => this.sendAssociationReleaseResponse());
  }

  override cEchoRequest(
    request: Requests.CEchoRequest,
    callback: (response: InstanceType<typeof CEchoResponse>) => void,
  ): void {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(StoreStatus.Success);
    callback(response);
  }

  override createStoreWritableStream(
    context: Assoc.PresentationContext,
    request: Requests.CStoreRequest,
  ): Writable {
    const sopClassUID = request.getAffectedSopClassUid();
    const sopInstanceUID = request.getAffectedSopInstanceUid();
    const transferSyntaxUID = context.getAcceptedTransferSyntaxUid();
    // A command with unusable UIDs: its dataset is drained and the object refused (status C000).
    const usable = isValidUid(sopClassUID) && isValidUid(sopInstanceUID) && isValidUid(transferSyntaxUID);
    const file = path.join(this.#ctx.deps.spoolDir, `${crypto.randomUUID()}.dcm`);
    const writer = new SpoolWriter(
      file,
      part10Header({
        sopClassUID: usable ? sopClassUID : '1.2',
        sopInstanceUID: usable ? sopInstanceUID : '1.2',
        transferSyntaxUID: usable ? transferSyntaxUID : '1.2',
        sourceAeTitle: this.#callingAeTitle,
      }),
      usable ? this.#ctx.limits.maxObjectBytes : 0,
    );
    if (!usable) writer.tooLarge = true;
    this.#writers.set(request, writer);
    this.#current = writer;
    // The library does not wait for a slow disk: pause the socket while the spool file catches up.
    const write = writer.write.bind(writer);
    writer.write = ((chunk: Buffer) => {
      const more = write(chunk);
      if (!more && !this.#socket.isPaused()) {
        this.#socket.pause();
        writer.once('drain', () => this.#socket.resume());
      }
      return more;
    }) as typeof writer.write;
    return writer;
  }

  override createDatasetFromStoreWritableStream(
    writable: Writable,
    _context: Assoc.PresentationContext,
    callback: (dataset: never) => void,
  ): void {
    // The library has ended the stream; the dataset is the file, not a parsed object.
    const finished = (): void => callback(undefined as never);
    if (writable.writableFinished) finished();
    else {
      writable.once('finish', finished);
      writable.once('error', () => {
        this.#aborted = true;
        this.#socket.destroy();
      });
    }
  }

  override cStoreRequest(
    request: Requests.CStoreRequest,
    callback: (response: InstanceType<typeof CStoreResponse>) => void,
  ): void {
    const writer = this.#writers.get(request);
    if (this.#current === writer) this.#current = null;
    this.#received += 1;
    const respond = (status: number, comment?: string) => {
      const response = CStoreResponse.fromRequest(request);
      response.setStatus(status);
      if (comment) response.setErrorComment(comment.slice(0, 64));
      if (status === StoreStatus.Success) this.#stored += 1;
      else this.#failed += 1;
      if (!this.#socket.destroyed) callback(response);
    };
    if (!writer) {
      respond(StoreStatus.ProcessingFailure, 'No data received');
      return;
    }
    if (writer.tooLarge) {
      const usable = isValidUid(request.getAffectedSopInstanceUid());
      const refusal = fs.promises
        .rm(writer.file, { force: true })
        .catch(() => undefined)
        .then(() =>
          respond(
            usable ? StoreStatus.OutOfResources : StoreStatus.CannotUnderstand,
            usable
              ? `Object larger than ${this.#ctx.limits.maxObjectBytes} bytes`
              : 'Invalid SOP UID in command',
          ),
        );
      this.#inFlight.add(refusal);
      void refusal.finally(() => this.#inFlight.delete(refusal));
      return;
    }
    const affected = request.getAffectedSopInstanceUid();
    const work = Promise.resolve()
      .then(() =>
        // The store refuses an object whose data set names another SOP Instance UID than `affected`
        // (PS3.7 9.3.1): a damaged or hostile copy never takes an original's place.
        this.#ctx.deps.store({
          file: writer.file,
          sopInstanceUID: affected,
          sopClassUID: request.getAffectedSopClassUid(),
          callingAeTitle: this.#callingAeTitle,
          size: writer.size,
        }),
      )
      .catch((error: unknown): StoreOutcome => ({
        status: 'failed',
        code: 'internal',
        message: error instanceof Error ? error.message : 'import failed',
      }))
      .then(async (outcome) => {
        // The spool file goes before the answer: once the sender has its status, nothing of it is left here.
        await fs.promises.rm(writer.file, { force: true }).catch(() => undefined);
        if (outcome.status !== 'failed') respond(StoreStatus.Success);
        else if (outcome.code === 'malformed' || outcome.code === 'truncated' || outcome.code === 'not-dicom')
          respond(StoreStatus.CannotUnderstand, outcome.message);
        else if (outcome.code === 'too-large') respond(StoreStatus.OutOfResources, outcome.message);
        else respond(StoreStatus.ProcessingFailure, outcome.message);
      });
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  override abort(): void {
    this.#aborted = true;
    this.#discardCurrent();
    this.#socket.destroy();
  }
}

/**
 * Watches PDU headers before the library reads them: a PDU of an unknown type or longer than
 * allowed closes the connection at once, so a declared length of 4 GB costs nothing.
 */
function guardPdus(socket: net.Socket, maxPduBytes: number, logger: Logger): void {
  let header = Buffer.alloc(0);
  let remaining = 0;
  socket.prependListener('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - offset);
        remaining -= take;
        offset += take;
        continue;
      }
      const need = 6 - header.length;
      header = Buffer.concat([header, chunk.subarray(offset, offset + need)]);
      offset += Math.min(need, chunk.length - offset);
      if (header.length < 6) return;
      const type = header[0]!;
      const length = header.readUInt32BE(2);
      header = Buffer.alloc(0);
      const limit = type === 4 ? maxPduBytes + 6 : MAX_CONTROL_PDU_BYTES;
      if (!PDU_TYPES.has(type) || length > limit) {
        logger.warn({ pduType: type, length }, 'pacs connection closed: PDU too long or of an unknown type');
        // Stop the library reading further; what it buffered is dropped with the socket.
        socket.removeAllListeners('data');
        socket.destroy();
        return;
      }
      remaining = length;
    }
  });
}

function associateReject(result: number, source: number, reason: number): Buffer {
  // A-ASSOCIATE-RJ: type 3, reserved, length 4, reserved, result, source, reason.
  return Buffer.from([3, 0, 0, 0, 0, 4, 0, result, source, reason]);
}

async function lookupAll(host: string): Promise<string[]> {
  const found = await dns.promises.lookup(host, { all: true });
  return found.map((entry) => entry.address);
}

function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && net.isIPv4(lower.slice(7))) return lower.slice(7);
  if (lower === '::1') return '127.0.0.1';
  return lower;
}

/** Storage SOP classes live under 1.2.840.10008.5.1.4.1.1 (PS3.4 Annex B); private ones are refused. */
function isStorageSopClass(uid: string): boolean {
  return uid.startsWith('1.2.840.10008.5.1.4.1.1.') || uid === '1.2.840.10008.5.1.4.1.1';
}

/**
 * The transfer syntax to accept: the sender's first proposal when it is a standard one, so the
 * object is stored as the sender holds it (no transcoding on its side); else none.
 */
function chooseTransferSyntax(proposed: readonly string[]): string | null {
  for (const uid of proposed) {
    if (uid === TransferSyntax.ExplicitVRBigEndian) continue;
    if (UNCOMPRESSED_PREFERENCE.includes(uid) || uid.startsWith('1.2.840.10008.1.2.')) return uid;
  }
  return null;
}
