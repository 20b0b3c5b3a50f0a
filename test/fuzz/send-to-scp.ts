/**
 * Sends arbitrary dataset bytes to a C-STORE SCP over a real association, without any DICOM
 * library re-encoding them: a minimal upper-layer client (PS3.8) of our own, so mutated objects
 * (bit flips, truncations, wrong or huge declared lengths, deep sequences) reach the SCP as they
 * are. One association per object; each object gets the SCP's status or the way the association
 * ended. Used by the PACS fuzz tests (and the hostile-input fuzzing of #12 item 6).
 */
import net from 'node:net';
import { seededRandom } from '../support/random.js';

export interface ScpTarget {
  host: string;
  port: number;
  calledAeTitle: string;
  callingAeTitle: string;
}

export interface StoreObject {
  sopClassUID: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
  /** The dataset bytes as sent in the P-DATA (no preamble, no file meta group). */
  dataset: Buffer;
}

export type SendOutcome =
  /** The SCP answered the C-STORE with `status`. */
  | 'status'
  /** The SCP refused the association (A-ASSOCIATE-RJ). */
  | 'rejected'
  /** The SCP aborted the association (A-ABORT) or closed the connection before answering. */
  | 'aborted'
  /** Nothing within the time limit: a hang. */
  | 'timeout';

export interface SendResult {
  outcome: SendOutcome;
  /** The C-STORE status when `outcome` is 'status'. */
  status: number | null;
  ms: number;
}

const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const PDV_BYTES = 16_000;

/** Splits a Part 10 file into what a C-STORE sends; tolerant of broken files (fallback UIDs). */
export function storeObjectOf(file: Buffer, fallbackIndex = 0): StoreObject {
  const fallback: StoreObject = {
    sopClassUID: '1.2.840.10008.5.1.4.1.1.7',
    sopInstanceUID: `1.2.826.0.1.3680043.8.498.5150.${fallbackIndex + 1}`,
    transferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    dataset: file.length > 132 && file.toString('latin1', 128, 132) === 'DICM' ? file.subarray(132) : file,
  };
  if (file.length < 144 || file.toString('latin1', 128, 132) !== 'DICM') return fallback;
  const values = new Map<number, string>();
  let offset = 132;
  while (offset + 8 <= file.length && file.readUInt16LE(offset) === 0x0002) {
    const element = file.readUInt16LE(offset + 2);
    const vr = file.toString('latin1', offset + 4, offset + 6);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
    const length = long ? file.readUInt32LE(offset + 8) : file.readUInt16LE(offset + 6);
    const start = offset + (long ? 12 : 8);
    if (start + length > file.length) break;
    values.set(element, file.toString('latin1', start, start + length).replace(/[\0 ]+$/, ''));
    offset = start + length;
  }
  const uid = (value: string | undefined, otherwise: string) =>
    value && /^[0-9.]{1,64}$/.test(value) ? value : otherwise;
  return {
    sopClassUID: uid(values.get(0x0002), fallback.sopClassUID),
    sopInstanceUID: uid(values.get(0x0003), fallback.sopInstanceUID),
    transferSyntaxUID: uid(values.get(0x0010), EXPLICIT_VR_LITTLE_ENDIAN),
    dataset: file.subarray(offset),
  };
}

/** Sends each object on its own association, one after another. */
export async function sendToScp(
  target: ScpTarget,
  objects: readonly StoreObject[],
  options: { timeoutMs?: number } = {},
): Promise<SendResult[]> {
  const results: SendResult[] = [];
  for (const object of objects) results.push(await sendOne(target, object, options.timeoutMs ?? 30_000));
  return results;
}

