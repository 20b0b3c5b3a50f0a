/**
 * The web host's upload routes as the contract describes them (shared/uploads.ts): the renderer's
 * own upload code, run against a real web host, stages real DICOM files that then import; every
 * answer parses with the route's schema and every refusal is the contract's typed error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { UploadBegun, UploadRefusal, uploadRoutes } from '../../../shared/uploads.js';
import { silentLogger } from '../../../main/core/logger.js';
import { type Services, createServices } from '../../../main/services.js';
import { type WebHost, startWebHost } from '../../../main/webhost/server.js';
import { uploadToStaging } from '../../../renderer/src/host/web-transport.js';
import { type CtSeries, ensureCtSeries, makeTempDir } from '../../fixtures/index.js';

let dir: string;
let services: Services;
let host: WebHost;
let origin: string;
let cookie: string;
let series: CtSeries;

beforeAll(async () => {
  dir = makeTempDir('contract-uploads');
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>RadLabel</title>');
  series = ensureCtSeries({ slices: 2, size: 32, seed: 'uploads-contract' });
  const dataDir = path.join(dir, 'data');
  services = createServices({ dataDir, host: 'web', logger: silentLogger(), importWorkers: 1 });
  host = await startWebHost({ services, dataDir, rendererDir, logger: silentLogger() });
  origin = `http://127.0.0.1:${host.port}`;
  cookie = `${host.cookieName}=${host.token}`;
  // The page's cookie, as the browser would send it with `credentials: 'same-origin'`.
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', (input: URL | string, init: RequestInit = {}) =>
    realFetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } }),
  );
});

afterAll(async () => {
  vi.unstubAllGlobals();
  await host?.close();
  await services?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const asFile = (file: string, name = path.basename(file)) => new File([fs.readFileSync(file)], name);

describe('uploads, as the contract describes them', () => {
  it('the renderer’s upload stages files the host then imports', async () => {
    const [staged] = await uploadToStaging(
      series.files.map((file) => asFile(file)),
      origin,
    );
    expect(staged).toEqual(expect.any(String));
    const { jobId } = await services.handlers['import.start']({ paths: [staged!] });
    for (;;) {
      const progress = await services.handlers['import.status']({ jobId });
      if (progress.finishedAt) {
        expect(progress).toMatchObject({ added: series.files.length, failed: 0 });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('every route answers with its schema', async () => {
    const begun = await fetch(new URL(uploadRoutes.begin.path(), origin), {
      method: uploadRoutes.begin.method,
    });
    const { uploadId } = UploadBegun.parse(await begun.json());
    const put = await fetch(new URL(uploadRoutes.file.path(uploadId, 'a/b.dcm'), origin), {
      method: uploadRoutes.file.method,
      body: fs.readFileSync(series.files[0]!),
    });
    uploadRoutes.file.response.parse(await put.json());
    const done = await fetch(new URL(uploadRoutes.complete.path(uploadId), origin), {
      method: uploadRoutes.complete.method,
    });
    uploadRoutes.complete.response.parse(await done.json());
  });

  it('a refusal is the contract’s typed error, thrown by the renderer’s upload as an AppError', async () => {
    const unknown = await fetch(new URL(uploadRoutes.complete.path(crypto.randomUUID()), origin), {
      method: 'POST',
    });
    expect(unknown.ok).toBe(false);
    expect(UploadRefusal.parse(await unknown.json()).error.code).toBe('not-found');

    const refused = await uploadToStaging([asFile(series.files[0]!, '../outside.dcm')], origin).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('invalid-request');
    expect((refused as AppError).message).toContain('outside.dcm');
  });
});
