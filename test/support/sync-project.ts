/**
 * Sync projects for tests: a manifest (shared/sync-manifest.ts) written as a file, and
 * startSyncProject — a fresh Orthanc with DICOMweb, the manifest, "machines" (services on their own
 * data folders, each with its reader) and one close for all of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Services, ServicesOptions } from '../../main/services.js';
import { DEFAULT_LABEL_SCHEMA } from '../../shared/default-label-schema.js';
import { SYNC_MANIFEST_FORMAT, type SyncManifestInput } from '../../shared/sync-manifest.js';
import { makeTempDir } from '../fixtures/paths.js';
import { type Orthanc, startOrthanc } from './orthanc.js';
import { openTestServices } from './services.js';

export { importAndWait } from './import.js';

export interface TestManifestOptions {
  /** The DICOMweb root (`http://127.0.0.1:<port>/dicom-web`). */
  url: string;
  projectId?: string;
  /** Basic auth user (password from RADLABEL_SYNC_PASSWORD); none when omitted. */
  username?: string;
  readers?: SyncManifestInput['readers'];
  protocolId?: string;
  intervalMinutes?: number;
  batchInstances?: number;
}

type Readers = SyncManifestInput['readers'];

/**
 * The two readers most sync tests have: alice, an annotator with no task list (she uploads), and
 * bob in `bobRole`, whose task is the project's trial PROTO-1 (he pulls what alice uploads).
 */
export function aliceAndBob(bobRole: Readers[number]['role']): Readers {
  return [
    { username: 'alice', role: 'annotator', tasks: [] },
    { username: 'bob', role: bobRole, tasks: [{ clinicalTrial: { protocolId: 'PROTO-1' } }] },
  ];
}

export function testManifest(options: TestManifestOptions): SyncManifestInput {
  return {
    format: SYNC_MANIFEST_FORMAT,
    projectId: options.projectId ?? 'LUNG1',
    name: 'Test project',
    server: {
      url: options.url,
      auth: options.username ? { type: 'basic', username: options.username } : { type: 'none' },
      timeoutSeconds: 30,
    },
    labelSchema: DEFAULT_LABEL_SCHEMA,
    readers: options.readers ?? [{ username: 'alice', role: 'annotator', tasks: [] }],
    deid: {
      profile: 'research',
      options: [],
      clinicalTrial: { sponsorName: 'Test sponsor', protocolId: options.protocolId ?? 'PROTO-1' },
    },
    sync: {
      intervalMinutes: options.intervalMinutes ?? 60,
      ...(options.batchInstances ? { batchInstances: options.batchInstances } : {}),
    },
  };
}

/** Writes the manifest into `dir` and returns its path. */
export function writeTestManifest(dir: string, options: TestManifestOptions, name = 'project.json'): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(testManifest(options), null, 2));
  return file;
}

export interface SyncMachineOptions {
  /** Background passes at the manifest's interval, as the app runs them (default off: passes by hand). */
  background?: boolean;
  /**
   * How the project's manifest is loaded: `engine` (services.sync.load, the default), `handler`
   * (sync.loadProject, as the app's panel does) or `none` (no project on this machine).
   */
  load?: 'engine' | 'handler' | 'none';
}

export interface SyncProjectOptions {
  /** Prefix of the temp folder holding the manifest and every machine's data folder. */
  name: string;
  /** A real Orthanc with DICOMweb (default); `false` for machines that only exchange files. */
  orthanc?: boolean;
  /** The manifest's settings (its url is the server's, or `through`'s). */
  manifest?: Omit<TestManifestOptions, 'url'>;
  /** Something between the machines and Orthanc (a fault proxy): its url is the manifest's. */
  through?: (orthanc: Orthanc) => Promise<{ url: string; stop(): Promise<void> }>;
  /** Set for the project's life, restored on close (with RADLABEL_SYNC_PASSWORD and RADLABEL_READER). */
  env?: Record<string, string>;
}

export interface SyncProject {
  dir: string;
  /** Undefined when started with `orthanc: false`. */
  orthanc: Orthanc | undefined;
  /** The manifest file ('' without a server). */
  manifest: string;
  /** Services on `<dir>/<name>`, `reader` acting (RADLABEL_READER), the project loaded. */
  machine(name: string, reader: string, options?: SyncMachineOptions): Promise<Services>;
  /** Every machine closed, the proxy and Orthanc stopped, the environment restored, the folder removed. */
  close(): Promise<void>;
}

/**
 * Services on `dataDir` as a sync test's workstation: the web host's, silent, one import worker,
 * de-identification in-thread, no background sync unless `options` says otherwise.
 */
export function openMachine(dataDir: string, options: Partial<ServicesOptions> = {}): Services {
  return openTestServices(dataDir, { syncBackground: false, ...options });
}

/** A sync project on a fresh Orthanc (DICOMweb, user:secret) and machines with their own data folders. */
export async function startSyncProject(options: SyncProjectOptions): Promise<SyncProject> {
  const dir = makeTempDir(options.name);
  const env = { ...process.env };
  const open: Services[] = [];
  let orthanc: Orthanc | undefined;
  let front: { url: string; stop(): Promise<void> } | undefined;
  let manifest = '';
  const close = async () => {
    for (const services of open.splice(0)) await services.close();
    await front?.stop();
    await orthanc?.stop();
    process.env = env;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    process.env['RADLABEL_SYNC_PASSWORD'] = 'secret';
    Object.assign(process.env, options.env ?? {});
    if (options.orthanc !== false) {
      orthanc = await startOrthanc({}, {}, { dicomWeb: true });
      front = options.through ? await options.through(orthanc) : undefined;
      const url = front?.url ?? orthanc.dicomWebUrl!;
      manifest = writeTestManifest(dir, { username: 'user', ...options.manifest, url });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    dir,
    orthanc,
    manifest,
    async machine(name, reader, machineOptions = {}) {
      process.env['RADLABEL_READER'] = reader;
      const services = openMachine(path.join(dir, name), {
        syncBackground: machineOptions.background ?? false,
      });
      open.push(services);
      const load = machineOptions.load ?? (manifest ? 'engine' : 'none');
      if (load === 'engine') await services.sync.load({ path: manifest });
      if (load === 'handler') await services.handlers['sync.loadProject']({ source: manifest });
      return services;
    },
    close,
  };
}

/** The reader who acts next on the machines of this process (annotation authors, tasks). */
export function actAs(reader: string): void {
  process.env['RADLABEL_READER'] = reader;
}

/** One sync pass of a machine's engine (the project loaded). */
export async function pass(services: Services) {
  return services.sync.engine()!.pass(new AbortController().signal);
}

/** Waits up to 90 s for a state (imported SRs become annotations after the pass). */
export async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 90_000;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}
