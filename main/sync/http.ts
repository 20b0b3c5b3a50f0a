/**
 * HTTP to the project's server: TLS trusting the system's CA store plus an optional CA file (a
 * hospital's TLS-inspecting proxy), an HTTP(S) proxy from the manifest or the environment
 * (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), timeouts on silence. Node's built-in fetch honours neither a
 * CA file nor a proxy, so this uses undici (the same library, as a dependency) and its dispatchers.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent } from 'undici';
import { AppError, ErrorCode } from '../../shared/errors.js';

export interface HttpSettings {
  /** PEM file of extra CA certificates, trusted besides the system's. */
  caFile?: string | undefined;
  /** Proxy URL; when absent, HTTPS_PROXY / HTTP_PROXY / NO_PROXY of `env`. */
  proxy?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Connect, first-byte and between-bytes timeout. */
  timeoutMs: number;
  /** Parallel connections to the server. */
  connections?: number;
}

/** Where Linux distributions keep the system's CA bundle. */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

/** Node's own CAs, the system's (the OS store where Node can read it, else the distribution's bundle). */
function systemCertificates(): string[] {
  const withSystem = tls as typeof tls & { getCACertificates?: (type: string) => string[] };
  if (typeof withSystem.getCACertificates === 'function') {
    try {
      return [...tls.rootCertificates, ...withSystem.getCACertificates('system')];
    } catch {
      // Fall back to the bundle file.
    }
  }
  const bundle = SYSTEM_BUNDLES.find((file) => fs.existsSync(file));
  return bundle ? [...tls.rootCertificates, fs.readFileSync(bundle, 'utf8')] : [...tls.rootCertificates];
}

/** The TLS options for the server: undefined (Node's defaults) unless a CA file is named. */
function tlsOptions(caFile: string | undefined): tls.ConnectionOptions | undefined {
  if (!caFile) return undefined;
  let pem: string;
  try {
    pem = fs.readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new AppError(
      ErrorCode.ProjectInvalid,
      `The CA certificate file named by the project (server.caFile) cannot be read: ${caFile}.`,
      { cause: error },
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new AppError(
      ErrorCode.ProjectInvalid,
      `The CA certificate file named by the project (server.caFile) holds no PEM certificate: ${caFile}.`,
    );
  // One secure context for every connection: parsing ~150 CAs per connection would cost ~10 ms each.
  return { secureContext: tls.createSecureContext({ ca: [...systemCertificates(), pem] }) };
}

function environmentProxy(env: NodeJS.ProcessEnv): { http?: string; https?: string; no?: string } | null {
  const https = env.HTTPS_PROXY ?? env.https_proxy;
  const http = env.HTTP_PROXY ?? env.http_proxy;
  if (!https && !http) return null;
  const no = env.NO_PROXY ?? env.no_proxy;
  return {
    ...(http ? { http } : {}),
    ...(https ? { https } : {}),
    ...(no ? { no } : {}),
  };
}

/**
 * How to reach the server without undici (`http-stream.ts`, for large answers): the TLS trust to
 * use, or null when a proxy (the manifest's or the environment's) applies, which undici handles.
 */
export function directConnection(
  settings: Pick<HttpSettings, 'caFile' | 'proxy' | 'env'>,
): { secureContext?: tls.SecureContext } | null {
  if (settings.proxy || environmentProxy(settings.env ?? process.env)) return null;
  const connect = tlsOptions(settings.caFile);
  return connect?.secureContext ? { secureContext: connect.secureContext } : {};
}

/** The dispatcher for every request to one project's server. */
export function createDispatcher(settings: HttpSettings): Dispatcher {
  const connect = tlsOptions(settings.caFile);
  const common = {
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
    connections: settings.connections ?? 8,
    connect: { timeout: settings.timeoutMs, ...(connect ?? {}) },
  };
  if (settings.proxy)
    return new ProxyAgent({
      uri: settings.proxy,
      ...common,
      ...(connect ? { requestTls: connect } : {}),
    });
  const fromEnv = environmentProxy(settings.env ?? process.env);
  if (fromEnv)
    return new EnvHttpProxyAgent({
      ...common,
      // Handed on to the ProxyAgent it makes: TLS to the server inside the tunnel.
      ...(connect ? ({ requestTls: connect } as object) : {}),
      ...(fromEnv.http ? { httpProxy: fromEnv.http } : {}),
      ...(fromEnv.https ? { httpsProxy: fromEnv.https } : {}),
      ...(fromEnv.no ? { noProxy: fromEnv.no } : {}),
    });
  return new Agent(common);
}
