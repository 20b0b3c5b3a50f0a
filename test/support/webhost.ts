/**
 * The web host in the test's own process, as the integration tests start it: real services on a
 * fresh data folder and a small renderer folder (an index.html, and the given files under
 * `assets/`), signed in with the launch's cookie. `stop` closes both and removes the folders.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../main/core/logger.js';
import { createServices, type Services } from '../../main/services.js';
import { type WebHost, startWebHost } from '../../main/webhost/server.js';

export interface TestWebHost {
  host: WebHost;
  services: Services;
  dataDir: string;
  rendererDir: string;
  /** The `Cookie` header value of a signed-in page. */
  cookie: string;
  stop(): Promise<void>;
}

export async function startTestWebHost(
  options: { name?: string; assets?: Record<string, Buffer>; importWorkers?: number } = {},
): Promise<TestWebHost> {
  const name = options.name ?? 'webhost';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `radlabel-${name}-`));
  const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), `radlabel-${name}-renderer-`));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>RadLabel</title>');
  if (options.assets) {
    fs.mkdirSync(path.join(rendererDir, 'assets'));
    for (const [file, bytes] of Object.entries(options.assets))
      fs.writeFileSync(path.join(rendererDir, 'assets', file), bytes);
  }
  const services = createServices({
    dataDir,
    host: 'web',
    logger: silentLogger(),
    ...(options.importWorkers !== undefined ? { importWorkers: options.importWorkers } : {}),
  });
  const host = await startWebHost({ services, dataDir, rendererDir, logger: silentLogger() });
  return {
    host,
    services,
    dataDir,
    rendererDir,
    cookie: `${host.cookieName}=${host.token}`,
    async stop() {
      await host.close();
      await services.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(rendererDir, { recursive: true, force: true });
    },
  };
}
