/**
 * The web host as an attacker or an unlucky user meets it: hostile WebSocket frames, oversized
 * requests, awkward uploads, a store tampered with, two hosts on one machine. Real HTTP and
 * WebSocket against a real host on real services.
 */
import crypto from 'node:crypto';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../../main/core/logger.js';
import type { Services } from '../../../main/services.js';
import { type WebHost, type WebHostOptions, startWebHost } from '../../../main/webhost/server.js';
import { type CtSeries, ensureCtSeries, makeTempDir, repoRoot } from '../../fixtures/index.js';
import { readStoredFileSync } from '../../../main/cache/store-cipher.js';
import { openTestServices } from '../../support/services.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  port: number,
  pathname: string,
  options: {
    method?: string;
    headers?: Record<string, string | number>;
    body?: string | Buffer;
    chunked?: boolean;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    if (options.body !== undefined && !options.chunked)
      headers['content-length'] = Buffer.byteLength(options.body);
    const req = http.request(
      { host: '127.0.0.1', port, path: pathname, method: options.method ?? 'GET', headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

interface Session {
  services: Services;
  host: WebHost;
  dataDir: string;
  cookie: string;
  rpc(method: string, body: unknown): Promise<Reply>;
  close(): Promise<void>;
}

async function openSession(
  name: string,
  staging?: WebHostOptions['staging'],
  dataDir = makeTempDir(`webhost-${name}`),
) {
  const rendererDir = path.join(dataDir, 'renderer');
  fs.mkdirSync(rendererDir, { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>RadLabel</title>');
  const services = openTestServices(dataDir);
  const host = await startWebHost({
    services,
    dataDir,
    rendererDir,
    logger: silentLogger(),
    ...(staging ? { staging } : {}),
  });
  const cookie = `${host.cookieName}=${host.token}`;
  const session: Session = {
    services,
    host,
    dataDir,
    cookie,
    rpc: (method, body) =>
      request(host.port, `/api/rpc/${method}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    async close() {
      await host.close();
      await services.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return session;
}

async function importAndWait(session: Session, paths: string[]): Promise<void> {
  const started = JSON.parse((await session.rpc('import.start', { paths })).body) as {
    value: { jobId: string };
  };
  for (;;) {
    const status = JSON.parse((await session.rpc('import.status', { jobId: started.value.jobId })).body) as {
      value: { finishedAt: string | null };
    };
    if (status.value.finishedAt) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

/** A WebSocket handshake on a raw TCP socket, so that the test can send any bytes after it. */
async function rawEventsSocket(session: Session): Promise<net.Socket> {
  const socket = net.connect(session.host.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  socket.write(
    [
      'GET /events HTTP/1.1',
      `Host: 127.0.0.1:${session.host.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Cookie: ${session.cookie}`,
      '',
      '',
    ].join('\r\n'),
  );
  const answer = await new Promise<string>((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
  });
  expect(answer.startsWith('HTTP/1.1 101')).toBe(true);
  return socket;
}

/** A masked client frame; `declaredLength` may lie about the payload that follows. */
function clientFrame(firstByte: number, declaredLength: number, payload: Buffer, masked = true): Buffer {
  const header: number[] = [firstByte];
  const maskBit = masked ? 0x80 : 0;
  if (declaredLength < 126) header.push(maskBit | declaredLength);
  else if (declaredLength < 65536) header.push(maskBit | 126, declaredLength >> 8, declaredLength & 0xff);
  else {
    header.push(maskBit | 127);
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(declaredLength));
    header.push(...length);
  }
  const mask = masked ? [1, 2, 3, 4] : [];
  return Buffer.concat([Buffer.from([...header, ...mask]), payload]);
}

async function openEventsClient(session: Session): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${session.host.port}/events`, {
    headers: { cookie: session.cookie },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

function nextEvent(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
}

/**
 * The web host in its own process, started as `npm run web` starts it (from the sources, through
 * tsx), so that a crash is seen as a crash: the process exits.
 */
async function spawnHost(
  dataDir: string,
): Promise<{ child: ChildProcess; port: number; cookie: string; exited: () => boolean }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'main/webhost/start.ts'), '--data-dir', dataDir],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let exited = false;
  child.once('exit', () => (exited = true));
  let output = '';
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(new URL(match[0]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
  const port = Number(url.port);
  const visit = await request(port, `/?token=${url.searchParams.get('token')}`);
  const cookie = String(visit.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  return { child, port, cookie, exited: () => exited };
}

describe('the events socket (#7 item 11)', () => {
  let dataDir: string;
  let host: Awaited<ReturnType<typeof spawnHost>>;
  let session: Session;
  beforeAll(async () => {
    dataDir = makeTempDir('webhost-events');
    host = await spawnHost(dataDir);
    // Only the port and the cookie of this session are used: the host is the child process.
    session = { host: { port: host.port } as WebHost, cookie: host.cookie } as Session;
  });
  afterAll(async () => {
    if (!host.exited()) {
      const gone = new Promise((resolve) => host.child.once('exit', resolve));
      host.child.kill('SIGTERM');
      await gone;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const rpc = (method: string, body: unknown) =>
    request(host.port, `/api/rpc/${method}`, {
      method: 'POST',
      headers: { cookie: host.cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  for (const [name, bytes] of [
    ['a frame over 64 KiB', clientFrame(0x81, 100 * 1024, Buffer.alloc(100 * 1024, 0x61))],
    ['a frame with reserved bits set', clientFrame(0xf1, 5, Buffer.from('hello'))],
    ['an unmasked client frame', clientFrame(0x81, 5, Buffer.from('hello'), false)],
    ['a frame with an unknown opcode', clientFrame(0x83, 5, Buffer.from('hello'))],
  ] as const) {
    it(`${name} closes only that socket: the host answers and other pages keep their events`, async () => {
      const bystander = await openEventsClient(session);
      const hostile = await rawEventsSocket(session);
      const closed = new Promise<void>((resolve) => hostile.once('close', () => resolve()));
      hostile.write(bytes);
      await closed;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(host.exited(), 'the web host process exited').toBe(false);

      const info = await rpc('app.info', {});
      expect(info.status).toBe(200);
      expect(JSON.parse(info.body)).toMatchObject({ ok: true });
      // Any job's progress is an event every page receives.
      const received = nextEvent(bystander);
      await rpc('import.start', { paths: [path.join(dataDir, 'nothing-here')] });
      expect(await received).toMatchObject({ name: 'import.progress' });
      bystander.close();
    });
  }

  it('a garbled HTTP request gets 400 on its own connection, and the host keeps serving', async () => {
    const socket = net.connect(host.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
    });
    socket.write('GET / HTTP/1.1\r\nHost: \u0000\u0001 bad\r\n\u0002\r\n\r\n');
    expect(await answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await rpc('app.info', {})).status).toBe(200);
    expect(host.exited()).toBe(false);
  });
});

describe('requests and uploads (#7 item 14)', () => {
  let session: Session;
  beforeAll(async () => {
    session = await openSession('uploads');
  });
  afterAll(async () => session.close());

  const begin = async (s: Session = session): Promise<string> =>
    (
      JSON.parse(
        (await request(s.host.port, '/api/upload', { method: 'POST', headers: { cookie: s.cookie } })).body,
      ) as { uploadId: string }
    ).uploadId;
  const put = (uploadId: string, relative: string, body: string | Buffer, s: Session = session) =>
    request(s.host.port, `/api/upload/${uploadId}?path=${encodeURIComponent(relative)}`, {
      method: 'PUT',
      headers: { cookie: s.cookie },
      body,
    });
  const stagedFiles = (s: Session = session): string[] => {
    const root = path.join(s.dataDir, 'staging');
    if (!fs.existsSync(root)) return [];
    return fs
      .readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));
  };

  it('an RPC body over 1 MiB is refused with 413 and a typed error, not a reset connection', async () => {
    const huge = JSON.stringify({ paths: ['x'.repeat(1536 * 1024)] });
    for (const chunked of [false, true]) {
      const reply = await request(session.host.port, '/api/rpc/import.start', {
        method: 'POST',
        headers: { cookie: session.cookie, 'content-type': 'application/json' },
        body: huge,
        chunked,
      });
      expect(reply.status, chunked ? 'chunked' : 'with length').toBe(413);
      expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'too-large' } });
    }
    expect((await session.rpc('app.info', {})).status).toBe(200);
  });

  it('refuses awkward upload paths with a typed 400 that names the file', async () => {
    const uploadId = await begin();
    expect((await put(uploadId, 'series/IM0001', 'DICM')).status).toBe(200);
    const cases: Array<[string, RegExp]> = [
      ['series/IM0001', /same name/],
      ['series/IM0001/IM0002', /is a file in this upload/],
      [`${'影'.repeat(250)}.dcm`, /too long/],
    ];
    for (const [relative, message] of cases) {
      const reply = await put(uploadId, relative, 'DICM');
      expect(reply.status, relative.slice(0, 20)).toBe(400);
      const body = JSON.parse(reply.body) as { ok: boolean; error: { code: string; message: string } };
      expect(body).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
      expect(body.error.message).toMatch(message);
    }
    // The first file is intact; nothing else was written.
    expect(stagedFiles().map((file) => path.basename(file))).toEqual(['IM0001']);
  });

  it('a NUL in an export path is a typed 400', async () => {
    const series = ensureCtSeries({ slices: 2, size: 32, seed: 'webhost-nul' });
    await importAndWait(session, [series.dir]);
    const reply = await session.rpc('deid.exportStudy', {
      studyInstanceUID: series.studyInstanceUID,
      outputDir: `${makeTempDir('webhost-nul-out')}/a\u0000b`,
    });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('an interrupted upload leaves nothing in staging', async () => {
    const uploadId = await begin();
    const req = http.request({
      host: '127.0.0.1',
      port: session.host.port,
      path: `/api/upload/${uploadId}?path=big.dcm`,
      method: 'PUT',
      headers: { cookie: session.cookie, 'content-length': 4 * 1024 * 1024 },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(256 * 1024, 1));
    expect(await until(() => stagedFiles().some((file) => file.endsWith('big.dcm')))).toBe(true);
    req.destroy();
    expect(await until(() => !stagedFiles().some((file) => file.endsWith('big.dcm')))).toBe(true);
  });

  it('removes staging left by earlier runs when it starts', async () => {
    const dataDir = makeTempDir('webhost-stale');
    // An earlier host (process gone) and the layout before sessions, both minutes old only.
    const leftovers = [
      path.join(dataDir, 'staging', '999999999-0badf00d', crypto.randomUUID(), 'IM0001'),
      path.join(dataDir, 'staging', crypto.randomUUID(), 'IM0002'),
    ];
    for (const file of leftovers) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'partial');
    }
    const fresh = await openSession('stale', undefined, dataDir);
    try {
      for (const file of leftovers) expect(fs.existsSync(file), file).toBe(false);
    } finally {
      await fresh.close();
    }
  });

  it('removes an upload left untouched longer than the age limit', async () => {
    const aging = await openSession('aging', { maxAgeMs: 1000 });
    try {
      const uploadId = await begin(aging);
      expect((await put(uploadId, 'IM0001', 'DICM', aging)).status).toBe(200);
      expect(stagedFiles(aging)).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await begin(aging);
      expect(await until(() => stagedFiles(aging).length === 0)).toBe(true);
      expect((await put(uploadId, 'IM0002', 'DICM', aging)).status).toBe(404);
    } finally {
      await aging.close();
    }
  });

  it('refuses uploads past the staging quota with 413, and frees it when their import ends', async () => {
    const series = ensureCtSeries({ slices: 3, size: 64, seed: 'webhost-quota' });
    const files = fs.readdirSync(series.dir).sort();
    const sizes = files.map((name) => fs.statSync(path.join(series.dir, name)).size);
    const quota = sizes[0]! + sizes[1]! + 100;
    const limited = await openSession('quota', { quotaBytes: quota });
    try {
      const uploadId = await begin(limited);
      for (const name of files.slice(0, 2))
        expect(
          (await put(uploadId, name, fs.readFileSync(path.join(series.dir, name)), limited)).status,
        ).toBe(200);
      const refused = await put(
        uploadId,
        files[2]!,
        fs.readFileSync(path.join(series.dir, files[2]!)),
        limited,
      );
      expect(refused.status).toBe(413);
      expect(JSON.parse(refused.body)).toMatchObject({ ok: false, error: { code: 'too-large' } });
      expect(stagedFiles(limited)).toHaveLength(2);

      const done = JSON.parse(
        (
          await request(limited.host.port, `/api/upload/${uploadId}/complete`, {
            method: 'POST',
            headers: { cookie: limited.cookie },
          })
        ).body,
      ) as { path: string };
      await importAndWait(limited, [done.path]);
      expect(await until(() => stagedFiles(limited).length === 0)).toBe(true);
      const next = await begin(limited);
      expect(
        (await put(next, files[2]!, fs.readFileSync(path.join(series.dir, files[2]!)), limited)).status,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('files outside the store (#7 item 15)', () => {
  let session: Session;
  let series: CtSeries;
  let secret: string;
  beforeAll(async () => {
    session = await openSession('store');
    series = ensureCtSeries({ slices: 4, size: 32, seed: 'webhost-store' });
    await importAndWait(session, [series.dir]);
    secret = path.join(makeTempDir('webhost-secret'), 'secret.txt');
    fs.writeFileSync(secret, 'SECRET-OUTSIDE-THE-STORE');
  });
  afterAll(async () => session.close());

  const instances = async (): Promise<string[]> => {
    const series0 = JSON.parse(
      (await session.rpc('catalog.getStudy', { studyInstanceUID: series.studyInstanceUID })).body,
    ) as {
      value: { series: Array<{ seriesInstanceUID: string }> };
    };
    const list = JSON.parse(
      (
        await session.rpc('catalog.listInstances', {
          seriesInstanceUID: series0.value.series[0]!.seriesInstanceUID,
        })
      ).body,
    ) as { value: Array<{ sopInstanceUID: string }> };
    return list.value.map((instance) => instance.sopInstanceUID);
  };
  const get = (uid: string) =>
    request(session.host.port, `/instances/${uid}`, { headers: { cookie: session.cookie } });

  it('serves a stored instance as it was stored', async () => {
    const [uid] = await instances();
    const reply = await get(uid!);
    expect(reply.status).toBe(200);
    expect(Number(reply.headers['content-length'])).toBe(
      // The plain bytes (the store may be encrypted, docs/cache.md).
      readStoredFileSync(session.services.instanceFile(uid!)!.path).length,
    );
  });

  it('does not serve a store file replaced by a symbolic link, and says why in a typed error', async () => {
    const [, uid] = await instances();
    const file = session.services.instanceFile(uid!)!.path;
    fs.rmSync(file);
    fs.symlinkSync(secret, file);
    const reply = await get(uid!);
    expect(reply.status).toBe(500);
    expect(reply.body).not.toContain('SECRET');
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'io' } });
  });

  it('does not serve a store file reached through a linked store folder', async () => {
    const [, , uid] = await instances();
    const file = session.services.instanceFile(uid!)!.path;
    const folder = path.dirname(file);
    const elsewhere = path.join(path.dirname(secret), 'moved');
    fs.cpSync(folder, elsewhere, { recursive: true });
    fs.writeFileSync(path.join(elsewhere, path.basename(file)), 'SECRET-OUTSIDE-THE-STORE');
    fs.renameSync(folder, `${folder}.away`);
    fs.symlinkSync(elsewhere, folder);
    try {
      const reply = await get(uid!);
      expect(reply.status).toBe(500);
      expect(reply.body).not.toContain('SECRET');
    } finally {
      fs.rmSync(folder);
      fs.renameSync(`${folder}.away`, folder);
    }
  });

  it('refuses a store file replaced by a named pipe at once', async () => {
    const [, , , uid] = await instances();
    const file = session.services.instanceFile(uid!)!.path;
    fs.rmSync(file);
    execFileSync('mkfifo', [file]);
    const reply = await get(uid!);
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'io' } });
  });

  it('answers a typed 404 when a stored file is missing, which the viewer can show', async () => {
    const [uid] = await instances();
    fs.rmSync(session.services.instanceFile(uid!)!.path);
    const reply = await get(uid!);
    expect(reply.status).toBe(404);
    const body = JSON.parse(reply.body) as { ok: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(body.error.message).toMatch(/missing/);
    // The host keeps serving.
    expect((await session.rpc('app.info', {})).status).toBe(200);
  });
});

describe('two web hosts on one machine (#7 item 18)', () => {
  it('keep their sessions side by side with one cookie jar', async () => {
    const first = await openSession('first');
    const second = await openSession('second');
    try {
      // A browser's jar: cookies ignore the port, so both hosts see every cookie set on 127.0.0.1.
      const jar = new Map<string, string>();
      const visit = async (host: WebHost) => {
        const reply = await request(host.port, `/?token=${host.token}`);
        expect(reply.status).toBe(303);
        for (const line of reply.headers['set-cookie'] ?? []) {
          const [pair] = line.split(';');
          const index = pair!.indexOf('=');
          jar.set(pair!.slice(0, index), pair!.slice(index + 1));
        }
      };
      const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      await visit(first.host);
      await visit(second.host);
      for (const host of [first.host, second.host]) {
        const page = await request(host.port, '/', { headers: { cookie: cookieHeader() } });
        expect(page.status, `port ${host.port}`).toBe(200);
        const events = new WebSocket(`ws://127.0.0.1:${host.port}/events`, {
          headers: { cookie: cookieHeader() },
        });
        await new Promise<void>((resolve, reject) => {
          events.once('open', () => resolve());
          events.once('error', reject);
        });
        events.close();
      }
      expect(first.host.cookieName).not.toBe(second.host.cookieName);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
