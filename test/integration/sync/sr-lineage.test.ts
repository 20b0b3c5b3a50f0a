/**
 * An annotation's history travels with its SR (docs/sync.md, "Down"): each measurement group names
 * its version, its parents and its earlier versions, nearest first. A machine that reads the SR
 * places the version where it belongs in the history, even when a parent never reached it (edits
 * made between two uploads) or came in a later file of the same batch. So an edit made here since
 * is a second head (a conflict), never silently overtaken, and order of arrival does not matter.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../main/services.js';
import { ensureCtSeries } from '../../fixtures/index.js';
import { lengthOnSecondImage } from '../../support/annotation-versions.js';
import { type SyncProject, importAndWait, startSyncProject } from '../../support/sync-project.js';

const ct = ensureCtSeries({ slices: 3, size: 32, seed: 'sync-sr-lineage' });
let project: SyncProject;
let dir: string;

beforeAll(async () => {
  // No server: the SR files travel by hand between the machines.
  project = await startSyncProject({ name: 'sync-sr-lineage', orthanc: false });
  dir = project.dir;
});

afterAll(() => project?.close());

/** A machine with the study imported. */
async function machine(name: string, reader: string): Promise<Services> {
  const services = await project.machine(name, reader);
  await importAndWait(services, ct.files);
  return services;
}

const annotationUid = crypto.randomUUID();
const version = (versionId: string, parentIds: string[], mm: number) =>
  lengthOnSecondImage(ct, mm, { annotationUid, versionId, parentIds });

/** The study's annotations as an SR file (an export without de-identification), copied to `name`. */
async function exportSr(services: Services, name: string): Promise<string> {
  const outputDir = path.join(dir, `export-${name}`);
  const done = new Promise<void>((resolve, reject) => {
    const stop = services.events.subscribe((event) => {
      if (event.name !== 'export.progress' || !event.payload.finished) return;
      stop();
      if (event.payload.error) reject(new Error(event.payload.error));
      else resolve();
    });
  });
  await services.handlers['export.start']({
    format: 'sr',
    outputDir,
    studyInstanceUIDs: [ct.studyInstanceUID],
    deid: false,
  });
  await done;
  const [file] = fs
    .readdirSync(outputDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name === 'SR.dcm')
    .map((entry) => path.join(entry.parentPath, entry.name));
  const copy = path.join(dir, `${name}.dcm`);
  fs.copyFileSync(file!, copy);
  return copy;
}

describe('an annotation’s history travels with its SR', () => {
  const [v1, v2, v3] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  let first = '';
  let third = '';

  it('machine A writes its first version, then two edits made between two uploads', async () => {
    const a = await machine('a', 'alice');
    await a.handlers['annotation.save']({ versions: [version(v1, [], 5)] });
    first = await exportSr(a, 'first');
    await a.handlers['annotation.save']({ versions: [version(v2, [v1], 6)] });
    await a.handlers['annotation.save']({ versions: [version(v3, [v2], 7)] });
    third = await exportSr(a, 'third');
  }, 120_000);

  it('an edit made here meanwhile and a version whose parent never came are two heads: a conflict from their common version', async () => {
    const b = await machine('b', 'bob');
    await b.handlers['annotation.importFiles']({ paths: [first] });
    const history = await b.handlers['annotation.history']({ annotationUid });
    expect(history.map((entry) => entry.versionId)).toEqual([v1]);
    const mine = crypto.randomUUID();
    await b.handlers['annotation.save']({ versions: [version(mine, [v1], 3)] });
    await b.handlers['annotation.importFiles']({ paths: [third] });
    const imported = (await b.handlers['annotation.history']({ annotationUid })).find(
      (entry) => entry.versionId === v3,
    );
    // v2 never reached this machine: v3 stands on v1, the nearest earlier version it has.
    expect(imported?.parentIds).toEqual([v1]);
    const { conflicts } = await b.handlers['sync.conflicts']({});
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.heads.map((head) => head.versionId).sort()).toEqual([mine, v3].sort());
    expect(conflicts[0]!.base?.versionId).toBe(v1);
  }, 120_000);

  it('read in the opposite order in one batch, the versions still make one line and one head', async () => {
    const c = await machine('c', 'carol');
    await c.handlers['annotation.importFiles']({ paths: [third, first] });
    const history = await c.handlers['annotation.history']({ annotationUid });
    expect(history.map((entry) => entry.versionId).sort()).toEqual([v1, v3].sort());
    expect(history.find((entry) => entry.versionId === v3)!.parentIds).toEqual([v1]);
    const { heads } = await c.handlers['annotation.list']({ studyInstanceUID: ct.studyInstanceUID });
    expect(heads.map((head) => head.versionId)).toEqual([v3]);
    expect(await c.handlers['sync.conflicts']({})).toEqual({ conflicts: [] });
    // Again: nothing changes.
    await c.handlers['annotation.importFiles']({ paths: [first, third] });
    expect(await c.handlers['annotation.history']({ annotationUid })).toHaveLength(2);
  }, 120_000);
});
