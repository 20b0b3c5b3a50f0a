/**
 * Reads the answer of `/instance-batch/…` (shared/instance-batch.ts) as its bytes arrive: each
 * file is handed on as soon as its last byte is in, in its own buffer (transferable), while the
 * next file's bytes are still on their way. The answer comes from our own host, but it is read as
 * hostile input: a wrong start, an unknown record, a length beyond the bounds, more records than
 * asked for or bytes after the last one stop the reading (an error thrown); so does an answer that
 * ends before every record is complete (`end`). The records read until then stand.
 */
import {
  INSTANCE_BATCH_MAGIC,
  MAX_BATCH_BYTES,
  MAX_REFUSAL_BYTES,
  RECORD_FILE,
  RECORD_HEADER_BYTES,
  RECORD_REFUSED,
} from '../../../shared/instance-batch.js';

export type BatchRecord =
  { index: number; ok: true; bytes: ArrayBuffer } | { index: number; ok: false; message: string };

export class InstanceBatchReader {
  private magicRead = 0;
  private readonly header = new Uint8Array(RECORD_HEADER_BYTES);
  private headerRead = 0;
  private status = 0;
  private payload: Uint8Array | null = null;
  private payloadRead = 0;
  private index = 0;
  private fileBytes = 0;
  private broken: string | null = null;

  /** `expected`: how many records the answer must hold (the UIDs asked for). */
  constructor(private readonly expected: number) {}

  /** How many records are complete. */
  get done(): number {
    return this.index;
  }

  /** Takes the next bytes of the answer; returns the records they complete, in order. */
  push(chunk: Uint8Array): BatchRecord[] {
    if (this.broken) throw new Error(this.broken);
    const records: BatchRecord[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.magicRead < INSTANCE_BATCH_MAGIC.length) {
        if (chunk[at] !== INSTANCE_BATCH_MAGIC[this.magicRead])
          this.fail('the answer is not an instance batch');
        this.magicRead += 1;
        at += 1;
        continue;
      }
      if (this.index >= this.expected) this.fail('the answer goes on after its last record');
      if (!this.payload) {
        const take = Math.min(RECORD_HEADER_BYTES - this.headerRead, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerRead);
        this.headerRead += take;
        at += take;
        if (this.headerRead < RECORD_HEADER_BYTES) break;
        this.startPayload();
      } else {
        const take = Math.min(this.payload.length - this.payloadRead, chunk.length - at);
        this.payload.set(chunk.subarray(at, at + take), this.payloadRead);
        this.payloadRead += take;
        at += take;
      }
      if (this.payload && this.payloadRead === this.payload.length) records.push(this.finishRecord());
    }
    return records;
  }

  /** The answer ended: throws unless every record asked for is complete. */
  end(): void {
    if (this.broken) throw new Error(this.broken);
    if (this.index < this.expected)
      this.fail(`the answer ended after ${this.index} of ${this.expected} records`);
  }

  private startPayload(): void {
    this.status = this.header[0]!;
    const length = new DataView(this.header.buffer).getUint32(1, true);
    if (this.status === RECORD_FILE) {
      this.fileBytes += length;
      if (this.fileBytes > MAX_BATCH_BYTES) this.fail('the answer holds more bytes than one answer may');
    } else if (this.status === RECORD_REFUSED) {
      if (length > MAX_REFUSAL_BYTES) this.fail('a refusal in the answer is too long');
    } else this.fail(`unknown record type ${this.status} in the answer`);
    this.payload = new Uint8Array(length);
    this.payloadRead = 0;
  }

  private finishRecord(): BatchRecord {
    const payload = this.payload!;
    const index = this.index;
    this.payload = null;
    this.headerRead = 0;
    this.index += 1;
    if (this.status === RECORD_FILE) return { index, ok: true, bytes: payload.buffer as ArrayBuffer };
    return { index, ok: false, message: refusalMessage(payload) };
  }

  private fail(message: string): never {
    this.broken = message;
    throw new Error(message);
  }
}

function refusalMessage(payload: Uint8Array): string {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(payload));
    if (parsed && typeof parsed === 'object') {
      const { code, message } = parsed as { code?: unknown; message?: unknown };
      if (typeof code === 'string' && typeof message === 'string') return `${code}: ${message}`;
    }
  } catch {
    // Not JSON: said as such below.
  }
  return 'refused (no reason given)';
}
