/**
 * The main thread's side of batched fetches (renderer/src/imaging/frameFetcher.ts
 * `prefetchInWorker`): one worker request for several files, each file's load shared with the
 * loader's own `prepareInWorker`; a file the batch does not bring asked for alone; a host without
 * the route (a whole batch failing before any served) stops batching.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as FrameFetcher from '../../../renderer/src/imaging/frameFetcher.js';

const naturalized = new Map<string, unknown>();
const posted: Record<string, unknown>[] = [];

class FakeWorker {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor() {
    workers.push(this);
  }
  postMessage(message: Record<string, unknown>): void {
    posted.push(message);
  }
  terminate(): void {}
  reply(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }
}
const workers: FakeWorker[] = [];
(globalThis as unknown as { Worker: unknown }).Worker = FakeWorker;

vi.mock('@cornerstonejs/core', () => ({
  canRenderFloatTextures: () => false,
  metaData: {
    get: (type: string, imageId: string) =>
      type === 'baseImageId' ? imageId : type === 'naturalized' ? naturalized.get(imageId) : undefined,
  },
}));
vi.mock('@cornerstonejs/metadata', () => ({
  Enums: { MetadataModules: { NATURALIZED: 'naturalized' } },
  utilities: {
    BASE_IMAGE_ID: 'baseImageId',
    setCacheData: (_type: string, imageId: string, data: unknown) => naturalized.set(imageId, data),
    // The parse of a file this thread fetched itself: its bytes are its pixel data here.
    naturalizePart10Buffer: async (bytes: ArrayBuffer) => ({ PixelData: [bytes] }),
  },
}));
const fetchesAgain: (() => Promise<Uint8Array>)[] = [];
vi.mock('../../../renderer/src/imaging/decodedFrames.js', () => ({
  keepDecodedFrame: (_bytes: ArrayBuffer, _frame: unknown, fetchAgain?: () => Promise<Uint8Array>) => {
    if (fetchAgain) fetchesAgain.push(fetchAgain);
  },
}));

let fetcher: typeof FrameFetcher;
const id = (uid: string) => `wadouri:http://127.0.0.1:9/instances/${uid}`;
const ok = (requestId: number) => ({ id: requestId, ok: true, natural: { Modality: 'CT' }, decoded: null });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(async () => {
  vi.resetModules();
  naturalized.clear();
  posted.length = 0;
  workers.length = 0;
  fetchesAgain.length = 0;
  fetcher = await import('../../../renderer/src/imaging/frameFetcher.js');
});

describe('batched fetches in the frame worker', () => {
  it('asks for several files in one request and shares each load with the loader', async () => {
    fetcher.prefetchInWorker([id('1.1'), id('1.2'), id('1.3')]);
    expect(posted).toHaveLength(1);
    const batch = posted[0] as { batch: boolean; url: string; items: { id: number; decode: boolean }[] };
    expect(batch.batch).toBe(true);
    expect(batch.url).toBe('http://127.0.0.1:9/instance-batch/1.1,1.2,1.3');
    expect(batch.items.map((item) => item.decode)).toEqual([true, true, true]);
    // The loader's own request for one of them: no second fetch.
    const second = fetcher.prepareInWorker(id('1.2'));
    expect(posted).toHaveLength(1);
    // The first is on its way: the prefetch's next offer starting there sends nothing.
    fetcher.prefetchInWorker([id('1.1'), id('1.4')]);
    expect(posted).toHaveLength(1);

    const worker = workers[0]!;
    worker.reply(ok(batch.items[0]!.id));
    // The second file is refused in the batch: asked for alone, then served.
    worker.reply({ id: batch.items[1]!.id, ok: false, message: 'not-found: missing' });
    await settle();
    expect(posted).toHaveLength(2);
    expect(posted[1]).toMatchObject({ url: 'http://127.0.0.1:9/instances/1.2', decode: true });
    worker.reply(ok(posted[1]!['id'] as number));
    worker.reply(ok(batch.items[2]!.id));
    expect(await second).toBe(true);
    await settle();
    expect([...naturalized.keys()].sort()).toEqual([id('1.1'), id('1.2'), id('1.3')]);
    // Known now: not asked for again.
    fetcher.prefetchInWorker([id('1.3'), id('1.1')]);
    expect(posted).toHaveLength(2);
  });

  it('stops batching when a whole batch fails before any was served (a host without the route)', async () => {
    fetcher.prefetchInWorker([id('2.1'), id('2.2')]);
    const batch = posted[0] as { items: { id: number }[] };
    const worker = workers[0]!;
    for (const item of batch.items) worker.reply({ id: item.id, ok: false, message: 'Error: HTTP 404' });
    await settle();
    // Each asked for alone instead.
    expect(posted.slice(1).map((message) => message['url'])).toEqual([
      'http://127.0.0.1:9/instances/2.1',
      'http://127.0.0.1:9/instances/2.2',
    ]);
    fetcher.prefetchInWorker([id('2.3'), id('2.4')]);
    expect(posted).toHaveLength(3);
  });

  it('a batch cut short (aborted): the files served stand, each other one is asked for alone once, batching goes on', async () => {
    fetcher.prefetchInWorker([id('5.1'), id('5.2'), id('5.3'), id('5.4')]);
    const batch = posted[0] as { items: { id: number }[] };
    const worker = workers[0]!;
    const loads = [id('5.1'), id('5.2'), id('5.3'), id('5.4')].map((imageId) =>
      fetcher.prepareInWorker(imageId),
    );
    expect(posted).toHaveLength(1);
    // What the worker answers when the answer breaks off inside the third file.
    worker.reply(ok(batch.items[0]!.id));
    worker.reply(ok(batch.items[1]!.id));
    worker.reply({ id: batch.items[2]!.id, ok: false, message: 'TypeError: network error' });
    worker.reply({ id: batch.items[3]!.id, ok: false, message: 'TypeError: network error' });
    await settle();
    expect(posted.slice(1).map((message) => message['url'])).toEqual([
      'http://127.0.0.1:9/instances/5.3',
      'http://127.0.0.1:9/instances/5.4',
    ]);
    for (const message of posted.slice(1)) worker.reply(ok(message['id'] as number));
    expect(await Promise.all(loads)).toEqual([true, true, true, true]);
    expect(naturalized.size).toBe(4);
    // Batches served before: the next batch is still one request.
    fetcher.prefetchInWorker([id('5.5'), id('5.6')]);
    expect(posted).toHaveLength(4);
    expect(posted[3]).toMatchObject({ batch: true, url: 'http://127.0.0.1:9/instance-batch/5.5,5.6' });
  });

  it('fetches the raw bytes the worker left out again: through the worker, or on this thread when it cannot', async () => {
    const load = fetcher.prepareInWorker(id('6.1'));
    const worker = workers[0]!;
    const request = posted[0]!;
    const pixels = new ArrayBuffer(1);
    worker.reply({
      id: request['id'],
      ok: true,
      natural: { PixelData: [pixels] },
      decoded: { pixelData: new Int16Array(4) },
      rawReleased: true,
    });
    expect(await load).toBe(true);
    expect(fetchesAgain).toHaveLength(1);
    // The worker parses the file again (no decode) and sends its bytes.
    const viaWorker = fetchesAgain[0]!();
    expect(posted[1]).toMatchObject({ url: 'http://127.0.0.1:9/instances/6.1', decode: false });
    worker.reply({ id: posted[1]!['id'], ok: true, natural: { PixelData: [Uint8Array.of(1, 2).buffer] } });
    expect(Array.from(await viaWorker)).toEqual([1, 2]);
    // The worker fails: this thread fetches and parses the file itself (the worker's own way).
    const fetched: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (url: string) => {
      fetched.push(url);
      return new Response(Uint8Array.of(3, 4, 5));
    }) as typeof fetch;
    try {
      const onThisThread = fetchesAgain[0]!();
      worker.reply({ id: posted[2]!['id'], ok: false, message: 'Error: HTTP 503' });
      expect(Array.from(await onThisThread)).toEqual([3, 4, 5]);
      expect(fetched).toEqual(['http://127.0.0.1:9/instances/6.1']);
      globalThis.fetch = (async () => new Response('gone', { status: 404 })) as typeof fetch;
      const missing = fetchesAgain[0]!();
      worker.reply({ id: posted[3]!['id'], ok: false, message: 'Error: HTTP 404' });
      await expect(missing).rejects.toThrow('HTTP 404');
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('sends one file alone the single way, and batches at most 16', () => {
    fetcher.prefetchInWorker([id('3.1')]);
    expect(posted).toHaveLength(0);
    fetcher.prefetchInWorker(Array.from({ length: 20 }, (_, i) => id(`4.${i}`)));
    expect((posted[0] as { items: unknown[] }).items).toHaveLength(16);
  });
});
