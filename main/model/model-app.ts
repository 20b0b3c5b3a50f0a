/**
 * Running a project's segmentation model on a series (issue #11 item 5, docs/ai-models.md).
 *
 * The model is one the loaded project's manifest names (shared/sync-manifest.ts `models`): its
 * ONNX file, absolute or relative to the manifest's folder, must have the SHA-256 the manifest
 * gives, else it is never loaded. A run:
 *
 *   checking  the file exists and its digest matches; the series fits the input spec (modality,
 *             size, spacing) and the model's tensors fit the layout (rank, fixed dimensions);
 *   reading   the images in stack order, as modality values (series-pixels.ts), one at a time for
 *             `2d` (read, normalise, infer), all into one input for `3d`;
 *   running   onnxruntime-node (CPU) in a worker thread (inference-worker.ts): one inference per
 *             slice (`2d`) or one on the whole series (`3d`), progress per inference;
 *   saving    each output channel the spec names, above its threshold, becomes a segment of one
 *             new labelmap version, written in one transaction, whose source is `ai:<model id>`
 *             and whose author is the model (`<manufacturer> <name> <version>`).
 *
 * Cancel terminates the worker (the only way to stop a native inference); nothing is written
 * before the last inference ended, so a cancelled or failed run leaves no labelmap. One run at a
 * time per workstation. Each run is a row in `model_run` (migration 0017) with how it ended.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Handlers } from '../../shared/contract.js';
import { AppError, ErrorCode, isAppError } from '../../shared/errors.js';
import {
  type ModelRunPhase,
  type ModelRunProgress,
  type ModelSpec,
  type ModelSummary,
  type modelMethods,
  queuedRun,
} from '../../shared/model.js';
import type { SaveSlicesParsed, SegmentInfo } from '../../shared/segmentation.js';
import type { SyncManifest } from '../../shared/sync-manifest.js';
import { openCatalogConnection } from '../catalog/catalog.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { WorkerPool, WorkerPoolError } from '../core/worker-pool.js';
import type { InferenceRequest, InferenceResponse, TensorInfo } from './protocol.js';
import { type SeriesHeader, checkSameSize, readSeriesSlice, yieldToOthers } from './series-pixels.js';

const deflate = promisify(zlib.deflate);

type ModelHandlers = Pick<Handlers, keyof typeof modelMethods>;

export interface ModelProject {
  manifest: SyncManifest;
  /** The manifest's folder: relative model files are taken from here. */
  baseDir: string;
}

export interface ModelAppOptions {
  catalogFile: string;
  events: EventBus;
  logger: Logger;
  /** The loaded project (null without one). */
  project(): ModelProject | null;
  /** The images of a series in stack order, with their store files; null when the series is unknown. */
  seriesFiles(
    studyInstanceUID: string,
    seriesInstanceUID: string,
  ): Array<{ sopInstanceUID: string; path: string }> | null;
  /** Stores a labelmap version in one transaction (main/annotation/labelmap-store.ts). */
  saveLabelmap(request: SaveSlicesParsed, author: string, source: string): void;
  /** Who starts runs (the signed-in reader). */
  reader(): string;
  /** Threads the runtime may use; default cores − 1 (at least 1). */
  threads?: number;
  /** Tests: a pause before each inference, to cancel mid-run deterministically. */
  beforeInference?: (index: number) => Promise<void>;
}

export interface ModelApp {
  readonly handlers: ModelHandlers;
  /** Resolves when the run has ended, with its last progress. */
  whenDone(runId: string): Promise<ModelRunProgress>;
  close(): Promise<void>;
}

interface Run {
  progress: ModelRunProgress;
  controller: AbortController;
  done: Promise<ModelRunProgress>;
  lastEmit: number;
}

/** The model's file on disk: absolute, or relative to the manifest's folder. */
export function modelFilePath(spec: Pick<ModelSpec, 'file'>, baseDir: string): string {
  return path.resolve(baseDir, spec.file);
}

