/**
 * The frame worker: fetches a stored instance, parses it into Cornerstone's naturalized metadata
 * (the same dcmjs parse the loader runs, `naturalizePart10Buffer`) and, for a single native
 * little-endian greyscale frame, decodes it (nativeFrame.ts, the decoder worker's own rules) — all
 * off the main thread. The metadata and the pixels come back in one message with their buffers
 * transferred, not copied; the main thread (frameFetcher.ts) only stores the metadata and builds
 * the image object from the ready pixels. Anything it cannot do (an HTTP error, a parse error) is
 * answered as a failure and the main thread loads the image the usual way.
 */
/// <reference lib="webworker" />
import { utilities } from '@cornerstonejs/metadata';
import type { DecodedFrame } from './decodedFrames.js';
import { type DecodeRequest, type Natural, decodeNaturalFrame } from './frameDecode.js';

export interface FrameRequest extends DecodeRequest {
  id: number;
  url: string;
  /** False for a volume's slice (Cornerstone decodes it into the volume): parse only. */
  decode: boolean;
}

export type FrameReply =
  | { id: number; ok: true; natural: Record<string, unknown>; decoded: DecodedFrame | null }
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

async function serve(request: FrameRequest): Promise<void> {
  try {
    const response = await fetch(request.url);
    if (!response.ok) {
      postMessage({ id: request.id, ok: false, message: `HTTP ${response.status}` } satisfies FrameReply);
      return;
    }
    const natural = (await utilities.naturalizePart10Buffer(await response.arrayBuffer())) as Natural;
    const decoded = request.decode ? decodeNaturalFrame(natural, request) : null;
    const transfer = new Set<ArrayBuffer>();
    buffersOf(natural, transfer);
    if (decoded && decoded.pixelData.buffer instanceof ArrayBuffer) transfer.add(decoded.pixelData.buffer);
    postMessage({ id: request.id, ok: true, natural, decoded } satisfies FrameReply, [...transfer]);
  } catch (error) {
    postMessage({ id: request.id, ok: false, message: String(error) } satisfies FrameReply);
  }
}

self.onmessage = (event: MessageEvent<FrameRequest>) => {
  void serve(event.data);
};
