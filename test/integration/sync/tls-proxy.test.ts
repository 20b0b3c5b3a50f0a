/**
 * TLS and proxies for the project server (docs/sync.md): a server whose certificate comes from a
 * hospital's own CA is refused (a network error naming the CA file) until the manifest names that
 * CA file; an HTTP(S) proxy from the manifest or from HTTPS_PROXY carries the traffic (a CONNECT
 * tunnel the proxy records), and the secret is sent only inside the TLS tunnel.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { DicomWebClient } from '../../../main/sync/dicomweb-client.js';
import { ensureCtSeries } from '../../fixtures/index.js';
import { makeTempDir } from '../../fixtures/paths.js';

const dir = makeTempDir('sync-tls');
const study = ensureCtSeries({ slices: 3, size: 64, seed: 'sync-tls-wado' });
const BOUNDARY = 'tls-b0undary';
const caFile = path.join(dir, 'hospital-ca.pem');
let server: https.Server;
let proxy: http.Server;
let serverUrl = '';
let proxyUrl = '';
const seenAuthorization: string[] = [];
const tunnels: string[] = [];
const proxyBytes: Buffer[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

beforeAll(async () => {
  // A private CA and a server certificate for 127.0.0.1 signed by it.
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'hospital-ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Hospital Test CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'hospital-ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  server = https.createServer(
    {
      key: fs.readFileSync(path.join(dir, 'server.key')),
      cert: fs.readFileSync(path.join(dir, 'server.pem')),
    },
    (request, response) => {
      seenAuthorization.push(request.headers.authorization ?? '');
      if (request.url?.includes('/studies/')) {
        // WADO-RS of a study: Node sends it chunked (no length).
        response.setHeader(
          'content-type',
          `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`,
        );
        for (const file of study.files)
          response.write(
            Buffer.concat([
              Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`),
              fs.readFileSync(file),
              Buffer.from('\r\n'),
            ]),
          );
        response.end(`--${BOUNDARY}--\r\n`);
        return;
      }
      response.setHeader('content-type', 'application/dicom+json');
      response.end('[]');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/dicom-web`;
  // A CONNECT proxy that records the tunnels and every byte it forwards to the server.
  proxy = http.createServer((_request, response) => {
    response.statusCode = 405;
    response.end();
  });
  proxy.on('connect', (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    tunnels.push(request.url ?? '');
    const [host, port] = (request.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      socket.on('data', (chunk: Buffer) => proxyBytes.push(chunk));
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  proxy?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await new Promise((resolve) => proxy?.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function search(options: {
  caFile?: string;
  proxy?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<unknown> {
  const client = new DicomWebClient({
    baseUrl: serverUrl,
    credentials: { type: 'bearer', token: 'TLS-ONLY-TOKEN' },
    env: options.env ?? {},
    timeoutMs: 20_000,
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
  });
  try {
    return await client.qidoStudies();
  } finally {
    await client.close();
  }
}

describe('TLS and proxies', () => {
  it("a certificate from the hospital's CA is refused without its CA file, with a message naming it", async () => {
    await expect(search({})).rejects.toMatchObject({
      code: ErrorCode.Network,
      message: expect.stringContaining('server.caFile'),
    });
  });

  it('with the CA file it is trusted (besides the system CAs)', async () => {
    seenAuthorization.length = 0;
    expect(await search({ caFile })).toEqual([]);
    expect(seenAuthorization).toEqual(['Bearer TLS-ONLY-TOKEN']);
  });

  it('a CA file that is not a certificate is a project error, not a silent fallback', async () => {
    const bogus = path.join(dir, 'bogus.pem');
    fs.writeFileSync(bogus, 'not a certificate');
    await expect(search({ caFile: bogus })).rejects.toMatchObject({ code: ErrorCode.ProjectInvalid });
  });

  it("the manifest's proxy carries the traffic in a tunnel; the secret never crosses the proxy in the clear", async () => {
    tunnels.length = 0;
    proxyBytes.length = 0;
    expect(await search({ caFile, proxy: proxyUrl })).toEqual([]);
    expect(tunnels).toEqual([new URL(serverUrl).host]);
    expect(Buffer.concat(proxyBytes).includes('TLS-ONLY-TOKEN')).toBe(false);
  });

  it('a whole study by WADO-RS over TLS: read from the socket with the CA file (refused without it), through the proxy by undici', async () => {
    const retrieve = async (options: { caFile?: string; proxy?: string }, target: string) => {
      const client = new DicomWebClient({
        baseUrl: serverUrl,
        credentials: { type: 'bearer', token: 'TLS-ONLY-TOKEN' },
        env: {},
        timeoutMs: 20_000,
        ...options,
      });
      try {
        return await client.wadoStudy(study.studyInstanceUID, path.join(dir, target));
      } finally {
        await client.close();
      }
    };
    await expect(retrieve({}, 'wado-untrusted')).rejects.toMatchObject({
      code: ErrorCode.Network,
      message: expect.stringContaining('server.caFile'),
    });
    for (const [target, options] of [
      ['wado-direct', { caFile }],
      ['wado-proxied', { caFile, proxy: proxyUrl }],
    ] as const) {
      seenAuthorization.length = 0;
      tunnels.length = 0;
      const written = await retrieve(options, target);
      expect(written.map((item) => item.sopInstanceUID)).toEqual(study.sopInstanceUIDs);
      for (const [index, item] of written.entries())
        expect(fs.readFileSync(item.path).equals(fs.readFileSync(study.files[index]!))).toBe(true);
      expect(seenAuthorization).toEqual(['Bearer TLS-ONLY-TOKEN']);
      expect(tunnels).toHaveLength(target === 'wado-proxied' ? 1 : 0);
    }
  });

  it('HTTPS_PROXY from the environment is used when the manifest names none, NO_PROXY bypasses it', async () => {
    tunnels.length = 0;
    expect(await search({ caFile, env: { HTTPS_PROXY: proxyUrl } })).toEqual([]);
    expect(tunnels).toHaveLength(1);
    tunnels.length = 0;
    expect(await search({ caFile, env: { HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } })).toEqual([]);
    expect(tunnels).toHaveLength(0);
  });
});
