/**
 * Where a de-identification run executes (main/deid/execution.ts): in this thread for small
 * batches on few cores, in a pool when there are spare cores for enough work, or objects so large
 * that only a worker (with its time limit) should hold them.
 */
import { describe, expect, it } from 'vitest';
import { chooseExecution, type DeidBatch, executionCosts } from '../../../main/deid/execution.js';
import { chooseRunExecution } from '../../../main/deid/service.js';
import type { DeidConfig } from '../../../main/deid/index.js';

const MB = 2 ** 20;
/** One CT series: 200 slices of 512² (0.5 MB each). */
const series: DeidBatch = { files: 200, totalBytes: 200 * 0.5 * MB, largestBytes: 0.5 * MB, ocr: false };
const cold = (cores: number) => ({ cores, poolStarted: false });

describe('chooseExecution', () => {
  it('runs a CT series in this thread on two cores: starting workers costs more than they save', () => {
    expect(chooseExecution(series, cold(2)).mode).toBe('in-thread');
  });

  it('runs the same series in a pool of eight workers on eight cores', () => {
    expect(chooseExecution(series, cold(8))).toMatchObject({ mode: 'pool', workers: 8 });
  });

  it('uses a pool whose workers already run, even on two cores', () => {
    expect(chooseExecution(series, { cores: 2, poolStarted: true })).toMatchObject({
      mode: 'pool',
      workers: 2,
    });
  });

  it('sends enough work to a pool on two cores once it outweighs the start-up', () => {
    const large: DeidBatch = { files: 2000, totalBytes: 2000 * 0.5 * MB, largestBytes: 0.5 * MB, ocr: false };
    expect(chooseExecution(large, cold(2))).toMatchObject({ mode: 'pool', workers: 2 });
  });

  it('never starts a worker for one small file, or on one core for small files', () => {
    const one: DeidBatch = { files: 1, totalBytes: MB, largestBytes: MB, ocr: false };
    expect(chooseExecution(one, cold(8)).mode).toBe('in-thread');
    const many: DeidBatch = { files: 5000, totalBytes: 5000 * MB, largestBytes: MB, ocr: false };
    expect(chooseExecution(many, cold(1)).mode).toBe('in-thread');
  });

  it('gives an object of 64 MiB or more to a worker, even on one core', () => {
    const big: DeidBatch = {
      files: 1,
      totalBytes: executionCosts.bigObjectBytes,
      largestBytes: executionCosts.bigObjectBytes,
      ocr: false,
    };
    expect(chooseExecution(big, cold(1))).toMatchObject({ mode: 'pool', workers: 1 });
    expect(chooseExecution({ ...series, files: 201, largestBytes: 250 * MB }, cold(2))).toMatchObject({
      mode: 'pool',
      workers: 2,
    });
  });

  it('uses a pool for OCR work as soon as there are two files and two cores', () => {
    expect(
      chooseExecution({ files: 2, totalBytes: MB, largestBytes: 0.5 * MB, ocr: true }, cold(2)),
    ).toMatchObject({
      mode: 'pool',
      workers: 2,
    });
  });

  it('does what the caller asks when it names the number of workers', () => {
    expect(chooseExecution(series, cold(8), 0).mode).toBe('in-thread');
    expect(chooseExecution(series, cold(1), 3)).toMatchObject({ mode: 'pool', workers: 3 });
  });

  it('says why it chose', () => {
    expect(chooseExecution(series, cold(2)).reason).toMatch(/estimated .* s here vs .* s in 2 workers/);
  });
});

describe('chooseRunExecution', () => {
  const config = { options: [], ocr: false } as unknown as DeidConfig;
  const files = Array.from({ length: 200 }, () => ({ size: 0.5 * MB }));

  it('measures the batch from the files found', () => {
    expect(chooseRunExecution(files, { config }, 2).mode).toBe('in-thread');
    expect(chooseRunExecution([...files, { size: 250 * MB }], { config }, 2)).toMatchObject({ mode: 'pool' });
  });

  it('counts OCR only when Clean Pixel Data is on (named, or implied by the research profile) and OCR is not turned off', () => {
    const few = files.slice(0, 4);
    const cleaning = { options: ['cleanPixelData'] } as unknown as DeidConfig;
    expect(chooseRunExecution(few, { config: cleaning }, 2).mode).toBe('pool');
    expect(chooseRunExecution(few, { config: { ...cleaning, ocr: false } }, 2).mode).toBe('in-thread');
    expect(chooseRunExecution(few, { config }, 2).mode).toBe('in-thread');
    const research = { profile: 'research', options: [] } as unknown as DeidConfig;
    expect(chooseRunExecution(few, { config: research }, 2).mode).toBe('pool');
  });
});