/** SHA-256 of a file, streamed (models are tens to hundreds of megabytes). */
export async function fileSha256(file: string, signal?: AbortSignal): Promise<string> {
  const hash = crypto.createHash('sha256');
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The author a model's output carries: manufacturer, name and version. */
export function modelAuthor(spec: Pick<ModelSpec, 'manufacturer' | 'name' | 'version'>): string {
  return `${spec.manufacturer} ${spec.name} ${spec.version}`.slice(0, 128);
}

function rejected(message: string): AppError {
  return new AppError(ErrorCode.ModelRejected, message);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? '?' : String(d))).join(', ')}]`;
}

/** Mean and standard deviation of a series' modality values (for `zscore`). */
export interface SeriesStats {
  mean: number;
  std: number;
}

/** Normalised input values: modality values mapped as the spec says (`zscore` needs the series' stats). */
export function normalizer(spec: ModelSpec, stats: SeriesStats | null): (value: number) => number {
  const normalization = spec.input.normalization;
  switch (normalization.type) {
    case 'none':
      return (value) => value;
    case 'scale':
      return (value) => value * normalization.scale + normalization.offset;
    case 'window': {
      const low = normalization.center - normalization.width / 2;
      return (value) => Math.min(1, Math.max(0, (value - low) / normalization.width));
    }
    case 'zscore': {
      const mean = stats?.mean ?? 0;
      const std = stats?.std || 1;
      return (value) => (value - mean) / std;
    }
  }
}

/** Checks the series against the input spec (modality, size, spacing); throws what does not fit. */
export function checkSeries(spec: ModelSpec, pixels: SeriesHeader): void {
  const { modality, size, spacingMm } = spec.input;
  if (modality && !modality.includes(pixels.modality))
    throw rejected(
      `${spec.name} is made for ${modality.join(' or ')} images; this series is ${pixels.modality || 'of no stated modality'}.`,
    );
  if (size && (size.columns !== pixels.columns || size.rows !== pixels.rows))
    throw rejected(
      `${spec.name} needs images of ${size.columns} × ${size.rows} pixels; this series has ${pixels.columns} × ${pixels.rows}.`,
    );
  if (spacingMm) {
    const spacing = pixels.spacing;
    if (!spacing)
      throw rejected(`${spec.name} needs the pixel spacing, which the images of this series do not give.`);
    if (spacing.some((value) => value < spacingMm.min || value > spacingMm.max))
      throw rejected(
        `${spec.name} expects a pixel spacing of ${spacingMm.min}–${spacingMm.max} mm; this series has ${spacing[0]} × ${spacing[1]} mm.`,
      );
  }
}

/** The input and output tensors to use, checked against the layout's rank and fixed dimensions. */
export function chooseTensors(
  spec: ModelSpec,
  model: { inputs: TensorInfo[]; outputs: TensorInfo[] },
  inputShape: number[],
): { input: TensorInfo; output: TensorInfo } {
  const input = spec.input.tensor
    ? model.inputs.find((tensor) => tensor.name === spec.input.tensor)
    : model.inputs[0];
  if (!input)
    throw rejected(
      spec.input.tensor
        ? `${spec.name} has no input tensor "${spec.input.tensor}" (it has ${model.inputs.map((t) => t.name).join(', ')}).`
        : `${spec.name} has no input tensor.`,
    );
  const output = spec.output.tensor
    ? model.outputs.find((tensor) => tensor.name === spec.output.tensor)
    : model.outputs[0];
  if (!output)
    throw rejected(
      spec.output.tensor
        ? `${spec.name} has no output tensor "${spec.output.tensor}" (it has ${model.outputs.map((t) => t.name).join(', ')}).`
        : `${spec.name} has no output tensor.`,
    );
  if (input.type !== 'float32')
    throw rejected(
      `${spec.name}'s input "${input.name}" takes ${input.type} values; only float32 inputs are supported.`,
    );
  const fits =
    input.shape.length === inputShape.length &&
    input.shape.every((dimension, index) => dimension < 0 || dimension === inputShape[index]);
  if (!fits)
    throw rejected(
      `${spec.name}'s input "${input.name}" has shape ${shapeText(input.shape)}; this series gives ${shapeText(inputShape)} (${spec.input.layout === '2d' ? 'one slice: [1, 1, rows, columns]' : 'the series: [1, 1, slices, rows, columns]'}).`,
    );
  return { input, output };
}

