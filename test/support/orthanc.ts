/**
 * Orthanc on loopback, in a temp folder, stopped by its pid: the hospital PACS (tests and e2e) and, with
 * `{ dicomWeb: true }`, the cloud project's DICOMweb server (sync tests, benchmarks, `npm run cloud:local`).
 * One harness for every test that needs a real Orthanc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from '../fixtures/paths.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Orthanc {
  aeTitle: string;
  dicomPort: number;
  httpPort: number;
  dir: string;
  process: ChildProcess;
  /** `http://127.0.0.1:<port>/dicom-web` when started with `{ dicomWeb: true }`, else undefined. */
  dicomWebUrl: string | undefined;
  /** GET/POST on its REST API (user:secret). */
  rest(pathname: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export const ORTHANC_AUTH = `Basic ${Buffer.from('user:secret').toString('base64')}`;
export const ORTHANC_DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancOptions {
  /** Load the DICOMweb plugin (STOW-RS, QIDO-RS, WADO-RS under /dicom-web/). */
  dicomWeb?: boolean;
  /** Storage folder to use (kept on stop) instead of a fresh temp folder (removed on stop). */
  dir?: string;
  /** HTTP port; a free one when omitted. */
  httpPort?: number;
  /** Basic-auth users (the first one is used by `rest`); `user:secret` when omitted. */
  users?: Record<string, string>;
}

/** Orthanc on loopback in a temp dir, with `modalities` (our SCP) it may C-MOVE to. */
export async function startOrthanc(
  modalities: Record<string, [string, string, number]> = {},
  extra: Record<string, unknown> = {},
  options: OrthancOptions = {},
): Promise<Orthanc> {
  const dir = options.dir ?? makeTempDir('orthanc');
  fs.mkdirSync(dir, { recursive: true });
  const httpPort = options.httpPort ?? (await freePort());
  const users = options.users ?? { user: 'secret' };
  const [restUser, restPassword] = Object.entries(users)[0] ?? ['user', 'secret'];
  const authorization = `Basic ${Buffer.from(`${restUser}:${restPassword}`).toString('base64')}`;
  const dicomPort = await freePort();
  const config = {
    Name: 'TEST',
    StorageDirectory: dir,
    IndexDirectory: dir,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: users,
    DicomServerEnabled: true,
    DicomAet: 'ORTHANC',
    DicomPort: dicomPort,
    DicomModalities: modalities,
    DicomCheckCalledAet: false,
    StorageCompression: false,
    ConcurrentJobs: 2,
    ...(options.dicomWeb
      ? {
          Plugins: [ORTHANC_DICOMWEB_PLUGIN],
          DicomWeb: {
            Enable: true,
            Root: '/dicom-web/',
            StudiesMetadata: 'Full',
            SeriesMetadata: 'Full',
          },
        }
      : {}),
    ...extra,
  };
  fs.writeFileSync(path.join(dir, 'orthanc.json'), JSON.stringify(config));
  const out = fs.openSync(path.join(dir, 'stdout'), 'w');
  const child = spawn('/usr/sbin/Orthanc', [`--logdir=${dir}`, path.join(dir, 'orthanc.json')], {
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const rest = (pathname: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${httpPort}${pathname}`, {
      ...init,
      headers: { Authorization: authorization, ...(init.headers ?? {}) },
    });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await rest('/system')).ok) break;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(
        `Orthanc did not start: ${fs.readFileSync(path.join(dir, 'stdout'), 'utf8').slice(-2000)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    aeTitle: 'ORTHANC',
    dicomPort,
    httpPort,
    dir,
    process: child,
    dicomWebUrl: options.dicomWeb ? `http://127.0.0.1:${httpPort}/dicom-web` : undefined,
    rest,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (options.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
