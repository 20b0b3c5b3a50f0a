/**
 * The segments of a device SEG are AI findings (issue #11 item 1, docs/ai-review.md "AI
 * segmentations"), on real services, a real catalog and a device SEG written by the test
 * (test/support/ai-fixtures.ts): import keeps the device as author and `ai:<model>` as source, with
 * model, manufacturer, version and each segment's confidence; accept, edit and reject (reason of the
 * schema) per segment, kept across a restart; accept-all above a confidence and its undo; the
 * reader's SEG export holds exactly the accepted and edited segments, SEMIAUTOMATIC by the model,
 * naming the AI SEG (pydicom reads it; dciodvfy: no errors).
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeriesGeometry } from '../../../main/annotation/dicom/geometry.js';
import { READER_ENV } from '../../../main/annotation/reader.js';
import type { Services } from '../../../main/services.js';
import type { AiFinding } from '../../../shared/ai.js';
import { AppError } from '../../../shared/errors.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import {
  type AiSegFixture,
  writeAiSeg,
  writeReviewProject,
  endReviewTest,
  exportByCli,
} from '../../support/ai-fixtures.js';
import { importAndWait } from '../../support/import.js';
import { openMachine } from '../../support/sync-project.js';

const scratch = makeTempDir('ai-segments');
const ct = ensureCtSeries({ slices: 6, size: 32, seed: 'ai-segments' });
const dataDir = path.join(scratch, 'data');
const MODEL = 'LiverSeg-3D';
const previousReader = process.env[READER_ENV];
const study = ct.studyInstanceUID;
let services: Services;
let seg: AiSegFixture;

function open(): Services {
  return openMachine(dataDir);
}

const findings = async (): Promise<AiFinding[]> =>
  (await services.handlers['ai.findings']({ studyInstanceUID: study })).findings;

/** The reader's decision on a finding (a rejection with its reason). */
const decide = (finding: AiFinding, decision: 'accepted' | 'edited' | 'rejected') =>
  services.handlers['ai.decide']({
    studyInstanceUID: study,
    annotationUid: finding.annotationUid,
    decision,
    ...(decision === 'rejected' ? { reasonId: 'false-positive' } : {}),
  });

/** A reader's own segmentation of the series (their copy), if they have one. */
const copyOf = async (author: string) =>
  (await services.handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID })).find(
    (head) => head.author === author,
  );

beforeAll(async () => {
  process.env[READER_ENV] = 'alice';
  seg = writeAiSeg({
    seriesFiles: ct.files,
    out: path.join(scratch, 'ai', 'AI-SEG.dcm'),
    model: MODEL,
    manufacturer: 'Acme AI',
    modelName: 'SegNet',
    version: '3.0.1',
    segments: [
      { name: 'Mass A', labelId: 'mass', slices: [1, 2], square: [2, 2, 4], confidence: 0.92 },
      { name: 'Organ', labelId: 'organ', slices: [2, 3, 4], square: [10, 10, 6], confidence: 0.55 },
      { name: 'Mass B', labelId: 'mass', slices: [4], square: [20, 20, 3], confidence: 0.81 },
      { name: 'Spot', slices: [5], square: [25, 3, 2] },
    ],
  });
  services = open();
  await importAndWait(services, [ct.dir]);
  const imported = await services.handlers['annotation.importFiles']({ paths: [seg.file] });
  expect(imported.files[0]).toMatchObject({ kind: 'seg', added: 1 });
}, 120_000);

afterAll(() => endReviewTest(services, previousReader, scratch));

