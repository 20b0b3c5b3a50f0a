/**
 * The uploader sees what others make of its study (#10): machine A uploads a study from its
 * originals; machine B pulls it in the project's UIDs, edits A's annotation and adds one of its
 * own, and syncs. A's next pass brings both back onto A's ORIGINAL study (the UIDs A de-identified
 * mapped back to its originals, B's own kept), with B's name; nothing becomes a second copy of the
 * study on A or on the server. Then A edits B's annotation and B sees that edit on its annotation;
 * an edit of the same version on both sides is a conflict on A as on any pulled study.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from '../../support/sync-project.js';

const ct = ensureCtSeries({ slices: 3, size: 32, seed: 'sync-uploader-pulls-back' });
let project: SyncProject;
let orthanc: Orthanc;

beforeAll(async () => {
  project = await startSyncProject({
    name: 'sync-uploader-pulls-back',
    manifest: {
      readers: [
        // A's own task list names the project's protocol too: its upload is not pulled as a copy.
        { username: 'alice', role: 'annotator', tasks: [{ clinicalTrial: { protocolId: 'PROTO-1' } }] },
        { username: 'bob', role: 'annotator', tasks: [{ clinicalTrial: { protocolId: 'PROTO-1' } }] },
      ],
    },
  });
  orthanc = project.orthanc!;
}, 60_000);

afterAll(() => project?.close());

async function studiesOnServer(): Promise<string[]> {
  return (await (await orthanc.rest('/studies')).json()) as string[];
}

const mmOf = (version: { data: unknown }): number => {
  const [p, q] = (version.data as { data: { handles: { points: number[][] } } }).data.handles.points;
  return Math.round(Math.hypot(q![0]! - p![0]!, q![1]! - p![1]!, q![2]! - p![2]!));
};
const zOf = (version: { data: unknown }): number =>
  (version.data as { data: { handles: { points: number[][] } } }).data.handles.points[0]![2]!;

describe('the machine that uploaded a study pulls other readers’ edits of it back', () => {
  let a: Services;
  let b: Services;
  let remoteStudy = '';
  let mine: ReturnType<typeof completeLength>;
  let bobsEdit: ReturnType<typeof completeLength>;
  let bobsOwn: ReturnType<typeof completeLength>;

  it('A uploads; B pulls it, edits A’s annotation, adds one of its own and syncs', async () => {
    a = await project.machine('machine-a', 'alice');
    await importAndWait(a, ct.files);
    actAs('alice');
    mine = lengthOnSecondImage(ct, 5);
    await a.handlers['annotation.save']({ versions: [mine] });
    await a.handlers['annotation.setStudyStatus']({
      studyInstanceUID: ct.studyInstanceUID,
      status: 'complete',
    });
    await a.handlers['sync.selectStudies']({ studyInstanceUIDs: [ct.studyInstanceUID] });
    expect(await pass(a)).toMatchObject({ failed: 0, pending: 0, error: null });
    remoteStudy = (await a.handlers['sync.status']({})).studies[0]!.remoteStudyInstanceUID!;
    expect(remoteStudy).not.toBe(ct.studyInstanceUID);

    b = await project.machine('machine-b', 'bob');
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    const { heads } = await until(
      'A’s annotation on B',
      () => b.handlers['annotation.list']({ studyInstanceUID: remoteStudy }),
      (list) => list.heads.length === 1,
    );
    const pulled = heads[0]!;
    expect(pulled.author).toBe('alice');
    actAs('bob');
    bobsEdit = completeLength(pulled, [pulled.versionId], 3, zOf(pulled));
    bobsOwn = completeLength({ ...pulled, annotationUid: crypto.randomUUID() }, [], 7, zOf(pulled));
    await b.handlers['annotation.save']({ versions: [bobsEdit, bobsOwn] });
    await b.handlers['annotation.setStudyStatus']({ studyInstanceUID: remoteStudy, status: 'complete' });
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
  }, 240_000);

  it('A’s next pass shows both on its original study, with B’s name, and no second study anywhere', async () => {
    actAs('alice');
    expect(await pass(a)).toMatchObject({ failed: 0, pending: 0, error: null });
    const { heads } = await until(
      'B’s edit and B’s annotation on A',
      () => a.handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID }),
      (list) => list.heads.length === 2 && list.heads.every((head) => head.author === 'bob'),
    );
    // B's edit is a child of A's own version (its parent mapped back to A's version id).
    const edit = heads.find((head) => head.annotationUid === mine.annotationUid)!;
    expect(edit).toMatchObject({ versionId: bobsEdit.versionId, parentIds: [mine.versionId], author: 'bob' });
    expect(mmOf(edit)).toBe(3);
    // B's annotation keeps B's ids and lies on A's own image.
    const added = heads.find((head) => head.annotationUid === bobsOwn.annotationUid)!;
    expect(added).toMatchObject({
      versionId: bobsOwn.versionId,
      author: 'bob',
      studyInstanceUID: ct.studyInstanceUID,
      seriesInstanceUID: ct.seriesInstanceUID,
      sopInstanceUID: ct.sopInstanceUIDs[1],
    });
    expect(mmOf(added)).toBe(7);
    expect(await a.handlers['sync.conflicts']({})).toEqual({ conflicts: [] });
    // One study on A (its original: nothing came down as a copy in the project's UIDs) and on the server.
    const { studies } = await a.handlers['catalog.listStudies']({ limit: 10, offset: 0 });
    expect(studies.map((study) => study.studyInstanceUID)).toEqual([ct.studyInstanceUID]);
    expect(await studiesOnServer()).toHaveLength(1);
    // A pass with nothing new is quiet: nothing fetched twice.
    expect(await pass(a)).toMatchObject({ failed: 0, pending: 0, error: null });
    expect(
      (await a.handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID })).heads,
    ).toHaveLength(2);
  }, 240_000);

  it('A edits B’s annotation, syncs, and B sees the edit on its own annotation', async () => {
    actAs('alice');
    const onA = (await a.handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID })).heads.find(
      (head) => head.annotationUid === bobsOwn.annotationUid,
    )!;
    const aliceEdit = completeLength(onA, [onA.versionId], 9, zOf(onA));
    await a.handlers['annotation.save']({ versions: [aliceEdit] });
    expect(await pass(a)).toMatchObject({ failed: 0, pending: 0, error: null });
    expect(await studiesOnServer()).toHaveLength(1);

    actAs('bob');
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });
    const { heads } = await until(
      'A’s edit of B’s annotation on B',
      () => b.handlers['annotation.list']({ studyInstanceUID: remoteStudy }),
      (list) =>
        list.heads.some((head) => head.annotationUid === bobsOwn.annotationUid && head.author === 'alice'),
    );
    expect(heads).toHaveLength(2);
    const edited = heads.find((head) => head.annotationUid === bobsOwn.annotationUid)!;
    expect(edited.parentIds).toEqual([bobsOwn.versionId]);
    expect(mmOf(edited)).toBe(9);
    // B's edit of A's annotation is still B's head there: A's upload carried it unchanged.
    expect(heads.find((head) => head.annotationUid !== bobsOwn.annotationUid)!.versionId).toBe(
      bobsEdit.versionId,
    );
    expect(await b.handlers['sync.conflicts']({})).toEqual({ conflicts: [] });
  }, 240_000);

  it('an edit of the same version on both sides is a conflict on the uploader too', async () => {
    actAs('bob');
    const onB = (await b.handlers['annotation.list']({ studyInstanceUID: remoteStudy })).heads.find(
      (head) => head.annotationUid === bobsEdit.annotationUid,
    )!;
    await b.handlers['annotation.save']({
      versions: [completeLength(onB, [bobsEdit.versionId], 4, zOf(onB))],
    });
    expect(await pass(b)).toMatchObject({ failed: 0, pending: 0, error: null });

    actAs('alice');
    await a.handlers['annotation.save']({
      versions: [completeLength({ ...mine }, [bobsEdit.versionId], 6, -1.25)],
    });
    expect(await pass(a)).toMatchObject({ failed: 0, pending: 0, error: null });
    const { conflicts } = await until(
      'the conflict on A',
      () => a.handlers['sync.conflicts']({}),
      (found) => found.conflicts.length === 1,
    );
    expect(conflicts[0]!.annotationUid).toBe(mine.annotationUid);
    expect(conflicts[0]!.base?.versionId).toBe(bobsEdit.versionId);
    expect(conflicts[0]!.heads.map((head) => head.author).sort()).toEqual(['alice', 'bob']);
    expect(conflicts[0]!.heads.map((head) => mmOf(head)).sort()).toEqual([4, 6]);
    expect(await studiesOnServer()).toHaveLength(1);
  }, 240_000);
});
