/**
 * Never lose work (#9 item 4): the web host is killed with SIGKILL while annotation versions are
 * being saved through its real RPC (HTTP), again and again: measurement versions
 * (`annotation.save`) and labelmap versions with their voxels (`segmentation.saveSlices`, the
 * biggest writes: several 512² slices per version, each version split over two requests as the
 * renderer splits a large save). After each kill every version (and every labelmap slice) whose
 * save was acknowledged is stored, byte for byte, the database passes `PRAGMA integrity_check`,
 * and the host starts again on it. The kill's moment is random within bounds, from a seed
 * (RADLABEL_CRASH_SEED, printed) so a failure can be replayed. Trials: RADLABEL_CRASH_TRIALS
 * (default 5 here; `npm run test:soak` runs 50). Needs `npm run build` (the host runs from build/,
 * as the app does). The same kill, with the drawing done in Chromium:
 * test/e2e/annotation-crash.spec.ts.
 */
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnnotationVersion, AnnotationVersionInput } from '../../../shared/annotation.js';
import type { LabelmapHead, LabelmapSliceHash, SaveSlicesRequest } from '../../../shared/segmentation.js';
import { AnnotationStore } from '../../../main/annotation/store.js';
import { CATALOG_FILE_NAME } from '../../../main/services.js';
import { type RunningWebHost, startWebHost } from '../../e2e/support/webhost.js';
import { makeTempDir } from '../../fixtures/index.js';
import { seededRandom } from '../../support/random.js';
import { openTestServices } from '../../support/services.js';

const TRIALS = Number(process.env['RADLABEL_CRASH_TRIALS'] ?? 5);
const SEED = Number(process.env['RADLABEL_CRASH_SEED'] ?? Date.now() % 2 ** 31);
const WRITERS = 4;
const LABELMAP_WRITERS = 2;
const STUDY = '1.2.826.0.1.3680043.8.498.90001';
const SERIES = '1.2.826.0.1.3680043.8.498.90002';
/** A CT slice's size, and the images a labelmap version paints on (of a series of IMAGES). */
const SIZE = 512;
const IMAGES = 24;
const SLICES_PER_VERSION = 6;
const sopOf = (image: number): string => `1.2.826.0.1.3680043.8.498.90003.${image + 1}`;

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

/** One acknowledged labelmap request: the version and the SHA-256 of each slice it carried. */
interface AcknowledgedSlices {
  annotationUid: string;
  versionId: string;
  slices: Array<{ layer: number; sopInstanceUID: string; sha256: string; labelled: number }>;
}

/**
 * A painted slice as big as a brush's or a model's: a filled disc and a speckled band (a seeded
 * pattern that deflates to some 10 KiB, not to a few hundred bytes).
 */
function paintedSlice(random: () => number): Uint8Array {
  const voxels = new Uint8Array(SIZE * SIZE);
  const cx = 100 + random() * 300;
  const cy = 100 + random() * 300;
  const radius = 20 + random() * 60;
  const band = Math.floor(random() * (SIZE - 64));
  for (let y = 0; y < SIZE; y += 1)
    for (let x = 0; x < SIZE; x += 1) {
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
      const inBand = y >= band && y < band + 64 && random() < 0.3;
      if (inDisc || inBand) voxels[y * SIZE + x] = 1;
    }
  return voxels;
}

function countLabelled(voxels: Uint8Array): number {
  let count = 0;
  for (const value of voxels) if (value !== 0) count += 1;
  return count;
}

/**
 * Saves labelmap versions of one segmentation one after the other until the host dies, each
 * version's slices in two `segmentation.saveSlices` requests (the renderer splits a save over
 * several when it is large: later parts add slices to the same version). Records every request
 * acknowledged in `acknowledged`.
 */
async function paintUntilKilled(
  host: Host,
  annotationUid: string,
  parent: string | null,
  random: () => number,
  acknowledged: AcknowledgedSlices[],
): Promise<void> {
  let last = parent;
  for (;;) {
    const versionId = crypto.randomUUID();
    const images = Array.from({ length: SLICES_PER_VERSION }, () => Math.floor(random() * IMAGES));
    const slices = [...new Set(images)].map((image) => {
      const voxels = paintedSlice(random);
      return {
        slice: {
          layer: 0,
          sopInstanceUID: sopOf(image),
          frame: 1,
          data: zlib.deflateSync(voxels).toString('base64'),
        },
        sha256: crypto.createHash('sha256').update(voxels).digest('hex'),
        labelled: countLabelled(voxels),
      };
    });
    const half = Math.ceil(slices.length / 2);
    for (const part of [slices.slice(0, half), slices.slice(half)]) {
      const request: SaveSlicesRequest = {
        annotationUid,
        versionId,
        parentVersionId: last,
        studyInstanceUID: STUDY,
        seriesInstanceUID: SERIES,
        width: SIZE,
        height: SIZE,
        bits: 8,
        layers: 1,
        segments: [
          {
            segmentIndex: 1,
            name: 'Mass',
            color: '#e6194b',
            visible: true,
            locked: false,
            layer: 0,
            labelValue: 1,
          },
        ],
        slices: part.map((item) => item.slice),
      };
      try {
        const answer = await rpc<{ versionId: string; slicesStored: number }>(
          host,
          'segmentation.saveSlices',
          request,
        );
        expect(answer).toEqual({ versionId, slicesStored: part.length });
      } catch {
        return;
      }
      acknowledged.push({
        annotationUid,
        versionId,
        slices: part.map(({ slice, sha256, labelled }) => ({
          layer: slice.layer,
          sopInstanceUID: slice.sopInstanceUID,
          sha256,
          labelled,
        })),
      });
    }
    last = versionId;
  }
}

