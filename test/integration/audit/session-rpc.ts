/**
 * The audit tests' services: on a fresh data folder each, and called as a host calls them (inside
 * a client session, through the contract's dispatch).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runInSession } from '../../../main/account/sessions.js';
import { CacheSettingsStore, DEFAULT_CACHE_SETTINGS } from '../../../main/cache/settings.js';
import { dispatch } from '../../../main/rpc/dispatch.js';
import type { Services } from '../../../main/services.js';
import { openTestServices } from '../../support/services.js';

export async function call(services: Services, session: string, method: string, payload: unknown = {}) {
  return runInSession(session, () => dispatch(services.handlers, method, payload));
}

/** The value of an allowed call; a refusal fails the test with its code and message. */
export async function ok<T = unknown>(
  services: Services,
  session: string,
  method: string,
  payload: unknown = {},
): Promise<T> {
  const result = await call(services, session, method, payload);
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

/**
 * The web host's services on a new data folder under `root`, its store unencrypted (no key to
 * ask for), one import worker and de-identification in-thread. The caller closes them.
 */
export function openServices(root: string): Services {
  const dataDir = path.join(root, crypto.randomUUID());
  fs.mkdirSync(dataDir, { recursive: true });
  new CacheSettingsStore(dataDir).save({ ...DEFAULT_CACHE_SETTINGS, encrypt: false });
  return openTestServices(dataDir);
}
