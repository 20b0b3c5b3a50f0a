/**
 * Optical character recognition of rendered frames with tesseract.js, fully offline: the
 * WebAssembly core, the worker script and the English traineddata are all resolved from
 * node_modules (tesseract.js, tesseract.js-core, @tesseract.js-data/eng), never fetched.
 *
 * One Tesseract worker is shared by every object and recognitions are queued one at a time
 * (Tesseract is single-threaded per worker, and a second worker on a 2-core machine only
 * competes with the de-identification workers). The worker is created on first use and
 * terminated after a short idle time so that a CLI run can exit.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { toPgm, type GreyImage } from './render.js';

const require = createRequire(import.meta.url);

export interface OcrWord {
  text: string;
  /** Tesseract's word confidence, 0–100. */
  confidence: number;
  /** Box in frame coordinates (the rendered image's scale undone). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface OcrEngine {
  recognize(image: GreyImage): Promise<OcrWord[]>;
  /** Terminates the worker. The engine starts a new one if used again. */
  close(): Promise<void>;
}

interface LanguageData {
  code: string;
  gzip: boolean;
  langPath: string;
}

/** Where tesseract.js finds its parts on this machine. Throws when a package is missing. */
export function localTesseractPaths(): {
  workerPath: string;
  corePath: string;
  langPath: string;
  gzip: boolean;
} {
  const tesseractEntry = require.resolve('tesseract.js');
  const fromTesseract = createRequire(tesseractEntry);
  const english = require('@tesseract.js-data/eng') as LanguageData;
  return {
    workerPath: fromTesseract.resolve('./worker-script/node/index.js'),
    corePath: path.dirname(fromTesseract.resolve('tesseract.js-core/package.json')),
    langPath: english.langPath,
    gzip: english.gzip,
  };
}

export interface TesseractOcrOptions {
  /** Terminate the worker after this long without work (ms). */
  idleMs?: number;
}

export function createTesseractOcr(options: TesseractOcrOptions = {}): OcrEngine {
  const idleMs = options.idleMs ?? 5_000;
  let worker: Promise<Worker> | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let idleTimer: NodeJS.Timeout | null = null;

  async function startWorker(): Promise<Worker> {
    const paths = localTesseractPaths();
    const created = await createWorker('eng', OEM.LSTM_ONLY, {
      workerPath: paths.workerPath,
      corePath: paths.corePath,
      langPath: paths.langPath,
      gzip: paths.gzip,
      // No cache: the traineddata is read from node_modules, nothing is written next to the app.
      cacheMethod: 'none',
      logger: () => undefined,
      errorHandler: () => undefined,
    });
    // Sparse text: scanner overlays are scattered words and short lines, not paragraphs.
    await created.setParameters({ tessedit_pageseg_mode: PSM.SPARSE_TEXT, user_defined_dpi: '150' });
    return created;
  }

  async function stopWorker(): Promise<void> {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    const running = worker;
    worker = null;
    if (running) await (await running).terminate();
  }

  function scheduleIdleStop(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void queue.then(stopWorker), idleMs);
    idleTimer.unref();
  }

  async function recognizeNow(image: GreyImage): Promise<OcrWord[]> {
    worker ??= startWorker();
    const result = await (
      await worker
    ).recognize(Buffer.from(toPgm(image)), {}, { blocks: true, text: false });
    const words: OcrWord[] = [];
    for (const block of result.data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        for (const line of paragraph.lines) {
          for (const word of line.words) {
            const text = word.text.trim();
            if (text === '') continue;
            const { x0, y0, x1, y1 } = word.bbox;
            words.push({
              text,
              confidence: word.confidence,
              x: x0 / image.scale,
              y: y0 / image.scale,
              width: (x1 - x0) / image.scale,
              height: (y1 - y0) / image.scale,
            });
          }
        }
      }
    }
    return words;
  }

  return {
    recognize(image) {
      if (idleTimer) clearTimeout(idleTimer);
      const run = queue.then(() => recognizeNow(image));
      queue = run.catch(() => undefined).finally(scheduleIdleStop);
      return run;
    },
    close() {
      const closing = queue.then(stopWorker);
      queue = closing.catch(() => undefined);
      return closing;
    },
  };
}
