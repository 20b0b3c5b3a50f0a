/**
 * Where a device SEG's segment confidence is read from (docs/ai-review.md "AI segmentations"):
 * RADLABEL's private block in the segment's item (Private Creator `RADLABEL AI`, element xx01: DS,
 * FD or FL, in any odd group and block slot, UN from an implicit-VR file too), else the Segment
 * Description's forms, else RADLABEL's private block at the top of the object; a percentage when
 * above 1; never another creator's private element or another field's free text. The SEGs are
 * written by the test (dcmjs through writeAiSeg, then pydicom adds the private blocks).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPart10 } from '../../../main/annotation/dicom/dataset.js';
import { segProvenance } from '../../../main/ai/segments.js';
import { ensureCtSeries, makeTempDir } from '../../fixtures/index.js';
import { writeAiSeg } from '../../support/ai-fixtures.js';

const scratch = makeTempDir('seg-confidence');
let base: string;

beforeAll(() => {
  const ct = ensureCtSeries({ slices: 2, size: 16, seed: 'seg-confidence' });
  base = writeAiSeg({
    seriesFiles: ct.files,
    out: path.join(scratch, 'base.dcm'),
    model: 'ConfNet',
    manufacturer: 'Acme',
    modelName: 'Conf',
    version: '1',
    segments: [
      { name: 'One', slices: [0], square: [1, 1, 2] },
      { name: 'Two', slices: [1], square: [4, 4, 2] },
    ],
  }).file;
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/**
 * Python adding element xx01 of a private block to `item` (`ds`, `seg1` or `seg2`): RADLABEL's
 * confidence unless another creator is named. A string value is written as text, a number as is.
 */
function block(
  item: string,
  vr: 'DS' | 'FD' | 'FL' | 'LO',
  value: string | number,
  where: { group?: number; creator?: string } = {},
): string {
  const group = `0x${(where.group ?? 0x63).toString(16).padStart(4, '0')}`;
  const literal = typeof value === 'string' ? `'${value}'` : String(value);
  return `${item}.private_block(${group}, '${where.creator ?? 'RADLABEL AI'}', create=True).add_new(0x01, '${vr}', ${literal})`;
}

/**
 * A copy of the base SEG changed by pydicom: `edit` is Python (lines) run with `ds` (the dataset)
 * and `seg1`, `seg2` (its Segment Sequence items) in scope; returns the confidences read.
 */
function confidences(
  name: string,
  edit: string | string[],
  options: { implicit?: boolean } = {},
): Record<number, number> {
  const out = path.join(scratch, `${name}.dcm`);
  const script = `
import sys, pydicom
from pydicom.uid import ImplicitVRLittleEndian
ds = pydicom.dcmread(sys.argv[1])
seg1, seg2 = ds.SegmentSequence[0], ds.SegmentSequence[1]
for item in (seg1, seg2):
    if 'SegmentDescription' in item: del item.SegmentDescription
${Array.isArray(edit) ? edit.join('\n') : edit}
if sys.argv[3] == 'implicit':
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds.is_implicit_VR, ds.is_little_endian = True, True
    ds.save_as(sys.argv[2])
else:
    ds.save_as(sys.argv[2])
`;
  const run = spawnSync(
    '/usr/bin/python3',
    ['-c', script, base, out, options.implicit ? 'implicit' : 'explicit'],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return segProvenance(readPart10(new Uint8Array(fs.readFileSync(out)))).confidences;
}

describe('a SEG segment’s confidence', () => {
  it('is read from RADLABEL’s private block in the segment’s item (DS, FD, FL), a percentage above 1', () => {
    expect(confidences('private-item', [block('seg1', 'DS', '0.87'), block('seg2', 'FD', 91.0)])).toEqual({
      1: 0.87,
      2: 0.91,
    });
    expect(confidences('private-fl', [block('seg1', 'FL', 0.5)])).toEqual({ 1: 0.5 });
  });

  it('finds the block in any odd group and slot, beside another creator’s block', () => {
    expect(
      confidences('private-slot', [
        block('seg1', 'DS', '0.99', { group: 0x0011, creator: 'OTHER VENDOR' }),
        block('seg1', 'DS', '0.42', { group: 0x0011 }),
      ]),
    ).toEqual({ 1: 0.42 });
  });

  it('never reads another creator’s element xx01 or another field’s free text', () => {
    expect(
      confidences('not-read', [
        block('seg1', 'DS', '0.99', { creator: 'OTHER VENDOR' }),
        "seg1.SegmentLabel = 'confidence 0.95'",
        "ds.SeriesDescription = 'probability 0.9'",
        "seg2.SegmentAlgorithmName = 'score=0.7'",
      ]),
    ).toEqual({});
  });

  it('takes the private block over the Segment Description, whose forms are read otherwise', () => {
    expect(
      confidences('precedence', [
        "seg1.SegmentDescription = 'confidence 0.30'",
        block('seg1', 'DS', '0.80'),
        "seg2.SegmentDescription = 'Liver, probability: 91%'",
      ]),
    ).toEqual({ 1: 0.8, 2: 0.91 });
    expect(
      confidences(
        'forms',
        `seg1.SegmentDescription = 'score=0.7'\nseg2.SegmentDescription = 'Likelihood 64 %'`,
      ),
    ).toEqual({ 1: 0.7, 2: 0.64 });
  });

  it('falls back to a block at the top of the object for segments that say nothing themselves', () => {
    expect(
      confidences('object-level', [
        block('ds', 'DS', '0.66', { group: 0x0065 }),
        block('seg2', 'DS', '0.12'),
      ]),
    ).toEqual({ 1: 0.66, 2: 0.12 });
  });

  it('is read from an implicit-VR file, where the private elements arrive as UN (text or float bytes)', () => {
    expect(
      confidences('implicit', [block('seg1', 'DS', '0.75'), block('seg2', 'FD', 0.25)], { implicit: true }),
    ).toEqual({ 1: 0.75, 2: 0.25 });
  });

  it('ignores values that are not a confidence (negative, above 100 %, not a number)', () => {
    expect(confidences('invalid', [block('seg1', 'DS', '-0.5'), block('seg2', 'LO', 'high')])).toEqual({});
  });
});
