/**
 * One write path for both hosts (main/core/routes.ts `servedBatches`): the web host writes its
 * batches to the socket, the Electron app:// protocol hands the same batches to a fetch Response
 * (`servedBody`, the protocol handler's Electron-free part). Both give a file's bytes exactly, and
 * both close the file when done or when the reader goes away.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoredFile } from '../../../main/catalog/file-store.js';
import { PLAIN_BATCH_BYTES, openServedFile, servedBatches, servedBody } from '../../../main/core/routes.js';
import type { WebHost } from '../../../main/webhost/server.js';
import { type TestWebHost, startTestWebHost } from '../../support/webhost.js';

function fetchBytes(host: WebHost, pathname: string, cookie: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: host.port, path: pathname, headers: { cookie } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
  });
}

/** As the app:// protocol answers: the body of `new Response(servedBody(file))`. */
async function protocolBytes(filePath: string): Promise<Buffer> {
  const file = await openServedFile(filePath);
  return Buffer.from(await new Response(servedBody(file)).arrayBuffer());
}

describe('the bytes both hosts serve', () => {
  let running: TestWebHost;
  let dataDir: string;
  let rendererDir: string;
  let host: WebHost;
  let cookie: string;
  const assets: Record<string, Buffer> = {
    'empty-AAAAAAAA.bin': Buffer.alloc(0),
    'small-BBBBBBBB.js': Buffer.from('export const answer = 42;\n'),
    // Two whole batches and an odd tail.
    'large-CCCCCCCC.wasm': crypto.randomBytes(2 * PLAIN_BATCH_BYTES + 12_345),
  };

  beforeAll(async () => {
    running = await startTestWebHost({ name: 'served', assets });
    ({ dataDir, rendererDir, host, cookie } = running);
  });

  afterAll(() => running.stop());

  it('the web host route and the app:// body give each renderer file byte for byte', async () => {
    for (const [name, bytes] of Object.entries(assets)) {
      const filePath = path.join(rendererDir, 'assets', name);
      expect((await fetchBytes(host, `/assets/${name}`, cookie)).equals(bytes), name).toBe(true);
      expect((await protocolBytes(filePath)).equals(bytes), name).toBe(true);
    }
  });

  it('a plain stored file reads the same through the batches and the app:// body', async () => {
    const plain = crypto.randomBytes(PLAIN_BATCH_BYTES + 99);
    const sha = crypto.createHash('sha256').update(plain).digest('hex');
    const stored = path.join(dataDir, 'plain-store', sha.slice(0, 2), `${sha}.dcm`);
    fs.mkdirSync(path.dirname(stored), { recursive: true });
    fs.writeFileSync(stored, plain);
    const batches: Buffer[] = [];
    for await (const batch of servedBatches(await openStoredFile(stored, plain.length)))
      batches.push(...batch);
    expect(Buffer.concat(batches).equals(plain)).toBe(true);
    const body = await new Response(servedBody(await openStoredFile(stored, plain.length))).arrayBuffer();
    expect(Buffer.from(body).equals(plain)).toBe(true);
  });

  it('closes the file once its bytes are sent, and when the reader goes away early', async () => {
    const filePath = path.join(rendererDir, 'assets', 'large-CCCCCCCC.wasm');
    const read = await openServedFile(filePath);
    await new Response(servedBody(read)).arrayBuffer();
    expect(read.handle.fd).toBe(-1);

    const abandoned = await openServedFile(filePath);
    const reader = servedBody(abandoned).getReader();
    const first = await reader.read();
    expect(first.value?.byteLength).toBe(PLAIN_BATCH_BYTES);
    await reader.cancel();
    expect(abandoned.handle.fd).toBe(-1);
  });
});
