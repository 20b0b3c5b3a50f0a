/**
 * A de-identification worker thread: reads one object, de-identifies it, writes the result to
 * the path it was given (a temporary name in the output folder) and answers with the report.
 * Files never travel between threads; only reports do.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { ErrorCode } from '../../shared/errors.js';
import { createDeidentifier } from './index.js';
import type { WorkerInit, WorkerResult, WorkerTask } from './worker-protocol.js';
import { writeChunks } from './write-chunks.js';

const init = workerData as WorkerInit;
const deidentifier = createDeidentifier({
  ...init.config,
  projectSecret: new Uint8Array(init.config.projectSecret),
});
const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');

async function handle(task: WorkerTask): Promise<WorkerResult> {
  let input: Uint8Array;
  if (task.kind === 'file') {
    try {
      input = fs.readFileSync(task.inputPath);
    } catch {
      return {
        id: task.id,
        outcome: { status: 'failed', error: { code: ErrorCode.Io, message: 'The file could not be read.' } },
      };
    }
  } else {
    input = task.input;
  }
  const outcome = await deidentifier.deidentifyToChunks(input, { sourceName: task.sourceName });
  if (outcome.status !== 'done') return { id: task.id, outcome };
  if (outcome.length > init.maxOutputBytes) {
    return {
      id: task.id,
      outcome: {
        status: 'failed',
        error: {
          code: ErrorCode.TooLarge,
          message: 'The de-identified object would be larger than allowed.',
        },
      },
    };
  }
  const { chunks, length, ...rest } = outcome;
  if (task.kind === 'bytes')
    return { id: task.id, outcome: { ...rest, output: Buffer.concat(chunks, length), outputBytes: length } };
  try {
    writeChunks(task.outputPath, chunks);
  } catch {
    return {
      id: task.id,
      outcome: {
        status: 'failed',
        error: {
          code: ErrorCode.Io,
          message: 'The de-identified file could not be written (disk full or no permission?).',
        },
      },
    };
  }
  return { id: task.id, outcome: { ...rest, outputBytes: length } };
}

port.on('message', (task: WorkerTask | 'close') => {
  if (task === 'close') {
    void deidentifier.close().finally(() => port.close());
    return;
  }
  void handle(task).then((result) => {
    const transfer =
      'output' in result.outcome && result.outcome.output
        ? [result.outcome.output.buffer as ArrayBuffer]
        : [];
    port.postMessage(result, transfer);
  });
});
