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
import type { Services } from '../../../main/services.js';
import type { WebHost } from '../../../main/webhost/server.js';
import { uploadToStaging } from '../../../renderer/src/host/web-transport.js';
import { type CtSeries, ensureCtSeries } from '../../fixtures/index.js';
import { importAndWait } from '../../support/import.js';
import { type TestWebHost, startTestWebHost } from '../../support/webhost.js';

let running: TestWebHost;
let services: Services;
let host: WebHost;
let origin: string;
let cookie: string;
let series: CtSeries;

beforeAll(async () => {
  series = ensureCtSeries({ slices: 2, size: 32, seed: 'uploads-contract' });
  running = await startTestWebHost({ name: 'contract-uploads', importWorkers: 1 });
  ({ services, host, cookie } = running);
  origin = `http://127.0.0.1:${host.port}`;
  // The page's cookie, as the browser would send it with `credentials: 'same-origin'`.
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', (input: URL | string, init: RequestInit = {}) =>
    realFetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } }),
  );
});

afterAll(async () => {
  vi.unstubAllGlobals();
  await running?.stop();
});

const asFile = (file: string, name = path.basename(file)) => new File([fs.readFileSync(file)], name);

describe('uploads, as the contract describes them', () => {
  it('the renderer’s upload stages files the host then imports', async () => {
    const [staged] = await uploadToStaging(
      series.files.map((file) => asFile(file)),
      origin,
    );
    expect(staged).toEqual(expect.any(String));
    const progress = await importAndWait(services, [staged!], { failOnErrors: false });
    expect(progress).toMatchObject({ added: series.files.length, failed: 0 });
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
