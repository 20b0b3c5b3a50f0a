/**
 * The worker thread that runs a segmentation model (onnxruntime-node, CPU). It loads the ONNX file
 * given in `workerData` once, answers `describe` with the model's tensors, and `run` with the
 * output of one inference (Float32 buffers handed over, not copied). A run is stopped by
 * terminating the thread (main/model/model-app.ts), the only way to stop a native inference.
 */
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-node';
import { Transfer, serveRequests } from '../core/worker-pool.js';
import type { InferenceRequest, InferenceResponse, TensorInfo } from './protocol.js';

type Ort = typeof OrtModule;
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;

interface ModelWorkerData {
  modelPath: string;
  threads: number;
}

const { modelPath, threads } = workerData as ModelWorkerData;
let session: Promise<InferenceSession> | null = null;

function open() {
  session ??= ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: Math.max(1, threads),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // Errors come back as the run's error; the runtime's own log would only repeat them on stderr.
    logSeverityLevel: 4,
  });
  return session;
}

function infoOf(metadata: readonly InferenceSession.ValueMetadata[]): TensorInfo[] {
  return metadata.map((value) =>
    value.isTensor
      ? {
          name: value.name,
          type: String(value.type),
          shape: value.shape.map((d) => (typeof d === 'number' ? d : -1)),
        }
      : { name: value.name, type: 'non-tensor', shape: [] },
  );
}

serveRequests<InferenceRequest, InferenceResponse>(async (request) => {
  const model = await open();
  if (request.type === 'describe')
    return { type: 'described', inputs: infoOf(model.inputMetadata), outputs: infoOf(model.outputMetadata) };
  const input = new ort.Tensor('float32', new Float32Array(request.data), request.dims);
  const results = await model.run({ [request.inputName]: input }, [request.outputName]);
  const output = results[request.outputName];
  if (!output) throw new Error(`the model gave no output "${request.outputName}"`);
  const values =
    output.type === 'float32'
      ? (output.data as Float32Array)
      : Float32Array.from(output.data as ArrayLike<number>);
  // A copy the thread can hand over (the tensor's own buffer belongs to the runtime).
  const data = values.slice().buffer;
  return new Transfer<InferenceResponse>({ type: 'output', dims: output.dims.map(Number), data }, [data]);
});