/** Checks one inference's output: [1, C, …spatial] with C above every channel the spec names. */
function checkOutput(spec: ModelSpec, dims: readonly number[], spatial: readonly number[]): void {
  const channels = Math.max(...spec.output.labels.map((label) => label.channel)) + 1;
  const fits =
    dims.length === spatial.length + 2 &&
    dims[0] === 1 &&
    dims[1]! >= channels &&
    spatial.every((dimension, index) => dims[index + 2] === dimension);
  if (!fits)
    throw rejected(
      `${spec.name} answered an output of shape ${shapeText(dims)}; [1, ${channels > 1 ? `≥${channels}` : '1'}, ${spatial.join(', ')}] was expected.`,
    );
}

export function createModelApp(options: ModelAppOptions): ModelApp {
  const db = openCatalogConnection(options.catalogFile);
  const runs = new Map<string, Run>();
  let active: Run | null = null;
  const threads = options.threads ?? Math.max(1, os.availableParallelism() - 1);

  // Runs that were under way when the app stopped ended there.
  db.prepare(
    `UPDATE model_run SET status = 'failed', error_code = 'interrupted', finished_at = ? WHERE status = 'running'`,
  ).run(Date.now());

  const modelsOf = (): { project: ModelProject | null; models: ModelSpec[] } => {
    const project = options.project();
    return { project, models: project?.manifest.models ?? [] };
  };

  const emit = (run: Run, force = false) => {
    const now = Date.now();
    if (!force && now - run.lastEmit < 100) return;
    run.lastEmit = now;
    options.events.emit('model.progress', { ...run.progress });
  };

  const setPhase = (run: Run, phase: ModelRunPhase, patch: Partial<ModelRunProgress> = {}) => {
    run.progress = { ...run.progress, ...patch, phase };
    emit(run, true);
  };

  async function execute(run: Run, spec: ModelSpec, project: ModelProject): Promise<void> {
    const { signal } = run.controller;
    const { studyInstanceUID, seriesInstanceUID } = run.progress;
    const stop = () => {
      if (signal.aborted) throw new AppError(ErrorCode.Cancelled, 'Cancelled.');
    };
    setPhase(run, 'checking');
    const file = modelFilePath(spec, project.baseDir);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (error) {
      throw new AppError(
        ErrorCode.PathNotFound,
        `The model file of ${spec.name} is missing: ${file}. Copy it there, or load a project manifest that names where it is.`,
        { cause: error },
      );
    }
    if (!stat.isFile()) throw rejected(`The model file of ${spec.name} is not a file: ${file}.`);
    const digest = await fileSha256(file, signal).catch((error: unknown) => {
      stop();
      throw new AppError(ErrorCode.Io, `The model file of ${spec.name} cannot be read: ${file}.`, {
        cause: error,
      });
    });
    stop();
    if (digest.toLowerCase() !== spec.sha256.toLowerCase())
      throw rejected(
        `The model file ${file} is not the one the project names for ${spec.name} ${spec.version} (its SHA-256 differs); it was not run.`,
      );
    const files = options.seriesFiles(studyInstanceUID, seriesInstanceUID);
    if (!files || files.length === 0)
      throw new AppError(ErrorCode.NotFound, 'This series is not in the local catalog.');

    // The first image: the series' header, checked before anything heavy starts.
    const first = await readSeriesSlice(files[0]!.path);
    stop();
    checkSeries(spec, first.header);
    const { rows, columns } = first.header;
    const depth = files.length;
    const planeSize = rows * columns;
    const layout = spec.input.layout;
    const inputShape = layout === '2d' ? [1, 1, rows, columns] : [1, 1, depth, rows, columns];
    const spatial = layout === '2d' ? [rows, columns] : [depth, rows, columns];
    const labels = spec.output.labels;
    // masks[label][slice]: 1 where the label's score is above its threshold.
    const masks = labels.map(() => files.map(() => new Uint8Array(planeSize)));
    /** Image k's modality values (the first is read already), checked for size; yields in between. */
    const sliceValues = async (k: number): Promise<Float32Array> => {
      if (k === 0) return first.values;
      await yieldToOthers();
      stop();
      const slice = await readSeriesSlice(files[k]!.path);
      checkSameSize(first.header, slice.header);
      return slice.values;
    };

    const isTypescript = import.meta.url.endsWith('.ts');
    const pool = new WorkerPool<InferenceRequest, InferenceResponse>(
      new URL(isTypescript ? './inference-worker.ts' : './inference-worker.js', import.meta.url),
      { size: 1, workerData: { modelPath: file, threads } },
    );
    const call = async (request: InferenceRequest, transfer: ArrayBuffer[] = []) => {
      try {
        return await pool.run(request, { signal, transfer });
      } catch (error) {
        if (signal.aborted || (error instanceof WorkerPoolError && error.reason === 'cancelled'))
          throw new AppError(ErrorCode.Cancelled, 'Cancelled.', { cause: error });
        const message = error instanceof Error ? error.message : String(error);
        if (/Got invalid dimensions|invalid rank/i.test(message))
          throw rejected(`${spec.name} refused the input: ${message.slice(0, 300)}`);
        throw new AppError(
          ErrorCode.ModelFailed,
          `${spec.name} stopped with an error: ${message.slice(0, 300)}`,
          {
            cause: error,
          },
        );
      }
    };
    try {
      // The model's tensors are checked against the layout before the series is read.
      const described = await call({ type: 'describe' });
      if (described.type !== 'described')
        throw new AppError(ErrorCode.Internal, 'The model worker answered out of turn.');
      const { input, output } = chooseTensors(spec, described, inputShape);
      let stats: SeriesStats | null = null;
      if (spec.input.normalization.type === 'zscore') {
        // A first pass for the series' mean and deviation; the images are read again below.
        setPhase(run, 'reading', { done: 0, total: depth });
        let sum = 0;
        let sumSquares = 0;
        for (let k = 0; k < depth; k++) {
          for (const value of await sliceValues(k)) {
            sum += value;
            sumSquares += value * value;
          }
          run.progress = { ...run.progress, done: k + 1 };
          emit(run);
        }
        const count = depth * planeSize;
        const mean = sum / count;
        stats = { mean, std: Math.sqrt(Math.max(0, sumSquares / count - mean * mean)) };
      }
      const normalize = normalizer(spec, stats);
      const infer = async (values: Float32Array<ArrayBuffer>, slices: number[]) => {
        const answer = await call(
          {
            type: 'run',
            inputName: input.name,
            outputName: output.name,
            dims: inputShape,
            data: values.buffer,
          },
          [values.buffer],
        );
        stop();
        if (answer.type !== 'output')
          throw new AppError(ErrorCode.Internal, 'The model worker answered out of turn.');
        checkOutput(spec, answer.dims, spatial);
        const scores = new Float32Array(answer.data);
        const channelSize = spatial.reduce((a, b) => a * b, 1);
        labels.forEach((label, labelIndex) => {
          const threshold = label.threshold ?? spec.output.threshold;
          const channel = scores.subarray(label.channel * channelSize, (label.channel + 1) * channelSize);
          slices.forEach((sliceIndex, k) => {
            const mask = masks[labelIndex]![sliceIndex]!;
            const plane = channel.subarray(k * planeSize, (k + 1) * planeSize);
            for (let i = 0; i < planeSize; i++) if (plane[i]! > threshold) mask[i] = 1;
          });
        });
      };
      if (layout === '2d') {
        // One image at a time: read, normalise, infer.
        setPhase(run, 'running', { done: 0, total: depth });
        for (let k = 0; k < depth; k++) {
          const source = await sliceValues(k);
          const values = new Float32Array(planeSize);
          for (let i = 0; i < planeSize; i++) values[i] = normalize(source[i]!);
          await options.beforeInference?.(k);
          stop();
          await infer(values, [k]);
          run.progress = { ...run.progress, done: k + 1 };
          emit(run, k + 1 === depth);
        }
      } else {
        // The whole series in one input, normalised as it is read.
        setPhase(run, 'reading', { done: 0, total: depth });
        const values = new Float32Array(planeSize * depth);
        for (let k = 0; k < depth; k++) {
          const source = await sliceValues(k);
          const offset = k * planeSize;
          for (let i = 0; i < planeSize; i++) values[offset + i] = normalize(source[i]!);
          run.progress = { ...run.progress, done: k + 1 };
          emit(run);
        }
        setPhase(run, 'running', { done: 0, total: 1 });
        await options.beforeInference?.(0);
        stop();
        await infer(
          values,
          files.map((_, k) => k),
        );
        run.progress = { ...run.progress, done: 1 };
        emit(run, true);
      }
    } finally {
      await pool.close();
    }
    stop();

    setPhase(run, 'saving');
    // Segments that overlap each go on a layer of their own; else all share layer 0.
    let overlap = false;
    for (let k = 0; k < depth && !overlap; k++)
      for (let i = 0; i < planeSize && !overlap; i++) {
        let count = 0;
        for (const mask of masks) count += mask[k]![i]!;
        if (count > 1) overlap = true;
      }
    const layers = overlap ? labels.length : 1;
    const schemaLabels = project.manifest.labelSchema.labels;
    const segments: SegmentInfo[] = labels.map((output, index) => {
      const label = schemaLabels.find((candidate) => candidate.id === output.labelId);
      return {
        segmentIndex: index + 1,
        labelId: output.labelId,
        name: (label?.name.en ?? output.labelId).slice(0, 200),
        color: label?.color && /^#[0-9a-fA-F]{6}$/.test(label.color) ? label.color : '#ff9900',
        visible: true,
        locked: false,
        opacity: 0.5,
        layer: overlap ? index : 0,
        labelValue: index + 1,
      };
    });
    const voxels: Record<string, number> = {};
    const slices: SaveSlicesParsed['slices'] = [];
    for (let layer = 0; layer < layers; layer++)
      for (let k = 0; k < depth; k++) {
        const plane = new Uint8Array(planeSize);
        let any = false;
        segments.forEach((segment, index) => {
          if (segment.layer !== layer) return;
          const mask = masks[index]![k]!;
          let count = 0;
          for (let i = 0; i < planeSize; i++)
            if (mask[i]) {
              plane[i] = segment.labelValue;
              count++;
            }
          if (count > 0) any = true;
          voxels[segment.labelId!] = (voxels[segment.labelId!] ?? 0) + count;
        });
        if (!any) continue;
        const compressed = await deflate(plane, { level: 6 });
        slices.push({
          layer,
          sopInstanceUID: files[k]!.sopInstanceUID,
          frame: 1,
          data: compressed.toString('base64'),
        });
      }
    for (const segment of segments) voxels[segment.labelId!] ??= 0;
    stop();
    const annotationUid = crypto.randomUUID();
    const versionId = crypto.randomUUID();
    options.saveLabelmap(
      {
        annotationUid,
        versionId,
        parentVersionId: null,
        studyInstanceUID,
        seriesInstanceUID,
        width: columns,
        height: rows,
        bits: 8,
        layers,
        segments,
        deleted: false,
        slices,
      },
      modelAuthor(spec),
      `ai:${spec.id}`,
    );
    db.prepare(
      `UPDATE model_run SET status = 'done', annotation_uid = ?, version_id = ?, finished_at = ? WHERE run_id = ?`,
    ).run(annotationUid, versionId, Date.now(), run.progress.runId);
    setPhase(run, 'done', { annotationUid, versionId, voxels });
  }

  const handlers: ModelHandlers = {
    'model.list': async () => {
      const { project, models } = modelsOf();
      return models.map((spec): ModelSummary => ({
        id: spec.id,
        name: spec.name,
        version: spec.version,
        manufacturer: spec.manufacturer,
        ...(spec.description ? { description: spec.description } : {}),
        ...(spec.input.modality ? { modality: spec.input.modality } : {}),
        layout: spec.input.layout,
        labelIds: spec.output.labels.map((label) => label.labelId),
        available: project ? fs.existsSync(modelFilePath(spec, project.baseDir)) : false,
      }));
    },
    'model.run': async ({ modelId, studyInstanceUID, seriesInstanceUID }) => {
      const { project, models } = modelsOf();
      const spec = models.find((model) => model.id === modelId);
      if (!project || !spec)
        throw new AppError(
          ErrorCode.NotFound,
          project
            ? `The project names no model "${modelId}".`
            : 'No project is loaded on this workstation: its manifest names the models.',
        );
      if (active)
        throw new AppError(
          ErrorCode.Conflict,
          'A model is already running on this workstation; wait for it to end or cancel it.',
        );
      const runId = crypto.randomUUID();
      const run: Run = {
        progress: queuedRun(runId, modelId, studyInstanceUID, seriesInstanceUID),
        controller: new AbortController(),
        done: Promise.resolve(null as never),
        lastEmit: 0,
      };
      db.prepare(
        `INSERT INTO model_run (run_id, model_id, model_name, model_version, manufacturer, sha256, study_uid,
           series_uid, reader, status, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      ).run(
        runId,
        spec.id,
        spec.name,
        spec.version,
        spec.manufacturer,
        spec.sha256.toLowerCase(),
        studyInstanceUID,
        seriesInstanceUID,
        options.reader(),
        Date.now(),
      );
      runs.set(runId, run);
      active = run;
      const started = performance.now();
      run.done = execute(run, spec, project)
        .catch((error: unknown) => {
          const cancelled =
            run.controller.signal.aborted || (isAppError(error) && error.code === ErrorCode.Cancelled);
          const code = cancelled ? ErrorCode.Cancelled : isAppError(error) ? error.code : ErrorCode.Internal;
          const message = cancelled
            ? 'Cancelled: nothing was kept.'
            : isAppError(error)
              ? error.message
              : 'The model run failed unexpectedly.';
          if (!isAppError(error))
            options.logger.error(
              { err: error instanceof Error ? error.message : String(error) },
              'model run failed',
            );
          db.prepare(`UPDATE model_run SET status = ?, error_code = ?, finished_at = ? WHERE run_id = ?`).run(
            cancelled ? 'cancelled' : 'failed',
            code,
            Date.now(),
            runId,
          );
          setPhase(run, cancelled ? 'cancelled' : 'failed', { error: { code, message } });
        })
        .then(() => {
          options.logger.info(
            { model: spec.id, phase: run.progress.phase, ms: Math.round(performance.now() - started) },
            'model run ended',
          );
          if (active === run) active = null;
          return run.progress;
        });
      return { runId };
    },
    'model.cancel': async ({ runId }) => {
      const run = runs.get(runId);
      if (!run || ['done', 'failed', 'cancelled'].includes(run.progress.phase)) return { cancelled: false };
      run.controller.abort();
      await run.done;
      return { cancelled: run.progress.phase === 'cancelled' };
    },
    'model.status': async ({ runId }) => {
      const run = runs.get(runId);
      if (!run)
        throw new AppError(ErrorCode.NotFound, 'This model run is unknown (from a previous session).');
      return run.progress;
    },
  };

  return {
    handlers,
    async whenDone(runId) {
      const run = runs.get(runId);
      if (!run) throw new AppError(ErrorCode.NotFound, 'This model run is unknown.');
      return run.done;
    },
    async close() {
      for (const run of runs.values()) run.controller.abort();
      await Promise.all([...runs.values()].map((run) => run.done));
      if (db.open) db.close();
    },
  };
}
