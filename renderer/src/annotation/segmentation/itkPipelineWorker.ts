/**
 * The web worker the contour interpolation runs in: ITK-Wasm's pipeline worker (the same
 * operations its own worker exposes over Comlink), after the `data:` fetch shim its zstd decoder
 * needs under the app's CSP (dataUrlFetch.ts, imported first). Written out here rather than
 * imported for its side effect: itk-wasm declares itself side-effect free, so a bare import of its
 * worker module is dropped by the bundler. (Relative paths: the package exports only its entry.)
 */
import './dataUrlFetch.js';
import * as Comlink from 'comlink';
import type PipelineInput from '../../../../node_modules/itk-wasm/dist/pipeline/pipeline-input.js';
import type PipelineOutput from '../../../../node_modules/itk-wasm/dist/pipeline/pipeline-output.js';
import loadPipelineModule from '../../../../node_modules/itk-wasm/dist/pipeline/web-workers/load-pipeline-module.js';
import runPipeline from '../../../../node_modules/itk-wasm/dist/pipeline/web-workers/run-pipeline.js';

Comlink.expose({
  async runPipeline(
    pipelinePath: string | object,
    pipelineBaseUrl: string,
    args: string[],
    outputs: PipelineOutput[] | null,
    inputs: PipelineInput[] | null,
    pipelineQueryParams?: Parameters<typeof loadPipelineModule>[2],
  ) {
    const pipelineModule = await loadPipelineModule(pipelinePath, pipelineBaseUrl, pipelineQueryParams);
    return runPipeline(pipelineModule, args, outputs, inputs);
  },
});
