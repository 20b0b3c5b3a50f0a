/**
 * The frame worker's side of a batch (renderer/src/imaging/frameWorker.ts `serveBatch`): each file
 * answered as its record completes; when the answer breaks off (aborted, cut, a read error), the
 * files already answered stand and every file not complete is answered as a failure, once, so the
 * main thread asks for it alone (frame-fetcher-batch.test.ts). An error after the last record
 * fails nothing.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { INSTANCE_BATCH_MAGIC, RECORD_FILE, RECORD_REFUSED } from '../../../shared/instance-batch.js';

vi.mock('../../../renderer/src/imaging/frameDecode.js', () => ({
  parseFile: async (bytes: ArrayBuffer) => ({ bytes: bytes.byteLength }),
  fetchParsedFile: async () => ({ single: true }),
  decodeNaturalFrame: () => null,
  releaseFrameBytes: () => null,
}));

const replies: { id: number; ok: boolean; natural?: unknown; message?: string }[] = [];
const scope = globalThis as unknown as {
  self: { onmessage: ((event: MessageEvent) => void) | null };
  postMessage: (message: never) => void;
  fetch: (url: string) => Promise<Response>;
};

beforeAll(async () => {
  scope.self = { onmessage: null };
  scope.postMessage = (message) => replies.push(message);
  await import('../../../renderer/src/imaging/frameWorker.js');
});

beforeEach(() => {
  replies.length = 0;
});

function record(status: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = status;
  new DataView(out.buffer).setUint32(1, payload.length, true);
  out.set(payload, 5);
  return out;
}

/** An answer whose body brings `chunks` and then ends, or breaks off with `error`. */
function answerOf(chunks: Uint8Array[], error?: Error): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]!);
      else if (error) controller.error(error);
      else controller.close();
    },
  });
  return new Response(body, { status: 200 });
}

async function serveBatch(response: Response, ids: number[]): Promise<void> {
  scope.fetch = async () => response;
  scope.self.onmessage!({
    data: {
      batch: true,
      url: 'http://127.0.0.1:9/instance-batch/1,2,3',
      items: ids.map((id) => ({ id, decode: true, preScaleEnabled: true, allowFloatRendering: false })),
    },
  } as MessageEvent);
  await vi.waitFor(() => expect(replies).toHaveLength(ids.length));
  await new Promise((resolve) => setTimeout(resolve, 10));
}

const magic = Uint8Array.from(INSTANCE_BATCH_MAGIC);
const file = (length: number) => record(RECORD_FILE, new Uint8Array(length).fill(7));

describe('a batch in the frame worker', () => {
  it('answers each file as its record completes, a refused one as a failure', async () => {
    const refusal = new TextEncoder().encode(JSON.stringify({ code: 'not-found', message: 'missing' }));
    await serveBatch(answerOf([magic, file(10), record(RECORD_REFUSED, refusal), file(20)]), [1, 2, 3]);
    expect(replies).toEqual([
      expect.objectContaining({ id: 1, ok: true, natural: { bytes: 10 } }),
      { id: 2, ok: false, message: 'not-found: missing' },
      expect.objectContaining({ id: 3, ok: true, natural: { bytes: 20 } }),
    ]);
  });

  it('an answer that breaks off (aborted) mid-file: the files complete stand, each other one fails once', async () => {
    const second = file(40);
    await serveBatch(
      answerOf([magic, file(10), second.subarray(0, 17)], new TypeError('network error (aborted)')),
      [4, 5, 6],
    );
    expect(replies.map((reply) => [reply.id, reply.ok])).toEqual([
      [4, true],
      [5, false],
      [6, false],
    ]);
    expect(replies[1]!.message).toContain('aborted');
  });

  it('an answer that ends early without an error: the files not complete fail', async () => {
    await serveBatch(answerOf([magic, file(10)]), [7, 8]);
    expect(replies.map((reply) => [reply.id, reply.ok])).toEqual([
      [7, true],
      [8, false],
    ]);
    expect(replies[1]!.message).toContain('ended after 1 of 2 records');
  });

  it('an error after the last record is in fails nothing (every file came)', async () => {
    await serveBatch(answerOf([magic, file(10), file(12)], new TypeError('network error')), [9, 10]);
    expect(replies.map((reply) => [reply.id, reply.ok])).toEqual([
      [9, true],
      [10, true],
    ]);
  });

  it('a single load fetches and parses the file in the worker', async () => {
    scope.self.onmessage!({
      data: { id: 11, url: 'http://127.0.0.1:9/instances/1.2', decode: true, preScaleEnabled: true },
    } as MessageEvent);
    await vi.waitFor(() => expect(replies).toHaveLength(1));
    expect(replies[0]).toMatchObject({ id: 11, ok: true, natural: { single: true } });
  });
});
