/**
 * The main thread's side of the frame worker (frameWorker.ts): before Cornerstone's loader runs
 * for a stored instance whose metadata is not known yet, the worker fetches, parses and decodes it;
 * here its naturalized metadata goes into Cornerstone's metadata cache and its decoded frame is
 * kept for `createImage` (decodedFrames.ts), so the loader then finds both and only builds the image
 * object. The main thread thus no longer receives the file, parses it or converts its pixels.
 *
 * Any failure (no worker, an HTTP error, a file the worker cannot parse) resolves `false` and the
 * loader goes its usual way, with its usual errors (viewer/load-error.ts reads them). After a few
 * failures in a row with nothing served (a host whose scheme workers cannot fetch) the worker is
 * no longer asked.
 *
 * The stack's prefetch asks for several files at once (`prefetchInWorker`): the worker fetches
 * them in one request (`/instance-batch/…`) and answers each as it arrives. A file the batch does
 * not bring (refused, an answer that ends early, a host without the route) is then asked for alone,
 * as above; after a batch fails as a whole with nothing served, batches are no longer sent.
 */
import { canRenderFloatTextures, metaData } from '@cornerstonejs/core';
import { Enums as MetadataEnums, utilities as metadataUtilities } from '@cornerstonejs/metadata';
import { keepDecodedFrame } from './decodedFrames.js';
import { type Natural, fetchParsedFile, singleFrameBytes } from './frameDecode.js';
import {
  INSTANCE_BATCH_PATH,
  MAX_BATCH_FILES,
  SOP_INSTANCE_UID_PATTERN,
} from '../../../shared/instance-batch.js';
import type { BatchRequest, FrameReply, FrameRequest } from './frameWorker.js';

const NATURALIZED = MetadataEnums.MetadataModules.NATURALIZED;
const GIVE_UP_AFTER = 3;

let worker: Worker | null = null;
let disabled = false;
let failuresInARow = 0;
let served = 0;
let nextId = 1;
let batchesDisabled = false;
let batchesServed = 0;
const waiting = new Map<number, (reply: FrameReply | null) => void>();
/** One worker load per file, shared by the frames and requests that ask meanwhile. */
const loading = new Map<string, Promise<boolean>>();

function frameWorker(): Worker | null {
  if (worker || disabled) return worker;
  try {
    worker = new Worker(new URL('./frameWorker.ts', import.meta.url), { type: 'module', name: 'frames' });
  } catch {
    disabled = true;
    return null;
  }
  worker.onmessage = (event: MessageEvent<FrameReply>) => {
    const resolve = waiting.get(event.data.id);
    waiting.delete(event.data.id);
    resolve?.(event.data);
  };
  worker.onerror = () => {
    // The module did not load or the worker died: everything waiting goes the usual way.
    disabled = true;
    worker?.terminate();
    worker = null;
    for (const resolve of waiting.values()) resolve(null);
    waiting.clear();
  };
  return worker;
}

/**
 * dcmjs gives a person name a non-enumerable `0` that points to the name itself (so `name[0]`
 * works as for a multi-valued one); a structured clone drops it. Put back on every name object.
 */
function restorePersonNames(value: unknown, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object' || value instanceof ArrayBuffer) return;
  if (Array.isArray(value)) {
    for (const item of value) restorePersonNames(item, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (('Alphabetic' in record || 'Ideographic' in record || 'Phonetic' in record) && !('0' in record)) {
    Object.defineProperty(record, '0', {
      value: record,
      enumerable: false,
      configurable: true,
      writable: true,
    });
    return;
  }
  for (const item of Object.values(record)) restorePersonNames(item, depth + 1);
}

function ask(request: Omit<FrameRequest, 'id'>): Promise<FrameReply | null> {
  const target = frameWorker();
  if (!target) return Promise.resolve(null);
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    target.postMessage({ ...request, id } satisfies FrameRequest);
  });
}

