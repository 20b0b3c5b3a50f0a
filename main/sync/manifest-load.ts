/**
 * Loading a project manifest (docs/sync.md) from a file or a URL, bounded in size and time, with
 * errors that name the field; and the DICOMweb client it describes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { parseSyncManifest, type SyncManifest } from '../../shared/sync-manifest.js';
import { resolveCredentials, type SecretSource } from './credentials.js';
import { DicomWebClient, type DicomWebClientOptions } from './dicomweb-client.js';
import { createDispatcher } from './http.js';

/** A manifest is a few kilobytes to a few megabytes (long task lists); more is not a manifest. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
export const MANIFEST_FETCH_TIMEOUT_MS = 30_000;

export interface LoadedManifest {
  manifest: SyncManifest;
  /** Where relative paths in it (key file, CA file) are taken from: the file's folder; null for a URL. */
  baseDir: string | null;
  /** The file or URL it came from, for messages. */
  source: string;
}

export interface ManifestLoadOptions {
  env?: NodeJS.ProcessEnv;
  /** For a URL: extra CA file and proxy (the server's own settings are inside the manifest). */
  caFile?: string;
  proxy?: string;
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

function invalid(source: string, issues: readonly string[]): AppError {
  const shown = issues.slice(0, 10);
  const more = issues.length > shown.length ? `\n  … and ${issues.length - shown.length} more` : '';
  return new AppError(
    ErrorCode.ProjectInvalid,
    `The project manifest ${source} is not valid:\n  ${shown.join('\n  ')}${more}`,
  );
}

/** Parses manifest text: JSON, then the schema; every problem names its field. */
export function parseManifestText(text: string, source: string): SyncManifest {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new AppError(
      ErrorCode.ProjectInvalid,
      `The project manifest ${source} is not JSON: ${(error as Error).message}.`,
      { cause: error },
    );
  }
  const parsed = parseSyncManifest(value);
  if (!parsed.ok) throw invalid(source, parsed.issues);
  return parsed.manifest;
}

/** Reads a manifest file (a regular file of at most `maxBytes`). */
export function loadManifestFile(file: string, options: ManifestLoadOptions = {}): LoadedManifest {
  const maxBytes = options.maxBytes ?? MAX_MANIFEST_BYTES;
  const absolute = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch (error) {
    throw new AppError(ErrorCode.PathNotFound, `The project manifest does not exist: ${absolute}.`, {
      cause: error,
    });
  }
  if (!stat.isFile())
    throw new AppError(ErrorCode.ProjectInvalid, `The project manifest is not a file: ${absolute}.`);
  if (stat.size > maxBytes)
    throw new AppError(
      ErrorCode.ProjectInvalid,
      `The project manifest ${absolute} is larger than ${maxBytes} bytes; it is not a manifest.`,
    );
  return {
    manifest: parseManifestText(fs.readFileSync(absolute, 'utf8'), absolute),
    baseDir: path.dirname(absolute),
    source: absolute,
  };
}

/** Fetches a manifest from an http(s) URL: at most `maxBytes`, within `timeoutMs` overall. */
export async function fetchManifest(url: string, options: ManifestLoadOptions = {}): Promise<LoadedManifest> {
  if (!/^https?:\/\//i.test(url))
    throw new AppError(
      ErrorCode.ProjectInvalid,
      `A project manifest URL starts with https:// or http://: ${url}.`,
    );
  const maxBytes = options.maxBytes ?? MAX_MANIFEST_BYTES;
  const timeoutMs = options.timeoutMs ?? MANIFEST_FETCH_TIMEOUT_MS;
  const dispatcher = createDispatcher({
    caFile: options.caFile,
    proxy: options.proxy,
    ...(options.env ? { env: options.env } : {}),
    timeoutMs,
  });
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const shownUrl = url.replace(/\/\/[^/@]*@/, '//');
  try {
    const response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      dispatcher,
      signal,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new AppError(
        response.statusCode === 401 || response.statusCode === 403
          ? ErrorCode.ServerAuth
          : ErrorCode.ServerError,
        `The project manifest could not be fetched from ${shownUrl}: HTTP ${response.statusCode}.`,
      );
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.body.destroy();
      throw new AppError(
        ErrorCode.ProjectInvalid,
        `The project manifest at ${shownUrl} is larger than ${maxBytes} bytes.`,
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        response.body.destroy();
        throw new AppError(
          ErrorCode.ProjectInvalid,
          `The project manifest at ${shownUrl} is larger than ${maxBytes} bytes.`,
        );
      }
      chunks.push(chunk);
    }
    return {
      manifest: parseManifestText(Buffer.concat(chunks).toString('utf8'), shownUrl),
      baseDir: null,
      source: shownUrl,
    };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (timeout.aborted)
      throw new AppError(
        ErrorCode.Network,
        `The project manifest could not be fetched from ${shownUrl}: no complete answer within ${Math.round(timeoutMs / 1000)} s.`,
        { cause: error },
      );
    if (options.signal?.aborted) throw new AppError(ErrorCode.Cancelled, 'Cancelled.', { cause: error });
    throw new AppError(
      ErrorCode.Network,
      `The project manifest could not be fetched from ${shownUrl}: the server cannot be reached.`,
      {
        cause: error,
      },
    );
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

/** A manifest from a file path or an http(s) URL. */
export function loadManifest(source: string, options: ManifestLoadOptions = {}): Promise<LoadedManifest> {
  return /^https?:\/\//i.test(source)
    ? fetchManifest(source, options)
    : Promise.resolve(loadManifestFile(source, options));
}

/**
 * The DICOMweb client for a manifest's server, signed in with the credentials from the
 * environment, the manifest's key file, or `stored` (the app's keychain). Relative CA and key
 * files are taken from `baseDir` (the manifest's folder).
 */
export function projectClient(
  loaded: Pick<LoadedManifest, 'manifest' | 'baseDir'>,
  options: {
    env?: NodeJS.ProcessEnv;
    stored?: SecretSource;
    overrides?: Partial<DicomWebClientOptions>;
  } = {},
): DicomWebClient {
  const { server, sync } = loaded.manifest;
  const baseDir = loaded.baseDir ?? process.cwd();
  const credentials = resolveCredentials(server.auth, {
    ...(options.env ? { env: options.env } : {}),
    baseDir,
    ...(options.stored ? { stored: options.stored } : {}),
  });
  return new DicomWebClient({
    baseUrl: server.url,
    credentials,
    caFile: server.caFile ? path.resolve(baseDir, server.caFile) : undefined,
    proxy: server.proxy,
    ...(options.env ? { env: options.env } : {}),
    timeoutMs: server.timeoutSeconds * 1000,
    batchInstances: sync.batchInstances,
    batchBytes: sync.batchMegabytes * 1024 * 1024,
    ...options.overrides,
  });
}
