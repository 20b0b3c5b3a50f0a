/**
 * `GET /instance-batch/<uid>,<uid>,…` on the web host (shared/instance-batch.ts): the stored files
 * in one answer, token-checked like every route, bounded, each failure its own file's.
 */
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStoredFileSync } from '../../../main/cache/store-cipher.js';
import { INSTANCE_BATCH_TYPE, MAX_BATCH_FILES } from '../../../shared/instance-batch.js';
import { type BatchRecord, InstanceBatchReader } from '../../../renderer/src/imaging/instanceBatch.js';
import { ensureCtSeries } from '../../fixtures/index.js';
import { type TestWebHost, startTestWebHost } from '../../support/webhost.js';
import { importAndWait } from '../../support/import.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, pathname: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('instance batch route (web host)', () => {
  let running: TestWebHost;
  let uids: string[];

  beforeAll(async () => {
    running = await startTestWebHost({ name: 'instance-batch', importWorkers: 1 });
    const series = ensureCtSeries({ slices: 5, size: 32, seed: 'instance-batch' });
    await importAndWait(running.services, [series.dir], { failOnErrors: false });
    uids = series.sopInstanceUIDs;
  });
  afterAll(() => running.stop());

  const batch = (list: string[], headers = { cookie: running.cookie }) =>
    get(running.host.port, `/instance-batch/${list.join(',')}`, headers);
  const stored = (uid: string) => readStoredFileSync(running.services.instanceFile(uid)!.path);

  it('is refused without the token, like every route', async () => {
    const reply = await batch(uids.slice(0, 2), {} as { cookie: string });
    expect(reply.status).toBe(401);
    expect(reply.body.toString()).not.toContain('DICM');
  });

  it('sends the files asked for, in the order asked, as the single route stores them', async () => {
    const order = [uids[3]!, uids[0]!, uids[4]!];
    const reply = await batch(order);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(INSTANCE_BATCH_TYPE);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['content-security-policy']).toBeDefined();
    const reader = new InstanceBatchReader(order.length);
    const records = reader.push(reply.body);
    reader.end();
    expect(records.map((r) => r.ok)).toEqual([true, true, true]);
    records.forEach((record, i) => {
      expect(Buffer.from((record as { bytes: ArrayBuffer }).bytes).equals(stored(order[i]!))).toBe(true);
    });
  });

  it('refuses more UIDs than one answer may hold, and anything that is not a UID, with a typed 400', async () => {
    const tooMany = await batch(Array.from({ length: MAX_BATCH_FILES + 1 }, () => uids[0]!));
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.body.toString())).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    for (const bad of [[uids[0]!, '..%2F..%2Fetc%2Fpasswd'], [uids[0]!, ''], ['1.2;3']]) {
      const reply = await batch(bad);
      expect(reply.status, bad.join(',')).toBe(400);
    }
    const full = await batch(Array.from({ length: MAX_BATCH_FILES }, (_, i) => uids[i % uids.length]!));
    expect(full.status).toBe(200);
  });

  it('fails a file not in the catalog or missing from the store alone; the others are sent', async () => {
    fs.rmSync(running.services.instanceFile(uids[1]!)!.path);
    const order = [uids[0]!, '1.2.3.4.5.6.7.8.9', uids[1]!, uids[2]!];
    const reply = await batch(order);
    expect(reply.status).toBe(200);
    const reader = new InstanceBatchReader(order.length);
    const records: BatchRecord[] = reader.push(reply.body);
    reader.end();
    expect(records.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect((records[1] as { message: string }).message).toMatch(/^not-found: /);
    expect((records[2] as { message: string }).message).toMatch(/^not-found: .*missing/);
    expect(Buffer.from((records[3] as { bytes: ArrayBuffer }).bytes).equals(stored(uids[2]!))).toBe(true);
    // The single route says the same for those files (one look-up serves both routes).
    expect((await get(running.host.port, `/instances/${uids[1]!}`, { cookie: running.cookie })).status).toBe(
      404,
    );
    const uncatalogued = await get(running.host.port, `/instances/${order[1]!}`, { cookie: running.cookie });
    expect(uncatalogued.status).toBe(404);
    expect(JSON.parse(uncatalogued.body.toString())).toEqual({
      ok: false,
      error: {
        code: 'not-found',
        message: (records[1] as { message: string }).message.replace(/^not-found: /, ''),
      },
    });
  });
});
