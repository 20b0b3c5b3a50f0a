/**
 * cache.encrypted_read_ratio (#12 item 2): how fast the viewer reads images from the encrypted
 * store compared with a plain one, through the real instance route. Two data folders hold the
 * same 200-slice 512 × 512 CT series, one with the cache encrypted (the default) and one with
 * encryption off; each has its own web host. A pass fetches every instance of the series over
 * HTTP with 6 requests in flight (a browser's per-host limit), as the viewer does, and reads the
 * bodies. Passes alternate between the two hosts (page cache warm for both after the first);
 * the figure is plain time / encrypted time of the medians (1 = no cost), the absolute MB/s in
 * the details.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CacheSettingsStore, DEFAULT_CACHE_SETTINGS } from '../../main/cache/settings.js';
import { isStoreFileEncrypted } from '../../main/cache/store-cipher.js';
import { silentLogger } from '../../main/core/logger.js';
import { type Services, createServices } from '../../main/services.js';
import { type WebHost, startWebHost } from '../../main/webhost/server.js';
import { ensureCtSeries } from '../fixtures/index.js';
import { importAndWait } from '../support/import.js';
import { type Benchmark, median } from './lib.js';

const PASSES = 7;
const IN_FLIGHT = 6;

interface Side {
  dataDir: string;
  services: Services;
  host: WebHost;
  cookie: string;
}

async function openSide(
  root: string,
  name: string,
  encrypt: boolean,
  rendererDir: string,
  series: string,
): Promise<Side> {
  const dataDir = path.join(root, name);
  fs.mkdirSync(dataDir, { recursive: true });
  new CacheSettingsStore(dataDir).save({ ...DEFAULT_CACHE_SETTINGS, encrypt });
  const services = createServices({ dataDir, host: 'web', logger: silentLogger() });
  const { added } = await importAndWait(services, [series], { failOnErrors: false });
  if (added !== 200) throw new Error(`import added ${added} of 200`);
  const host = await startWebHost({ services, dataDir, rendererDir, logger: silentLogger() });
  return { dataDir, services, host, cookie: `${host.cookieName}=${host.token}` };
}

async function pass(side: Side, sops: readonly string[]): Promise<{ ms: number; bytes: number }> {
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < sops.length) {
        const sop = sops[next++]!;
        const response = await fetch(`${side.host.origin}/instances/${sop}`, {
          headers: { cookie: side.cookie },
        });
        if (!response.ok) throw new Error(`GET /instances/${sop}: ${response.status}`);
        const body = (await response.arrayBuffer()).byteLength;
        if (String(body) !== response.headers.get('content-length'))
          throw new Error(
            `GET /instances/${sop}: ${body} bytes of ${response.headers.get('content-length')}`,
          );
        bytes += body;
      }
    }),
  );
  return { ms: performance.now() - started, bytes };
}

export const benchmarks: Benchmark[] = [
  {
    ids: ['cache.encrypted_read_ratio'],
    async run() {
      const series = ensureCtSeries({ slices: 200, size: 512 });
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-bench-cache-'));
      const rendererDir = path.join(root, 'renderer');
      fs.mkdirSync(rendererDir);
      fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>RadLabel</title>');
      const sides: Side[] = [];
      try {
        const encrypted = await openSide(root, 'encrypted', true, rendererDir, series.dir);
        sides.push(encrypted);
        const plain = await openSide(root, 'plain', false, rendererDir, series.dir);
        sides.push(plain);
        const storeFile = encrypted.services.instanceFile(series.sopInstanceUIDs[0]!)!.path;
        const plainFile = plain.services.instanceFile(series.sopInstanceUIDs[0]!)!.path;
        if (!isStoreFileEncrypted(storeFile) || isStoreFileEncrypted(plainFile))
          throw new Error('the two stores are not encrypted and plain as intended');
        const times = { encrypted: [] as number[], plain: [] as number[] };
        let bytes = 0;
        await pass(plain, series.sopInstanceUIDs);
        await pass(encrypted, series.sopInstanceUIDs);
        for (let i = 0; i < PASSES; i += 1) {
          const order = i % 2 === 0 ? [plain, encrypted] : [encrypted, plain];
          for (const side of order) {
            const result = await pass(side, series.sopInstanceUIDs);
            // Every byte of every image arrives (a truncated body would flatter the encrypted side).
            if (result.bytes !== series.totalBytes)
              throw new Error(
                `a pass read ${result.bytes} bytes of ${series.totalBytes} (${side === plain ? 'plain' : 'encrypted'})`,
              );
            (side === plain ? times.plain : times.encrypted).push(result.ms);
            bytes = result.bytes;
          }
        }
        const encryptedMs = median(times.encrypted);
        const plainMs = median(times.plain);
        const mbPerSecond = (ms: number) => Math.round((bytes / 2 ** 20 / (ms / 1000)) * 10) / 10;
        return [
          {
            id: 'cache.encrypted_read_ratio',
            value: Math.round((plainMs / encryptedMs) * 1000) / 1000,
            unit: 'ratio',
            goal: '>= 0.8',
            reference: {
              what: 'the same series from a plain store, same route, same run (MB/s)',
              value: mbPerSecond(plainMs),
            },
            details: {
              encryptedMBps: mbPerSecond(encryptedMs),
              plainMBps: mbPerSecond(plainMs),
              instances: series.sopInstanceUIDs.length,
              bytesPerPass: bytes,
              passes: PASSES,
              inFlight: IN_FLIGHT,
              encryptedMs: times.encrypted.map(Math.round),
              plainMs: times.plain.map(Math.round),
            },
          },
        ];
      } finally {
        for (const side of sides) {
          await side.host.close();
          await side.services.close();
        }
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  },
];