function sendOne(target: ScpTarget, object: StoreObject, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    let buffer = Buffer.alloc(0);
    let command = Buffer.alloc(0);
    let settled = false;
    const finish = (outcome: SendOutcome, status: number | null = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, status, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('error', () => finish('aborted'));
    socket.on('close', () => finish('aborted'));
    socket.on('connect', () => socket.write(associateRequest(target, object)));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 6) {
        const type = buffer[0]!;
        const length = buffer.readUInt32BE(2);
        if (buffer.length < 6 + length) return;
        const body = buffer.subarray(6, 6 + length);
        buffer = buffer.subarray(6 + length);
        if (type === 0x02) sendStore(socket, object, acceptedContext(body));
        else if (type === 0x03) return finish('rejected');
        else if (type === 0x07) return finish('aborted');
        else if (type === 0x06)
          return; // release response: the status came first
        else if (type === 0x04) {
          let offset = 0;
          while (offset + 6 <= body.length) {
            const pdvLength = body.readUInt32BE(offset);
            const header = body[offset + 5]!;
            command = Buffer.concat([command, body.subarray(offset + 6, offset + 4 + pdvLength)]);
            offset += 4 + pdvLength;
            if ((header & 0x03) === 0x03) {
              const status = commandStatus(command);
              // Release, then report: the SCP may take a moment to answer the release.
              socket.write(Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
              setTimeout(() => finish('status', status), 0);
              return;
            }
          }
        }
      }
    });
  });
}

function acceptedContext(body: Buffer): boolean {
  // Items after the 68-byte fixed part; presentation context AC items (0x21) carry the result byte.
  let offset = 68;
  while (offset + 4 <= body.length) {
    const type = body[offset]!;
    const length = body.readUInt16BE(offset + 2);
    if (type === 0x21) return body[offset + 6] === 0;
    offset += 4 + length;
  }
  return false;
}

