/**
 * Never lose work (#9 item 4): the web host is killed with SIGKILL while annotation versions are
 * being saved through its real RPC (HTTP), again and again. After each kill every version whose
 * save was acknowledged is stored, the database passes `PRAGMA integrity_check`, and the host
 * starts again on it. Trials: RADLABEL_CRASH_TRIALS (default 5 here; `npm run test:soak` runs 50).
 * Needs `npm run build` (the host runs from build/, as the app does).
 */
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnnotationVersion, AnnotationVersionInput } from '../../../shared/annotation.js';
import { AnnotationStore } from '../../../main/annotation/store.js';
import { CATALOG_FILE_NAME } from '../../../main/services.js';
import { type RunningWebHost, startWebHost } from '../../e2e/support/webhost.js';
import { makeTempDir } from '../../fixtures/index.js';
import { openTestServices } from '../../support/services.js';

const TRIALS = Number(process.env['RADLABEL_CRASH_TRIALS'] ?? 5);
const WRITERS = 4;
const STUDY = '1.2.826.0.1.3680043.8.498.90001';

const dir = makeTempDir('annotation-crash');
const dataDir = path.join(dir, 'data');
let child: ChildProcess | null = null;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

type Host = RunningWebHost;

/** The built web host on the test's data folder (the same launcher the end-to-end tests use). */
async function startHost(): Promise<Host> {
  const host = await startWebHost({
    dataDir,
    env: { RADLABEL_LOG_LEVEL: 'warn', RADLABEL_READER: 'crash-test' },
  });
  child = host.process;
  return host;
}

async function rpc<T>(host: Host, method: string, request: unknown): Promise<T> {
  const response = await fetch(`${host.origin}/api/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
    body: JSON.stringify(request),
  });
  const reply = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!reply.ok) throw new Error(reply.error?.message ?? 'refused');
  return reply.value as T;
}

function lengthVersion(annotationUid: string, parent: string | null, step: number): AnnotationVersionInput {
  return {
    versionId: crypto.randomUUID(),
    annotationUid,
    parentIds: parent ? [parent] : [],
    studyInstanceUID: STUDY,
    kind: 'measurement',
    tool: 'Length',
    labelId: 'lesion',
    attributes: { step },
    data: {
      metadata: { toolName: 'Length', FrameOfReferenceUID: '1.2.3' },
      data: {
        handles: {
          points: [
            [0, 0, 0],
            [step, 1.5, -2.25],
          ],
        },
        cachedStats: { length: step },
      },
      hidden: false,
      locked: false,
    },
  };
}

/** Saves versions of one annotation one after the other until the host dies; returns those acknowledged. */
async function writeUntilKilled(
  host: Host,
  annotationUid: string,
  parent: string | null,
  acknowledged: string[] = [],
): Promise<string[]> {
  let last = parent;
  for (let step = 1; ; step += 1) {
    const version = lengthVersion(annotationUid, last, step);
    try {
      const { versionIds } = await rpc<{ versionIds: string[] }>(host, 'annotation.save', {
        versions: [version],
      });
      expect(versionIds).toEqual([version.versionId]);
    } catch {
      return acknowledged;
    }
    acknowledged.push(version.versionId);
    last = version.versionId;
  }
}

async function expectAllAcknowledged(
  host: Host,
  acknowledged: Map<string, string[]>,
  when: string,
): Promise<void> {
  for (const [uid, ids] of acknowledged) {
    const history = await rpc<AnnotationVersion[]>(host, 'annotation.history', { annotationUid: uid });
    const stored = new Set(history.map((version) => version.versionId));
    expect(
      ids.filter((id) => !stored.has(id)),
      `${uid} ${when}`,
    ).toEqual([]);
  }
}

/**
 * `PRAGMA integrity_check` on the catalog as the app opens it (services first: migrations, and the
 * key when the catalog is encrypted; then the annotation store's own connection).
 */
async function integrityCheck(): Promise<string> {
  const services = openTestServices(dataDir);
  const store = new AnnotationStore(path.join(dataDir, CATALOG_FILE_NAME), { reader: () => 'crash-test' });
  try {
    return store.integrityCheck();
  } finally {
    store.close();
    await services.close();
  }
}

describe('annotation saves survive SIGKILL of the web host', () => {
  it(
    `keeps every acknowledged version over ${TRIALS} kills, and the database stays intact`,
    async () => {
      const acknowledged = new Map<string, string[]>();
      const uids = Array.from({ length: WRITERS }, (_, i) => `crash-${i}`);
      let totalAcknowledged = 0;
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const host = await startHost();
        await expectAllAcknowledged(host, acknowledged, `before trial ${trial}`);
        // Continue each chain from its newest stored head (a version stored but never acknowledged
        // may be newer than the last acknowledged one).
        const { heads } = await rpc<{ heads: AnnotationVersion[] }>(host, 'annotation.list', {
          studyInstanceUID: STUDY,
        });
        const progress = uids.map((): string[] => []);
        const writers = uids.map((uid, i) =>
          writeUntilKilled(
            host,
            uid,
            heads.filter((head) => head.annotationUid === uid).at(-1)?.versionId ?? null,
            progress[i],
          ),
        );
        // Killed mid-stream: once every writer has had a save acknowledged (a freshly started host on
        // a loaded machine may take a while for its first), then after a random moment.
        const deadline = Date.now() + 60_000;
        while (progress.some((ids) => ids.length === 0) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 200));
        const exited = new Promise((resolve) => host.process.once('exit', resolve));
        host.process.kill('SIGKILL');
        await exited;
        const results = await Promise.all(writers);
        results.forEach((ids, i) => {
          acknowledged.set(uids[i]!, [...(acknowledged.get(uids[i]!) ?? []), ...ids]);
          totalAcknowledged += ids.length;
        });
        expect(await integrityCheck(), `trial ${trial}`).toBe('ok');
      }
      // After the last kill: start once more and find every acknowledged version.
      const host = await startHost();
      await expectAllAcknowledged(host, acknowledged, 'after the last trial');
      const status = await rpc<{ annotations: number }>(host, 'annotation.studyStatus', {
        studyInstanceUID: STUDY,
      });
      expect(status.annotations).toBe(WRITERS);
      const exited = new Promise((resolve) => host.process.once('exit', resolve));
      host.process.kill('SIGKILL');
      await exited;
      expect(await integrityCheck()).toBe('ok');
      // Saves were really interrupted mid-stream, not before they started.
      expect(totalAcknowledged).toBeGreaterThan(TRIALS * WRITERS);
      // Each trial starts a host and opens the catalog for its check: up to ~15 s on a loaded machine.
    },
    Math.max(600_000, TRIALS * 30_000),
  );
});
