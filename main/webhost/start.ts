#!/usr/bin/env node
/**
 * `npm run web`: the app in a browser. Starts the services and the web host on 127.0.0.1 and
 * prints the URL (with its per-launch token) to open in Chromium, Chrome, Edge or Firefox.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../core/logger.js';
import { resolveDataDir } from '../core/paths.js';
import { defaultRendererDir } from '../core/routes.js';
import { createServices } from '../services.js';
import { startWebHost } from './server.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    'staging-quota-gb': { type: 'string' },
    'staging-max-age-hours': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (values.help) {
  console.log(`Usage: npm run web [-- --data-dir DIR] [--port N] [--staging-quota-gb N] [--staging-max-age-hours N]

Serves RadLabel on http://127.0.0.1 (loopback only) and prints the link to open.
The link carries a token that changes at every launch; requests without it are refused.
Data folder: --data-dir, else $RADLABEL_DATA_DIR, else the OS user-data folder.
Files uploaded for import wait in <data folder>/staging until imported: at most
--staging-quota-gb (default 32) at once; an upload untouched for --staging-max-age-hours
(default 24) is removed.`);
  process.exit(0);
}

function positive(name: 'staging-quota-gb' | 'staging-max-age-hours'): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number.`);
    process.exit(2);
  }
  return value;
}
const quotaGb = positive('staging-quota-gb');
const maxAgeHours = positive('staging-max-age-hours');

const dataDir = resolveDataDir(values['data-dir']);
const logger = createLogger({ logDir: path.join(dataDir, 'logs') });
const services = createServices({ dataDir, host: 'web', logger });
const here = path.dirname(fileURLToPath(import.meta.url));
const host = await startWebHost({
  services,
  dataDir,
  rendererDir: defaultRendererDir(path.resolve(here, '..')),
  logger,
  ...(values.port ? { port: Number(values.port) } : {}),
  staging: {
    ...(quotaGb !== undefined ? { quotaBytes: Math.round(quotaGb * 1024 ** 3) } : {}),
    ...(maxAgeHours !== undefined ? { maxAgeMs: maxAgeHours * 3600 * 1000 } : {}),
  },
});

console.log(`RadLabel is running. Open this link in a browser on this computer:\n\n  ${host.url}\n`);
console.log(`Data folder: ${dataDir}\nResearch use only — not for diagnosis. Press Ctrl+C to stop.`);
// The DICOM receiver starts with the app when its settings enable it (the PACS settings page).
const pacs = await services.pacs.start();
if (pacs.running) console.log(`Receiving DICOM (C-STORE) on port ${pacs.port}.`);
else if (pacs.error) console.log(`The DICOM receiver did not start: ${pacs.error}`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await host.close();
  await services.close();
  logger.flush();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