/** Every acknowledged labelmap slice is stored in its version, voxel for voxel (SHA-256). */
async function expectSlicesStored(host: Host, acknowledged: AcknowledgedSlices[], when: string) {
  const byVersion = new Map<string, AcknowledgedSlices[]>();
  for (const item of acknowledged)
    byVersion.set(item.versionId, [...(byVersion.get(item.versionId) ?? []), item]);
  for (const [versionId, items] of byVersion) {
    const stored = await rpc<LabelmapSliceHash[]>(host, 'segmentation.sliceHashes', {
      annotationUid: items[0]!.annotationUid,
      versionId,
    });
    const key = (slice: { layer: number; sopInstanceUID: string }) =>
      `${slice.layer}/${slice.sopInstanceUID}`;
    const storedByKey = new Map(stored.map((slice) => [key(slice), slice]));
    for (const slice of items.flatMap((item) => item.slices)) {
      const found = storedByKey.get(key(slice));
      expect(
        found && { sha256: found.sha256, labelled: found.labelled },
        `${versionId} ${key(slice)} ${when}`,
      ).toEqual({ sha256: slice.sha256, labelled: slice.labelled });
    }
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
    `keeps every acknowledged version and labelmap slice over ${TRIALS} kills, and the database stays intact`,
    async () => {
      console.log(`annotation crash test: seed ${SEED} (RADLABEL_CRASH_SEED=${SEED} replays it)`);
      const random = seededRandom(SEED);
      const acknowledged = new Map<string, string[]>();
      const uids = Array.from({ length: WRITERS }, (_, i) => `crash-${i}`);
      const labelmapUids = Array.from({ length: LABELMAP_WRITERS }, (_, i) => `crash-seg-${i}`);
      const slicesAcknowledged: AcknowledgedSlices[] = [];
      let totalAcknowledged = 0;
      let lastTrial: AcknowledgedSlices[] = [];
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const host = await startHost();
        await expectAllAcknowledged(host, acknowledged, `before trial ${trial}`);
        // The slices of the trial before, read back once (every one is read again at the end).
        await expectSlicesStored(host, lastTrial, `before trial ${trial}`);
        // Continue each chain from its newest stored head (a version stored but never acknowledged
        // may be newer than the last acknowledged one).
        const { heads } = await rpc<{ heads: AnnotationVersion[] }>(host, 'annotation.list', {
          studyInstanceUID: STUDY,
        });
        const labelmapHeads = await rpc<LabelmapHead[]>(host, 'segmentation.list', {
          seriesInstanceUID: SERIES,
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
        const painted = labelmapUids.map((): AcknowledgedSlices[] => []);
        const painters = labelmapUids.map((uid, i) =>
          paintUntilKilled(
            host,
            uid,
            labelmapHeads.find((head) => head.annotationUid === uid)?.versionId ?? null,
            seededRandom(SEED + 1000 * (trial + 1) + i),
            painted[i]!,
          ),
        );
        // Killed mid-stream: once every writer has had a save acknowledged (a freshly started host on
        // a loaded machine may take a while for its first), then after a random moment.
        const deadline = Date.now() + 60_000;
        while ([...progress, ...painted].some((ids) => ids.length === 0) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await new Promise((resolve) => setTimeout(resolve, random() * 250));
        const exited = new Promise((resolve) => host.process.once('exit', resolve));
        host.process.kill('SIGKILL');
        await exited;
        const results = await Promise.all(writers);
        await Promise.all(painters);
        results.forEach((ids, i) => {
          acknowledged.set(uids[i]!, [...(acknowledged.get(uids[i]!) ?? []), ...ids]);
          totalAcknowledged += ids.length;
        });
        lastTrial = painted.flat();
        slicesAcknowledged.push(...lastTrial);
        expect(await integrityCheck(), `trial ${trial}`).toBe('ok');
      }
      // After the last kill: start once more and find every acknowledged version and slice.
      const host = await startHost();
      await expectAllAcknowledged(host, acknowledged, 'after the last trial');
      await expectSlicesStored(host, slicesAcknowledged, 'after the last trial');
      const status = await rpc<{ annotations: number }>(host, 'annotation.studyStatus', {
        studyInstanceUID: STUDY,
      });
      expect(status.annotations).toBe(WRITERS);
      // One chain per segmentation: every version continued the newest stored one.
      const labelmapHeads = await rpc<LabelmapHead[]>(host, 'segmentation.list', {
        seriesInstanceUID: SERIES,
      });
      expect(labelmapHeads.map((head) => head.annotationUid).sort()).toEqual(labelmapUids);
      const exited = new Promise((resolve) => host.process.once('exit', resolve));
      host.process.kill('SIGKILL');
      await exited;
      expect(await integrityCheck()).toBe('ok');
      // Saves were really interrupted mid-stream, not before they started.
      expect(totalAcknowledged).toBeGreaterThan(TRIALS * WRITERS);
      expect(slicesAcknowledged.length).toBeGreaterThanOrEqual(TRIALS * LABELMAP_WRITERS);
      const slices = slicesAcknowledged.reduce((sum, item) => sum + item.slices.length, 0);
      console.log(
        `annotation crash test: ${TRIALS} kills, ${totalAcknowledged} measurement versions and ` +
          `${slices} labelmap slices (${slicesAcknowledged.length} requests) acknowledged, all stored`,
      );
      // Each trial starts a host and opens the catalog for its check: up to ~15 s on a loaded machine.
    },
    Math.max(600_000, TRIALS * 30_000),
  );
});
