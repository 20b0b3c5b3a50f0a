/**
 * The frame worker: fetches a stored instance, parses it into Cornerstone's naturalized metadata
 * (the same dcmjs parse the loader runs, `naturalizePart10Buffer`) and, for a single native
 * little-endian greyscale frame, decodes it (nativeFrame.ts, the decoder worker's own rules) — all
 * off the main thread. The metadata and the pixels come back in one message with their buffers
 * transferred, not copied; the main thread (frameFetcher.ts) only stores the metadata and builds
 * the image object from the ready pixels. Anything it cannot do (an HTTP error, a parse error) is
 * answered as a failure and the main thread loads the image the usual way.
 *
 * A batch request (`BatchRequest`) asks for several files in one fetch of `/instance-batch/…`
 * (shared/instance-batch.ts): each file is parsed as soon as its bytes are in
 * (instanceBatch.ts) and answered under its own id, as a single request is; a file the answer
 * refuses, or that an answer ending early leaves incomplete, is answered as a failure.
 */
/// <reference lib="webworker" />
import type { DecodedFrame } from './decodedFrames.js';
import {
  type DecodeRequest,
  type Natural,
  decodeNaturalFrame,
  fetchParsedFile,
  parseFile,
  releaseFrameBytes,
} from './frameDecode.js';
import { InstanceBatchReader } from './instanceBatch.js';

export interface FrameRequest extends DecodeRequest {
  id: number;
  url: string;
  /** False for a volume's slice (Cornerstone decodes it into the volume): parse only. */
  decode: boolean;
}

/** Several files in one fetch (`url`: an `/instance-batch/…` URL naming them in `items`' order). */
export interface BatchRequest {
  batch: true;
  url: string;
  items: Omit<FrameRequest, 'url'>[];
}

export type FrameReply =
  | {
      id: number;
      ok: true;
      natural: Record<string, unknown>;
      decoded: DecodedFrame | null;
      /** The frame's raw bytes were left out (decoded): its PixelData holds a one-byte stand-in. */
      rawReleased: boolean;
    }
  | { id: number; ok: false; message: string };

/** Every buffer the reply holds (each once), to be transferred rather than copied. */
function buffersOf(value: unknown, found: Set<ArrayBuffer>, depth = 0): void {
  if (value instanceof ArrayBuffer) found.add(value);
  else if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (depth < 8 && value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) buffersOf(item, found, depth + 1);
  }
}

/** Decodes a parsed file's frame when asked and answers with the buffers moved. */
function answer(request: Omit<FrameRequest, 'url'>, natural: Natural): void {
  const decoded = request.decode ? decodeNaturalFrame(natural, request) : null;
  // The main thread needs the decoded frame only; the raw bytes stay here (and are collected).
  const rawReleased = decoded !== null && releaseFrameBytes(natural) !== null;
  const transfer = new Set<ArrayBuffer>();
  buffersOf(natural, transfer);
  if (decoded && decoded.pixelData.buffer instanceof ArrayBuffer) transfer.add(decoded.pixelData.buffer);
  postMessage({ id: request.id, ok: true, natural, decoded, rawReleased } satisfies FrameReply, [
    ...transfer,
  ]);
}

function fail(id: number, message: string): void {
  postMessage({ id, ok: false, message } satisfies FrameReply);
}

async function serve(request: FrameRequest): Promise<void> {
  try {
    answer(request, await fetchParsedFile(request.url));
  } catch (error) {
    fail(request.id, String(error));
  }
}

async function serveBatch(request: BatchRequest): Promise<void> {
  const reader = new InstanceBatchReader(request.items.length);
  let answered = 0;
  try {
    const response = await fetch(request.url);
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    const body = response.body.getReader();
    for (;;) {
      const { done, value } = await body.read();
      if (done) break;
      for (const record of reader.push(value)) {
        const item = request.items[record.index]!;
        answered = record.index + 1;
        if (!record.ok) fail(item.id, record.message);
        else {
          try {
            answer(item, await parseFile(record.bytes));
          } catch (error) {
            fail(item.id, String(error));
          }
        }
      }
    }
    reader.end();
  } catch (error) {
    // Everything not answered yet fails (and is loaded alone by the main thread).
    for (const item of request.items.slice(answered)) fail(item.id, String(error));
  }
}

self.onmessage = (event: MessageEvent<FrameRequest | BatchRequest>) => {
  const request = event.data;
  if ('batch' in request) void serveBatch(request);
  else void serve(request);
};
