/**
 * Several stored files in one answer (shared/instance-batch.ts): the hosts' body
 * (main/core/routes.ts `instanceBatches`) and the frame worker's reader of it
 * (renderer/src/imaging/instanceBatch.ts), which reads it as hostile input.
 */
import { describe, expect, it } from 'vitest';
import { type ServedFile, instanceBatches } from '../../../main/core/routes.js';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import {
  INSTANCE_BATCH_MAGIC,
  MAX_BATCH_BYTES,
  MAX_REFUSAL_BYTES,
  RECORD_FILE,
  RECORD_REFUSED,
} from '../../../shared/instance-batch.js';
import { type BatchRecord, InstanceBatchReader } from '../../../renderer/src/imaging/instanceBatch.js';

/** A served file of `bytes` (or one that claims `size` and brings `bytes`), closing noted. */
function servedFile(bytes: Buffer, closed: string[], name: string, size = bytes.length): ServedFile {
  return {
    size,
    dev: 0,
    handle: { close: async () => void closed.push(name) } as unknown as ServedFile['handle'],
    batches: async function* () {
      try {
        // In two batches, so a record spans several writes.
        const half = Math.floor(bytes.length / 2);
        yield [bytes.subarray(0, half)];
        yield [bytes.subarray(half)];
      } finally {
        closed.push(name);
      }
    },
  };
}

async function body(iterable: AsyncIterable<readonly Buffer[]>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const batch of iterable) parts.push(...batch);
  return Buffer.concat(parts);
}

/** Feeds `bytes` to a reader in pieces of `step` bytes; the records, or the error thrown. */
function read(bytes: Uint8Array, expected: number, step = bytes.length): BatchRecord[] | Error {
  const reader = new InstanceBatchReader(expected);
  const records: BatchRecord[] = [];
  try {
    for (let at = 0; at < bytes.length; at += step)
      records.push(...reader.push(bytes.subarray(at, Math.min(bytes.length, at + step))));
    reader.end();
    return records;
  } catch (error) {
    return error as Error;
  }
}

function record(status: number, payload: Uint8Array, length = payload.length): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(status, 0);
  header.writeUInt32LE(length, 1);
  return Buffer.concat([header, payload]);
}

const magic = Buffer.from(INSTANCE_BATCH_MAGIC);
const files = {
  a: Buffer.from('DICM-first-file'),
  b: Buffer.alloc(70_000, 7),
  c: Buffer.from('third'),
};

describe('instance batch: the hosts’ body', () => {
  it('sends the files asked for in order, each opened in its turn and closed, a refusal for a missing one', async () => {
    const closed: string[] = [];
    const closedAtOpen: number[] = [];
    const open = async (uid: string): Promise<ServedFile> => {
      closedAtOpen.push(closed.length);
      if (uid === '1.9') throw new AppError(ErrorCode.NotFound, 'This image is not in the local catalog.');
      const name = uid === '1.1' ? 'a' : uid === '1.2' ? 'b' : 'c';
      return servedFile(files[name], closed, name);
    };
    const refused: string[] = [];
    const bytes = await body(
      instanceBatches(['1.1', '1.9', '1.2', '1.3'], open, (e) => refused.push(e.code)),
    );
    expect(refused).toEqual(['not-found']);
    expect(closed).toEqual(['a', 'b', 'c']);
    // Each file is closed before the next is opened: one descriptor at a time.
    expect(closedAtOpen).toEqual([0, 1, 1, 2]);
    const records = read(bytes, 4, 1000);
    expect(records).not.toBeInstanceOf(Error);
    const list = records as BatchRecord[];
    expect(list.map((r) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, false],
      [2, true],
      [3, true],
    ]);
    expect(Buffer.from((list[0] as { bytes: ArrayBuffer }).bytes)).toEqual(files.a);
    expect(Buffer.from((list[2] as { bytes: ArrayBuffer }).bytes)).toEqual(files.b);
    expect(Buffer.from((list[3] as { bytes: ArrayBuffer }).bytes)).toEqual(files.c);
    expect((list[1] as { message: string }).message).toBe(
      'not-found: This image is not in the local catalog.',
    );
  });

  it('refuses the files past the byte budget of one answer (they are asked for alone), and closes them', async () => {
    const closed: string[] = [];
    const big = (name: string): ServedFile => ({
      ...servedFile(Buffer.alloc(0), closed, name, MAX_BATCH_BYTES / 2 + 1),
      batches: async function* () {
        yield [Buffer.alloc(MAX_BATCH_BYTES / 2 + 1)];
      },
    });
    const refused: string[] = [];
    const bytes = await body(
      instanceBatches(
        ['1', '2', '3'],
        async (uid) => (uid === '3' ? servedFile(files.c, closed, 'c') : big(uid)),
        (e) => refused.push(e.code),
      ),
    );
    // The second would pass the budget: refused, and so is every later one (unopened).
    expect(refused).toEqual(['too-large', 'too-large']);
    expect(closed).toEqual(['2']);
    const list = read(bytes, 3) as BatchRecord[];
    expect(list.map((r) => r.ok)).toEqual([true, false, false]);
    expect((list[1] as { message: string }).message).toMatch(/^too-large: /);
  });

  it('ends the answer early when a file brings fewer or more bytes than its size (the framing cannot go on)', async () => {
    const closed: string[] = [];
    const short = instanceBatches(['1'], async () => servedFile(files.a, closed, 'a', files.a.length + 1));
    await expect(body(short)).rejects.toThrow(/shorter/);
    const long = instanceBatches(['1'], async () => servedFile(files.a, closed, 'a', 3));
    await expect(body(long)).rejects.toThrow(/longer/);
    expect(closed).toEqual(['a', 'a']);
  });

  it('turns an unexpected failure to open into a refusal of that file only', async () => {
    const closed: string[] = [];
    const bytes = await body(
      instanceBatches(['1', '2'], async (uid) => {
        if (uid === '1') throw new Error('/secret/path exploded');
        return servedFile(files.c, closed, 'c');
      }),
    );
    const list = read(bytes, 2) as BatchRecord[];
    expect(list[0]).toMatchObject({ ok: false, message: expect.stringMatching(/^internal: /) as unknown });
    expect((list[0] as { message: string }).message).not.toContain('secret');
    expect(list[1]!.ok).toBe(true);
  });
});

