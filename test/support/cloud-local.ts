/**
 * `npm run cloud:local`: a demo cloud project on this machine (issue #10 item 7). Starts Orthanc
 * with its DICOMweb plugin (apt: orthanc, orthanc-dicomweb) on 127.0.0.1 at a free port, storing in
 * a temp folder (or --dir DIR, kept), with basic auth under a random password; writes a matching
 * project manifest and its 0600 key file; prints how to sync; Ctrl+C stops Orthanc (by its pid) and
 * removes the temp folder.
 *
 *   npm run cloud:local [-- --dir DIR] [--port N] [--reader NAME]
 *
 * With RADLABEL_CLOUD_LOCAL_READY=1 it also prints one line `READY <manifest path>` once ready
 * (the test that starts it waits for that line).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LABEL_SCHEMA } from '../../shared/default-label-schema.js';
import { SYNC_MANIFEST_FORMAT, type SyncManifestInput } from '../../shared/sync-manifest.js';
import { ORTHANC_DICOMWEB_PLUGIN, startOrthanc } from './orthanc.js';

const USAGE = `Usage: npm run cloud:local [-- --dir DIR] [--port N] [--reader NAME]

Starts a local Orthanc + DICOMweb as a demo cloud project on 127.0.0.1 and writes its manifest.
  --dir DIR      Keep Orthanc's storage and the manifest in DIR (default: a temp folder, removed on exit)
  --port N       HTTP port (default: a free one)
  --reader NAME  The reader the manifest assigns every study to (default: your user name)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      port: { type: 'string' },
      reader: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!fs.existsSync('/usr/sbin/Orthanc') || !fs.existsSync(ORTHANC_DICOMWEB_PLUGIN)) {
    process.stderr.write(
      'Orthanc and its DICOMweb plugin are needed: sudo apt install orthanc orthanc-dicomweb\n',
    );
    return 1;
  }
  const keep = values.dir !== undefined;
  const root = keep
    ? path.resolve(values.dir!)
    : fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-cloud-local-'));
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const keyFile = path.join(root, 'cloud-local.key');
  // The password survives restarts of a kept folder, so an already set up workstation keeps working.
  const password = fs.existsSync(keyFile)
    ? fs.readFileSync(keyFile, 'utf8').trim()
    : crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(keyFile, `${password}\n`, { mode: 0o600 });
  fs.chmodSync(keyFile, 0o600);

  const orthanc = await startOrthanc(
    {},
    { Name: 'RadLabel cloud (local demo)', DicomServerEnabled: false },
    {
      dicomWeb: true,
      dir: path.join(root, 'orthanc'),
      users: { radlabel: password },
      ...(values.port ? { httpPort: Number(values.port) } : {}),
    },
  );
  const reader = values.reader ?? os.userInfo().username;
  const manifest: SyncManifestInput = {
    format: SYNC_MANIFEST_FORMAT,
    projectId: 'LOCALDEMO',
    name: 'Local demo project (npm run cloud:local)',
    server: {
      url: orthanc.dicomWebUrl!,
      auth: { type: 'basic', username: 'radlabel', keyFile: path.basename(keyFile) },
      timeoutSeconds: 120,
    },
    labelSchema: DEFAULT_LABEL_SCHEMA,
    readers: [
      {
        username: reader,
        role: 'admin',
        // Every study uploaded to this project carries its protocol id: all of them are this reader's tasks.
        tasks: [{ clinicalTrial: { protocolId: 'LOCALDEMO' } }],
      },
    ],
    deid: {
      profile: 'research',
      options: [],
      clinicalTrial: { sponsorName: 'RadLabel local demo', protocolId: 'LOCALDEMO', siteId: 'LOCAL' },
    },
    sync: { intervalMinutes: 1, uploadDrafts: false },
  };
  const manifestFile = path.join(root, 'manifest.json');
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);

  process.stdout.write(
    [
      '',
      'RadLabel demo cloud project is running (Orthanc + DICOMweb on this machine only).',
      '',
      `  DICOMweb:   ${orthanc.dicomWebUrl}`,
      `  Browse it:  http://127.0.0.1:${orthanc.httpPort}/app/explorer.html  (user radlabel, password in ${keyFile})`,
      `  Manifest:   ${manifestFile}`,
      '',
      'Sync a data folder with it (in another terminal):',
      `  npm run cli -- sync --project ${manifestFile} [--data-dir DIR]`,
      'or in the app: Sync > Load project > choose the manifest above.',
      '',
      keep ? `Storage kept in ${root}.` : 'Storage is a temp folder, removed when this stops.',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  if (process.env.RADLABEL_CLOUD_LOCAL_READY === '1') process.stdout.write(`READY ${manifestFile}\n`);

  // Ctrl+C in a terminal signals Orthanc too (same process group): a signal is a stop, not a crash.
  const signalled = await new Promise<boolean>((resolve) => {
    process.once('SIGINT', () => resolve(true));
    process.once('SIGTERM', () => resolve(true));
    orthanc.process.once('exit', () => resolve(false));
  });
  const crashed = !signalled;
  process.stdout.write('Stopping Orthanc…\n');
  await orthanc.stop();
  if (!keep) fs.rmSync(root, { recursive: true, force: true });
  process.stdout.write('Stopped.\n');
  return crashed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cloud:local failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
