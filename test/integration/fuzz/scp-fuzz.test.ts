/**
 * The file-level hostile inputs (test/fuzz/part10-mutations.ts: hostile meta, bad transfer
 * syntaxes, odd character sets, besides the dataset mutations) sent to the C-STORE SCP over real
 * associations, on a workstation that already stored a series: each object gets a C-STORE status,
 * none hangs, the SCP keeps serving, and the instances stored before are all still there with the
 * same bytes (a checksum before and after). RADLABEL_FUZZ_SCP_COUNT sets the count (50 here).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStoredFileSync } from '../../../main/cache/store-cipher.js';
import { ensureCtSeries, pydicomTestFilesDir } from '../../fixtures/index.js';
import { FILE_MUTATION_KINDS, mutatePart10 } from '../../fuzz/part10-mutations.js';
import { rng, sendToScp, storeObjectOf } from '../../fuzz/send-to-scp.js';
import { LOCAL_AE, type Workstation, execFileAsync, openWorkstation } from '../pacs/harness.js';

const COUNT = Number(process.env['RADLABEL_FUZZ_SCP_COUNT'] ?? 50);
const SEED = Number(process.env['RADLABEL_FUZZ_SEED'] ?? 20261205);
let ws: Workstation;
beforeAll(async () => {
  ws = await openWorkstation({ acceptAnyCaller: true });
});
afterAll(async () => ws?.close());

function checksum(sops: readonly string[]): string {
  const rows = sops.map((sop) => {
    const stored = ws.catalog.storedFile(sop);
    if (!stored) return `${sop} missing`;
    const bytes = readStoredFileSync(path.join(ws.dataDir, 'store', stored.filePath));
    return `${sop} ${crypto.createHash('sha256').update(bytes).digest('hex')}`;
  });
  return crypto.createHash('sha256').update(rows.join('\n')).digest('hex');
}

describe('SCP fuzz with hostile files', () => {
  it(`${COUNT} hostile objects: a status each, no hang, the stored series unchanged`, async () => {
    console.log(`SCP file fuzz: seed ${SEED}, ${COUNT} objects`);
    const series = ensureCtSeries({ slices: 3, size: 64, seed: 'scp-file-fuzz' });
    const files = [...series.files, path.join(pydicomTestFilesDir, 'CT_small.dcm')].map((file) =>
      fs.readFileSync(file),
    );
    const target = { host: '127.0.0.1', port: ws.port, calledAeTitle: LOCAL_AE, callingAeTitle: 'FUZZER' };
    const stored = await sendToScp(
      target,
      series.files.map((file, index) => storeObjectOf(fs.readFileSync(file), index)),
    );
    expect(stored.map((result) => result.status)).toEqual([0, 0, 0]);
    const before = checksum(series.sopInstanceUIDs);
    expect(before).not.toContain('missing');

    const random = rng(SEED);
    const objects = Array.from({ length: COUNT }, (_, index) => {
      const kind = FILE_MUTATION_KINDS[index % FILE_MUTATION_KINDS.length]!;
      // Same SOP Instance UIDs as the stored series: a hostile copy must not replace a stored instance.
      return {
        kind,
        object: storeObjectOf(mutatePart10(files[index % files.length]!, kind, random, index), index),
      };
    });
    const results = await sendToScp(
      target,
      objects.map((entry) => entry.object),
      { timeoutMs: 30_000 },
    );
    const failures = results
      .map((result, index) => ({ ...result, kind: objects[index]!.kind, index }))
      // An unknown transfer syntax is refused in the association (the presentation context is not
      // accepted), and send-to-scp.ts then aborts by itself: 'aborted' is the right answer there.
      .filter(
        (result) =>
          result.outcome !== 'status' &&
          result.outcome !== 'rejected' &&
          !(result.outcome === 'aborted' && result.kind === 'bad-transfer-syntax'),
      );
    expect(failures, `seed ${SEED}`).toEqual([]);
    console.log(
      `SCP file fuzz: statuses ${JSON.stringify(
        results.reduce<Record<string, number>>((counts, result) => {
          const key = result.outcome === 'status' ? `0x${(result.status ?? 0).toString(16)}` : result.outcome;
          counts[key] = (counts[key] ?? 0) + 1;
          return counts;
        }, {}),
      )}, slowest ${Math.round(Math.max(...results.map((result) => result.ms)))} ms`,
    );

    expect(checksum(series.sopInstanceUIDs)).toBe(before);
    const { stderr } = await execFileAsync('echoscu', ['-v', '-aec', LOCAL_AE, '127.0.0.1', String(ws.port)]);
    expect(stderr).toMatch(/Success/);
  }, 600_000);
});