describe('instance batch: the worker’s reader (hostile input)', () => {
  const good = Buffer.concat([
    magic,
    record(RECORD_FILE, files.a),
    record(RECORD_REFUSED, Buffer.from('{"code":"io","message":"altered"}')),
    record(RECORD_FILE, files.c),
  ]);

  it('reads the same records whatever the pieces the bytes arrive in', () => {
    for (const step of [1, 2, 5, 7, 64, good.length]) {
      const list = read(good, 3, step) as BatchRecord[];
      expect(
        list.map((r) => r.index),
        `step ${step}`,
      ).toEqual([0, 1, 2]);
      expect(Buffer.from((list[2] as { bytes: ArrayBuffer }).bytes)).toEqual(files.c);
      expect((list[1] as { message: string }).message).toBe('io: altered');
    }
  });

  it('hands on each file as soon as its last byte is in', () => {
    const reader = new InstanceBatchReader(3);
    const cut = magic.length + 5 + files.a.length;
    expect(reader.push(good.subarray(0, cut - 1))).toEqual([]);
    expect(reader.push(good.subarray(cut - 1, cut)).map((r) => r.index)).toEqual([0]);
  });

  it('refuses an answer that is not a batch (an HTML page, a JSON error)', () => {
    expect(read(Buffer.from('<!doctype html>'), 1)).toBeInstanceOf(Error);
    expect(read(Buffer.from('{"ok":false}'), 1)).toBeInstanceOf(Error);
  });

  it('refuses a truncated answer: in the magic, in a header, in a payload, a record missing', () => {
    for (const cut of [2, magic.length + 3, magic.length + 5 + 4, good.length - 1]) {
      const result = read(good.subarray(0, cut), 3);
      expect(result, `cut at ${cut}`).toBeInstanceOf(Error);
      expect((result as Error).message).toMatch(/ended after/);
    }
    expect(read(Buffer.concat([magic, record(RECORD_FILE, files.a)]), 2)).toBeInstanceOf(Error);
    expect(read(Buffer.alloc(0), 1)).toBeInstanceOf(Error);
  });

  it('refuses lengths beyond the bounds before allocating them', () => {
    const huge = Buffer.concat([magic, record(RECORD_FILE, Buffer.alloc(0), 0xffffffff)]);
    expect((read(huge, 1) as Error).message).toMatch(/more bytes/);
    // Several files, each under the bound, together over it.
    const half = Buffer.concat([
      magic,
      record(RECORD_FILE, Buffer.alloc(0), MAX_BATCH_BYTES / 2 + 1).subarray(0, 5),
    ]);
    const reader = new InstanceBatchReader(2);
    reader.push(half);
    reader.push(Buffer.alloc(MAX_BATCH_BYTES / 2 + 1));
    expect(() => reader.push(record(RECORD_FILE, Buffer.alloc(0), MAX_BATCH_BYTES / 2 + 1))).toThrow(
      /more bytes/,
    );
    const longRefusal = Buffer.concat([
      magic,
      record(RECORD_REFUSED, Buffer.alloc(0), MAX_REFUSAL_BYTES + 1),
    ]);
    expect((read(longRefusal, 1) as Error).message).toMatch(/too long/);
  });

  it('refuses an unknown record type, more records than asked for and bytes after the last one', () => {
    expect((read(Buffer.concat([magic, record(7, files.a)]), 1) as Error).message).toMatch(/unknown record/);
    expect((read(good, 2) as Error).message).toMatch(/after its last record/);
    expect((read(Buffer.concat([good, Buffer.from([0])]), 3) as Error).message).toMatch(/after its last/);
  });

  it('stays refused once broken, and reads a refusal that is not JSON as a refusal', () => {
    const reader = new InstanceBatchReader(1);
    expect(() => reader.push(Buffer.from('nope'))).toThrow();
    expect(() => reader.push(good)).toThrow();
    expect(() => reader.end()).toThrow();
    const odd = read(Buffer.concat([magic, record(RECORD_REFUSED, Buffer.from('\xff not json'))]), 1);
    expect(odd).toEqual([{ index: 0, ok: false, message: 'refused (no reason given)' }]);
  });

  it('reads an empty file as an empty file', () => {
    const list = read(Buffer.concat([magic, record(RECORD_FILE, Buffer.alloc(0))]), 1) as BatchRecord[];
    expect(list[0]).toMatchObject({ index: 0, ok: true });
    expect((list[0] as { bytes: ArrayBuffer }).bytes.byteLength).toBe(0);
  });
});
