/**
 * The project manifest (docs/sync.md): the documented example is valid; credentials, bad URLs,
 * conflicting de-identification options, duplicate readers and unknown fields are refused with a
 * message naming the field; files and URLs are bounded in size and time.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import { manifestReader, parseSyncManifest, type SyncManifestInput } from '../../../shared/sync-manifest.js';
import { fetchManifest, loadManifestFile, projectClient } from '../../../main/sync/manifest-load.js';
import { makeTempDir, repoRoot } from '../../fixtures/paths.js';

const dir = makeTempDir('sync-manifest');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The example of docs/sync.md, as the documentation shows it. */
function documentedExample(): SyncManifestInput {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'sync.md'), 'utf8');
  const block = /```json manifest\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error('docs/sync.md has no ```json manifest block');
  return JSON.parse(block[1]!) as SyncManifestInput;
}

function issuesOf(value: unknown): string[] {
  const parsed = parseSyncManifest(value);
  return parsed.ok ? [] : parsed.issues;
}

describe('the project manifest', () => {
  it('the example in docs/sync.md is valid and gets the documented defaults', () => {
    const parsed = parseSyncManifest(documentedExample());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.manifest.server.timeoutSeconds).toBe(120);
    expect(manifestReader(parsed.manifest, 'ALICE')?.role).toBe('annotator');
    expect(manifestReader(parsed.manifest, 'nobody')).toBeNull();
  });

  it('refuses a password or token in the manifest, naming the field', () => {
    const example = documentedExample();
    expect(
      issuesOf({
        ...example,
        server: { ...example.server, auth: { type: 'basic', username: 'a', password: 'x' } },
      }),
    ).toEqual([expect.stringMatching(/^server\.auth: .*password/)]);
    expect(
      issuesOf({ ...example, server: { ...example.server, auth: { type: 'bearer', token: 'x' } } }),
    ).toEqual([expect.stringMatching(/^server\.auth: .*token/)]);
    expect(
      issuesOf({
        ...example,
        server: { ...example.server, url: 'https://user:pw@pacs.example.org/dicom-web' },
      }),
    ).toEqual([expect.stringMatching(/^server\.url: must not carry a user name or password/)]);
  });

  it('names the field of each problem', () => {
    const example = documentedExample();
    const issues = issuesOf({
      ...example,
      server: { ...example.server, url: 'ftp://pacs/dicom-web' },
      deid: { profile: 'basic', options: ['retainLongitudinalFullDates', 'retainLongitudinalModifiedDates'] },
      readers: [example.readers[0], { ...example.readers[0], tasks: [{ studyInstanceUID: 'not-a-uid' }] }],
      sync: { ...example.sync, intervalMinutes: 0 },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^server\.url: must start with https:\/\/ or http:\/\//),
        expect.stringMatching(/^deid\.options: .*exclude each other/),
        expect.stringMatching(/^readers\[1\]\.tasks\[0\]/),
        expect.stringMatching(/^readers\[1\]\.username: reader "alice" is listed twice/),
        expect.stringMatching(/^sync\.intervalMinutes: /),
      ]),
    );
    expect(issuesOf({ ...example, extra: 1 })).toEqual([expect.stringMatching(/extra/)]);
    expect(issuesOf({ ...example, format: 'radlabel-sync-project/2' })).toEqual([
      expect.stringMatching(/^format: /),
    ]);
  });

  it('a file that is not JSON, too large or invalid is a project-invalid error naming the file and field', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{ not json');
    expect(() => loadManifestFile(bad)).toThrow(
      expect.objectContaining({
        code: ErrorCode.ProjectInvalid,
        message: expect.stringContaining('not JSON'),
      }),
    );
    const large = path.join(dir, 'large.json');
    fs.writeFileSync(large, ' '.repeat(2048));
    expect(() => loadManifestFile(large, { maxBytes: 1024 })).toThrow(
      expect.objectContaining({ code: ErrorCode.ProjectInvalid }),
    );
    const invalid = path.join(dir, 'invalid.json');
    fs.writeFileSync(invalid, JSON.stringify({ ...documentedExample(), projectId: 'has space' }));
    expect(() => loadManifestFile(invalid)).toThrow(
      expect.objectContaining({
        code: ErrorCode.ProjectInvalid,
        message: expect.stringMatching(/invalid\.json is not valid:\n {2}projectId: /),
      }),
    );
    expect(() => loadManifestFile(path.join(dir, 'missing.json'))).toThrow(
      expect.objectContaining({ code: ErrorCode.PathNotFound }),
    );
  });

  it("relative key and CA files are taken from the manifest's folder", () => {
    const good = path.join(dir, 'project', 'manifest.json');
    fs.mkdirSync(path.dirname(good), { recursive: true });
    const example = documentedExample();
    fs.writeFileSync(
      good,
      JSON.stringify({
        ...example,
        server: { url: 'http://127.0.0.1:9/dicom-web', auth: { type: 'bearer', keyFile: 'token.key' } },
      }),
    );
    fs.writeFileSync(path.join(dir, 'project', 'token.key'), 'abc\n', { mode: 0o600 });
    const loaded = loadManifestFile(good);
    expect(loaded.baseDir).toBe(path.dirname(good));
    const client = projectClient(loaded, { env: {} });
    expect(client.baseUrl).toBe('http://127.0.0.1:9/dicom-web');
    void client.close();
  });

  it('fetches from a URL, bounded in size and time', async () => {
    const body = JSON.stringify(documentedExample());
    const server = http.createServer((request, response) => {
      if (request.url === '/ok') response.end(body);
      else if (request.url === '/huge') {
        response.write('['.repeat(1024));
        const timer = setInterval(() => response.write(' '.repeat(64 * 1024)), 1);
        response.on('close', () => clearInterval(timer));
      } else if (request.url === '/slow') response.write('{');
      else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const loaded = await fetchManifest(`${base}/ok`, { env: {} });
      expect(loaded.manifest.projectId).toBe(documentedExample().projectId);
      expect(loaded.baseDir).toBeNull();
      await expect(fetchManifest(`${base}/huge`, { env: {}, maxBytes: 1024 * 1024 })).rejects.toMatchObject({
        code: ErrorCode.ProjectInvalid,
        message: expect.stringContaining('larger than'),
      });
      await expect(fetchManifest(`${base}/slow`, { env: {}, timeoutMs: 1500 })).rejects.toMatchObject({
        code: ErrorCode.Network,
        message: expect.stringContaining('within'),
      });
      await expect(fetchManifest(`${base}/nothing`, { env: {} })).rejects.toMatchObject({
        code: ErrorCode.ServerError,
        message: expect.stringContaining('404'),
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
