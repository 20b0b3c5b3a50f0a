import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnnotationVersionInput } from '../../../shared/annotation.js';
import { Catalog } from '../../../main/catalog/catalog.js';
import { AnnotationStore } from '../../../main/annotation/store.js';
import { ConflictService } from '../../../main/sync/conflicts.js';
import { AppError } from '../../../shared/errors.js';
import { makeTempDir } from '../../fixtures/index.js';
import { lengthVersion } from '../../support/annotation-versions.js';

const dir = makeTempDir('sync-conflicts');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const STUDY = '1.2.826.0.1.3680043.8.498.1';
const OTHER_STUDY = '1.2.826.0.1.3680043.8.498.2';
let counter = 0;
let store: AnnotationStore;
let conflicts: ConflictService;
let reader = 'dr-a';

beforeEach(() => {
  const file = path.join(dir, `catalog-${(counter += 1)}.sqlite`);
  Catalog.open(file).close();
  let clock = 1_000;
  reader = 'dr-a';
  store = new AnnotationStore(file, { reader: () => reader, now: () => (clock += 1) });
  conflicts = new ConflictService({
    catalogFile: file,
    store,
    reader: () => reader,
    now: () => (clock += 1),
  });
});
afterEach(() => {
  conflicts.close();
  store.close();
});

const version = (annotationUid: string, parentIds: string[], extra: Partial<AnnotationVersionInput> = {}) =>
  lengthVersion({ studyInstanceUID: STUDY, annotationUid, parentIds }, extra);

/** One annotation edited from the same parent by two readers (the second edit arriving by pull). */
function twoHeads() {
  const base = version('a', [], { author: 'dr-a' });
  const mine = version('a', [base.versionId], {
    author: 'dr-a',
    attributes: { size: 12 },
    data: {
      data: {
        handles: {
          points: [
            [0, 0, 0],
            [12, 0, 0],
          ],
        },
      },
    },
  });
  const theirs = version('a', [base.versionId], {
    author: 'dr-b',
    labelId: 'cyst',
    attributes: { size: 9, note: 'benign' },
    data: {
      data: {
        handles: {
          points: [
            [0, 0, 0],
            [9, 0, 0],
          ],
        },
      },
    },
  });
  store.save([base, mine]);
  store.save([theirs]);
  return { base, mine, theirs };
}