describe('AI segmentation findings', () => {
  it('a device SEG imports with the device as author and ai:<model> as source; each segment is a finding with its provenance and confidence', async () => {
    const heads = await services.handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID });
    expect(heads.map((h) => [h.author, h.source])).toEqual([[MODEL, `ai:${MODEL}`]]);
    const list = await findings();
    expect(list.map((f) => f.segment?.segmentIndex)).toEqual([1, 2, 3, 4]);
    expect(list.map((f) => f.segment?.voxels)).toEqual(seg.voxels);
    expect(list.map((f) => f.provenance.confidence)).toEqual([0.92, 0.55, 0.81, undefined]);
    expect(list[0]!.provenance).toMatchObject({
      model: MODEL,
      manufacturer: 'Acme AI',
      modelName: 'SegNet',
      version: '3.0.1',
    });
    // The AI SEG's UIDs are kept in main (ai_segmentation), not sent with each finding: the export
    // test below finds them in the reader's SEG.
    expect(list[0]!.aiVersion).toMatchObject({
      kind: 'segmentation',
      labelId: 'mass',
      source: `ai:${MODEL}`,
      seriesInstanceUID: ct.seriesInstanceUID,
    });
    // The slice where the segment is largest is where N / P show it.
    expect(ct.files.length).toBe(6);
    expect(list[1]!.aiVersion.sopInstanceUID).toBeTruthy();
    expect(list.every((f) => f.decision === null)).toBe(true);
  });

  it("accept and edit make the reader's own segmentation from the AI voxels; reject needs a reason; kept across a restart", async () => {
    const [first, second, third] = await findings();
    const accepted = await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: first!.annotationUid,
      decision: 'accepted',
    });
    expect(accepted.finding).toMatchObject({ decision: 'accepted' });
    let refused = '';
    try {
      await services.handlers['ai.decide']({
        studyInstanceUID: study,
        annotationUid: second!.annotationUid,
        decision: 'rejected',
      });
    } catch (error) {
      refused = error instanceof AppError ? error.code : String(error);
    }
    expect(refused).toBe('invalid-request');
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: second!.annotationUid,
      decision: 'rejected',
      reasonId: 'wrong-location',
    });
    await services.handlers['ai.decide']({
      studyInstanceUID: study,
      annotationUid: third!.annotationUid,
      decision: 'edited',
    });
    // The reader's segmentation: the AI's voxels of the accepted and edited segments only.
    const heads = await services.handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID });
    const mine = heads.find((h) => h.author === 'alice')!;
    expect(mine.source).toBe('human');
    expect(mine.segments.map((s) => s.segmentIndex)).toEqual([1, 3]);
    expect(mine.segments.map((s) => s.color)).toEqual(['#f58231', '#f58231']); // the label's colour
    const hashes = await services.handlers['segmentation.sliceHashes']({ annotationUid: mine.annotationUid });
    expect(hashes.reduce((n, h) => n + h.labelled, 0)).toBe(seg.voxels[0]! + seg.voxels[2]!);
    // The AI's own labelmap is untouched.
    expect(heads.find((h) => h.author === MODEL)!.segments).toHaveLength(4);

    await services.close();
    services = open();
    const after = await findings();
    expect(after.map((f) => [f.decision, f.reasonId])).toEqual([
      ['accepted', null],
      ['rejected', 'wrong-location'],
      ['edited', null],
      [null, null],
    ]);
    // Another reader's decisions are their own.
    process.env[READER_ENV] = 'bob';
    expect((await findings()).every((f) => f.decision === null)).toBe(true);
    process.env[READER_ENV] = 'alice';
  });

  it('accept-all above a confidence takes segments too, and is undone in one step', async () => {
    process.env[READER_ENV] = 'bob';
    try {
      const { batchId, accepted } = await services.handlers['ai.acceptAbove']({
        studyInstanceUID: study,
        minConfidence: 0.8,
      });
      expect(accepted).toBe(2);
      let answer = await services.handlers['ai.findings']({ studyInstanceUID: study });
      expect(answer.findings.map((f) => f.decision)).toEqual(['accepted', null, 'accepted', null]);
      expect(answer.undoableBatch).toEqual({ batchId, count: 2 });
      const { undone } = await services.handlers['ai.undoBatch']({
        studyInstanceUID: study,
        batchId: batchId!,
      });
      expect(undone).toBe(2);
      answer = await services.handlers['ai.findings']({ studyInstanceUID: study });
      expect(answer.findings.every((f) => f.decision === null)).toBe(true);
      expect(answer.undoableBatch).toBeNull();
      // Bob's segmentation made by the batch is deleted again.
      const heads = await services.handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID });
      expect(heads.some((h) => h.author === 'bob')).toBe(false);
    } finally {
      process.env[READER_ENV] = 'alice';
    }
  });

  it("export: the reader's SEG holds the accepted and edited segments, SEMIAUTOMATIC by the model, and names the AI SEG (pydicom); dciodvfy clean", async () => {
    const exported = await exportByCli({
      services,
      reopen: open,
      dataDir,
      format: 'seg',
      out: path.join(scratch, 'export'),
      study,
    });
    services = exported.services;
    const files = fs
      .readdirSync(exported.folder)
      .filter((f) => f.startsWith('SEG_'))
      .map((f) => path.join(exported.folder, f));
    expect(files).toHaveLength(2);
    const script = `
import json, sys, pydicom
out = []
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path)
    out.append({
        'creator': str(ds.ContentCreatorName),
        'segments': [[int(s.SegmentNumber), s.SegmentAlgorithmType, str(getattr(s, 'SegmentAlgorithmName', '')),
                      str(getattr(s, 'SegmentDescription', ''))] for s in ds.SegmentSequence],
        'sources': [[i.ReferencedSOPClassUID, i.ReferencedSOPInstanceUID,
                     i.PurposeOfReferenceCodeSequence[0].CodeValue] for i in getattr(ds, 'SourceImageSequence', [])],
        'series': [s.SeriesInstanceUID for s in ds.ReferencedSeriesSequence],
        'frames': int(ds.NumberOfFrames),
    })
print(json.dumps(out))
`;
    const read = spawnSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' });
    expect(read.status, read.stderr).toBe(0);
    const objects = JSON.parse(read.stdout) as Array<{
      creator: string;
      segments: Array<[number, string, string, string]>;
      sources: Array<[string, string, string]>;
      series: string[];
      frames: number;
    }>;
    const ai = objects.find((o) => o.creator === MODEL)!;
    expect(ai.segments.map((s) => s[1])).toEqual(['AUTOMATIC', 'AUTOMATIC', 'AUTOMATIC', 'AUTOMATIC']);
    expect(ai.sources).toEqual([]);
    const reader = objects.find((o) => o.creator === 'alice')!;
    expect(reader.segments).toEqual([
      [1, 'SEMIAUTOMATIC', MODEL, 'AI finding accepted by the reader'],
      [2, 'SEMIAUTOMATIC', MODEL, 'AI finding edited by the reader'], // numbered from 1 without gaps
    ]);
    expect(reader.sources).toEqual([[seg.sopClassUID, seg.sopInstanceUID, '121322']]);
    expect(reader.series).toEqual([ct.seriesInstanceUID, seg.seriesInstanceUID]);
    expect(reader.frames).toBe(3); // Mass A on two slices, Mass B on one
    for (const file of files) {
      const check = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`.split('\n').filter((line) => line.startsWith('Error'))).toEqual(
        [],
      );
    }
  });
  it("blinded: an annotator's segmentation list and loads hold only their own labelmaps, and the AI's unless the project hides it", async () => {
    const project = (blindAi: boolean) => {
      writeReviewProject(dataDir, { blinded: true, blindAi });
    };
    const authors = async () =>
      (await services.handlers['segmentation.list']({ seriesInstanceUID: ct.seriesInstanceUID }))
        .map((head) => head.author)
        .sort();
    const aiUid = (await findings())[0]!.segment!.annotationUid;
    try {
      project(true);
      await services.close();
      services = open();
      process.env[READER_ENV] = 'bob';
      expect(await authors()).toEqual([]);
      expect((await services.handlers['ai.findings']({ studyInstanceUID: study })).hidden).toBe(true);
      let refused = '';
      try {
        await services.handlers['segmentation.load']({ annotationUid: aiUid });
      } catch (error) {
        refused = error instanceof AppError ? error.code : String(error);
      }
      expect(refused).toBe('forbidden');
      process.env[READER_ENV] = 'alice';
      expect(await authors()).toEqual(['alice']);
      process.env[READER_ENV] = 'rita';
      expect(await authors()).toEqual(['alice', MODEL].sort());

      project(false);
      await services.close();
      services = open();
      process.env[READER_ENV] = 'bob';
      expect(await authors()).toEqual([MODEL]);
      expect((await findings()).map((f) => f.decision)).toEqual([null, null, null, null]);
    } finally {
      process.env[READER_ENV] = 'alice';
    }
  });

  it('what the reader painted on an edited segment stays when other segments are decided, and leaves with its segment', async () => {
    process.env[READER_ENV] = 'bob';
    try {
      const [massA, , massB] = await findings();
      const copy = () => copyOf('bob');
      const labelled = async () =>
        (
          await services.handlers['segmentation.sliceHashes']({
            annotationUid: (await copy())!.annotationUid,
          })
        ).reduce((sum, slice) => sum + slice.labelled, 0);
      const edited = await decide(massA!, 'edited');
      // The reader paints 5 voxels of Mass A on slice 1 (row 0, columns 20-24), as the editor saves.
      const head = (await copy())!;
      expect(head.versionId).toBe(edited.finding.readerVersionId);
      const view = await services.handlers['segmentation.load']({ annotationUid: head.annotationUid });
      const sop = readSeriesGeometry(ct.files).slices[1]!.sopInstanceUID;
      const chunk = view.slices.find((slice) => slice.sopInstanceUID === sop && slice.layer === 0)!;
      const voxels = new Uint8Array(zlib.inflateSync(Buffer.from(chunk.data, 'base64')));
      const binding = head.segments.find((segment) => segment.segmentIndex === 1)!;
      for (let column = 20; column < 25; column++) voxels[column] = binding.labelValue;
      await services.handlers['segmentation.saveSlices']({
        annotationUid: head.annotationUid,
        versionId: crypto.randomUUID(),
        parentVersionId: head.versionId,
        studyInstanceUID: study,
        seriesInstanceUID: ct.seriesInstanceUID,
        width: view.width,
        height: view.height,
        bits: 8,
        layers: view.layers,
        segments: head.segments,
        deleted: false,
        slices: [{ ...chunk, data: zlib.deflateSync(voxels).toString('base64') }],
      });
      expect(await labelled()).toBe(seg.voxels[0]! + 5);

      await decide(massB!, 'accepted');
      expect((await copy())!.segments.map((segment) => segment.segmentIndex)).toEqual([1, 3]);
      expect(await labelled()).toBe(seg.voxels[0]! + 5 + seg.voxels[2]!);

      await decide(massA!, 'rejected');
      expect((await copy())!.segments.map((segment) => segment.segmentIndex)).toEqual([3]);
      expect(await labelled()).toBe(seg.voxels[2]!);
    } finally {
      process.env[READER_ENV] = 'alice';
    }
  });
  it("a segment the reader added under an undecided AI segment's number (before the editor reserved them) is never dropped: a decision renumbers it", async () => {
    process.env[READER_ENV] = 'carol';
    try {
      const [massA, organ, massB] = await findings();
      const copy = async () => (await copyOf('carol'))!;
      const labelled = async () =>
        (await services.handlers['segmentation.sliceHashes']({ annotationUid: (await copy()).annotationUid }))
          .filter((slice) => slice.sopInstanceUID === free)
          .reduce((sum, slice) => sum + slice.labelled, 0);
      const all = async () =>
        (
          await services.handlers['segmentation.sliceHashes']({ annotationUid: (await copy()).annotationUid })
        ).reduce((sum, slice) => sum + slice.labelled, 0);
      await decide(massA!, 'accepted');
      // As the editor saved it before session 19: the reader's own segment 2 ("Vessel"), 7 voxels on
      // slice 0 (where no AI segment is), while the AI's segment 2 (Organ) was undecided.
      const head = await copy();
      const free = readSeriesGeometry(ct.files).slices[0]!.sopInstanceUID;
      const view = await services.handlers['segmentation.load']({ annotationUid: head.annotationUid });
      const voxels = new Uint8Array(view.width * view.height);
      for (let column = 0; column < 7; column++) voxels[column] = 9;
      const own = {
        segmentIndex: 2,
        name: 'Vessel',
        color: '#3cb44b',
        visible: true,
        locked: false,
        layer: 0,
        labelValue: 9,
      };
      const collided = crypto.randomUUID();
      await services.handlers['segmentation.saveSlices']({
        annotationUid: head.annotationUid,
        versionId: collided,
        parentVersionId: head.versionId,
        studyInstanceUID: study,
        seriesInstanceUID: ct.seriesInstanceUID,
        width: view.width,
        height: view.height,
        bits: 8,
        layers: view.layers,
        segments: [...head.segments, own],
        deleted: false,
        slices: [
          { layer: 0, sopInstanceUID: free, frame: 1, data: zlib.deflateSync(voxels).toString('base64') },
        ],
      });
      expect((await copy()).segments.map((s) => s.segmentIndex)).toEqual([1, 2]);

      // Rejecting the AI's segment 2 keeps the reader's: renumbered past the AI's numbers (1-4).
      const rejected = await decide(organ!, 'rejected');
      let mine = await copy();
      expect(mine.versionId).toBe(rejected.finding.readerVersionId);
      expect(mine.segments.map((s) => [s.segmentIndex, s.name, s.layer, s.labelValue])).toEqual([
        [1, 'Mass A', 0, massALabelValue(mine)],
        [5, 'Vessel', 0, 9],
      ]);
      expect(await labelled()).toBe(7);
      expect(await all()).toBe(seg.voxels[0]! + 7);
      // A new immutable version: its parent is the reader's version holding the collision.
      expect(mine.parentVersionId).toBe(collided);

      // Accepting it afterwards adds the AI's Organ under its own number, beside the reader's.
      await decide(organ!, 'accepted');
      mine = await copy();
      expect(mine.segments.map((s) => [s.segmentIndex, s.name])).toEqual([
        [1, 'Mass A'],
        [2, 'Organ'],
        [5, 'Vessel'],
      ]);
      expect(await all()).toBe(seg.voxels[0]! + seg.voxels[1]! + 7);

      // A decision on another segment keeps it too (it is no AI segment's any more).
      await decide(massB!, 'rejected');
      await decide(massA!, 'rejected');
      mine = await copy();
      expect(mine.segments.map((s) => [s.segmentIndex, s.name])).toEqual([
        [2, 'Organ'],
        [5, 'Vessel'],
      ]);
      expect(await labelled()).toBe(7);
      const list = await findings();
      expect(list.map((f) => f.decision)).toEqual(['rejected', 'accepted', 'rejected', null]);
    } finally {
      process.env[READER_ENV] = 'alice';
    }
  });
});

function massALabelValue(head: { segments: Array<{ segmentIndex: number; labelValue: number }> }): number {
  return head.segments.find((segment) => segment.segmentIndex === 1)!.labelValue;
}
