/**
 * The queue between an edit and its stored version (docs/annotation.md "Saving").
 *
 * - Versions are sent at once (throttled modifications, i.e. drags, at most every THROTTLE_MS per
 *   annotation), in up to MAX_REQUESTS `annotation.save` requests in flight together: a new edit
 *   never waits for the answer to the previous one.
 * - A parent must be stored before its child. Version ids are minted here (UUIDs), so a child can
 *   be sent before its parent's answer returned: its request carries, ahead of it, every version of
 *   the same annotation that is sent but not yet acknowledged. Whichever of the two requests main
 *   takes first stores the parent; in the other it is a no-op (saving a stored version again with
 *   the same content is one). So each request stands on its own, in whatever order they arrive.
 * - A version not yet sent takes newer edits of its annotation under the same id (a drag makes a
 *   few versions, not hundreds); a version sent once never changes again (it may be stored).
 * - A failed request is retried with backoff until main answers.
 * - Every waiting version is mirrored in localStorage at once: a page reload, a renderer crash or
 *   a host that is down for a while loses nothing; the next page sends them again.
 * - A version counts as saved only when main answered a request carrying it, i.e. after the
 *   transaction that stored it committed.
 */
import type { AnnotationVersionInput } from '../../../shared/annotation.js';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { host } from '../host/index.js';

const STORAGE_KEY = 'radlabel.annotation.pending';
/** Modifications of one annotation (a drag) are sent at most this often. */
export const THROTTLE_MS = 250;
/** `annotation.save` requests in flight together. */
export const MAX_REQUESTS = 4;
const MAX_BATCH = 200;
const MAX_BATCH_BYTES = 700_000;
const RETRY_MS = [250, 500, 1000, 2000, 4000];

export type SaveState = 'saved' | 'saving' | 'unsaved';

interface Pending {
  version: AnnotationVersionInput;
  /** performance.now() of the first edit this version carries. */
  editedAt: number;
  /** performance.now() of the first edit sent at once (not throttled) it carries, if any. */
  immediateAt: number | null;
  /** Not sent before this time (throttled modifications). */
  notBefore: number;
  /** Sent at least once (or left by an earlier page): its content is fixed, it may be stored. */
  sent: boolean;
  /** JSON length, for the batch limit. */
  size: number;
}

export interface QueueStatus {
  state: SaveState;
  /** Versions not yet acknowledged. */
  pending: number;
  /** The last refusal or failure, for the indicator's tooltip. */
  error: string | null;
}

type Listener = (status: QueueStatus) => void;

/** Not sent yet (or to be sent again), in edit order. */
let waiting: Pending[] = [];
/** Sent and not yet acknowledged, in the order they were first sent. */
let unacked: Pending[] = [];
let requests = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let timerDue = Infinity;
let retryAt = 0;
let failures = 0;
let lastError: string | null = null;
const lastSentAt = new Map<string, number>();
const listeners = new Set<Listener>();
const acknowledgedListeners = new Set<(versions: AnnotationVersionInput[]) => void>();
/**
 * Edit → acknowledged (committed), ms, for the benchmark (annotation.save_ms) and diagnostics:
 * edits sent at once (drawing completed, label, attributes, deletion, undo/redo) in
 * `saveLatencies`; versions of throttled modifications (drags) apart, from their first edit.
 */
export const saveLatencies: number[] = [];
export const throttledSaveLatencies: number[] = [];
/** Edit → request sent, ms (the renderer's share of `saveLatencies`), for the benchmark. */
export const saveSendDelays: number[] = [];

export function queueStatus(): QueueStatus {
  const pending = waiting.length + unacked.length;
  return {
    state: pending === 0 ? 'saved' : failures > 0 ? 'unsaved' : 'saving',
    pending,
    error: lastError,
  };
}

