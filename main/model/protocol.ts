/** Messages between main/model/model-app.ts and its inference worker (inference-worker.ts). */

export interface TensorInfo {
  name: string;
  /** onnxruntime's element type (`float32`, `uint8`, …) or `non-tensor`. */
  type: string;
  /** -1 for a symbolic (free) dimension. */
  shape: number[];
}

export type InferenceRequest =
  | { type: 'describe' }
  | { type: 'run'; inputName: string; outputName: string; dims: number[]; data: ArrayBuffer };

export type InferenceResponse =
  | { type: 'described'; inputs: TensorInfo[]; outputs: TensorInfo[] }
  | { type: 'output'; dims: number[]; data: ArrayBuffer };
