/**
 * The de-identification pool: results match the in-thread engine, one started pool serves runs of
 * different configurations, inputs are handed over without a copy, and an object past its time
 * limit fails alone while a new worker takes over.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { createDeidentifier, type DeidConfig } from '../../../main/deid/index.js';
import { DeidPool } from '../../../main/deid/pool.js';
import type { WorkerDeidConfig } from '../../../main/deid/worker-protocol.js';
import { buildDicom } from '../../unit/deid/support/build-dicom.js';
import { sampleElements } from '../../unit/deid/support/sample.js';
import { baseConfig } from './midi-b/run.js';

const pools: DeidPool[] = [];
afterAll(async () => {
  for (const pool of pools) await pool.close();
});

function plain(config: DeidConfig): WorkerDeidConfig {
  const { linkage: _linkage, pixelCleaner: _cleaner, logger: _logger, ...rest } = config;
  return rest;
}

async function inThread(config: DeidConfig, input: Uint8Array): Promise<Buffer> {
  const local = createDeidentifier(config);
  const direct = await local.deidentify(input);
  await local.close();
  if (direct.status !== 'done') throw new Error(`in-thread: ${direct.status}`);
  return Buffer.from(direct.output);
}

describe('DeidPool', () => {
  it('gives the same bytes as the in-thread engine', async () => {
    const pool = new DeidPool({ config: plain(baseConfig()), size: 2 });
    pools.push(pool);
    const input = buildDicom(sampleElements());
    const pooled = await pool.run({ kind: 'bytes', input, sourceName: 'a.dcm' });
    if (pooled.status !== 'done') throw new Error('not done');
    expect(Buffer.from(pooled.output!).equals(await inThread(baseConfig(), input))).toBe(true);
  });

  it('serves runs of different configurations from one started pool, each object with its own', async () => {
    const pool = new DeidPool({ size: 1 });
    pools.push(pool);
    await pool.start();
    const first = baseConfig();
    const second: DeidConfig = { ...baseConfig(), projectId: 'OTHER', projectSecret: Buffer.alloc(32, 9) };
    const input = buildDicom(sampleElements());
    const outputs: Buffer[] = [];
    for (const config of [first, second, first]) {
      const pooled = await pool.run({ kind: 'bytes', input, sourceName: 'a.dcm' }, { config: plain(config) });
      if (pooled.status !== 'done') throw new Error('not done');
      outputs.push(Buffer.from(pooled.output!));
      expect(outputs.at(-1)!.equals(await inThread(config, input))).toBe(true);
    }
    expect(outputs[0]!.equals(outputs[1]!)).toBe(false);
  });

  it('hands the input over to the worker instead of copying it, when the caller allows', async () => {
    const pool = new DeidPool({ config: plain(baseConfig()), size: 1 });
    pools.push(pool);
    const input = new Uint8Array(buildDicom(sampleElements()));
    const expected = await inThread(baseConfig(), input);
    const pooled = await pool.run({ kind: 'bytes', input, sourceName: 'a.dcm' }, { transferInput: true });
    expect(input.byteLength).toBe(0);
    if (pooled.status !== 'done') throw new Error('not done');
    expect(Buffer.from(pooled.output!).equals(expected)).toBe(true);
  });

  it('fails an object that runs past its time limit, terminates its worker, and serves the next object on a new one', async () => {
    const pool = new DeidPool({ config: plain(baseConfig()), size: 1 });
    pools.push(pool);
    await pool.start();
    const [before] = pool.threadIds;
    const input = buildDicom(sampleElements());
    const slow = await pool.run({ kind: 'bytes', input, sourceName: 'slow.dcm' }, { timeoutMs: 1 });
    expect(slow.status).toBe('failed');
    if (slow.status !== 'failed') return;
    expect(slow.error.code).toBe(ErrorCode.Malformed);
    expect(slow.error.message).toMatch(/took too long/);
    const next = await pool.run({ kind: 'bytes', input, sourceName: 'next.dcm' });
    expect(next.status).toBe('done');
    expect(pool.threadIds).toHaveLength(1);
    expect(pool.threadIds[0]).not.toBe(before);
  });
});