export function onQueueStatus(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called with the versions main acknowledged (stored for good). */
export function onAcknowledged(listener: (versions: AnnotationVersionInput[]) => void): () => void {
  acknowledgedListeners.add(listener);
  return () => acknowledgedListeners.delete(listener);
}

function notify(): void {
  const status = queueStatus();
  for (const listener of listeners) listener(status);
}

function mirror(): void {
  try {
    const all = [...unacked, ...waiting].map((item) => item.version);
    if (all.length === 0) window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, JSON.stringify(all));
  } catch {
    // Storage full or unavailable: the in-memory queue still saves.
  }
}

function lastOf(list: Pending[], annotationUid: string): Pending | undefined {
  for (let i = list.length - 1; i >= 0; i -= 1) {
    if (list[i]!.version.annotationUid === annotationUid) return list[i];
  }
  return undefined;
}

/**
 * Queues a version. `throttled` (a modification in progress) waits until THROTTLE_MS after the
 * previous save of the same annotation; otherwise it is sent at once.
 */
export function enqueue(version: AnnotationVersionInput, options: { throttled?: boolean } = {}): string {
  const now = performance.now();
  const existing = lastOf(waiting, version.annotationUid);
  const notBefore = options.throttled
    ? (lastSentAt.get(version.annotationUid) ?? -Infinity) + THROTTLE_MS
    : 0;
  let versionId = version.versionId;
  if (existing && !existing.sent) {
    // Same version id and parents: the waiting version now carries the newer content.
    versionId = existing.version.versionId;
    existing.version = { ...version, versionId, parentIds: existing.version.parentIds };
    existing.size = JSON.stringify(existing.version).length;
    existing.notBefore = Math.min(existing.notBefore, notBefore);
    if (!options.throttled) existing.immediateAt ??= now;
  } else {
    waiting.push({
      version,
      editedAt: now,
      immediateAt: options.throttled ? null : now,
      notBefore,
      sent: false,
      size: JSON.stringify(version).length,
    });
  }
  mirror();
  // The flush's microtask is queued before the status listeners' (React re-renders on the store
  // change): the request leaves before the page renders, not after (docs/annotation.md "Speed").
  schedule();
  notify();
  return versionId;
}

/** The id the next version of an annotation must name as parent (its newest queued or sent one). */
export function waitingVersionOf(annotationUid: string): string | null {
  const item = lastOf(waiting, annotationUid) ?? lastOf(unacked, annotationUid);
  return item?.version.versionId ?? null;
}

let flushQueued = false;

function schedule(): void {
  if (waiting.length === 0 || requests >= MAX_REQUESTS) return;
  const now = performance.now();
  const due = Math.max(0, retryAt - now, Math.min(...waiting.map((item) => item.notBefore)) - now);
  if (due === 0) {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    timerDue = Infinity;
    // Right after the event that made the edit, before the page renders: the request is on its
    // way while the viewport redraws.
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(() => {
        flushQueued = false;
        flush();
      });
    }
    return;
  }
  if (timer !== null && timerDue <= now + due) return;
  if (timer !== null) clearTimeout(timer);
  timerDue = now + due;
  timer = setTimeout(() => {
    timer = null;
    timerDue = Infinity;
    flush();
  }, due);
}

/** Sends what is due, in one request, if fewer than MAX_REQUESTS are in flight. */
function flush(): void {
  if (requests >= MAX_REQUESTS) return;
  const now = performance.now();
  if (now < retryAt) {
    schedule();
    return;
  }
  const own: Pending[] = [];
  let bytes = 0;
  for (const item of waiting) {
    if (item.notBefore > now) continue;
    if (own.length > 0 && (own.length >= MAX_BATCH || bytes + item.size > MAX_BATCH_BYTES)) break;
    own.push(item);
    bytes += item.size;
  }
  if (own.length === 0) {
    schedule();
    return;
  }
  // Each version goes with its sent but unacknowledged ancestors (the earlier versions of its
  // annotation still in flight), ahead of it: the request does not depend on any other.
  const carried: Pending[] = [];
  const inRequest = new Set<Pending>();
  for (const item of own) {
    for (const earlier of unacked) {
      if (earlier.version.annotationUid === item.version.annotationUid && !inRequest.has(earlier)) {
        carried.push(earlier);
        inRequest.add(earlier);
      }
    }
    carried.push(item);
    inRequest.add(item);
  }
  const ownSet = new Set(own);
  waiting = waiting.filter((item) => !ownSet.has(item));
  for (const item of own) {
    item.sent = true;
    unacked.push(item);
    lastSentAt.set(item.version.annotationUid, now);
    if (item.immediateAt !== null) saveSendDelays.push(now - item.immediateAt);
  }
  requests += 1;
  notify();
  void send(carried, own);
  // More may be due (a batch limit was reached): another request.
  schedule();
}

