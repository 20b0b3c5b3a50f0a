import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnnotationVersionInput } from '../../../shared/annotation.js';
import { Catalog } from '../../../main/catalog/catalog.js';
import { AnnotationStore } from '../../../main/annotation/store.js';
import { makeTempDir } from '../../fixtures/index.js';
import { lengthVersion } from '../../support/annotation-versions.js';

const dir = makeTempDir('annotation-store');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const STUDY = '1.2.826.0.1.3680043.8.498.1';
let counter = 0;
let store: AnnotationStore;
let file: string;

beforeEach(() => {
  file = path.join(dir, `catalog-${(counter += 1)}.sqlite`);
  Catalog.open(file).close();
  let clock = 1_000;
  store = new AnnotationStore(file, { reader: () => 'dr-test', now: () => (clock += 1) });
});
afterEach(() => store.close());

const version = (annotationUid: string, parentIds: string[], extra: Partial<AnnotationVersionInput> = {}) =>
  lengthVersion({ studyInstanceUID: STUDY, annotationUid, parentIds }, extra);

describe('annotation store', () => {
  it('keeps one head per annotation: each new version replaces its parent', () => {
    const a1 = version('a', []);
    const a2 = version('a', [a1.versionId], { attributes: { size: 12 } });
    const b1 = version('b', []);
    store.save([a1]);
    store.save([a2, b1]);
    const { heads, conflicts } = store.list(STUDY);
    expect(heads.map((head) => head.versionId)).toEqual([a2.versionId, b1.versionId]);
    expect(heads[0]).toMatchObject({
      author: 'dr-test',
      status: 'draft',
      deleted: false,
      attributes: { size: 12 },
    });
    expect(conflicts).toEqual([]);
    expect(store.history('a').map((v) => v.versionId)).toEqual([a1.versionId, a2.versionId]);
  });

  it('two children of one parent make two heads (a conflict); a version naming both resolves it', () => {
    const a1 = version('a', []);
    const left = version('a', [a1.versionId]);
    const right = version('a', [a1.versionId]);
    store.save([a1, left]);
    store.save([right]);
    let view = store.list(STUDY);
    expect(view.heads.map((head) => head.versionId)).toEqual([left.versionId, right.versionId]);
    expect(view.conflicts).toEqual([{ annotationUid: 'a', versionIds: [left.versionId, right.versionId] }]);
    const merged = version('a', [left.versionId, right.versionId]);
    store.save([merged]);
    view = store.list(STUDY);
    expect(view.heads.map((head) => head.versionId)).toEqual([merged.versionId]);
    expect(view.conflicts).toEqual([]);
  });

  it('a deletion is a version: the annotation leaves the current view and its history stays', () => {
    const a1 = version('a', []);
    store.save([a1]);
    const gone = version('a', [a1.versionId], { deleted: true });
    store.save([gone]);
    expect(store.list(STUDY).heads).toEqual([]);
    expect(store.history('a').map((v) => v.deleted)).toEqual([false, true]);
    expect(store.studyStatus(STUDY)).toMatchObject({ status: 'none', annotations: 0 });
  });

  it('saving the same version again is a no-op; the same id with other content is refused', () => {
    const a1 = version('a', []);
    store.save([a1]);
    expect(store.save([a1]).stored).toEqual([]);
    expect(store.history('a')).toHaveLength(1);
    expect(() => store.save([{ ...a1, attributes: { other: 1 } }])).toThrow(/already saved/);
  });

  it('the same version sent again with its keys in another order is still the same version', () => {
    const a1 = version('a', [], { data: { handles: { points: [[1, 2, 3]] }, label: 'x' } });
    store.save([a1]);
    const reordered = { ...a1, data: { label: 'x', handles: { points: [[1, 2, 3]] } } };
    expect(store.save([reordered]).stored).toEqual([]);
    expect(() => store.save([{ ...a1, data: { label: 'y', handles: { points: [[1, 2, 3]] } } }])).toThrow(
      /already saved/,
    );
    expect(store.history('a')).toHaveLength(1);
  });

  it('refuses a parent that is not an earlier version of the same annotation, storing nothing of the batch', () => {
    const a1 = version('a', []);
    const b1 = version('b', []);
    store.save([b1]);
    expect(() => store.save([a1, version('a', [b1.versionId])])).toThrow(/parent/);
    expect(store.history('a')).toEqual([]);
  });

  it('never updates or deletes a stored version', async () => {
    store.save([version('a', [])]);
    const { default: Database } = await import('better-sqlite3-multiple-ciphers');
    const db = new Database(file);
    expect(() => db.prepare("UPDATE annotation_version SET tool = 'Angle'").run()).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM annotation_version').run()).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM study_annotation_status').run()).not.toThrow();
    db.close();
  });

  it('study status: none, draft with n annotations, complete, and reopening appends a draft row', () => {
    expect(store.studyStatus(STUDY)).toEqual({
      studyInstanceUID: STUDY,
      status: 'none',
      annotations: 0,
      reader: null,
      changedAt: null,
    });
    store.save([version('a', []), version('b', [])]);
    expect(store.studyStatus(STUDY)).toMatchObject({ status: 'draft', annotations: 2, reader: null });
    expect(store.setStudyStatus(STUDY, 'complete')).toMatchObject({ status: 'complete', reader: 'dr-test' });
    expect(store.setStudyStatus(STUDY, 'draft')).toMatchObject({ status: 'draft', annotations: 2 });
    expect(store.setStudyStatus(STUDY, 'verified').status).toBe('verified');
    expect(store.summaries([STUDY, '1.2.3']).get('1.2.3')).toEqual({ status: 'none', annotations: 0 });
  });
});
