/** The worker pool: results match the in-thread engine, and a runaway object fails alone. */
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { createDeidentifier } from '../../../main/deid/index.js';
import { DeidPool } from '../../../main/deid/pool.js';
import { buildDicom } from '../../unit/deid/support/build-dicom.js';
import { sampleElements } from '../../unit/deid/support/sample.js';
import { baseConfig } from './midi-b/run.js';

const pools: DeidPool[] = [];
afterAll(async () => {
  for (const pool of pools) await pool.close();
});

describe('DeidPool', () => {
  it('gives the same bytes as the in-thread engine', async () => {
    const { linkage: _linkage, pixelCleaner: _cleaner, ...config } = baseConfig();
    const pool = new DeidPool({ config, size: 2 });
    pools.push(pool);
    const input = buildDicom(sampleElements());
    const pooled = await pool.run({ kind: 'bytes', input, sourceName: 'a.dcm' });
    const local = createDeidentifier(baseConfig());
    const direct = await local.deidentify(input);
    await local.close();
    if (pooled.outcome.status !== 'done' || direct.status !== 'done') throw new Error('not done');
    expect(Buffer.from(pooled.outcome.output!).equals(Buffer.from(direct.output))).toBe(true);
  });

  it('fails an object that runs past the time limit and replaces its worker', async () => {
    const { linkage: _linkage, pixelCleaner: _cleaner, ...config } = baseConfig();
    const pool = new DeidPool({ config, size: 1, taskTimeoutMs: 1 });
    pools.push(pool);
    const slow = await pool.run({
      kind: 'bytes',
      input: buildDicom(sampleElements()),
      sourceName: 'slow.dcm',
    });
    expect(slow.outcome.status === 'failed' ? slow.outcome.error.code : slow.outcome.status).toBe(
      ErrorCode.Malformed,
    );
    expect(pool.size).toBe(1);
  });
});