async function send(carried: Pending[], own: Pending[]): Promise<void> {
  try {
    const { committedAt } = await host.api.call('annotation.save', {
      versions: carried.map((item) => item.version),
    });
    requests -= 1;
    acknowledge(carried, committedAt);
    failures = 0;
    lastError = null;
  } catch (error) {
    requests -= 1;
    // Versions another request carried meanwhile are stored: nothing to do for them.
    const lost = own.filter((item) => unacked.includes(item));
    unacked = unacked.filter((item) => !lost.includes(item));
    if (error instanceof AppError && refusedForGood(error)) {
      // Main will never take these (a bug, or a version saved before with other content): keep the
      // rest of the queue moving, and say so.
      lastError = error.message;
      console.error('annotation versions refused', error.code, error.message);
    } else {
      // Back in front, in their order, ahead of anything edited since (their children).
      waiting = [...lost, ...waiting];
      failures += 1;
      lastError = error instanceof Error ? error.message : String(error);
      retryAt = performance.now() + RETRY_MS[Math.min(failures - 1, RETRY_MS.length - 1)]!;
    }
  }
  mirror();
  notify();
  schedule();
}

function acknowledge(carried: Pending[], committedAt: number): void {
  // Main's clock at the commit, on this machine: edit → row committed, whatever keeps this page's
  // thread busy before it reads the answer.
  const committed = committedAt - performance.timeOrigin;
  const done = new Set<Pending>();
  for (const item of carried) {
    if (!unacked.includes(item) && !waiting.includes(item)) continue;
    done.add(item);
    if (item.immediateAt !== null) saveLatencies.push(committed - item.immediateAt);
    else throttledSaveLatencies.push(committed - item.editedAt);
  }
  if (done.size === 0) return;
  unacked = unacked.filter((item) => !done.has(item));
  // A version whose own request failed but which a later request carried is stored too.
  waiting = waiting.filter((item) => !done.has(item));
  for (const list of [saveLatencies, throttledSaveLatencies, saveSendDelays]) {
    if (list.length > 10_000) list.splice(0, list.length - 10_000);
  }
  const versions = carried.filter((item) => done.has(item)).map((item) => item.version);
  for (const listener of acknowledgedListeners) listener(versions);
}

function refusedForGood(error: AppError): boolean {
  return error.code === ErrorCode.InvalidRequest || error.code === ErrorCode.Conflict;
}

/** Sends everything waiting now (page hidden or closing); the localStorage copy covers the rest. */
export function flushNow(): void {
  for (const item of waiting) item.notBefore = 0;
  retryAt = 0;
  if (timer !== null) clearTimeout(timer);
  timer = null;
  timerDue = Infinity;
  flush();
}

/** Resolves once nothing is waiting or in flight (or after `timeoutMs`). */
export async function drained(timeoutMs = 10_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  flushNow();
  while (waiting.length + unacked.length > 0) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

let restored = false;

/** Queues again what an earlier page left unsent (once per page). */
export function restorePending(): void {
  if (restored) return;
  restored = true;
  let stored: unknown;
  try {
    stored = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '[]');
  } catch {
    return;
  }
  if (!Array.isArray(stored)) return;
  const now = performance.now();
  for (const version of stored as AnnotationVersionInput[]) {
    if (version && typeof version === 'object' && typeof version.versionId === 'string') {
      // It may be stored already: sent as it is, never changed.
      waiting.push({
        version,
        editedAt: now,
        immediateAt: null,
        notBefore: 0,
        sent: true,
        size: JSON.stringify(version).length,
      });
    }
  }
  notify();
  schedule();
}