describe('annotation conflicts (two heads of one annotation)', () => {
  it('an edit of a version that was edited elsewhere too is surfaced with both heads, their authors and the base', () => {
    const { base, mine, theirs } = twoHeads();
    store.save([version('b', [])]); // no conflict: one head
    const found = conflicts.conflicts();
    expect(found).toHaveLength(1);
    expect(found[0]!.annotationUid).toBe('a');
    expect(found[0]!.studyInstanceUID).toBe(STUDY);
    expect(found[0]!.heads.map((h) => [h.versionId, h.author, h.labelId, h.attributes])).toEqual([
      [mine.versionId, 'dr-a', 'lesion', { size: 12 }],
      [theirs.versionId, 'dr-b', 'cyst', { size: 9, note: 'benign' }],
    ]);
    expect(found[0]!.base?.versionId).toBe(base.versionId);
    expect(conflicts.conflicts(STUDY)).toHaveLength(1);
    expect(conflicts.conflicts(OTHER_STUDY)).toEqual([]);
    expect([...conflicts.conflictStudies()]).toEqual([STUDY]);
  });

  it('a deletion on one side and an edit on the other is a conflict too (the deletion is not applied silently)', () => {
    const base = version('a', []);
    store.save([base, version('a', [base.versionId], { attributes: { size: 3 } })]);
    store.save([version('a', [base.versionId], { deleted: true, author: 'dr-b' })]);
    const [conflict] = conflicts.conflicts();
    expect(conflict!.heads.map((h) => h.deleted)).toEqual([false, true]);
    // The store's current view still shows the edited annotation.
    expect(store.list(STUDY).heads.map((h) => h.attributes)).toEqual([{ size: 3 }]);
  });

  it('keep one: a new version with the kept content whose parents are both heads; the other stays in history', () => {
    const { mine, theirs } = twoHeads();
    reader = 'dr-c';
    const result = conflicts.resolve({
      annotationUid: 'a',
      headVersionIds: [mine.versionId, theirs.versionId],
      action: 'keep',
      keepVersionId: theirs.versionId,
    });
    expect(conflicts.conflicts()).toEqual([]);
    const { heads } = store.list(STUDY);
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatchObject({
      versionId: result.versionId,
      parentIds: [mine.versionId, theirs.versionId],
      labelId: 'cyst',
      attributes: { size: 9, note: 'benign' },
      data: theirs.data,
      author: 'dr-c',
    });
    expect(store.history('a').map((v) => v.versionId)).toContain(mine.versionId);
    expect(conflicts.resolutions('a')).toMatchObject([
      { action: 'keep', headVersionIds: [mine.versionId, theirs.versionId], reader: 'dr-c', copies: [] },
    ]);
  });

  it('merge: the shape of one head with the label and attributes the reader chose, parents both heads', () => {
    const { mine, theirs } = twoHeads();
    const result = conflicts.resolve({
      annotationUid: 'a',
      headVersionIds: [theirs.versionId, mine.versionId],
      action: 'merge',
      shapeFromVersionId: mine.versionId,
      labelId: 'cyst',
      attributes: { size: 12, note: 'benign' },
    });
    const [head] = store.list(STUDY).heads;
    expect(head).toMatchObject({
      versionId: result.versionId,
      parentIds: [mine.versionId, theirs.versionId],
      labelId: 'cyst',
      attributes: { size: 12, note: 'benign' },
      data: mine.data,
      deleted: false,
    });
    expect(conflicts.conflicts()).toEqual([]);
  });

  it('keep both: the other head becomes an annotation of its own with its author; both are in the view', () => {
    const { mine, theirs } = twoHeads();
    const result = conflicts.resolve({
      annotationUid: 'a',
      headVersionIds: [mine.versionId, theirs.versionId],
      action: 'keepBoth',
      keepVersionId: mine.versionId,
    });
    expect(result.copies).toHaveLength(1);
    expect(result.copies[0]!.fromVersionId).toBe(theirs.versionId);
    const { heads, conflicts: left } = store.list(STUDY);
    expect(left).toEqual([]);
    expect(heads.map((h) => [h.annotationUid, h.labelId, h.author])).toEqual([
      [result.copies[0]!.annotationUid, 'cyst', 'dr-b'],
      ['a', 'lesion', 'dr-a'],
    ]);
    expect(heads[0]!.data).toEqual(theirs.data);
  });

  it('a resolution based on heads that changed since they were shown writes nothing', () => {
    const { base, mine, theirs } = twoHeads();
    const third = version('a', [base.versionId], { author: 'dr-d' });
    store.save([third]); // arrived by another pull after the reader looked
    const historyBefore = store.history('a').length;
    expect(() =>
      conflicts.resolve({
        annotationUid: 'a',
        headVersionIds: [mine.versionId, theirs.versionId],
        action: 'keep',
        keepVersionId: mine.versionId,
      }),
    ).toThrow(AppError);
    expect(store.history('a')).toHaveLength(historyBefore);
    expect(conflicts.conflicts()[0]!.heads).toHaveLength(3);
    expect(conflicts.resolutions('a')).toEqual([]);
  });

  it('choosing a version that is not a head is refused', () => {
    const { base, mine, theirs } = twoHeads();
    expect(() =>
      conflicts.resolve({
        annotationUid: 'a',
        headVersionIds: [mine.versionId, theirs.versionId],
        action: 'keep',
        keepVersionId: base.versionId,
      }),
    ).toThrow(/not one of the conflicting/);
    expect(conflicts.conflicts()).toHaveLength(1);
  });
});
