/**
 * The renderer's save queue (renderer/src/annotation/saveQueue.ts) against a real annotation store:
 * an edit never waits for the answer to the one before it, yet a parent is always stored before
 * its child, whatever order main takes the requests in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnnotationVersionInput } from '../../../shared/annotation.js';
import { Catalog } from '../../../main/catalog/catalog.js';
import { AnnotationStore } from '../../../main/annotation/store.js';
import { makeTempDir } from '../../fixtures/index.js';
import { lengthVersion } from '../../support/annotation-versions.js';
import type * as SaveQueue from '../../../renderer/src/annotation/saveQueue.js';

/** Requests the fake host holds until the test lets main take them, in the order it chooses. */
interface HeldRequest {
  versions: AnnotationVersionInput[];
  /** Main takes the request now: store.save, then the answer (or its error). */
  take(): void;
  /** The request fails on the way (main never saw it). */
  fail(): void;
}

const held: HeldRequest[] = [];
let store: AnnotationStore;

vi.mock('../../../renderer/src/host/index.js', () => ({
  host: {
    api: {
      call: (method: string, request: { versions: AnnotationVersionInput[] }) => {
        if (method !== 'annotation.save') throw new Error(`unexpected ${method}`);
        return new Promise((resolve, reject) => {
          held.push({
            versions: structuredClone(request.versions),
            take() {
              try {
                const result = store.save(request.versions);
                resolve({ versionIds: result.versionIds, committedAt: result.committedAt });
              } catch (error) {
                reject(error);
              }
            },
            fail() {
              reject(new TypeError('Failed to fetch'));
            },
          });
        });
      },
    },
  },
}));

const dir = makeTempDir('save-queue');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const STUDY = '1.2.826.0.1.3680043.8.498.77';
let counter = 0;

type Queue = typeof SaveQueue;
let queue: Queue;

beforeEach(async () => {
  held.length = 0;
  const file = path.join(dir, `catalog-${(counter += 1)}.sqlite`);
  Catalog.open(file).close();
  store?.close();
  store = new AnnotationStore(file, { reader: () => 'dr-test' });
  // A fresh queue (module state) per test.
  vi.resetModules();
  queue = await import('../../../renderer/src/annotation/saveQueue.js');
});

const version = (annotationUid: string, parent: string | null, step: number): AnnotationVersionInput =>
  lengthVersion(
    {
      studyInstanceUID: STUDY,
      annotationUid,
      parentIds: parent ? [parent] : [],
      points: [
        [0, 0, 0],
        [step, 0, 0],
      ],
    },
    { attributes: { step } },
  );

/** Lets queued microtasks (the queue's flush) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('annotation save queue', () => {
  it("sends a child while its parent's save is still in flight, carrying the parent", async () => {
    const v1 = version('a', null, 1);
    queue.enqueue(v1);
    await settle();
    expect(held.map((request) => request.versions.map((v) => v.versionId))).toEqual([[v1.versionId]]);
    // The label is chosen before main answered the drawing: it leaves at once, not after the answer.
    const v2 = version('a', v1.versionId, 2);
    queue.enqueue(v2);
    await settle();
    expect(held).toHaveLength(2);
    expect(held[1]!.versions.map((v) => v.versionId)).toEqual([v1.versionId, v2.versionId]);
    expect(queue.queueStatus()).toMatchObject({ state: 'saving', pending: 2 });
  });

  it('stores parent before child whichever request main takes first, and heads end on the newest', async () => {
    let parent: string | null = null;
    const sent: string[] = [];
    for (let step = 1; step <= 4; step += 1) {
      const next = version('a', parent, step);
      queue.enqueue(next);
      sent.push(next.versionId);
      parent = next.versionId;
      await settle();
    }
    expect(held.length).toBeGreaterThanOrEqual(2);
    // Main takes them newest first (requests may arrive in any order).
    for (const request of [...held].reverse()) request.take();
    await settle();
    expect(store.history('a').map((v) => v.versionId)).toEqual(sent);
    expect(store.list(STUDY).heads.map((head) => head.versionId)).toEqual([sent[3]]);
    expect(store.list(STUDY).conflicts).toEqual([]);
    expect(queue.queueStatus()).toEqual({ state: 'saved', pending: 0, error: null });
    // Each edit counted once, from its edit to the commit that stored it.
    expect(queue.saveLatencies).toHaveLength(4);
  });

  it('a version whose own request failed counts as saved once a later request stored it', async () => {
    const v1 = version('a', null, 1);
    queue.enqueue(v1);
    await settle();
    const v2 = version('a', v1.versionId, 2);
    queue.enqueue(v2);
    await settle();
    held[0]!.fail();
    held[1]!.take();
    await settle();
    expect(store.history('a').map((v) => v.versionId)).toEqual([v1.versionId, v2.versionId]);
    expect(queue.queueStatus().pending).toBe(0);
  });

  it('retries a failed request until main takes it, and a newer edit waits behind it as its child', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const v1 = version('a', null, 1);
      queue.enqueue(v1);
      await vi.advanceTimersByTimeAsync(0);
      held[0]!.fail();
      await vi.advanceTimersByTimeAsync(0);
      expect(queue.queueStatus()).toMatchObject({ state: 'unsaved', pending: 1 });
      // A new edit while the first is not stored: a new version naming it, never a rewrite of it.
      const id2 = queue.enqueue(version('a', v1.versionId, 2));
      expect(id2).not.toBe(v1.versionId);
      await vi.advanceTimersByTimeAsync(1000);
      const retry = held.at(-1)!;
      expect(retry.versions.map((v) => v.versionId)).toEqual([v1.versionId, id2]);
      retry.take();
      await vi.advanceTimersByTimeAsync(0);
      expect(store.history('a').map((v) => v.versionId)).toEqual([v1.versionId, id2]);
      expect(queue.queueStatus()).toEqual({ state: 'saved', pending: 0, error: null });
    } finally {
      vi.useRealTimers();
    }
  });

  it('edits of a version not sent yet update it in place (a drag makes few versions)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const v1 = version('a', null, 1);
      queue.enqueue(v1);
      await vi.advanceTimersByTimeAsync(0);
      held[0]!.take();
      await vi.advanceTimersByTimeAsync(0);
      // A drag: many throttled modifications within the throttle window.
      const ids = new Set<string>();
      for (let step = 2; step < 10; step += 1)
        ids.add(queue.enqueue(version('a', v1.versionId, step), { throttled: true }));
      expect(ids.size).toBe(1);
      await vi.advanceTimersByTimeAsync(queue.THROTTLE_MS);
      held.at(-1)!.take();
      await vi.advanceTimersByTimeAsync(0);
      const history = store.history('a');
      expect(history).toHaveLength(2);
      expect(history[1]!.attributes).toEqual({ step: 9 });
    } finally {
      vi.useRealTimers();
    }
  });
});