/** The Cornerstone image id of the file an image id's frame is in, and that file's URL. */
function fileOf(imageId: string): { baseImageId: string; url: string } | null {
  const baseImageId = metaData.get(metadataUtilities.BASE_IMAGE_ID, imageId) as string | undefined;
  if (typeof baseImageId !== 'string' || !baseImageId.startsWith('wadouri:')) return null;
  return { baseImageId, url: baseImageId.slice('wadouri:'.length) };
}

/**
 * The raw pixel bytes of a single-frame file, fetched and parsed again (by the worker, parse only;
 * on this thread when the worker cannot, with the worker's own fetch and parse): for a frame whose
 * bytes the worker left out. Unlike an image's load, there is no loader to fall back on here (the
 * worker's stand-in replaced these bytes), so this thread does the worker's part itself.
 */
async function rawFrameBytes(url: string): Promise<Uint8Array> {
  const reply = await ask({ url, decode: false, preScaleEnabled: false, allowFloatRendering: false });
  const natural: Natural = reply?.ok ? reply.natural : await fetchParsedFile(url);
  const bytes = singleFrameBytes(natural);
  if (!bytes) throw new Error('The image file no longer holds its pixel data.');
  return new Uint8Array(bytes);
}

async function loadInWorker(
  baseImageId: string,
  url: string,
  preScaleEnabled: boolean,
  decode: boolean,
): Promise<boolean> {
  const reply = await ask({ url, decode, preScaleEnabled, allowFloatRendering: canRenderFloatTextures() });
  return takeReply(baseImageId, reply);
}

function takeReply(baseImageId: string, reply: FrameReply | null): boolean {
  if (!reply?.ok) {
    failuresInARow += 1;
    if (served === 0 && failuresInARow >= GIVE_UP_AFTER) disabled = true;
    return false;
  }
  failuresInARow = 0;
  served += 1;
  restorePersonNames(reply.natural);
  const pixelData = reply.natural['PixelData'];
  if (reply.decoded && Array.isArray(pixelData)) {
    const frame: unknown = pixelData[0];
    const bytes: unknown = Array.isArray(frame) ? frame[0] : frame;
    // The worker left the raw bytes out (a stand-in): a decode that needs them fetches them again.
    const url = baseImageId.slice('wadouri:'.length);
    if (bytes instanceof ArrayBuffer)
      keepDecodedFrame(bytes, reply.decoded, reply.rawReleased ? () => rawFrameBytes(url) : undefined);
  }
  // Cornerstone's own loader would have found nothing and parsed the file into this same entry.
  if (!metaData.get(NATURALIZED, baseImageId))
    metadataUtilities.setCacheData(NATURALIZED, baseImageId, reply.natural);
  return true;
}

/**
 * Makes the image's file known to Cornerstone's metadata (and its frame decoded) through the
 * worker, when it is not yet; resolves whether the worker did it.
 */
export function prepareInWorker(
  imageId: string,
  options: { preScale?: { enabled?: boolean }; targetBuffer?: unknown } = {},
): Promise<boolean> {
  if (disabled) return Promise.resolve(false);
  const file = fileOf(imageId);
  if (!file) return Promise.resolve(false);
  const pending = loading.get(file.baseImageId);
  if (pending) return pending;
  if (metaData.get(NATURALIZED, imageId)) return Promise.resolve(false);
  const preScaleEnabled = options.preScale?.enabled ?? true;
  // A volume's slice is decoded into the volume's own buffer by Cornerstone: parsed here only.
  const decode = options.targetBuffer === undefined;
  // A stack image while its prefetch runs (a reader's step onto a slice not on its way): with the
  // next ones in one request, as the prefetch asks for them (the same decode).
  if (decode && preScaleEnabled && !batchesDisabled) {
    for (const planner of planners) {
      const batch = planner(imageId);
      if (!batch || batch.length < 2) continue;
      prefetchInWorker(batch);
      const batched = loading.get(file.baseImageId);
      if (batched) return batched;
      break;
    }
  }
  const load = loadInWorker(file.baseImageId, file.url, preScaleEnabled, decode).finally(() =>
    loading.delete(file.baseImageId),
  );
  loading.set(file.baseImageId, load);
  return load;
}

