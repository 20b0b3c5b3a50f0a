/**
 * Mutated DICOM objects sent to the SCP over real associations (test/fuzz/send-to-scp.ts): every
 * object gets a status, none hangs, the SCP keeps serving, and nothing half-stored is left.
 * RADLABEL_FUZZ_SCP_COUNT sets the number of objects (50 here; the soak runs more).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCtSeries, pydicomTestFilesDir } from '../../fixtures/index.js';
import { MUTATION_KINDS, mutate, rng, sendToScp, storeObjectOf } from '../../fuzz/send-to-scp.js';
import {
  LOCAL_AE,
  type Workstation,
  execFileAsync,
  filesUnder,
  openWorkstation,
  storedFiles,
} from './harness.js';

const COUNT = Number(process.env['RADLABEL_FUZZ_SCP_COUNT'] ?? 50);
const SEED = Number(process.env['RADLABEL_FUZZ_SEED'] ?? 20261202);
let ws: Workstation;

beforeAll(async () => {
  ws = await openWorkstation({ acceptAnyCaller: true });
});
afterAll(async () => ws?.close());

describe('SCP fuzz', () => {
  it(`${COUNT} mutated objects: each gets a C-STORE status, no hang, the SCP still serves, nothing half-stored`, async () => {
    const sources = [
      ...ensureCtSeries({ slices: 3, size: 128, seed: 'pacs-fuzz' }).files,
      path.join(pydicomTestFilesDir, 'CT_small.dcm'),
      path.join(pydicomTestFilesDir, 'MR_small.dcm'),
      path.join(pydicomTestFilesDir, 'rtplan.dcm'),
    ].map((file, index) => storeObjectOf(fs.readFileSync(file), index));
    const random = rng(SEED);
    const mutated = Array.from({ length: COUNT }, (_, index) => {
      const source = sources[index % sources.length]!;
      const kind = MUTATION_KINDS[index % MUTATION_KINDS.length]!;
      // A fresh SOP Instance UID per case: a mutant never collides with a stored original.
      return {
        kind,
        object: {
          ...mutate(source, kind, random),
          sopInstanceUID: `1.2.826.0.1.3680043.8.498.5151.${index + 1}`,
        },
      };
    });
    const target = { host: '127.0.0.1', port: ws.port, calledAeTitle: LOCAL_AE, callingAeTitle: 'FUZZER' };
    const results = await sendToScp(
      target,
      mutated.map((entry) => entry.object),
      { timeoutMs: 30_000 },
    );
    const failures = results
      .map((result, index) => ({ ...result, kind: mutated[index]!.kind, index }))
      .filter((result) => result.outcome !== 'status' || result.status === null);
    expect(failures, `seed ${SEED}`).toEqual([]);
    // Every status is one of ours: stored, or refused with a reason.
    const statuses = new Set(results.map((result) => result.status));
    for (const status of statuses) expect([0x0000, 0xa700, 0xa900, 0xc000, 0x0110]).toContain(status);

    // Still serving: an echo and an intact object go through.
    const { stderr } = await execFileAsync('echoscu', ['-v', '-aec', LOCAL_AE, '127.0.0.1', String(ws.port)]);
    expect(stderr).toMatch(/Success/);
    const [intact] = await sendToScp(target, [sources[0]!]);
    expect(intact).toMatchObject({ outcome: 'status', status: 0 });
    // Nothing half-stored: the spool is empty, and every stored file is a catalogued instance.
    expect(filesUnder(path.join(ws.dataDir, 'pacs-incoming'))).toEqual([]);
    const stored = storedFiles(ws);
    expect(stored, stored.join('\n')).toHaveLength(ws.catalog.counts().instances);
  }, 600_000);

  it('a PDU declaring 4 GB closes that connection at once; the SCP keeps serving', async () => {
    const net = await import('node:net');
    const socket = net.connect({ host: '127.0.0.1', port: ws.port });
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    socket.write(Buffer.from([0x04, 0, 0xff, 0xff, 0xff, 0xf0, 1, 2, 3, 4]));
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(5000);
    const { stderr } = await execFileAsync('echoscu', ['-v', '-aec', LOCAL_AE, '127.0.0.1', String(ws.port)]);
    expect(stderr).toMatch(/Success/);
  });
});
