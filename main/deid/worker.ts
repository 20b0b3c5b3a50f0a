/**
 * A de-identification worker thread: reads one object, de-identifies it, writes the result to
 * the path it was given (a temporary name in the output folder) and answers with the report.
 * Files never travel between threads; only reports do (and, for byte tasks, the transferred
 * buffers).
 */
import { workerData } from 'node:worker_threads';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { Transfer, serveRequests } from '../core/worker-pool.js';
import { type ClosableDeidentifier, createDeidentifier } from './index.js';
import { InputReader } from './read-input.js';
import type { WorkerInit, WorkerOutcome, WorkerRunConfig, WorkerTask } from './worker-protocol.js';
import { writeChunks } from './write-chunks.js';

const init = workerData as WorkerInit;
const reader = new InputReader();
/** A worker left idle this long lets go of a large read buffer. */
const RELEASE_AFTER_MS = 2000;
let release: NodeJS.Timeout | undefined;
/** The engine of the run being served, rebuilt when a task of another run arrives. */
let engine: { key: number; deidentifier: ClosableDeidentifier } | null = null;

async function deidentifierFor(config: WorkerRunConfig): Promise<ClosableDeidentifier> {
  if (engine?.key === config.key) return engine.deidentifier;
  const previous = engine;
  engine = {
    key: config.key,
    deidentifier: createDeidentifier({
      ...config.value,
      projectSecret: new Uint8Array(config.value.projectSecret),
    }),
  };
  await previous?.deidentifier.close();
  return engine.deidentifier;
}

async function handle(task: WorkerTask): Promise<WorkerOutcome | Transfer<WorkerOutcome>> {
  clearTimeout(release);
  try {
    return await deidentifyTask(task);
  } finally {
    release = setTimeout(() => reader.release(), RELEASE_AFTER_MS);
    release.unref();
  }
}

async function deidentifyTask(task: WorkerTask): Promise<WorkerOutcome | Transfer<WorkerOutcome>> {
  let input: Uint8Array;
  if (task.kind === 'file') {
    try {
      input = reader.read(task.inputPath);
    } catch (error) {
      if (error instanceof AppError)
        return { status: 'failed', error: { code: error.code, message: error.message } };
      return { status: 'failed', error: { code: ErrorCode.Io, message: 'The file could not be read.' } };
    }
  } else {
    input = task.input;
  }
  const deidentifier = await deidentifierFor(task.config);
  const outcome = await deidentifier.deidentifyToChunks(input, { sourceName: task.sourceName });
  if (outcome.status !== 'done') return outcome;
  if (outcome.length > init.maxOutputBytes) {
    return {
      status: 'failed',
      error: {
        code: ErrorCode.TooLarge,
        message: 'The de-identified object would be larger than allowed.',
      },
    };
  }
  const { chunks, length, ...rest } = outcome;
  if (task.kind === 'bytes') {
    const output = Buffer.concat(chunks, length);
    // A fresh buffer of its own (not a slice of Node's shared pool), so it can be handed over.
    const owned = output.byteOffset === 0 && output.byteLength === output.buffer.byteLength;
    const result = { ...rest, output: owned ? output : new Uint8Array(output), outputBytes: length };
    return new Transfer<WorkerOutcome>(result, [result.output.buffer as ArrayBuffer]);
  }
  try {
    writeChunks(task.outputPath, chunks);
  } catch {
    return {
      status: 'failed',
      error: {
        code: ErrorCode.Io,
        message: 'The de-identified file could not be written (disk full or no permission?).',
      },
    };
  }
  return { ...rest, outputBytes: length };
}

serveRequests<WorkerTask, WorkerOutcome>(handle, async () => {
  await engine?.deidentifier.close();
});