/**
 * Says which images to fetch with a given one (itself first), or null when it is not one of the
 * planner's; the stack prefetch registers one while it runs (scrollPrefetch.ts).
 */
export type BatchPlanner = (imageId: string) => readonly string[] | null;
const planners = new Set<BatchPlanner>();

/** Registers a planner for the loads of `prepareInWorker`; returns its removal. */
export function addBatchPlanner(planner: BatchPlanner): () => void {
  planners.add(planner);
  return () => planners.delete(planner);
}

const INSTANCE_URL = new RegExp(`^(.*)/instances/(${SOP_INSTANCE_UID_PATTERN})$`);

/** The SOP Instance UID in a stored instance's URL (`…/instances/<uid>`), if that is what it is. */
function instanceUidOf(url: string): { origin: string; uid: string } | null {
  const match = INSTANCE_URL.exec(url);
  return match ? { origin: match[1]!, uid: match[2]! } : null;
}

/**
 * Asks the worker for several images' files in one request (the stack's prefetch: the image it
 * is about to load and the next ones in its order), each then prepared as `prepareInWorker`
 * prepares one: a later `prepareInWorker` (the loader's) for any of them takes that load. Nothing
 * is sent when the first is on its way already; files already known or on their way are left out;
 * a file the batch does not bring is asked for alone. Volume slices are not batched (the prefetch
 * is the stack's).
 */
export function prefetchInWorker(imageIds: readonly string[]): void {
  if (disabled || batchesDisabled) return;
  // The first is the one about to be loaded: on its way already (an earlier batch), nothing to do.
  const first = imageIds[0] === undefined ? null : fileOf(imageIds[0]);
  if (!first || loading.has(first.baseImageId)) return;
  const files: { baseImageId: string; url: string; uid: string }[] = [];
  let origin: string | null = null;
  for (const imageId of imageIds) {
    const file = fileOf(imageId);
    if (!file || loading.has(file.baseImageId) || metaData.get(NATURALIZED, imageId)) continue;
    const instance = instanceUidOf(file.url);
    if (!instance || (origin !== null && instance.origin !== origin)) continue;
    if (files.some((known) => known.baseImageId === file.baseImageId)) continue;
    origin = instance.origin;
    files.push({ ...file, uid: instance.uid });
    if (files.length === MAX_BATCH_FILES) break;
  }
  // One file alone goes the single way (the loader asks for it).
  if (files.length < 2 || origin === null) return;
  const target = frameWorker();
  if (!target) return;
  const allowFloatRendering = canRenderFloatTextures();
  let failed = 0;
  const items = files.map((file) => {
    const id = nextId++;
    const reply = new Promise<FrameReply | null>((resolve) => waiting.set(id, resolve));
    const load = reply
      .then((answer) => {
        if (answer?.ok) {
          batchesServed += 1;
          return takeReply(file.baseImageId, answer);
        }
        // A whole batch failing before any batch served: a host without the route.
        failed += 1;
        if (failed === files.length && batchesServed === 0) batchesDisabled = true;
        // Not in the batch: alone, as the loader would have asked for it.
        return loadInWorker(file.baseImageId, file.url, true, true);
      })
      .finally(() => loading.delete(file.baseImageId));
    loading.set(file.baseImageId, load);
    // As the loader's own request for a stack image: pre-scaled, decoded here.
    return { id, decode: true, preScaleEnabled: true, allowFloatRendering };
  });
  const url = `${origin}${INSTANCE_BATCH_PATH}${files.map((file) => file.uid).join(',')}`;
  target.postMessage({ batch: true, url, items } satisfies BatchRequest);
}
