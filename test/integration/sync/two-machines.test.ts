/**
 * Two machines, one annotation, one real DICOMweb server (#10, "what it must show"): machine A (a
 * data folder) imports a study, annotates it, marks it complete and syncs it up — the study
 * de-identified and the annotations as an SR; machine B (another data folder, another reader of the
 * manifest) finds it by QIDO-RS and pulls the study and the SR, and sees A's annotation with A's
 * name. Then both edit the same annotation from the same version and both sync: B, pulling second,
 * sees the conflict (both heads, each with its author), resolves it, and syncs again cleanly.
 * Nothing is dropped: every head stays in the annotation's history and the resolution names them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnotationVersion } from '../../../shared/annotation.js';
import type { Services } from '../../../main/services.js';
import { ensureCtSeries } from '../../fixtures/index.js';
import { completeLength, lengthOnSecondImage } from '../../support/annotation-versions.js';
import type { Orthanc } from '../../support/orthanc.js';
import {
  type SyncProject,
  actAs,
  importAndWait,
  pass,
  startSyncProject,
  until,
  aliceAndBob,
} from '../../support/sync-project.js';

const N = 4;
const ct = ensureCtSeries({ slices: N, size: 32, seed: 'sync-two-machines' });
let project: SyncProject;
let orthanc: Orthanc;

beforeAll(async () => {
  project = await startSyncProject({
    name: 'sync-two-machines',
    manifest: {
      readers: aliceAndBob('annotator'),
    },
  });
  orthanc = project.orthanc!;
}, 60_000);

afterAll(() => project?.close());

const machine = (name: string, reader: string): Promise<Services> => project.machine(name, reader);

interface QidoInstance {
  '00080060'?: { Value?: string[] };
  '00080018'?: { Value?: string[] };
}

async function srOnServer(study: string): Promise<string[]> {
  const response = await fetch(`${orthanc.dicomWebUrl}/studies/${study}/instances?includefield=00080060`, {
    headers: { authorization: `Basic ${Buffer.from('user:secret').toString('base64')}` },
  });
  expect(response.ok).toBe(true);
  const found = (await response.json()) as QidoInstance[];
  return found
    .filter((instance) => instance['00080060']?.Value?.[0] === 'SR')
    .map((instance) => instance['00080018']!.Value![0]!);
}

const pointsOf = (version: { data: unknown }): number[][] =>
  (version.data as { data: { handles: { points: number[][] } } }).data.handles.points;

describe('two machines, one annotation, a real DICOMweb server', () => {
  let a: Services;
  let b: Services;
  let remoteStudy = '';
  let local: ReturnType<typeof completeLength>;
  /** A's own latest edit of the annotation (B's edits reach A too: uploader-pulls-back.test.ts). */
  let aHead = '';
  let pulledHead: AnnotationVersion;

  it('machine A uploads its study de-identified with the annotations of the complete study as an SR', async () => {
    a = await machine('machine-a', 'alice');
    await importAndWait(a, ct.files);
    local = lengthOnSecondImage(ct, 5);
    actAs('alice');
    await a.handlers['annotation.save']({ versions: [local] });
    await a.handlers['annotation.setStudyStatus']({
      studyInstanceUID: ct.studyInstanceUID,
      status: 'complete',
    });
    await a.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    expect(await pass(a)).toMatchObject({ failed: 0, pending: 0, error: null });
    const [row] = (await a.handlers['sync.status']({})).studies;
    expect(row).toMatchObject({ direction: 'up', state: 'synced' });
    remoteStudy = row!.remoteStudyInstanceUID!;
    expect(remoteStudy).toMatch(/^2\.25\./);
    expect(remoteStudy).not.toBe(ct.studyInstanceUID);
    expect(await srOnServer(remoteStudy)).toHaveLength(1);
  }, 180_000);

  it('machine B finds the study by QIDO-RS, pulls it and the SR, and sees the annotation with A’s name', async () => {
    b = await machine('machine-b', 'bob');
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    const detail = await b.handlers['catalog.getStudy']({ studyInstanceUID: remoteStudy });
    expect(detail.series.find((series) => series.modality === 'CT')?.numberOfInstances).toBe(N);
    const { heads } = await until(
      'the pulled annotation',
      () => b.handlers['annotation.list']({ studyInstanceUID: remoteStudy }),
      (list) => list.heads.length === 1,
    );
    pulledHead = heads[0]!;
    expect(pulledHead).toMatchObject({ author: 'alice', source: 'human', tool: 'Length', labelId: 'lesion' });
    expect(pointsOf(pulledHead)[1]![0]! - pointsOf(pulledHead)[0]![0]!).toBeCloseTo(5, 3);
    expect(await b.handlers['sync.conflicts']({})).toEqual({ conflicts: [] });
  }, 180_000);

  it('both edit the same version and sync: B, pulling second, sees the conflict with both heads and their authors', async () => {
    // A lengthens it to 8 mm on its own copy and syncs first.
    actAs('alice');
    const editA = completeLength(local, [local.versionId], 8, -1.25);
    await a.handlers['annotation.save']({ versions: [editA] });
    aHead = editA.versionId;
    expect(await pass(a)).toMatchObject({ failed: 0, pending: 0, error: null });
    expect(await srOnServer(remoteStudy)).toHaveLength(2);

    // B, meanwhile, shortens the pulled version to 3 mm, marks the study complete and syncs: its
    // edit goes up (in the project's UIDs, into the same study) and A's comes down.
    actAs('bob');
    const z = pointsOf(pulledHead)[0]![2]!;
    const from = pointsOf(pulledHead)[0]!;
    const editB = completeLength(pulledHead, [pulledHead.versionId], 3, z, [
      [from[0]!, from[1]!, from[2]!],
      [from[0]! + 3, 1, z],
    ]);
    await b.handlers['annotation.save']({ versions: [editB] });
    await b.handlers['annotation.setStudyStatus']({ studyInstanceUID: remoteStudy, status: 'complete' });
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    expect(await srOnServer(remoteStudy)).toHaveLength(3);
    // One study on the server: B's SR joined it (same UIDs, same patient pseudonym).
    const studies = (await (await orthanc.rest('/studies')).json()) as string[];
    expect(studies).toHaveLength(1);

    const { conflicts } = await until(
      'the conflict',
      () => b.handlers['sync.conflicts']({}),
      (found) => found.conflicts.length === 1,
    );
    const [conflict] = conflicts;
    expect(conflict!.annotationUid).toBe(pulledHead.annotationUid);
    expect(conflict!.base?.versionId).toBe(pulledHead.versionId);
    expect(conflict!.heads.map((head) => head.author).sort()).toEqual(['alice', 'bob']);
    const lengths = conflict!.heads.map((head) =>
      Math.round(pointsOf(head)[1]![0]! - pointsOf(head)[0]![0]!),
    );
    expect(lengths.sort()).toEqual([3, 8]);
    expect(conflict!.heads.find((head) => head.author === 'bob')!.versionId).toBe(editB.versionId);
  }, 240_000);

  it('keeping both leaves every head in the history and syncs again cleanly', async () => {
    actAs('bob');
    const [conflict] = (await b.handlers['sync.conflicts']({})).conflicts;
    const heads = conflict!.heads.map((head) => head.versionId);
    const mine = conflict!.heads.find((head) => head.author === 'bob')!;
    const theirs = conflict!.heads.find((head) => head.author === 'alice')!;
    const resolved = await b.handlers['sync.resolveConflict']({
      annotationUid: conflict!.annotationUid,
      headVersionIds: heads,
      action: 'keepBoth',
      keepVersionId: mine.versionId,
    });
    expect(resolved.copies).toEqual([expect.objectContaining({ fromVersionId: theirs.versionId })]);
    expect(await b.handlers['sync.conflicts']({})).toEqual({ conflicts: [] });
    const history = await b.handlers['annotation.history']({ annotationUid: conflict!.annotationUid });
    const ids = history.map((version) => version.versionId);
    expect(ids).toEqual(expect.arrayContaining([...heads, resolved.versionId]));
    expect(history.find((version) => version.versionId === resolved.versionId)!.parentIds.sort()).toEqual(
      [...heads].sort(),
    );
    // Two annotations now: B's (kept) and a copy of A's with A's name.
    const { heads: now } = await b.handlers['annotation.list']({ studyInstanceUID: remoteStudy });
    expect(now.map((head) => head.author).sort()).toEqual(['alice', 'bob']);

    // The resolution goes up and nothing new conflicts: B's own SRs coming back change nothing.
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    expect(await srOnServer(remoteStudy)).toHaveLength(4);
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    await until(
      'the pulled SRs settled',
      async () => (await b.handlers['annotation.list']({ studyInstanceUID: remoteStudy })).heads,
      (list) => list.length === 2,
    );
    expect(await b.handlers['sync.conflicts']({})).toEqual({ conflicts: [] });
    expect(await srOnServer(remoteStudy)).toHaveLength(4);
    const status = await b.handlers['sync.status']({});
    expect(status.studies.every((study) => study.state === 'synced')).toBe(true);
  }, 240_000);

  /** A edits its head, B edits its own, both sync (A first): B's conflict, fetched once it is there. */
  async function editBothSides(mmA: number, mmB: number, attributesB: Record<string, string> = {}) {
    actAs('alice');
    const editA = completeLength(local, [aHead], mmA, -1.25);
    await a.handlers['annotation.save']({ versions: [editA] });
    aHead = editA.versionId;
    expect(await pass(a)).toMatchObject({ failed: 0, pending: 0, error: null });

    actAs('bob');
    const mine = (await b.handlers['annotation.list']({ studyInstanceUID: remoteStudy })).heads.find(
      (head) => head.annotationUid === pulledHead.annotationUid,
    )!;
    const [start] = pointsOf(mine);
    const editB = {
      ...completeLength(mine, [mine.versionId], mmB, start![2]!, [
        [start![0]!, start![1]!, start![2]!],
        [start![0]! + mmB, start![1]!, start![2]!],
      ]),
      attributes: attributesB,
    };
    await b.handlers['annotation.save']({ versions: [editB] });
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    const { conflicts } = await until(
      'the next conflict',
      () => b.handlers['sync.conflicts']({}),
      (found) => found.conflicts.length === 1,
    );
    const conflict = conflicts[0]!;
    expect(conflict.annotationUid).toBe(pulledHead.annotationUid);
    expect(conflict.heads.map((head) => head.author).sort()).toEqual(['alice', 'bob']);
    return { conflict, mine: editB.versionId, theirs: conflict.heads.find((h) => h.author === 'alice')! };
  }

  const mmOf = (version: { data: unknown }): number => {
    const [p, q] = pointsOf(version);
    return Math.round(Math.hypot(q![0]! - p![0]!, q![1]! - p![1]!, q![2]! - p![2]!));
  };

  it('again from both sides, merged: the other side’s shape with this side’s attribute, both heads its parents', async () => {
    const { conflict, mine, theirs } = await editBothSides(11, 4, { confidence: 'high' });
    expect(mmOf(theirs)).toBe(11);
    actAs('bob');
    const merged = await b.handlers['sync.resolveConflict']({
      annotationUid: conflict.annotationUid,
      headVersionIds: conflict.heads.map((head) => head.versionId),
      action: 'merge',
      shapeFromVersionId: theirs.versionId,
      labelId: 'lesion',
      attributes: { confidence: 'high' },
    });
    const history = await b.handlers['annotation.history']({ annotationUid: conflict.annotationUid });
    const version = history.find((entry) => entry.versionId === merged.versionId)!;
    expect(version.parentIds.sort()).toEqual([mine, theirs.versionId].sort());
    expect(mmOf(version)).toBe(11);
    expect(version.attributes).toEqual({ confidence: 'high' });
    expect(history.map((entry) => entry.versionId)).toEqual(expect.arrayContaining([mine, theirs.versionId]));
    const before = (await srOnServer(remoteStudy)).length;
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    expect(await srOnServer(remoteStudy)).toHaveLength(before + 1);
    expect(await b.handlers['sync.conflicts']({})).toEqual({ conflicts: [] });
  }, 240_000);

  it('and once more, keeping the other side’s head: its content wins, this side’s edit stays in the history', async () => {
    const { conflict, mine, theirs } = await editBothSides(13, 2);
    actAs('bob');
    const kept = await b.handlers['sync.resolveConflict']({
      annotationUid: conflict.annotationUid,
      headVersionIds: conflict.heads.map((head) => head.versionId),
      action: 'keep',
      keepVersionId: theirs.versionId,
    });
    const history = await b.handlers['annotation.history']({ annotationUid: conflict.annotationUid });
    const version = history.find((entry) => entry.versionId === kept.versionId)!;
    expect(version.parentIds.sort()).toEqual([mine, theirs.versionId].sort());
    expect(mmOf(version)).toBe(13);
    expect(history.find((entry) => entry.versionId === mine)).toBeDefined();
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    expect(await b.handlers['sync.conflicts']({})).toEqual({ conflicts: [] });
    // One study on the server through all of it.
    expect((await (await orthanc.rest('/studies')).json()) as string[]).toHaveLength(1);
  }, 240_000);
});
