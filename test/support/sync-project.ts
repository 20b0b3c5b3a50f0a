/** A sync project manifest for tests (shared/sync-manifest.ts), written as a file. */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_LABEL_SCHEMA } from '../../shared/default-label-schema.js';
import { SYNC_MANIFEST_FORMAT, type SyncManifestInput } from '../../shared/sync-manifest.js';

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
