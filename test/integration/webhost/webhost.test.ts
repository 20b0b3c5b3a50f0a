import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Services } from '../../../main/services.js';
import type { WebHost } from '../../../main/webhost/server.js';
import { type TestWebHost, startTestWebHost } from '../../support/webhost.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  host: WebHost,
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: host.port,
        path: pathname,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('web host', () => {
  let running: TestWebHost;
  let dataDir: string;
  let rendererDir: string;
  let services: Services;
  let host: WebHost;
  let cookie: string;

  beforeAll(async () => {
    running = await startTestWebHost();
    ({ dataDir, rendererDir, services, host, cookie } = running);
  });

  afterAll(() => running.stop());

  it('listens on loopback only', () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}`);
  });

  it('refuses every route without the token', async () => {
    for (const [method, pathname] of [
      ['GET', '/'],
      ['GET', '/index.html'],
      ['GET', '/instances/1.2.3'],
      ['GET', '/assets/index.js'],
      ['GET', '/instances/1.2.3?frame=1'],
      ['POST', '/api/rpc/app.info'],
      ['POST', '/api/rpc/no.such.method'],
      ['POST', '/api/upload'],
      ['PUT', `/api/upload/${crypto.randomUUID()}?path=a.dcm`],
      ['POST', `/api/upload/${crypto.randomUUID()}/complete`],
      ['DELETE', '/'],
    ] as const) {
      const reply = await request(host, pathname, {
        method,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(reply.status, `${method} ${pathname}`).toBe(401);
    }
  });

  it('refuses a wrong token, in the URL, in a cookie or as a bearer', async () => {
    expect((await request(host, '/?token=wrong')).status).toBe(401);
    expect((await request(host, '/', { headers: { cookie: `${host.cookieName}=wrong` } })).status).toBe(401);
    expect((await request(host, '/', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('trades the token in the link for an HttpOnly, SameSite=Strict cookie', async () => {
    const reply = await request(host, `/?token=${host.token}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    expect(reply.headers['set-cookie']?.[0]).toMatch(
      /^radlabel_[0-9a-f]{16}=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/,
    );
  });

  it('serves the renderer with a strict Content-Security-Policy to an authorised browser', async () => {
    const reply = await request(host, '/', { headers: { cookie } });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<title>RadLabel</title>');
    const csp = String(reply.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('lets the browser keep content-hashed build assets without asking again; the page and other files are revalidated', async () => {
    fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'assets', 'start-DoVYj-ic.js'), 'export {};');
    fs.writeFileSync(path.join(rendererDir, 'assets', 'unhashed.js'), 'export {};');
    fs.writeFileSync(path.join(rendererDir, 'favicon.svg'), '<svg/>');
    const hashed = await request(host, '/assets/start-DoVYj-ic.js', { headers: { cookie } });
    expect(hashed.status).toBe(200);
    expect(hashed.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(
      (await request(host, '/assets/unhashed.js', { headers: { cookie } })).headers['cache-control'],
    ).toBe('no-cache');
    expect((await request(host, '/favicon.svg', { headers: { cookie } })).headers['cache-control']).toBe(
      'no-cache',
    );
    expect((await request(host, '/', { headers: { cookie } })).headers['cache-control']).toBe('no-store');
  });

  it('refuses other Host names (DNS rebinding) and foreign origins', async () => {
    expect((await request(host, '/', { headers: { cookie, host: 'evil.example:80' } })).status).toBe(403);
    const foreign = await request(host, '/api/rpc/app.info', {
      method: 'POST',
      headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    for (const pathname of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/instances/..%2F..%2Fetc%2Fpasswd',
    ]) {
      const reply = await request(host, pathname, { headers: { cookie } });
      expect(reply.status, pathname).toBe(404);
    }
  });

  it('answers contract calls, and malformed ones with typed errors instead of crashing', async () => {
    const call = (method: string, body: string) =>
      request(host, `/api/rpc/${method}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body,
      });
    const info = JSON.parse((await call('app.info', '{}')).body);
    expect(info).toMatchObject({ ok: true, value: { host: 'web', researchUseOnly: true } });
    expect(JSON.parse((await call('no.such', '{}')).body)).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(JSON.parse((await call('catalog.getStudy', '{"studyInstanceUID": 42}')).body)).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    const notJson = await call('app.info', '{not json');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(JSON.parse((await call('app.info', '{}')).body)).toMatchObject({ ok: true });
  });

  it('pushes events over the WebSocket to an authorised page only', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${host.port}/events`);
    const refusal = await new Promise<string>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      refused.on('error', () => resolve('error'));
    });
    expect(refusal).toBe('401');

    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/events`, { headers: { cookie } });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const received = new Promise<unknown>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    services.events.emit('catalog.changed', { studyInstanceUIDs: ['1.2.3'] });
    expect(await received).toEqual({ name: 'catalog.changed', payload: { studyInstanceUIDs: ['1.2.3'] } });
    socket.close();
  });

  it('stages uploads under the data folder and refuses paths that climb out', async () => {
    const begin = JSON.parse(
      (await request(host, '/api/upload', { method: 'POST', headers: { cookie } })).body,
    );
    const put = (relative: string) =>
      request(host, `/api/upload/${begin.uploadId}?path=${encodeURIComponent(relative)}`, {
        method: 'PUT',
        headers: { cookie },
        body: 'DICM',
      });
    expect((await put('../../escape.dcm')).status).toBe(400);
    expect((await put('series/IM0001')).status).toBe(200);
    const done = JSON.parse(
      (await request(host, `/api/upload/${begin.uploadId}/complete`, { method: 'POST', headers: { cookie } }))
        .body,
    );
    expect(done.path.startsWith(path.join(dataDir, 'staging'))).toBe(true);
    expect(fs.readFileSync(path.join(done.path, 'series', 'IM0001'), 'utf8')).toBe('DICM');
    expect(fs.existsSync(path.join(dataDir, '..', 'escape.dcm'))).toBe(false);
  });
});
