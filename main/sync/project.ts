/**
 * A cloud project from its manifest (shared/sync-manifest.ts): the engine's view of it (this
 * reader's tasks, interval, batches, the de-identification the project asks for) and a transport
 * to its DICOMweb server (dicomweb-client.ts) signed in with credentials from the environment, a
 * private key file or the keychain (credentials.ts) — never from the manifest or the data folder.
 */
import path from 'node:path';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { type SyncManifest, manifestReader, parseSyncManifest } from '../../shared/sync-manifest.js';
import { currentReader } from '../annotation/reader.js';
import { type SecretSource, resolveCredentials } from './credentials.js';
import { fetchManifest, loadManifestFile } from './manifest-load.js';
import { DicomWebClient } from './dicomweb-client.js';
import type { SyncTransport } from './engine.js';
import type { LoadedProject } from './sync-app.js';

/** What is kept in `<data>/sync/project.json`: the manifest and the folder its key file is relative to. */
interface KeptManifest {
  manifest: unknown;
  baseDir: string;
}

export interface ProjectContext {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** The app's keychain-sealed secret, if any. */
  stored?: SecretSource;
}

export async function loadSyncProject(
  source: { path: string } | { url: string } | { manifest: unknown },
  context: ProjectContext,
): Promise<LoadedProject> {
  if ('path' in source) {
    const loaded = loadManifestFile(path.resolve(source.path), { env: context.env });
    return projectFrom(loaded.manifest, loaded.baseDir ?? context.dataDir, context);
  }
  if ('url' in source) {
    const loaded = await fetchManifest(source.url, { env: context.env });
    return projectFrom(loaded.manifest, loaded.baseDir ?? context.dataDir, context);
  }
  const kept = source.manifest as Partial<KeptManifest>;
  const parsed = parseSyncManifest(kept.manifest);
  if (!parsed.ok)
    throw new AppError(
      ErrorCode.ProjectInvalid,
      `The saved project manifest is not valid: ${parsed.issues.slice(0, 5).join('; ')}`,
    );
  return projectFrom(
    parsed.manifest,
    typeof kept.baseDir === 'string' ? kept.baseDir : context.dataDir,
    context,
  );
}

function projectFrom(manifest: SyncManifest, baseDir: string, context: ProjectContext): LoadedProject {
  const credentials = resolveCredentials(manifest.server.auth, {
    env: context.env,
    baseDir,
    ...(context.stored ? { stored: context.stored } : {}),
  });
  const client = new DicomWebClient({
    baseUrl: manifest.server.url,
    credentials,
    caFile: manifest.server.caFile ? path.resolve(baseDir, manifest.server.caFile) : undefined,
    proxy: manifest.server.proxy,
    env: context.env,
    timeoutMs: manifest.server.timeoutSeconds * 1000,
    batchInstances: manifest.sync.batchInstances,
    batchBytes: manifest.sync.batchMegabytes * 2 ** 20,
  });
  // The CLI's reader is `cli:<name>` in the audit log (main/account/); the manifest names the person.
  const reader = manifestReader(manifest, currentReader().replace(/^cli:/, ''));
  const transport: SyncTransport & { close(): Promise<void> } = {
    stow: (files, signal) => client.stow(files, { signal }),
    studyInstances: (studyInstanceUID, signal) => client.studyInstances(studyInstanceUID, { signal }),
    findStudies: async (query, signal) => {
      const filter: Record<string, string> = {};
      if (query.protocolId) filter['00120020'] = query.protocolId;
      if (query.siteId) filter['00120030'] = query.siteId;
      if (query.subjectId) filter['00120040'] = query.subjectId;
      if (query.timePointId) filter['00120050'] = query.timePointId;
      const found = await client.qidoStudies({ ...filter, includefield: '0020000D' }, { signal });
      return found.flatMap((study) => {
        const value = study['0020000D']?.Value?.[0];
        return typeof value === 'string' ? [value] : [];
      });
    },
    fetchInstance: (instance, destination, signal) => client.wadoInstance(instance, destination, { signal }),
    close: () => client.close(),
  };
  const trial = manifest.deid.clinicalTrial;
  return {
    project: {
      projectId: manifest.projectId,
      baseUrl: manifest.server.url,
      intervalMinutes: manifest.sync.intervalMinutes,
      tasks: reader?.tasks ?? [],
      uploadDrafts: manifest.sync.uploadDrafts,
      readers: manifest.readers.map((entry) => entry.username),
      batchInstances: manifest.sync.batchInstances,
      batchBytes: manifest.sync.batchMegabytes * 2 ** 20,
    },
    deid: {
      profile: manifest.deid.profile,
      options: manifest.deid.options,
      projectId: manifest.projectId,
      ...(trial
        ? {
            clinicalTrial: Object.fromEntries(
              Object.entries(trial).filter(([, value]) => value !== undefined),
            ),
          }
        : {}),
    },
    transport,
    manifest: { manifest, baseDir } satisfies KeptManifest,
  };
}