function sendStore(socket: net.Socket, object: StoreObject, accepted: boolean): void {
  if (!accepted) {
    socket.write(Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    socket.destroy();
    return;
  }
  socket.write(pData(1, commandSet(object), true, true));
  const data = object.dataset;
  if (data.length === 0) {
    socket.write(pData(1, Buffer.alloc(0), false, true));
    return;
  }
  for (let offset = 0; offset < data.length; offset += PDV_BYTES) {
    const end = Math.min(data.length, offset + PDV_BYTES);
    socket.write(pData(1, data.subarray(offset, end), false, end === data.length));
  }
}

function pData(contextId: number, value: Buffer, isCommand: boolean, last: boolean): Buffer {
  const head = Buffer.alloc(12);
  head[0] = 0x04;
  head.writeUInt32BE(6 + value.length, 2);
  head.writeUInt32BE(2 + value.length, 6);
  head[10] = contextId;
  head[11] = (isCommand ? 1 : 0) | (last ? 2 : 0);
  return Buffer.concat([head, value]);
}

function implicitElement(element: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(0x0000, 0);
  head.writeUInt16LE(element, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}

function uidBytes(uid: string): Buffer {
  const bytes = Buffer.from(uid, 'latin1');
  return bytes.length % 2 ? Buffer.concat([bytes, Buffer.from([0])]) : bytes;
}

function us(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(value);
  return bytes;
}

function commandSet(object: StoreObject): Buffer {
  const body = Buffer.concat([
    implicitElement(0x0002, uidBytes(object.sopClassUID)),
    implicitElement(0x0100, us(0x0001)),
    implicitElement(0x0110, us(1)),
    implicitElement(0x0700, us(0)),
    implicitElement(0x0800, us(0x0000)),
    implicitElement(0x1000, uidBytes(object.sopInstanceUID)),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([implicitElement(0x0000, length), body]);
}

function commandStatus(command: Buffer): number | null {
  let offset = 0;
  while (offset + 8 <= command.length) {
    const element = command.readUInt16LE(offset + 2);
    const length = command.readUInt32LE(offset + 4);
    if (element === 0x0900 && length === 2) return command.readUInt16LE(offset + 8);
    offset += 8 + length;
  }
  return null;
}

function aeField(title: string): Buffer {
  return Buffer.from(title.padEnd(16, ' ').slice(0, 16), 'latin1');
}

function item(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = type;
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value]);
}

function associateRequest(target: ScpTarget, object: StoreObject): Buffer {
  const context = item(
    0x20,
    Buffer.concat([
      Buffer.from([1, 0, 0, 0]),
      item(0x30, Buffer.from(object.sopClassUID, 'latin1')),
      item(0x40, Buffer.from(object.transferSyntaxUID, 'latin1')),
    ]),
  );
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(65_536);
  const userInfo = item(
    0x50,
    Buffer.concat([item(0x51, maxLength), item(0x52, Buffer.from('1.2.826.0.1.3680043.8.498.1', 'latin1'))]),
  );
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0);
  aeField(target.calledAeTitle).copy(fixed, 4);
  aeField(target.callingAeTitle).copy(fixed, 20);
  const body = Buffer.concat([
    fixed,
    item(0x10, Buffer.from(APPLICATION_CONTEXT, 'latin1')),
    context,
    userInfo,
  ]);
  const head = Buffer.alloc(6);
  head[0] = 0x01;
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

// ---------------------------------------------------------------------------------------------
// Mutations

export type MutationKind = 'bit-flips' | 'truncation' | 'wrong-length' | 'huge-length' | 'deep-sequence';
export const MUTATION_KINDS: readonly MutationKind[] = [
  'bit-flips',
  'truncation',
  'wrong-length',
  'huge-length',
  'deep-sequence',
];

/** A small deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
export const rng = seededRandom;

/** Element header offsets of an explicit VR little endian dataset (top level, best effort). */
function elementOffsets(dataset: Buffer): Array<{ offset: number; longLength: boolean }> {
  const found: Array<{ offset: number; longLength: boolean }> = [];
  let offset = 0;
  while (offset + 8 <= dataset.length && found.length < 10_000) {
    const vr = dataset.toString('latin1', offset + 4, offset + 6);
    const long = ['OB', 'OW', 'OF', 'OD', 'OL', 'SQ', 'UT', 'UN', 'UC', 'UR'].includes(vr);
    const length = long ? dataset.readUInt32LE(offset + 8) : dataset.readUInt16LE(offset + 6);
    found.push({ offset, longLength: long });
    if (length === 0xffffffff) break;
    offset += (long ? 12 : 8) + length;
  }
  return found;
}

/** One mutated copy of `object`'s dataset. */
export function mutate(object: StoreObject, kind: MutationKind, random: () => number): StoreObject {
  const dataset = Buffer.from(object.dataset);
  const pick = (n: number) => Math.floor(random() * n);
  switch (kind) {
    case 'bit-flips': {
      const flips = 1 + pick(32);
      for (let i = 0; i < flips && dataset.length > 0; i += 1) {
        // Mostly in the header, where structure lives.
        const at = pick(Math.min(dataset.length, random() < 0.8 ? 4096 : dataset.length));
        dataset[at]! ^= 1 << pick(8);
      }
      return { ...object, dataset };
    }
    case 'truncation':
      return { ...object, dataset: dataset.subarray(0, pick(dataset.length)) };
    case 'wrong-length':
    case 'huge-length': {
      const elements = elementOffsets(dataset);
      const target = elements[pick(elements.length)];
      if (!target) return { ...object, dataset };
      const value = kind === 'huge-length' ? 0xfffffff0 - pick(16) * 2 : pick(0x10000);
      if (target.longLength) dataset.writeUInt32LE(value >>> 0, target.offset + 8);
      else dataset.writeUInt16LE(value & 0xffff, target.offset + 6);
      return { ...object, dataset };
    }
    case 'deep-sequence': {
      // Nested sequences of undefined length, thousands deep, inserted after the first element.
      const depth = 1000 + pick(20_000);
      const open = Buffer.from([
        0x09, 0x00, 0x10, 0x10, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff,
        0xff, 0xff,
      ]);
      const nested = Buffer.concat(Array.from({ length: depth }, () => open));
      const first = elementOffsets(dataset)[1]?.offset ?? 0;
      return {
        ...object,
        dataset: Buffer.concat([dataset.subarray(0, first), nested, dataset.subarray(first)]),
      };
    }
  }
}
