/**
 * The queue between an edit and its stored version (docs/annotation.md "Saving").
 *
 * - Each annotation has at most one version waiting: a newer edit of the same annotation replaces
 *   the waiting content under the same version id (so a drag makes a few versions, not hundreds).
 * - One `annotation.save` request is in flight at a time, in order, so a parent is always stored
 *   before its child. A failed request is retried with backoff until main answers.
 * - Every waiting version is mirrored in localStorage at once: a page reload, a renderer crash or
 *   a host that is down for a while loses nothing; the next page sends them again (saving a stored
 *   version again is a no-op in main).
 * - A version counts as saved only when main answered, i.e. after its transaction committed.
 */
import type { AnnotationVersionInput } from '../../../shared/annotation.js';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { host } from '../host/index.js';

const STORAGE_KEY = 'radlabel.annotation.pending';
/** Modifications of one annotation (a drag) are sent at most this often. */
export const THROTTLE_MS = 250;
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
}

export interface QueueStatus {
  state: SaveState;
  /** Versions not yet acknowledged. */
  pending: number;
  /** The last refusal or failure, for the indicator's tooltip. */
  error: string | null;
}

type Listener = (status: QueueStatus) => void;

let waiting: Pending[] = [];
let inFlight: Pending[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;
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
  const pending = waiting.length + inFlight.length;
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
    const all = [...inFlight, ...waiting].map((item) => item.version);
    if (all.length === 0) window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, JSON.stringify(all));
  } catch {
    // Storage full or unavailable: the in-memory queue still saves.
  }
}

/**
 * Queues a version. `throttled` (a modification in progress) waits until THROTTLE_MS after the
 * previous save of the same annotation; otherwise it is sent at once.
 */
export function enqueue(version: AnnotationVersionInput, options: { throttled?: boolean } = {}): string {
  const now = performance.now();
  const existing = waiting.find((item) => item.version.annotationUid === version.annotationUid);
  const notBefore = options.throttled
    ? (lastSentAt.get(version.annotationUid) ?? -Infinity) + THROTTLE_MS
    : 0;
  let versionId = version.versionId;
  if (existing) {
    // Same version id and parents: the waiting version now carries the newer content.
    versionId = existing.version.versionId;
    existing.version = { ...version, versionId, parentIds: existing.version.parentIds };
    existing.notBefore = Math.min(existing.notBefore, notBefore);
    if (!options.throttled) existing.immediateAt ??= now;
  } else {
    waiting.push({ version, editedAt: now, immediateAt: options.throttled ? null : now, notBefore });
  }
  mirror();
  // The flush's microtask is queued before the status listeners' (React re-renders on the store
  // change): the request leaves before the page renders, not after (docs/annotation.md "Speed").
  schedule();
  notify();
  return versionId;
}

/** The id the next version of an annotation must name as parent (its newest queued or stored one). */
export function waitingVersionOf(annotationUid: string): string | null {
  const item =
    waiting.find((entry) => entry.version.annotationUid === annotationUid) ??
    [...inFlight].reverse().find((entry) => entry.version.annotationUid === annotationUid);
  return item?.version.versionId ?? null;
}

function schedule(delay?: number): void {
  if (inFlight.length > 0) return;
  if (waiting.length === 0) return;
  const now = performance.now();
  const due = delay ?? Math.max(0, Math.min(...waiting.map((item) => item.notBefore)) - now);
  if (timer !== null) clearTimeout(timer);
  timer = null;
  if (due === 0) {
    // Right after the event that made the edit, before the page renders: the request is on its
    // way while the viewport redraws.
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(() => {
        flushQueued = false;
        void flush();
      });
    }
    return;
  }
  timer = setTimeout(() => {
    timer = null;
    void flush();
  }, due);
}

let flushQueued = false;

async function flush(): Promise<void> {
  if (inFlight.length > 0) return;
  const now = performance.now();
  const batch: Pending[] = [];
  let bytes = 0;
  for (const item of waiting) {
    if (item.notBefore > now) continue;
    const size = JSON.stringify(item.version).length;
    if (batch.length > 0 && (batch.length >= MAX_BATCH || bytes + size > MAX_BATCH_BYTES)) break;
    batch.push(item);
    bytes += size;
  }
  if (batch.length === 0) {
    schedule();
    return;
  }
  waiting = waiting.filter((item) => !batch.includes(item));
  inFlight = batch;
  for (const item of batch) {
    lastSentAt.set(item.version.annotationUid, now);
    if (item.immediateAt !== null) saveSendDelays.push(now - item.immediateAt);
  }
  notify();
  try {
    const { committedAt } = await host.api.call('annotation.save', {
      versions: batch.map((item) => item.version),
    });
    // Main's clock at the commit, on this machine: edit → row committed, whatever keeps this
    // page's thread busy before it reads the answer.
    const committed = committedAt - performance.timeOrigin;
    for (const item of batch) {
      if (item.immediateAt !== null) saveLatencies.push(committed - item.immediateAt);
      else throttledSaveLatencies.push(committed - item.editedAt);
    }
    for (const list of [saveLatencies, throttledSaveLatencies, saveSendDelays]) {
      if (list.length > 10_000) list.splice(0, list.length - 10_000);
    }
    inFlight = [];
    failures = 0;
    lastError = null;
    mirror();
    for (const listener of acknowledgedListeners) listener(batch.map((item) => item.version));
    notify();
    schedule();
  } catch (error) {
    inFlight = [];
    if (error instanceof AppError && refusedForGood(error)) {
      // Main will never take these (a bug, or a version saved before with other content): keep the
      // rest of the queue moving, and say so.
      lastError = error.message;
      console.error('annotation versions refused', error.code, error.message);
      mirror();
      notify();
      schedule();
      return;
    }
    waiting = [...batch, ...waiting];
    failures += 1;
    lastError = error instanceof Error ? error.message : String(error);
    notify();
    schedule(RETRY_MS[Math.min(failures - 1, RETRY_MS.length - 1)]);
  }
}

function refusedForGood(error: AppError): boolean {
  return error.code === ErrorCode.InvalidRequest || error.code === ErrorCode.Conflict;
}

/** Sends everything waiting now (page hidden or closing); the localStorage copy covers the rest. */
export function flushNow(): void {
  for (const item of waiting) item.notBefore = 0;
  if (inFlight.length === 0) {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    void flush();
  }
}

/** Resolves once nothing is waiting or in flight (or after `timeoutMs`). */
export async function drained(timeoutMs = 10_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  flushNow();
  while (waiting.length + inFlight.length > 0) {
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
      waiting.push({ version, editedAt: now, immediateAt: null, notBefore: 0 });
    }
  }
  notify();
  schedule();
}
